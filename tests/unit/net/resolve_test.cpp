// Name resolution obeys the connect deadline and cancel(): getaddrinfo cannot be interrupted,
// so a resolver that hangs (a dead DNS server) must not hang the caller.

#include "net/resolve.hpp"
#include "support/error_of.hpp"

#include <mailwire/error.hpp>
#include <mailwire/net/tcp_transport.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using namespace mailwire;
using mailwire::test::error_of;

namespace {

int hanging_resolver(const char*, const char*, const addrinfo*, addrinfo**) {
  std::this_thread::sleep_for(std::chrono::seconds(3));
  return EAI_AGAIN;
}

int failing_resolver(const char*, const char*, const addrinfo*, addrinfo**) {
  return EAI_NONAME;
}

struct ResolverGuard {
  explicit ResolverGuard(detail::ResolveFunction f) { detail::set_resolver_for_tests(f); }
  ~ResolverGuard() { detail::set_resolver_for_tests(nullptr); }
};

}  // namespace

TEST_CASE("Resolution: a resolver that never answers meets the connect deadline", "[net]") {
  ResolverGuard guard(&hanging_resolver);
  TcpTransport tcp;
  ConnectOptions options;
  options.timeout = std::chrono::milliseconds(200);
  const Error e = error_of([&] { tcp.connect("mail.example.test", 25, options); });
  CHECK(e.kind() == Errc::timeout);
  CHECK_THAT(e.what(), Catch::Contains("resolving mail.example.test"));
}

TEST_CASE("Resolution: cancel() from another thread ends the wait", "[net]") {
  ResolverGuard guard(&hanging_resolver);
  TcpTransport tcp;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    tcp.cancel();
  });
  const Error e = error_of([&] { tcp.connect("mail.example.test", 25); });
  canceller.join();
  CHECK(e.kind() == Errc::cancelled);
}

TEST_CASE("Resolution: an unknown name is a connect error naming the host", "[net]") {
  ResolverGuard guard(&failing_resolver);
  TcpTransport tcp;
  const Error e = error_of([&] { tcp.connect("nowhere.example.test", 25); });
  CHECK(e.kind() == Errc::connect);
  CHECK_THAT(e.what(), Catch::Contains("cannot resolve nowhere.example.test"));
}

TEST_CASE("Resolution: address literals need no resolver", "[net]") {
  ResolverGuard guard(&failing_resolver);
  for (const char* literal : {"127.0.0.1", "[::1]"}) {
    INFO(literal);
    TcpTransport tcp;
    // Port 1 on loopback: refused, not "cannot resolve".
    const Error e = error_of([&] { tcp.connect(literal, 1); });
    CHECK(e.kind() == Errc::connect);
    CHECK_THAT(e.what(), !Catch::Contains("cannot resolve"));
  }
}
