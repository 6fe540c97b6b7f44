// SmtpClient against scripted servers: exact client bytes, STARTTLS policy, pipelining,
// partial failures, size and capability checks, hostile servers.

#include "support/error_of.hpp"
#include "support/scripted_peer.hpp"
#include "support/test_pki.hpp"

#include <mailwire/error.hpp>
#include <mailwire/smtp_client.hpp>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

using namespace mailwire;
using namespace mailwire::test;

namespace {

SmtpOptions plain_options() {
  SmtpOptions options;
  options.security = Security::None;
  options.allow_plaintext_auth = true;
  options.helo_name = "client.example";
  return options;
}

SmtpOptions tls_options() {
  SmtpOptions options;  // Auto over a given transport: STARTTLS required
  options.tls.ca_file = TestPki::get().ca_file;
  options.helo_name = "client.example";
  return options;
}

const std::string hello_pipelining = R"(
  S: 220 mx.example ESMTP
  C: EHLO client.example
  S: 250-mx.example
  S: 250-PIPELINING
  S: 250-SIZE 1000
  S: 250-8BITMIME
  S: 250 ENHANCEDSTATUSCODES
)";

SmtpEnvelope envelope(std::vector<std::string> to) {
  SmtpEnvelope e;
  e.sender = "from@example.org";
  e.recipients = std::move(to);
  return e;
}

}  // namespace

TEST_CASE("SMTP: STARTTLS, EHLO again, AUTH, pipelined transaction, QUIT", "[smtp]") {
  auto peer = ScriptedPeer::parse(R"(
    S: 220 mx.example ESMTP ready
    C: EHLO client.example
    S: 250-mx.example
    S: 250-STARTTLS
    S: 250 AUTH PLAIN LOGIN X-BEFORE-TLS
    C: STARTTLS
    S: 220 2.0.0 Ready to start TLS
    !starttls
    C: EHLO client.example
    S: 250-mx.example
    S: 250-PIPELINING
    S: 250-SIZE 100000
    S: 250-ENHANCEDSTATUSCODES
    S: 250 AUTH LOGIN
    C: AUTH LOGIN
    S: 334 VXNlcm5hbWU6
    C: YWxpY2U=
    S: 334 UGFzc3dvcmQ6
    C: c2VjcmV0
    S: 235 2.7.0 Authentication successful
    C~ MAIL FROM:<from@example.org> SIZE=22\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n
    S: 250 2.1.0 Ok
    S: 250 2.1.5 Ok
    S: 250 2.1.5 Ok
    S: 354 End data with <CR><LF>.<CR><LF>
    C~ Subject: hi\r\n\r\n..dot\r\nbare\r\n.\r\n
    S: 250 2.0.0 Ok: queued as 12345
    C: QUIT
    S: 221 2.0.0 Bye
  )");
  SmtpClient client(tls_options());
  client.connect(peer->transport(), "localhost");
  CHECK(client.is_encrypted());
  // Only the post-TLS capabilities count: AUTH LOGIN, not PLAIN from before TLS.
  CHECK(client.capabilities().auth == std::vector<std::string>{"LOGIN"});
  client.login("alice", "secret");
  const SmtpSendResult result =
      client.send(envelope({"a@example.com", "b@example.com"}), "Subject: hi\n\n.dot\nbare");
  CHECK(result.all_accepted());
  CHECK(result.reply.code == 250);
  CHECK(result.reply.enhanced == "2.0.0");
  client.quit();
  CHECK(peer->finished());
}

