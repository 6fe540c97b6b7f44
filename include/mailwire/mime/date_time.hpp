#pragma once

/// \file
/// RFC 5322 dates (section 3.3, with the obsolete forms of 4.3 and the broken ones of real mail).

#include <mailwire/export.hpp>

#include <ctime>
#include <optional>
#include <string_view>

namespace mailwire::mime {

/// A point in time with the zone it was written in.
struct DateTime {
  std::time_t utc = 0;     ///< seconds since the epoch
  int offset_minutes = 0;  ///< the written zone (+0200 -> 120); 0 for "-0000" and unknown zones
};

/// Parses a Date value: optional day name, day, month name, 2- or 4-digit year, hh:mm[:ss],
/// a numeric zone or an obsolete name (UT, GMT, EST, EDT, CST, CDT, MST, MDT, PST, PDT,
/// military letters as -0000); comments and extra whitespace ignored. nullopt when it is not
/// a date (e.g. hour 27).
MAILWIRE_API std::optional<DateTime> parse_date(std::string_view value);

}  // namespace mailwire::mime
