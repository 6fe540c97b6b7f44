// The hostile-server suite over real sockets, the same cases for SMTP, IMAP and POP3: the
// numbers in the test names are the cases of the security issue (STARTTLS injection, bad
// certificates, slow drip, truncation). Each fake server is a TestServer on 127.0.0.1 playing
// a ScriptedPeer script, which records every byte the client sent: the tests assert that no
// credential or mail byte left the client when it must not.

#include "support/error_of.hpp"
#include "support/scripted_peer.hpp"
#include "support/test_pki.hpp"
#include "support/test_server.hpp"

#include <mailwire/error.hpp>
#include <mailwire/imap_client.hpp>
#include <mailwire/pop3_client.hpp>
#include <mailwire/smtp_client.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

using namespace mailwire;
using namespace mailwire::test;
using namespace std::chrono_literals;

namespace {

// How one protocol opens a session, asks for STARTTLS, and what its attacker injects.
struct Protocol {
  const char* name;
  std::string starttls_script;  // up to and including the client's STARTTLS command
  std::string sent_before_tls;  // exactly what the client sends up to there
  std::string go_ahead;         // the server's go-ahead, one line
  std::string injected;         // a reply an attacker appends in the same segment
  std::string after_tls;        // a normal session after the handshake, through login
  std::string greeting;         // the greeting line
  // Connects to localhost:port (the server is on 127.0.0.1) and logs in as alice / secret.
  std::function<void(std::uint16_t, Security, std::chrono::milliseconds)> session;
};

template <typename Options>
Options options_for(Security security, std::chrono::milliseconds timeout) {
  Options options;
  options.security = security;
  options.tls.ca_file = TestPki::get().ca_file;
  options.timeout = timeout;
  return options;
}

std::vector<Protocol> protocols() {
  Protocol smtp{"SMTP",
                R"(
                  S: 220 mx.example ESMTP
                  C: EHLO client.example
                  S: 250-mx.example
                  S: 250-PIPELINING
                  S: 250-STARTTLS
                  S: 250 AUTH PLAIN LOGIN
                  C: STARTTLS
                )",
                "EHLO client.example\r\nSTARTTLS\r\n",
                "220 2.0.0 go ahead",
                "250 AUTH PLAIN",
                R"(
                  C: EHLO client.example
                  S: 250-mx.example
                  S: 250-PIPELINING
                  S: 250 AUTH PLAIN
                  C: AUTH PLAIN AGFsaWNlAHNlY3JldA==
                  S: 235 2.7.0 ok
                )",
                "220 mx.example ESMTP",
                [](std::uint16_t port, Security security, std::chrono::milliseconds timeout) {
                  auto options = options_for<SmtpOptions>(security, timeout);
                  options.helo_name = "client.example";
                  SmtpClient client(options);
                  client.connect("localhost", port);
                  client.login("alice", "secret");
                }};
  Protocol imap{"IMAP",
                R"(
                  S: * OK [CAPABILITY IMAP4rev1 STARTTLS LITERAL+ SASL-IR AUTH=PLAIN] ready
                  C: A001 STARTTLS
                )",
                "A001 STARTTLS\r\n",
                "A001 OK begin TLS",
                "A002 OK LOGIN completed",
                R"(
                  C: A002 CAPABILITY
                  S: * CAPABILITY IMAP4rev1 LITERAL+
                  S: A002 OK done
                  C: A003 LOGIN alice secret
                  S: A003 OK [CAPABILITY IMAP4rev1 LITERAL+] logged in
                )",
                "* OK [CAPABILITY IMAP4rev1] ready",
                [](std::uint16_t port, Security security, std::chrono::milliseconds timeout) {
                  ImapClient client(options_for<ImapOptions>(security, timeout));
                  client.connect("localhost", port);
                  client.login("alice", "secret");
                }};
  Protocol pop3{"POP3",
                R"(
                  S: +OK ready
                  C: CAPA
                  S: +OK
                  S: STLS
                  S: PIPELINING
                  S: USER
                  S: .
                  C: STLS
                )",
                "CAPA\r\nSTLS\r\n",
                "+OK begin TLS",
                "+OK logged in",
                R"(
                  C: CAPA
                  S: +OK
                  S: USER
                  S: .
                  C: USER alice
                  S: +OK
                  C: PASS secret
                  S: +OK logged in
                )",
                "+OK ready",
                [](std::uint16_t port, Security security, std::chrono::milliseconds timeout) {
                  Pop3Client client(options_for<Pop3Options>(security, timeout));
                  client.connect("localhost", port);
                  client.login("alice", "secret");
                }};
  return {smtp, imap, pop3};
}