TEST_CASE("SMTP: STARTTLS required but absent or refused: nothing else is sent",
          "[smtp][security]") {
  SECTION("not offered") {
    auto peer = ScriptedPeer::parse(
        "S: 220 mx\nC: EHLO client.example\nS: 250-mx\nS: 250 AUTH PLAIN\nC: QUIT\nS: 221 bye\n");
    SmtpClient client(tls_options());
    CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() == Errc::tls);
    CHECK(peer->received() == "EHLO client.example\r\nQUIT\r\n");
  }
  SECTION("refused with 454") {
    auto peer = ScriptedPeer::parse(
        "S: 220 mx\nC: EHLO client.example\nS: 250-mx\nS: 250 STARTTLS\nC: STARTTLS\n"
        "S: 454 4.7.0 TLS not available due to temporary reason\n");
    SmtpClient client(tls_options());
    CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() == Errc::tls);
    CHECK(peer->finished());
  }
  SECTION("EHLO refused: HELO has no STARTTLS, TLS still required") {
    auto peer = ScriptedPeer::parse(
        "S: 220 mx\nC: EHLO client.example\nS: 502 5.5.2 what?\nC: HELO client.example\n"
        "S: 250 mx\nC: QUIT\nS: 221 bye\n");
    SmtpClient client(tls_options());
    CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() == Errc::tls);
    CHECK(peer->finished());
  }
  SECTION("replies injected with the go-ahead") {
    auto peer = ScriptedPeer::make();
    peer->send("220 mx")
        .expect("EHLO client.example")
        .send("250-mx")
        .send("250 STARTTLS")
        .expect("STARTTLS")
        .send_raw("220 Ready\r\n250 AUTH PLAIN\r\n");
    SmtpClient client(tls_options());
    const Error e = error_of([&] { client.connect(peer->transport(), "localhost"); });
    CHECK(e.kind() == Errc::protocol);
    CHECK_FALSE(peer->tls_established());
    CHECK(peer->received() == "EHLO client.example\r\nSTARTTLS\r\n");
  }
  SECTION("credentials over plaintext need consent") {
    auto peer =
        ScriptedPeer::parse("S: 220 mx\nC: EHLO client.example\nS: 250-mx\nS: 250 AUTH PLAIN\n");
    SmtpOptions options = plain_options();
    options.allow_plaintext_auth = false;
    SmtpClient client(options);
    client.connect(peer->transport(), "localhost");
    CHECK(error_of([&] { client.login("alice", "secret"); }).kind() == Errc::usage);
    CHECK(peer->received() == "EHLO client.example\r\n");
  }
}

TEST_CASE("SMTP: partial recipients are data, total rejection is an error", "[smtp]") {
  SECTION("one of two rejected") {
    auto peer = ScriptedPeer::parse(hello_pipelining + R"(
      C~ MAIL FROM:<from@example.org> SIZE=6\r\nRCPT TO:<good@example.com>\r\nRCPT TO:<bad@example.com>\r\nDATA\r\n
      S: 250 2.1.0 Ok
      S: 250 2.1.5 Ok
      S: 550 5.1.1 <bad@example.com>: Recipient address rejected: User unknown
      S: 354 go
      C~ body\r\n.\r\n
      S: 250 2.0.0 queued
    )");
    SmtpClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    const auto result = client.send(envelope({"good@example.com", "bad@example.com"}), "body\r\n");
    REQUIRE(result.recipients.size() == 2);
    CHECK(result.recipients[0].accepted);
    CHECK_FALSE(result.recipients[1].accepted);
    CHECK(result.recipients[1].reply.code == 550);
    CHECK(result.recipients[1].reply.enhanced == "5.1.1");
    CHECK(result.accepted() == 1);
    CHECK(peer->finished());
  }
  SECTION("all rejected: error, RSET, and the session goes on") {
    auto peer = ScriptedPeer::parse(hello_pipelining + R"(
      C~ MAIL FROM:<from@example.org> SIZE=6\r\nRCPT TO:<bad@example.com>\r\nDATA\r\n
      S: 250 2.1.0 Ok
      S: 450 4.2.1 Mailbox busy, try later
      S: 554 5.5.1 Error: no valid recipients
      C: RSET
      S: 250 2.0.0 Ok
      C: NOOP
      S: 250 2.0.0 Ok
    )");
    SmtpClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.send(envelope({"bad@example.com"}), "body\r\n"); });
    CHECK(e.kind() == Errc::rejected);
    CHECK(e.is_transient());
    CHECK(e.diagnostics().reply_code == 450);
    CHECK_THAT(e.what(), Catch::Contains("RCPT TO:<bad@example.com> rejected: 450 4.2.1"));
    client.noop();
    CHECK(peer->finished());
  }
  SECTION("abort on a rejected recipient: DATA is never sent") {
    auto peer = ScriptedPeer::parse(hello_pipelining + R"(
      C~ MAIL FROM:<from@example.org> SIZE=6\r\nRCPT TO:<good@example.com>\r\nRCPT TO:<bad@example.com>\r\n
      S: 250 Ok
      S: 250 Ok
      S: 550 no
      C: RSET
      S: 250 Ok
    )");
    SmtpOptions options = plain_options();
    options.abort_on_rejected_recipient = true;
    SmtpClient client(options);
    client.connect(peer->transport(), "localhost");
    CHECK(error_of([&] {
            client.send(envelope({"good@example.com", "bad@example.com"}), "body\r\n");
          }).kind() == Errc::rejected);
    CHECK(peer->finished());
    CHECK(peer->received().find("DATA") == std::string::npos);
  }
}

