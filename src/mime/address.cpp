// A lenient RFC 5322 address parser: a tokenizer (atoms, quoted strings, comments, domain
// literals, specials) and a small recursive descent over the tokens.

#include <mailwire/mime/address.hpp>
#include <mailwire/mime/charset.hpp>
#include <mailwire/mime/encoded_word.hpp>
#include <mailwire/mime/idn.hpp>

#include <cctype>

namespace mailwire::mime {
namespace {

enum class Tok { Atom, Quoted, Comment, Literal, Special, End };

struct Token {
  Tok kind = Tok::End;
  std::string text;  // unescaped for Quoted and Comment
  char special = 0;
  bool space_before = false;
};

constexpr std::size_t max_tokens = 100000;  // a hostile header cannot make us allocate forever

std::vector<Token> tokenize(std::string_view s, bool& defect) {
  std::vector<Token> out;
  std::size_t i = 0;
  bool space = false;
  while (i < s.size() && out.size() < max_tokens) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      ++i;
      continue;
    }
    Token t;
    t.space_before = space;
    space = false;
    if (c == '"') {
      t.kind = Tok::Quoted;
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        t.text += s[i++];
      }
      if (i >= s.size()) defect = true;  // unterminated
      ++i;
    } else if (c == '(') {
      t.kind = Tok::Comment;
      int depth = 1;
      ++i;
      while (i < s.size() && depth > 0) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          t.text += s[i + 1];
          i += 2;
          continue;
        }
        if (s[i] == '(') ++depth;
        if (s[i] == ')' && --depth == 0) break;
        t.text += s[i++];
      }
      if (depth > 0) defect = true;
      ++i;
    } else if (c == '[') {
      t.kind = Tok::Literal;
      const std::size_t close = s.find(']', i);
      const std::size_t end = close == std::string_view::npos ? s.size() : close + 1;
      t.text = std::string(s.substr(i, end - i));
      if (close == std::string_view::npos) defect = true;
      i = end;
    } else if (c == '<' || c == '>' || c == ',' || c == ':' || c == ';' || c == '@' || c == ')' ||
               c == '\\') {
      t.kind = Tok::Special;
      t.special = c;
      ++i;
    } else {
      t.kind = Tok::Atom;
      while (i < s.size()) {
        const char d = s[i];
        if (d == ' ' || d == '\t' || d == '\r' || d == '\n' || d == '"' || d == '(' || d == ')' ||
            d == '<' || d == '>' || d == ',' || d == ':' || d == ';' || d == '@' || d == '[' ||
            d == '\\') {
          break;
        }
        t.text += d;
        ++i;
      }
    }
    out.push_back(std::move(t));
  }
  if (out.size() >= max_tokens) defect = true;
  return out;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, bool& defect) : t_(std::move(tokens)), defect_(defect) {}

  std::vector<Mailbox> list() {
    std::vector<Mailbox> out;
    while (!at_end()) {
      if (is_special(',') || is_special(';') || is_special('>') || is_special(')')) {
        ++pos_;
        continue;
      }
      const std::size_t before = pos_;
      address(out, {});
      if (pos_ == before) {  // could not move: skip the token
        defect_ = true;
        ++pos_;
      }
    }
    return out;
  }

 private:
  bool at_end() const { return pos_ >= t_.size(); }
  bool is_special(char c) const {
    return !at_end() && t_[pos_].kind == Tok::Special && t_[pos_].special == c;
  }
  void skip_comments(std::string* last_comment = nullptr) {
    while (!at_end() && t_[pos_].kind == Tok::Comment) {
      if (last_comment != nullptr) *last_comment = t_[pos_].text;
      ++pos_;
    }
  }

  // A phrase: words (atoms, quoted strings), comments skipped. Returns the decoded name.
  std::string phrase() {
    std::string raw;
    while (!at_end()) {
      const Token& tok = t_[pos_];
      if (tok.kind == Tok::Comment) {
        ++pos_;
        continue;
      }
      if (tok.kind != Tok::Atom && tok.kind != Tok::Quoted) break;
      if (!raw.empty()) raw += ' ';
      raw += tok.text;
      ++pos_;
    }
    return decode_encoded_words(raw);
  }

  // local-part "@" domain, starting at a word. Returns false if there is no '@'.
  bool addr_spec(Mailbox& m) {
    std::string local;
    while (!at_end() && (t_[pos_].kind == Tok::Atom || t_[pos_].kind == Tok::Quoted ||
                         t_[pos_].kind == Tok::Comment)) {
      const Token& tok = t_[pos_];
      if (tok.kind == Tok::Quoted) {
        local += '"';
        for (const char c : tok.text) {
          if (c == '"' || c == '\\') local += '\\';
          local += c;
        }
        local += '"';
      } else if (tok.kind == Tok::Atom) {
        local += tok.text;  // obs-local-part: words with dots and spaces are joined
      }
      ++pos_;
    }
    m.local = repair_utf8(local);
    skip_comments();
    if (!is_special('@')) return false;
    ++pos_;
    skip_comments();
    std::string domain;
    while (!at_end() && (t_[pos_].kind == Tok::Atom || t_[pos_].kind == Tok::Literal)) {
      domain += t_[pos_].text;
      ++pos_;
      skip_comments();
    }
    if (domain.empty()) defect_ = true;
    m.domain = repair_utf8(domain);
    return true;
  }

  void angle_addr(Mailbox& m) {
    ++pos_;  // '<'
    skip_comments();
    // obs-route: "@a.example,@b.example:" before the address.
    if (is_special('@')) {
      while (!at_end() && !is_special(':') && !is_special('>'))
        ++pos_;
      if (is_special(':')) ++pos_;
    }
    if (!addr_spec(m) && m.local.empty()) defect_ = true;
    while (!at_end() && !is_special('>')) {
      defect_ = true;
      ++pos_;
    }
    if (is_special('>')) {
      ++pos_;
    } else {
      defect_ = true;
    }
  }

  // One address: a mailbox, or a group of them.
  void address(std::vector<Mailbox>& out, const std::string& group) {
    const std::size_t start = pos_;
    Mailbox m;
    m.group = group;
    // Look ahead for what follows the leading words.
    std::size_t look = pos_;
    while (look < t_.size() && (t_[look].kind == Tok::Atom || t_[look].kind == Tok::Quoted ||
                                t_[look].kind == Tok::Comment)) {
      ++look;
    }
    const char next = look < t_.size() && t_[look].kind == Tok::Special ? t_[look].special : 0;
    if (next == ':' && group.empty()) {
      const std::string name = phrase();
      ++pos_;  // ':'
      const std::string group_name = name.empty() ? std::string(" ") : name;
      while (!at_end() && !is_special(';')) {
        if (is_special(',')) {
          ++pos_;
          continue;
        }
        const std::size_t before = pos_;
        address(out, group_name);
        if (pos_ == before) {
          defect_ = true;
          ++pos_;
        }
      }
      if (is_special(';')) ++pos_;
      return;
    }
    if (next == '<') {
      m.name = phrase();
      angle_addr(m);
    } else if (next == '@' || next == 0 || next == ',' || next == ';' || next == '>') {
      pos_ = start;
      // Plain addr-spec. A comment after it is a comment, not a name (RFC 5322 3.4; CPython's
      // parser agrees).
      const bool has_at = addr_spec(m);
      skip_comments();
      if (!has_at) {
        if (m.local.empty()) return;
        defect_ = true;  // a bare word: kept as a local part
      }
    } else {
      defect_ = true;
      return;
    }
    if (!m.local.empty() || !m.domain.empty()) out.push_back(std::move(m));
  }

  std::vector<Token> t_;
  std::size_t pos_ = 0;

  bool& defect_;
};

