#pragma once

// ScriptedPeer: an in-memory server that plays a script against a client, byte for byte.
//
//   auto peer = ScriptedPeer::parse(R"(
//     S: +OK ready
//     C: CAPA
//     S: -ERR no CAPA
//   )");
//   client.connect(peer->transport(), "pop.example.com");
//   REQUIRE(peer->finished());
//
// Script lines: "S: text" sends text + CRLF; "C: text" expects exactly text + CRLF from the
// client. "S~ bytes" / "C~ bytes" without the CRLF. Escapes in text: \r \n \t \0 \\ \xNN.
// Directives: "!close" (the client reads end of stream), "!reset" (reads and writes fail
// with Error(connect)), "!stall" (the next read fails with Error(timeout) at once: a server
// that never answers, without waiting), "!starttls" (from here on the peer is a TLS server,
// using TestPki's valid certificate unless set_certificate() chose another, and later S:/C:
// lines are plaintext inside TLS), "!cut" (the connection ends without a TLS close_notify:
// a truncation attack), "!any" (the client sends something, whatever it is: a TLS ClientHello
// that the server answers in plaintext, say). "D~ MS bytes" drips bytes, one every MS milliseconds
// (a slow-loris server; keep the total short, the server thread sleeps). Blank lines and lines
// starting with
// '#' are ignored.
//
// Each S step is one segment: one read_some() returns at most one segment, so "S~" with
// several replies tests pipelining parsers and split_send() tests replies cut anywhere.
// Mismatches throw ScriptError (not a mailwire::Error, so clients cannot swallow it) and are
// kept in error(). Every byte the client sent is kept in received() (plaintext after TLS).

#include <mailwire/net/transport.hpp>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct ssl_st;  // OpenSSL's SSL

namespace mailwire::test {

/// The client did something the script did not expect.
struct ScriptError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Escapes bytes for messages: CR LF as \r\n, other controls as \xNN.
std::string escape(std::string_view bytes);

/// Whose steps fault_at() counts: the server's ("S:", "S~", "D~") or the client's ("C:", "C~").
enum class ScriptSide { Server, Client };

/// How many steps of `side` a script has (for loops that inject a fault at each).
std::size_t count_steps(std::string_view script, ScriptSide side);

/// The script up to its `k`-th step of `side` (from 0), that step replaced by `replacement`
/// (one or more script lines: "!close", "!reset", "!stall", "S: 421 4.3.2 shutting down"),
/// and nothing after it: the model of Boost.MySQL's check_network_errors, a fault at every
/// step of an exchange.
std::string fault_at(std::string_view script, ScriptSide side, std::size_t k,
                     std::string_view replacement);

class ScriptedPeer : public std::enable_shared_from_this<ScriptedPeer> {
 public:
  enum class Kind { Send, Expect, Close, Reset, Stall, StartTls, Drip, Cut, ExpectAny, Respond };
  /// Respond: gets the client's line (CRLF removed) and returns what the server sends (CRLF
  /// included; empty: nothing). It may fail the test by throwing ScriptError.
  using Responder = std::function<std::string(std::string_view line)>;
  struct Step {
    Kind kind;
    std::string bytes;
    int line = 0;      // in the script text, for messages
    int delay_ms = 0;  // Drip: the pause before each byte
    Responder respond = {};
  };

  /// An empty script (add steps with the builder methods).
  static std::shared_ptr<ScriptedPeer> make();
  /// A script from text (see above).
  static std::shared_ptr<ScriptedPeer> parse(std::string_view script);

