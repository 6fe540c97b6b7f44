#pragma once

/// \file
/// mailwire::Sender: messages submitted from any number of threads, sent over a pool of
/// SmtpClient connections to one server, within rate limits, with retries of what may be
/// retried (docs/errors.md, "The one rule") and never a blind resend of a message whose
/// delivery is unknown.

#include <mailwire/error.hpp>
#include <mailwire/export.hpp>
#include <mailwire/mime/builder.hpp>
#include <mailwire/sasl.hpp>
#include <mailwire/smtp/reply.hpp>
#include <mailwire/smtp_client.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire {

class Outbox;

/// The time a Sender reads and waits on (rate limits, back-off, idle connections). The
/// default is the steady clock; tests give one whose time they control, so that no test
/// waits for real.
class MAILWIRE_API SenderClock {
 public:
  /// A point on this clock.
  using time_point = std::chrono::steady_clock::time_point;
  /// Destroys the clock.
  virtual ~SenderClock();
  /// The time now.
  virtual time_point now() = 0;
  /// Waits on `cv` (whose mutex `lock` holds) until `until` on this clock, a notification
  /// or a spurious wake-up, as std::condition_variable::wait_until does. A test clock may
  /// instead advance its time to `until` and return at once.
  virtual void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                          time_point until) = 0;
  /// The steady clock (shared, stateless).
  static std::shared_ptr<SenderClock> steady();
};

/// How fast a Sender may send: one limit per period (0: no such limit), each with its burst.
///
/// A limit whose burst is below the limit is a token bucket: it holds at most `burst` tokens
/// and gains `limit / period` tokens per unit of time, starting full; a message takes one
/// token from each message bucket and one per recipient from the recipient bucket (a message
/// with more recipients than the burst waits for a full bucket and leaves it in debt). So any
/// window of one period that starts and ends anywhere (half-open: the last 24 hours, not
/// counting this instant a day ago) sees at most `limit + burst - 1` messages or recipients,
/// plus the recipients of one message over the burst: with a burst of 1 the limit holds
/// exactly, and messages go evenly spaced.
///
/// A limit whose burst is the limit or more is a rolling window, as providers count theirs
/// ("500 recipients in any 24 hours"): up to `limit` go at once, and no window of one period
/// ever sees more than `limit` (a message with more recipients than the limit waits for an
/// empty window). It keeps one entry per message sent in the last period, so at most `limit`.
///
/// Each limit's burst is its own (`*_burst`; 0: `burst`, whose default of 1 spaces messages
/// evenly). Retries count like first attempts.
struct MAILWIRE_API SenderRateLimits {
  double messages_per_second = 0;        ///< 0: none
  double messages_per_minute = 0;        ///< 0: none
  double messages_per_hour = 0;          ///< 0: none
  double recipients_per_day = 0;         ///< envelope recipients per 24 hours; 0: none
  double burst = 1;                      ///< the burst of each limit without its own (at least 1)
  double messages_per_second_burst = 0;  ///< burst of messages_per_second; 0: `burst`
  double messages_per_minute_burst = 0;  ///< burst of messages_per_minute; 0: `burst`
  double messages_per_hour_burst = 0;    ///< burst of messages_per_hour; 0: `burst`
  double recipients_per_day_burst = 0;   ///< burst of recipients_per_day; 0: `burst`

  /// The published sending limits of a provider by ProviderSettings id ("gmail",
  /// "microsoft365", and their aliases) or by an address or domain it hosts, as rolling
  /// windows (each burst is its limit: a day's recipients may go at once, then the Sender
  /// waits for the oldest to leave the window, as the provider counts). Gmail: 500
  /// recipients a day (a consumer account; Google Workspace allows 2,000 messages and 10,000
  /// recipients a day: set them yourself). Microsoft 365: 30 messages a minute and 10,000
  /// recipients a day. Other providers, and unknown ones: no limits.
  static SenderRateLimits for_provider(std::string_view id_or_address);
};

/// When and how often a Sender tries a message again after a failure that
/// Error::is_safe_to_retry() (or a recipient refused with a 4xx reply).
struct SenderRetryPolicy {
  /// Attempts in all, the first included (1: never retry).
  int max_attempts = 5;
  /// The wait after the first failed attempt.
  std::chrono::milliseconds initial_delay{std::chrono::seconds(5)};
  /// Each later wait is the one before times this.
  double multiplier = 2.0;
  /// No wait is longer (jitter included).
  std::chrono::milliseconds max_delay{std::chrono::minutes(10)};
  /// Each wait is moved at random by up to this fraction of it, up or down (0: exact), so that
  /// many senders that failed together do not retry together.
  double jitter = 0.2;
};

/// How a submitted message ended.
enum class SendStatus {
  delivered,  ///< every recipient accepted it
  partial,    ///< some recipients accepted it, the others refused it or could not be reached
  failed,     ///< no recipient accepted it (a permanent refusal, or every attempt failed)
  unknown,    ///< the connection was lost after the end of the message for some recipients:
              ///< the server may have kept it; not resent (look for its Message-ID)
  cancelled,  ///< cancel() or the destructor ended it before it was delivered
};

