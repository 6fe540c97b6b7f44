#pragma once

// Theory of operation: the ResponseReader assembles one response as `text` (its lines joined,
// without CRLF) plus the literals announced at the ends of those lines, each remembering the
// offset in `text` where it belongs. WireDecoder walks `text` with methods named after the
// RFC 3501 / RFC 9051 ABNF rules; when it meets `{n}` it checks that a literal sits exactly
// there and hands it out (moving its bytes, so a body is copied only once, from the wire).
// It never throws: the first failure is recorded (Errc::protocol or Errc::limit) and every
// later call returns false.

#include <mailwire/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

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
