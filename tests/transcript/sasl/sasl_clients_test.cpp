// The three clients share one SASL exchange: they agree on token refresh, the initial-response
// limits, a SCRAM server that cannot prove itself, and cancelling a bad challenge.

#include "detail/base64.hpp"
#include "support/error_of.hpp"
#include "support/scripted_peer.hpp"

#include <mailwire/error.hpp>
#include <mailwire/imap_client.hpp>
#include <mailwire/pop3_client.hpp>
#include <mailwire/smtp_client.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace mailwire;
using namespace mailwire::test;

namespace {

SmtpOptions smtp_options() {
  SmtpOptions options;
  options.security = Security::None;
  options.allow_plaintext_auth = true;
  options.helo_name = "client.example";
  return options;
}

ImapOptions imap_options() {
  ImapOptions options;
  options.security = Security::None;
  options.allow_plaintext_auth = true;
  return options;
}

Pop3Options pop3_options() {
  Pop3Options options;
  options.security = Security::None;
  options.allow_plaintext_auth = true;
  return options;
}

std::string b64(std::string_view bytes) {
  return detail::base64_encode(bytes);
}

SaslCredentials refreshable_token(int& asked) {
  SaslCredentials c;
  c.user = "me@example.com";
  c.oauth2_token = "old";
  c.refresh_oauth2_token = [&asked] {
    ++asked;
    return std::string("new");
  };
  return c;
}

// base64("user=me@example.com\1auth=Bearer old\1\1") and the same with "new".
const std::string old_token = "dXNlcj1tZUBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciBvbGQBAQ==";
const std::string new_token = "dXNlcj1tZUBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciBuZXcBAQ==";

// A server that answers line by line with `answer` (a SCRAM server needs the client's nonce,
// which no fixed script knows). Every line the client sent is kept in `lines`.
class ReactivePeer final : public Transport {
 public:
  ReactivePeer(std::string greeting, std::function<std::string(const std::string&)> answer)
      : out_(std::move(greeting)), answer_(std::move(answer)) {}
  std::size_t read_some(char* buffer, std::size_t size, Deadline) override {
    const std::size_t n = std::min(size, out_.size());
    std::copy_n(out_.data(), n, buffer);
    out_.erase(0, n);
    return n;  // nothing to say: the end of the connection
  }
  void write_all(std::string_view bytes, Deadline) override {
    in_.append(bytes);
    for (std::size_t end; (end = in_.find("\r\n")) != std::string::npos;) {
      lines->push_back(in_.substr(0, end));
      out_ += answer_(lines->back());
      in_.erase(0, end + 2);
    }
  }
  void close() noexcept override {}

  std::shared_ptr<std::vector<std::string>> lines = std::make_shared<std::vector<std::string>>();

 private:
  std::string out_;
  std::string in_;
  std::function<std::string(const std::string&)> answer_;
};

// The SCRAM-SHA-256 part of a server that does not know the password: a proper server-first
// message, then a server signature that cannot be right. `prefix` frames challenges.
std::string scram_impostor(const std::string& line, const std::string& prefix) {
  const std::size_t space = line.rfind(' ');
  std::string client_first;
  if (line.find("SCRAM-SHA-256 ") != std::string::npos &&
      detail::base64_decode(line.substr(space + 1), client_first)) {
    const std::size_t r = client_first.find(",r=");
    return prefix + b64("r=" + client_first.substr(r + 3) + "srv,s=" + b64("salt") + ",i=4096") +
           "\r\n";
  }
  std::string client_final;
  if (detail::base64_decode(line, client_final) && client_final.find(",p=") != std::string::npos) {
    return prefix + b64("v=" + b64("a signature made without the password")) + "\r\n";
  }
  return {};
}

}  // namespace

TEST_CASE("IMAP XOAUTH2: an expired token is refreshed once, on the same connection",
          "[imap][sasl]") {
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready
    C: A001 AUTHENTICATE XOAUTH2 dXNlcj1tZUBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciBvbGQBAQ==
    S: + eyJzdGF0dXMiOiI0MDEifQ==
    C:
    S: A001 NO [AUTHENTICATIONFAILED] invalid credentials
    C: A002 AUTHENTICATE XOAUTH2 dXNlcj1tZUBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciBuZXcBAQ==
    S: A002 OK [CAPABILITY IMAP4rev1] authenticated
  )");
  ImapClient client(imap_options());
  client.connect(peer->transport(), "localhost");
  int asked = 0;
  client.authenticate(refreshable_token(asked));
  CHECK(asked == 1);
  CHECK(peer->finished());
}

