#pragma once

/// \file
/// SASL (RFC 4422) mechanisms shared by SmtpClient, ImapClient and Pop3Client: PLAIN (RFC 4616),
/// LOGIN, CRAM-MD5 (RFC 2195), SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677) and their
/// channel-binding -PLUS forms, XOAUTH2, OAUTHBEARER (RFC 7628) and EXTERNAL. Mechanisms see raw
/// bytes; each protocol does its own framing (base64, "334 ", "+ ", "=" for an empty initial
/// response).

#include <mailwire/error.hpp>
#include <mailwire/export.hpp>
#include <mailwire/net/tls_info.hpp>

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
  /// SCRAM-*-PLUS: the channel-binding type to use ("tls-exporter", "tls-server-end-point",
  /// "tls-unique"); empty: the usual one for the TLS version (see sasl_channel_binding()).
  std::string channel_binding;
};

/// The channel binding a SCRAM mechanism uses (RFC 5802 section 6), from the connection.
struct SaslChannelBinding {
  /// "tls-exporter", "tls-server-end-point" or "tls-unique"; empty: the connection gives none
  /// (no TLS), and SCRAM says "n" in its GS2 header.
  std::string type;
  std::string data;  ///< the binding data (raw bytes)
  /// The server offered a -PLUS mechanism. Plain SCRAM over a connection that could bind then
  /// says "n", never "y": "y" tells the server the client saw no -PLUS offer, which a server
  /// that made one takes for a downgrade and refuses (RFC 5802 section 6).
  bool server_offered_plus = false;
};

/// The channel binding of a TLS connection of type `type`, or with an empty `type` the usual
/// one: "tls-exporter" on TLS 1.3 (RFC 9266), "tls-unique" before (RFC 5802's default), else
/// "tls-server-end-point". The result's type is empty when the connection does not define the
/// one asked for. Throws Error(usage) for a type that is none of the three.
MAILWIRE_API SaslChannelBinding sasl_channel_binding(const TlsInfo& tls,
                                                     std::string_view type = {});

/// Whether mailwire implements the mechanism `name` (case-insensitive), whatever the
/// credentials.
MAILWIRE_API bool is_known_sasl_mechanism(std::string_view name);

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
/// The same with the connection's channel binding: the -PLUS mechanisms need one (nullptr
/// without), plain SCRAM tells the server in its GS2 header whether it could bind.
MAILWIRE_API std::unique_ptr<SaslMechanism> make_sasl_mechanism(std::string_view name,
                                                                const SaslCredentials& credentials,
                                                                const SaslChannelBinding& binding);

/// The strongest mechanism both sides allow: with a token, OAUTHBEARER then XOAUTH2; with a
/// password, SCRAM-SHA-256, SCRAM-SHA-1, PLAIN, LOGIN, CRAM-MD5 (PLAIN over TLS beats CRAM-MD5,
/// which needs the server to keep the password in clear). `forced` (non-empty) picks that one,
/// if offered. Nothing in common: nullopt. Never a -PLUS mechanism (see the overload).
MAILWIRE_API std::optional<std::string> choose_sasl_mechanism(
    const std::vector<std::string>& offered, const SaslCredentials& credentials,
    std::string_view forced = {});
/// The same, where `can_bind` says the connection gives a channel binding: then
/// SCRAM-SHA-256-PLUS and SCRAM-SHA-1-PLUS come first, and a forced -PLUS one can be chosen.
MAILWIRE_API std::optional<std::string> choose_sasl_mechanism(
    const std::vector<std::string>& offered, const SaslCredentials& credentials,
    std::string_view forced, bool can_bind);

/// For SCRAM tests: the client nonce to use instead of a random one.
MAILWIRE_API std::unique_ptr<SaslMechanism> make_scram_mechanism(std::string_view name,
                                                                 const SaslCredentials& credentials,
                                                                 std::string client_nonce);
/// For SCRAM tests: the same with a channel binding (needed by the -PLUS names).
MAILWIRE_API std::unique_ptr<SaslMechanism> make_scram_mechanism(std::string_view name,
                                                                 const SaslCredentials& credentials,
                                                                 std::string client_nonce,
                                                                 const SaslChannelBinding& binding);

}  // namespace mailwire
