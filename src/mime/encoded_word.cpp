#include <mailwire/mime/charset.hpp>

#include <mailwire/mime/encoded_word.hpp>
#include <mailwire/mime/encoding.hpp>
#include "detail/digest.hpp"
#include "mime/parse_rules.hpp"

#include <cctype>

namespace mailwire::mime {
namespace {

struct Word {
  std::string charset;
  std::string bytes;  // decoded, still in `charset`
  std::size_t end = 0;
};

// Parses "=?charset?E?text?=" at `at`; false when it is not an encoded word.
bool parse_word(std::string_view s, std::size_t at, Word& w) {
  if (s.compare(at, 2, "=?") != 0) return false;
  const std::size_t q1 = s.find('?', at + 2);
  if (q1 == std::string_view::npos || q1 == at + 2 || q1 + 2 >= s.size() || s[q1 + 2] != '?') {
    return false;
  }
  const char enc = static_cast<char>(std::toupper(static_cast<unsigned char>(s[q1 + 1])));
  if (enc != 'Q' && enc != 'B') return false;
  const std::size_t text_start = q1 + 3;
  const std::size_t close = s.find("?=", text_start);
  if (close == std::string_view::npos) return false;
  const std::string_view text = s.substr(text_start, close - text_start);
  if (text.find_first_of(" \t\r\n") != std::string_view::npos) return false;
  std::string_view charset = s.substr(at + 2, q1 - at - 2);
  if (const std::size_t star = charset.find('*'); star != std::string_view::npos) {
    charset = charset.substr(0, star);  // RFC 2231 language suffix
  }
  w.charset = std::string(charset);
  w.bytes.clear();
  if (enc == 'B') {
    w.bytes = base64_decode(text);
  } else {
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '_') {
        w.bytes += ' ';
      } else if (c == '=' && i + 2 < text.size() + 0 &&
                 mailwire::detail::hex_value(text[i + 1]) >= 0 &&
                 mailwire::detail::hex_value(text[i + 2]) >= 0) {
        w.bytes += static_cast<char>(mailwire::detail::hex_value(text[i + 1]) << 4 |
                                     mailwire::detail::hex_value(text[i + 2]));
        i += 2;
      } else {
        w.bytes += c;
      }
    }
  }
  w.end = close + 2;
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Bytes of the UTF-8 character starting at `p` (1 for anything odd).
std::size_t char_length(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

std::string encode_words(std::string_view utf8, bool phrase) {
  bool plain = utf8.find("=?") == std::string_view::npos;
  for (const char c : utf8) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || u < 0x20 || u == 0x7f) plain = false;
  }
  if (plain) return std::string(utf8);
  const std::string text = repair_utf8(utf8);
  // Q when most characters are printable ASCII, else B; each word at most 75 characters.
  std::size_t special = 0;
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) ++special;
  }
  const bool use_b = special * 3 > text.size();
  constexpr std::size_t max_word = 75;
  const std::string prefix = use_b ? "=?UTF-8?B?" : "=?UTF-8?Q?";
  const std::size_t room = max_word - prefix.size() - 2;
  std::string out;
  std::string chunk;  // raw UTF-8 of the current word
  std::size_t encoded_length = 0;
  const auto q_length = [&](unsigned char c) -> std::size_t {
    const bool literal = std::isalnum(c) != 0 || c == ' ' ||
                         (phrase ? (c == '!' || c == '*' || c == '+' || c == '-' || c == '/')
                                 : (c > 0x20 && c < 0x7f && c != '=' && c != '?' && c != '_'));
    return literal ? 1 : 3;
  };
  const auto flush = [&] {
    if (chunk.empty()) return;
    if (!out.empty()) out += ' ';
    out += prefix;
    if (use_b) {
      out += base64_encode(chunk, 0);
      out.resize(out.size() - 2);  // the encoder's CRLF
    } else {
      static constexpr char digits[] = "0123456789ABCDEF";
      for (const char ch : chunk) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == ' ') {
          out += '_';
        } else if (q_length(c) == 1) {
          out += static_cast<char>(c);
        } else {
          out += '=';
          out += digits[c >> 4];
          out += digits[c & 0xf];
        }
      }
    }
    out += "?=";
    chunk.clear();
    encoded_length = 0;
  };
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n =
        std::min(char_length(static_cast<unsigned char>(text[i])), text.size() - i);
    std::size_t cost = 0;
    if (use_b) {
      cost = ((chunk.size() + n + 2) / 3) * 4 - encoded_length;
    } else {
      for (std::size_t k = 0; k < n; ++k)
        cost += q_length(static_cast<unsigned char>(text[i + k]));
    }
    if (encoded_length + cost > room) flush();
    chunk.append(text, i, n);
    encoded_length = use_b ? ((chunk.size() + 2) / 3) * 4 : encoded_length + cost;
    i += n;
  }
  flush();
  return out;
}

}  // namespace

