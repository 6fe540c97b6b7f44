#pragma once

// Theory of operation: the ResponseReader assembles one response as `text` (its lines joined,
// without CRLF) plus the literals announced at the ends of those lines, each remembering the
// offset in `text` where it belongs. WireDecoder walks `text` with methods named after the
// RFC 3501 / RFC 9051 ABNF rules; when it meets `{n}` it checks that a literal sits exactly
// there and hands it out (moving its bytes, so a body is copied only once, from the wire).
// It never throws: the first failure is recorded (Errc::protocol or Errc::limit) and every
// later call returns false.

#include <mailwire/error.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mailwire::imap::detail {

struct RawLiteral {
  std::size_t offset = 0;  // position in RawResponse::text right after the `}`
  std::uint64_t size = 0;
  bool binary = false;
  bool streamed = false;
  std::string data;
};

struct RawResponse {
  std::string text;  // lines joined; unused when one line is the whole response
  std::vector<RawLiteral> literals;
};

struct DecoderLimits {
  std::size_t max_depth = 64;
  std::size_t max_items = 1000000;
};

inline bool is_ctl(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}
// ATOM-CHAR: any CHAR except atom-specials ( ) { SP CTL list-wildcards quoted-specials
// resp-specials. 8-bit bytes are accepted leniently (servers send them in flags).
inline bool is_atom_char(char c) {
  switch (c) {
    case '(':
    case ')':
    case '{':
    case ' ':
    case '%':
    case '*':
    case '"':
    case '\\':
    case ']':
      return false;
    default:
      return !is_ctl(c);
  }
}
inline bool is_astring_char(char c) {
  return is_atom_char(c) || c == ']';
}
inline char ascii_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
}
inline char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
// The first byte in [p, end) that ends a run of a quoted string: the closing quote, a
// backslash, or what may not appear (CR, LF, NUL); `end` when there is none. Sixteen (SSE2) or
// eight bytes at a time where the machine allows: quoted strings are most of a FETCH
// ENVELOPE/BODYSTRUCTURE.
inline const char* quoted_stop(const char* p, const char* end) {
  static constexpr auto stops = [] {
    std::array<bool, 256> t{};
    t[static_cast<unsigned char>('"')] = t[static_cast<unsigned char>('\\')] = true;
    t[static_cast<unsigned char>('\r')] = t[static_cast<unsigned char>('\n')] = t[0] = true;
    return t;
  }();
#if defined(__SSE2__) && defined(__GNUC__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n'), nul = _mm_setzero_si128();
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)),
                                  _mm_cmpeq_epi8(v, nul)));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#elif defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  // Sets the high bit of each zero byte of v; a wrong one only above a real one, so the
  // lowest set bit (the first byte in memory) is always right.
  const auto zero_bytes = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
  while (end - p >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    const std::uint64_t hit = zero_bytes(w ^ (ones * '"')) | zero_bytes(w ^ (ones * '\\')) |
                              zero_bytes(w ^ (ones * '\r')) | zero_bytes(w ^ (ones * '\n')) |
                              zero_bytes(w);
    if (hit != 0) return p + (__builtin_ctzll(hit) >> 3);
    p += 8;
  }
#endif
  while (p < end && !stops[static_cast<unsigned char>(*p)])
    ++p;
  return p;
}

bool iequals(std::string_view a, std::string_view b);
std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);

class WireDecoder {
 public:
  // A decoder over `text` (raw.text, or the single line that is the whole response) whose
  // literals are in `raw`.
  WireDecoder(RawResponse& raw, std::string_view text, DecoderLimits limits)
      : raw_(&raw), text_(text), limits_(limits) {}
  // A decoder over text without literals (response-code arguments).
  WireDecoder(std::string_view text, DecoderLimits limits) : text_(text), limits_(limits) {}

