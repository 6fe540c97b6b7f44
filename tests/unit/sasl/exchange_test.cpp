// SaslExchange alone: the steps it asks for, event by event, for the three profiles.

#include "sasl/exchange.hpp"
#include "detail/base64.hpp"

#include <mailwire/error.hpp>
#include <mailwire/sasl.hpp>

#include <catch2/catch.hpp>

using namespace mailwire;
using namespace mailwire::sasl;
using Kind = SaslStep::Kind;

namespace {

SaslCredentials alice() {
  SaslCredentials c;
  c.user = "alice";
  c.password = "secret";
  return c;
}

SaslCredentials token(std::string value) {
  SaslCredentials c;
  c.user = "me@example.com";
  c.oauth2_token = std::move(value);
  return c;
}

SaslSetup offering(std::vector<std::string> offered, std::string forced = {}) {
  SaslSetup s;
  s.offered = std::move(offered);
  s.forced = std::move(forced);
  s.encrypted = true;
  s.host = "mail.example.com";
  return s;
}

std::string b64(std::string_view bytes) {
  return detail::base64_encode(bytes);
}

std::string unb64(std::string_view text) {
  std::string out;
  REQUIRE(detail::base64_decode(text, out));
  return out;
}

// The server side of SCRAM up to the server-final message: a server-first message that
// extends the client's nonce, taken from the client-first message in `command_line`.
std::string scram_server_first(const std::string& client_first) {
  const std::size_t r = client_first.find(",r=");
  REQUIRE(r != std::string::npos);
  return "r=" + client_first.substr(r + 3) + "srv,s=" + b64("salt") + ",i=4096";
}

}  // namespace

TEST_CASE("SASL exchange: no credentials over plaintext unless allowed", "[sasl][exchange]") {
  SaslSetup setup = offering({"PLAIN"});
  setup.encrypted = false;
  SECTION("smtp wording") {
    SaslExchange ex(smtp_profile(), alice(), setup);
    const SaslStep step = ex.start();
    REQUIRE(step.kind == Kind::Failed);
    CHECK(step.error == Errc::usage);
    CHECK(step.diagnostics.reason == Reason::plaintext_auth_refused);
    CHECK_FALSE(step.diagnostics.fatal);
    CHECK(step.message ==
          "smtp: refusing to authenticate over an unencrypted connection to mail.example.com "
          "(use TLS, or set allow_plaintext_auth)");
  }
  SECTION("pop3 wording") {
    SaslExchange ex(pop3_profile(), alice(), setup);
    CHECK(ex.start().message ==
          "pop3: refusing AUTH over an unencrypted connection to mail.example.com (use TLS, or "
          "set allow_plaintext_auth)");
  }
  SECTION("allowed") {
    setup.allow_plaintext = true;
    SaslExchange ex(imap_profile(true), alice(), setup);
    CHECK(ex.start().kind == Kind::Command);
  }
}

