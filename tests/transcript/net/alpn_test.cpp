// What each client's ClientHello says (checklist case 18, the ALPACA countermeasure of RFC 9325
// section 3.8): its host as SNI and its protocol in ALPN (RFC 7301), on STARTTLS and implicit
// TLS alike; a server that answers ALPN with another protocol is refused.

#include "support/error_of.hpp"
#include "support/scripted_peer.hpp"
#include "support/test_pki.hpp"

#include <mailwire/error.hpp>
#include <mailwire/imap_client.hpp>
#include <mailwire/pop3_client.hpp>
#include <mailwire/smtp_client.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace mailwire;
using namespace mailwire::test;

namespace {

template <class Options>
Options with_security(Security security) {
  Options options;
  options.security = security;
  options.tls.ca_file = TestPki::get().ca_file;
  return options;
}

SmtpOptions smtp_options(Security security) {
  SmtpOptions options = with_security<SmtpOptions>(security);
  options.helo_name = "client.example";
  return options;
}

using Names = std::vector<std::string>;

constexpr const char* imap_starttls = R"(
  S: * OK [CAPABILITY IMAP4rev1 STARTTLS] ready
  C: A001 STARTTLS
  S: A001 OK go
  !starttls
  C: A002 CAPABILITY
  S: * CAPABILITY IMAP4rev1
  S: A002 OK done
)";
constexpr const char* imap_implicit = R"(
  !starttls
  S: * OK [CAPABILITY IMAP4rev1] ready
)";
constexpr const char* pop3_starttls = R"(
  S: +OK ready
  C: CAPA
  S: +OK
  S: STLS
  S: .
  C: STLS
  S: +OK go
  !starttls
  C: CAPA
  S: +OK
  S: USER
  S: .
)";
constexpr const char* pop3_implicit = R"(
  !starttls
  S: +OK ready
  C: CAPA
  S: +OK
  S: USER
  S: .
)";
constexpr const char* smtp_starttls = R"(
  S: 220 mx
  C: EHLO client.example
  S: 250-mx
  S: 250 STARTTLS
  C: STARTTLS
  S: 220 go ahead
  !starttls
  C: EHLO client.example
  S: 250 mx
)";
constexpr const char* smtp_implicit = R"(
  !starttls
  S: 220 mx
  C: EHLO client.example
  S: 250 mx
)";

}  // namespace

TEST_CASE("TLS: each client offers its protocol in ALPN and its host as SNI, STARTTLS or not",
          "[net][security][alpn]") {
  std::shared_ptr<ScriptedPeer> peer;
  Names expected;
  SECTION("imap STARTTLS") {
    peer = ScriptedPeer::parse(imap_starttls);
    ImapClient(with_security<ImapOptions>(Security::StartTls))
        .connect(peer->transport(), "localhost");
    expected = {"imap"};
  }
  SECTION("imap implicit TLS") {
    peer = ScriptedPeer::parse(imap_implicit);
    ImapClient(with_security<ImapOptions>(Security::Tls)).connect(peer->transport(), "localhost");
    expected = {"imap"};
  }
  SECTION("pop3 STLS") {
    peer = ScriptedPeer::parse(pop3_starttls);
    Pop3Client(with_security<Pop3Options>(Security::StartTls))
        .connect(peer->transport(), "localhost");
    expected = {"pop3"};
  }
  SECTION("pop3 implicit TLS") {
    peer = ScriptedPeer::parse(pop3_implicit);
    Pop3Client(with_security<Pop3Options>(Security::Tls)).connect(peer->transport(), "localhost");
    expected = {"pop3"};
  }
  SECTION("smtp STARTTLS") {
    peer = ScriptedPeer::parse(smtp_starttls);
    SmtpClient(smtp_options(Security::StartTls)).connect(peer->transport(), "localhost");
    expected = {"smtp"};
  }
  SECTION("smtp implicit TLS") {
    peer = ScriptedPeer::parse(smtp_implicit);
    SmtpClient(smtp_options(Security::Tls)).connect(peer->transport(), "localhost");
    expected = {"smtp"};
  }
  INFO(peer->error());
  CHECK(peer->tls_established());
  CHECK(peer->client_alpn() == expected);
  CHECK(peer->client_sni() == "localhost");
}

TEST_CASE("TLS: a server that answers ALPN with another protocol is refused before any command",
          "[net][security][alpn]") {
  // ALPACA: the connection was redirected to a server of another protocol (here one that
  // speaks HTTP) sharing the certificate.
  auto peer = ScriptedPeer::parse("!starttls\nS: * OK [CAPABILITY IMAP4rev1] ready\n");
  peer->set_alpn_choice("http/1.1");
  Error e(Errc::io, "none");
  SECTION("imap") {
    ImapClient client(with_security<ImapOptions>(Security::Tls));
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  }
  SECTION("pop3") {
    Pop3Client client(with_security<Pop3Options>(Security::Tls));
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  }
  SECTION("smtp") {
    SmtpClient client(smtp_options(Security::Tls));
    e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  }
  CHECK(e.kind() == Errc::tls);
  CHECK(e.is_fatal());
  CHECK(peer->received().empty());  // nothing was said inside the TLS session
}

TEST_CASE("TLS: a server that answers ALPN with the protocol offered is accepted",
          "[net][security][alpn]") {
  auto peer = ScriptedPeer::parse(imap_starttls);
  peer->set_alpn_choice("imap");
  ImapClient client(with_security<ImapOptions>(Security::StartTls));
  client.connect(peer->transport(), "localhost");
  CHECK(client.is_encrypted());
  CHECK(peer->finished());
}

TEST_CASE("TLS: TlsOptions::alpn replaces the client's offer, and an empty list offers none",
          "[net][security][alpn]") {
  SECTION("another list") {
    auto peer = ScriptedPeer::parse(imap_implicit);
    ImapOptions options = with_security<ImapOptions>(Security::Tls);
    options.tls.alpn = std::vector<std::string>{"x-mail", "imap"};
    ImapClient client(options);
    client.connect(peer->transport(), "localhost");
    CHECK(peer->client_alpn() == Names{"x-mail", "imap"});
  }
  SECTION("none") {
    auto peer = ScriptedPeer::parse(imap_implicit);
    peer->set_alpn_choice("imap");  // never asked: no ALPN in the ClientHello
    ImapOptions options = with_security<ImapOptions>(Security::Tls);
    options.tls.alpn = std::vector<std::string>{};
    ImapClient client(options);
    client.connect(peer->transport(), "localhost");
    CHECK(peer->client_alpn().empty());
    CHECK(client.tls_info()->alpn.empty());
  }
  SECTION("a name longer than 255 bytes is the caller's mistake") {
    auto peer = ScriptedPeer::parse(imap_implicit);
    ImapOptions options = with_security<ImapOptions>(Security::Tls);
    options.tls.alpn = std::vector<std::string>{std::string(256, 'x')};
    ImapClient client(options);
    CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() == Errc::usage);
  }
}
