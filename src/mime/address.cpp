// A lenient RFC 5322 address parser: a tokenizer (atoms, quoted strings, comments, domain
// literals, specials) and a small recursive descent over the tokens.

#include <mailwire/mime/address.hpp>
#include <mailwire/mime/charset.hpp>
#include <mailwire/mime/encoded_word.hpp>
#include <mailwire/mime/idn.hpp>

#include "mime/parse_rules.hpp"

#include <cctype>

namespace mailwire::mime {
namespace {

enum class Tok { Atom, Quoted, Comment, Literal, Special, End };

struct Token {
  Tok kind = Tok::End;
  std::string text;  // unescaped for Quoted and Comment
  char special = 0;
  bool space_before = false;
  bool encoded = false;  // an atom holding an RFC 2047 encoded word
};

constexpr std::size_t max_tokens = 100000;  // a hostile header cannot make us allocate forever

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Length of the RFC 2047 encoded word "=?charset?encoding?text?=" at s[i], or 0. Its text may
// hold specials (',', ':', '<' ... which encoders leave unencoded) but no '?' and no space.
// Every scan stops at the third '?', so the attempts made within one atom stay linear.
std::size_t encoded_word_length(std::string_view s, std::size_t i) {
  if (s.compare(i, 2, "=?") != 0) return 0;
  std::size_t j = i + 2;
  for (int section = 0; section < 3; ++section) {
    const std::size_t from = j;
    while (j < s.size() && s[j] != '?' && !is_space(s[j]))
      ++j;
    if (j >= s.size() || s[j] != '?' || (section < 2 && j == from)) return 0;
    ++j;
  }
  return j < s.size() && s[j] == '=' ? j + 1 - i : 0;
}

// RFC 5322 3.2.3 dot-atom-text (with RFC 6532's UTF-8): atext runs separated by single dots.
bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '.') {
      if (s[i + 1] == '.') return false;
      continue;
    }
    const bool atext = c >= 0x80 || std::isalnum(c) != 0 ||
                       std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) !=
                           std::string_view::npos;
    if (!atext) return false;
  }
  return true;
}

