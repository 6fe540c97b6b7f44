// The start of every mail session: see session_bootstrap.hpp for the theory of operation.

#include "net/session_bootstrap.hpp"

#include <mailwire/net/tls_transport.hpp>

#include <fmt/format.h>

namespace mailwire::detail {

DefaultPorts default_ports(MailProtocol protocol) noexcept {
  switch (protocol) {
    case MailProtocol::Smtp:
      return {587, 465};
    case MailProtocol::Lmtp:
      return {24, 24};
    case MailProtocol::Imap:
      return {143, 993};
    case MailProtocol::Pop3:
      return {110, 995};
  }
  return {0, 0};
}

Endpoint resolve_endpoint(MailProtocol protocol, Security security, std::uint16_t port) noexcept {
  const DefaultPorts ports = default_ports(protocol);
  Endpoint e;
  e.security = resolve_security(security, port == 0 ? ports.plain : port);
  e.port = port != 0 ? port : e.security == Security::Tls ? ports.tls : ports.plain;
  return e;
}

Security security_for_given_transport(Security security) noexcept {
  return security == Security::Auto ? Security::StartTls : security;
}

std::unique_ptr<Transport> connect_tcp(const std::string& host, std::uint16_t port,
                                       const ConnectOptions& options, CancelSlot& cancel) {
  auto tcp = std::make_unique<TcpTransport>();
  {
    CancelSlot::Watch watch(cancel, *tcp);
    tcp->connect(host, port, options);
  }
  return tcp;
}

StartTlsDecision decide_starttls(Security security, bool encrypted, StartTlsOffer offer,
                                 bool preauth) noexcept {
  const bool wanted = security == Security::StartTls || security == Security::StartTlsIfAvailable;
  if (encrypted || !wanted) return StartTlsDecision::None;
  const bool required = security == Security::StartTls;
  // RFC 3501 6.2.1: no STARTTLS once authenticated; the session would stay in clear.
  if (preauth) return required ? StartTlsDecision::Preauth : StartTlsDecision::None;
  switch (offer) {
    case StartTlsOffer::Offered:
      return StartTlsDecision::Upgrade;
    case StartTlsOffer::Unknown:  // a server that lists nothing may still do it: try it
      return required ? StartTlsDecision::Upgrade : StartTlsDecision::None;
    case StartTlsOffer::NotOffered:
      break;
  }
  return required ? StartTlsDecision::Unavailable : StartTlsDecision::None;
}

void open_session(SessionProtocol& protocol, const SessionSettings& settings,
                  std::unique_ptr<Transport> transport, const std::string& host,
                  Security security) {
  const auto deadline = [&] { return deadline_after(settings.timeout); };
  // The same ALPN offer on implicit TLS and after STARTTLS (checklist case 18).
  TlsOptions tls_options = *settings.tls;
  if (!tls_options.alpn && protocol.alpn_id() != nullptr) {
    tls_options.alpn = std::vector<std::string>{protocol.alpn_id()};
  }
  if (security == Security::Tls) {
    auto tls = std::make_unique<TlsTransport>(std::move(transport), tls_options, host);
    {
      CancelSlot::Watch watch(*settings.cancel, *tls);
      tls->handshake(deadline());
    }
    transport = std::move(tls);
  }
  StreamOptions stream_options;
  stream_options.max_line = settings.max_line;
  auto owned = std::make_unique<Stream>(std::move(transport), stream_options);
  owned->set_log(settings.log);
  Stream& stream = *owned;
  protocol.install(std::move(owned));

  const Greeting greeting = protocol.read_greeting();
  if (greeting.preauth && decide_starttls(security, stream.is_encrypted(), StartTlsOffer::Unknown,
                                          true) == StartTlsDecision::Preauth) {
    protocol.drop();
    throw Error(Errc::tls,
                fmt::format("{}: {} sent PREAUTH while TLS is required (no STARTTLS possible)",
                            protocol.name(), host),
                Diagnostics::broken(Reason::preauth_without_tls).with_reply(greeting.text));
  }
  protocol.ask_capabilities();
  switch (decide_starttls(security, stream.is_encrypted(), protocol.starttls_offer(),
                          greeting.preauth)) {
    case StartTlsDecision::None:
      return;
    case StartTlsDecision::Unavailable:
    case StartTlsDecision::Preauth:  // (failed above)
      protocol.abandon();
      throw Error(Errc::tls,
                  fmt::format("{}: {} does not offer {} and TLS is required", protocol.name(), host,
                              protocol.starttls_verb()),
                  Diagnostics::broken(Reason::starttls_unavailable));
    case StartTlsDecision::Upgrade:
      break;
  }
  Diagnostics refusal = Diagnostics::broken(Reason::starttls_refused);
  if (!protocol.request_starttls(refusal)) {
    protocol.drop();
    refusal.fatal = true;  // whatever the protocol filled in: the connection is closed
    refusal.reason = Reason::starttls_refused;
    const std::string message = fmt::format("{}: {} refused {}: {}", protocol.name(), host,
                                            protocol.starttls_verb(), refusal.server_reply);
    throw Error(Errc::tls, message, std::move(refusal));
  }
  try {
    stream.start_tls(tls_options, host, deadline());
  } catch (...) {
    protocol.drop();
    throw;
  }
  protocol.forget_before_tls();  // what the server said before TLS could have been forged
  protocol.ask_capabilities();
}

}  // namespace mailwire::detail
