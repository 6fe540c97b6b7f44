#include "imap/command.hpp"

#include "imap/reader.hpp"

#include <mailwire/error.hpp>

#include <algorithm>
#include <cctype>

namespace mailwire::imap {
namespace {

bool has_forbidden(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// ATOM-CHAR: any CHAR except atom-specials (RFC 3501 9).
bool atom_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && c != '(' && c != ')' && c != '{' && c != '%' && c != '*' &&
         c != '"' && c != '\\' && c != ']';
}

}  // namespace

CommandBuilder::CommandBuilder(std::string_view tag, std::string_view verb, LiteralMode mode)
    : current_(std::string(tag) + " " + std::string(verb)), mode_(mode) {
  log_ = current_;
  if (tag.empty() || verb.empty() || !std::all_of(tag.begin(), tag.end(), atom_char) ||
      has_forbidden(verb)) {
    bad_ = true;
  }
}

void CommandBuilder::space() {
  current_ += ' ';
  log_ += ' ';
}

CommandBuilder& CommandBuilder::secret(bool on) {
  secret_ = on;
  return *this;
}

CommandBuilder& CommandBuilder::atom(std::string_view text) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), atom_char)) bad_ = true;
  space();
  current_ += text;
  log_ += secret_ ? std::string_view("****") : text;
  return *this;
}

CommandBuilder& CommandBuilder::raw(std::string_view text) {
  if (has_forbidden(text)) bad_ = true;
  space();
  current_ += text;
  log_ += secret_ ? std::string_view("****") : text;
  return *this;
}

void CommandBuilder::literal(std::string_view text) {
  const bool non_sync = mode_ == LiteralMode::NonSynchronising ||
                        (mode_ == LiteralMode::NonSyncUpTo4096 && text.size() <= 4096);
  const std::string head = "{" + std::to_string(text.size()) + (non_sync ? "+}" : "}");
  current_ += head;
  current_ += "\r\n";
  log_ += secret_ ? "{****}" : head + "[" + std::to_string(text.size()) + " bytes]";
  out_.segments.push_back(std::move(current_));
  out_.wait_before.push_back(!non_sync);
  current_ = std::string(text);
}

CommandBuilder& CommandBuilder::string(std::string_view text) {
  if (has_forbidden(text)) {
    bad_ = true;
    return *this;
  }
  space();
  const bool quotable = text.size() <= 1024 && std::all_of(text.begin(), text.end(), [](char c) {
                          const auto u = static_cast<unsigned char>(c);
                          return u >= 0x20 && u < 0x7f;
                        });
  if (!quotable) {
    literal(text);
    return *this;
  }
  std::string q = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  q += '"';
  current_ += q;
  log_ += secret_ ? "\"****\"" : q;
  return *this;
}

CommandBuilder& CommandBuilder::astring(std::string_view text) {
  std::string upper(text);
  for (char& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!text.empty() && upper != "NIL" && std::all_of(text.begin(), text.end(), atom_char)) {
    return atom(text);
  }
  return string(text);
}

CommandBuilder& CommandBuilder::mailbox(std::string_view utf8, bool utf8_accept) {
  std::string upper(utf8);
  for (char& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "INBOX") return atom("INBOX");
  return astring(utf8_accept ? std::string(utf8) : encode_mailbox_utf7(utf8));
}

std::error_code CommandBuilder::finish(EncodedCommand& out) {
  if (bad_) return make_error_code(Errc::usage);
  current_ += "\r\n";
  log_ += "\r\n";
  out_.segments.push_back(std::move(current_));
  if (out_.wait_before.size() < out_.segments.size()) {
    out_.wait_before.insert(out_.wait_before.begin(), false);  // nothing before the first
  }
  out_.log = std::move(log_);
  out = std::move(out_);
  return {};
}

std::string sequence_set(std::vector<std::uint32_t> numbers) {
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  std::string out;
  for (std::size_t i = 0; i < numbers.size();) {
    std::size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1)
      ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(numbers[i]);
    if (j > i) out += ':' + std::to_string(numbers[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace mailwire::imap
