#pragma once

/// \file
/// SMTP submission and relay client (RFC 5321) with STARTTLS (RFC 3207), AUTH (RFC 4954),
/// PIPELINING (RFC 2920), SIZE (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531),
/// BINARYMIME and CHUNKING (RFC 3030), DSN (RFC 3461), enhanced status codes (RFC 3463) and
/// LMTP (RFC 2033).

#include <mailwire/error.hpp>
#include <mailwire/export.hpp>
#include <mailwire/message_source.hpp>
#include <mailwire/mime/builder.hpp>
#include <mailwire/net/security.hpp>
#include <mailwire/net/stream.hpp>
#include <mailwire/net/tcp_transport.hpp>
#include <mailwire/net/tls_options.hpp>
#include <mailwire/progress.hpp>
#include <mailwire/protocol_log.hpp>
#include <mailwire/sasl.hpp>
#include <mailwire/sent_copy.hpp>
#include <mailwire/smtp/capabilities.hpp>
#include <mailwire/smtp/reply.hpp>

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
namespace smtp {
class Transaction;
}

namespace dkim {
class Signer;
}

/// Settings of an SmtpClient.
struct SmtpOptions {
  /// Auto: implicit TLS on 465, STARTTLS required on any other port.
  Security security = Security::Auto;
  /// Certificate verification, pins, client certificate (used for implicit TLS and STARTTLS).
  TlsOptions tls;
  /// Connect timeout and address family (connect(host, port) only).
  ConnectOptions connect;
  /// Deadline of each command and its reply, and the TLS handshake; default 60 s.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  /// Sending the message body may take `timeout` plus one second per this many octets sent
  /// (default 16 KiB/s), so a large message gets the time it needs. 0 counts as 1.
  std::uint64_t min_transfer_rate = 16 * 1024;
  /// Deadline of the reply to the end of the data (the final "." or BDAT LAST); default 10
  /// minutes, as RFC 5321 4.5.3.2.6 allows the server that long.
  std::chrono::milliseconds final_reply_timeout{std::chrono::minutes(10)};
  /// The name we give in EHLO/HELO/LHLO; empty: this host's name, or "localhost". A name with
  /// spaces or control characters makes connect() throw Error(usage).
  std::string helo_name;
  /// Send credentials over a connection that is not encrypted.
  bool allow_plaintext_auth = false;
  /// LMTP (RFC 2033): LHLO, and one reply per recipient after the body.
  bool lmtp = false;
  /// A rejected recipient aborts the message (RSET) instead of sending to the others.
  bool abort_on_rejected_recipient = false;
  /// The dialogue; empty for none. Called on the thread making the call.
  ProtocolLog log;
  /// Redact AUTH payloads in `log` (the mechanism name stays). Turn off only to debug.
  bool redact_secrets = true;
  /// Longest reply line accepted, CRLF included (default 16 KiB); longer: Error(limit).
  std::size_t max_line = 16 * 1024;
  /// Most lines accepted in one multi-line reply (default 1000); more: Error(limit).
  std::size_t max_reply_lines = 1000;
  /// When set, every message that at least one recipient accepted is filed into an IMAP Sent
  /// mailbox afterwards (see SentCopy), streamed from the bytes sent; the outcome is in
  /// SmtpSendResult::sent_copy. Shared: several clients (a Sender's pool) may use one.
  std::shared_ptr<SentCopy> sent_copy;
  /// DKIM signers (RFC 6376, include <mailwire/dkim/signer.hpp>): each signs every message
  /// this client sends, and the fields go on top of it (the first signer's first). They sign
  /// the bytes as the server receives them: after a built message is written for what the
  /// server offers (8BITMIME or quoted-printable, SMTPUTF8) and with bare CR and LF counted as
  /// the CRLF they are sent as. Signing reads the message once more (a source from
  /// MessageSource::from_callback cannot be signed: Error(usage)). A BINARYMIME body is sent
  /// as it is: give it CRLF line endings. Empty: messages are not signed. The Sender passes
  /// its SmtpOptions on, so it signs too.
  std::vector<std::shared_ptr<const dkim::Signer>> dkim;
};

