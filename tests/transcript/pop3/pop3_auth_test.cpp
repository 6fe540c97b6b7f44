// POP3 AUTH (RFC 5034) against scripted servers.

#include "support/scripted_peer.hpp"

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

std::string start(const std::string& sasl) {
  return "S: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: SASL " + sasl + "\nS: .\n";
}

}  // namespace

TEST_CASE("POP3 AUTH: login() prefers SASL and sends the initial response", "[pop3][sasl]") {
  // base64("\0alice\0secret") = AGFsaWNlAHNlY3JldA==
  auto peer = ScriptedPeer::parse(start("LOGIN PLAIN") +
                                  "C: AUTH PLAIN AGFsaWNlAHNlY3JldA==\nS: +OK welcome\n");
  std::string log;
  Pop3Options options = plain_options();
  options.log = [&](LogDirection, std::string_view bytes) { log += bytes; };
  Pop3Client client(options);
  client.connect(peer->transport(), "localhost");
  client.login("alice", "secret");
  CHECK(peer->finished());
  CHECK(log.find("AGFsaWNl") == std::string::npos);
  CHECK_THAT(log, Catch::Contains("AUTH PLAIN ****"));
}

TEST_CASE("POP3 AUTH: challenge and response rounds (LOGIN, CRAM-MD5)", "[pop3][sasl]") {
  SECTION("LOGIN") {
    auto peer = ScriptedPeer::parse(start("LOGIN") + R"(
      C: AUTH LOGIN
      S: + VXNlcm5hbWU6
      C: YWxpY2U=
      S: + UGFzc3dvcmQ6
      C: c2VjcmV0
      S: +OK
    )");
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    client.login("alice", "secret");
    CHECK(peer->finished());
  }
  SECTION("CRAM-MD5, RFC 2195 example") {
    auto peer = ScriptedPeer::parse(start("CRAM-MD5") + R"(
      C: AUTH CRAM-MD5
      S: + PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
      C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw
      S: +OK
    )");
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    SaslCredentials c;
    c.user = "tim";
    c.password = "tanstaaftanstaaf";
    client.authenticate(c, "CRAM-MD5");
    CHECK(peer->finished());
  }
}

TEST_CASE("POP3 AUTH: broken challenges cancel the exchange cleanly", "[pop3][sasl][security]") {
  SECTION("not base64") {
    auto peer = ScriptedPeer::parse(
        start("LOGIN") + "C: AUTH LOGIN\nS: + ***not base64***\nC: *\nS: -ERR cancelled\n");
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    try {
      client.login("alice", "secret");
      FAIL("login succeeded");
    } catch (const Error& e) {
      CHECK(e.kind() == Errc::auth);
      CHECK_THAT(e.what(), Catch::Contains("base64"));
    }
    CHECK(peer->finished());
    CHECK(peer->received().find("c2VjcmV0") == std::string::npos);  // password never sent
  }
  SECTION("a megabyte challenge is a limit error, not a crash") {
    auto peer = ScriptedPeer::parse(start("LOGIN") + "C: AUTH LOGIN\nS~ + \n");
    peer->send(std::string(1024 * 1024, 'A'));
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    try {
      client.login("alice", "secret");
      FAIL("login succeeded");
    } catch (const Error& e) {
      CHECK(e.kind() == Errc::limit);
    }
  }
  SECTION("refused with a response code") {
    auto peer = ScriptedPeer::parse(
        start("PLAIN") + "C: AUTH PLAIN AGFsaWNlAHg=\nS: -ERR [AUTH] Authentication failed.\n");
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    try {
      client.login("alice", "x");
      FAIL("login succeeded");
    } catch (const Error& e) {
      CHECK(e.kind() == Errc::auth);
      CHECK(e.diagnostics().response_code == "AUTH");
    }
  }
  SECTION("no common mechanism names what the server offers") {
    auto peer = ScriptedPeer::parse(start("GSSAPI"));
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "localhost");
    SaslCredentials c;
    c.user = "alice";
    c.password = "x";
    try {
      client.authenticate(c);
      FAIL("authenticated");
    } catch (const Error& e) {
      CHECK(e.kind() == Errc::auth);
      CHECK_THAT(e.what(), Catch::Contains("GSSAPI"));
    }
    CHECK(peer->received() == "CAPA\r\n");
  }
}
