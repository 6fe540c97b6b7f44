// Stream over the in-memory scripted peer: lines, limits, blocks, and the STARTTLS upgrade.

#include "support/scripted_peer.hpp"
#include "support/test_pki.hpp"

#include <mailwire/error.hpp>
#include <mailwire/net/stream.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string_view>

using namespace mailwire;
using namespace mailwire::test;
using namespace std::chrono_literals;

namespace {

Deadline soon() {
  return deadline_after(5s);
}

template <typename F>
Errc error_kind(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  FAIL("no error");
  return Errc::usage;
}

TlsOptions test_tls() {
  TlsOptions options;
  options.ca_file = TestPki::get().ca_file;
  return options;
}

}  // namespace

TEST_CASE("Stream reads CRLF lines across segments", "[stream]") {
  auto peer = ScriptedPeer::make();
  peer->split_send("250-first\r\n250 second\r\n", {1, 5, 10, 11, 12});
  peer->send_raw("a\r\nb\r\n");
  Stream stream(peer->transport());
  CHECK(stream.read_line(soon()) == "250-first");
  CHECK(stream.read_line(soon()) == "250 second");
  CHECK(stream.read_line(soon()) == "a");
  CHECK(stream.read_line(soon()) == "b");
  CHECK(peer->finished());
}

TEST_CASE("Stream bare LF policy", "[stream]") {
  {
    auto peer = ScriptedPeer::make();
    peer->send_raw("bare\nline\r\n");
    Stream stream(peer->transport());
    CHECK(stream.read_line(soon()) == "bare");
    CHECK(stream.read_line(soon()) == "line");
  }
  {
    auto peer = ScriptedPeer::make();
    peer->send_raw("bare\nline\r\n");
    StreamOptions strict;
    strict.allow_bare_lf = false;
    Stream stream(peer->transport(), strict);
    CHECK(stream.read_line(soon()) == "bare\nline");
  }
}

TEST_CASE("Stream refuses a line over the limit without buffering it all", "[stream]") {
  auto peer = ScriptedPeer::make();
  for (int i = 0; i < 1000; ++i)
    peer->send_raw(std::string(64 * 1024, 'x'));  // 64 MB, no LF
  StreamOptions options;
  options.max_line = 1000;
  Stream stream(peer->transport(), options);
  CHECK(error_kind([&] { stream.read_line(soon()); }) == Errc::limit);
  CHECK(stream.buffered().size() < 200 * 1024);  // it stopped reading early
}

TEST_CASE("Stream: the peer closing mid-line is an error, not a line", "[stream]") {
  auto peer = ScriptedPeer::parse("S~ 250 partial\n!close\n");
  Stream stream(peer->transport());
  CHECK(error_kind([&] { stream.read_line(soon()); }) == Errc::connect);
}

TEST_CASE("Stream read_exact and read_to_sink", "[stream]") {
  auto peer = ScriptedPeer::make();
  peer->send_raw("* 1 FETCH {5}\r\nhello)\r\n");
  std::string big(300 * 1024, 'b');
  peer->split_send("line\r\n" + big + "tail\r\n", {3, 70000});
  Stream stream(peer->transport());
  CHECK(stream.read_line(soon()) == "* 1 FETCH {5}");
  CHECK(stream.read_exact(5, soon()) == "hello");
  CHECK(stream.read_line(soon()) == ")");
  CHECK(stream.read_line(soon()) == "line");
  std::size_t total = 0;
  std::size_t largest = 0;
  stream.read_to_sink(
      big.size(),
      [&](std::string_view chunk) {
        CHECK(chunk.find_first_not_of('b') == std::string_view::npos);
        total += chunk.size();
        largest = std::max(largest, chunk.size());
      },
      soon());
  CHECK(total == big.size());
  CHECK(largest <= 64 * 1024);  // bounded chunks
  CHECK(stream.read_line(soon()) == "tail");
}

TEST_CASE("Stream: a block cut short by the peer is an error", "[stream]") {
  auto peer = ScriptedPeer::parse("S~ abc\n!close\n");
  Stream stream(peer->transport());
  CHECK(error_kind([&] { stream.read_exact(10, soon()); }) == Errc::connect);
}

TEST_CASE("Stream: stall is a timeout, reset is a connect error", "[stream]") {
  auto stalled = ScriptedPeer::parse("!stall\n");
  Stream s1(stalled->transport());
  CHECK(error_kind([&] { s1.read_line(soon()); }) == Errc::timeout);
  auto reset = ScriptedPeer::parse("!reset\n");
  Stream s2(reset->transport());
  CHECK(error_kind([&] { s2.read_line(soon()); }) == Errc::connect);
}

