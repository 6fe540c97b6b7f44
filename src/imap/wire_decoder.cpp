#include "imap/wire_decoder.hpp"

namespace mailwire::imap::detail {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_upper(a[i]) != ascii_upper(b[i])) return false;
  }
  return true;
}

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = ascii_upper(c);
  return out;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = ascii_lower(c);
  return out;
}

bool WireDecoder::fail(const char* what) {
  if (!error_) {
    error_ = make_error_code(Errc::protocol);
    message_ = std::string("imap: ") + what + " at offset " + std::to_string(pos_);
  }
  return false;
}

bool WireDecoder::fail_limit(const char* what) {
  if (!error_) {
    error_ = make_error_code(Errc::limit);
    message_ = std::string("imap: ") + what;
  }
  return false;
}

bool WireDecoder::expected(char c) {
  char what[] = "expected 'x'";
  what[10] = c;
  return fail(what);
}

bool WireDecoder::accept_keyword(std::string_view word) {
  if (error_ || text_.size() - pos_ < word.size()) return false;
  if (!iequals(text_.substr(pos_, word.size()), word)) return false;
  std::size_t end = pos_ + word.size();
  if (end < text_.size() && is_atom_char(text_[end])) return false;
  pos_ = end;
  return true;
}

bool WireDecoder::atom(std::string_view& out) {
  if (error_) return false;
  std::size_t start = pos_;
  while (pos_ < text_.size() && is_atom_char(text_[pos_]))
    ++pos_;
  if (pos_ == start) return fail("expected atom");
  out = text_.substr(start, pos_ - start);
  return true;
}

bool WireDecoder::astring_atom(std::string_view& out) {
  if (error_) return false;
  std::size_t start = pos_;
  while (pos_ < text_.size() && is_astring_char(text_[pos_]))
    ++pos_;
  if (pos_ == start) return fail("expected astring");
  out = text_.substr(start, pos_ - start);
  return true;
}

bool WireDecoder::tag(std::string_view& out) {
  if (error_) return false;
  std::size_t start = pos_;
  while (pos_ < text_.size() && is_astring_char(text_[pos_]) && text_[pos_] != '+')
    ++pos_;
  if (pos_ == start) return fail("expected tag");
  out = text_.substr(start, pos_ - start);
  return true;
}

bool WireDecoder::flag(std::string& out) {
  if (error_) return false;
  std::size_t start = pos_;
  if (accept('\\')) {
    if (accept('*')) {
      out = "\\*";
      return true;
    }
  }
  // Keywords are atoms; ']' is accepted too because servers let users create such keywords.
  std::string_view a;
  if (!astring_atom(a)) return fail("expected flag");
  out.assign(text_.substr(start, pos_ - start));
  return true;
}

bool WireDecoder::number64(std::uint64_t& out) {
  if (error_) return false;
  std::size_t start = pos_;
  std::uint64_t v = 0;
  while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
    auto d = static_cast<std::uint64_t>(text_[pos_] - '0');
    if (v > (UINT64_MAX - d) / 10) return fail("number too large");
    v = v * 10 + d;
    ++pos_;
  }
  if (pos_ == start) return fail("expected number");
  out = v;
  return true;
}

bool WireDecoder::number(std::uint32_t& out) {
  std::uint64_t v = 0;
  if (!number64(v)) return false;
  if (v > UINT32_MAX) return fail("number too large");
  out = static_cast<std::uint32_t>(v);
  return true;
}

bool WireDecoder::nz_number(std::uint32_t& out) {
  if (!number(out)) return false;
  if (out == 0) return fail("expected non-zero number");
  return true;
}

bool WireDecoder::quoted(std::string& out) {
  if (!expect('"')) return false;
  std::size_t run = pos_;
  const char* const base = text_.data();
  pos_ = static_cast<std::size_t>(quoted_stop(base + pos_, base + text_.size()) - base);
  if (pos_ < text_.size() && text_[pos_] == '"') {  // no escapes: the usual case
    out.clear();  // then append: cheaper than assign() (no aliasing checks)
    out.append(base + run, pos_ - run);
    ++pos_;
    return true;
  }
  out.clear();
  while (true) {
    if (at_end()) return fail("unterminated quoted string");
    char c = text_[pos_];
    if (c == '"') {
      out.append(text_.substr(run, pos_ - run));
      ++pos_;
      return true;
    }
    if (c == '\\') {
      out.append(text_.substr(run, pos_ - run));
      ++pos_;
      if (at_end()) return fail("unterminated quoted string");
      // RFC 3501 allows only \" and \\; others are kept verbatim (seen from real servers).
      char e = text_[pos_];
      if (e != '"' && e != '\\') out.push_back('\\');
      out.push_back(e);
      ++pos_;
      run = pos_;
      pos_ = static_cast<std::size_t>(quoted_stop(base + pos_, base + text_.size()) - base);
      continue;
    }
    return fail("CR, LF or NUL in quoted string");  // the only other bytes a run stops at
  }
}

