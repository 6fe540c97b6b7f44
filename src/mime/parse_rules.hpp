#pragma once

// Header rules both MIME parsers apply (Message::parse in message.cpp and StreamParser in
// stream_parser.cpp), kept in one place so that they read messages alike. Not installed.

#include <mailwire/mime/charset.hpp>
#include <mailwire/mime/content_type.hpp>
#include <mailwire/mime/encoded_word.hpp>
#include <mailwire/mime/header.hpp>

#include <cctype>
#include <optional>
#include <string>
#include <string_view>

namespace mailwire::mime::detail {

// decode_encoded_words() with its two defects told apart (encoded_word.cpp).
std::string decode_encoded_words_checked(std::string_view text, bool& unknown_charset,
                                         bool& controls);

// A message/delivery-status body that begins with prose, not fields: read as a leaf.
inline constexpr const char* status_prose_defect =
    "message/delivery-status body is text, not header fields";

// Mailsploit (checklist cases 34 and 64): a field whose encoded words decode to a control
// character (NUL, CR, LF...). Decoded for display it shows U+FFFD there; each such field is
// one defect of the entity.
inline constexpr const char* decoded_control_defect = "encoded word decodes to a control character";
inline std::size_t fields_decoding_to_controls(const HeaderList& headers) {
  std::size_t n = 0;
  for (const HeaderField& f : headers.fields()) {
    if (f.name.empty() || f.raw.find("=?") == std::string::npos) continue;
    bool unknown_charset = false;
    bool controls = false;
    decode_encoded_words_checked(f.value(), unknown_charset, controls);
    if (controls) ++n;
  }
  return n;
}

// A header field line "Name: value"; "Name :" with white space before the colon is the
// obsolete syntax RFC 5322 4.5 says to accept.
inline bool is_field_line(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c <= 0x20 || c >= 0x7f) {
      for (std::size_t k = i; k < colon; ++k) {
        if (line[k] != ' ' && line[k] != '\t') return false;
      }
      return true;
    }
  }
  return true;
}

// The Content-Transfer-Encoding token: lower case, white space removed; empty when absent.
inline std::string transfer_encoding(const HeaderList& headers) {
  std::string token;
  if (const auto v = headers.get("Content-Transfer-Encoding")) {
    for (const char c : *v) {
      if (std::isspace(static_cast<unsigned char>(c)) == 0)
        token += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return token;
}

// Content-Disposition parsed; `kind` empty when absent.
inline ContentDisposition disposition_of(const HeaderList& headers) {
  const auto v = headers.get("Content-Disposition");
  return v ? ContentDisposition::parse(*v) : ContentDisposition{};
}

// Content-Disposition filename, else Content-Type name, RFC 2231 and RFC 2047 decoded.
inline std::optional<std::string> filename_of(const HeaderList& headers, const ContentType& type) {
  const ContentDisposition disposition = disposition_of(headers);  // filename() views into it
  if (const auto f = disposition.filename()) return decode_encoded_words(*f);
  if (const auto n = type.param("name")) return decode_encoded_words(*n);
  return std::nullopt;
}

// A text part's decoded body converted from its charset parameter to UTF-8; without a charset,
// or with one iconv does not know, the bytes are read as UTF-8 (invalid sequences become U+FFFD).
inline std::string text_as_utf8(const std::string& bytes, const ContentType& type) {
  const auto charset = type.param("charset");
  std::string out;
  if (!charset || !to_utf8(*charset, bytes, out)) out = repair_utf8(bytes);
  return out;
}

// What Message::attachments() lists of a leaf: one with a file name or marked as attachment.
inline bool is_attachment(const HeaderList& headers, const ContentType& type) {
  return filename_of(headers, type) || disposition_of(headers).kind == "attachment";
}

// The names x-uuencode goes by in real mail.
inline bool is_uuencode(std::string_view token) {
  return token == "x-uuencode" || token == "uuencode" || token == "x-uue" || token == "uue";
}

}  // namespace mailwire::mime::detail
