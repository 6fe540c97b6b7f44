// TlsTransport and TcpTransport over real loopback sockets, against the test PKI.

#include "net/tls_context.hpp"
#include "support/test_pki.hpp"
#include "support/test_server.hpp"

#include <mailwire/error.hpp>
#include <mailwire/net/stream.hpp>
#include <mailwire/net/tcp_transport.hpp>
#include <mailwire/net/tls_transport.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using namespace mailwire;
using namespace mailwire::test;
using namespace std::chrono_literals;

namespace {

std::string implicit_tls_script(const TestCert& cert) {
  (void)cert;
  return "!starttls\nS: 220 hello over TLS\nC: QUIT\nS: 221 bye\n";
}

std::shared_ptr<ScriptedPeer> tls_peer(const TestCert& cert) {
  auto peer = ScriptedPeer::parse(implicit_tls_script(cert));
  peer->set_certificate(cert.chain_file, cert.key_file);
  return peer;
}

// Connects with implicit TLS and returns the kind of the error, or nullopt on success.
std::optional<Error> connect_tls(std::uint16_t port, TlsOptions options,
                                 const std::string& host = "localhost") {
  try {
    auto tcp = TcpTransport::open(host, port);
    TlsTransport tls(std::move(tcp), std::move(options), host);
    tls.handshake(deadline_after(5s));
    return std::nullopt;
  } catch (const Error& e) {
    return e;
  }
}

TlsOptions trusting_test_ca() {
  TlsOptions options;
  options.ca_file = TestPki::get().ca_file;
  return options;
}

}  // namespace

TEST_CASE("Implicit TLS: handshake verifies the chain and host, and talks", "[tls]") {
  const TestPki& pki = TestPki::get();
  TestServer server([&] { return tls_peer(pki.valid); });
  auto tcp = TcpTransport::open("localhost", server.port());
  auto tls = std::make_unique<TlsTransport>(std::move(tcp), trusting_test_ca(), "localhost");
  tls->handshake(deadline_after(5s));
  REQUIRE(tls->is_encrypted());
  const auto info = tls->tls_info();
  REQUIRE(info);
  CHECK(info->verified);
  CHECK((info->protocol == "TLSv1.3" || info->protocol == "TLSv1.2"));
  CHECK(info->peer_subject.find("CN=localhost") != std::string::npos);
  CHECK(info->peer_pubkey_sha256 == pki.valid.spki_sha256);
  CHECK(info->peer_sha256 == pki.valid.cert_sha256);

  Stream stream(std::move(tls));
  CHECK(stream.read_line(deadline_after(5s)) == "220 hello over TLS");
  stream.write("QUIT\r\n", deadline_after(5s));
  CHECK(stream.read_line(deadline_after(5s)) == "221 bye");
}

TEST_CASE("Connections with the same TLS settings share one context", "[tls]") {
  // Making a context reads the trust store (the whole CA bundle for the system store): once
  // per setting, not once per connection.
  TestServer server([&] { return tls_peer(TestPki::get().valid); });
  TlsOptions options = trusting_test_ca();
  options.min_version = TlsVersion::Tls13;  // a setting no other test here uses
  const std::uint64_t before = detail::tls_contexts_made();
  for (int i = 0; i < 3; ++i)
    REQUIRE_FALSE(connect_tls(server.port(), options));
  CHECK(detail::tls_contexts_made() == before + 1);
  // Another setting gets a context of its own, and a failure with it leaves the first alone.
  TlsOptions other = options;
  other.ca_file.clear();  // the system store: the test CA is unknown there
  const auto refused = connect_tls(server.port(), other);
  REQUIRE(refused);
  CHECK(refused->code() == Errc::certificate);
  CHECK(detail::tls_contexts_made() == before + 2);
  CHECK_FALSE(connect_tls(server.port(), options));
  CHECK(detail::tls_contexts_made() == before + 2);
}

TEST_CASE("Implicit TLS to an IP address verifies the IP SAN", "[tls]") {
  TestServer server([&] { return tls_peer(TestPki::get().valid); });
  CHECK_FALSE(connect_tls(server.port(), trusting_test_ca(), "127.0.0.1"));
}

TEST_CASE("Bad certificates fail with Errc::certificate naming the reason", "[tls]") {
  const TestPki& pki = TestPki::get();
  struct Case {
    const TestCert* cert;
    const char* reason;
  };
  const Case cases[] = {
      {&pki.expired, "expired"},
      {&pki.wrong_host, "host name mismatch"},
      {&pki.self_signed, "self-signed"},
      {&pki.unknown_issuer, "unknown issuer"},
  };
  for (const Case& c : cases) {
    INFO(c.reason);
    TestServer server([&] { return tls_peer(*c.cert); });
    const auto error = connect_tls(server.port(), trusting_test_ca());
    REQUIRE(error);
    CHECK(error->kind() == Errc::certificate);
    CHECK_THAT(error->what(), Catch::Contains(c.reason));
  }
}

TEST_CASE("The system trust store does not trust the test CA", "[tls]") {
  TestServer server([&] { return tls_peer(TestPki::get().valid); });
  const auto error = connect_tls(server.port(), TlsOptions{});
  REQUIRE(error);
  CHECK(error->kind() == Errc::certificate);
}

TEST_CASE("A chain with its intermediate verifies", "[tls]") {
  TestServer server([&] { return tls_peer(TestPki::get().chained); });
  CHECK_FALSE(connect_tls(server.port(), trusting_test_ca()));
}

TEST_CASE("insecure connects to anything and warns", "[tls]") {
  TestServer server([&] { return tls_peer(TestPki::get().expired); });
  TlsOptions options;
  options.insecure = true;
  std::string warning;
  options.on_warning = [&](std::string_view text) { warning = std::string(text); };
  CHECK_FALSE(connect_tls(server.port(), options));
  CHECK_THAT(warning, Catch::Contains("verification is disabled"));
}

