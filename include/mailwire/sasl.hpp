#pragma once

/// \file
/// SASL (RFC 4422) mechanisms shared by SmtpClient, ImapClient and Pop3Client: PLAIN (RFC 4616),
/// LOGIN, CRAM-MD5 (RFC 2195), SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677), XOAUTH2,
/// OAUTHBEARER (RFC 7628) and EXTERNAL. Mechanisms see raw bytes; each protocol does its own
/// framing (base64, "334 ", "+ ", "=" for an empty initial response).

#include <mailwire/error.hpp>
#include <mailwire/export.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace mailwire {

/// What a client authenticates with.
struct SaslCredentials {
  std::string user;      ///< authentication identity
  std::string password;  ///< for PLAIN, LOGIN, CRAM-MD5, SCRAM-*
  std::string authzid;   ///< authorization identity (act as); usually empty
  /// OAuth 2 access token for XOAUTH2 / OAUTHBEARER.
  std::string oauth2_token;
  /// When set, asked for a fresh token (e.g. after the server refused an expired one);
  /// returns the new token or empty for none.
  std::function<std::string()> refresh_oauth2_token;
};

/// One authentication exchange. Not reusable: make a new one per attempt.
class MAILWIRE_API SaslMechanism {
 public:
  virtual ~SaslMechanism();
  /// "SCRAM-SHA-256"
  virtual const char* name() const noexcept = 0;
  /// The client speaks first (PLAIN, SCRAM, XOAUTH2, ...). Its first message is
  /// initial_response(), sent with the command when the protocol allows (SASL-IR).
  virtual bool client_first() const noexcept = 0;
  /// The first client message (raw bytes; may be empty).
  virtual std::string initial_response() = 0;
  /// The answer to a server challenge (raw, base64-decoded bytes). Errc::auth with a reason for
  /// a challenge that cannot be right (a SCRAM nonce that does not extend ours, ...).
  virtual std::error_code respond(std::string_view challenge, std::string& response) = 0;
  /// Called when the server reported success, with any final data it sent: SCRAM checks the
  /// server signature here, so a server that does not know the password is detected.
  virtual std::error_code verify_success(std::string_view final_data) {
    (void)final_data;
    return {};
  }
  /// Why the last error_code was returned.
  const std::string& reason() const noexcept { return reason_; }
  /// The same as a stable token: Reason::bad_challenge for a challenge that cannot be
  /// answered, Reason::server_not_verified when the server failed to prove it knows the
  /// password (SCRAM), Reason::unspecified before any failure.
  Reason failure() const noexcept { return failure_; }

 protected:
  /// For implementations: stores `reason` for reason() and `why` for failure(), and returns
  /// Errc::auth.
  std::error_code fail(std::string reason, Reason why = Reason::bad_challenge);
  /// What reason() returns; set by fail().
  std::string reason_;
  /// What failure() returns; set by fail().
  Reason failure_ = Reason::unspecified;
};

/// A mechanism by name (case-insensitive), or nullptr when unknown or when the credentials
/// lack what it needs (no token for XOAUTH2, no password for SCRAM).
MAILWIRE_API std::unique_ptr<SaslMechanism> make_sasl_mechanism(std::string_view name,
                                                                const SaslCredentials& credentials);

/// The strongest mechanism both sides allow: with a token, OAUTHBEARER then XOAUTH2; with a
/// password, SCRAM-SHA-256, SCRAM-SHA-1, PLAIN, LOGIN, CRAM-MD5 (PLAIN over TLS beats CRAM-MD5,
/// which needs the server to keep the password in clear). `forced` (non-empty) picks that one,
/// if offered. Nothing in common: nullopt.
MAILWIRE_API std::optional<std::string> choose_sasl_mechanism(
    const std::vector<std::string>& offered, const SaslCredentials& credentials,
    std::string_view forced = {});

/// For SCRAM tests: the client nonce to use instead of a random one.
MAILWIRE_API std::unique_ptr<SaslMechanism> make_scram_mechanism(std::string_view name,
                                                                 const SaslCredentials& credentials,
                                                                 std::string client_nonce);

}  // namespace mailwire