// Runs the session against one scripted connection; the error it ended with, if any.
std::optional<Error> run(const Protocol& p, const std::shared_ptr<ScriptedPeer>& peer,
                         Security security, std::chrono::milliseconds timeout = 10s) {
  TestServer server([&] { return peer; });
  try {
    p.session(server.port(), security, timeout);
  } catch (const Error& e) {
    return e;
  }
  return std::nullopt;
}

std::shared_ptr<ScriptedPeer> with_certificate(std::shared_ptr<ScriptedPeer> peer,
                                               const TestCert& cert) {
  peer->set_certificate(cert.chain_file, cert.key_file);
  return peer;
}

}  // namespace

TEST_CASE(
    "Security 6 and 8: STARTTLS then login - nothing pipelined before the handshake and "
    "capabilities asked again",
    "[security]") {
  for (const Protocol& p : protocols()) {
    INFO(p.name);
    auto peer =
        ScriptedPeer::parse(p.starttls_script + "S: " + p.go_ahead + "\n!starttls\n" + p.after_tls);
    const auto error = run(p, peer, Security::StartTls);
    CHECK_FALSE(error);
    // The script matched byte for byte: a command sent in plaintext after STARTTLS, or
    // credentials chosen from the pre-TLS capabilities, would have been a mismatch.
    CHECK(peer->finished());
    CHECK(peer->error().empty());
    CHECK(peer->tls_established());
  }
}

TEST_CASE("Security 1: replies injected with the STARTTLS go-ahead, over a socket", "[security]") {
  for (const Protocol& p : protocols()) {
    INFO(p.name);
    auto peer = ScriptedPeer::parse(p.starttls_script);
    peer->send_raw(p.go_ahead + "\r\n" + p.injected + "\r\n");
    const auto error = run(p, peer, Security::StartTls);
    REQUIRE(error);
    CHECK(error->kind() == Errc::protocol);
    CHECK_THAT(error->what(), Catch::Contains("injection"));
    CHECK_FALSE(peer->tls_established());
    CHECK(peer->received() == p.sent_before_tls);  // no credentials, no handshake
  }
}

TEST_CASE("Security 2: half a line after the go-ahead is never joined to a TLS line",
          "[security]") {
  for (const Protocol& p : protocols()) {
    INFO(p.name);
    auto peer = ScriptedPeer::parse(p.starttls_script);
    peer->send_raw(p.go_ahead + "\r\n" + p.injected.substr(0, 6));
    const auto error = run(p, peer, Security::StartTls);
    REQUIRE(error);
    CHECK(error->kind() == Errc::protocol);
    CHECK_FALSE(peer->tls_established());
    CHECK(peer->received() == p.sent_before_tls);
  }
}

TEST_CASE("Security 9: bad certificates on STARTTLS and on implicit TLS name the reason",
          "[security]") {
  const TestPki& pki = TestPki::get();
  struct Case {
    const TestCert* cert;
    const char* reason;
  };
  const Case cases[] = {{&pki.expired, "expired"},
                        {&pki.wrong_host, "host name mismatch"},
                        {&pki.self_signed, "self-signed"},
                        {&pki.unknown_issuer, "unknown issuer"}};
  for (const Protocol& p : protocols()) {
    for (const Case& c : cases) {
      INFO(p.name << ", " << c.reason);
      {
        auto peer = with_certificate(ScriptedPeer::parse(p.starttls_script + "S: " + p.go_ahead +
                                                         "\n!starttls\n" + p.after_tls),
                                     *c.cert);
        const auto error = run(p, peer, Security::StartTls);
        REQUIRE(error);
        CHECK(error->kind() == Errc::certificate);
        CHECK_THAT(error->what(), Catch::Contains(c.reason));
        CHECK(peer->received() == p.sent_before_tls);
      }
      {
        auto peer =
            with_certificate(ScriptedPeer::parse("!starttls\nS: " + p.greeting + "\n"), *c.cert);
        const auto error = run(p, peer, Security::Tls);
        REQUIRE(error);
        CHECK(error->kind() == Errc::certificate);
        CHECK_THAT(error->what(), Catch::Contains(c.reason));
        CHECK(peer->received().empty());
      }
    }
  }
}