/// Who a message goes from and to (the envelope, RFC 5321 section 2.3.1), and DSN requests.
/// Addresses are UTF-8. To a server without SMTPUTF8, a domain that is not ASCII is sent as its
/// A-labels (`user@bücher.example` as `user@xn--bcher-kva.example`); a local part that is not
/// ASCII then fails the send with Errc::rejected before any byte.
struct SmtpEnvelope {
  std::string sender;                   ///< MAIL FROM; empty for the null sender "<>"
  std::vector<std::string> recipients;  ///< RCPT TO
  /// DSN (RFC 3461) NOTIFY for every recipient ("SUCCESS,FAILURE", "DELAY", "NEVER"), with an
  /// ORCPT for each (not with SMTPUTF8 addresses). DSN fields are sent only when the server offers
  /// DSN, ignored otherwise; empty: not sent.
  std::string dsn_notify;
  /// DSN RET: "FULL" or "HDRS" (how much of the message a bounce returns); empty: not sent.
  std::string dsn_ret;
  /// DSN ENVID: an identifier of this message, returned in DSNs (xtext-encoded on the wire).
  std::string dsn_envid;
};

/// What the message body needs. Left at Auto, send() scans the body once to find out.
/// An 8-bit body needs 8BITMIME, a binary one (NUL bytes) BINARYMIME and CHUNKING;
/// without them send() throws Error(rejected) before MAIL FROM.
enum class BodyType {
  Auto,      ///< read the message once to find out (a NUL byte: Binary; bytes >= 0x80: EightBit)
  SevenBit,  ///< ASCII only: plain DATA
  EightBit,  ///< 8-bit text: BODY=8BITMIME
  Binary,    ///< arbitrary bytes: BODY=BINARYMIME, sent with BDAT
};

/// Per-message settings.
struct SmtpSendOptions {
  /// What the body needs; Auto scans it first (one extra read of the source).
  BodyType body = BodyType::Auto;
  /// Called after each chunk of the body is sent: octets read from the source so far, and its
  /// size. Called on the sending thread.
  ProgressCallback progress;
  /// File a copy through SmtpOptions::sent_copy, when one is set (false: not this message; a
  /// retry for recipients that refused at first, whose copy was filed already).
  bool file_sent_copy = true;
  /// Called once per send, on the sending thread, just before the end of the data (the final
  /// "." or BDAT LAST) is written: the last moment at which the message is certainly not
  /// delivered. A durable outbox records "sending" here (Sender does). An exception it throws
  /// ends the send before the end of the data, the connection closed: Error(io) (an Error
  /// thrown stays as it is) with Phase::data, so the message was not sent.
  std::function<void()> before_end_of_data;
};

/// What happened to one recipient.
struct SmtpRecipientResult {
  std::string address;    ///< the recipient, as in SmtpEnvelope::recipients
  bool accepted = false;  ///< the message was accepted for this recipient
  SmtpReply reply;        ///< the RCPT reply, or (LMTP) the delivery reply
  /// How far the message got for this recipient: Phase::envelope when RCPT was refused (or
  /// the transaction ended before the data), Phase::done when the server answered the end of
  /// the data for it, Phase::after_data when it never did (LMTP: the server closed with 421
  /// before this recipient's reply), so the recipient may or may not have the message.
  Phase phase = Phase::none;
};

/// What happened to one message: the recipients one by one, and the server's final reply.
struct MAILWIRE_API SmtpSendResult {
  /// One entry per envelope recipient, in envelope order.
  std::vector<SmtpRecipientResult> recipients;
  /// Reply to the end of the data ("250 2.0.0 Ok: queued as ..."); with LMTP the last
  /// per-recipient delivery reply.
  SmtpReply reply;
  /// How many recipients accepted the message.
  std::size_t accepted() const noexcept;
  /// Every recipient accepted it.
  bool all_accepted() const noexcept { return accepted() == recipients.size(); }
  /// The copy filed into the Sent mailbox (SmtpOptions::sent_copy); none when not tried.
  std::optional<SentCopyResult> sent_copy;
};

/// One message of SmtpClient::send_pipelined(): what send() takes.
struct SmtpOutgoing {
  SmtpEnvelope envelope;                  ///< its envelope
  std::unique_ptr<MessageSource> source;  ///< its bytes (read twice when options.body is Auto)
  SmtpSendOptions options;                ///< its settings (before_end_of_data included)
};

/// How one message of SmtpClient::send_pipelined() ended: the result send() would have
/// returned, or the Error it would have thrown.
struct SmtpOutcome {
  std::optional<SmtpSendResult> result;  ///< set when at least one recipient accepted it
  std::optional<Error> error;            ///< set otherwise
};