TEST_CASE("SASL exchange: no usable mechanism, and POP3 without CAPA", "[sasl][exchange]") {
  SECTION("nothing in common") {
    SaslExchange ex(smtp_profile(), alice(), offering({"GSSAPI"}, "CRAM-MD5"));
    const SaslStep step = ex.start();
    REQUIRE(step.kind == Kind::Failed);
    CHECK(step.error == Errc::auth);
    CHECK(step.diagnostics.reason == Reason::no_common_mechanism);
    CHECK(step.message == "smtp: no usable AUTH mechanism CRAM-MD5 (the server offers: GSSAPI)");
  }
  SECTION("imap names no forced mechanism") {
    SaslExchange ex(imap_profile(false), alice(), offering({}, "PLAIN"));
    CHECK(ex.start().message == "imap: no usable SASL mechanism (the server offers: none)");
  }
  SECTION("no list at all: the forced mechanism is tried") {
    SaslSetup setup = offering({}, "PLAIN");
    setup.offer_known = false;
    SaslExchange ex(pop3_profile(), alice(), setup);
    const SaslStep step = ex.start();
    REQUIRE(step.kind == Kind::Command);
    CHECK(step.line == "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
  }
}

TEST_CASE("SASL exchange: initial response, \"=\" and redaction", "[sasl][exchange]") {
  SECTION("PLAIN with its initial response, redacted in the log") {
    SaslExchange ex(smtp_profile(), alice(), offering({"PLAIN"}));
    const SaslStep step = ex.start();
    REQUIRE(step.kind == Kind::Command);
    CHECK(step.line == "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
    CHECK(step.log_as == "AUTH PLAIN ****\r\n");
    CHECK(ex.shown() == "AUTH PLAIN");
    CHECK(ex.on_success("235 ok").kind == Kind::Done);
  }
  SECTION("redaction off") {
    SaslSetup setup = offering({"PLAIN"});
    setup.redact = false;
    SaslExchange ex(smtp_profile(), alice(), setup);
    const SaslStep step = ex.start();
    CHECK(step.log_as == step.line);
  }
  SECTION("an empty initial response is =") {
    SaslCredentials c;
    SaslExchange ex(pop3_profile(), c, offering({"EXTERNAL"}, "EXTERNAL"));
    CHECK(ex.start().line == "AUTH EXTERNAL =\r\n");
  }
  SECTION("IMAP without SASL-IR answers the empty challenge instead") {
    SaslExchange ex(imap_profile(false), alice(), offering({"PLAIN"}));
    CHECK(ex.start().line == "AUTHENTICATE PLAIN\r\n");
    const SaslStep step = ex.on_challenge("", "+ ");
    REQUIRE(step.kind == Kind::Send);
    CHECK(step.line == "AGFsaWNlAHNlY3JldA==\r\n");
    CHECK(step.log_as == "****\r\n");
  }
}

TEST_CASE("SASL exchange: each protocol's limit on the command line with the initial response",
          "[sasl][exchange]") {
  // XOAUTH2's client message is "user=me@example.com\1auth=Bearer TOKEN\1\1": 34 bytes and
  // the token. Its base64 is 4 * ceil(n / 3) bytes.
  const auto line_size = [](std::size_t token_size) {
    return std::string("AUTH XOAUTH2 ").size() + 4 * ((34 + token_size + 2) / 3) + 2;
  };
  SECTION("POP3: 255 octets with CRLF") {
    std::size_t fits = 0;
    while (line_size(fits + 3) <= 255)
      fits += 3;
    REQUIRE(line_size(fits) <= 255);
    REQUIRE(line_size(fits + 3) > 255);
    {
      SaslExchange ex(pop3_profile(), token(std::string(fits, 't')), offering({"XOAUTH2"}));
      const SaslStep step = ex.start();
      CHECK(step.line.size() == line_size(fits));
      CHECK(step.line.rfind("AUTH XOAUTH2 dXNlcj1", 0) == 0);
    }
    SaslExchange ex(pop3_profile(), token(std::string(fits + 3, 't')), offering({"XOAUTH2"}));
    CHECK(ex.start().line == "AUTH XOAUTH2\r\n");
    const SaslStep step = ex.on_challenge("", "+ ");
    REQUIRE(step.kind == Kind::Send);
    CHECK(unb64(step.line.substr(0, step.line.size() - 2)) ==
          "user=me@example.com\x01" + std::string("auth=Bearer ") + std::string(fits + 3, 't') +
              "\x01\x01");
  }
  SECTION("SMTP: 12288 octets with CRLF") {
    SaslExchange small(smtp_profile(), token(std::string(9000, 't')), offering({"XOAUTH2"}));
    CHECK(small.start().line.size() > 12000);
    SaslExchange large(smtp_profile(), token(std::string(9300, 't')), offering({"XOAUTH2"}));
    CHECK(large.start().line == "AUTH XOAUTH2\r\n");
  }
  SECTION("IMAP with SASL-IR: no limit") {
    SaslExchange ex(imap_profile(true), token(std::string(20000, 't')), offering({"XOAUTH2"}));
    CHECK(ex.start().line.size() > 20000);
  }
  SECTION("SCRAM too long for the line starts over at the empty challenge") {
    SaslCredentials c = alice();
    c.user = std::string(300, 'u');
    SaslExchange ex(pop3_profile(), c, offering({"SCRAM-SHA-256"}));
    CHECK(ex.start().line == "AUTH SCRAM-SHA-256\r\n");
    const SaslStep step = ex.on_challenge("", "+ ");
    REQUIRE(step.kind == Kind::Send);
    CHECK(unb64(step.line.substr(0, step.line.size() - 2)).rfind("n,,n=uuu", 0) == 0);
  }
}

TEST_CASE("SASL exchange: a challenge that cannot be answered is cancelled with *",
          "[sasl][exchange]") {
  SECTION("not base64") {
    SaslExchange ex(smtp_profile(), alice(), offering({"LOGIN"}));
    CHECK(ex.start().line == "AUTH LOGIN\r\n");
    const SaslStep cancel = ex.on_challenge("%%%", "334 %%%");
    REQUIRE(cancel.kind == Kind::Send);
    CHECK(cancel.line == "*\r\n");
    CHECK(ex.cancelling());
    const SaslStep step = ex.on_refused(false, "501 cancelled");
    REQUIRE(step.kind == Kind::Failed);
    CHECK(step.error == Errc::auth);
    CHECK(step.diagnostics.reason == Reason::bad_challenge);
    CHECK_FALSE(step.diagnostics.fatal);
    CHECK(step.diagnostics.server_reply == "334 %%%");
    CHECK(step.message == "smtp: AUTH LOGIN: the server's challenge is not base64");
  }
  SECTION("the mechanism cannot answer, and the server says OK to the *") {
    SaslExchange ex(imap_profile(false), alice(), offering({"CRAM-MD5"}));
    ex.start();
    CHECK(ex.on_challenge("", "").line == "*\r\n");
    const SaslStep step = ex.on_success("OK");
    REQUIRE(step.kind == Kind::Failed);
    CHECK(step.diagnostics.reason == Reason::bad_challenge);
    CHECK(step.message == "imap: AUTHENTICATE CRAM-MD5: CRAM-MD5: empty challenge");
  }
  SECTION("16 challenges are answered, the 17th is cancelled") {
    SaslExchange ex(pop3_profile(), token("t"), offering({"XOAUTH2"}));
    ex.start();
    for (int i = 0; i < 16; ++i)
      CHECK(ex.on_challenge(b64("{}"), "").line == "\r\n");
    CHECK(ex.on_challenge(b64("{}"), "").line == "*\r\n");
    const SaslStep step = ex.on_refused(true, "-ERR");
    REQUIRE(step.kind == Kind::Failed);
    CHECK(step.message == "pop3: AUTH XOAUTH2: too many challenges");
  }
}

TEST_CASE("SASL exchange: a SCRAM server that does not know the password is fatal",
          "[sasl][exchange][security]") {
  SaslExchange ex(imap_profile(true), alice(), offering({"SCRAM-SHA-256"}));
  const SaslStep first = ex.start();
  REQUIRE(first.kind == Kind::Command);
  const std::string client_first = unb64(first.line.substr(
      first.line.rfind(' ') + 1, first.line.size() - 2 - first.line.rfind(' ') - 1));
  const SaslStep final_step = ex.on_challenge(b64(scram_server_first(client_first)), "+ ...");
  REQUIRE(final_step.kind == Kind::Send);
  CHECK(unb64(final_step.line.substr(0, final_step.line.size() - 2)).find(",p=") !=
        std::string::npos);
  SECTION("a wrong signature: nothing more is sent") {
    const SaslStep step = ex.on_challenge(b64("v=" + b64("not the signature")), "+ v");
    REQUIRE(step.kind == Kind::Failed);
    CHECK(step.error == Errc::auth);
    CHECK(step.diagnostics.reason == Reason::server_not_verified);
    CHECK(step.diagnostics.fatal);
  }
  SECTION("success without any signature") {
    const SaslStep step = ex.on_success("OK");
    REQUIRE(step.kind == Kind::Failed);
    CHECK(step.diagnostics.reason == Reason::server_not_verified);
    CHECK(step.diagnostics.fatal);
    CHECK(step.message == "imap: AUTHENTICATE SCRAM-SHA-256: SCRAM: no server signature");
  }
}

TEST_CASE("SASL exchange: a refused OAuth 2 token is refreshed once", "[sasl][exchange]") {
  SaslCredentials c = token("old");
  int asked = 0;
  std::string fresh = "new";
  c.refresh_oauth2_token = [&] {
    ++asked;
    return fresh;
  };
  SECTION("a fresh token: the command again, with it") {
    SaslExchange ex(pop3_profile(), c, offering({"XOAUTH2"}));
    ex.start();
    const SaslStep retry = ex.on_refused(true, "-ERR expired");
    REQUIRE(retry.kind == Kind::Command);
    CHECK(unb64(retry.line.substr(13, retry.line.size() - 15)).find("Bearer new") !=
          std::string::npos);
    CHECK(ex.on_refused(true, "-ERR still no").kind == Kind::Refused);
    CHECK(asked == 1);
  }
  SECTION("the same token, or none: refused") {
    for (const char* value : {"old", ""}) {
      fresh = value;
      asked = 0;
      SaslExchange ex(smtp_profile(), c, offering({"XOAUTH2"}));
      ex.start();
      CHECK(ex.on_refused(true, "535").kind == Kind::Refused);
      CHECK(asked == 1);
    }
  }
  SECTION("a refusal that is not about the credentials: no refresh") {
    SaslExchange ex(smtp_profile(), c, offering({"XOAUTH2"}));
    ex.start();
    CHECK(ex.on_refused(false, "454").kind == Kind::Refused);
    CHECK(asked == 0);
  }
  SECTION("a password mechanism: no refresh") {
    SaslCredentials both = c;
    both.password = "secret";
    SaslExchange ex(smtp_profile(), both, offering({"PLAIN"}, "PLAIN"));
    ex.start();
    CHECK(ex.on_refused(true, "535").kind == Kind::Refused);
    CHECK(asked == 0);
  }
}

namespace {

// The payload of an AUTH command line: the last word, base64-decoded.
std::string initial_of(const SaslStep& step) {
  std::string line = step.line.substr(0, step.line.size() - 2);
  return unb64(line.substr(line.rfind(' ') + 1));
}

TlsInfo tls13() {
  TlsInfo tls;
  tls.protocol = "TLSv1.3";
  tls.channel_bindings.tls_exporter = std::string(32, '\x01');
  tls.channel_bindings.tls_server_end_point = std::string(32, '\x02');
  return tls;
}

}  // namespace

TEST_CASE("SASL exchange: SCRAM-PLUS preferred over TLS, with the connection's binding",
          "[sasl][exchange]") {
  SaslSetup setup = offering({"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"});
  setup.tls = tls13();
  SaslExchange exchange(smtp_profile(), alice(), setup);
  const SaslStep step = exchange.start();
  REQUIRE(step.kind == Kind::Command);
  CHECK(exchange.shown() == "AUTH SCRAM-SHA-256-PLUS");
  CHECK(initial_of(step).rfind("p=tls-exporter,,n=alice,r=", 0) == 0);

  SECTION("tls-server-end-point when the caller asks for it") {
    SaslCredentials c = alice();
    c.channel_binding = "tls-server-end-point";
    SaslExchange asked(smtp_profile(), c, setup);
    CHECK(initial_of(asked.start()).rfind("p=tls-server-end-point,,n=alice,r=", 0) == 0);
  }
  SECTION("no TLS: plain SCRAM with n") {
    SaslSetup plain = setup;
    plain.tls.reset();
    SaslExchange ex(smtp_profile(), alice(), plain);
    const SaslStep s = ex.start();
    CHECK(ex.shown() == "AUTH SCRAM-SHA-256");
    CHECK(initial_of(s).rfind("n,,n=alice,r=", 0) == 0);
  }
}

TEST_CASE("SASL exchange: plain SCRAM over TLS says y only without a -PLUS offer",
          "[sasl][exchange]") {
  SaslSetup setup = offering({"SCRAM-SHA-256"});
  setup.tls = tls13();
  SaslExchange without(smtp_profile(), alice(), setup);
  CHECK(initial_of(without.start()).rfind("y,,n=alice,r=", 0) == 0);

  // The server offered -PLUS but the caller forced plain SCRAM: "n", never "y".
  SaslSetup forced = offering({"SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"}, "SCRAM-SHA-256");
  forced.tls = tls13();
  SaslExchange with(smtp_profile(), alice(), forced);
  CHECK(initial_of(with.start()).rfind("n,,n=alice,r=", 0) == 0);
}

TEST_CASE("SASL exchange: a forced mechanism mailwire lacks is a usage error", "[sasl][exchange]") {
  SaslExchange unknown(smtp_profile(), alice(), offering({"PLAIN", "GSSAPI"}, "GSSAPI"));
  SaslStep step = unknown.start();
  REQUIRE(step.kind == Kind::Failed);
  CHECK(step.error == Errc::usage);
  CHECK(step.message.find("GSSAPI") != std::string::npos);

  // A -PLUS mechanism forced over a connection without TLS: usage, naming it.
  SaslSetup plain = offering({"SCRAM-SHA-256-PLUS"}, "SCRAM-SHA-256-PLUS");
  plain.encrypted = false;
  plain.allow_plaintext = true;
  SaslExchange unbound(imap_profile(true), alice(), plain);
  step = unbound.start();
  REQUIRE(step.kind == Kind::Failed);
  CHECK(step.error == Errc::usage);
  CHECK(step.message.find("SCRAM-SHA-256-PLUS") != std::string::npos);

  // Known, but not offered: still the server's lack (auth).
  SaslExchange absent(smtp_profile(), alice(), offering({"PLAIN"}, "CRAM-MD5"));
  step = absent.start();
  REQUIRE(step.kind == Kind::Failed);
  CHECK(step.error == Errc::auth);

  // An unknown channel-binding type: usage.
  SaslCredentials c = alice();
  c.channel_binding = "tls-bogus";
  SaslSetup tls = offering({"SCRAM-SHA-256-PLUS"});
  tls.tls = tls13();
  SaslExchange bogus(smtp_profile(), c, tls);
  step = bogus.start();
  REQUIRE(step.kind == Kind::Failed);
  CHECK(step.error == Errc::usage);
}

TEST_CASE("SASL exchange: tls-exporter refused, one more try with tls-unique", "[sasl][exchange]") {
  // Cyrus IMAP 3.6 binds to tls-unique only, on TLS 1.3 too, and refuses after the proof.
  SaslSetup setup = offering({"SCRAM-SHA-256-PLUS"});
  setup.tls = tls13();
  setup.tls->channel_bindings.tls_unique = "finished";
  SaslExchange exchange(imap_profile(true), alice(), setup);
  const SaslStep first = exchange.start();
  CHECK(initial_of(first).rfind("p=tls-exporter,,", 0) == 0);
  const SaslStep final = exchange.on_challenge(b64(scram_server_first(initial_of(first))), "+");
  REQUIRE(final.kind == Kind::Send);
  const SaslStep retry = exchange.on_refused(true, "NO bad protocol / cancel");
  REQUIRE(retry.kind == Kind::Command);
  CHECK(initial_of(retry).rfind("p=tls-unique,,", 0) == 0);
  // Refused again: that is the answer.
  CHECK(exchange.on_refused(true, "NO").kind == Kind::Refused);

  SECTION("not when the caller chose the binding") {
    SaslCredentials c = alice();
    c.channel_binding = "tls-exporter";
    SaslExchange ex(imap_profile(true), c, setup);
    ex.start();
    CHECK(ex.on_refused(true, "NO").kind == Kind::Refused);
  }
  SECTION("not after a temporary failure") {
    SaslExchange ex(smtp_profile(), alice(), setup);
    ex.start();
    CHECK(ex.on_refused(false, "454 4.7.0 try later").kind == Kind::Refused);
  }
  SECTION("not without tls-unique") {
    SaslSetup no_unique = offering({"SCRAM-SHA-256-PLUS"});
    no_unique.tls = tls13();
    SaslExchange ex(imap_profile(true), alice(), no_unique);
    ex.start();
    CHECK(ex.on_refused(true, "NO").kind == Kind::Refused);
  }
}
