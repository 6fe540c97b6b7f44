#pragma once

/// \file
/// Text in any charset to UTF-8, through glibc's iconv, with the label aliases real mail needs.

#include <mailwire/export.hpp>

#include <string>
#include <string_view>

namespace mailwire::mime {

/// The iconv name used to decode text labelled `label`: case and whitespace ignored; latin1 and
/// iso-8859-1 and us-ascii decode as windows-1252 (as browsers do: mail labelled so often
/// carries cp1252 bytes); gb2312 and gbk as GB18030; ks_c_5601-1987 as CP949; utf7 as UTF-7.
MAILWIRE_API std::string charset_for_decoding(std::string_view label);

/// Appends `bytes`, in `charset`, to `out` as UTF-8. Invalid sequences become U+FFFD. Returns
/// false (appending nothing) when the charset is unknown.
MAILWIRE_API bool to_utf8(std::string_view charset, std::string_view bytes, std::string& out);

/// True when `text` is well-formed UTF-8.
MAILWIRE_API bool is_valid_utf8(std::string_view text) noexcept;

/// `text` with every invalid UTF-8 sequence replaced by U+FFFD.
MAILWIRE_API std::string repair_utf8(std::string_view text);

}  // namespace mailwire::mime