std::vector<Token> tokenize(std::string_view s, bool& defect) {
  std::vector<Token> out;
  std::size_t i = 0;
  bool space = false;
  while (i < s.size() && out.size() < max_tokens) {
    const char c = s[i];
    if (is_space(c)) {
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
        if (const std::size_t n = d == '=' ? encoded_word_length(s, i) : 0; n > 0) {
          t.text += s.substr(i, n);  // one word, whatever specials its text holds
          t.encoded = true;
          i += n;
          continue;
        }
        if (is_space(d) || d == '"' || d == '(' || d == ')' || d == '<' || d == '>' || d == ',' ||
            d == ':' || d == ';' || d == '@' || d == '[' || d == '\\') {
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

// The list is read element by element (an element ends at the next ',', inside a group also
// at ';'). An element is a mailbox, a group, nothing (only comments), or unparseable: then it
// is skipped as a whole (std::nullopt in the entries), so garbage never turns into a mailbox.
// Text after a mailbox up to the end of its element is skipped too. Every token is looked at
// a bounded number of times: linear in the input.
class Parser {
 public:
  using Entries = std::vector<std::optional<Mailbox>>;

  Parser(std::vector<Token> tokens, bool& defect) : t_(std::move(tokens)), defect_(defect) {}

  Entries list() {
    Entries out;
    while (!at_end()) {
      if (is_special(',')) {
        ++pos_;
        continue;
      }
      address(out, nullptr);
    }
    return out;
  }

 private:
  bool at_end() const { return pos_ >= t_.size(); }
  bool is_special(char c) const { return is_special_at(pos_, c); }
  bool is_special_at(std::size_t at, char c) const {
    return at < t_.size() && t_[at].kind == Tok::Special && t_[at].special == c;
  }
  bool is_word_or_comment(std::size_t at) const {
    return at < t_.size() &&
           (t_[at].kind == Tok::Atom || t_[at].kind == Tok::Quoted || t_[at].kind == Tok::Comment);
  }
  bool element_end_at(std::size_t at, bool in_group) const {
    return at >= t_.size() || is_special_at(at, ',') || (in_group && is_special_at(at, ';'));
  }
  void skip_comments() {
    while (!at_end() && t_[pos_].kind == Tok::Comment)
      ++pos_;
  }
  void skip_element(bool in_group) {
    while (!element_end_at(pos_, in_group))
      ++pos_;
  }
  // After a mailbox: comments may follow; anything else is skipped with a defect.
  void finish_element(bool in_group) {
    skip_comments();
    if (!element_end_at(pos_, in_group)) {
      defect_ = true;
      skip_element(in_group);
    }
  }
  void invalid(Entries& out, bool in_group) {
    defect_ = true;
    skip_element(in_group);
    out.emplace_back(std::nullopt);
  }

  // The name decoded for display; a control an encoded word decodes to (Mailsploit) shows as
  // U+FFFD and is a defect.
  std::string display_name(std::string_view raw) {
    bool unknown_charset = false;
    bool controls = false;
    std::string name = detail::decode_encoded_words_checked(raw, unknown_charset, controls);
    if (controls) defect_ = true;
    return name;
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
    return display_name(raw);
  }

  // The text of the tokens up to `end` as written (comments dropped): an unquoted display
  // name with specials in it, "a@b" in "a@b <c@d>".
  std::string raw_phrase(std::size_t end) {
    std::string raw;
    for (; pos_ < end; ++pos_) {
      const Token& tok = t_[pos_];
      if (tok.kind == Tok::Comment) continue;
      if (tok.space_before && !raw.empty()) raw += ' ';
      raw += tok.kind == Tok::Special ? std::string(1, tok.special) : tok.text;
    }
    return display_name(raw);
  }

  // local-part ["@" domain]. False when this is no address: no local part, an encoded word
  // in it (RFC 2047 5), an '@' without a domain, or a second '@' ("a@b@c", RFC 5322 3.4.1).
  // A local part alone (a bare word, "To: XX") is a local mailbox, as CPython reads it too.
  bool addr_spec(Mailbox& m) {
    // The words of the local part, their contents joined as written: dots kept, white space
    // and comments around the dots of an obs-local-part (RFC 5322 4.4, "john . doe") dropped,
    // and white space between two words without a dot ("john doe", not even obsolete syntax)
    // kept as one space, so that it can never name another mailbox ("johndoe").
    std::string joined;
    std::size_t words = 0;
    bool quoted = false;
    bool spaced = false;
    bool encoded = false;
    bool empty_quoted = false;
    while (is_word_or_comment(pos_)) {
      const Token& tok = t_[pos_];
      if (tok.kind == Tok::Quoted || tok.kind == Tok::Atom) {
        const bool dot_before = tok.kind == Tok::Atom && !tok.text.empty() && tok.text[0] == '.';
        if (words > 0 && !joined.empty() && joined.back() != '.' && !dot_before) {
          joined += ' ';
          spaced = true;
        }
        joined += tok.text;
        ++words;
        quoted = quoted || tok.kind == Tok::Quoted;
        empty_quoted = empty_quoted || (tok.kind == Tok::Quoted && tok.text.empty());
        encoded = encoded || (tok.kind == Tok::Atom && tok.encoded);
      }
      ++pos_;
    }
    if (words == 0 || encoded) return false;
    std::string local;
    if (!quoted && !spaced) {
      local = joined;  // a dot-atom (or atoms with dots, as written)
    } else if (words > 1 && !empty_quoted && is_dot_atom(joined)) {
      local = joined;  // "john"."doe" is john.doe
    } else if (words == 1 || !joined.empty()) {
      // One quoted string, as written; or an obs-local-part with quoted words or spaces, as
      // the one quoted string that means the same (RFC 5321 4.1.2 has no obs-local-part):
      // "john smith" . x is "john smith.x".
      local = '"';
      for (const char c : joined) {
        if (c == '"' || c == '\\') local += '\\';
        local += c;
      }
      local += '"';
    }
    if (local.empty()) return false;
    m.local = repair_utf8(local);
    skip_comments();
    if (!is_special('@')) return true;
    ++pos_;
    skip_comments();
    std::string domain;
    while (!at_end() && (t_[pos_].kind == Tok::Atom || t_[pos_].kind == Tok::Literal)) {
      const Token& tok = t_[pos_];
      // obs-domain: atoms are joined across '.' only ("test . example"); in "a@b c" the
      // domain is "b".
      if (!domain.empty() && domain.back() != '.' && tok.text.front() != '.') break;
      if (tok.encoded) return false;
      domain += tok.text;
      ++pos_;
      skip_comments();
    }
    if (domain.empty() || is_special('@')) return false;
    m.domain = repair_utf8(domain);
    return true;
  }

  // "<" [obs-route] addr-spec ">", at the '<'. False when there is no address in it.
  bool angle_addr(Mailbox& m) {
    ++pos_;  // '<'
    skip_comments();
    // obs-route: "@a.example,@b.example:" before the address.
    if (is_special('@')) {
      while (!at_end() && !is_special(':') && !is_special('>'))
        ++pos_;
      if (is_special(':')) ++pos_;
      skip_comments();
    }
    if (!addr_spec(m)) return false;
    if (m.domain.empty()) defect_ = true;  // "<postmaster>": no domain
    skip_comments();
    while (!at_end() && !is_special('>') && !is_special(',')) {
      defect_ = true;  // junk inside the brackets
      ++pos_;
    }
    if (is_special('>')) {
      ++pos_;
    } else {
      defect_ = true;  // unterminated
    }
    return true;
  }

  // One element: a mailbox, or (outside a group) a group of them.
  void address(Entries& out, const std::string* group) {
    const bool in_group = group != nullptr;
    skip_comments();
    if (element_end_at(pos_, in_group)) return;  // an empty element
    Mailbox m;
    if (in_group) m.group = *group;
    // What follows the leading words?
    std::size_t look = pos_;
    while (is_word_or_comment(look))
      ++look;
    const char next = look < t_.size() && t_[look].kind == Tok::Special ? t_[look].special : 0;
    if (next == ':') {
      if (in_group) return invalid(out, true);  // no groups in groups
      this->group(out);
      return;
    }
    if (next == '<') {
      m.name = phrase();
    } else {
      // No '<' right after the words, but one later in the element: the text before it is an
      // unquoted name with specials in it ("a@b <c@d>"), shown so by mail programs.
      std::size_t angle = look;
      while (!element_end_at(angle, in_group) && !is_special_at(angle, '<'))
        ++angle;
      if (is_special_at(angle, '<')) {
        defect_ = true;
        m.name = raw_phrase(angle);
      } else {
        // Plain addr-spec. A comment after it is a comment, not a name (RFC 5322 3.4; CPython's
        // parser agrees).
        if (!addr_spec(m)) return invalid(out, in_group);
        if (m.domain.empty()) defect_ = true;  // a bare word
        finish_element(in_group);
        out.emplace_back(std::move(m));
        return;
      }
    }
    if (!angle_addr(m)) return invalid(out, in_group);
    finish_element(in_group);
    out.emplace_back(std::move(m));
  }

  // display-name ":" [mailbox-list] ";", at the name. The members are flattened into `out`.
  void group(Entries& out) {
    const std::string name = phrase();
    ++pos_;  // ':'
    const std::string group_name = name.empty() ? std::string(" ") : name;
    while (!at_end() && !is_special(';')) {
      if (is_special(',')) {
        ++pos_;
        continue;
      }
      address(out, &group_name);
    }
    if (is_special(';')) {
      ++pos_;
    } else {
      defect_ = true;  // unterminated group
    }
    finish_element(false);
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

std::vector<std::optional<Mailbox>> parse_address_list_entries(std::string_view value,
                                                               bool* defect) {
  bool d = false;
  Parser parser(tokenize(value, d), d);
  std::vector<std::optional<Mailbox>> out = parser.list();
  if (defect != nullptr) *defect = d;
  return out;
}

std::vector<Mailbox> parse_address_list(std::string_view value, bool* defect) {
  std::vector<Mailbox> out;
  for (std::optional<Mailbox>& m : parse_address_list_entries(value, defect)) {
    if (m) out.push_back(std::move(*m));
  }
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
