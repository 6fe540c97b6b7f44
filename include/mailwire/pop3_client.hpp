#pragma once

/// \file
/// POP3 client (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 3206 response codes).

#include <mailwire/error.hpp>
#include <mailwire/export.hpp>
#include <mailwire/net/security.hpp>
#include <mailwire/net/stream.hpp>
#include <mailwire/net/tcp_transport.hpp>
#include <mailwire/net/tls_options.hpp>
#include <mailwire/pop3/types.hpp>
#include <mailwire/progress.hpp>
#include <mailwire/protocol_log.hpp>
#include <mailwire/sasl.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mailwire {

namespace detail {
class CancelSlot;
}

/// Settings of a Pop3Client.
struct Pop3Options {
  /// Auto: implicit TLS on 995, STLS required on any other port.
  Security security = Security::Auto;
  /// Certificate verification, pins, client certificate (implicit TLS and STLS).
  TlsOptions tls;
  /// Connect timeout and address family (connect(host, port) only).
  ConnectOptions connect;
  /// Deadline of each command (its reply included); default 60 s.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  /// Multi-line bodies (RETR, TOP) get `timeout` plus one second per this many octets
  /// received, so a large message may take as long as it needs while a server that drips a
  /// byte at a time still hits the deadline.
  std::uint64_t min_transfer_rate = 16 * 1024;
  /// Send credentials over a connection that is not encrypted. Off: login() refuses.
  bool allow_plaintext_auth = false;
  /// The dialogue; PASS, APOP digests and AUTH payloads redacted unless redact_secrets is off.
  ProtocolLog log;
  /// Redact PASS, APOP digests and AUTH payloads in `log`. Turn off only to debug.
  bool redact_secrets = true;
  /// Longest status or listing line accepted; longer: Error(limit).
  std::size_t max_line = 16 * 1024;
  /// Most lines accepted in a CAPA, LIST or UIDL listing; more: Error(limit).
  std::size_t max_list_entries = 10'000'000;
};

/// A POP3 session: one connection, not thread-safe (cancel() excepted).
///
/// Deletions (dele()) take effect only when quit() succeeds: the destructor closes the
/// connection *without* QUIT, so the server rolls back every DELE of a session that did not
/// finish. Errors are mailwire::Error; a -ERR is Errc::rejected (Errc::auth for logins) with
/// the RFC 2449 response code in diagnostics().response_code and is_transient() for
/// [IN-USE], [LOGIN-DELAY] and [SYS/TEMP].
class MAILWIRE_API Pop3Client {
 public:
  /// An unconnected client; nothing happens on the network until connect().
  explicit Pop3Client(Pop3Options options = {});
  /// Closes the connection without QUIT: deletions of the session roll back.
  ~Pop3Client();
  Pop3Client(const Pop3Client&) = delete;
  Pop3Client& operator=(const Pop3Client&) = delete;
  /// Takes over the session.
  Pop3Client(Pop3Client&&) noexcept;
  /// Takes over `other`'s session.
  Pop3Client& operator=(Pop3Client&&) noexcept;

  /// Connects, secures the connection as options().security says, and reads the greeting.
  /// Port 0 means 995 for implicit TLS and 110 otherwise.
  void connect(const std::string& host, std::uint16_t port = 0);
  /// Same over a transport the caller connected (a proxy, a test peer). Security::Auto means
  /// StartTls here (there is no port to go by).
  void connect(std::unique_ptr<Transport> transport, const std::string& host);

  /// The greeting text after "+OK".
  const std::string& greeting() const noexcept { return greeting_; }
  /// Capabilities from the last CAPA (asked at connect and again after STLS).
  const Pop3Capabilities& capabilities() const noexcept { return caps_; }
  /// Asks CAPA again. A server without CAPA leaves capabilities().known false.
  const Pop3Capabilities& capa();
  /// True when the connection is TLS.
  bool is_encrypted() const noexcept;
  /// The TLS session, when encrypted.
  std::optional<TlsInfo> tls_info() const;

