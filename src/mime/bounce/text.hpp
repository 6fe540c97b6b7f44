#pragma once

// Text helpers of the delivery report reader: ASCII case folding, addresses, status and reply
// codes found in prose. Internal (src/ only).

#include <mailwire/mime/delivery_report.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire::mime::bounce {

/// ASCII lower case copy.
std::string lower(std::string_view s);
/// `s` without leading and trailing white space (space, tab, CR, LF).
std::string_view trim(std::string_view s) noexcept;
/// Case-insensitive search for an ASCII `needle` (already lower case) in `hay`.
bool icontains(std::string_view hay, std::string_view lower_needle) noexcept;

/// An address found in text, with the offset of its first byte.
struct FoundAddress {
  std::string address;  // lower-cased domain, local part as written
  std::size_t offset = 0;
};
/// Every address-looking token ("local@domain.tld") in `text`, in order.
std::vector<FoundAddress> find_addresses(std::string_view text);
/// The address in a field value like "rfc822; <a@b.example>" or "A <a@b>": type prefix, angle
/// brackets and comments removed; empty when there is none.
std::string address_in(std::string_view value);

/// The first enhanced status code ("5.1.1") in `text`, or empty. IP addresses and version
/// numbers are not taken for one.
std::string find_status(std::string_view text);
/// The first SMTP reply code ("550") in `text` that reads as one (at a line start, or after
/// "said:", before a space, a dash or a status code), or empty.
std::string find_reply_code(std::string_view text);

/// The class digit a status inferred from `reply_code` and `text` should have: '5' or '4'
/// (or '2' for a success).
char infer_class(std::string_view reply_code, std::string_view text, std::string_view action);
/// An enhanced status code for `reason` in class `cls` (RFC 3463 codes where one fits).
std::string status_for(BounceReason reason, char cls);
/// The reason an enhanced status code alone suggests, or Other.
BounceReason reason_from_status(std::string_view status);
/// The reason the wording suggests (the phrase table), or Other when no phrase matches.
BounceReason reason_from_text(std::string_view text);

/// Fills status (when empty), action (when empty), reason and hard of `r` from its fields.
void complete_recipient(ReportRecipient& r, std::string_view context);

}  // namespace mailwire::mime::bounce