TEST_CASE("Pinning accepts the pinned key and rejects another", "[tls]") {
  const TestPki& pki = TestPki::get();
  TestServer server([&] { return tls_peer(pki.valid); });
  TlsOptions right = trusting_test_ca();
  right.pin_public_key_sha256 = {pki.valid.spki_sha256};
  CHECK_FALSE(connect_tls(server.port(), right));

  TlsOptions by_cert = trusting_test_ca();
  by_cert.pin_certificate_sha256 = {pki.valid.cert_sha256};
  CHECK_FALSE(connect_tls(server.port(), by_cert));

  TlsOptions wrong = trusting_test_ca();
  wrong.pin_public_key_sha256 = {pki.expired.spki_sha256};
  const auto error = connect_tls(server.port(), wrong);
  REQUIRE(error);
  CHECK(error->kind() == Errc::certificate);
  CHECK_THAT(error->what(), Catch::Contains("pinned"));

  // A pin alone trusts a self-signed server (with verification off on purpose).
  TestServer self([&] { return tls_peer(pki.self_signed); });
  TlsOptions pinned_only;
  pinned_only.insecure = true;
  pinned_only.on_warning = [](std::string_view) {};
  pinned_only.pin_public_key_sha256 = {pki.self_signed.spki_sha256};
  CHECK_FALSE(connect_tls(self.port(), pinned_only));
  pinned_only.pin_public_key_sha256 = {pki.valid.spki_sha256};
  CHECK(connect_tls(self.port(), pinned_only));
}

TEST_CASE("A client certificate is presented when configured", "[tls]") {
  TestServer server([&] { return tls_peer(TestPki::get().valid); });
  TlsOptions options = trusting_test_ca();
  options.client_cert_file = TestPki::get().client.cert_file;
  options.client_key_file = TestPki::get().client.key_file;
  CHECK_FALSE(connect_tls(server.port(), options));
  options.client_key_file = TestPki::get().valid.key_file;  // not this certificate's key
  const auto error = connect_tls(server.port(), options);
  REQUIRE(error);
  CHECK(error->kind() == Errc::usage);
}

TEST_CASE("Implicit TLS to a plaintext server fails with Errc::tls, no fallback", "[tls]") {
  TestServer server("S: 220 plain smtp ready\nC: QUIT\n");
  const auto error = connect_tls(server.port(), trusting_test_ca());
  REQUIRE(error);
  CHECK(error->kind() == Errc::tls);
  CHECK_THAT(error->what(), Catch::Contains("STARTTLS"));
  // Nothing but a ClientHello went out: no plaintext command.
  const auto peers = server.peers();
  REQUIRE(peers.size() == 1);
  CHECK(peers[0]->received().find("QUIT") == std::string::npos);
}

TEST_CASE("TCP: connection refused is Errc::connect naming the address", "[tcp]") {
  std::uint16_t port = 0;
  {
    TestServer closed("S: x\n");
    port = closed.port();
  }
  try {
    TcpTransport::open("127.0.0.1", port);
    FAIL("connected to a closed port");
  } catch (const Error& e) {
    CHECK(e.kind() == Errc::connect);
    CHECK_THAT(e.what(), Catch::Contains("127.0.0.1"));
  }
  try {
    TcpTransport::open("no-such-host.invalid", 25);
    FAIL("resolved .invalid");
  } catch (const Error& e) {
    CHECK(e.kind() == Errc::connect);
  }
}

TEST_CASE("TCP: the connect deadline fires", "[tcp]") {
  NeverAccepts hole;
  ConnectOptions options;
  options.timeout = 300ms;
  const auto start = Clock::now();
  try {
    TcpTransport::open("127.0.0.1", hole.port(), options);
    WARN("the kernel accepted the connection despite a full backlog; nothing to test here");
  } catch (const Error& e) {
    CHECK(e.kind() == Errc::timeout);
    CHECK(Clock::now() - start < 20s);  // loosely: it did not hang
  }
}

TEST_CASE("TCP: the read deadline fires on a silent server", "[tcp]") {
  TestServer server("!stall\n");
  auto tcp = TcpTransport::open("127.0.0.1", server.port());
  char buf[16];
  try {
    tcp->read_some(buf, sizeof buf, deadline_after(200ms));
    FAIL("read returned from a silent server");
  } catch (const Error& e) {
    CHECK(e.kind() == Errc::timeout);
  }
}

TEST_CASE("TCP: cancel() from another thread unblocks a pending read", "[tcp]") {
  TestServer server("!stall\n");
  auto tcp = TcpTransport::open("127.0.0.1", server.port());
  TcpTransport* raw = tcp.get();
  std::thread canceller([raw] {
    std::this_thread::sleep_for(100ms);
    raw->cancel();
  });
  char buf[16];
  try {
    raw->read_some(buf, sizeof buf, deadline_after(30s));
    FAIL("read returned");
  } catch (const Error& e) {
    CHECK(e.kind() == Errc::cancelled);
  }
  canceller.join();
}

TEST_CASE("TCP: IPv6 loopback", "[tcp]") {
  std::unique_ptr<TestServer> server;
  try {
    server = std::make_unique<TestServer>("S: 220 v6\n", "::1");
  } catch (const std::exception&) {
    WARN("no IPv6 loopback on this machine");
    return;
  }
  auto tcp = TcpTransport::open("::1", server->port());
  CHECK(tcp->peer_address().front() == '[');
  Stream stream(std::move(tcp));
  CHECK(stream.read_line(deadline_after(5s)) == "220 v6");
}