/// An RFC 5322 message file (.eml) ready to send as SmtpClient::send_file() sends it.
struct SmtpMessageFile {
  /// The envelope: the one given, or from the header (Sender or From; every To, Cc and Bcc).
  SmtpEnvelope envelope;
  /// The bytes to send, streamed from the file: its header without Bcc fields, then its body.
  std::unique_ptr<MessageSource> source;
};

/// Opens an .eml file for sending (what send_file() sends, for a Sender or a queue): reads
/// its header, derives the envelope unless `envelope` is given, removes Bcc fields. Throws
/// Error(io) for an unreadable file, Error(usage) when the header names no sender or no
/// recipient (and no envelope was given).
MAILWIRE_API SmtpMessageFile open_message_file(const std::string& path,
                                               const SmtpEnvelope* envelope = nullptr);

/// An SMTP session: one connection, several messages, not thread-safe (cancel() excepted).
///
/// Errors are mailwire::Error. A refused command is Errc::rejected with the reply in
/// diagnostics() (reply_code, enhanced_code, transient for 4xx); the session stays usable after
/// a rejected transaction (the client sends RSET). A broken connection is fatal.
class MAILWIRE_API SmtpClient {
 public:
  /// An unconnected client; nothing happens on the network until connect().
  explicit SmtpClient(SmtpOptions options = {});
  /// Closes the connection without QUIT (see quit()).
  ~SmtpClient();
  SmtpClient(const SmtpClient&) = delete;
  SmtpClient& operator=(const SmtpClient&) = delete;
  /// Takes over the session; the moved-from client is not connected.
  SmtpClient(SmtpClient&&) noexcept;
  /// Closes this session (without QUIT), then takes over `other`'s.
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
  /// True while the client holds a connection: after connect(), until close(), quit() or an
  /// error that is_fatal() (a broken connection, a 421, an unknown outcome). It does not ask
  /// the server; noop() does, at the cost of a round trip. A pool checks it before reuse.
  bool is_connected() const noexcept { return stream_ != nullptr && !stream_->broken(); }
  /// The options this client was made with.
  const SmtpOptions& options() const noexcept { return options_; }
  /// True when connected over TLS (implicit, or after STARTTLS).
  bool is_encrypted() const noexcept;
  /// The TLS session (protocol, cipher, peer certificate); nullopt when not encrypted.
  std::optional<TlsInfo> tls_info() const;

  /// AUTH with the strongest mechanism both sides have (or `mechanism`). Throws Error(usage)
  /// over plaintext without allow_plaintext_auth, Error(auth) when refused. With an OAuth 2
  /// token and credentials.refresh_oauth2_token, a refused token is refreshed and tried once
  /// more. A SCRAM server that cannot prove it knows the password: Error(auth), fatal, the
  /// connection closed.
  void authenticate(const SaslCredentials& credentials, std::string_view mechanism = {});
  /// authenticate() with a user name and password.
  void login(const std::string& user, const std::string& password);

  /// Sends one message. Bare CR and LF in the body become CRLF and leading dots are doubled
  /// (no SMTP smuggling). Returns per-recipient results when at least one recipient accepted
  /// it; throws Error(rejected) when none did or the server refused the message, Error(connect)
  /// when the connection broke (after the final "." the delivery status is unknown:
  /// Reason::delivery_unknown). Every Error it throws carries Error::phase(): Phase::none
  /// before any byte (caller mistakes, SIZE and extension checks), Phase::envelope or
  /// Phase::data when it failed before the end of the data (a retry cannot deliver twice),
  /// Phase::after_data when the end of the data got no reply, Phase::done when the server
  /// refused the message after its end. A 421 reply, a broken connection and an unknown
  /// outcome close the connection (Error::is_fatal()); other refusals send RSET and leave it
  /// usable.
  SmtpSendResult send(const SmtpEnvelope& envelope, std::string_view message,
                      const SmtpSendOptions& options = {});
  /// The same from a MessageSource, streamed: read once more first when options.body is Auto.
  SmtpSendResult send(const SmtpEnvelope& envelope, MessageSource& message,
                      const SmtpSendOptions& options = {});

