#pragma once

// The start of every mail session, once for SmtpClient, ImapClient and Pop3Client: default
// ports, the TCP connect, implicit TLS, the Stream, the greeting and capabilities, and the
// STARTTLS decision and upgrade. Not installed.
//
// Theory of operation (open_session): [implicit TLS handshake] -> Stream -> greeting ->
// [PREAUTH while TLS is required: fail] -> capabilities -> decide_starttls:
//   none     -> done
//   upgrade  -> STARTTLS / STLS -> go-ahead? (no: fatal) -> TLS (bytes pipelined after the
//               go-ahead are response injection: fatal) -> forget what was learnt before TLS
//               -> capabilities again
//   refuse   -> fatal, nothing more is sent but the protocol's goodbye
// Every failure leaves the connection closed. The protocol-specific steps are the small
// SessionProtocol interface that each client implements.

#include <mailwire/error.hpp>
#include <mailwire/net/deadline.hpp>
#include <mailwire/net/security.hpp>
#include <mailwire/net/stream.hpp>
#include <mailwire/net/tcp_transport.hpp>
#include <mailwire/net/tls_options.hpp>
#include <mailwire/net/transport.hpp>
#include <mailwire/protocol_log.hpp>

#include "net/cancel_slot.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace mailwire::detail {

/// The mail protocols whose default ports the table knows.
enum class MailProtocol { Smtp, Lmtp, Imap, Pop3 };

/// Where a protocol listens by default: with STARTTLS (or plaintext) and with implicit TLS.
struct DefaultPorts {
  std::uint16_t plain;
  std::uint16_t tls;
};

/// SMTP submission 587 / 465 (RFC 6409, RFC 8314), LMTP 24 (RFC 2033; no TLS port), IMAP
/// 143 / 993, POP3 110 / 995.
DefaultPorts default_ports(MailProtocol protocol) noexcept;

/// The port and the resolved security of connect(host, port).
struct Endpoint {
  std::uint16_t port = 0;
  Security security = Security::StartTls;
};

/// Port 0 is the protocol's default: Security::Auto resolves as for the plain port, and the
/// port is then the TLS one when the resolved security is implicit TLS. Another port
/// resolves Security::Auto by that port (resolve_security).
Endpoint resolve_endpoint(MailProtocol protocol, Security security, std::uint16_t port) noexcept;

/// For connect(transport, host): Security::Auto means STARTTLS required.
Security security_for_given_transport(Security security) noexcept;

/// TCP connect; cancel() reaches it through `cancel`.
std::unique_ptr<Transport> connect_tcp(const std::string& host, std::uint16_t port,
                                       const ConnectOptions& options, CancelSlot& cancel);

/// Whether the server offers STARTTLS / STLS.
enum class StartTlsOffer {
  Offered,
  NotOffered,
  Unknown,  ///< the server did not list its capabilities (POP3 without CAPA)
};

/// What to do about STARTTLS.
enum class StartTlsDecision {
  None,         ///< stay as we are (encrypted already, no TLS wanted, or not offered and optional)
  Upgrade,      ///< send STARTTLS / STLS
  Unavailable,  ///< TLS is required and not offered: Reason::starttls_unavailable
  Preauth,      ///< IMAP PREAUTH while TLS is required: Reason::preauth_without_tls
};

/// The one STARTTLS rule. `preauth`: the session is authenticated already (IMAP PREAUTH), so
/// STARTTLS is no longer allowed (RFC 3501 6.2.1). A required STARTTLS that the server did not
/// say it lacks (Unknown) is tried.
StartTlsDecision decide_starttls(Security security, bool encrypted, StartTlsOffer offer,
                                 bool preauth) noexcept;

/// What open_session learns from the greeting.
struct Greeting {
  bool preauth = false;  ///< IMAP PREAUTH
  std::string text;      ///< for diagnostics
};

/// The protocol-specific steps of open_session. Each step that fails throws (and closes the
/// connection when that is the protocol's rule).
class SessionProtocol {
 public:
  virtual ~SessionProtocol() = default;
  /// "smtp"
  virtual const char* name() const noexcept = 0;
  /// "STARTTLS" or "STLS"
  virtual const char* starttls_verb() const noexcept = 0;
  /// The protocol's ALPN id offered when TlsOptions::alpn is unset ("imap"), or nullptr.
  virtual const char* alpn_id() const noexcept = 0;
  /// Takes the new connection's stream (and attaches it to the cancel slot).
  virtual void install(std::unique_ptr<Stream> stream) = 0;
  /// Reads the greeting; throws when it is a refusal or not the protocol.
  virtual Greeting read_greeting() = 0;
  /// Asks for the capabilities (EHLO, CAPABILITY unless the greeting had them, CAPA).
  virtual void ask_capabilities() = 0;
  /// Whether the capabilities offer STARTTLS.
  virtual StartTlsOffer starttls_offer() const = 0;
  /// Sends STARTTLS / STLS and reads the answer: true on the go-ahead; otherwise adds the
  /// command, the reply and its codes to `refusal` (Diagnostics::broken(starttls_refused)).
  virtual bool request_starttls(Diagnostics& refusal) = 0;
  /// Forgets everything the server said before TLS (capabilities; IMAP: the mailbox too).
  virtual void forget_before_tls() = 0;
  /// Ends a session that must not go on (SMTP: QUIT; the others close at once). Never throws.
  virtual void abandon() noexcept = 0;
  /// Closes the connection at once. Never throws.
  virtual void drop() noexcept = 0;
};

/// The settings open_session needs from the client's options.
struct SessionSettings {
  const TlsOptions* tls = nullptr;
  std::size_t max_line = 0;
  ProtocolLog log;
  std::chrono::milliseconds timeout{};
  CancelSlot* cancel = nullptr;
};

/// The whole connect sequence over `transport` (see the theory of operation above).
void open_session(SessionProtocol& protocol, const SessionSettings& settings,
                  std::unique_ptr<Transport> transport, const std::string& host, Security security);

}  // namespace mailwire::detail