  ScriptedPeer& send(std::string_view line);       ///< line + CRLF, one segment
  ScriptedPeer& send_raw(std::string_view bytes);  ///< bytes, one segment
  /// `bytes` cut into segments at each of `offsets`.
  ScriptedPeer& split_send(std::string_view bytes, const std::vector<std::size_t>& offsets);
  ScriptedPeer& expect(std::string_view line);  ///< line + CRLF
  ScriptedPeer& expect_raw(std::string_view bytes);
  /// The client's next write, whatever it holds (see "!any").
  ScriptedPeer& expect_any();
  ScriptedPeer& close();
  ScriptedPeer& reset();
  ScriptedPeer& stall();
  /// `bytes` one at a time, each after a pause of `delay_ms`.
  ScriptedPeer& drip(std::string_view bytes, int delay_ms);
  /// The end of the connection without a TLS close_notify (plain: like close()).
  ScriptedPeer& cut();
  ScriptedPeer& start_tls();
  /// The client sends one line (whatever it holds) and the server answers with what `answer`
  /// computes from it: for exchanges whose bytes a script cannot know (a SCRAM nonce).
  ScriptedPeer& respond(Responder answer);
  /// Appends the steps of a script text (see above) to this peer's.
  ScriptedPeer& script(std::string_view text);
  /// The server side of the TLS connection once "!starttls" ran (nullptr before), for tests
  /// that compute what the client should derive from it (channel bindings).
  ssl_st* server_ssl() const noexcept;
  /// Certificate chain and key of the TLS server (default: TestPki valid).
  void set_certificate(std::string chain_file, std::string key_file);
  /// The protocol the TLS server answers ALPN with, whatever the client offered (a hostile or
  /// confused server, ALPACA); empty (the default): no ALPN answer.
  void set_alpn_choice(std::string protocol);
  /// The newest TLS version the server accepts (OpenSSL's TLS1_2_VERSION, ...); 0: any.
  void set_max_tls_version(int version) { max_tls_version_ = version; }

  /// A Transport playing this script. The peer stays alive as long as the test holds it.
  std::unique_ptr<Transport> transport();

  /// Every step ran and no mismatch happened.
  bool finished() const noexcept {
    return next_ == steps_.size() && error_.empty() && pending_.empty();
  }
  /// The first mismatch, or empty.
  const std::string& error() const noexcept { return error_; }
  /// Steps not run yet, for messages.
  std::string remaining() const;
  /// Every byte the client sent (plaintext inside TLS).
  const std::string& received() const noexcept { return received_; }
  /// Whether the client closed the transport.
  bool client_closed() const noexcept { return client_closed_; }
  /// True once a TLS handshake completed.
  bool tls_established() const noexcept;
  /// Why the server side of the handshake failed (the client aborted it), or empty.
  const std::string& tls_error() const noexcept { return tls_error_; }
  /// The ALPN protocols of the client's ClientHello, in its order (empty: no ALPN extension).
  const std::vector<std::string>& client_alpn() const noexcept { return client_alpn_; }
  /// The server name (SNI) of the client's ClientHello, or empty.
  const std::string& client_sni() const noexcept { return client_sni_; }

  ~ScriptedPeer();

  /// What the server side does next (for TestServer, which plays scripts over sockets).
  enum class OutputKind { Data, Eof, Reset, Stall, NeedInput };
  struct Output {
    OutputKind kind;
    std::size_t size;  // Data: bytes written to the buffer
    std::string why;   // NeedInput: what the script waits for
  };
  Output next_output(char* buffer, std::size_t size);

  // Used by the transport.
  std::size_t on_read(char* buffer, std::size_t size);
  void on_write(std::string_view bytes);
  void on_close() noexcept { client_closed_ = true; }

 private:
  struct Tls;
  ScriptedPeer() = default;
  [[noreturn]] void fail(const std::string& message);
  void match_expectations();
  void tls_pump();
  std::string describe(const Step& step) const;
  const Step* current() const { return next_ < steps_.size() ? &steps_[next_] : nullptr; }

  std::vector<Step> steps_;
  std::size_t next_ = 0;
  std::size_t send_offset_ = 0;  // bytes of the current Send step already delivered
  std::string pending_;          // client bytes not yet matched
  std::string received_;
  std::string error_;
  std::string tls_error_;
  std::string alpn_choice_;
  int max_tls_version_ = 0;
  std::vector<std::string> client_alpn_;
  std::string client_sni_;
  bool client_closed_ = false;
  bool reset_ = false;
  std::string cert_chain_;
  std::string cert_key_;
  std::unique_ptr<Tls> tls_;
};

}  // namespace mailwire::test
