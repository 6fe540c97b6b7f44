#include "imap/reader.hpp"

#include <mailwire/error.hpp>

#include <cctype>
#include <charconv>
#include <cstring>

namespace mailwire::imap {

bool Value::is_atom(const char* upper_name) const {
  if (kind != Kind::Atom) return false;
  std::size_t i = 0;
  for (; i < text.size() && upper_name[i] != '\0'; ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) != upper_name[i]) return false;
  }
  return i == text.size() && upper_name[i] == '\0';
}

std::string Value::as_string() const {
  switch (kind) {
    case Kind::Atom:
    case Kind::String:
      return text;
    case Kind::Number:
      return std::to_string(number);
    default:
      return {};
  }
}

namespace {

// "{123}", "{123+}", "~{123}" at the end of a line: the literal's size.
enum class Announcement { None, Ok, Malformed, TooBig };

Announcement literal_at_end(std::string_view line, std::uint64_t& size, std::uint64_t max) {
  if (line.empty() || line.back() != '}') return Announcement::None;
  const std::size_t open = line.rfind('{');
  if (open == std::string_view::npos) return Announcement::None;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (!digits.empty() && (digits.back() == '+' || digits.back() == '-')) digits.remove_suffix(1);
  if (digits.empty()) return Announcement::Malformed;
  for (const char c : digits) {
    if (c < '0' || c > '9') return Announcement::Malformed;
  }
  if (digits.size() > 19) return Announcement::TooBig;  // before any conversion or allocation
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) return Announcement::TooBig;
  if (n > max) return Announcement::TooBig;
  size = n;
  return Announcement::Ok;
}

class Parser {
 public:
  Parser(const RawResponse& r, const ReaderLimits& limits) : r_(r), limits_(limits) {}

  std::error_code parse(Response& out) {
    if (r_.lines.empty()) return fail();
    const std::string_view first = r_.lines[0];
    if (first.size() >= 1 && first[0] == '+') {
      out.kind = Response::Kind::Continuation;
      out.text = first.size() > 2 ? std::string(first.substr(2)) : std::string();
      return {};
    }
    std::string tag;
    if (!read_tag(tag)) return fail();
    if (!space()) return fail();
    if (tag == "*") {
      out.kind = Response::Kind::Untagged;
      Value v;
      if (!value(v, 0)) return fail();
      if (v.kind == Value::Kind::Number) {
        if (v.number > 0xffffffffULL) return fail();
        out.number = static_cast<std::uint32_t>(v.number);
        if (!space() || !value(v, 0)) return fail();
      }
      if (v.kind != Value::Kind::Atom) return fail();
      out.name = upper(v.text);
      if (out.is_status()) return resp_text(out);
      while (skip_spaces()) {
        if (at_end()) break;
        Value item;
        if (!value(item, 0)) return fail();
        out.data.push_back(std::move(item));
      }
      return at_end() ? std::error_code() : fail();
    }
    out.kind = Response::Kind::Tagged;
    out.tag = tag;
    Value status;
    if (!value(status, 0) || status.kind != Value::Kind::Atom) return fail();
    out.name = upper(status.text);
    if (out.name != "OK" && out.name != "NO" && out.name != "BAD") return fail();
    return resp_text(out);
  }

  bool limited() const { return limit_hit_; }

 private:
  static std::string upper(std::string_view s) {
    std::string o(s);
    for (char& c : o)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return o;
  }
  std::error_code fail() { return make_error_code(limit_hit_ ? Errc::limit : Errc::protocol); }

  std::string_view line() const { return r_.lines[seg_]; }
  bool at_end() const { return seg_ + 1 >= r_.lines.size() && pos_ >= line().size(); }
  char peek() const { return pos_ < line().size() ? line()[pos_] : '\0'; }
  bool space() {
    if (peek() != ' ') return false;
    ++pos_;
    return true;
  }
  bool skip_spaces() {
    bool any = false;
    while (peek() == ' ') {
      ++pos_;
      any = true;
    }
    return any || at_end();
  }

