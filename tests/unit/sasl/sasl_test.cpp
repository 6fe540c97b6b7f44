#include "detail/base64.hpp"
#include "support/error_of.hpp"
#include "support/scram_oracle.hpp"

#include <mailwire/error.hpp>
#include <mailwire/sasl.hpp>

#include <catch2/catch.hpp>

using namespace mailwire;
using mailwire::test::error_of;
using mailwire::test::ScramOracle;

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

namespace {

SaslChannelBinding binding(std::string type, std::string data, bool server_offered_plus) {
  SaslChannelBinding b;
  b.type = std::move(type);
  b.data = std::move(data);
  b.server_offered_plus = server_offered_plus;
  return b;
}

// Runs a whole SCRAM exchange of `m` against the independent oracle server.
void run_against_oracle(SaslMechanism& m, ScramOracle& server) {
  const std::string server_first = server.first(m.initial_response());
  INFO(server.problem());
  REQUIRE(server.problem().empty());
  const std::string server_final = server.final(respond(m, server_first));
  INFO(server.problem());
  REQUIRE(server.problem().empty());
  CHECK_FALSE(m.verify_success(server_final));
}

}  // namespace

TEST_CASE("SCRAM GS2 header: n without a binding, y when the server offered no -PLUS", "[sasl]") {
  // RFC 5802 section 6: "y" when the client could bind but saw no -PLUS offer; "n" when it
  // cannot; never "y" when the server did offer -PLUS (that would look like a downgrade).
  const auto first = [](const SaslChannelBinding& b) {
    return make_scram_mechanism("SCRAM-SHA-256", user_pencil(), "abc", b)->initial_response();
  };
  CHECK(first({}) == "n,,n=user,r=abc");
  CHECK(first(binding("tls-exporter", std::string(32, 'x'), false)) == "y,,n=user,r=abc");
  CHECK(first(binding("tls-exporter", std::string(32, 'x'), true)) == "n,,n=user,r=abc");
  auto plus = make_scram_mechanism("SCRAM-SHA-256-PLUS", user_pencil(), "abc",
                                   binding("tls-exporter", std::string(32, 'x'), true));
  REQUIRE(plus);
  CHECK(std::string(plus->name()) == "SCRAM-SHA-256-PLUS");
  CHECK(plus->initial_response() == "p=tls-exporter,,n=user,r=abc");
  SaslCredentials admin = user_pencil();
  admin.authzid = "ad,min";
  CHECK(make_scram_mechanism("SCRAM-SHA-1-PLUS", admin, "abc", binding("tls-unique", "u", false))
            ->initial_response() == "p=tls-unique,a=ad=2Cmin,n=user,r=abc");
  // -PLUS without a binding cannot be made.
  CHECK_FALSE(make_scram_mechanism("SCRAM-SHA-256-PLUS", user_pencil(), "abc", {}));
  CHECK_FALSE(make_sasl_mechanism("SCRAM-SHA-1-PLUS", user_pencil()));
}

TEST_CASE("SCRAM GS2 header y: RFC 5802 section 5 with the y flag", "[sasl]") {
  // The RFC's exchange with "y,,": c= carries the header, so the proof changes; the oracle
  // recomputes it apart from the library.
  auto m = make_scram_mechanism("SCRAM-SHA-1", user_pencil(), "fyko+d2lbbFgONRv9qkxdawL",
                                binding("tls-unique", "finished", false));
  ScramOracle server(EVP_sha1(), "pencil", "y,,");
  run_against_oracle(*m, server);
}

TEST_CASE("SCRAM-PLUS: c= carries the header and the binding data, proof checked apart", "[sasl]") {
  std::string data;
  for (int i = 0; i < 32; ++i)
    data += static_cast<char>(i * 7);  // binary bytes, a NUL among them
  for (const char* type : {"tls-exporter", "tls-unique", "tls-server-end-point"}) {
    CAPTURE(type);
    SECTION(std::string("SHA-256 ") + type) {
      auto m = make_scram_mechanism("SCRAM-SHA-256-PLUS", user_pencil(), "rOprNGfwEbeRWgbNEkqO",
                                    binding(type, data, true));
      ScramOracle server(EVP_sha256(), "pencil", std::string("p=") + type + ",," + data);
      run_against_oracle(*m, server);
    }
    SECTION(std::string("SHA-1 ") + type) {
      auto m = make_scram_mechanism("SCRAM-SHA-1-PLUS", user_pencil(), "fyko+d2lbbFgONRv9qkxdawL",
                                    binding(type, data, true));
      ScramOracle server(EVP_sha1(), "pencil", std::string("p=") + type + ",," + data);
      run_against_oracle(*m, server);
    }
  }
  // The oracle notices a wrong binding (so the checks above can fail).
  auto m = make_scram_mechanism("SCRAM-SHA-256-PLUS", user_pencil(), "abc",
                                binding("tls-exporter", "other data", true));
  ScramOracle server(EVP_sha256(), "pencil", "p=tls-exporter,," + data);
  server.final(respond(*m, server.first(m->initial_response())));
  CHECK(server.problem() == "c= is not the expected channel binding");
}

TEST_CASE("Mechanism choice: -PLUS first when the connection can bind", "[sasl]") {
  const SaslCredentials pw = user_pencil();
  const std::vector<std::string> offered = {"PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256",
                                            "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS"};
  CHECK(choose_sasl_mechanism(offered, pw, {}, true) == "SCRAM-SHA-256-PLUS");
  CHECK(choose_sasl_mechanism(offered, pw, {}, false) == "SCRAM-SHA-256");
  CHECK(choose_sasl_mechanism(offered, pw) == "SCRAM-SHA-256");
  CHECK(choose_sasl_mechanism({"SCRAM-SHA-1-PLUS", "SCRAM-SHA-256"}, pw, {}, true) ==
        "SCRAM-SHA-1-PLUS");
  CHECK(choose_sasl_mechanism(offered, pw, "scram-sha-1-plus", true) == "SCRAM-SHA-1-PLUS");
  CHECK_FALSE(choose_sasl_mechanism(offered, pw, "SCRAM-SHA-1-PLUS", false));
  CHECK(is_known_sasl_mechanism("scram-sha-256-plus"));
  CHECK_FALSE(is_known_sasl_mechanism("GSSAPI"));
}

TEST_CASE("Channel binding of a TLS connection: by version, or as asked", "[sasl]") {
  TlsInfo tls13;
  tls13.channel_bindings.tls_exporter = "E";
  tls13.channel_bindings.tls_server_end_point = "S";
  TlsInfo tls12;
  tls12.channel_bindings.tls_unique = "U";
  tls12.channel_bindings.tls_server_end_point = "S";
  CHECK(sasl_channel_binding(tls13).type == "tls-exporter");
  CHECK(sasl_channel_binding(tls13).data == "E");
  CHECK(sasl_channel_binding(tls12).type == "tls-unique");
  CHECK(sasl_channel_binding(tls12, "tls-server-end-point").data == "S");
  CHECK(sasl_channel_binding(tls13, "tls-unique").type.empty());  // not given here
  CHECK(sasl_channel_binding(TlsInfo{}).type.empty());
  CHECK(error_of([&] { sasl_channel_binding(tls13, "tls-bogus"); }).kind() == Errc::usage);
}