bool WireDecoder::literal(std::string& out, RawLiteral** info) {
  if (error_) return false;
  bool binary = accept('~');
  if (!expect('{')) return false;
  std::uint64_t n = 0;
  if (!number64(n) || !expect('}')) return false;
  if (raw_ == nullptr || next_literal_ >= raw_->literals.size() ||
      raw_->literals[next_literal_].offset != pos_) {
    return fail("literal announcement not at the end of a line");
  }
  RawLiteral& lit = raw_->literals[next_literal_++];
  if (lit.size != n || lit.binary != binary) return fail("literal mismatch");
  out = std::move(lit.data);
  lit.data.clear();
  if (info != nullptr) *info = &lit;
  return true;
}

bool WireDecoder::string(std::string& out) {
  char c = peek();
  if (c == '"') return quoted(out);
  if (c == '{' || c == '~') return literal(out);
  return fail("expected string");
}

bool WireDecoder::nstring(std::string& out, bool* is_nil) {
  if (is_nil != nullptr) *is_nil = false;
  if (nil()) {
    out.clear();
    if (is_nil != nullptr) *is_nil = true;
    return true;
  }
  return string(out);
}

bool WireDecoder::astring(std::string& out) {
  char c = peek();
  if (c == '"' || c == '{' || c == '~') return string(out);
  std::string_view a;
  if (!astring_atom(a)) return false;
  out.assign(a);
  return true;
}

bool WireDecoder::lenient_string(std::string& out, bool* is_nil) {
  char c = peek();
  if (c == '"') {
    if (is_nil != nullptr) *is_nil = false;
    return quoted(out);
  }
  if (c == '{' || c == '~') {
    if (is_nil != nullptr) *is_nil = false;
    return string(out);
  }
  if (nil()) {
    out.clear();
    if (is_nil != nullptr) *is_nil = true;
    return true;
  }
  if (is_nil != nullptr) *is_nil = false;
  std::string_view a;
  if (!atom(a)) return fail("expected string");
  out.assign(a);
  return true;
}

bool WireDecoder::lenient_number(std::uint64_t& out) {
  if (nil()) {
    out = 0;
    return true;
  }
  if (peek() == '"') {  // some servers quote numbers
    std::string s;
    if (!quoted(s)) return false;
    WireDecoder sub(s, limits_);
    if (!sub.number64(out) || !sub.at_end()) return fail("expected number");
    return true;
  }
  if (peek() == '-') {  // a negative size from a broken server: treat as unknown
    ++pos_;
    std::uint64_t ignored = 0;
    out = 0;
    return number64(ignored);
  }
  return number64(out);
}

std::string_view WireDecoder::text() {
  std::string_view t = rest();
  pos_ = text_.size();
  return t;
}

bool WireDecoder::skip_value() {
  char c = peek();
  if (c == '(') return list([&] { return skip_value(); });
  if (c == '"' || c == '{' || c == '~') {
    std::string ignored;
    return string(ignored);
  }
  if (c == '\\') {
    std::string ignored;
    return flag(ignored);
  }
  if (c == '[') {  // section-like values of unknown items
    while (!at_end() && text_[pos_] != ']')
      ++pos_;
    return expect(']');
  }
  std::string_view a;
  return astring_atom(a);
}

bool WireDecoder::flag_list(std::vector<std::string>& out) {
  std::size_t n = 0;  // into the elements `out` already has (reused), then adds or drops some
  const bool ok = list([&] {
    if (n == out.size()) out.emplace_back();
    return flag(out[n++]);
  });
  out.resize(n);
  return ok;
}

}  // namespace mailwire::imap::detail
