#pragma once

/// \file
/// SMTP submission and relay client (RFC 5321) with STARTTLS (RFC 3207), AUTH (RFC 4954),
/// PIPELINING (RFC 2920), SIZE (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531),
/// BINARYMIME and CHUNKING (RFC 3030), DSN (RFC 3461), enhanced status codes (RFC 3463) and
/// LMTP (RFC 2033).

#include <mailwire/export.hpp>
#include <mailwire/mime/builder.hpp>
#include <mailwire/net/security.hpp>
#include <mailwire/net/stream.hpp>
#include <mailwire/net/tcp_transport.hpp>
#include <mailwire/net/tls_options.hpp>
#include <mailwire/progress.hpp>
#include <mailwire/protocol_log.hpp>
#include <mailwire/sasl.hpp>
#include <mailwire/smtp/capabilities.hpp>
#include <mailwire/smtp/reply.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mailwire {

/// Settings of an SmtpClient.
struct SmtpOptions {
  /// Auto: implicit TLS on 465, STARTTLS required on any other port.
  Security security = Security::Auto;
  TlsOptions tls;
  ConnectOptions connect;
  /// Deadline of each command and its reply.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  /// The message body gets `timeout` plus one second per this many octets, and the reply to
  /// the final "." gets 10 minutes (RFC 5321 4.5.3.2.6: the server may take that long).
  std::uint64_t min_transfer_rate = 16 * 1024;
  std::chrono::milliseconds final_reply_timeout{std::chrono::minutes(10)};
  /// The name we give in EHLO/HELO/LHLO; empty: this host's name, or "localhost".
  std::string helo_name;
  /// Send credentials over a connection that is not encrypted.
  bool allow_plaintext_auth = false;
  /// LMTP (RFC 2033): LHLO, and one reply per recipient after the body.
  bool lmtp = false;
  /// A rejected recipient aborts the message (RSET) instead of sending to the others.
  bool abort_on_rejected_recipient = false;
  ProtocolLog log;
  bool redact_secrets = true;
  std::size_t max_line = 16 * 1024;
  std::size_t max_reply_lines = 1000;
};

/// Who a message goes from and to (the envelope, RFC 5321 section 2.3.1), and DSN requests.
struct SmtpEnvelope {
  std::string sender;                   ///< MAIL FROM; empty for the null sender "<>"
  std::vector<std::string> recipients;  ///< RCPT TO
  /// DSN (RFC 3461), used when the server offers DSN: NOTIFY for every recipient
  /// ("SUCCESS,FAILURE", "NEVER"), RET ("FULL" or "HDRS"), ENVID.
  std::string dsn_notify;
  std::string dsn_ret;
  std::string dsn_envid;
};

/// What the message body needs. Left at Auto, send() scans the body once to find out.
enum class BodyType { Auto, SevenBit, EightBit, Binary };

/// Per-message settings.
struct SmtpSendOptions {
  BodyType body = BodyType::Auto;
  ProgressCallback progress;
};

/// What happened to one recipient.
struct SmtpRecipientResult {
  std::string address;
  bool accepted = false;  ///< the message was accepted for this recipient
  SmtpReply reply;        ///< the RCPT reply, or (LMTP) the delivery reply
};

/// What happened to one message: the recipients one by one, and the server's final reply.
struct SmtpSendResult {
  std::vector<SmtpRecipientResult> recipients;
  SmtpReply reply;  ///< reply to the end of the data ("250 2.0.0 Ok: queued as ...")
  std::size_t accepted() const noexcept;
  bool all_accepted() const noexcept { return accepted() == recipients.size(); }
};

/// A source of message bytes that can be read twice (once to scan, once to send).
class MAILWIRE_API MessageSource {
 public:
  virtual ~MessageSource();
  /// Total size in octets.
  virtual std::uint64_t size() const = 0;
  /// Back to the first byte.
  virtual void rewind() = 0;
  /// Up to `capacity` bytes into `buffer`; 0 at the end.
  virtual std::size_t read(char* buffer, std::size_t capacity) = 0;
  /// Bytes in memory (borrowed: they must outlive the source).
  static std::unique_ptr<MessageSource> from_bytes(std::string_view bytes);
  /// A file, streamed in small chunks. Throws Error(io) when it cannot be opened.
  static std::unique_ptr<MessageSource> from_file(const std::string& path);
};

