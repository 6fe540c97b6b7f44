// Punycode (RFC 3492) with the Bootstring parameters of section 5, and domain conversion
// between U-labels and A-labels (RFC 5891). Every step of the delta arithmetic is checked
// against overflow before it happens (RFC 3492 section 6.4), and lengths are capped
// (max_punycode_length), so the quadratic worst case of hostile input stays small.

#include <mailwire/mime/idn.hpp>

#include "detail/utf8.hpp"

#include <cstdint>
#include <limits>
#include <vector>

namespace mailwire::mime {
namespace {

constexpr std::uint32_t base = 36;
constexpr std::uint32_t tmin = 1;
constexpr std::uint32_t tmax = 26;
constexpr std::uint32_t skew = 38;
constexpr std::uint32_t damp = 700;
constexpr std::uint32_t initial_bias = 72;
constexpr std::uint32_t initial_n = 0x80;
constexpr char delimiter = '-';
constexpr std::uint32_t maxint = std::numeric_limits<std::uint32_t>::max();

constexpr std::string_view ace_prefix = "xn--";

bool is_basic(char32_t c) {
  return c < 0x80;
}

bool is_scalar_value(char32_t c) {
  return c <= 0x10FFFF && (c < 0xD800 || c > 0xDFFF);
}

// Digit values 0..25 are a..z, 26..35 are 0..9 (RFC 3492 section 5).
char encode_digit(std::uint32_t d) {
  return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26));
}

std::uint32_t decode_digit(char c) {
  if (c >= '0' && c <= '9') return static_cast<std::uint32_t>(c - '0') + 26;
  if (c >= 'a' && c <= 'z') return static_cast<std::uint32_t>(c - 'a');
  if (c >= 'A' && c <= 'Z') return static_cast<std::uint32_t>(c - 'A');
  return base;  // not a digit
}

// The threshold t for the digit at position k (RFC 3492 section 6.2).
std::uint32_t threshold(std::uint32_t k, std::uint32_t bias) {
  if (k <= bias) return tmin;
  if (k >= bias + tmax) return tmax;
  return k - bias;
}

// Bias adaptation (RFC 3492 section 6.1).
std::uint32_t adapt(std::uint32_t delta, std::uint32_t num_points, bool first_time) {
  delta = first_time ? delta / damp : delta / 2;
  delta += delta / num_points;
  std::uint32_t k = 0;
  while (delta > ((base - tmin) * tmax) / 2) {
    delta /= base - tmin;
    k += base;
  }
  return k + (base - tmin + 1) * delta / (delta + skew);
}

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

char32_t ascii_lower(char32_t c) {
  return c >= U'A' && c <= U'Z' ? c - U'A' + U'a' : c;
}

// Strict UTF-8 (RFC 3629): no overlong forms, surrogates or code points above U+10FFFF.
std::optional<std::u32string> decode_utf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t c = 0;
    if (!mailwire::detail::next_code_point(s, i, c)) return std::nullopt;
    out += static_cast<char32_t>(c);
  }
  return out;
}

bool is_label_separator(char32_t c) {
  return c == U'.' || c == 0x3002 || c == 0xFF0E || c == 0xFF61;
}

bool starts_with_ace_prefix(std::string_view label) {
  if (label.size() < ace_prefix.size()) return false;
  for (std::size_t i = 0; i < ace_prefix.size(); ++i) {
    if (ascii_lower(label[i]) != ace_prefix[i]) return false;
  }
  return true;
}

bool is_control_or_space(char32_t c) {
  return c <= 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F);
}

// What this file asks of a U-label, whichever way it is converted: some code point that is not
// ASCII, no control character, space or dot-like separator (a label must not look like more
// labels), and the hyphen rules of RFC 5891 section 4.2.3.1.
bool is_u_label(std::u32string_view label) {
  bool ascii = true;
  for (const char32_t c : label) {
    if (is_control_or_space(c) || is_label_separator(c)) return false;
    ascii = ascii && is_basic(c);
  }
  if (ascii) return false;
  if (label.front() == U'-' || label.back() == U'-') return false;
  return label.size() < 4 || label[2] != U'-' || label[3] != U'-';
}

// One label of domain_to_ascii, appended to `out`.
bool label_to_ascii(std::u32string label, std::string& out) {
  if (label.empty()) return false;
  bool ascii = true;
  for (char32_t& c : label) {
    if (is_control_or_space(c)) return false;
    c = ascii_lower(c);
    ascii = ascii && is_basic(c);
  }
  if (ascii) {
    if (label.size() > max_label_octets) return false;
    for (const char32_t c : label)
      out += static_cast<char>(c);
    return true;
  }
  if (!is_u_label(label)) return false;
  const std::optional<std::string> encoded = punycode_encode(label);
  if (!encoded || ace_prefix.size() + encoded->size() > max_label_octets) return false;
  out += ace_prefix;
  out += *encoded;
  return true;
}

// One "xn--" label of domain_to_unicode, decoded, or nullopt to keep it as written. The
// A-label must be the one its U-label encodes to (RFC 5891 section 5.4).
std::optional<std::string> label_to_unicode(std::string_view label) {
  if (!starts_with_ace_prefix(label) || label.size() > max_label_octets) return std::nullopt;
  std::string lower;
  for (const char c : label.substr(ace_prefix.size()))
    lower += ascii_lower(c);
  const std::optional<std::string> decoded = punycode_decode(lower);
  if (!decoded) return std::nullopt;
  const std::optional<std::u32string> points = decode_utf8(*decoded);
  if (!points || !is_u_label(*points)) return std::nullopt;
  const std::optional<std::string> again = punycode_encode(*points);
  if (!again || *again != lower) return std::nullopt;
  return decoded;
}

}  // namespace