TEST_CASE("SMTP: checks before the first byte of a transaction", "[smtp]") {
  auto peer = ScriptedPeer::parse(hello_pipelining);
  SmtpClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  const std::size_t before = peer->received().size();
  // SIZE 1000 is advertised: a bigger message is refused locally.
  CHECK(error_of([&] {
          client.send(envelope({"a@example.com"}), std::string(2000, 'x'));
        }).kind() == Errc::rejected);
  // CR LF in an address cannot inject a command.
  CHECK(error_of([&] {
          client.send(envelope({"a@example.com>\r\nRCPT TO:<evil@example.com"}), "x");
        }).kind() == Errc::usage);
  SmtpEnvelope bad_sender = envelope({"a@example.com"});
  bad_sender.sender = "me@example.org\r\nRSET";
  CHECK(error_of([&] { client.send(bad_sender, "x"); }).kind() == Errc::usage);
  // Non-ASCII addresses need SMTPUTF8, which this server lacks.
  CHECK(error_of([&] { client.send(envelope({"j\xc3\xb6rg@example.com"}), "x"); }).kind() ==
        Errc::rejected);
  // NUL bytes need BINARYMIME + CHUNKING.
  CHECK(error_of([&] {
          client.send(envelope({"a@example.com"}), std::string("a\0b", 3));
        }).kind() == Errc::rejected);
  CHECK(peer->received().size() == before);
}

TEST_CASE("SMTP: a non-ASCII domain goes as A-labels without SMTPUTF8, as UTF-8 with it",
          "[smtp]") {
  // RFC 5890/5891: the domain has an ASCII form; the local part has none (RFC 6531).
  SECTION("without SMTPUTF8") {
    auto peer = ScriptedPeer::parse(hello_pipelining + R"(
      C~ MAIL FROM:<from@xn--bcher-kva.example> SIZE=1\r\nRCPT TO:<user@xn--mnchen-3ya.example>\r\nRCPT TO:<a@example.com>\r\nDATA\r\n
      S: 250 Ok
      S: 250 Ok
      S: 250 Ok
      S: 354 go
      C~ x\r\n.\r\n
      S: 250 Ok
    )");
    SmtpClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    SmtpEnvelope e = envelope({"user@m\xc3\xbcnchen.example", "a@example.com"});
    e.sender =
        "from@b\xc3\xbc"
        "cher.example";
    client.send(e, "x");
    CHECK(peer->finished());
    // A local part that is not ASCII has no other form: refused before any byte.
    const std::size_t before = peer->received().size();
    CHECK(error_of([&] { client.send(envelope({"j\xc3\xb6rg@example.com"}), "x"); }).kind() ==
          Errc::rejected);
    CHECK(peer->received().size() == before);
  }
  SECTION("with SMTPUTF8") {
    auto peer = ScriptedPeer::parse(R"(
      S: 220 mx.example ESMTP
      C: EHLO client.example
      S: 250-mx.example
      S: 250-PIPELINING
      S: 250-8BITMIME
      S: 250 SMTPUTF8
      C~ MAIL FROM:<from@example.org> SMTPUTF8\r\nRCPT TO:<j\xc3\xb6rg@m\xc3\xbcnchen.example>\r\nDATA\r\n
      S: 250 Ok
      S: 250 Ok
      S: 354 go
      C~ x\r\n.\r\n
      S: 250 Ok
    )");
    SmtpClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    client.send(envelope({"j\xc3\xb6rg@m\xc3\xbcnchen.example"}), "x");
    CHECK(peer->finished());
  }
}

