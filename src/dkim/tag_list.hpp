#pragma once
// DKIM tag=value lists (RFC 6376 3.2), as used by the DKIM-Signature header field and the key
// record (3.6.1). A pure parser: never throws, bounded by its input.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailwire::dkim::detail {

/// One tag: the name as written, the value with folding white space around it removed.
struct Tag {
  std::string name;
  std::string value;
};

/// A parsed tag-list, or the reason it is not one.
struct TagList {
  std::vector<Tag> tags;
  std::string error;  ///< empty when the list parsed
  bool ok() const noexcept { return error.empty(); }
  /// The value of `name` (tag names are case-sensitive), or nullptr.
  const std::string* find(std::string_view name) const noexcept;
};

/// tag-list = tag-spec *( ";" tag-spec ) [ ";" ]; tag-spec = [FWS] tag-name [FWS] "=" [FWS]
/// tag-value [FWS]. A duplicate tag, a name that is not ALPHA *(ALNUM / "_"), or a value with
/// characters outside tval is an error. At most 64 tags.
TagList parse_tag_list(std::string_view text);

/// A key record (RFC 6376 3.6.1): v=DKIM1 (optional, first), k= (rsa, ed25519), p= (base64
/// key data, empty: revoked), h= (acceptable hashes), s= (service types), t= (flags).
struct KeyRecord {
  std::string key_type = "rsa";     ///< k=
  std::string public_key;           ///< p=, decoded; empty when revoked
  bool revoked = false;             ///< p= is empty
  std::vector<std::string> hashes;  ///< h=; empty: any
  bool testing = false;             ///< t=y
  bool strict_identity = false;     ///< t=s: i= must have the same domain as d=
  bool email_service = true;        ///< s= allows "email" (or "*")
  std::string error;                ///< empty when the record is usable
  bool ok() const noexcept { return error.empty(); }
};

/// Parses the text of a key record (TXT strings already concatenated).
KeyRecord parse_key_record(std::string_view text);

/// base64 with folding white space anywhere (b=, bh=, p=). False on any other character or a
/// length that is not a whole number of quanta.
bool decode_base64_fws(std::string_view text, std::string& out);

/// Removes FWS (space, tab, CR, LF) from `text`.
std::string strip_fws(std::string_view text);

}  // namespace mailwire::dkim::detail