TEST_CASE("POP3 XOAUTH2: an expired token is refreshed once, on the same connection",
          "[pop3][sasl]") {
  auto peer = ScriptedPeer::parse(R"(
    S: +OK ready
    C: CAPA
    S: +OK
    S: SASL XOAUTH2
    S: .
    C: AUTH XOAUTH2 dXNlcj1tZUBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciBvbGQBAQ==
    S: + eyJzdGF0dXMiOiI0MDEifQ==
    C:
    S: -ERR [AUTH] invalid credentials
    C: AUTH XOAUTH2 dXNlcj1tZUBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciBuZXcBAQ==
    S: +OK maildrop ready
  )");
  Pop3Client client(pop3_options());
  client.connect(peer->transport(), "localhost");
  int asked = 0;
  client.authenticate(refreshable_token(asked));
  CHECK(asked == 1);
  CHECK(peer->finished());
}

TEST_CASE("Refreshed tokens: a refusal of the fresh one is final in all three clients",
          "[smtp][imap][pop3][sasl]") {
  int asked = 0;
  SECTION("smtp") {
    auto peer = ScriptedPeer::parse(
        "S: 220 mx\nC: EHLO client.example\nS: 250-mx\nS: 250 AUTH XOAUTH2\n"
        "C: AUTH XOAUTH2 " +
        old_token + "\nS: 535 5.7.8 no\nC: AUTH XOAUTH2 " + new_token +
        "\nS: 535 5.7.8 still no\n");
    SmtpClient client(smtp_options());
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.authenticate(refreshable_token(asked)); });
    CHECK(e.kind() == Errc::auth);
    CHECK(e.reason() == Reason::credentials_refused);
    CHECK_FALSE(e.is_fatal());
    CHECK(peer->finished());
  }
  SECTION("imap") {
    auto peer = ScriptedPeer::parse(
        "S: * OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready\nC: A001 AUTHENTICATE XOAUTH2 " +
        old_token + "\nS: A001 NO no\nC: A002 AUTHENTICATE XOAUTH2 " + new_token +
        "\nS: A002 NO still no\n");
    ImapClient client(imap_options());
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.authenticate(refreshable_token(asked)); });
    CHECK(e.kind() == Errc::auth);
    CHECK(e.reason() == Reason::credentials_refused);
    CHECK_FALSE(e.is_fatal());
    CHECK(peer->finished());
  }
  SECTION("pop3") {
    auto peer = ScriptedPeer::parse(
        "S: +OK ready\nC: CAPA\nS: +OK\nS: SASL XOAUTH2\nS: .\nC: AUTH XOAUTH2 " + old_token +
        "\nS: -ERR no\nC: AUTH XOAUTH2 " + new_token + "\nS: -ERR still no\n");
    Pop3Client client(pop3_options());
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.authenticate(refreshable_token(asked)); });
    CHECK(e.kind() == Errc::auth);
    CHECK(e.reason() == Reason::credentials_refused);
    CHECK_FALSE(e.is_fatal());
    CHECK(peer->finished());
  }
  CHECK(asked == 1);
}

TEST_CASE("POP3 AUTH: an initial response too long for 255 octets answers the empty challenge",
          "[pop3][sasl]") {
  // RFC 5034 section 4: AUTH with its initial response stays within the 255 octets of a POP3
  // command (RFC 2449 section 4); a longer one goes as the answer to an empty challenge.
  SaslCredentials c;
  c.user = "me@example.com";
  c.oauth2_token = std::string(300, 't');
  const std::string response =
      b64("user=me@example.com\x01" + std::string("auth=Bearer ") + c.oauth2_token + "\x01\x01");
  auto peer = ScriptedPeer::make();
  peer->send("+OK ready")
      .expect("CAPA")
      .send("+OK")
      .send("SASL XOAUTH2")
      .send(".")
      .expect("AUTH XOAUTH2")
      .send("+ ")
      .expect(response)
      .send("+OK maildrop ready");
  std::string log;
  Pop3Options options = pop3_options();
  options.log = [&](LogDirection, std::string_view bytes) { log += bytes; };
  Pop3Client client(options);
  client.connect(peer->transport(), "localhost");
  client.authenticate(c);
  CHECK(peer->finished());
  CHECK(log.find("tttt") == std::string::npos);
}