TEST_CASE("Security 9: an implicit-TLS port that speaks plaintext is a TLS error, no fallback",
          "[security]") {
  for (const Protocol& p : protocols()) {
    INFO(p.name);
    auto peer = ScriptedPeer::parse("S: " + p.greeting + "\n");
    const auto error = run(p, peer, Security::Tls);
    REQUIRE(error);
    CHECK(error->kind() == Errc::tls);
    // Only the ClientHello left; no command was sent in the clear.
    CHECK(peer->received().find("\r\n") == std::string::npos);
  }
}

TEST_CASE("Security 15: a server dripping one byte at a time meets the operation's deadline",
          "[security]") {
  // 40 bytes at 50 ms each would take 2 s; the deadline is 300 ms for the whole greeting. A
  // deadline reset by every byte would read the whole line and then fail differently.
  for (const Protocol& p : protocols()) {
    INFO(p.name);
    auto peer = ScriptedPeer::make();
    peer->drip(p.greeting + std::string(40 - p.greeting.size(), 'x') + "\r\n", 50);
    const auto error = run(p, peer, Security::None, 300ms);
    REQUIRE(error);
    CHECK(error->kind() == Errc::timeout);
  }
}

namespace {

// Bytes that arrive steadily but slower than any deadline: `count` copies of `unit`.
std::string repeated(std::string_view unit, int count) {
  std::string out;
  for (int i = 0; i < count; ++i)
    out += unit;
  return out;
}

}  // namespace

TEST_CASE("Security 55: a drip inside a literal or a body meets the operation's deadline",
          "[security]") {
  // 40 octets at 50 ms each take 2 s; the deadline is 300 ms. The literal's allowance grows
  // only with the octets that arrived (16 KiB per second), so a drip cannot stretch it. After
  // the timeout the connection is gone: the next command is refused, nothing more is sent.
  SECTION("IMAP: a FETCH literal") {
    auto peer = ScriptedPeer::make();
    peer->send("* OK [CAPABILITY IMAP4rev1] ready").expect_any();
    peer->send_raw("* 1 FETCH (BODY[] {40}\r\n").drip(std::string(40, 'x'), 50);
    TestServer server([&] { return peer; });
    ImapClient client(options_for<ImapOptions>(Security::None, 300ms));
    client.connect("127.0.0.1", server.port());
    const auto first = error_of([&] { client.noop(); });
    CHECK(first.kind() == Errc::timeout);
    const std::size_t sent = peer->received().size();
    const auto second = error_of([&] { client.noop(); });
    CHECK(second.kind() == Errc::connect);
    CHECK_THAT(second.what(), Catch::Contains("earlier failure"));
    CHECK(peer->received().size() == sent);
  }
  SECTION("POP3: a RETR body") {
    auto peer = ScriptedPeer::parse(R"(
      S: +OK ready
      C: CAPA
      S: +OK
      S: USER
      S: .
      C: RETR 1
      S: +OK 40 octets
    )");
    peer->drip(std::string(38, 'x') + "\r\n", 50);
    TestServer server([&] { return peer; });
    Pop3Client client(options_for<Pop3Options>(Security::None, 300ms));
    client.connect("127.0.0.1", server.port());
    const auto first = error_of([&] { client.retr(1); });
    CHECK(first.kind() == Errc::timeout);
    const std::size_t sent = peer->received().size();
    const auto second = error_of([&] { client.retr(1); });
    CHECK(second.kind() == Errc::connect);
    CHECK_THAT(second.what(), Catch::Contains("earlier failure"));
    CHECK(peer->received().size() == sent);
  }
}

