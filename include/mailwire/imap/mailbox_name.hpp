#pragma once

/// \file
/// Mailbox name encoding: modified UTF-7 (RFC 3501 section 5.1.3) and its reverse.

#include <mailwire/export.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace mailwire::imap {

/// Encodes a UTF-8 mailbox name in modified UTF-7 ("Entwürfe" → "Entw&APw-rfe"); "&" becomes
/// "&-", printable US-ASCII stays as it is. nullopt when `utf8` is not valid UTF-8 (overlong
/// forms, surrogates and code points above U+10FFFF included).
MAILWIRE_API std::optional<std::string> encode_mailbox_utf7(std::string_view utf8);

/// Decodes a modified UTF-7 mailbox name to UTF-8 ("&-" is "&"). nullopt when malformed (bad
/// base64, an unterminated or empty shift sequence, unpaired surrogates, non-zero padding
/// bits, or a raw byte outside printable US-ASCII) or not in the one canonical form that
/// encode_mailbox_utf7() writes (RFC 3501 5.1.3: printable US-ASCII in base64, as "&AGE-" for
/// "a", or adjacent shift sequences), so that two wire names never decode to one name.
MAILWIRE_API std::optional<std::string> decode_mailbox_utf7(std::string_view utf7);

}  // namespace mailwire::imap
