// Pop3Client against scripted servers: exact client bytes, STLS policy, errors, hostile replies.

#include "support/error_of.hpp"
#include "support/scripted_peer.hpp"
#include "support/test_pki.hpp"

#include <mailwire/error.hpp>
#include <mailwire/pop3_client.hpp>

#include <catch2/catch.hpp>

using namespace mailwire;
using namespace mailwire::test;

namespace {

Pop3Options plain_options() {
  Pop3Options options;
  options.security = Security::None;
  options.allow_plaintext_auth = true;
  return options;
}

Pop3Options tls_options() {
  Pop3Options options;  // Auto over a given transport: STLS required
  options.tls.ca_file = TestPki::get().ca_file;
  return options;
}

constexpr const char* plain_start = R"(
  S: +OK POP3 ready
  C: CAPA
  S: +OK
  S: USER
  S: UIDL
  S: TOP
  S: .
)";

}  // namespace

TEST_CASE("POP3: STLS, capabilities asked again, USER/PASS, STAT, QUIT", "[pop3]") {
  auto peer = ScriptedPeer::parse(R"(
    S: +OK POP3 ready
    C: CAPA
    S: +OK Capability list follows
    S: STLS
    S: SASL PLAIN
    S: X-BEFORE-TLS
    S: .
    C: STLS
    S: +OK Begin TLS negotiation
    !starttls
    C: CAPA
    S: +OK
    S: USER
    S: UIDL
    S: PIPELINING
    S: .
    C: USER alice
    S: +OK
    C: PASS open sesame
    S: +OK maildrop locked and ready
    C: STAT
    S: +OK 2 320
    C: QUIT
    S: +OK bye
  )");
  Pop3Client client(tls_options());
  client.connect(peer->transport(), "localhost");
  CHECK(client.is_encrypted());
  // What was said before TLS is forgotten.
  const auto& lines = client.capabilities().lines;
  CHECK(std::find(lines.begin(), lines.end(), "X-BEFORE-TLS") == lines.end());
  CHECK(client.capabilities().sasl.empty());
  CHECK(client.capabilities().pipelining);
  client.login("alice", "open sesame");
  const Pop3Stat stat = client.stat();
  CHECK(stat.count == 2);
  CHECK(stat.size == 320);
  client.quit();
  CHECK(peer->finished());
}

TEST_CASE("POP3: STLS required but not offered: no credentials leave", "[pop3][security]") {
  Pop3Client client(tls_options());
  // The server did not advertise STLS; the client does not try it either (CAPA worked).
  auto quiet = ScriptedPeer::parse(plain_start);
  const Error e = error_of([&] { client.connect(quiet->transport(), "localhost"); });
  CHECK(e.kind() == Errc::tls);
  CHECK_THAT(e.what(), Catch::Contains("STLS"));
  CHECK(quiet->received() == "CAPA\r\n");
}

TEST_CASE("POP3: STLS refused while required is a TLS error", "[pop3][security]") {
  auto peer = ScriptedPeer::parse(R"(
    S: +OK ready
    C: CAPA
    S: +OK
    S: STLS
    S: .
    C: STLS
    S: -ERR [SYS/TEMP] TLS is broken today
  )");
  Pop3Client client(tls_options());
  const Error e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  CHECK(e.kind() == Errc::tls);
  CHECK(peer->finished());
  CHECK(peer->received() == "CAPA\r\nSTLS\r\n");
}

TEST_CASE("POP3: CAPA fails, TLS still required: STLS is tried anyway", "[pop3][security]") {
  auto peer = ScriptedPeer::parse(R"(
    S: +OK ready
    C: CAPA
    S: -ERR what?
    C: STLS
    S: -ERR what?
  )");
  Pop3Client client(tls_options());
  CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() == Errc::tls);
  CHECK(peer->finished());
}

TEST_CASE("POP3: replies injected with the STLS go-ahead are refused", "[pop3][security]") {
  auto peer = ScriptedPeer::make();
  peer->send("+OK ready")
      .expect("CAPA")
      .send("+OK")
      .send("STLS")
      .send(".")
      .expect("STLS")
      .send_raw("+OK begin TLS\r\n+OK logged in\r\n");
  Pop3Client client(tls_options());
  const Error e = error_of([&] { client.connect(peer->transport(), "localhost"); });
  CHECK(e.kind() == Errc::protocol);
  CHECK_THAT(e.what(), Catch::Contains("injection"));
  CHECK_FALSE(peer->tls_established());
  CHECK(peer->received() == "CAPA\r\nSTLS\r\n");
}

