// VERP: the recipient carried in the local part of the return path (the convention of qmail
// and most mailing list managers): bounces+alice=example.org@sender.example.

#include <mailwire/error.hpp>
#include <mailwire/mime/delivery_report.hpp>

namespace mailwire::mime {

namespace {

// An address usable on either side: one '@' with text on both sides (the last '@' splits a
// quoted local part), nothing that would end or fold an SMTP command.
std::size_t checked_at(std::string_view address, const char* what) {
  for (char c : address) {
    if (c == '\r' || c == '\n' || c == '\0' || c == ' ' || c == '\t')
      throw Error(Errc::usage, std::string("verp: ") + what + " holds white space or a control");
  }
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size())
    throw Error(Errc::usage, std::string("verp: ") + what + " is not an address");
  return at;
}

}  // namespace

std::string verp_encode(std::string_view return_path, std::string_view recipient) {
  const std::size_t rp_at = checked_at(return_path, "return path");
  const std::size_t r_at = checked_at(recipient, "recipient");
  std::string out(return_path.substr(0, rp_at));
  out += '+';
  out += recipient.substr(0, r_at);
  out += '=';
  out += recipient.substr(r_at + 1);
  out += return_path.substr(rp_at);
  return out;
}

std::optional<std::string> verp_decode(std::string_view address) {
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view local = address.substr(0, at);
  const std::size_t plus = local.find('+');
  if (plus == std::string_view::npos) return std::nullopt;
  const std::string_view tail = local.substr(plus + 1);
  // The recipient's domain follows the last '=' (a local part may hold '=' itself).
  const std::size_t eq = tail.rfind('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == tail.size()) return std::nullopt;
  std::string out(tail.substr(0, eq));
  out += '@';
  out += tail.substr(eq + 1);
  return out;
}

}  // namespace mailwire::mime
