// SCRAM-SHA-*-PLUS over a real TLS connection to a scripted server: the client must put the
// connection's channel binding (tls-exporter on TLS 1.3, tls-unique on TLS 1.2, or
// tls-server-end-point when asked) into c=, and its proof must match what an independent
// SCRAM server (tests/support/scram_oracle) computes from the binding data taken from the
// server's own side of the TLS connection.

#include "support/error_of.hpp"
#include "support/scram_oracle.hpp"
#include "support/scripted_peer.hpp"
#include "support/test_pki.hpp"

#include <mailwire/error.hpp>
#include <mailwire/imap_client.hpp>
#include <mailwire/smtp_client.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <catch2/catch.hpp>

#include <memory>
#include <string>

using namespace mailwire;
using namespace mailwire::test;

namespace {

// The binding data as the server sees it, from its own SSL (not the client's TlsInfo).
std::string server_side_binding(SSL* ssl, const std::string& type) {
  unsigned char out[EVP_MAX_MD_SIZE];
  if (type == "tls-exporter") {
    static const char label[] = "EXPORTER-Channel-Binding";
    unsigned char key[32];
    REQUIRE(SSL_export_keying_material(ssl, key, sizeof key, label, sizeof label - 1, nullptr, 0,
                                       0) == 1);
    return std::string(reinterpret_cast<const char*>(key), sizeof key);
  }
  if (type == "tls-unique") {
    // A full handshake: the client's Finished came first.
    const std::size_t n = SSL_get_peer_finished(ssl, out, sizeof out);
    return std::string(reinterpret_cast<const char*>(out), n);
  }
  // tls-server-end-point: the test certificate is signed with ECDSA-SHA256.
  unsigned int n = 0;
  REQUIRE(X509_digest(SSL_get_certificate(ssl), EVP_sha256(), out, &n) == 1);
  return std::string(reinterpret_cast<const char*>(out), n);
}

struct Plus {
  const char* mechanism;
  const EVP_MD* (*md)();
  const char* type;     // the binding expected
  const char* asked;    // SaslCredentials::channel_binding
  int max_tls_version;  // 0: TLS 1.3
};

}  // namespace

TEST_CASE("SCRAM-PLUS over IMAP STARTTLS: binding and proof checked by an independent server",
          "[sasl][tls]") {
  const Plus cases[] = {
      {"SCRAM-SHA-256-PLUS", EVP_sha256, "tls-exporter", "", 0},
      {"SCRAM-SHA-1-PLUS", EVP_sha1, "tls-exporter", "", 0},
      {"SCRAM-SHA-256-PLUS", EVP_sha256, "tls-unique", "", TLS1_2_VERSION},
      {"SCRAM-SHA-256-PLUS", EVP_sha256, "tls-server-end-point", "tls-server-end-point", 0},
      {"SCRAM-SHA-1-PLUS", EVP_sha1, "tls-server-end-point", "tls-server-end-point",
       TLS1_2_VERSION},
  };
  for (const Plus& c : cases) {
    CAPTURE(c.mechanism, c.type, c.max_tls_version);
    const std::string mech = c.mechanism;
    const bool sha256 = mech.find("256") != std::string::npos;
    auto peer = ScriptedPeer::parse(R"(
      S: * OK [CAPABILITY IMAP4rev1 STARTTLS] ready
      C: A001 STARTTLS
      S: A001 OK go
      !starttls
      C: A002 CAPABILITY
    )");
    peer->set_max_tls_version(c.max_tls_version);
    // Only the mechanism under test is offered with -PLUS, so the client's choice is checked.
    peer->send(std::string("* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=SCRAM-SHA-1 ") +
               (sha256 ? "AUTH=SCRAM-SHA-256 " : "") + "AUTH=" + mech);
    peer->send("A002 OK done");
    std::unique_ptr<ScramOracle> server;
    ScriptedPeer* p = peer.get();
    peer->respond([&](std::string_view line) {
      const std::string prefix = "A003 AUTHENTICATE " + mech + " ";
      if (line.substr(0, prefix.size()) != prefix) {
        throw ScriptError("unexpected command: " + std::string(line));
      }
      const std::string data = server_side_binding(p->server_ssl(), c.type);
      server =
          std::make_unique<ScramOracle>(c.md(), "pencil", std::string("p=") + c.type + ",," + data);
      const std::string first = server->first(ScramOracle::unb64(line.substr(prefix.size())));
      return "+ " + ScramOracle::b64(first) + "\r\n";
    });
    peer->respond([&](std::string_view line) {
      return "+ " + ScramOracle::b64(server->final(ScramOracle::unb64(line))) + "\r\n";
    });
    peer->script(R"(
      C:
      S: A003 OK [CAPABILITY IMAP4rev1] authenticated
    )");
    ImapOptions options;
    options.tls.ca_file = TestPki::get().ca_file;
    ImapClient client(options);
    client.connect(peer->transport(), "localhost");
    SaslCredentials credentials;
    credentials.user = "user";
    credentials.password = "pencil";
    credentials.channel_binding = c.asked;
    client.authenticate(credentials);
    REQUIRE(server);
    INFO(server->problem());
    CHECK(server->problem().empty());
    INFO(peer->error());
    CHECK(peer->finished());
    CHECK(client.tls_info()->protocol == (c.max_tls_version ? "TLSv1.2" : "TLSv1.3"));
  }
}

