// smtp::Transaction: the SMTP / LMTP mail transaction as a sans-I/O engine.
//
// Theory of operation.
//
// Planning (the constructor) sends nothing: the envelope is validated through smtp::Command
// (Errc::usage), non-ASCII domains become A-labels for a server without SMTPUTF8, and the
// message is checked against the server's SIZE, SMTPUTF8, 8BITMIME, BINARYMIME + CHUNKING
// (Errc::rejected). A refused plan ends at once in `finished`, Phase::none.
//
// States (Phase in brackets):
//   (first step)  -> write MAIL (with PIPELINING: MAIL, every RCPT, and DATA unless the body
//                    goes in BDAT chunks or one refused recipient must abort the message)
//   envelope      [envelope] replies to MAIL and RCPT (and the batched DATA), in order;
//                    unpipelined, each RCPT is written after the reply to the one before
//   data_command  [envelope] DATA written alone, waiting for 354
//   body          [data] the driver streams the body (dot-stuffed DATA, or BDAT chunks whose
//                    replies come back through on_chunk_reply)
//   final_reply   [after_data] the reply to the end of the data; LMTP: one per accepted
//                    recipient, in RCPT order ([done] once the last is in)
//   rset          after a refusal: RSET written, waiting for its reply; the refusal stays
//                    the error whatever RSET gets, a broken connection included
//   finished      done: success, or error(); `close` says whether to hang up
//
// What is fatal (the engine asks the driver to close the connection):
//   - any I/O error (lost, reset, timeout, malformed or oversized reply, unreadable source);
//     lost before the end of the data: transient, a retry cannot deliver twice; lost after
//     it: Reason::delivery_unknown, the message may have been kept;
//   - a 421 reply anywhere (RFC 5321 3.8: the server is closing the channel);
//   - MAIL or every RCPT refused while the server already said 354 to the batched DATA:
//     there is no way to end DATA without sending a message but to hang up;
//   - a BDAT chunk refused mid-way (RFC 3030 has no way to go on cleanly).
// Any other refusal is followed by RSET and leaves the session usable.

#include "smtp/transaction.hpp"

#include <mailwire/mime/address.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace mailwire::smtp {
namespace {

using detail::NextStep;

// An envelope address as sent to a server without SMTPUTF8 (`utf8_ok` false): the domain as
// its A-labels (Mailbox::address_ascii(): user@bücher.example -> user@xn--bcher-kva.example).
// A local part that is not ASCII has no other form and still needs SMTPUTF8.
std::string envelope_address(const std::string& address, bool utf8_ok) {
  const std::size_t at = address.rfind('@');
  if (utf8_ok || at == std::string::npos || !needs_smtputf8(address)) return address;
  mime::Mailbox mailbox;
  mailbox.local = address.substr(0, at);
  mailbox.domain = address.substr(at + 1);
  return mailbox.address_ascii();
}

bool positive(const SmtpReply& reply) {
  return reply.code / 100 == 2;
}

Diagnostics reply_diagnostics(Reason reason, std::string command, const SmtpReply& reply,
                              bool fatal, Phase phase) {
  Diagnostics d = fatal ? Diagnostics::broken(reason) : Diagnostics::usable(reason);
  d.with_command(std::move(command))
      .with_reply(reply.to_string())
      .with_transient(reply.transient())
      .with_phase(phase);
  d.reply_code = reply.code;
  d.enhanced_code = reply.enhanced;
  return d;
}

TransactionError usage(std::string message) {
  return {Errc::usage, std::move(message), Diagnostics::usable(Reason::invalid_argument)};
}

TransactionError unsupported(Reason reason, std::string message) {
  return {Errc::rejected, std::move(message), Diagnostics::usable(reason)};
}

// RFC 1870 6.1 and RFC 3463: the message is too big for the server.
bool too_large(const SmtpReply& reply) {
  return reply.code == 552 || reply.enhanced == "5.3.4" || reply.enhanced == "5.2.3";
}

}  // namespace

std::optional<TransactionError> Transaction::check_envelope(const SmtpEnvelope& envelope) {
  MailParameters mail;
  mail.ret = envelope.dsn_ret;
  mail.envid = envelope.dsn_envid;
  if (const Command c = Command::mail_from(envelope.sender, mail); c.error()) {
    return usage(c.error_message());
  }
  if (envelope.recipients.empty()) return usage("smtp: no recipients");
  for (const std::string& r : envelope.recipients) {
    RcptParameters rcpt;
    rcpt.notify = envelope.dsn_notify;
    if (!envelope.dsn_notify.empty() && !needs_smtputf8(r)) rcpt.orcpt = r;
    if (const Command c = Command::rcpt_to(r, rcpt); c.error()) return usage(c.error_message());
  }
  return std::nullopt;
}