TEST_CASE("Security 55: whole lines that never end the reply meet the operation's deadline",
          "[security]") {
  // 30 short lines at 10 ms per octet: each line is done in 60 ms, the stream in 1.8 s, then
  // the server closes. A deadline reset by every line would last until the close and report a
  // lost connection; the operation's deadline (300 ms) must end it first, as a timeout.
  SECTION("IMAP: untagged responses and no tagged completion") {
    auto peer = ScriptedPeer::make();
    peer->send("* OK [CAPABILITY IMAP4rev1] ready").expect_any();
    peer->drip(repeated("* OK\r\n", 30), 10).close();
    TestServer server([&] { return peer; });
    ImapClient client(options_for<ImapOptions>(Security::None, 300ms));
    client.connect("127.0.0.1", server.port());
    const auto error = error_of([&] { client.noop(); });
    CHECK(error.kind() == Errc::timeout);
  }
  SECTION("SMTP: continuation lines of one reply") {
    auto peer = ScriptedPeer::parse(R"(
      S: 220 mx.example ESMTP
      C: EHLO client.example
    )");
    peer->drip(repeated("250-x\r\n", 30), 10).close();
    TestServer server([&] { return peer; });
    auto options = options_for<SmtpOptions>(Security::None, 300ms);
    options.helo_name = "client.example";
    SmtpClient client(options);
    const auto error = error_of([&] { client.connect("127.0.0.1", server.port()); });
    CHECK(error.kind() == Errc::timeout);
    CHECK_FALSE(client.is_connected());
  }
  SECTION("POP3: lines of a listing without its final dot") {
    auto peer = ScriptedPeer::parse(R"(
      S: +OK ready
      C: CAPA
      S: +OK
      S: USER
      S: .
      C: UIDL
      S: +OK
    )");
    peer->drip(repeated("1 a\r\n", 30), 10).close();
    TestServer server([&] { return peer; });
    Pop3Client client(options_for<Pop3Options>(Security::None, 300ms));
    client.connect("127.0.0.1", server.port());
    const auto error = error_of([&] { client.uidl(); });
    CHECK(error.kind() == Errc::timeout);
  }
}

TEST_CASE("Security 16: TLS ended without close_notify in the middle of a reply is an error",
          "[security]") {
  SECTION("SMTP greeting cut mid-reply") {
    auto peer = ScriptedPeer::parse("!starttls\nS~ 220-mx.example\\r\\n220-more\n!cut\n");
    const auto error = run(protocols()[0], peer, Security::Tls);
    REQUIRE(error);
    CHECK(error->kind() == Errc::connect);
  }
  SECTION("SMTP: cut after the final dot: delivery status unknown, never success") {
    auto peer = ScriptedPeer::parse(R"(
      !starttls
      S: 220 mx.example ESMTP
      C: EHLO client.example
      S: 250 mx.example
      C: MAIL FROM:<from@example.org>
      S: 250 ok
      C: RCPT TO:<to@example.org>
      S: 250 ok
      C: DATA
      S: 354 go on
      C~ Subject: x\r\n\r\nhello\r\n.\r\n
      !cut
    )");
    TestServer server([&] { return peer; });
    auto options = options_for<SmtpOptions>(Security::Tls, 10s);
    options.helo_name = "client.example";
    SmtpClient client(options);
    client.connect("127.0.0.1", server.port());
    SmtpEnvelope envelope;
    envelope.sender = "from@example.org";
    envelope.recipients = {"to@example.org"};
    try {
      client.send(envelope, "Subject: x\r\n\r\nhello\r\n");
      FAIL("send() succeeded although the server never answered the data");
    } catch (const Error& e) {
      CHECK(e.kind() == Errc::connect);
      CHECK_THAT(e.what(), Catch::Contains("delivery status unknown"));
    }
  }
  SECTION("IMAP: cut inside a literal") {
    auto peer = ScriptedPeer::parse(R"(
      !starttls
      S: * OK [CAPABILITY IMAP4rev1] ready
      C: A001 LOGIN alice secret
      S~ * 1 FETCH (BODY[] {50}\r\nonly part
      !cut
    )");
    const auto error = run(protocols()[1], peer, Security::Tls);
    REQUIRE(error);
    CHECK(error->kind() == Errc::connect);
  }
  SECTION("POP3: cut inside a multi-line reply") {
    auto peer = ScriptedPeer::parse(R"(
      !starttls
      S: +OK ready
      C: CAPA
      S~ +OK\r\nUSER\r\n
      !cut
    )");
    const auto error = run(protocols()[2], peer, Security::Tls);
    REQUIRE(error);
    CHECK(error->kind() == Errc::connect);
  }
}