bool needs_quoting(std::string_view name) {
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == ' ' || u >= 0x80) continue;
    if (std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos) continue;
    return true;
  }
  return false;
}

}  // namespace

std::string Mailbox::address() const {
  return domain.empty() ? local : local + "@" + domain;
}

std::string Mailbox::domain_ascii() const {
  if (domain.empty() || domain.front() == '[') return domain;
  std::optional<std::string> ascii = domain_to_ascii(domain);
  return ascii ? std::move(*ascii) : domain;
}

std::string Mailbox::address_ascii() const {
  return domain.empty() ? local : local + "@" + domain_ascii();
}

std::string Mailbox::address_unicode() const {
  if (domain.empty()) return local;
  if (domain.front() == '[') return local + "@" + domain;
  return local + "@" + domain_to_unicode(domain);
}

std::string Mailbox::to_header() const {
  if (name.empty()) return address();
  bool ascii = true;
  for (const char c : name)
    ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  std::string shown;
  if (!ascii || name.find("=?") != std::string::npos) {
    shown = encode_phrase(name);
  } else if (needs_quoting(name)) {
    shown = "\"";
    for (const char c : name) {
      if (c == '"' || c == '\\') shown += '\\';
      shown += c;
    }
    shown += '"';
  } else {
    shown = name;
  }
  return shown + " <" + address() + ">";
}

std::vector<Mailbox> parse_address_list(std::string_view value, bool* defect) {
  bool d = false;
  Parser parser(tokenize(value, d), d);
  std::vector<Mailbox> out = parser.list();
  if (defect != nullptr) *defect = d;
  return out;
}

std::optional<Mailbox> parse_mailbox(std::string_view value) {
  std::vector<Mailbox> list = parse_address_list(value);
  if (list.empty()) return std::nullopt;
  return list.front();
}

std::string format_address_list(const std::vector<Mailbox>& mailboxes) {
  std::string out;
  for (const Mailbox& m : mailboxes) {
    if (!out.empty()) out += ", ";
    out += m.to_header();
  }
  return out;
}

}  // namespace mailwire::mime