Transaction::Transaction(const SmtpEnvelope& envelope, const SmtpCapabilities& capabilities,
                         std::uint64_t message_size, BodyType body, TransactionOptions options,
                         std::string host)
    : options_(options), host_(std::move(host)) {
  plan(envelope, capabilities, message_size, body);
  if (error_) {
    finish(false);
    return;
  }
  pipelined_ = capabilities.pipelining && options_.pipelining;
  data_in_batch_ = pipelined_ && !bdat_ && !options_.abort_on_rejected_recipient;
  state_ = State::envelope;
  awaiting_.push_back(Awaiting::mail);
  if (!pipelined_) {
    write(mail_);
    return;
  }
  std::string batch = mail_;
  for (const std::string& r : rcpts_) {
    batch += r;
    awaiting_.push_back(Awaiting::rcpt);
  }
  next_rcpt_ = rcpts_.size();
  if (data_in_batch_) {
    batch += Command::data().line();
    awaiting_.push_back(Awaiting::data);
  }
  write(std::move(batch));
}

void Transaction::plan(const SmtpEnvelope& envelope, const SmtpCapabilities& caps,
                       std::uint64_t size, BodyType body) {
  if (auto mistake = check_envelope(envelope)) {
    error_ = std::move(mistake);
    return;
  }
  recipients_ = envelope.recipients;
  // Without SMTPUTF8, a domain that is not ASCII goes as its A-labels (RFC 5890/5891); only
  // a local part that is not ASCII then needs SMTPUTF8.
  const std::string sender = envelope_address(envelope.sender, caps.smtputf8);
  std::vector<std::string> recipients;
  for (const std::string& r : envelope.recipients)
    recipients.push_back(envelope_address(r, caps.smtputf8));
  bool utf8 = needs_smtputf8(sender);
  for (const std::string& r : recipients)
    utf8 = utf8 || needs_smtputf8(r);
  if (caps.size_known && caps.size > 0 && size > caps.size) {
    error_ = unsupported(Reason::message_too_large,
                         fmt::format("smtp: the message ({} bytes) exceeds {}'s SIZE limit of {} "
                                     "bytes",
                                     size, host_, caps.size));
    return;
  }
  if (utf8 && !caps.smtputf8) {
    error_ = unsupported(
        Reason::extension_missing,
        fmt::format("smtp: non-ASCII addresses need SMTPUTF8, which {} does not offer", host_));
    return;
  }
  bdat_ = body == BodyType::Binary;
  if (bdat_ && !(caps.binarymime && caps.chunking)) {
    error_ = unsupported(Reason::extension_missing,
                         fmt::format("smtp: the message has binary content (NUL bytes), which "
                                     "needs BINARYMIME and CHUNKING; {} does not offer both",
                                     host_));
    return;
  }
  if (body == BodyType::EightBit && !caps.eight_bit_mime) {
    error_ = unsupported(Reason::extension_missing,
                         fmt::format("smtp: the message has 8-bit content and {} does not offer "
                                     "8BITMIME; encode it as quoted-printable or base64",
                                     host_));
    return;
  }

  MailParameters mail;
  if (caps.size_known) mail.size = size;
  mail.body = body == BodyType::EightBit ? BodyParameter::eight_bit
              : bdat_                    ? BodyParameter::binary_mime
                                         : BodyParameter::none;
  mail.smtputf8 = utf8;
  if (caps.dsn) {
    mail.ret = envelope.dsn_ret;
    mail.envid = envelope.dsn_envid;
  }
  const Command mail_command = Command::mail_from(sender, mail);
  if (mail_command.error()) {
    error_ = usage(mail_command.error_message());
    return;
  }
  mail_ = mail_command.line();
  for (const std::string& r : recipients) {
    RcptParameters rcpt;
    if (caps.dsn) {
      rcpt.notify = envelope.dsn_notify;
      // ORCPT of an SMTPUTF8 address would need utf-8-addr-xtext (RFC 6533): not sent.
      if (!envelope.dsn_notify.empty() && !utf8) rcpt.orcpt = r;
    }
    const Command c = Command::rcpt_to(r, rcpt);
    if (c.error()) {
      error_ = usage(c.error_message());
      return;
    }
    rcpts_.push_back(c.line());
  }
}

