#pragma once

/// \file
/// Known settings of the large mail providers, looked up by name or by e-mail address.

#include <mailwire/export.hpp>
#include <mailwire/net/security.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire {

/// One server: where and how to connect.
struct ServerEndpoint {
  std::string host;        ///< host name to connect to (and to verify the certificate against)
  std::uint16_t port = 0;  ///< TCP port
  Security security = Security::Auto;  ///< Tls (implicit) or StartTls
};

/// How a provider wants clients to authenticate.
enum class AuthRecommendation {
  Password,     ///< the account password
  AppPassword,  ///< a generated application password (the account password is refused)
  OAuth2,       ///< OAuth 2 (XOAUTH2 / OAUTHBEARER); basic authentication is off or going
};

/// Settings of one provider. The data are public facts from each provider's documentation.
struct MAILWIRE_API ProviderSettings {
  std::string id;                      ///< "gmail", "microsoft365", "icloud", "fastmail", "yahoo"
  std::string name;                    ///< "Gmail"
  std::vector<std::string> domains;    ///< address domains hosted there ("gmail.com")
  ServerEndpoint smtp;                 ///< submission
  ServerEndpoint imap;                 ///< IMAP
  std::optional<ServerEndpoint> pop3;  ///< absent when the provider has no POP3
  AuthRecommendation auth = AuthRecommendation::Password;  ///< how to authenticate
  std::string notes;  ///< one line for a human: what to set up on the provider's side

  /// Every known provider.
  static const std::vector<ProviderSettings>& all();
  /// By id ("gmail"), case-insensitive; also accepts "outlook", "office365" and "google".
  static std::optional<ProviderSettings> by_id(std::string_view id);
  /// By the domain of an address ("someone@gmail.com") or a bare domain.
  static std::optional<ProviderSettings> for_address(std::string_view address);
};

/// "password", "app-password", "oauth2".
MAILWIRE_API const char* to_string(AuthRecommendation auth) noexcept;

}  // namespace mailwire