  /// Logs in with the best method the server offers: SASL (the strongest mechanism both
  /// sides have) when CAPA lists SASL, else USER/PASS, or APOP when the connection is
  /// plaintext (and allowed) and the greeting has a timestamp.
  /// Throws Error(usage) for credentials over plaintext without allow_plaintext_auth,
  /// Error(auth) when the server refuses.
  void login(const std::string& user, const std::string& password);
  /// AUTH (RFC 5034) with `mechanism`, or the strongest one CAPA offers when empty. With an
  /// OAuth 2 token in `credentials`, XOAUTH2/OAUTHBEARER. Throws Error(auth) when refused or
  /// when no mechanism fits (naming what the server offers). An initial response that would
  /// make AUTH longer than 255 octets answers the server's empty challenge instead. A SCRAM
  /// server that cannot prove it knows the password: Error(auth), fatal, the connection closed.
  /// With credentials.refresh_oauth2_token, a refused token is refreshed and tried once more.
  void authenticate(const SaslCredentials& credentials, std::string_view mechanism = {});
  /// USER then PASS (RFC 1939 section 7).
  void user_pass(const std::string& user, const std::string& password);
  /// APOP with the greeting's timestamp (RFC 1939 section 7). Throws Error(usage) without one.
  void apop(const std::string& user, const std::string& password);

  /// STAT: message count and total size. Throws Error(rejected) on -ERR, Error(protocol) for a
  /// malformed reply.
  Pop3Stat stat();
  /// LIST: number and size of every message not marked deleted. Throws Error(rejected) on
  /// -ERR, Error(protocol) for a malformed line, Error(limit) past max_list_entries.
  std::vector<Pop3ListEntry> list();
  /// LIST n: one message; nullopt when the server answers -ERR (no such message, or marked
  /// deleted).
  std::optional<Pop3ListEntry> list(std::uint32_t number);
  /// UIDL: number and unique id of every message not marked deleted. Throws like list(); a
  /// server without UIDL answers -ERR (Error(rejected)).
  std::vector<Pop3UidlEntry> uidl();
  /// UIDL n: one message; nullopt when the server answers -ERR.
  std::optional<Pop3UidlEntry> uidl(std::uint32_t number);

  /// RETR: the message, dot-unstuffed, to `sink` in bounded chunks. Returns its size.
  std::uint64_t retr(std::uint32_t number, const ByteSink& sink,
                     const ProgressCallback& progress = {}, std::uint64_t expected_size = 0);
  /// RETR into memory (small messages).
  std::string retr(std::uint32_t number);
  /// TOP: the header and the first `lines` body lines.
  std::uint64_t top(std::uint32_t number, std::uint32_t lines, const ByteSink& sink);

  /// Marks a message deleted; QUIT makes it happen.
  void dele(std::uint32_t number);
  /// Marks several; pipelined when the server offers PIPELINING. Stops at the first -ERR
  /// (after reading every reply), throwing it.
  void dele(const std::vector<std::uint32_t>& numbers);
  /// Unmarks every deletion of this session.
  void rset();
  /// NOOP: keeps the session alive. Throws Error(rejected) on -ERR.
  void noop();
  /// Ends the session: the server commits the deletions. Throws when it cannot (-ERR, or the
  /// connection broke before the reply — then whether deletions happened is unknown).
  void quit();
  /// Closes without QUIT (deletions roll back). Never throws.
  void close() noexcept;
  /// From any thread: makes the pending call fail with Errc::cancelled, and every later one
  /// until close() (or quit()). connect() is cancelled at any step (name resolution, TCP
  /// connect, TLS handshake, greeting). Safe while the client's own thread is in any call,
  /// connect() and close() included; it must not race with destruction or a move of the client.
  void cancel() noexcept;

  /// The settings given to the constructor.
  const Pop3Options& options() const noexcept { return options_; }
  /// "user@host" once logged in ("@host" before): names the maildrop, e.g. for state files.
  std::string account() const { return user_ + "@" + host_; }

 private:
  struct Reply;
  struct Bootstrap;  // POP3's steps of the shared session bootstrap
  void start(std::unique_ptr<Transport> transport, const std::string& host, Security security);
  Reply command(const std::string& line, std::string_view log_as = {});
  Reply expect_ok(const std::string& line, const char* what, std::string_view log_as = {},
                  Errc refusal = Errc::rejected);
  void read_lines(const std::function<void(std::string_view)>& on_line, Deadline deadline);
  std::uint64_t read_body(const ByteSink& sink, const ProgressCallback& progress,
                          std::uint64_t expected);
  void check_credentials_allowed(const char* method) const;
  Stream& stream();
  Deadline deadline() const;
  detail::CancelSlot& cancel_slot();
  void drop() noexcept;  // closes the connection, leaving a cancel() in force

  Pop3Options options_;
  std::unique_ptr<detail::CancelSlot> cancel_;  // null only in a moved-from client
  std::unique_ptr<Stream> stream_;
  std::string host_;
  std::string user_;
  std::string greeting_;
  std::string apop_timestamp_;
  Pop3Capabilities caps_;
};

}  // namespace mailwire
