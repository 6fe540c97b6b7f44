#pragma once

// The table of non-standard bounce formats. Internal (src/ only).

#include <cstddef>

namespace mailwire::mime::bounce {

/// Where a rule's marker is looked for.
enum class Where { Subject, From, Body, Header };

/// How the recipients of a format are found in its report text.
enum class Recipients {
  Addresses,  ///< every address in the report section (minus the sender's own)
  FirstOnly,  ///< the first such address only (the format names one recipient)
};

/// One server family: how it is recognised and where its report section lies. A marker is a
/// lower-case fragment; `begin` and `end` are lower-case fragments of the lines that open and
/// close the section about the recipients (nullptr: the start, the generic separators).
struct FormatRule {
  const char* name;
  Where where;
  const char* marker;
  const char* begin;
  const char* end;
  Recipients recipients;
};

/// The rules, most specific first.
extern const FormatRule kFormatRules[];
/// Their number.
extern const std::size_t kFormatRuleCount;

/// Lower-case fragments of the lines that separate a bounce's own text from the copy of the
/// original message it quotes; nullptr-terminated.
extern const char* const kOriginalSeparators[];

}  // namespace mailwire::mime::bounce
