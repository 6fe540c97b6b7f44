// SMTP command encoder: see command.hpp. Every factory appends arguments after validating
// them; a refusal drops the line, so a caller mistake can never reach the wire, and the log
// form is built beside the line so that a secret is never formatted into a log by accident.

#include "smtp/command.hpp"

#include <mailwire/error.hpp>

#include <algorithm>
#include <cctype>

namespace mailwire::smtp {
namespace {

// For messages: at most 100 bytes of a refused value, without the line ending that often
// is the reason it was refused.
std::string shown(std::string_view value) {
  value = value.substr(0, 100);
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r'))
    value.remove_suffix(1);
  return std::string(value);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

// RFC 3461 4.1: "NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" ).
bool valid_notify(std::string_view notify) {
  if (iequals(notify, "NEVER")) return true;
  if (notify.empty()) return false;
  for (std::size_t at = 0;;) {
    const std::size_t comma = notify.find(',', at);
    const std::string_view word = notify.substr(at, comma - at);
    if (!iequals(word, "SUCCESS") && !iequals(word, "FAILURE") && !iequals(word, "DELAY")) {
      return false;
    }
    if (comma == std::string_view::npos) return true;
    at = comma + 1;
  }
}

// RFC 3461 4.4: ENVID is printable US-ASCII (we refuse the space too), at most 100 characters.
bool valid_envid(std::string_view envid) {
  return !envid.empty() && envid.size() <= 100 &&
         std::all_of(envid.begin(), envid.end(), [](char c) {
           const auto u = static_cast<unsigned char>(c);
           return u > 0x20 && u < 0x7f;
         });
}

}  // namespace

bool valid_address(std::string_view address, bool allow_empty) {
  if (address.empty()) return allow_empty;
  if (address.size() > 512) return false;
  for (const char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '<' || c == '>') return false;
  }
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return iequals(address, "postmaster");
  return at > 0 && at + 1 < address.size();
}

bool needs_smtputf8(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

bool valid_helo_name(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
  });
}

std::string xtext(std::string_view text) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126 || c == '+' || c == '=') {
      out += '+';
      out += digits[u >> 4];
      out += digits[u & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view Command::text() const noexcept {
  std::string_view t = log_;
  if (t.size() >= 2) t.remove_suffix(2);
  return t;
}

Command& Command::refuse(std::string message) {
  if (!error_) {
    error_ = make_error_code(Errc::usage);
    message_ = std::move(message);
  }
  line_.clear();
  log_.clear();
  return *this;
}

Command& Command::finish() {
  if (!error_) {
    line_ += "\r\n";
    log_ = line_;
  }
  return *this;
}

Command Command::ehlo(std::string_view name) {
  Command c("EHLO ");
  if (!valid_helo_name(name)) {
    return std::move(c.refuse("smtp: the EHLO name is empty or contains spaces or controls"));
  }
  c.line_ += name;
  return std::move(c.finish());
}

Command Command::lhlo(std::string_view name) {
  Command c = ehlo(name);
  if (!c.error_) c.line_.replace(0, 4, "LHLO");
  c.log_ = c.line_;
  return c;
}

Command Command::helo(std::string_view name) {
  Command c = ehlo(name);
  if (!c.error_) c.line_.replace(0, 4, "HELO");
  c.log_ = c.line_;
  return c;
}

Command Command::mail_from(std::string_view address, const MailParameters& p) {
  Command c("MAIL FROM:<");
  if (!valid_address(address, true)) {
    return std::move(c.refuse("smtp: invalid sender address '" + shown(address) + "'"));
  }
  c.line_ += address;
  c.line_ += '>';
  if (p.size) c.line_ += " SIZE=" + std::to_string(*p.size);
  if (p.body == BodyParameter::eight_bit) c.line_ += " BODY=8BITMIME";
  if (p.body == BodyParameter::binary_mime) c.line_ += " BODY=BINARYMIME";
  if (p.smtputf8) c.line_ += " SMTPUTF8";
  if (!p.ret.empty()) {
    if (!iequals(p.ret, "FULL") && !iequals(p.ret, "HDRS")) {
      return std::move(c.refuse("smtp: DSN RET must be FULL or HDRS, not '" + shown(p.ret) + "'"));
    }
    c.line_ += " RET=";
    c.line_ += p.ret;
  }
  if (!p.envid.empty()) {
    if (!valid_envid(p.envid)) {
      return std::move(
          c.refuse("smtp: a DSN ENVID must be 1 to 100 printable ASCII characters without spaces"));
    }
    c.line_ += " ENVID=" + xtext(p.envid);
  }
  return std::move(c.finish());
}

Command Command::rcpt_to(std::string_view address, const RcptParameters& p) {
  Command c("RCPT TO:<");
  if (!valid_address(address, false)) {
    return std::move(c.refuse("smtp: invalid recipient address '" + shown(address) + "'"));
  }
  c.line_ += address;
  c.line_ += '>';
  if (!p.notify.empty()) {
    if (!valid_notify(p.notify)) {
      return std::move(
          c.refuse("smtp: DSN NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY, not '" +
                   shown(p.notify) + "'"));
    }
    c.line_ += " NOTIFY=";
    c.line_ += p.notify;
  }
  if (!p.orcpt.empty()) {
    // RFC 3461 4.2: an rfc822 ORCPT is ASCII (utf-8-addr-xtext is for SMTPUTF8) and the
    // parameter is at most 500 characters.
    const std::string value = "rfc822;" + xtext(p.orcpt);
    if (!valid_address(p.orcpt, false) || needs_smtputf8(p.orcpt) || value.size() > 500) {
      return std::move(c.refuse("smtp: invalid DSN ORCPT '" + shown(p.orcpt) + "'"));
    }
    c.line_ += " ORCPT=" + value;
  }
  return std::move(c.finish());
}

Command Command::data() {
  return std::move(Command("DATA").finish());
}

Command Command::bdat(std::uint64_t size, bool last) {
  Command c("BDAT ");
  c.line_ += std::to_string(size);
  if (last) c.line_ += " LAST";
  return std::move(c.finish());
}

Command Command::rset() {
  return std::move(Command("RSET").finish());
}

Command Command::noop() {
  return std::move(Command("NOOP").finish());
}

Command Command::quit() {
  return std::move(Command("QUIT").finish());
}

Command Command::starttls() {
  return std::move(Command("STARTTLS").finish());
}

}  // namespace mailwire::smtp