std::optional<std::string> punycode_encode(std::u32string_view input) {
  if (input.size() > max_punycode_length) return std::nullopt;
  std::string out;
  for (const char32_t c : input) {
    if (!is_scalar_value(c)) return std::nullopt;
    if (is_basic(c)) out += static_cast<char>(c);
  }
  // Both are at most max_punycode_length here, so the conversions cannot truncate.
  const auto b = static_cast<std::uint32_t>(out.size());
  const auto length = static_cast<std::uint32_t>(input.size());
  if (b > 0) out += delimiter;

  std::uint32_t n = initial_n;
  std::uint32_t delta = 0;
  std::uint32_t bias = initial_bias;
  for (std::uint32_t h = b; h < length;) {
    // The smallest code point not yet handled; there is one since h < length.
    std::uint32_t m = maxint;
    for (const char32_t c : input) {
      if (c >= n && c < m) m = c;
    }
    if (m - n > (maxint - delta) / (h + 1)) return std::nullopt;
    delta += (m - n) * (h + 1);
    n = m;
    for (const char32_t c : input) {
      if (c < n) {
        if (delta == maxint) return std::nullopt;
        ++delta;
      } else if (c == n) {
        std::uint32_t q = delta;
        for (std::uint32_t k = base;; k += base) {
          const std::uint32_t t = threshold(k, bias);
          if (q < t) break;
          out += encode_digit(t + (q - t) % (base - t));
          q = (q - t) / (base - t);
        }
        out += encode_digit(q);
        bias = adapt(delta, h + 1, h == b);
        delta = 0;
        ++h;
      }
    }
    if (delta == maxint) return std::nullopt;
    ++delta;
    ++n;
  }
  if (out.size() > max_punycode_length) return std::nullopt;
  return out;
}

std::optional<std::string> punycode_decode(std::string_view input) {
  if (input.size() > max_punycode_length) return std::nullopt;
  // The basic code points are everything before the last delimiter (none: there are none).
  const std::size_t last = input.rfind(delimiter);
  const std::size_t b = last == std::string_view::npos ? 0 : last;
  std::u32string out;
  for (std::size_t j = 0; j < b; ++j) {
    const auto c = static_cast<unsigned char>(input[j]);
    if (c >= 0x80) return std::nullopt;
    out += static_cast<char32_t>(c);
  }

  std::uint32_t n = initial_n;
  std::uint32_t i = 0;
  std::uint32_t bias = initial_bias;
  for (std::size_t in = b > 0 ? b + 1 : 0; in < input.size();) {
    // One generalized variable-length integer: the delta to the next insertion.
    const std::uint32_t old_i = i;
    std::uint32_t w = 1;
    for (std::uint32_t k = base;; k += base) {
      if (in >= input.size()) return std::nullopt;  // truncated
      const std::uint32_t digit = decode_digit(input[in++]);
      if (digit >= base) return std::nullopt;
      if (digit > (maxint - i) / w) return std::nullopt;
      i += digit * w;
      const std::uint32_t t = threshold(k, bias);
      if (digit < t) break;
      if (w > maxint / (base - t)) return std::nullopt;
      w *= base - t;
    }
    const auto points = static_cast<std::uint32_t>(out.size() + 1);  // small: input is capped
    bias = adapt(i - old_i, points, old_i == 0);
    if (i / points > maxint - n) return std::nullopt;
    n += i / points;
    i %= points;
    if (is_basic(n) || !is_scalar_value(n)) return std::nullopt;
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(i), static_cast<char32_t>(n));
    ++i;
  }
  if (out.size() > max_punycode_length) return std::nullopt;
  std::string utf8;
  for (const char32_t c : out)
    mailwire::detail::append_utf8(utf8, c);
  return utf8;
}

std::optional<std::string> domain_to_ascii(std::string_view utf8_domain) {
  const std::optional<std::u32string> points = decode_utf8(utf8_domain);
  if (!points || points->empty()) return std::nullopt;
  std::string out;
  std::u32string label;
  for (std::size_t i = 0; i <= points->size(); ++i) {
    if (i < points->size() && !is_label_separator((*points)[i])) {
      label += (*points)[i];
      continue;
    }
    if (!out.empty()) out += '.';
    if (!label_to_ascii(label, out)) return std::nullopt;
    if (out.size() > max_domain_octets) return std::nullopt;
    label.clear();
  }
  return out;
}

std::string domain_to_unicode(std::string_view ascii_domain) {
  std::string out;
  for (std::size_t at = 0; at <= ascii_domain.size();) {
    std::size_t dot = ascii_domain.find('.', at);
    if (dot == std::string_view::npos) dot = ascii_domain.size();
    const std::string_view label = ascii_domain.substr(at, dot - at);
    const std::optional<std::string> decoded = label_to_unicode(label);
    out += decoded ? *decoded : std::string(label);
    if (dot < ascii_domain.size()) out += '.';
    at = dot + 1;
  }
  return out;
}

}  // namespace mailwire::mime