TEST_CASE("SCRAM: a server signature that is wrong ends the connection in all three clients",
          "[smtp][imap][pop3][sasl][security]") {
  SaslCredentials c;
  c.user = "alice";
  c.password = "secret";
  std::shared_ptr<std::vector<std::string>> lines;
  Error e(Errc::io, "none");
  SECTION("smtp") {
    auto peer = std::make_unique<ReactivePeer>("220 mx\r\n", [](const std::string& line) {
      if (line == "EHLO client.example") return std::string("250-mx\r\n250 AUTH SCRAM-SHA-256\r\n");
      return scram_impostor(line, "334 ");
    });
    lines = peer->lines;
    SmtpClient client(smtp_options());
    client.connect(std::move(peer), "localhost");
    e = error_of([&] { client.authenticate(c); });
    CHECK(error_of([&] { client.noop(); }).kind() == Errc::usage);  // not connected
  }
  SECTION("imap") {
    auto peer = std::make_unique<ReactivePeer>(
        "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-256] ready\r\n",
        [](const std::string& line) { return scram_impostor(line, "+ "); });
    lines = peer->lines;
    ImapClient client(imap_options());
    client.connect(std::move(peer), "localhost");
    e = error_of([&] { client.authenticate(c); });
    CHECK(error_of([&] { client.noop(); }).kind() == Errc::usage);
  }
  SECTION("pop3") {
    auto peer = std::make_unique<ReactivePeer>("+OK ready\r\n", [](const std::string& line) {
      if (line == "CAPA") return std::string("+OK\r\nSASL SCRAM-SHA-256\r\n.\r\n");
      return scram_impostor(line, "+ ");
    });
    lines = peer->lines;
    Pop3Client client(pop3_options());
    client.connect(std::move(peer), "localhost");
    e = error_of([&] { client.authenticate(c); });
    CHECK(error_of([&] { client.noop(); }).kind() == Errc::usage);
  }
  CHECK(e.kind() == Errc::auth);
  CHECK(e.reason() == Reason::server_not_verified);
  CHECK(e.is_fatal());
  CHECK_THAT(e.what(), Catch::Contains("server signature is wrong"));
  // The client-first and client-final messages, and nothing after the wrong signature.
  REQUIRE(lines->size() >= 2);
  CHECK(lines->back().find("SCRAM") == std::string::npos);
  CHECK((*lines)[lines->size() - 2].find("SCRAM-SHA-256 ") != std::string::npos);
}

TEST_CASE("A bad challenge is cancelled with * and the connection stays usable in all three",
          "[smtp][imap][pop3][sasl]") {
  SaslCredentials c;
  c.user = "alice";
  c.password = "secret";
  SECTION("smtp") {
    auto peer = ScriptedPeer::parse(R"(
      S: 220 mx
      C: EHLO client.example
      S: 250-mx
      S: 250 AUTH CRAM-MD5
      C: AUTH CRAM-MD5
      S: 334 not*base64
      C: *
      S: 501 5.7.0 cancelled
      C: NOOP
      S: 250 ok
    )");
    SmtpClient client(smtp_options());
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.authenticate(c); });
    CHECK(e.kind() == Errc::auth);
    CHECK(e.reason() == Reason::bad_challenge);
    CHECK_FALSE(e.is_fatal());
    client.noop();
    CHECK(peer->finished());
  }
  SECTION("imap") {
    auto peer = ScriptedPeer::parse(R"(
      S: * OK [CAPABILITY IMAP4rev1 AUTH=CRAM-MD5] ready
      C: A001 AUTHENTICATE CRAM-MD5
      S: + not*base64
      C: *
      S: A001 BAD cancelled
      C: A002 NOOP
      S: A002 OK done
    )");
    ImapClient client(imap_options());
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.authenticate(c); });
    CHECK(e.kind() == Errc::auth);
    CHECK(e.reason() == Reason::bad_challenge);
    CHECK_FALSE(e.is_fatal());
    client.noop();
    CHECK(peer->finished());
  }
  SECTION("pop3") {
    auto peer = ScriptedPeer::parse(R"(
      S: +OK ready
      C: CAPA
      S: +OK
      S: SASL CRAM-MD5
      S: .
      C: AUTH CRAM-MD5
      S: + not*base64
      C: *
      S: -ERR cancelled
      C: NOOP
      S: +OK
    )");
    Pop3Client client(pop3_options());
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.authenticate(c); });
    CHECK(e.kind() == Errc::auth);
    CHECK(e.reason() == Reason::bad_challenge);
    CHECK_FALSE(e.is_fatal());
    client.noop();
    CHECK(peer->finished());
  }
}