TEST_CASE("SMTP: 8-bit bodies use BODY=8BITMIME, or are refused without it", "[smtp]") {
  auto peer = ScriptedPeer::parse(hello_pipelining + R"(
    C~ MAIL FROM:<from@example.org> SIZE=6 BODY=8BITMIME\r\nRCPT TO:<a@example.com>\r\nDATA\r\n
    S: 250 Ok
    S: 250 Ok
    S: 354 go
    C~ caf\xc3\xa9\r\n.\r\n
    S: 250 Ok
  )");
  SmtpClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  client.send(envelope({"a@example.com"}), "caf\xc3\xa9\n");
  CHECK(peer->finished());

  auto old = ScriptedPeer::parse("S: 220 old\nC: EHLO client.example\nS: 250 old\n");
  SmtpClient old_client(plain_options());
  old_client.connect(old->transport(), "localhost");
  CHECK_THAT(error_of([&] { old_client.send(envelope({"a@example.com"}), "caf\xc3\xa9"); }).what(),
             Catch::Contains("8BITMIME"));
}

TEST_CASE("SMTP: without PIPELINING, one command at a time", "[smtp]") {
  auto peer = ScriptedPeer::parse(R"(
    S: 220 mx
    C: EHLO client.example
    S: 250 mx
    C: MAIL FROM:<>
    S: 250 Ok
    C: RCPT TO:<Postmaster>
    S: 250 Ok
    C: DATA
    S: 354 go
    C~ bounce\r\n.\r\n
    S: 250 Ok
  )");
  SmtpClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  SmtpEnvelope e;
  e.recipients = {"Postmaster"};  // null sender, postmaster without domain
  client.send(e, "bounce");
  CHECK(peer->finished());
}

TEST_CASE("SMTP: failures after the data", "[smtp]") {
  SECTION("4xx: transient, RSET, usable") {
    auto peer = ScriptedPeer::parse(hello_pipelining + R"(
      C~ MAIL FROM:<from@example.org> SIZE=1\r\nRCPT TO:<a@example.com>\r\nDATA\r\n
      S: 250 Ok
      S: 250 Ok
      S: 354 go
      C~ x\r\n.\r\n
      S: 451 4.3.0 Temporary queue failure
      C: RSET
      S: 250 Ok
    )");
    SmtpClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.send(envelope({"a@example.com"}), "x"); });
    CHECK(e.kind() == Errc::rejected);
    CHECK(e.is_transient());
    CHECK_FALSE(e.is_fatal());
    CHECK(peer->finished());
  }
  SECTION("the connection drops after the final dot: delivery status unknown") {
    auto peer = ScriptedPeer::parse(hello_pipelining + R"(
      C~ MAIL FROM:<from@example.org> SIZE=1\r\nRCPT TO:<a@example.com>\r\nDATA\r\n
      S: 250 Ok
      S: 250 Ok
      S: 354 go
      C~ x\r\n.\r\n
      !close
    )");
    SmtpClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.send(envelope({"a@example.com"}), "x"); });
    CHECK(e.kind() == Errc::connect);
    CHECK(e.is_fatal());
    CHECK_THAT(e.what(), Catch::Contains("delivery status unknown"));
  }
  SECTION("the server closes in the middle of the data") {
    auto peer = ScriptedPeer::parse(hello_pipelining + R"(
      C~ MAIL FROM:<from@example.org> SIZE=1\r\nRCPT TO:<a@example.com>\r\nDATA\r\n
      S: 250 Ok
      S: 250 Ok
      S: 354 go
      !reset
    )");
    SmtpClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    CHECK(error_of([&] { client.send(envelope({"a@example.com"}), "x"); }).kind() == Errc::connect);
  }
}

