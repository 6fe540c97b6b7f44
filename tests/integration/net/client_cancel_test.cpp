// cancel() from another thread, for SmtpClient, ImapClient and Pop3Client alike: it reaches
// connect() at every step (TCP connect, TLS handshake), and it stays in force until close(),
// so that one landing between two steps, or before the call it was meant for, is not lost.

#include "support/scripted_peer.hpp"
#include "support/test_pki.hpp"
#include "support/test_server.hpp"

#include <mailwire/error.hpp>
#include <mailwire/imap_client.hpp>
#include <mailwire/pop3_client.hpp>
#include <mailwire/smtp_client.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>

using namespace mailwire;
using namespace mailwire::test;
using namespace std::chrono_literals;

namespace {

// A session start that succeeds without TLS, for each protocol.
const char* const smtp_start = R"(
  S: 220 mx.example ESMTP
  C: EHLO client.example
  S: 250 mx.example
)";
const char* const imap_start = "S: * OK [CAPABILITY IMAP4rev1] ready\n";
const char* const pop3_start = R"(
  S: +OK ready
  C: CAPA
  S: +OK
  S: USER
  S: .
)";

template <typename Client, typename Options>
Client make_client(Security security) {
  Options options;
  options.security = security;
  options.tls.ca_file = TestPki::get().ca_file;
  options.timeout = 30s;
  options.connect.timeout = 30s;
  if constexpr (std::is_same_v<Client, SmtpClient>) options.helo_name = "client.example";
  return Client(options);
}

// Runs `call` on this thread while another thread calls client.cancel() once `ready` is true
// (polled for at most 20 s); returns the error the call ended with.
template <typename Client>
std::optional<Error> cancelled_while(Client& client, const std::function<bool()>& ready,
                                     const std::function<void()>& call) {
  std::thread canceller([&] {
    for (int i = 0; i < 2000 && !ready(); ++i)
      std::this_thread::sleep_for(10ms);
    client.cancel();
  });
  std::optional<Error> error;
  try {
    call();
  } catch (const Error& e) {
    error = e;
  }
  canceller.join();
  return error;
}

template <typename Client, typename Options>
void check_cancel_in_connect(const char* start_script) {
  SECTION("while the TCP connection is being made") {
    NeverAccepts hole;
    Client client = make_client<Client, Options>(Security::None);
    const auto error = cancelled_while(
        client, [] { return true; }, [&] { client.connect("127.0.0.1", hole.port()); });
    REQUIRE(error);
    INFO(error->what());
    CHECK(error->kind() == Errc::cancelled);
  }
  SECTION("during the TLS handshake of implicit TLS") {
    TestServer server("!stall\n");  // accepts and never answers the ClientHello
    Client client = make_client<Client, Options>(Security::Tls);
    const auto error = cancelled_while(
        client, [&] { return server.connections() > 0; },
        [&] { client.connect("127.0.0.1", server.port()); });
    REQUIRE(error);
    INFO(error->what());
    CHECK(error->kind() == Errc::cancelled);
  }
  SECTION("before connect(): in force until close(), then the client works again") {
    TestServer server(start_script);
    Client client = make_client<Client, Options>(Security::None);
    client.cancel();
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        client.connect("127.0.0.1", server.port());
        FAIL("connect() succeeded after cancel()");
      } catch (const Error& e) {
        CHECK(e.kind() == Errc::cancelled);
      }
    }
    CHECK(server.connections() == 0);  // given up before connecting
    client.close();
    client.connect("127.0.0.1", server.port());
    CHECK(server.connections() == 1);
  }
}

// Another thread calls cancel() over and over while this one connects and closes the client 30
// times: every connect() either works or fails with Errc::cancelled, and the client stays
// usable. Run under ThreadSanitizer by scripts/test.sh, where a cancel() touching what
// connect() or close() changes without the lock is a reported race.
template <typename Client, typename Options>
void check_cancel_storm(const char* start_script) {
  TestServer server(start_script);
  Client client = make_client<Client, Options>(Security::None);
  std::atomic<bool> done{false};
  std::thread canceller([&] {
    while (!done) {
      client.cancel();
      std::this_thread::sleep_for(1ms);
    }
  });
  int connected = 0;
  int cancelled = 0;
  for (int i = 0; i < 30; ++i) {
    try {
      client.connect("127.0.0.1", server.port());
      ++connected;
    } catch (const Error& e) {
      INFO(e.what());
      CHECK(e.kind() == Errc::cancelled);
      ++cancelled;
    }
    client.close();
  }
  done = true;
  canceller.join();
  CHECK(connected + cancelled == 30);
  client.connect("127.0.0.1", server.port());  // close() ended the last cancel
}

}  // namespace

TEST_CASE("Clients: cancel() from another thread while connecting and closing over and over",
          "[cancel]") {
  check_cancel_storm<SmtpClient, SmtpOptions>(smtp_start);
  check_cancel_storm<ImapClient, ImapOptions>(imap_start);
  check_cancel_storm<Pop3Client, Pop3Options>(pop3_start);
}

TEST_CASE("SmtpClient: cancel() reaches every step of connect()", "[smtp][cancel]") {
  check_cancel_in_connect<SmtpClient, SmtpOptions>(smtp_start);
}

TEST_CASE("ImapClient: cancel() reaches every step of connect()", "[imap][cancel]") {
  check_cancel_in_connect<ImapClient, ImapOptions>(imap_start);
}

TEST_CASE("Pop3Client: cancel() reaches every step of connect()", "[pop3][cancel]") {
  check_cancel_in_connect<Pop3Client, Pop3Options>(pop3_start);
}
