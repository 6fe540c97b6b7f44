#pragma once

/// \file
/// mailwire::Outbox: where a Sender keeps its messages until they end, so that a new Sender
/// resumes after a crash, and no message is sent twice outside unknown/ (docs/sender.md).

#include <mailwire/export.hpp>
#include <mailwire/message_source.hpp>
#include <mailwire/sender.hpp>
#include <mailwire/smtp_client.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace mailwire {

/// A message a previous Sender left unfinished, as Outbox::resume() gives it back.
struct OutboxEntry {
  /// Where the message was when its Sender stopped.
  enum class State {
    pending,  ///< waiting for an attempt (or between attempts): sent again
    sending,  ///< its end of data may have been written: SendStatus::unknown, never resent
  };
  /// Its id in the outbox (from Outbox::put()).
  std::string id;
  /// The label given to put() (a file name, an order number).
  std::string label;
  /// Its envelope, as given to put().
  SmtpEnvelope envelope;
  /// Where it was.
  State state = State::pending;
  /// What earlier attempts gave: `attempts`, and per recipient in envelope order its result;
  /// a recipient with Phase::none (or no entry: an empty list) is still to be sent.
  SendOutcome so_far;
  /// Not to be tried before this time (the back-off of the last failed attempt).
  std::chrono::system_clock::time_point not_before{};
};

/// Where a Sender keeps messages until they end (SenderOptions::outbox). Each operation is
/// durable before it returns; a Sender calls them from all its threads, so an implementation
/// must be thread-safe. directory_outbox() is the default; a service may keep its outbox in
/// the database or queue it already runs by implementing this interface.
class MAILWIRE_API Outbox {
 public:
  /// Destroys the outbox (the messages stay where they are).
  virtual ~Outbox();
  /// Stores a message accepted for sending, with its envelope and a label of the caller's
  /// choice; durable before it returns (Sender::submit() returns after it). Returns its id.
  virtual std::string put(const SmtpEnvelope& envelope, MessageSource& message,
                          const std::string& label) = 0;
  /// Records that the end of the data of `id` is about to be written in attempt `attempt`;
  /// durable before it returns, which is before the final "." or BDAT LAST is written
  /// (SmtpSendOptions::before_end_of_data). A message found in this state by resume() may
  /// have been delivered: it is reported unknown, never resent.
  virtual void mark_sending(const std::string& id, int attempt) = 0;
  /// Back to pending after an attempt that got a reply to its end of data but must be tried
  /// again for some recipients (a 4xx): `so_far` has their results (Phase::none: still to
  /// send) and the attempts made; no attempt before `not_before`.
  virtual void mark_pending(const std::string& id, const SendOutcome& so_far,
                            std::chrono::system_clock::time_point not_before) = 0;
  /// The message ended with `outcome` (delivered, partial, failed or unknown): it is moved
  /// out of the pending work, with its result.
  virtual void finish(const std::string& id, const SendOutcome& outcome) = 0;
  /// Every message not finished, oldest first: to queue again (pending) or to report as
  /// unknown (found sending).
  virtual std::vector<OutboxEntry> resume() = 0;
  /// The message bytes of `id`, for an attempt. Throws Error(io) when they are gone.
  virtual std::unique_ptr<MessageSource> open(const std::string& id) = 0;
};

/// The default outbox: a directory, Maildir-like. Each message is a folder `ID/` (`message`,
/// `state`, and at the end `result`) that moves, by rename, through `tmp/` (being written),
/// `pending/`, `sending/`, and ends in `sent/` (every recipient accepted), `failed/` (some or
/// every recipient refused: `result` says who and why) or `unknown/` (the connection was lost
/// after its end of data, or a process died there: it may have been delivered). Every file is
/// fsync'd before the rename that publishes it, and the folder it lands in after it. One
/// process at a time: a second one gets Error(usage) (a lock on `DIR/lock`). Creates the
/// folders as needed; throws Error(io) when it cannot.
MAILWIRE_API std::shared_ptr<Outbox> directory_outbox(const std::string& path);

}  // namespace mailwire
