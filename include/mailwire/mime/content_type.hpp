#pragma once

/// \file
/// Content-Type and Content-Disposition with their parameters (RFC 2045 section 5, RFC 2183,
/// RFC 2231 continuations, charsets and languages).

#include <mailwire/export.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailwire::mime {

/// Parameters in order, names lower-cased, values decoded to UTF-8 (RFC 2231 continuations
/// joined, charsets applied; encoded words inside quoted values decoded, as real mail needs).
class MAILWIRE_API ParameterList {
 public:
  /// Parses "; name=value; name*0*=..." (the text after the type). Never throws.
  static ParameterList parse(std::string_view text, bool* defect = nullptr);
  /// The value of `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> get(std::string_view name) const;
  /// Every parameter in order: lower-case name and decoded UTF-8 value.
  const std::vector<std::pair<std::string, std::string>>& items() const noexcept { return items_; }
  /// The name of items()[i] as it was written ("Boundary"); continuations give the base name.
  const std::string& written_name(std::size_t i) const { return written_.at(i); }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
  std::vector<std::string> written_;
};

/// A parsed Content-Type. Without a valid one, text/plain (RFC 2045 5.2).
struct MAILWIRE_API ContentType {
  std::string type = "text";      ///< lower-case
  std::string subtype = "plain";  ///< lower-case
  ParameterList params;           ///< charset, boundary, name, ...
  bool valid = false;             ///< the header was present and well-formed

  /// Parses a header value ("text/html; charset=utf-8"), leniently; never throws. An invalid
  /// type/subtype leaves text/plain and valid false (the parameters are still parsed).
  static ContentType parse(std::string_view value);
  /// "type/subtype", lower-case.
  std::string mime_type() const { return type + "/" + subtype; }
  /// multipart/*.
  bool is_multipart() const noexcept { return type == "multipart"; }
  /// message/* (message/rfc822, message/delivery-status, ...).
  bool is_message() const noexcept { return type == "message"; }
  /// The value of parameter `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> param(std::string_view name) const { return params.get(name); }
};

/// A parsed Content-Disposition.
struct MAILWIRE_API ContentDisposition {
  std::string kind;      ///< "attachment", "inline" (lower-case), empty when absent
  ParameterList params;  ///< filename, size, creation-date, ...
  /// Parses a header value ("attachment; filename=a.pdf"); never throws.
  static ContentDisposition parse(std::string_view value);
  /// The filename parameter, decoded (RFC 2231), or nullopt.
  std::optional<std::string_view> filename() const { return params.get("filename"); }
};

}  // namespace mailwire::mime