  bool read_tag(std::string& tag) {
    const std::size_t start = pos_;
    while (pos_ < line().size() && line()[pos_] != ' ')
      ++pos_;
    tag = std::string(line().substr(start, pos_ - start));
    if (tag.empty()) return false;
    for (const char c : tag) {
      const auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u >= 0x7f || c == '(' || c == ')' || c == '{' || c == '%' || c == '"' ||
          c == '\\' || (c == '+' && tag != "+")) {
        return tag == "*";
      }
    }
    return true;
  }

  bool count() {
    if (++items_ > limits_.max_items) {
      limit_hit_ = true;
      return false;
    }
    return true;
  }

  bool value(Value& v, std::size_t depth) {
    if (!count()) return false;
    const char c = peek();
    if (c == '(') {
      if (depth >= limits_.max_depth) {
        limit_hit_ = true;
        return false;
      }
      ++pos_;
      v.kind = Value::Kind::List;
      while (peek() != ')') {
        if (pos_ >= line().size()) return false;  // a list cannot cross a literal boundary here
        if (peek() == ' ') {
          ++pos_;
          continue;
        }
        Value item;
        if (!value(item, depth + 1)) return false;
        v.items.push_back(std::move(item));
      }
      ++pos_;
      return true;
    }
    if (c == '"') return quoted(v);
    if (c == '{' || (c == '~' && pos_ + 1 < line().size() && line()[pos_ + 1] == '{')) {
      return literal(v);
    }
    return atom(v);
  }

  bool quoted(Value& v) {
    ++pos_;
    v.kind = Value::Kind::String;
    while (pos_ < line().size()) {
      const char c = line()[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (pos_ >= line().size()) return false;
        v.text += line()[pos_++];
      } else {
        v.text += c;
      }
    }
    return false;  // unterminated
  }

  bool literal(Value& v) {
    // Only at the end of a line piece, followed by its bytes.
    std::uint64_t size = 0;
    const std::string_view rest = line().substr(pos_);
    if (literal_at_end(rest, size, limits_.max_literal) != Announcement::Ok) return false;
    if (rest.find(' ') != std::string_view::npos || seg_ >= r_.literals.size()) return false;
    v.kind = Value::Kind::String;
    v.literal = true;
    v.text = r_.literals[seg_];
    ++seg_;
    pos_ = 0;
    return true;
  }

  bool atom(Value& v) {
    const std::size_t start = pos_;
    int bracket = 0;
    while (pos_ < line().size()) {
      const char c = line()[pos_];
      if (c == '[') ++bracket;
      if (c == ']') {
        if (bracket == 0) break;  // the end of a response code
        --bracket;
      }
      if (bracket == 0 && (c == ' ' || c == '(' || c == ')' || c == '"' || c == '{')) break;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      ++pos_;
    }
    if (pos_ == start || bracket != 0) return false;
    v.text = std::string(line().substr(start, pos_ - start));
    bool digits = v.text.size() <= 19;
    for (const char d : v.text)
      digits = digits && d >= '0' && d <= '9';
    if (digits) {
      v.kind = Value::Kind::Number;
      v.number = std::stoull(v.text);
    } else if (upper(v.text) == "NIL") {
      v.kind = Value::Kind::Nil;
      v.text.clear();
    } else {
      v.kind = Value::Kind::Atom;
    }
    return true;
  }

  // resp-text = ["[" resp-text-code "]" SP] text
  std::error_code resp_text(Response& out) {
    if (peek() == ' ') ++pos_;
    if (peek() == '[') {
      ++pos_;
      const std::size_t start = pos_;
      while (pos_ < line().size() && line()[pos_] != ' ' && line()[pos_] != ']')
        ++pos_;
      out.code = upper(line().substr(start, pos_ - start));
      if (out.code.empty()) return fail();
      while (peek() == ' ') {
        ++pos_;
        if (peek() == ']') break;
        Value arg;
        const std::size_t before = pos_;
        if (!value(arg, 0)) {
          // Unknown codes may carry any text: keep it raw.
          pos_ = before;
          const std::size_t close = line().find(']', pos_);
          if (close == std::string_view::npos) return fail();
          Value raw;
          raw.kind = Value::Kind::Atom;
          raw.text = std::string(line().substr(pos_, close - pos_));
          out.code_args.push_back(std::move(raw));
          pos_ = close;
          break;
        }
        out.code_args.push_back(std::move(arg));
      }
      if (peek() != ']') return fail();
      ++pos_;
      if (peek() == ' ') ++pos_;
    }
    out.text = std::string(line().substr(std::min(pos_, line().size())));
    return {};
  }

  const RawResponse& r_;
  const ReaderLimits& limits_;
  std::size_t seg_ = 0;
  std::size_t pos_ = 0;
  std::size_t items_ = 0;
  bool limit_hit_ = false;
};

}  // namespace

