#pragma once

// Header rules both MIME parsers apply (Message::parse in message.cpp and StreamParser in
// stream_parser.cpp), kept in one place so that they read messages alike. Not installed.

#include <mailwire/mime/header.hpp>

#include <cctype>
#include <string>
#include <string_view>

namespace mailwire::mime::detail {

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

// The names x-uuencode goes by in real mail.
inline bool is_uuencode(std::string_view token) {
  return token == "x-uuencode" || token == "uuencode" || token == "x-uue" || token == "uue";
}

}  // namespace mailwire::mime::detail