  /// Sends messages one after another over this connection, as `next` hands them out. When
  /// the server offers PIPELINING (RFC 2920) and a body goes as DATA (not BDAT, not LMTP),
  /// the end of its data goes in the same write as the next message's MAIL, RCPT and DATA,
  /// so that each message costs one round trip to the server instead of two.
  ///
  /// `next` is called first, then each time the data of a message is written but for its
  /// end: it fills in the next message and returns true, or returns false (that end then goes
  /// alone, and send_pipelined() returns once its reply is in). `done(index, outcome)` gets
  /// each message, in order, index from 0, once its outcome is final: its reply to the end
  /// of the data was read, or the connection failed. A connection lost once a message's end
  /// was written makes that message Phase::after_data (unknown: never resend it blindly) and
  /// the next one, whose data was not sent, Phase::envelope (safe to retry). Returns after
  /// the last message is done, or when the connection is closed (a 421, an error). Errors of
  /// a message go to `done`, never thrown; throws Error(usage) when not connected.
  void send_pipelined(const std::function<bool(SmtpOutgoing&)>& next,
                      const std::function<void(std::size_t, SmtpOutcome&&)>& done);

  /// Sends a built message: the envelope is its From and its To, Cc and Bcc addresses (Bcc is
  /// never written), written as the server allows (8BITMIME, SMTPUTF8). File attachments are
  /// streamed through a temporary file, so memory stays small.
  SmtpSendResult send(const mime::MessageBuilder& message, const SmtpSendOptions& options = {});
  /// Sends a built message with the caller's envelope (a VERP or bounce address, other
  /// recipients, DSN requests) instead of the one its header implies; written and streamed as
  /// send(message) does (Bcc never written, file attachments through a temporary file).
  SmtpSendResult send(const mime::MessageBuilder& message, const SmtpEnvelope& envelope,
                      const SmtpSendOptions& options = {});

  /// Sends an RFC 5322 message file (.eml) as it is, streamed. Unless `envelope` is given, the
  /// envelope comes from its header: Sender (or From), and every To, Cc and Bcc address. Bcc
  /// fields are removed from what is sent. Throws Error(io) for an unreadable file, Error(usage)
  /// when the header names no sender or no recipient.
  SmtpSendResult send_file(const std::string& path, const SmtpEnvelope* envelope = nullptr,
                           const SmtpSendOptions& options = {});

  /// NOOP: keeps the connection alive or checks it. Throws Error(rejected) on a non-2xx reply.
  void noop();
  /// RSET: aborts the current transaction (send() already does after a failure). Throws
  /// Error(rejected) on a non-2xx reply.
  void rset();
  /// Sends QUIT, waits up to 5 seconds for the reply, and closes. Never throws.
  void quit() noexcept;
  /// Closes the connection without QUIT. Never throws; idempotent.
  void close() noexcept;
  /// From any thread: makes the pending call fail with Errc::cancelled, and every later one
  /// until close() (or quit()). connect() is cancelled at any step (name resolution, TCP connect,
  /// TLS handshake, greeting). Safe while the client's own thread is in any call, connect() and
  /// close() included; it must not race with destruction or a move of the client.
  void cancel() noexcept;

 private:
  struct Bootstrap;  // SMTP's steps of the shared session bootstrap
  void start(std::unique_ptr<Transport> transport, const std::string& host, Security security);
  void hello();
  SmtpReply read_reply(Deadline deadline);
  SmtpReply command(const std::string& line, std::string_view log_as = {});
  [[noreturn]] void refused(const std::string& what, const SmtpReply& reply,
                            Errc kind = Errc::rejected);
  SentCopyResult file_sent_copy(MessageSource& message);
  std::string dkim_fields(MessageSource& message) const;
  SmtpSendResult transaction(const SmtpEnvelope& envelope, MessageSource& message,
                             const SmtpSendOptions& options);
  struct HeldEnd;  // the end of a message's data, kept to go with the next message's commands
  bool send_body(MessageSource& message, bool bdat, bool binary, const SmtpSendOptions& options,
                 const std::function<bool(const SmtpReply&)>& on_chunk_reply,
                 HeldEnd* hold = nullptr);
  bool drive(smtp::Transaction& tx, MessageSource& message, BodyType body,
             const SmtpSendOptions& options, HeldEnd* hold, HeldEnd* prefix,
             const std::function<void()>& before_first_read);
  Stream& stream();
  Deadline deadline() const;
  detail::CancelSlot& cancel_slot();
  void drop() noexcept;  // closes the connection, leaving a cancel() in force

  SmtpOptions options_;
  std::unique_ptr<detail::CancelSlot> cancel_;  // null only in a moved-from client
  std::unique_ptr<Stream> stream_;
  std::string host_;
  SmtpReply greeting_;
  SmtpCapabilities caps_;
};

}  // namespace mailwire