void Transaction::settle() {
  // A write handed out counts as done once the driver comes back, whatever it calls.
  if (handed_write_) {
    handed_write_ = false;
    after_write();
  }
}

TransactionStep Transaction::next() {
  settle();
  if (step_.step == NextStep::write) handed_write_ = true;
  return step_;
}

void Transaction::write(std::string bytes, std::string log_as) {
  out_ = std::move(bytes);
  out_log_ = std::move(log_as);
  step_ = {};
  step_.step = NextStep::write;
  step_.bytes = out_;
  step_.log_as = out_log_;
}

void Transaction::read(bool final_reply) {
  step_ = {};
  step_.step = NextStep::read_line;
  step_.final_reply = final_reply;
}

void Transaction::after_write() {
  if (phase_ == Phase::none) phase_ = Phase::envelope;
  read(state_ == State::final_reply);
}

void Transaction::finish(bool close) {
  state_ = State::finished;
  step_ = {};
  step_.step = NextStep::done;
  step_.close = close;
  if (close && error_) error_->diagnostics.fatal = true;
}

void Transaction::fail(TransactionError error, End end) {
  error_ = std::move(error);
  if (end == End::rset) {
    state_ = State::rset;
    write(Command::rset().line());
    return;
  }
  finish(end == End::hang_up);
}

void Transaction::refuse(Reason reason, std::string what, const SmtpReply& reply, End end,
                         std::string message) {
  // RFC 5321 3.8: 421 is the server closing the channel, whatever the command was.
  if (reply.code == 421) end = End::hang_up;
  if (message.empty()) message = fmt::format("smtp: {} refused: {}", what, reply.to_string());
  fail({Errc::rejected, std::move(message),
        reply_diagnostics(reason, std::move(what), reply, end == End::hang_up, phase_)},
       end);
}

void Transaction::on_reply(SmtpReply reply) {
  settle();
  switch (state_) {
    case State::envelope:
    case State::data_command:
      if (awaiting_at_ < awaiting_.size()) on_envelope_reply(awaiting_[awaiting_at_++], reply);
      return;
    case State::final_reply:
      on_final_reply(std::move(reply));
      return;
    case State::rset:
      finish(reply.code == 421);
      return;
    default:
      return;  // not waiting for a reply: ignored
  }
}

void Transaction::on_envelope_reply(Awaiting what, SmtpReply reply) {
  switch (what) {
    case Awaiting::mail:
      mail_reply_ = reply;
      // Pipelined, the other replies of the batch are read before deciding (RFC 2920 3.1).
      if (reply.code == 421 || (!pipelined_ && !positive(reply))) {
        refuse(Reason::command_refused, mail_.substr(0, mail_.size() - 2), reply, End::rset);
        return;
      }
      break;
    case Awaiting::rcpt: {
      const std::size_t i = result_.recipients.size();
      const bool ok = positive(reply);
      result_.recipients.push_back({recipients_[i], ok, reply, Phase::envelope});
      if (reply.code == 421) {
        refuse(Reason::recipient_refused, "RCPT TO:<" + recipients_[i] + ">", reply, End::hang_up);
        return;
      }
      break;
    }
    case Awaiting::data:
      if (state_ == State::data_command) {
        if (reply.code == 354) {
          start_body();
        } else {
          refuse(Reason::command_refused, "DATA", reply, End::rset);
        }
        return;
      }
      data_reply_ = reply;
      data_go_ = reply.code == 354;
      if (reply.code == 421) {
        refuse(Reason::command_refused, "DATA", reply, End::hang_up);
        return;
      }
      break;
    default:
      return;
  }
  if (awaiting_at_ < awaiting_.size()) return;  // more replies of the batch to come
  if (next_rcpt_ < rcpts_.size()) {             // unpipelined: the next RCPT
    awaiting_.push_back(Awaiting::rcpt);
    write(rcpts_[next_rcpt_++]);
    return;
  }
  evaluate_envelope();
}