/// Stable spelling of a SendStatus ("delivered", "unknown").
MAILWIRE_API const char* to_string(SendStatus status) noexcept;

/// The final outcome of one submitted message.
struct MAILWIRE_API SendOutcome {
  /// How it ended, from the recipients (see SendStatus).
  SendStatus status = SendStatus::failed;
  /// One per envelope recipient, in envelope order: accepted or not, the last reply for it,
  /// and how far the message got for it (Phase::done accepted or refused at the end,
  /// Phase::envelope refused by RCPT, Phase::after_data unknown).
  std::vector<SmtpRecipientResult> recipients;
  /// The server's reply to the end of the message in the last attempt that got one.
  SmtpReply reply;
  /// How far the last attempt got.
  Phase phase = Phase::none;
  /// Attempts made (connection failures included); 0 when cancelled before the first.
  int attempts = 0;
  /// The error of the last failed attempt, if any attempt failed.
  std::optional<Error> last_error;
  /// A built message's Message-ID, the same in every attempt (to look for a message whose
  /// outcome is unknown); empty for messages submitted as bytes or a source.
  std::string message_id;
  /// The copy filed into the Sent mailbox (SmtpOptions::sent_copy in SenderOptions::smtp): at
  /// most one per message, after the first attempt that a recipient accepted.
  std::optional<SentCopyResult> sent_copy;
  /// The label given at submit() (kept in the outbox; given back after resume()), if any.
  std::string label;
  /// Its id in SenderOptions::outbox; empty without one.
  std::string outbox_id;
  /// How many recipients accepted it.
  std::size_t accepted() const noexcept;
};

/// Counters of a Sender, for progress displays and metrics.
struct SenderStats {
  std::uint64_t submitted = 0;           ///< messages accepted by submit()
  std::uint64_t delivered = 0;           ///< ended SendStatus::delivered
  std::uint64_t partial = 0;             ///< ended SendStatus::partial
  std::uint64_t failed = 0;              ///< ended SendStatus::failed
  std::uint64_t unknown = 0;             ///< ended SendStatus::unknown
  std::uint64_t cancelled = 0;           ///< ended SendStatus::cancelled
  std::uint64_t attempts = 0;            ///< send attempts made
  std::uint64_t retries = 0;             ///< retries scheduled
  std::uint64_t connections_opened = 0;  ///< connections made
  std::size_t queued = 0;                ///< waiting to be sent (retries included)
  std::size_t in_flight = 0;             ///< being sent now
  std::size_t open_connections = 0;      ///< connections open now
};

/// Something a Sender did, for the application's log or progress display.
struct SenderEvent {
  /// What happened.
  enum class Kind {
    connected,     ///< a connection was opened
    disconnected,  ///< a connection was closed (idle, limit, failure, shutdown)
    retry,         ///< an attempt failed and the message will be tried again after `delay`
    finished,      ///< a message ended: `outcome`
  };
  Kind kind = Kind::finished;            ///< what happened
  std::uint64_t message = 0;             ///< the message's number (from 1, in submission order); 0
                                         ///< for connection events
  std::chrono::milliseconds delay{0};    ///< retry: the wait before the next attempt
  const Error* error = nullptr;          ///< retry, and some finished: the error of the attempt
  const SendOutcome* outcome = nullptr;  ///< finished: the outcome
  SenderStats stats;                     ///< the counters after this event
};

/// Called when a submitted message ends, on a Sender thread, before its future is ready. It
/// may submit(); it must not call flush() or close() (they wait for the very thread it runs on).
using SendCallback = std::function<void(const SendOutcome&)>;

/// Settings of a Sender.
struct SenderOptions {
  /// The server (with `port`, `smtp` and `credentials`), unless `connect` is given.
  std::string host;
  /// Its port; 0: SmtpClient::connect's default.
  std::uint16_t port = 0;
  /// The options of every connection (security, TLS, timeouts, protocol log, DKIM signers:
  /// SmtpOptions::dkim signs every message sent). The log is called from every sending
  /// thread: it must be thread-safe.
  SmtpOptions smtp;
  /// Authenticate each new connection with these, when set.
  std::optional<SaslCredentials> credentials;
  /// Makes a new connected (and authenticated) client; replaces host, port, smtp and
  /// credentials. Called on a Sender thread; an Error it throws counts as a failed attempt of
  /// the message that needed the connection (retried when Error::is_safe_to_retry()).
  std::function<SmtpClient()> connect;
  /// At most this many connections (and sending threads); at least 1.
  std::size_t max_connections = 4;
  /// A connection that carried this many messages is closed (QUIT) and replaced; 0: no limit.
  std::size_t max_messages_per_connection = 100;
  /// A connection unused for this long is closed (QUIT); 0: kept until close().
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};
  /// Rate limits (none by default; see SenderRateLimits::for_provider).
  SenderRateLimits limits;
  /// Retries and back-off.
  SenderRetryPolicy retry;
  /// Per-message SMTP settings (body type, progress).
  SmtpSendOptions send;
  /// When the server offers PIPELINING (RFC 2920), send the end of each message together
  /// with the next ready message's MAIL, RCPT and DATA on the same connection
  /// (SmtpClient::send_pipelined()): one round trip per message instead of two. A message's
  /// outcome is still final only once its own reply is read. Built messages go one by one.
  bool pipeline_messages = true;
  /// The clock; null: SenderClock::steady().
  std::shared_ptr<SenderClock> clock;
  /// Seed of the back-off jitter; 0: a random one.
  std::uint64_t jitter_seed = 0;
  /// Events (connections, retries, ends), called on Sender threads with no lock held; as for
  /// a SendCallback, no flush() or close() from it.
  std::function<void(const SenderEvent&)> on_event;
  /// Where messages are kept until they end (outbox.hpp; directory_outbox()), so that a
  /// Sender made after a crash resumes them (resume()); null: in memory only. With one,
  /// submit() returns only once the message is durable in it, and a message whose end of
  /// data may have been written when the process died is reported unknown, never resent.
  std::shared_ptr<Outbox> outbox;
};

