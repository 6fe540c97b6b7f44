// Theory of operation: a Command records its arguments with their kind (atom, astring,
// string, mailbox, literal, list bracket) and validates each one as it is added, so a caller
// mistake is known before any byte exists. encode() decides the wire form only then, because
// it depends on the session: LITERAL+/LITERAL- and UTF8=ACCEPT. The output is a list of
// segments; a segment that ends in a synchronising literal announcement says to wait for the
// server's "+" before sending the next one.

#include <mailwire/error.hpp>
#include <mailwire/imap/command.hpp>
#include <mailwire/imap/mailbox_name.hpp>

#include "imap/wire_decoder.hpp"

#include <cstdio>
#include <vector>

namespace mailwire::imap {
namespace {

bool has_line_break_or_nul(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool is_astring_atom(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!detail::is_astring_char(c) || static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

bool is_flag(std::string_view f) {
  if (!f.empty() && f.front() == '\\') f.remove_prefix(1);
  return is_atom(f);
}

bool quotable(std::string_view s, const EncodeOptions& options) {
  if (s.size() > options.max_quoted) return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80 && !options.utf8) return false;
  }
  return true;
}

void append_quoted(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

bool is_atom(std::string_view text) noexcept {
  if (text.empty()) return false;
  for (char c : text) {
    if (!detail::is_atom_char(c) || static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

Command::Command(std::string_view name) {
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t sp = name.find(' ', start);
    std::string_view word = name.substr(start, sp == std::string_view::npos ? sp : sp - start);
    if (!is_atom(word)) {
      refuse("invalid command name");
      return;
    }
    if (sp == std::string_view::npos) break;
    start = sp + 1;
  }
  args_.push_back(Arg{Kind::Atom, std::string(name)});
}

bool Command::refuse(std::string_view what) {
  if (!error_) {
    error_ = make_error_code(Errc::usage);
    message_ = "imap: ";
    message_ += what;
  }
  return false;
}

Command& Command::mark_invalid(std::string_view reason) {
  refuse(reason);
  return *this;
}

Command& Command::push(Kind kind, std::string_view text, bool binary) {
  Arg arg{kind, std::string(text)};
  arg.secret = next_secret_;
  arg.binary = binary;
  next_secret_ = false;
  args_.push_back(std::move(arg));
  return *this;
}

Command& Command::atom(std::string_view text) {
  if (!is_atom(text) && !is_flag(text)) {
    refuse("invalid atom");
    return *this;
  }
  return push(Kind::Atom, text);
}

Command& Command::astring(std::string_view text) {
  if (has_line_break_or_nul(text)) {
    refuse("CR, LF or NUL in an argument");
    return *this;
  }
  return push(Kind::AString, text);
}

Command& Command::string(std::string_view text) {
  if (has_line_break_or_nul(text)) {
    refuse("CR, LF or NUL in an argument");
    return *this;
  }
  return push(Kind::String, text);
}

Command& Command::mailbox(std::string_view utf8_name) {
  if (has_line_break_or_nul(utf8_name)) {
    refuse("CR, LF or NUL in a mailbox name");
    return *this;
  }
  if (utf8_name.empty() || !encode_mailbox_utf7(utf8_name)) {
    refuse("mailbox name is empty or not valid UTF-8");
    return *this;
  }
  if (detail::iequals(utf8_name, "INBOX")) utf8_name = "INBOX";
  return push(Kind::Mailbox, utf8_name);
}

Command& Command::number(std::uint64_t n) {
  return push(Kind::Atom, std::to_string(n));
}

Command& Command::sequence_set(const SequenceSet& set) {
  if (set.empty()) {
    refuse("empty sequence set");
    return *this;
  }
  return push(Kind::Atom, set.to_string());
}

Command& Command::flag_list(const std::vector<std::string>& flags) {
  open_list();
  for (const std::string& f : flags) {
    if (!is_flag(f) || f == "\\*") {
      refuse("invalid flag");
      return *this;
    }
    push(Kind::Atom, f);
  }
  return close_list();
}

Command& Command::open_list() {
  return push(Kind::Open, {});
}
Command& Command::close_list() {
  return push(Kind::Close, {});
}

Command& Command::literal(std::string_view bytes, bool binary) {
  if (!binary && bytes.find('\0') != std::string_view::npos) {
    refuse("NUL in a non-binary literal");
    return *this;
  }
  return push(Kind::Literal, bytes, binary);
}

Command& Command::external_literal(std::uint64_t size, bool binary) {
  push(Kind::ExternalLiteral, {}, binary);
  args_.back().size = size;
  return *this;
}

namespace {

// Raw text keeps to the grammar the typed arguments keep to (checklist case 30): printable
// US-ASCII outside quoted strings, quoted strings closed and escaping only '"' and '\\',
// parentheses and brackets balanced, and no literal: a "{5+}" inside it would make the
// server wait for bytes the command never sends.
bool valid_raw(std::string_view text) {
  if (text.empty()) return false;
  std::vector<char> open;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
    if (quoted) {
      if (c == '\\') {
        if (++i == text.size() || (text[i] != '"' && text[i] != '\\')) return false;
      } else if (c == '"') {
        quoted = false;
      }
      continue;
    }
    if (u >= 0x80 || c == '{' || c == '}') return false;
    if (c == '"') {
      quoted = true;
    } else if (c == '(' || c == '[') {
      open.push_back(c == '(' ? ')' : ']');
    } else if (c == ')' || c == ']') {
      if (open.empty() || open.back() != c) return false;
      open.pop_back();
    }
  }
  return !quoted && open.empty();
}

}  // namespace

Command& Command::raw(std::string_view text) {
  if (!valid_raw(text)) {
    refuse(
        "raw text that is empty, holds a control, 8-bit byte outside a quoted string or a "
        "literal, or leaves a quoted string, parenthesis or bracket open");
    return *this;
  }
  return push(Kind::Atom, text);
}

Command& Command::secret() {
  next_secret_ = true;
  return *this;
}

std::error_code Command::encode(std::string_view tag, const EncodeOptions& options,
                                EncodedCommand& out) const {
  out = EncodedCommand{};
  if (error_) return error_;
  bool tag_ok = !tag.empty();
  for (char c : tag) {
    if (!detail::is_astring_char(c) || c == '+' || static_cast<unsigned char>(c) >= 0x80) {
      tag_ok = false;
    }
  }
  if (!tag_ok) return make_error_code(Errc::usage);

  std::string cur(tag);
  std::string log(tag);
  bool need_space = true;

  // Announces a literal of n bytes; returns true when its bytes go in the current segment.
  auto announce_literal = [&](std::uint64_t n, bool binary) {
    bool non_sync = options.literal == LiteralMode::Plus ||
                    (options.literal == LiteralMode::Minus && n <= 4096);
    std::string head = binary ? "~{" : "{";
    head += std::to_string(n);
    if (non_sync) head.push_back('+');
    head += "}";
    cur += head;
    log += head;
    cur += "\r\n";
    if (!non_sync) {
      out.segments.push_back(CommandSegment{std::move(cur), true});
      cur.clear();
    }
  };
  auto emit_literal = [&](std::string_view bytes, bool binary) {
    announce_literal(bytes.size(), binary);
    cur.append(bytes);
  };
  auto emit_external = [&](std::uint64_t n, bool binary) {
    announce_literal(n, binary);
    if (!cur.empty()) out.segments.push_back(CommandSegment{std::move(cur), false});
    CommandSegment ext;
    ext.external = true;
    ext.external_size = n;
    out.segments.push_back(std::move(ext));
    cur.clear();
  };
  auto emit_string = [&](std::string_view s) {
    if (quotable(s, options)) {
      append_quoted(cur, s);
      append_quoted(log, s);
    } else {
      emit_literal(s, false);
    }
  };

  bool first = true;
  for (const Arg& arg : args_) {
    if (arg.kind == Kind::Close) {
      cur.push_back(')');
      log.push_back(')');
      need_space = true;
      continue;
    }
    if (need_space) {
      cur.push_back(' ');
      log.push_back(' ');
    }
    need_space = true;
    std::size_t log_mark = log.size();
    switch (arg.kind) {
      case Kind::Open:
        cur.push_back('(');
        log.push_back('(');
        need_space = false;
        break;
      case Kind::Atom:
        cur += arg.text;
        log += arg.text;
        break;
      case Kind::AString:
        if (is_astring_atom(arg.text) && !detail::iequals(arg.text, "NIL")) {
          cur += arg.text;
          log += arg.text;
        } else {
          emit_string(arg.text);
        }
        break;
      case Kind::String:
        emit_string(arg.text);
        break;
      case Kind::Mailbox: {
        std::string wire = options.utf8 ? arg.text : *encode_mailbox_utf7(arg.text);
        if (is_astring_atom(wire) && !detail::iequals(wire, "NIL")) {
          cur += wire;
          log += wire;
        } else {
          emit_string(wire);
        }
        break;
      }
      case Kind::Literal:
        emit_literal(arg.text, arg.binary);
        break;
      case Kind::ExternalLiteral:
        emit_external(arg.size, arg.binary);
        break;
      case Kind::Close:
        break;
    }
    if (arg.secret && !first) {
      log.resize(log_mark);
      log += "****";
    }
    first = false;
  }
  cur += "\r\n";
  out.segments.push_back(CommandSegment{std::move(cur), false});
  out.tag.assign(tag);
  out.log_line = std::move(log);
  return {};
}

EncodeOptions encode_options_for(const CapabilitySet& capabilities, bool utf8_enabled) {
  EncodeOptions options;
  if (capabilities.has("LITERAL+")) {
    options.literal = LiteralMode::Plus;
  } else if (capabilities.has("LITERAL-")) {
    options.literal = LiteralMode::Minus;
  }
  options.utf8 = utf8_enabled;
  return options;
}

std::string TagGenerator::next() {
  ++counter_;
  char digits[24];
  std::snprintf(digits, sizeof digits, "%03llu", static_cast<unsigned long long>(counter_));
  return prefix_ + digits;
}

}  // namespace mailwire::imap