namespace {

// Appends UTF-8 `text` for display: no C0 control but the tab, and no DEL, survives. A tab
// stays a tab (white space as written); CR and LF written in the field are folding and are
// removed (unfolding); any other control, and any control but the tab that an encoded word
// decoded to (Mailsploit hides NUL, CR and LF in them), becomes U+FFFD, which shows that
// something was there, and is a defect.
void append_display(std::string& out, std::string_view text, bool decoded, bool& controls) {
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 0x20 && c != 0x7f) || c == '\t') {
      out += ch;
    } else if (!decoded && (c == '\r' || c == '\n')) {
      continue;  // unfolding: the line break goes, the white space after it stays
    } else {
      out += "\xef\xbf\xbd";
      controls = true;
    }
  }
}

}  // namespace

namespace detail {

std::string decode_encoded_words_checked(std::string_view text, bool& unknown_charset,
                                         bool& controls) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  std::string pending_charset;  // adjacent words of one charset are joined before conversion
  std::string pending_bytes;
  std::string converted;
  const auto flush = [&] {
    if (pending_charset.empty() && pending_bytes.empty()) return;
    converted.clear();
    if (!to_utf8(pending_charset, pending_bytes, converted)) {
      unknown_charset = true;
      converted = repair_utf8(pending_bytes);  // unknown charset: the bytes as they are
    }
    append_display(out, converted, true, controls);
    pending_charset.clear();
    pending_bytes.clear();
  };
  while (i < text.size()) {
    Word w;
    if (text[i] == '=' && parse_word(text, i, w)) {
      if (!pending_bytes.empty() && lower(w.charset) != lower(pending_charset)) flush();
      if (pending_bytes.empty()) pending_charset = w.charset;
      pending_bytes += w.bytes;
      i = w.end;
      // Whitespace after a word is kept only if no word follows it.
      std::size_t j = i;
      while (j < text.size() &&
             (text[j] == ' ' || text[j] == '\t' || text[j] == '\r' || text[j] == '\n')) {
        ++j;
      }
      Word next;
      if (j > i && j < text.size() && parse_word(text, j, next)) {
        i = j;
        continue;
      }
      flush();
      continue;
    }
    // Plain text up to the next "=?".
    std::size_t end = text.find("=?", i + 1);
    if (end == std::string_view::npos) end = text.size();
    append_display(out, repair_utf8(text.substr(i, end - i)), false, controls);
    i = end;
  }
  flush();
  return out;
}

}  // namespace detail

std::string decode_encoded_words(std::string_view text, bool* defect) {
  bool unknown_charset = false;
  bool controls = false;
  std::string out = detail::decode_encoded_words_checked(text, unknown_charset, controls);
  if ((unknown_charset || controls) && defect != nullptr) *defect = true;
  return out;
}

std::string encode_header_text(std::string_view utf8) {
  return encode_words(utf8, false);
}

std::string encode_phrase(std::string_view utf8) {
  return encode_words(utf8, true);
}

}  // namespace mailwire::mime