/// An SMTP session: one connection, several messages, not thread-safe (cancel() excepted).
///
/// Errors are mailwire::Error. A refused command is Errc::rejected with the reply in
/// diagnostics() (reply_code, enhanced_code, transient for 4xx); the session stays usable after
/// a rejected transaction (the client sends RSET). A broken connection is fatal.
class MAILWIRE_API SmtpClient {
 public:
  explicit SmtpClient(SmtpOptions options = {});
  ~SmtpClient();
  SmtpClient(const SmtpClient&) = delete;
  SmtpClient& operator=(const SmtpClient&) = delete;
  SmtpClient(SmtpClient&&) noexcept;
  SmtpClient& operator=(SmtpClient&&) noexcept;

  /// Connects, reads the greeting, says EHLO (HELO when EHLO is refused) and secures the
  /// connection as options().security says (STARTTLS, then EHLO again). Port 0: 465 for
  /// implicit TLS, 587 otherwise (24 for LMTP).
  void connect(const std::string& host, std::uint16_t port = 0);
  /// Same over a transport the caller connected. Security::Auto means StartTls here.
  void connect(std::unique_ptr<Transport> transport, const std::string& host);

  /// The greeting reply.
  const SmtpReply& greeting() const noexcept { return greeting_; }
  /// The capabilities from the last EHLO (after STARTTLS: the new ones only).
  const SmtpCapabilities& capabilities() const noexcept { return caps_; }
  bool is_encrypted() const noexcept;
  std::optional<TlsInfo> tls_info() const;

  /// AUTH with the strongest mechanism both sides have (or `mechanism`). Throws Error(usage)
  /// over plaintext without allow_plaintext_auth, Error(auth) when refused. With an OAuth 2
  /// token and credentials.refresh_oauth2_token, a refused token is refreshed and tried once
  /// more.
  void authenticate(const SaslCredentials& credentials, std::string_view mechanism = {});
  /// authenticate() with a user name and password.
  void login(const std::string& user, const std::string& password);

  /// Sends one message. Bare CR and LF in the body become CRLF and leading dots are doubled
  /// (no SMTP smuggling). Returns per-recipient results when at least one recipient accepted
  /// it; throws Error(rejected) when none did or the server refused the message, Error(connect)
  /// when the connection broke (after the final "." the delivery status is unknown).
  SmtpSendResult send(const SmtpEnvelope& envelope, std::string_view message,
                      const SmtpSendOptions& options = {});
  SmtpSendResult send(const SmtpEnvelope& envelope, MessageSource& message,
                      const SmtpSendOptions& options = {});

  /// Sends a built message: the envelope is its From and its To, Cc and Bcc addresses (Bcc is
  /// never written), written as the server allows (8BITMIME, SMTPUTF8). File attachments are
  /// streamed through a temporary file, so memory stays small.
  SmtpSendResult send(const mime::MessageBuilder& message, const SmtpSendOptions& options = {});

  /// Sends an RFC 5322 message file (.eml) as it is, streamed. Unless `envelope` is given, the
  /// envelope comes from its header: Sender (or From), and every To, Cc and Bcc address. Bcc
  /// fields are removed from what is sent. Throws Error(io) for an unreadable file, Error(usage)
  /// when the header names no sender or no recipient.
  SmtpSendResult send_file(const std::string& path, const SmtpEnvelope* envelope = nullptr,
                           const SmtpSendOptions& options = {});

  void noop();
  void rset();
  /// Says goodbye and closes. Never throws.
  void quit() noexcept;
  void close() noexcept;
  void cancel() noexcept;

 private:
  void start(std::unique_ptr<Transport> transport, const std::string& host, Security security);
  void hello();
  void authenticate_once(const SaslCredentials& credentials, std::string_view mechanism);
  void starttls();
  SmtpReply read_reply(Deadline deadline);
  SmtpReply command(const std::string& line, std::string_view log_as = {});
  [[noreturn]] void refused(const std::string& what, const SmtpReply& reply,
                            Errc kind = Errc::rejected);
  SmtpSendResult transaction(const SmtpEnvelope& envelope, MessageSource& message,
                             const SmtpSendOptions& options);
  std::uint64_t send_body(MessageSource& message, bool bdat, bool binary,
                          const SmtpSendOptions& options);
  Stream& stream();
  Deadline deadline() const;

  SmtpOptions options_;
  std::unique_ptr<Stream> stream_;
  std::string host_;
  SmtpReply greeting_;
  SmtpCapabilities caps_;
};

}  // namespace mailwire