TEST_CASE("SMTP: hostile and broken servers", "[smtp][security]") {
  SECTION("a 554 greeting") {
    auto peer = ScriptedPeer::parse("S: 554 5.7.1 go away\n");
    SmtpClient client(plain_options());
    const Error e = error_of([&] { client.connect(peer->transport(), "localhost"); });
    CHECK(e.kind() == Errc::rejected);
    CHECK(e.diagnostics().reply_code == 554);
  }
  SECTION("mixed codes in one reply") {
    auto peer = ScriptedPeer::parse("S: 220-mx\nS: 250 surprise\n");
    SmtpClient client(plain_options());
    CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() ==
          Errc::protocol);
  }
  SECTION("an endless reply line") {
    auto peer = ScriptedPeer::make();
    for (int i = 0; i < 100; ++i)
      peer->send_raw("220 " + std::string(8192, 'x'));
    SmtpClient client(plain_options());
    CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() == Errc::limit);
  }
  SECTION("a reply of endless lines") {
    auto peer = ScriptedPeer::make();
    for (int i = 0; i < 2000; ++i)
      peer->send("220-more");
    SmtpClient client(plain_options());
    CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() == Errc::limit);
  }
  SECTION("a server that never answers") {
    auto peer = ScriptedPeer::parse("!stall\n");
    SmtpClient client(plain_options());
    CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() ==
          Errc::timeout);
  }
}

TEST_CASE("SMTP AUTH: refusal, bad challenges, redaction", "[smtp][sasl]") {
  const std::string start =
      "S: 220 mx\nC: EHLO client.example\nS: 250-mx\nS: 250 AUTH PLAIN LOGIN\n";
  SECTION("535") {
    auto peer = ScriptedPeer::parse(
        start +
        "C: AUTH PLAIN AGFsaWNlAHdyb25n\nS: 535 5.7.8 Authentication credentials invalid\n");
    std::string log;
    SmtpOptions options = plain_options();
    options.log = [&](LogDirection, std::string_view b) { log += b; };
    SmtpClient client(options);
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.login("alice", "wrong"); });
    CHECK(e.kind() == Errc::auth);
    CHECK(e.diagnostics().enhanced_code == "5.7.8");
    CHECK(log.find("AGFsaWNl") == std::string::npos);
  }
  SECTION("a challenge that is not base64 is cancelled with *") {
    auto peer =
        ScriptedPeer::parse(start + "C: AUTH LOGIN\nS: 334 %%%\nC: *\nS: 501 5.7.0 cancelled\n");
    SmtpClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    SaslCredentials c;
    c.user = "alice";
    c.password = "secret";
    CHECK(error_of([&] { client.authenticate(c, "LOGIN"); }).kind() == Errc::auth);
    CHECK(peer->finished());
  }
}