TEST_CASE("POP3: credentials over plaintext need the caller's consent", "[pop3][security]") {
  auto peer = ScriptedPeer::parse(plain_start);
  Pop3Options options = plain_options();
  options.allow_plaintext_auth = false;
  Pop3Client client(options);
  client.connect(peer->transport(), "localhost");
  const Error e = error_of([&] { client.login("alice", "secret"); });
  CHECK(e.kind() == Errc::usage);
  CHECK(peer->received() == "CAPA\r\n");
}

TEST_CASE("POP3: APOP digest (RFC 1939 section 7 example)", "[pop3]") {
  auto peer = ScriptedPeer::parse(R"(
    S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
    C: CAPA
    S: -ERR
    C: APOP mrose c4c9334bac560ecc979e58001b3e22fb
    S: +OK maildrop has 1 message (369 octets)
  )");
  Pop3Client client(plain_options());
  client.connect(peer->transport(), "localhost");
  client.login("mrose", "tanstaaf");  // plaintext with a timestamp: APOP, not PASS
  CHECK(peer->finished());
  CHECK(client.account() == "mrose@localhost");
}

TEST_CASE("POP3: the log never shows the password", "[pop3][security]") {
  auto peer = ScriptedPeer::parse(std::string(plain_start) +
                                  "C: USER alice\nS: +OK\nC: PASS hunter2\nS: +OK\n");
  Pop3Options options = plain_options();
  std::string log;
  options.log = [&](LogDirection, std::string_view bytes) { log += bytes; };
  Pop3Client client(options);
  client.connect(peer->transport(), "localhost");
  client.user_pass("alice", "hunter2");
  CHECK(log.find("hunter2") == std::string::npos);
  CHECK_THAT(log, Catch::Contains("PASS ****"));
}

TEST_CASE("POP3: login refusals are typed, with response codes", "[pop3]") {
  SECTION("bad password") {
    auto peer = ScriptedPeer::parse(std::string(plain_start) +
                                    "C: USER alice\nS: +OK\nC: PASS x\nS: -ERR [AUTH] nope\n");
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.user_pass("alice", "x"); });
    CHECK(e.kind() == Errc::auth);
    CHECK(e.diagnostics().response_code == "AUTH");
    CHECK_FALSE(e.is_transient());
    CHECK_THAT(e.what(), Catch::Contains("nope"));
  }
  SECTION("maildrop in use") {
    auto peer = ScriptedPeer::parse(std::string(plain_start) +
                                    "C: USER alice\nS: +OK\nC: PASS x\nS: -ERR [IN-USE] locked\n");
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.user_pass("alice", "x"); });
    CHECK(e.kind() == Errc::rejected);
    CHECK(e.is_transient());
  }
  SECTION("CR LF in the user name: nothing is sent") {
    auto peer = ScriptedPeer::parse(plain_start);
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    CHECK(error_of([&] { client.user_pass("alice\r\nDELE 1", "x"); }).kind() == Errc::usage);
    CHECK(peer->received() == "CAPA\r\n");
  }
}

TEST_CASE("POP3: listings, RETR unstuffed across segments, TOP", "[pop3]") {
  auto peer = ScriptedPeer::parse(std::string(plain_start) + R"(
    C: LIST
    S: +OK 2 messages
    S: 1 120
    S: 2 200
    S: .
    C: UIDL
    S: +OK
    S: 1 whqtswO00WBw418f9t5JxYwZ
    S: 2 QhdPYR:00WBw1Ph7x7
    S: .
    C: LIST 2
    S: +OK 2 200
    C: UIDL 9
    S: -ERR no such message
  )");
  peer->expect("RETR 1").split_send("+OK\r\nSubject: a\r\n\r\n..dot\r\n.\r\n", {5, 20, 21, 22});
  peer->expect("TOP 2 0").send_raw("+OK\r\nSubject: b\r\n\r\n.\r\n");
  Pop3Client client(plain_options());
  client.connect(peer->transport(), "localhost");
  const auto list = client.list();
  REQUIRE(list.size() == 2);
  CHECK(list[1].number == 2);
  CHECK(list[1].size == 200);
  const auto uidl = client.uidl();
  REQUIRE(uidl.size() == 2);
  CHECK(uidl[1].uid == "QhdPYR:00WBw1Ph7x7");
  CHECK(client.list(2)->size == 200);
  CHECK_FALSE(client.uidl(9));
  CHECK(client.retr(1) == "Subject: a\r\n\r\n.dot\r\n");
  std::string top;
  client.top(2, 0, [&](std::string_view chunk) { top += chunk; });
  CHECK(top == "Subject: b\r\n\r\n");
  CHECK(peer->finished());
}

