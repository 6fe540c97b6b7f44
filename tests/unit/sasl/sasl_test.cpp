#include "detail/base64.hpp"

#include <mailwire/error.hpp>
#include <mailwire/sasl.hpp>

#include <catch2/catch.hpp>

using namespace mailwire;

namespace {

SaslCredentials user_pencil() {
  SaslCredentials c;
  c.user = "user";
  c.password = "pencil";
  return c;
}

std::string respond(SaslMechanism& m, std::string_view challenge) {
  std::string out;
  const std::error_code ec = m.respond(challenge, out);
  INFO(m.reason());
  REQUIRE_FALSE(ec);
  return out;
}

}  // namespace

TEST_CASE("base64 for protocol payloads is strict", "[sasl]") {
  std::string out;
  CHECK(detail::base64_encode("") == "");
  CHECK(detail::base64_encode("f") == "Zg==");
  CHECK(detail::base64_encode("fo") == "Zm8=");
  CHECK(detail::base64_encode("foobar") == "Zm9vYmFy");
  REQUIRE(detail::base64_decode("Zm9vYmE=", out));
  CHECK(out == "fooba");
  CHECK_FALSE(detail::base64_decode("Zm9vYmE", out));
  CHECK_FALSE(detail::base64_decode("Zm=vYmE=", out));
  CHECK_FALSE(detail::base64_decode("Zm9v YmE=", out));
  CHECK_FALSE(detail::base64_decode("Zg==Zg==", out));
}

TEST_CASE("SCRAM-SHA-1, RFC 5802 section 5", "[sasl]") {
  auto m = make_scram_mechanism("SCRAM-SHA-1", user_pencil(), "fyko+d2lbbFgONRv9qkxdawL");
  CHECK(m->initial_response() == "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
  CHECK(respond(*m, "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096") ==
        "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
  CHECK_FALSE(m->verify_success("v=rmF9pqV8S7suAoZWja4dJRkFsKQ="));
}

TEST_CASE("SCRAM-SHA-256, RFC 7677 section 3", "[sasl]") {
  auto m = make_scram_mechanism("SCRAM-SHA-256", user_pencil(), "rOprNGfwEbeRWgbNEkqO");
  CHECK(m->initial_response() == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  CHECK(respond(*m,
                "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,"
                "i=4096") ==
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
        "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  CHECK_FALSE(m->verify_success("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
}

TEST_CASE("SCRAM refuses servers that cannot be right", "[sasl][security]") {
  const auto fresh = [] { return make_scram_mechanism("SCRAM-SHA-256", user_pencil(), "abc"); };
  std::string out;
  {
    auto m = fresh();
    m->initial_response();
    CHECK(m->respond("r=xyz123,s=QSXCR+Q6sek8bf92,i=4096", out) == make_error_code(Errc::auth));
    CHECK_THAT(m->reason(), Catch::Contains("nonce"));
  }
  {
    auto m = fresh();
    m->initial_response();
    CHECK(m->respond("r=abcdef,s=QSXCR+Q6sek8bf92,i=4294967296", out));
    CHECK(m->respond("", out));  // and it does not go on afterwards as if nothing happened
  }
  {
    auto m = fresh();
    m->initial_response();
    CHECK(m->respond("r=abcdef,s=!!!,i=4096", out));
  }
  {
    auto m = fresh();
    m->initial_response();
    CHECK(m->respond("m=ext,r=abcdef,s=QSXCR+Q6sek8bf92,i=4096", out));
  }
  {
    // A server that does not know the password cannot produce the signature.
    auto m = fresh();
    m->initial_response();
    REQUIRE_FALSE(m->respond("r=abcdef,s=QSXCR+Q6sek8bf92,i=16", out));
    CHECK(m->verify_success("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=") == make_error_code(Errc::auth));
    CHECK(m->verify_success("") == make_error_code(Errc::auth));
  }
  {
    auto m = fresh();
    CHECK(m->verify_success("v=x"));  // success claimed before any exchange
  }
}

TEST_CASE("PLAIN, LOGIN, CRAM-MD5 (RFC 2195 example)", "[sasl]") {
  SaslCredentials c;
  c.user = "tim";
  c.password = "tanstaaftanstaaf";
  auto plain = make_sasl_mechanism("plain", c);
  REQUIRE(plain);
  CHECK(plain->client_first());
  CHECK(plain->initial_response() == std::string("\0tim\0tanstaaftanstaaf", 21));

  auto login = make_sasl_mechanism("LOGIN", c);
  CHECK(respond(*login, "Username:") == "tim");
  CHECK(respond(*login, "Password:") == "tanstaaftanstaaf");
  std::string out;
  CHECK(login->respond("More?", out));

  auto cram = make_sasl_mechanism("CRAM-MD5", c);
  CHECK(respond(*cram, "<1896.697170952@postoffice.reston.mci.net>") ==
        "tim b913a602c7eda7a495b4e6e7334d3890");
}

TEST_CASE("XOAUTH2 and OAUTHBEARER messages", "[sasl]") {
  SaslCredentials c;
  c.user = "someuser@example.com";
  c.oauth2_token = "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg";
  auto x = make_sasl_mechanism("XOAUTH2", c);
  REQUIRE(x);
  CHECK(x->initial_response() ==
        "user=someuser@example.com\x01"
        "auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01");
  CHECK(respond(*x, R"({"status":"401","schemes":"bearer","scope":"https://mail.google.com/"})")
            .empty());
  CHECK_THAT(x->reason(), Catch::Contains("401"));

  auto b = make_sasl_mechanism("OAUTHBEARER", c);
  CHECK(b->initial_response() ==
        "n,a=someuser@example.com,\x01"
        "auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01");
  CHECK(respond(*b, R"({"status":"invalid_token"})") == "\x01");
}

TEST_CASE("Mechanism choice: strongest common, forced, or none", "[sasl]") {
  SaslCredentials pw = user_pencil();
  CHECK(choose_sasl_mechanism({"PLAIN", "LOGIN", "SCRAM-SHA-1", "SCRAM-SHA-256"}, pw) ==
        "SCRAM-SHA-256");
  CHECK(choose_sasl_mechanism({"LOGIN", "PLAIN", "CRAM-MD5"}, pw) == "PLAIN");
  CHECK(choose_sasl_mechanism({"plain"}, pw) == "PLAIN");
  CHECK(choose_sasl_mechanism({"PLAIN", "LOGIN"}, pw, "login") == "LOGIN");
  CHECK_FALSE(choose_sasl_mechanism({"PLAIN"}, pw, "CRAM-MD5"));
  CHECK_FALSE(choose_sasl_mechanism({"GSSAPI", "NTLM"}, pw));
  CHECK_FALSE(choose_sasl_mechanism({"XOAUTH2"}, pw));  // no token

  SaslCredentials token;
  token.user = "me";
  token.oauth2_token = "t";
  CHECK(choose_sasl_mechanism({"PLAIN", "XOAUTH2", "OAUTHBEARER"}, token) == "OAUTHBEARER");
  CHECK(choose_sasl_mechanism({"PLAIN", "XOAUTH2"}, token) == "XOAUTH2");
  CHECK_FALSE(make_sasl_mechanism("SCRAM-SHA-256", token));  // no password
  CHECK_FALSE(make_sasl_mechanism("NTLM", pw));
}