std::error_code ResponseReader::feed_line(std::string_view line, Next& next,
                                          std::uint64_t& literal_size) {
  next = Next::Complete;
  literal_size = 0;
  bytes_ += line.size();
  if (bytes_ > limits_.max_response) return make_error_code(Errc::limit);
  std::uint64_t size = 0;
  switch (literal_at_end(line, size, limits_.max_literal)) {
    case Announcement::Malformed:
      return make_error_code(Errc::protocol);
    case Announcement::TooBig:
      return make_error_code(Errc::limit);
    case Announcement::None:
      current_.lines.emplace_back(line);
      return {};
    case Announcement::Ok:
      break;
  }
  if (current_.literals.size() >= limits_.max_literals || bytes_ + size > limits_.max_response) {
    return make_error_code(Errc::limit);
  }
  current_.lines.emplace_back(line);
  next = Next::Literal;
  literal_size = size;
  return {};
}

void ResponseReader::feed_literal(std::string bytes) {
  bytes_ += bytes.size();
  current_.literals.push_back(std::move(bytes));
}

RawResponse ResponseReader::take() {
  RawResponse out = std::move(current_);
  current_ = {};
  bytes_ = 0;
  return out;
}

std::error_code parse_response(const RawResponse& raw, Response& out, const ReaderLimits& limits) {
  out = {};
  Parser parser(raw, limits);
  return parser.parse(out);
}

namespace {

constexpr char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

// UTF-8 <-> UTF-16 code units, for modified UTF-7.
bool utf8_to_utf16(std::string_view s, std::vector<std::uint16_t>& out) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0;
    std::size_t n = 0;
    if (c < 0x80) {
      cp = c;
      n = 1;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      n = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      n = 3;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      n = 4;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = cp << 6 | (d & 0x3F);
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<std::uint16_t>(0xD800 | (cp >> 10)));
      out.push_back(static_cast<std::uint16_t>(0xDC00 | (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<std::uint16_t>(cp));
    }
    i += n;
  }
  return true;
}

void append_utf8(std::uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string encode_mailbox_utf7(std::string_view utf8) {
  std::string out;
  std::vector<std::uint16_t> units;
  std::size_t i = 0;
  while (i < utf8.size()) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += c == '&' ? std::string("&-") : std::string(1, static_cast<char>(c));
      ++i;
      continue;
    }
    // A run of non-printable-ASCII characters, as base64 of UTF-16BE, between '&' and '-'.
    std::size_t end = i;
    while (end < utf8.size() && !(static_cast<unsigned char>(utf8[end]) >= 0x20 &&
                                  static_cast<unsigned char>(utf8[end]) < 0x7f)) {
      ++end;
    }
    units.clear();
    if (!utf8_to_utf16(utf8.substr(i, end - i), units)) units.assign(1, 0xFFFD);
    std::string bytes;
    for (const std::uint16_t u : units) {
      bytes += static_cast<char>(u >> 8);
      bytes += static_cast<char>(u & 0xFF);
    }
    out += '&';
    std::uint32_t bits = 0;
    int count = 0;
    for (const char b : bytes) {
      bits = bits << 8 | static_cast<unsigned char>(b);
      count += 8;
      while (count >= 6) {
        count -= 6;
        out += b64_chars[(bits >> count) & 0x3F];
      }
    }
    if (count > 0) out += b64_chars[(bits << (6 - count)) & 0x3F];
    out += '-';
    i = end;
  }
  return out;
}

bool decode_mailbox_utf7(std::string_view name, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < name.size();) {
    if (name[i] != '&') {
      out += name[i++];
      continue;
    }
    const std::size_t end = name.find('-', i);
    if (end == std::string_view::npos) {
      out = std::string(name);
      return false;
    }
    if (end == i + 1) {  // "&-" is '&'
      out += '&';
      i = end + 1;
      continue;
    }
    std::uint32_t bits = 0;
    int count = 0;
    std::vector<std::uint16_t> units;
    for (std::size_t k = i + 1; k < end; ++k) {
      const char* p = std::strchr(b64_chars, name[k]);
      if (p == nullptr || name[k] == '\0') {
        out = std::string(name);
        return false;
      }
      bits = bits << 6 | static_cast<std::uint32_t>(p - b64_chars);
      count += 6;
      if (count >= 16) {
        count -= 16;
        units.push_back(static_cast<std::uint16_t>(bits >> count));
      }
    }
    for (std::size_t k = 0; k < units.size(); ++k) {
      std::uint32_t cp = units[k];
      if (cp >= 0xD800 && cp < 0xDC00 && k + 1 < units.size()) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (units[++k] - 0xDC00);
      }
      append_utf8(cp, out);
    }
    i = end + 1;
  }
  return true;
}

}  // namespace mailwire::imap