TEST_CASE("POP3: DELE is pipelined when offered and every reply is read", "[pop3]") {
  auto peer = ScriptedPeer::parse(R"(
    S: +OK ready
    C: CAPA
    S: +OK
    S: PIPELINING
    S: .
    C~ DELE 1\r\nDELE 2\r\nDELE 3\r\n
    S~ +OK\r\n-ERR [SYS/PERM] message 2 is locked\r\n+OK\r\n
    C: NOOP
    S: +OK
  )");
  Pop3Client client(plain_options());
  client.connect(peer->transport(), "localhost");
  const Error e = error_of([&] { client.dele(std::vector<std::uint32_t>{1, 2, 3}); });
  CHECK(e.kind() == Errc::rejected);
  CHECK_THAT(e.what(), Catch::Contains("DELE 2"));
  client.noop();  // the session is still in step
  CHECK(peer->finished());
}

TEST_CASE("POP3: no QUIT without quit(): deletions roll back", "[pop3]") {
  auto peer = ScriptedPeer::parse(std::string(plain_start) + "C: DELE 1\nS: +OK marked\n");
  {
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    client.dele(1);
  }
  CHECK(peer->finished());
  CHECK(peer->received().find("QUIT") == std::string::npos);
  CHECK(peer->client_closed());
}

TEST_CASE("POP3: QUIT failures say what is known", "[pop3]") {
  SECTION("-ERR") {
    auto peer =
        ScriptedPeer::parse(std::string(plain_start) +
                            "C: QUIT\nS: -ERR [SYS/TEMP] some deleted messages not removed\n");
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.quit(); });
    CHECK(e.kind() == Errc::rejected);
    CHECK(e.is_transient());
  }
  SECTION("connection lost before the reply") {
    auto peer = ScriptedPeer::parse(std::string(plain_start) + "C: QUIT\n!close\n");
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.quit(); });
    CHECK(e.kind() == Errc::connect);
    CHECK_THAT(e.what(), Catch::Contains("unknown"));
  }
}

TEST_CASE("POP3: hostile and broken servers", "[pop3][security]") {
  SECTION("a message that never ends") {
    auto peer = ScriptedPeer::parse(std::string(plain_start) +
                                    "C: RETR 1\nS: +OK\nS: Subject: x\nS: body\n!close\n");
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    CHECK(error_of([&] { client.retr(1); }).kind() == Errc::connect);
  }
  SECTION("a server that stops answering mid-message") {
    auto peer = ScriptedPeer::parse(std::string(plain_start) +
                                    "C: RETR 1\nS: +OK\nS: Subject: x\n!stall\n");
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    CHECK(error_of([&] { client.retr(1); }).kind() == Errc::timeout);
  }
  SECTION("a status line without end") {
    auto peer = ScriptedPeer::parse(std::string(plain_start) + "C: STAT\n");
    for (int i = 0; i < 64; ++i)
      peer->send_raw(std::string(4096, '+'));
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    CHECK(error_of([&] { client.stat(); }).kind() == Errc::limit);
  }
  SECTION("+OK lies about sizes: the terminator decides") {
    auto peer = ScriptedPeer::parse(std::string(plain_start) +
                                    "C: RETR 1\nS: +OK 999999 octets\nS: short\nS: .\n");
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    CHECK(client.retr(1) == "short\r\n");
  }
  SECTION("garbage instead of a status") {
    auto peer = ScriptedPeer::parse(std::string(plain_start) + "C: STAT\nS: * OK imap?\n");
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    CHECK(error_of([&] { client.stat(); }).kind() == Errc::protocol);
  }
  SECTION("a malformed listing line") {
    auto peer =
        ScriptedPeer::parse(std::string(plain_start) + "C: LIST\nS: +OK\nS: one 12\nS: .\n");
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    CHECK(error_of([&] { client.list(); }).kind() == Errc::protocol);
  }
  SECTION("a greeting that is not POP3") {
    auto peer = ScriptedPeer::parse("S: 220 smtp.example.com ESMTP\n");
    Pop3Client client(plain_options());
    CHECK(error_of([&] { client.connect(peer->transport(), "localhost"); }).kind() ==
          Errc::protocol);
  }
  SECTION("-ERR greeting") {
    auto peer = ScriptedPeer::parse("S: -ERR [SYS/TEMP] overloaded\n");
    Pop3Client client(plain_options());
    const Error e = error_of([&] { client.connect(peer->transport(), "localhost"); });
    CHECK(e.kind() == Errc::rejected);
    CHECK(e.is_transient());
  }
}

TEST_CASE("POP3: a connected client can be moved and goes on", "[pop3]") {
  auto peer = ScriptedPeer::parse(std::string(plain_start) + R"(
    C: STAT
    S: +OK 2 320
    C: NOOP
    S: +OK
  )");
  Pop3Client client(plain_options());
  client.connect(peer->transport(), "localhost");
  Pop3Client moved(std::move(client));
  CHECK(moved.stat().count == 2);
  Pop3Client assigned(plain_options());
  assigned = std::move(moved);
  assigned.noop();
  CHECK(peer->finished());
}
