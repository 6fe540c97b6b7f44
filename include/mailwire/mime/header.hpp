#pragma once

/// \file
/// Header fields (RFC 5322 section 2.2), in order, keeping their raw bytes so that an
/// unmodified message writes back byte for byte.

#include <mailwire/export.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire::mime {

/// One header field as it was written (or as the builder wrote it).
struct MAILWIRE_API HeaderField {
  std::string name;  ///< as written ("Content-Type"); empty for a line that is not a field
  std::string raw;   ///< the whole field: "Name: value\r\n" with any folding
  /// The value unfolded: folding line breaks removed, the space after the colon and the line
  /// end dropped; still encoded (RFC 2047) and possibly with comments.
  std::string value() const;
};

/// An ordered list of header fields; look-ups ignore case.
class MAILWIRE_API HeaderList {
 public:
  /// Parses a header block (everything before the empty line). Lines that are not fields (no
  /// colon, a space in the name) are kept as nameless entries, so the block writes back as it
  /// was, and reported in `defects`.
  static HeaderList parse(std::string_view block, std::vector<std::string>* defects = nullptr);

  /// Every field in order, nameless non-field lines included.
  const std::vector<HeaderField>& fields() const noexcept { return fields_; }
  /// The first field named `name`, or nullptr.
  const HeaderField* find(std::string_view name) const noexcept;
  /// Its unfolded value.
  std::optional<std::string> get(std::string_view name) const;
  /// Every field named `name`.
  std::vector<const HeaderField*> all(std::string_view name) const;

  /// Appends "Name: value", folded at whitespace to lines of at most 78 characters. Throws
  /// Error(usage) when the name is not a field name or the value holds CR, LF or NUL (which
  /// would inject header fields).
  void add(std::string_view name, std::string_view value);
  /// Replaces every field named `name` by one (added at the place of the first, or at the end).
  void set(std::string_view name, std::string_view value);
  /// Removes every field named `name`; returns how many.
  std::size_t remove(std::string_view name);

  /// The fields' raw bytes, in order (no empty line).
  std::string to_string() const;
  /// No fields at all.
  bool empty() const noexcept { return fields_.empty(); }

 private:
  std::vector<HeaderField> fields_;
};

/// "Name: value\r\n", folded at whitespace so that lines stay within 78 characters where the
/// value allows it.
MAILWIRE_API std::string fold_field(std::string_view name, std::string_view value);

/// ASCII case-insensitive equality.
MAILWIRE_API bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace mailwire::mime