/// A pool of SMTP connections to one server that sends submitted messages, thread-safe.
///
/// Each message is tried until every recipient accepted it, refused it permanently (5xx), or
/// `retry.max_attempts` attempts were made. An attempt that fails in a way
/// Error::is_safe_to_retry() (4xx, 421 at any step, a connection lost or refused, a timeout,
/// a TLS connection lost), and recipients refused with a 4xx while others accepted, are tried
/// again after an exponential back-off with jitter, on a new connection when the old one
/// broke. A connection lost after the end of the message makes the outcome
/// SendStatus::unknown: such a message is never sent again by the Sender.
///
/// Threads: `max_connections` sending threads, each with at most one connection, opened when
/// a message needs it. Any thread may call submit(), flush(), close(), cancel(), stats().
class MAILWIRE_API Sender {
 public:
  /// Starts the sending threads; connects nothing yet. Throws Error(usage) when neither
  /// `host` nor `connect` is set.
  explicit Sender(SenderOptions options);
  /// Cancels what has not been sent (cancel()) and waits for the threads: every message not
  /// yet ended ends SendStatus::cancelled (or unknown, when cut after its end), its callback
  /// called and its future set; none is dropped silently. Call close() first to send them.
  ~Sender();
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  /// Queues a message given as bytes (kept until it ends). Returns at once (with an outbox:
  /// once the message is durable in it). Throws Error(usage) after close() or cancel(), and
  /// what the outbox throws (the message is then not accepted). Caller mistakes in the envelope end
  /// the message SendStatus::failed with an Errc::usage error, without retry.
  std::future<SendOutcome> submit(SmtpEnvelope envelope, std::string message,
                                  SendCallback done = {});
  /// Queues a message read from a source made anew for each attempt (a file, a spool).
  std::future<SendOutcome> submit(SmtpEnvelope envelope,
                                  std::function<std::unique_ptr<MessageSource>()> source,
                                  SendCallback done = {});
  /// Queues a message read from a source made anew for each attempt, with a label of the
  /// caller's (a file name, an order number) given back in its SendOutcome, and kept in the
  /// outbox for resume().
  std::future<SendOutcome> submit(std::string label, SmtpEnvelope envelope,
                                  std::function<std::unique_ptr<MessageSource>()> source,
                                  SendCallback done = {});
  /// Queues again every message that an earlier Sender on the same outbox left unfinished
  /// (it crashed, or was cancelled), oldest first, one future each. A message found with its
  /// end of data possibly written ends SendStatus::unknown at once (moved to the outbox's
  /// unknown/, its callback called on this thread), never resent; recipients that an earlier
  /// attempt finished are not sent again. Call once, before or among submits. Throws
  /// Error(usage) without an outbox or when called again, Error(io) when the outbox cannot be
  /// read.
  std::vector<std::future<SendOutcome>> resume(SendCallback done = {});
  /// Queues a built message, envelope from its header (SmtpClient::send(message)). The
  /// builder is copied: the copy gets its own Message-ID at its first attempt and keeps it
  /// for any retry.
  std::future<SendOutcome> submit(const mime::MessageBuilder& message, SendCallback done = {});
  /// Queues a built message with the caller's envelope.
  std::future<SendOutcome> submit(const mime::MessageBuilder& message, SmtpEnvelope envelope,
                                  SendCallback done = {});

  /// Waits until every message submitted so far (and any submitted meanwhile) has ended.
  void flush();
  /// Stops accepting messages, sends everything queued (flush()), says QUIT on every
  /// connection and stops the threads. Idempotent.
  void close();
  /// Stops accepting messages; every queued one ends SendStatus::cancelled at once and the
  /// ones being sent are cut (SmtpClient::cancel()): cancelled, or unknown when cut after
  /// their end. Connections are closed without QUIT. Returns without waiting for the threads.
  void cancel() noexcept;
  /// The counters now.
  SenderStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailwire
