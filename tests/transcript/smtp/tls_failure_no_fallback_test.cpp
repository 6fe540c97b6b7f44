// A server whose TLS handshake fails after it offered STARTTLS and gave the go-ahead: the
// client reports a TLS error and never carries on in plaintext (no AUTH, no MAIL, no second
// EHLO), whatever the security mode, opportunistic included. This is what OpenSMTPD 6.8.0p2
// as packaged for Debian 12 does with OpenSSL 3 (every handshake fails); it was seen against
// that server, and is kept here with a scripted server since that build cannot be run in the
// test suite.
//
// Running the full set against a working OpenSMTPD: build or install one whose TLS works,
// start it on 127.0.0.1 high ports with a config like
//     pki localhost cert "CERT" ; pki localhost key "KEY"
//     table creds file:CREDS             (lines "alice ENCRYPTED-PASSWORD", smtpctl encrypt)
//     listen on 127.0.0.1 port P1 tls-require pki localhost auth <creds>
//     listen on 127.0.0.1 port P2 smtps pki localhost auth <creds>
//     action deliver maildir "DIR/%{user.username}/Maildir" ; match from any for domain
//     "example.test" action deliver
// (smtpd -d -f FILE), then add it to scripts/interopstack.sh beside Exim (its ports in
// stack.env, the same users and CA) and run the Exim cases of
// tests/integration/interop/exim_test.cpp against those ports: they use nothing Exim-only.

#include "support/error_of.hpp"
#include "support/scripted_peer.hpp"
#include "support/test_pki.hpp"

#include <mailwire/error.hpp>
#include <mailwire/smtp_client.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace mailwire;
using namespace mailwire::test;

namespace {

// A fatal handshake_failure alert (TLS record: alert, TLS 1.2, 2 bytes: fatal, 40). The script
// ends there: anything more the client sent would fail it ("after the end of the script").
constexpr const char* handshake_failure = R"(S~ \x15\x03\x03\x00\x02\x02\x28)";

SmtpOptions options_with(Security security) {
  SmtpOptions options;
  options.security = security;
  options.tls.ca_file = TestPki::get().ca_file;
  options.helo_name = "client.example";
  options.allow_plaintext_auth = false;
  return options;
}

}  // namespace

TEST_CASE("SMTP: a TLS handshake that fails after STARTTLS never falls back to plaintext",
          "[smtp][security][tls]") {
  for (const Security security :
       {Security::StartTls, Security::StartTlsIfAvailable, Security::Auto}) {
    CAPTURE(static_cast<int>(security));
    auto peer = ScriptedPeer::parse(std::string(R"(
      S: 220 mx.example.test ESMTP OpenSMTPD
      C: EHLO client.example
      S: 250-mx.example.test Hello client.example
      S: 250-8BITMIME
      S: 250-STARTTLS
      S: 250-AUTH PLAIN LOGIN
      S: 250 HELP
      C: STARTTLS
      S: 220 2.0.0 Ready to start TLS
      !any
    )") + handshake_failure + "\n");
    SmtpClient client(options_with(security));
    const Error e = error_of([&] { client.connect(peer->transport(), "localhost"); });
    CHECK(e.kind() == Errc::tls);
    INFO(peer->error());
    CHECK(peer->finished());
    // Nothing after the ClientHello: no EHLO again, no AUTH, no MAIL in plaintext.
    const std::string sent = peer->received();
    CHECK(sent.find("AUTH") == std::string::npos);
    CHECK(sent.find("MAIL FROM") == std::string::npos);
    CHECK(sent.rfind("EHLO") == sent.find("EHLO"));
    CHECK_FALSE(client.is_encrypted());
    // The client is no longer connected: a send fails instead of going out in clear.
    SmtpEnvelope envelope;
    envelope.sender = "alice@example.test";
    envelope.recipients = {"bob@example.test"};
    CHECK_THROWS_AS(client.send(envelope, "Subject: x\r\n\r\nx\r\n"), Error);
  }
}

TEST_CASE("SMTP: implicit TLS whose handshake fails is a TLS error, nothing sent in clear",
          "[smtp][security][tls]") {
  auto peer = ScriptedPeer::parse(std::string("!any\n") + handshake_failure + "\n");
  SmtpClient client(options_with(Security::Tls));
  const Error e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  CHECK(e.kind() == Errc::tls);
  CHECK(peer->finished());
  CHECK(peer->received().find("EHLO") == std::string::npos);
}