TEST_CASE("SCRAM-PLUS: a wrong server signature still fails the exchange", "[sasl][tls]") {
  auto peer = ScriptedPeer::parse(R"(
    S: * OK [CAPABILITY IMAP4rev1 STARTTLS] ready
    C: A001 STARTTLS
    S: A001 OK go
    !starttls
    C: A002 CAPABILITY
    S: * CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-256-PLUS
    S: A002 OK done
  )");
  std::unique_ptr<ScramOracle> server;
  ScriptedPeer* p = peer.get();
  peer->respond([&](std::string_view line) {
    const std::string data = server_side_binding(p->server_ssl(), "tls-exporter");
    server = std::make_unique<ScramOracle>(EVP_sha256(), "pencil", "p=tls-exporter,," + data);
    return "+ " +
           ScramOracle::b64(server->first(ScramOracle::unb64(line.substr(line.rfind(' ') + 1)))) +
           "\r\n";
  });
  peer->respond([&](std::string_view) {
    return "+ " + ScramOracle::b64("v=" + ScramOracle::b64(std::string(32, 'x'))) + "\r\n";
  });
  ImapOptions options;
  options.tls.ca_file = TestPki::get().ca_file;
  ImapClient client(options);
  client.connect(peer->transport(), "localhost");
  SaslCredentials credentials;
  credentials.user = "user";
  credentials.password = "pencil";
  const Error e = error_of([&] { client.authenticate(credentials); });
  CHECK(e.kind() == Errc::auth);
  CHECK(e.diagnostics().reason == Reason::server_not_verified);
}

TEST_CASE("SCRAM-PLUS forced over a connection without TLS is a usage error naming it", "[sasl]") {
  auto peer = ScriptedPeer::parse(R"(
    S: 220 mail.example.com ESMTP
    C: EHLO client.example
    S: 250-mail.example.com
    S: 250 AUTH SCRAM-SHA-256 SCRAM-SHA-256-PLUS
  )");
  SmtpOptions options;
  options.security = Security::None;
  options.allow_plaintext_auth = true;
  options.helo_name = "client.example";
  SmtpClient client(options);
  client.connect(peer->transport(), "mail.example.com");
  SaslCredentials credentials;
  credentials.user = "user";
  credentials.password = "pencil";
  const Error e = error_of([&] { client.authenticate(credentials, "SCRAM-SHA-256-PLUS"); });
  CHECK(e.kind() == Errc::usage);
  CHECK(std::string(e.what()).find("SCRAM-SHA-256-PLUS") != std::string::npos);
  const Error g = error_of([&] { client.authenticate(credentials, "GSSAPI"); });
  CHECK(g.kind() == Errc::usage);
  CHECK(std::string(g.what()).find("GSSAPI") != std::string::npos);
  CHECK(peer->finished());
}