TEST_CASE("SMTP: BDAT for binary bodies and DSN parameters", "[smtp]") {
  auto peer = ScriptedPeer::parse(R"(
    S: 220 mx
    C: EHLO client.example
    S: 250-mx
    S: 250-CHUNKING
    S: 250-BINARYMIME
    S: 250 DSN
    C: MAIL FROM:<from@example.org> BODY=BINARYMIME RET=HDRS ENVID=id+2B1
    S: 250 Ok
    C: RCPT TO:<a@example.com> NOTIFY=FAILURE,DELAY ORCPT=rfc822;a@example.com
    S: 250 Ok
    C~ BDAT 4 LAST\r\na\x00b\n
    S: 250 Ok: 4 bytes
  )");
  SmtpClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  SmtpEnvelope e = envelope({"a@example.com"});
  e.dsn_notify = "FAILURE,DELAY";
  e.dsn_ret = "HDRS";
  e.dsn_envid = "id+1";
  const auto result = client.send(e, std::string("a\0b\n", 4));
  CHECK(result.reply.lines[0] == "Ok: 4 bytes");
  CHECK(peer->finished());
}

TEST_CASE("SMTP: a binary body larger than one BDAT chunk, each chunk's reply checked",
          "[smtp][security]") {
  // Case 42: exact chunk sizes, the reply to every chunk read before the next, the last chunk
  // sent as BDAT n LAST.
  // A BINARYMIME body goes as its bytes (RFC 3030: binary content may hold any octet, bare LF
  // included; no end-of-data marker exists for it to smuggle).
  std::string body(64 * 1024 + 10, '\n');
  body[0] = '\0';
  body[64 * 1024] = '.';
  const auto hello = [](ScriptedPeer& peer) {
    peer.send("220 mx")
        .expect("EHLO client.example")
        .send("250-mx")
        .send("250-CHUNKING")
        .send("250 BINARYMIME")
        .expect("MAIL FROM:<from@example.org> BODY=BINARYMIME")
        .send("250 Ok")
        .expect("RCPT TO:<a@example.com>")
        .send("250 Ok");
  };
  SECTION("accepted") {
    auto peer = ScriptedPeer::make();
    hello(*peer);
    peer->expect_raw("BDAT 65536\r\n" + body.substr(0, 65536))
        .send("250 2.0.0 first chunk")
        .expect_raw("BDAT 10 LAST\r\n" + body.substr(65536))
        .send("250 2.0.0 queued");
    SmtpClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    const auto result = client.send(envelope({"a@example.com"}), body);
    CHECK(result.reply.lines[0] == "queued");
    CHECK(peer->finished());
  }
  SECTION("the first chunk refused: nothing more is sent") {
    auto peer = ScriptedPeer::make();
    hello(*peer);
    peer->expect_raw("BDAT 65536\r\n" + body.substr(0, 65536)).send("552 5.3.4 too much").close();
    SmtpClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.send(envelope({"a@example.com"}), body); });
    CHECK(e.kind() == Errc::rejected);
    CHECK(e.diagnostics().reply_code == 552);
    CHECK(peer->received().find("BDAT 10") == std::string::npos);
  }
}

TEST_CASE("LMTP: one reply per recipient after the data", "[smtp][lmtp]") {
  auto peer = ScriptedPeer::parse(R"(
    S: 220 lmtp ready
    C: LHLO client.example
    S: 250-lmtp
    S: 250 PIPELINING
    C~ MAIL FROM:<from@example.org>\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n
    S: 250 Ok
    S: 250 Ok
    S: 250 Ok
    S: 354 go
    C~ x\r\n.\r\n
    S: 250 2.0.0 <a@example.com> Saved
    S: 452 4.2.2 <b@example.com> Mailbox full
  )");
  SmtpOptions options = plain_options();
  options.lmtp = true;
  SmtpClient client(options);
  client.connect(peer->transport(), "localhost");
  const auto result = client.send(envelope({"a@example.com", "b@example.com"}), "x");
  CHECK(result.recipients[0].accepted);
  CHECK_FALSE(result.recipients[1].accepted);
  CHECK(result.recipients[1].reply.code == 452);
  CHECK(peer->finished());
}

