#include <mailwire/imap/mailbox_name.hpp>

#include "detail/utf8.hpp"

#include <cstdint>
#include <vector>

namespace mailwire::imap {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

using mailwire::detail::append_utf8;
using mailwire::detail::next_code_point;

void flush_utf16(std::string& out, const std::vector<std::uint16_t>& units) {
  out.push_back('&');
  std::uint32_t bits = 0;
  int nbits = 0;
  for (std::uint16_t u : units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out.push_back(kAlphabet[(bits >> nbits) & 0x3F]);
    }
    bits &= (1u << nbits) - 1;
  }
  if (nbits > 0) out.push_back(kAlphabet[(bits << (6 - nbits)) & 0x3F]);
  out.push_back('-');
}

}  // namespace

std::optional<std::string> encode_mailbox_utf7(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  std::vector<std::uint16_t> pending;
  std::size_t i = 0;
  while (i < utf8.size()) {
    std::uint32_t cp = 0;
    if (!next_code_point(utf8, i, cp)) return std::nullopt;
    if (cp >= 0x20 && cp <= 0x7E) {
      if (!pending.empty()) {
        flush_utf16(out, pending);
        pending.clear();
      }
      if (cp == '&') {
        out += "&-";
      } else {
        out.push_back(static_cast<char>(cp));
      }
      continue;
    }
    if (cp >= 0x10000) {
      std::uint32_t v = cp - 0x10000;
      pending.push_back(static_cast<std::uint16_t>(0xD800 | (v >> 10)));
      pending.push_back(static_cast<std::uint16_t>(0xDC00 | (v & 0x3FF)));
    } else {
      pending.push_back(static_cast<std::uint16_t>(cp));
    }
  }
  if (!pending.empty()) flush_utf16(out, pending);
  return out;
}

std::optional<std::string> decode_mailbox_utf7(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E) {
      return std::nullopt;
    }
    if (c != '&') {
      out.push_back(c);
      ++i;
      continue;
    }
    ++i;
    if (i < s.size() && s[i] == '-') {
      out.push_back('&');
      ++i;
      continue;
    }
    std::uint32_t bits = 0;
    int nbits = 0;
    std::uint32_t high = 0;  // pending high surrogate
    std::size_t units = 0;
    while (true) {
      if (i >= s.size()) return std::nullopt;
      if (s[i] == '-') {
        ++i;
        break;
      }
      int v = b64_value(s[i]);
      if (v < 0) return std::nullopt;
      ++i;
      bits = (bits << 6) | static_cast<std::uint32_t>(v);
      nbits += 6;
      if (nbits >= 16) {
        nbits -= 16;
        auto u = static_cast<std::uint16_t>((bits >> nbits) & 0xFFFF);
        bits &= (1u << nbits) - 1;
        ++units;
        if (high != 0) {
          if (u < 0xDC00 || u > 0xDFFF) return std::nullopt;
          append_utf8(out, 0x10000 + ((high - 0xD800) << 10) + (u - 0xDC00u));
          high = 0;
        } else if (u >= 0xD800 && u <= 0xDBFF) {
          high = u;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
          return std::nullopt;
        } else {
          append_utf8(out, u);
        }
      }
    }
    if (high != 0 || units == 0 || nbits >= 6 || bits != 0) return std::nullopt;
  }
  // One spelling per name (checklist case 58): base64 for printable US-ASCII ("&AGE-" for "a"),
  // or two shifts where one does, would give a second wire name that reads the same.
  if (encode_mailbox_utf7(out) != s) return std::nullopt;
  return out;
}

}  // namespace mailwire::imap