TEST_CASE("Stream: after a failed read the stream is broken until a new connection", "[stream]") {
  SECTION("a timeout, then a read that would have worked") {
    auto peer = ScriptedPeer::parse("!stall\nS: late reply\n");
    Stream s(peer->transport());
    CHECK(error_kind([&] { s.read_line(soon()); }) == Errc::timeout);
    CHECK(s.broken());
    CHECK(peer->client_closed());
    try {
      s.read_line(soon());
      FAIL("read from a broken stream");
    } catch (const Error& e) {
      CHECK(e.kind() == Errc::connect);
      CHECK_THAT(e.what(), Catch::Contains("earlier failure"));
      CHECK_THAT(e.what(), Catch::Contains("stall"));
    }
    CHECK(error_kind([&] { s.write("NOOP\r\n", soon()); }) == Errc::connect);
    CHECK(peer->received().empty());
  }
  SECTION("a sink that throws in the middle of a block") {
    auto peer = ScriptedPeer::parse("S~ 0123456789\n");
    Stream s(peer->transport());
    CHECK_THROWS_AS(
        s.read_to_sink(
            10, [](std::string_view) { throw std::runtime_error("disk full"); }, soon()),
        std::runtime_error);
    CHECK(s.broken());
    CHECK_THAT(s.broken_by(), Catch::Contains("disk full"));
  }
  SECTION("a wait that may see nothing keeps the stream when asked to") {
    auto peer = ScriptedPeer::parse("!stall\nS: * 3 EXISTS\n");
    Stream s(peer->transport());
    s.set_timeouts_recoverable(true);
    CHECK(error_kind([&] { s.read_line(soon()); }) == Errc::timeout);
    CHECK_FALSE(s.broken());
    CHECK(s.read_line(soon()) == "* 3 EXISTS");
  }
}

TEST_CASE("STARTTLS over the in-memory peer", "[stream][starttls]") {
  auto peer = ScriptedPeer::parse(R"(
    S: 220 ready
    C: STARTTLS
    S: 220 go ahead
    !starttls
    C: EHLO again
    S: 250 secure hello
  )");
  Stream stream(peer->transport());
  CHECK(stream.read_line(soon()) == "220 ready");
  stream.write("STARTTLS\r\n", soon());
  CHECK(stream.read_line(soon()) == "220 go ahead");
  stream.start_tls(test_tls(), "localhost", soon());
  CHECK(stream.is_encrypted());
  stream.write("EHLO again\r\n", soon());
  CHECK(stream.read_line(soon()) == "250 secure hello");
  CHECK(peer->finished());
  CHECK(peer->tls_established());
}

TEST_CASE("STARTTLS: replies injected after the go-ahead are refused", "[stream][starttls]") {
  SECTION("a whole line in the same segment") {
    auto peer = ScriptedPeer::make();
    peer->send("220 ready").expect("STARTTLS").send_raw("220 go ahead\r\n250 AUTH PLAIN\r\n");
    Stream stream(peer->transport());
    stream.read_line(soon());
    stream.write("STARTTLS\r\n", soon());
    CHECK(stream.read_line(soon()) == "220 go ahead");
    CHECK(error_kind([&] { stream.start_tls(test_tls(), "localhost", soon()); }) == Errc::protocol);
    // The injected line was never handed out, and TLS never started.
    CHECK_FALSE(stream.is_encrypted());
  }
  SECTION("half a line without CRLF") {
    auto peer = ScriptedPeer::make();
    peer->send("220 ready").expect("STARTTLS").send_raw("220 go ahead\r\n250 AU");
    Stream stream(peer->transport());
    stream.read_line(soon());
    stream.write("STARTTLS\r\n", soon());
    CHECK(stream.read_line(soon()) == "220 go ahead");
    CHECK(error_kind([&] { stream.start_tls(test_tls(), "localhost", soon()); }) == Errc::protocol);
  }
}

TEST_CASE("STARTTLS to a server with a bad certificate fails with the reason", "[starttls]") {
  auto peer = ScriptedPeer::parse("S: 220 go\n!starttls\n");
  peer->set_certificate(TestPki::get().expired.chain_file, TestPki::get().expired.key_file);
  Stream stream(peer->transport());
  stream.read_line(soon());
  try {
    stream.start_tls(test_tls(), "localhost", soon());
    FAIL("handshake succeeded");
  } catch (const Error& e) {
    CHECK(e.kind() == Errc::certificate);
    CHECK_THAT(e.what(), Catch::Contains("expired"));
  }
  // The stream is unusable afterwards, and says so instead of crashing.
  CHECK_THROWS_AS(stream.write("QUIT\r\n", soon()), Error);
  CHECK_THAT(peer->tls_error(), Catch::Contains("certificate expired"));
}

TEST_CASE("The protocol log sees both directions, with the caller's redaction", "[stream]") {
  auto peer = ScriptedPeer::parse("C: PASS secret\nS: +OK\n");
  Stream stream(peer->transport());
  std::string log;
  stream.set_log([&](LogDirection d, std::string_view bytes) {
    log += d == LogDirection::Client ? "C:" : d == LogDirection::Server ? "S:" : "*:";
    log += bytes;
  });
  stream.write("PASS secret\r\n", soon(), redact_words("PASS secret\r\n", 1));
  stream.read_line(soon());
  CHECK(log == "C:PASS ****\r\nS:+OK\r\n");
  CHECK(peer->received() == "PASS secret\r\n");
}
