#include <mailwire/mime/charset.hpp>

#include <iconv.h>
#include <cctype>
#include <cerrno>
#include <unordered_map>

namespace mailwire::mime {
namespace {

constexpr char replacement[] = "\xEF\xBF\xBD";

// Length of the valid UTF-8 sequence at `p`, or 0.
std::size_t utf8_sequence(const unsigned char* p, std::size_t left) noexcept {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char min2 = 0x80, max2 = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) min2 = 0xA0;
    if (c == 0xED) max2 = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) min2 = 0x90;
    if (c == 0xF4) max2 = 0x8F;
  } else {
    return 0;
  }
  if (left < n || p[1] < min2 || p[1] > max2) return 0;
  for (std::size_t i = 2; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
  }
  return n;
}

// Whether iconv knows a charset, asked once per name and thread.
bool known_charset(const std::string& name) {
  thread_local std::unordered_map<std::string, bool> cache;
  const auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  if (cache.size() > 256) cache.clear();  // hostile mail can name endless charsets
  iconv_t cd = iconv_open("UTF-8", name.c_str());
  const bool known = cd != reinterpret_cast<iconv_t>(-1);
  if (known) iconv_close(cd);
  cache.emplace(name, known);
  return known;
}

}  // namespace

std::string charset_for_decoding(std::string_view label) {
  std::string name;
  for (const char c : label) {
    if (c == '"' || c == '\'' || std::isspace(static_cast<unsigned char>(c)) != 0) continue;
    name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (name.empty()) return "WINDOWS-1252";
  if (name == "LATIN1" || name == "LATIN-1" || name == "ISO-8859-1" || name == "ISO8859-1" ||
      name == "ISO_8859-1" || name == "US-ASCII" || name == "ASCII" || name == "CP1252" ||
      name == "X-UNKNOWN" || name == "UNKNOWN-8BIT" || name == "DEFAULT") {
    return "WINDOWS-1252";
  }
  if (name == "UTF8") return "UTF-8";
  if (name == "GB2312" || name == "GBK" || name == "X-GBK" || name == "CP936") return "GB18030";
  if (name == "KS_C_5601-1987" || name == "KS_C_5601" || name == "EUC-KR") return "CP949";
  if (name == "UTF7" || name == "UNICODE-1-1-UTF-7") return "UTF-7";
  if (name == "SHIFT-JIS" || name == "X-SJIS" || name == "SJIS" || name == "SHIFT_JIS") {
    return "CP932";
  }
  if (name == "ISO-8859-8-I") return "ISO-8859-8";
  if (name.rfind("X-MAC-", 0) == 0) return "MAC" + name.substr(6);
  return name;
}

bool is_valid_utf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t left = text.size();
  while (left > 0) {
    if (*p < 0x80) {
      ++p;
      --left;
      continue;
    }
    const std::size_t n = utf8_sequence(p, left);
    if (n == 0) return false;
    p += n;
    left -= n;
  }
  return true;
}

std::string repair_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t left = text.size();
  while (left > 0) {
    const std::size_t n = utf8_sequence(p, left);
    if (n == 0) {
      out += replacement;
      ++p;
      --left;
    } else {
      out.append(reinterpret_cast<const char*>(p), n);
      p += n;
      left -= n;
    }
  }
  return out;
}

bool to_utf8(std::string_view charset, std::string_view bytes, std::string& out) {
  const std::string name = charset_for_decoding(charset);
  if (name == "UTF-8") {
    out += is_valid_utf8(bytes) ? std::string(bytes) : repair_utf8(bytes);
    return true;
  }
  if (!known_charset(name)) return false;
  bool ascii = true;
  for (const char c : bytes)
    ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii && name != "UTF-7" && name.rfind("UTF-16", 0) != 0 && name.rfind("UTF-32", 0) != 0 &&
      name.rfind("ISO-2022", 0) != 0) {
    out += bytes;  // every ASCII-compatible charset maps these bytes to themselves
    return true;
  }
  iconv_t cd = iconv_open("UTF-8", name.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  const std::size_t start = out.size();
  char buf[4096];
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  while (in_left > 0) {
    char* o = buf;
    std::size_t o_left = sizeof buf;
    const std::size_t rc = iconv(cd, &in, &in_left, &o, &o_left);
    out.append(buf, sizeof buf - o_left);
    if (rc != static_cast<std::size_t>(-1)) continue;
    if (errno == E2BIG) continue;
    // EILSEQ: an invalid byte; EINVAL: an incomplete sequence at the end.
    out += replacement;
    ++in;
    --in_left;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
  }
  char* o = buf;
  std::size_t o_left = sizeof buf;
  iconv(cd, nullptr, nullptr, &o, &o_left);  // flush a final shift state
  out.append(buf, sizeof buf - o_left);
  iconv_close(cd);
  // glibc normalises charset names loosely ("UTF\x158" opens UTF-8) and its UTF-8 decoder
  // passes some sequences that are not UTF-8 (F5..F7 lead bytes): the result is checked here,
  // so that callers always get valid UTF-8.
  if (!is_valid_utf8(std::string_view(out).substr(start))) {
    const std::string fixed = repair_utf8(std::string_view(out).substr(start));
    out.resize(start);
    out += fixed;
  }
  return true;
}

}  // namespace mailwire::mime