void Transaction::evaluate_envelope() {
  if (!positive(mail_reply_)) {
    // After a 354 to the batched DATA, a lone "." would be a message: hang up instead.
    refuse(Reason::command_refused, mail_.substr(0, mail_.size() - 2), mail_reply_,
           data_go_ ? End::hang_up : End::rset);
    return;
  }
  const std::size_t accepted = result_.accepted();
  if (accepted == 0 || (options_.abort_on_rejected_recipient && accepted < rcpts_.size())) {
    const auto rejected = std::find_if(result_.recipients.begin(), result_.recipients.end(),
                                       [](const auto& r) { return !r.accepted; });
    refuse(Reason::recipient_refused, "RCPT TO:<" + rejected->address + ">", rejected->reply,
           data_go_ ? End::hang_up : End::rset,
           fmt::format("smtp: RCPT TO:<{}> rejected: {}{}", rejected->address,
                       rejected->reply.to_string(),
                       accepted == 0 ? "" : " (message not sent: a recipient was rejected)"));
    return;
  }
  if (bdat_) {
    start_body();
  } else if (data_in_batch_) {
    if (data_go_) {
      start_body();
    } else {
      refuse(Reason::command_refused, "DATA", data_reply_, End::rset);
    }
  } else {
    state_ = State::data_command;
    awaiting_.push_back(Awaiting::data);
    write(Command::data().line());
  }
}

void Transaction::start_body() {
  state_ = State::body;
  phase_ = Phase::data;
  step_ = {};
  step_.step = NextStep::send_body;
  step_.bdat = bdat_;
}

bool Transaction::on_chunk_reply(const SmtpReply& reply) {
  settle();
  if (state_ != State::body) return false;
  if (positive(reply)) return true;
  refuse(Reason::command_refused, "BDAT", reply, End::hang_up);
  return false;
}

void Transaction::on_body_sent() {
  settle();
  if (state_ != State::body) return;
  phase_ = Phase::after_data;
  state_ = State::final_reply;
  while (options_.lmtp && lmtp_at_ < result_.recipients.size() &&
         !result_.recipients[lmtp_at_].accepted) {
    ++lmtp_at_;
  }
  read(true);
}

void Transaction::on_final_reply(SmtpReply reply) {
  if (!options_.lmtp) {
    phase_ = Phase::done;
    for (SmtpRecipientResult& r : result_.recipients) {
      if (r.accepted) r.phase = Phase::done;
    }
    result_.reply = std::move(reply);
    if (positive(result_.reply)) {
      finish(false);
    } else {
      refuse(too_large(result_.reply) ? Reason::message_too_large : Reason::command_refused,
             "the message", result_.reply, options_.rset_after_final ? End::rset : End::keep);
    }
    return;
  }
  // LMTP (RFC 2033 4.2): one reply per accepted recipient, in RCPT order.
  SmtpRecipientResult& r = result_.recipients[lmtp_at_];
  r.reply = reply;
  r.accepted = positive(reply);
  r.phase = Phase::done;
  result_.reply = reply;
  ++lmtp_at_;
  while (lmtp_at_ < result_.recipients.size() && !result_.recipients[lmtp_at_].accepted)
    ++lmtp_at_;
  const bool closing = reply.code == 421;
  bool unknown = false;
  if (closing) {
    // The server hangs up before answering for the others: they may or may not have it.
    for (std::size_t i = lmtp_at_; i < result_.recipients.size(); ++i) {
      if (result_.recipients[i].accepted) {
        result_.recipients[i].accepted = false;
        result_.recipients[i].phase = Phase::after_data;
        unknown = true;
      }
    }
  } else if (lmtp_at_ < result_.recipients.size()) {
    read(true);
    return;
  }
  if (!unknown) phase_ = Phase::done;
  if (result_.accepted() == 0) {
    refuse(unknown ? Reason::delivery_unknown : Reason::command_refused, "the message",
           result_.reply, closing ? End::hang_up : End::keep);
    return;
  }
  finish(closing);
}

void Transaction::on_error(Errc kind, std::string_view message, const Diagnostics& diagnostics) {
  settle();
  if (state_ == State::finished) return;
  if (state_ == State::rset && error_) {
    finish(true);  // the connection broke during RSET: the refusal stays the error
    return;
  }
  // The step's own diagnostics (a malformed reply's text) stay; the connection is gone.
  const bool lost = kind == Errc::connect || kind == Errc::timeout;
  Reason reason = diagnostics.reason;
  if (reason == Reason::unspecified) {
    reason = lost                     ? Reason::connection_lost
             : kind == Errc::protocol ? Reason::malformed_reply
             : kind == Errc::limit    ? Reason::reply_too_large
                                      : Reason::unspecified;
  }
  std::string text(message);
  if (lost && phase_ == Phase::after_data) {
    reason = Reason::delivery_unknown;
    text = fmt::format("smtp: {} after the end of the message: delivery status unknown", text);
  }
  Diagnostics d = diagnostics;
  d.fatal = true;
  d.with_reason(reason).with_phase(phase_).with_transient(lost || diagnostics.transient);
  error_ = TransactionError{kind, std::move(text), std::move(d)};
  finish(true);
}

}  // namespace mailwire::smtp
