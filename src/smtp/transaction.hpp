#pragma once

// smtp::Transaction: one SMTP / LMTP mail transaction (RFC 5321 3.3) as a sans-I/O engine.
// It never touches a socket: next() names the step to perform (detail::NextStep), the driver
// performs it and feeds the outcome back. The theory of operation is in transaction.cpp.
//
// A blocking driver:
//
//   smtp::Transaction tx(envelope, caps, size, body, options, host);
//   for (auto step = tx.next(); step.step != detail::NextStep::done; step = tx.next()) {
//     try {
//       switch (step.step) {
//         case detail::NextStep::write: stream.write(step.bytes, deadline, step.log_as); break;
//         case detail::NextStep::read_line: tx.on_reply(read_reply()); break;
//         case detail::NextStep::send_body: pump(step.bdat, tx); tx.on_body_sent(); break;
//         default: break;
//       }
//     } catch (const Error& e) {
//       tx.on_error(e.kind(), e.what(), e.diagnostics());
//     }
//   }
//   if (tx.next().close) hang_up();
//   if (const auto* e = tx.error()) throw Error(e->kind, e->message, e->diagnostics);
//   return tx.take_result();

#include "detail/next_step.hpp"
#include "smtp/command.hpp"

#include <mailwire/error.hpp>
#include <mailwire/smtp/capabilities.hpp>
#include <mailwire/smtp/reply.hpp>
#include <mailwire/smtp_client.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire::smtp {

/// How the transaction is run (from SmtpOptions).
struct TransactionOptions {
  /// Pipeline MAIL, RCPT (and DATA) when the server offers PIPELINING (RFC 2920).
  bool pipelining = true;
  /// One refused recipient aborts the message (RSET) instead of sending to the others.
  bool abort_on_rejected_recipient = false;
  /// LMTP (RFC 2033): one reply per accepted recipient after the data.
  bool lmtp = false;
  /// RSET after the end of the data was refused. Off when the next message's MAIL was
  /// pipelined with this one's end (RFC 2920): the RSET would abort that transaction, and the
  /// refusal already ended this one (RFC 5321 4.1.1.4).
  bool rset_after_final = true;
};

/// What the driver does next. Views point into the engine; valid until the next call on it.
struct TransactionStep {
  detail::NextStep step = detail::NextStep::done;
  std::string_view bytes;    ///< write: the bytes to send
  std::string_view log_as;   ///< write: what the protocol log shows instead (may be empty)
  bool final_reply = false;  ///< read_line: the reply to the end of the data (longer deadline)
  bool bdat = false;         ///< send_body: BDAT chunks (RFC 3030), else DATA form with the dot
  bool close = false;        ///< done: close the connection now, without QUIT
};

/// Why a transaction failed: what the facade throws as mailwire::Error.
struct TransactionError {
  Errc kind = Errc::rejected;
  std::string message;      ///< "smtp: RCPT TO:<x@example.com> rejected: 550 5.1.1 ..."
  Diagnostics diagnostics;  ///< reply, command, fatal, transient, reason and phase
};

class Transaction {
 public:
  /// The caller mistakes in an envelope (Errc::usage: an invalid address or DSN value, no
  /// recipient), found without a server; the constructor checks the same first.
  static std::optional<TransactionError> check_envelope(const SmtpEnvelope& envelope);

  /// Plans the transaction: validates the envelope (Errc::usage), converts non-ASCII domains
  /// to A-labels when the server lacks SMTPUTF8, and checks the message against the server
  /// (SIZE, SMTPUTF8, 8BITMIME, BINARYMIME + CHUNKING: Errc::rejected). A refused plan makes
  /// the first next() say done, with error() set and nothing to send. `body` must be resolved
  /// (BodyType::Auto counts as SevenBit); `host` names the server in messages.
  Transaction(const SmtpEnvelope& envelope, const SmtpCapabilities& capabilities,
              std::uint64_t message_size, BodyType body, TransactionOptions options,
              std::string host);

  /// The next step. A write counts as done when the driver calls next() or an on_ function
  /// again (report a failed write with on_error()); the other steps wait for their outcome.
  TransactionStep next();
  /// After read_line: the reply, assembled.
  void on_reply(SmtpReply reply);
  /// During send_body with BDAT: the reply to a chunk that was not the last. False: stop
  /// sending (the server refused it; next() says what to do).
  bool on_chunk_reply(const SmtpReply& reply);
  /// After send_body: the whole body and its end (the dot, or BDAT LAST) have been written.
  void on_body_sent();
  /// Instead of the outcome of any step: the step failed (a broken or timed-out connection,
  /// a malformed or oversized reply, an unreadable message source). The connection is lost;
  /// during the RSET after a failure, the first error stays the one reported.
  void on_error(Errc kind, std::string_view message, const Diagnostics& diagnostics = {});

  /// How far the message got (see mailwire::Phase).
  Phase phase() const noexcept { return phase_; }
  /// The failure, once next() says done; null on success (and before).
  const TransactionError* error() const noexcept { return error_ ? &*error_ : nullptr; }
  /// The per-recipient results so far (complete once done).
  const SmtpSendResult& result() const noexcept { return result_; }
  /// Moves the result out, once done.
  SmtpSendResult take_result() { return std::move(result_); }

 private:
  enum class State { envelope, data_command, body, final_reply, rset, finished };
  enum class Awaiting { mail, rcpt, data };
  enum class End { rset, keep, hang_up };  // after a refusal: RSET, nothing, or close

  void plan(const SmtpEnvelope& envelope, const SmtpCapabilities& caps, std::uint64_t size,
            BodyType body);
  void write(std::string bytes, std::string log_as = {});
  void read(bool final_reply = false);
  void settle();
  void after_write();
  void on_envelope_reply(Awaiting what, SmtpReply reply);
  void evaluate_envelope();
  void on_final_reply(SmtpReply reply);
  void start_body();
  void fail(TransactionError error, End end);
  void refuse(Reason reason, std::string what, const SmtpReply& reply, End end,
              std::string message = {});
  void finish(bool close);

  TransactionOptions options_;
  std::string host_;
  State state_ = State::envelope;
  Phase phase_ = Phase::none;
  TransactionStep step_;
  bool handed_write_ = false;
  std::string out_;  // the bytes of the write step
  std::string out_log_;

  // The plan.
  std::string mail_;                     // the MAIL line
  std::vector<std::string> recipients_;  // as the caller gave them, for results and messages
  std::vector<std::string> rcpts_;       // the RCPT lines
  bool pipelined_ = false;               // MAIL and every RCPT go in one write
  bool bdat_ = false;                    // the body goes in BDAT chunks
  bool data_in_batch_ = false;           // DATA pipelined with MAIL and RCPT

  // Progress.
  std::vector<Awaiting> awaiting_;  // replies still due, in order
  std::size_t awaiting_at_ = 0;
  std::size_t next_rcpt_ = 0;  // unpipelined: the next RCPT to send
  SmtpReply mail_reply_;
  SmtpReply data_reply_;
  bool data_go_ = false;     // the server said 354 to DATA
  std::size_t lmtp_at_ = 0;  // LMTP: the recipient whose delivery reply comes next
  SmtpSendResult result_;
  std::optional<TransactionError> error_;
};

}  // namespace mailwire::smtp
