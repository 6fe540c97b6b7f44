#pragma once

/// \file
/// RFC 2047 encoded words ("=?utf-8?q?caf=C3=A9?=") in header text.

#include <mailwire/export.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace mailwire::mime {

/// Decodes the encoded words in unstructured header text to UTF-8, leniently as real mail
/// needs: whitespace between adjacent encoded words is dropped, a multibyte character split
/// across words of the same charset is joined, words glued to text are decoded, a lower-case
/// or missing-padding encoding is accepted. A word in an unknown charset stays as it is, and
/// `defect` (when given) is set. Raw 8-bit bytes outside encoded words are read as UTF-8
/// (invalid ones become U+FFFD).
///
/// The result is the text as written, unfolded, with its encoded words decoded: spaces and
/// tabs stay as they were (nothing is re-spaced), and a line break written in the field
/// (folding) is removed, the white space after it kept (RFC 5322 2.2.3). It is text for display
/// and never holds a C0 control other than the tab, nor DEL (the Mailsploit attack hides NUL,
/// CR and LF in encoded words to spoof or inject): any other control, and a CR or LF an
/// encoded word decodes to, becomes U+FFFD and sets `defect`. The raw value (HeaderList::get)
/// keeps the bytes as they were.
MAILWIRE_API std::string decode_encoded_words(std::string_view text, bool* defect = nullptr);

/// Encodes UTF-8 text for an unstructured header (Subject) when it is not plain ASCII: a
/// sequence of encoded words of at most 75 characters, never splitting a character, joined by
/// spaces so that the header can be folded there. ASCII text without "=?" is returned as is.
MAILWIRE_API std::string encode_header_text(std::string_view utf8);

/// The same for a display name inside an address (RFC 2047 section 5 (3): only the characters
/// allowed in a phrase).
MAILWIRE_API std::string encode_phrase(std::string_view utf8);

}  // namespace mailwire::mime