TEST_CASE("SMTP XOAUTH2: an expired token is refreshed once", "[smtp][sasl]") {
  // base64("user=me@example.com\1auth=Bearer old\1\1") and the same with "new".
  auto peer = ScriptedPeer::parse(R"(
    S: 220 mx
    C: EHLO client.example
    S: 250-mx
    S: 250 AUTH XOAUTH2
    C: AUTH XOAUTH2 dXNlcj1tZUBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciBvbGQBAQ==
    S: 334 eyJzdGF0dXMiOiI0MDEifQ==
    C:
    S: 535 5.7.8 Username and Password not accepted
    C: AUTH XOAUTH2 dXNlcj1tZUBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciBuZXcBAQ==
    S: 235 2.7.0 Accepted
  )");
  SmtpClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  SaslCredentials c;
  c.user = "me@example.com";
  c.oauth2_token = "old";
  int refreshed = 0;
  c.refresh_oauth2_token = [&] {
    ++refreshed;
    return std::string("new");
  };
  client.authenticate(c);
  CHECK(refreshed == 1);
  CHECK(peer->finished());
}

TEST_CASE("SMTP send(message): envelope from the builder, Bcc only in the envelope",
          "[smtp][mime]") {
  mime::MessageBuilder message;
  message.from("Billing <billing@example.org>")
      .to("a@example.com")
      .bcc("secret@example.com")
      .subject("Invoice")
      .text("See attached.\n")
      .message_id("<fixed@example.org>")
      .date(0);
  // Fixed Message-ID and Date make the output repeatable; no line of it starts with '.', so
  // it goes on the wire unchanged.
  const std::string dotted = message.to_string();
  REQUIRE(dotted.find("\r\n.") == std::string::npos);
  auto peer = ScriptedPeer::make();
  peer->send("220 mx")
      .expect("EHLO client.example")
      .send("250-mx")
      .send("250 PIPELINING")
      .expect_raw(fmt::format("MAIL FROM:<billing@example.org>\r\nRCPT TO:<a@example.com>\r\n"
                              "RCPT TO:<secret@example.com>\r\nDATA\r\n"))
      .send("250 Ok")
      .send("250 Ok")
      .send("250 Ok")
      .send("354 go")
      .expect_raw(dotted + ".\r\n")
      .send("250 Ok");
  SmtpClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  const auto result = client.send(message);
  CHECK(result.recipients.size() == 2);
  CHECK(peer->finished());
  CHECK(peer->received().find("Bcc") == std::string::npos);
}

TEST_CASE("SMTP send_file: envelope from the header, Bcc removed, body untouched", "[smtp][mime]") {
  const std::string path = "/tmp/mailwire-send-file-test.eml";
  {
    std::ofstream out(path, std::ios::binary);
    out << "From: Sender <s@example.org>\r\nTo: a@example.com, B <b@example.com>\r\n"
           "Bcc: hidden@example.com\r\nSubject: file\r\n\r\nbody line\r\n.dot\r\n";
  }
  auto peer = ScriptedPeer::parse(R"(
    S: 220 mx
    C: EHLO client.example
    S: 250 mx
    C: MAIL FROM:<s@example.org>
    S: 250 Ok
    C: RCPT TO:<a@example.com>
    S: 250 Ok
    C: RCPT TO:<b@example.com>
    S: 250 Ok
    C: RCPT TO:<hidden@example.com>
    S: 250 Ok
    C: DATA
    S: 354 go
    C~ From: Sender <s@example.org>\r\nTo: a@example.com, B <b@example.com>\r\nSubject: file\r\n\r\nbody line\r\n..dot\r\n.\r\n
    S: 250 Ok
  )");
  SmtpClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  client.send_file(path);
  CHECK(peer->finished());
  std::remove(path.c_str());
}
