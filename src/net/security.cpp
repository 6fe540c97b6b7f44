#include <mailwire/net/security.hpp>

namespace mailwire {

Security resolve_security(Security security, std::uint16_t port) noexcept {
  if (security != Security::Auto) return security;
  switch (port) {
    case 465:  // submissions (RFC 8314)
    case 993:  // imaps
    case 995:  // pop3s
      return Security::Tls;
    default:
      return Security::StartTls;
  }
}

const char* to_string(Security security) noexcept {
  switch (security) {
    case Security::Auto:
      return "auto";
    case Security::Tls:
      return "tls";
    case Security::StartTls:
      return "starttls";
    case Security::StartTlsIfAvailable:
      return "starttls-if-available";
    case Security::None:
      return "none";
  }
  return "auto";
}

std::optional<Security> parse_security(std::string_view name) noexcept {
  for (Security s : {Security::Auto, Security::Tls, Security::StartTls,
                     Security::StartTlsIfAvailable, Security::None}) {
    if (name == to_string(s)) return s;
  }
  return std::nullopt;
}

}  // namespace mailwire