  bool ok() const { return !error_; }
  std::error_code error() const { return error_; }
  const std::string& message() const { return message_; }
  bool fail(const char* what);
  bool fail_limit(const char* what);

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  std::size_t pos() const { return pos_; }
  std::string_view slice(std::size_t from, std::size_t to) const {
    return text_.substr(from, to - from);
  }
  // The first character after a run of spaces at the current position ('\0' at the end
  // or when no space is there).
  char peek_past_sp() const {
    std::size_t i = pos_;
    if (i >= text_.size() || text_[i] != ' ') return '\0';
    while (i < text_.size() && text_[i] == ' ')
      ++i;
    return i < text_.size() ? text_[i] : '\0';
  }
  std::string_view rest() const { return text_.substr(pos_); }
  // For a parser that walks the text itself (ResponseParser's fast path): the current position
  // and the end as pointers, moving the position, and the limits and item count it must keep.
  const char* cursor() const { return text_.data() + pos_; }
  const char* limit() const { return text_.data() + text_.size(); }
  void move_to(const char* p) { pos_ = static_cast<std::size_t>(p - text_.data()); }
  const DecoderLimits& limits() const { return limits_; }
  // The literal of this response that an announcement ending just before `after` stands for,
  // when it is the `index`th one and its bytes are here (not streamed, not binary); else null.
  const RawLiteral* literal_at(const char* after, std::size_t index) const {
    if (raw_ == nullptr || index >= raw_->literals.size()) return nullptr;
    const RawLiteral& lit = raw_->literals[index];
    if (lit.offset != static_cast<std::size_t>(after - text_.data()) || lit.binary || lit.streamed)
      return nullptr;
    return &lit;
  }
  std::size_t next_literal() const { return next_literal_; }
  void set_next_literal(std::size_t index) { next_literal_ = index; }
  // Adds n items when that stays within max_items (else false, nothing added).
  bool add_items(std::size_t n) {
    if (items_ + n > limits_.max_items) return false;
    items_ += n;
    return true;
  }
  void skip_rest() { pos_ = text_.size(); }

  // The small steps are inline: the parser takes them for nearly every byte.
  bool accept(char c) {
    if (error_ || pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool expect(char c) { return accept(c) || expected(c); }
  // SP; leniently one or more spaces.
  bool sp() {
    if (!accept(' ')) return fail("expected SP");
    skip_spaces();
    return true;
  }
  bool accept_sp() {
    if (!accept(' ')) return false;
    skip_spaces();
    return true;
  }
  void skip_spaces() {
    while (pos_ < text_.size() && text_[pos_] == ' ')
      ++pos_;
  }
  // Case-insensitive keyword followed by a non-atom char.
  bool accept_keyword(std::string_view word);

  bool atom(std::string_view& out);
  bool astring_atom(std::string_view& out);  // 1*ASTRING-CHAR
  bool tag(std::string_view& out);           // 1*<ASTRING-CHAR except "+">
  bool flag(std::string& out);               // "\" atom / "\*" / atom
  bool number(std::uint32_t& out);
  bool number64(std::uint64_t& out);
  bool nz_number(std::uint32_t& out);
  // Consumes NIL (any case, not followed by an atom character) when present.
  bool nil() {
    if (error_ || pos_ + 3 > text_.size()) return false;
    const char* p = text_.data() + pos_;
    if (ascii_upper(p[0]) != 'N' || ascii_upper(p[1]) != 'I' || ascii_upper(p[2]) != 'L')
      return false;
    if (pos_ + 3 < text_.size() && is_atom_char(p[3])) return false;
    pos_ += 3;
    return true;
  }
  bool quoted(std::string& out);
  bool literal(std::string& out, RawLiteral** info = nullptr);
  bool string(std::string& out);
  // nstring: NIL sets *is_nil (when given) and leaves out empty.
  bool nstring(std::string& out, bool* is_nil = nullptr);
  bool astring(std::string& out);
  // A string, NIL (as empty) or a number, as text: body fields of lenient servers.
  bool lenient_string(std::string& out, bool* is_nil = nullptr);
  bool lenient_number(std::uint64_t& out);
  // text: the rest of the line (may be empty).
  std::string_view text();

  // "(" [item *(SP item)] ")" with depth and item limits; leniently tolerates extra spaces.
  template <class F>
  bool list(F&& item) {
    if (!expect('(')) return false;
    if (++depth_ > limits_.max_depth) return fail_limit("nesting too deep");
    skip_spaces();
    while (!accept(')')) {
      if (at_end()) return fail("unterminated list");
      if (++items_ > limits_.max_items) return fail_limit("too many items");
      if (!item()) return fail("bad list item");
      // SP between items; leniently none before a nested list (RFC 2342 examples do that).
      if (peek() != ')' && peek() != '(' && !sp()) return false;
      skip_spaces();
    }
    --depth_;
    return true;
  }
  // Skips one value of any shape (number, atom, string, NIL, list), for unknown items.
  bool skip_value();
  // Flag list "(" [flag *(SP flag)] ")".
  bool flag_list(std::vector<std::string>& out);
  bool count_item() { return ++items_ <= limits_.max_items || fail_limit("too many items"); }

 private:
  bool expected(char c);  // fails with "expected 'c'"

  RawResponse* raw_ = nullptr;
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t next_literal_ = 0;
  std::size_t depth_ = 0;
  std::size_t items_ = 0;
  DecoderLimits limits_;
  std::error_code error_;
  std::string message_;
};

}  // namespace mailwire::imap::detail
