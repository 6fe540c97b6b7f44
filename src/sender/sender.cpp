// mailwire::Sender: a queue, `max_connections` workers, a rate limiter and a retry rule.
//
// Theory of operation. submit() puts a Job in `ready_` (FIFO). Each worker thread owns at most
// one SmtpClient. Under the one mutex, a worker moves due retries from `delayed_` (ordered by
// time) to `ready_`, asks the rate limiter for the first job's tokens, and takes the job, or
// waits (SenderClock::wait_until) for the earliest of: a due retry, tokens, its idle deadline,
// a notification. The attempt runs without the lock: (re)connect through the factory when the
// client is gone, broken or used up (max_messages_per_connection), then SmtpClient::send to the
// recipients still pending. Back under the lock the attempt is judged, and only from what the
// client reports (no protocol knowledge here):
//   - per recipient: accepted (done), refused with a transient reply (pending), else refused;
//   - an Error at Phase::after_data: its pending recipients are unknown, never resent;
//   - an Error that is_safe_to_retry(): every pending recipient stays pending;
//   - any other Error: its pending recipients are refused with it.
// Pending recipients and attempts left: the job goes to `delayed_` after the back-off. Else it
// ends: the callback, then the future, then the counters (flush() waits for them).
// cancel() empties both queues (their jobs end cancelled) and cancels the clients in use; the
// attempt cut by it ends its job. A worker never moves or destroys its client while cancel()
// may reach it: `active_` is set and cleared under the mutex.

#include <mailwire/outbox.hpp>
#include <mailwire/provider_settings.hpp>
#include <mailwire/sender.hpp>

#include "sender/rate_limiter.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <random>
#include <thread>
#include <utility>

namespace mailwire {

SenderClock::~SenderClock() = default;

namespace {

class SteadyClock final : public SenderClock {
 public:
  time_point now() override { return std::chrono::steady_clock::now(); }
  void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                  time_point until) override {
    cv.wait_until(lock, until);
  }
};

}  // namespace

std::shared_ptr<SenderClock> SenderClock::steady() {
  static const std::shared_ptr<SenderClock> clock = std::make_shared<SteadyClock>();
  return clock;
}

const char* to_string(SendStatus status) noexcept {
  switch (status) {
    case SendStatus::delivered:
      return "delivered";
    case SendStatus::partial:
      return "partial";
    case SendStatus::failed:
      return "failed";
    case SendStatus::unknown:
      return "unknown";
    case SendStatus::cancelled:
      return "cancelled";
  }
  return "?";
}

std::size_t SendOutcome::accepted() const noexcept {
  return static_cast<std::size_t>(std::count_if(recipients.begin(), recipients.end(),
                                                [](const auto& r) { return r.accepted; }));
}

SenderRateLimits SenderRateLimits::for_provider(std::string_view id_or_address) {
  std::optional<ProviderSettings> provider = ProviderSettings::by_id(id_or_address);
  if (!provider) provider = ProviderSettings::for_address(id_or_address);
  SenderRateLimits limits;
  if (!provider) return limits;
  if (provider->id == "gmail") {
    // support.google.com/mail/answer/22839: 500 recipients a day for a Gmail account.
    limits.recipients_per_day = 500;
    limits.recipients_per_day_burst = 500;
  } else if (provider->id == "microsoft365") {
    // learn.microsoft.com, Exchange Online limits: 30 messages a minute, 10,000 recipients a
    // day per mailbox.
    limits.messages_per_minute = 30;
    limits.messages_per_minute_burst = 30;
    limits.recipients_per_day = 10000;
    limits.recipients_per_day_burst = 10000;
  }
  return limits;
}

namespace {

enum class Body { bytes, source, builder, outbox };

struct Job {
  std::uint64_t id = 0;
  SmtpEnvelope envelope;
  Body body = Body::bytes;
  std::string bytes;
  std::function<std::unique_ptr<MessageSource>()> source;
  std::optional<mime::MessageBuilder> builder;
  std::vector<std::size_t> pending;  // indices into envelope.recipients still to send
  std::string outbox_id;             // with an outbox: the message's id in it
  bool sending = false;              // with an outbox: marked sending (end of data may be out)
  SendOutcome outcome;
  std::promise<SendOutcome> promise;
  SendCallback callback;
  bool cancelled = false;
};

using JobPtr = std::unique_ptr<Job>;

// What one attempt gave.
struct Attempt {
  std::optional<SmtpSendResult> result;
  std::optional<Error> error;
};

SmtpReply reply_of(const Error& e) {
  SmtpReply reply;
  reply.code = e.diagnostics().reply_code;
  reply.enhanced = e.diagnostics().enhanced_code;
  std::string text = e.diagnostics().server_reply;
  // The server's text without the codes it starts with (they are in code and enhanced).
  const std::string code = std::to_string(reply.code) + " ";
  if (reply.code != 0 && text.compare(0, code.size(), code) == 0) text.erase(0, code.size());
  if (!reply.enhanced.empty() &&
      text.compare(0, reply.enhanced.size() + 1, reply.enhanced + " ") == 0) {
    text.erase(0, reply.enhanced.size() + 1);
  }
  if (!text.empty()) reply.lines.push_back(std::move(text));
  return reply;
}

}  // namespace

struct Sender::Impl {
  explicit Impl(SenderOptions o)
      : options(std::move(o)),
        clock(options.clock ? options.clock : SenderClock::steady()),
        limiter(options.limits, clock->now()),
        backoff(options.retry,
                options.jitter_seed != 0 ? options.jitter_seed : std::random_device{}()) {
    if (!options.connect && options.host.empty()) {
      throw Error(Errc::usage, "sender: neither a host nor a connect function",
                  Diagnostics::usable(Reason::invalid_argument));
    }
    options.max_connections = std::max<std::size_t>(1, options.max_connections);
    options.retry.max_attempts = std::max(1, options.retry.max_attempts);
    active.assign(options.max_connections, nullptr);
    for (std::size_t i = 0; i < options.max_connections; ++i) {
      workers.emplace_back([this, i] { work(i); });
    }
  }

  // A connection of one worker.
  struct Connection {
    std::optional<SmtpClient> client;
    std::size_t sent = 0;
    SenderClock::time_point last_used{};
  };

  SmtpClient connect() {
    if (options.connect) return options.connect();
    SmtpClient client(options.smtp);
    client.connect(options.host, options.port);
    if (options.credentials) client.authenticate(*options.credentials);
    return client;
  }

  void check_accepting() {
    if (!accepting) {
      throw Error(Errc::usage, "sender: closed, no more messages accepted",
                  Diagnostics::usable(Reason::not_connected));
    }
  }

  // With an outbox: the message goes into it (durable) and is read from it at each attempt.
  void store(Job& job) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      check_accepting();
    }
    std::unique_ptr<MessageSource> source;
    std::string rendered;
    switch (job.body) {
      case Body::bytes:
        source = MessageSource::from_bytes(job.bytes);
        break;
      case Body::source:
        source = job.source();
        break;
      case Body::builder:
        rendered = job.builder->to_string();
        job.outcome.message_id = job.builder->generated_message_id();
        source = MessageSource::from_bytes(rendered);
        break;
      case Body::outbox:
        return;
    }
    job.outbox_id = options.outbox->put(job.envelope, *source, job.outcome.label);
    job.outcome.outbox_id = job.outbox_id;
    job.body = Body::outbox;
    job.bytes.clear();
    job.bytes.shrink_to_fit();
    job.source = nullptr;
    job.builder.reset();
  }

  std::future<SendOutcome> submit(JobPtr job, SendCallback done) {
    job->callback = std::move(done);
    job->outcome.recipients.reserve(job->envelope.recipients.size());
    for (std::size_t i = 0; i < job->envelope.recipients.size(); ++i) {
      SmtpRecipientResult r;
      r.address = job->envelope.recipients[i];
      job->outcome.recipients.push_back(std::move(r));
      job->pending.push_back(i);
    }
    if (options.outbox) store(*job);
    std::future<SendOutcome> future = job->promise.get_future();
    {
      std::lock_guard<std::mutex> lock(mutex);
      check_accepting();
      job->id = ++next_id;
      ++stats.submitted;
      ++unfinished;
      ready.push_back(std::move(job));
    }
    cv.notify_one();
    return future;
  }

  // A message an earlier Sender left in the outbox.
  std::future<SendOutcome> readmit(OutboxEntry entry, SendCallback done) {
    auto job = std::make_unique<Job>();
    job->callback = std::move(done);
    job->envelope = std::move(entry.envelope);
    job->body = Body::outbox;
    job->outbox_id = entry.id;
    job->outcome.outbox_id = entry.id;
    job->outcome.label = std::move(entry.label);
    job->outcome.attempts = entry.so_far.attempts;
    const bool found_sending = entry.state == OutboxEntry::State::sending;
    job->sending = found_sending;
    for (std::size_t i = 0; i < job->envelope.recipients.size(); ++i) {
      SmtpRecipientResult r;
      if (i < entry.so_far.recipients.size()) r = entry.so_far.recipients[i];
      r.address = job->envelope.recipients[i];
      if (r.phase == Phase::none) {
        if (found_sending) {
          r.accepted = false;
          r.phase = Phase::after_data;  // may have it: unknown, never resent
        } else {
          job->pending.push_back(i);
        }
      }
      job->outcome.recipients.push_back(std::move(r));
    }
    if (found_sending) job->outcome.phase = Phase::after_data;
    std::future<SendOutcome> future = job->promise.get_future();
    std::unique_lock<std::mutex> lock(mutex);
    check_accepting();
    job->id = ++next_id;
    ++stats.submitted;
    ++unfinished;
    if (job->pending.empty()) {
      finish(std::move(job), lock);
      return future;
    }
    const auto wait = entry.not_before - std::chrono::system_clock::now();
    if (wait > std::chrono::system_clock::duration::zero()) {
      delayed.emplace(clock->now() + std::chrono::duration_cast<std::chrono::nanoseconds>(wait),
                      std::move(job));
    } else {
      ready.push_back(std::move(job));
    }
    lock.unlock();
    cv.notify_one();
    return future;
  }

  // Events are collected under the lock and emitted after it.
  void emit(SenderEvent event) {
    if (options.on_event) options.on_event(event);
  }

  SenderStats snapshot() const {
    SenderStats s = stats;
    s.queued = ready.size() + delayed.size();
    s.in_flight = in_flight;
    s.open_connections = open;
    return s;
  }

  void promote_due(SenderClock::time_point now) {
    while (!delayed.empty() && delayed.begin()->first <= now) {
      ready.push_back(std::move(delayed.begin()->second));
      delayed.erase(delayed.begin());
    }
  }

  void work(std::size_t index) {
    Connection conn;
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      if (cancelled || stopping) break;
      const auto now = clock->now();
      promote_due(now);
      if (conn.client && options.idle_timeout.count() > 0 &&
          now - conn.last_used >= options.idle_timeout && ready.empty()) {
        hang_up(conn, lock, true);
        continue;
      }
      SenderClock::time_point wake = SenderClock::time_point::max();
      if (!ready.empty()) {
        const auto at = limiter.reserve(ready.front()->pending.size(), now);
        if (at <= now) {
          JobPtr job = std::move(ready.front());
          ready.pop_front();
          ++in_flight;
          ++stats.attempts;
          ++job->outcome.attempts;
          lock.unlock();
          Attempt attempt = run(job, conn, index, lock);
          lock.lock();
          if (job) {  // null: judged already (sent in a pipelined stream)
            --in_flight;
            judge(std::move(job), std::move(attempt), lock);
          }
          continue;
        }
        wake = at;
      }
      if (!delayed.empty()) wake = std::min(wake, delayed.begin()->first);
      if (conn.client && options.idle_timeout.count() > 0 && ready.empty()) {
        wake = std::min(wake, conn.last_used + options.idle_timeout);
      }
      if (wake == SenderClock::time_point::max()) {
        cv.wait(lock);
      } else {
        clock->wait_until(cv, lock, wake);
      }
    }
    hang_up(conn, lock, !cancelled);
  }

  // Closes a worker's connection: QUIT when `polite`. Called and returns with the lock held.
  void hang_up(Connection& conn, std::unique_lock<std::mutex>& lock, bool polite) {
    if (!conn.client) return;
    lock.unlock();
    if (polite) {
      conn.client->quit();
    } else {
      conn.client->close();
    }
    conn.client.reset();
    lock.lock();
    --open;
    SenderEvent e;
    e.kind = SenderEvent::Kind::disconnected;
    e.stats = snapshot();
    lock.unlock();
    emit(e);
    lock.lock();
  }

  // One attempt, without the lock.
  Attempt run(JobPtr& job_ptr, Connection& conn, std::size_t index,
              std::unique_lock<std::mutex>& lock) {
    Job& job = *job_ptr;
    Attempt attempt;
    const bool used_up = options.max_messages_per_connection != 0 &&
                         conn.sent >= options.max_messages_per_connection;
    if (conn.client && (!conn.client->is_connected() || used_up)) {
      lock.lock();
      hang_up(conn, lock, true);
      lock.unlock();
    }
    if (!conn.client) {
      try {
        SmtpClient client = connect();
        lock.lock();
        conn.client.emplace(std::move(client));
        conn.sent = 0;
        ++open;
        ++stats.connections_opened;
        SenderEvent e;
        e.kind = SenderEvent::Kind::connected;
        e.stats = snapshot();
        lock.unlock();
        emit(e);
      } catch (const Error& e) {
        attempt.error = e;
      } catch (const std::exception& e) {  // a connect function's own failure: permanent
        attempt.error = Error(Errc::usage, std::string("sender: connect failed: ") + e.what());
      }
      if (attempt.error) {
        std::lock_guard<std::mutex> guard(mutex);
        if (cancelled) attempt.error = Error(Errc::cancelled, "sender: cancelled");
        return attempt;
      }
    }
    {
      std::lock_guard<std::mutex> guard(mutex);
      if (cancelled) {
        attempt.error = Error(Errc::cancelled, "sender: cancelled");
        return attempt;
      }
      active[index] = &*conn.client;
    }
    // One copy in the Sent mailbox per message, however many attempts its recipients need.
    SmtpSendOptions send_options = options.send;
    if (job.outcome.sent_copy && job.outcome.sent_copy->filed) send_options.file_sent_copy = false;
    // Pipelined messages end on the next one's turn; a sent copy is filed by send() only.
    if (options.pipeline_messages && conn.client->capabilities().pipelining && !options.smtp.lmtp &&
        job.body != Body::builder && !conn.client->options().sent_copy) {
      stream(job_ptr, conn, index, lock);
      return attempt;
    }
    SmtpEnvelope envelope = pending_envelope(job);
    try {
      switch (job.body) {
        case Body::outbox: {
          SmtpSendOptions send = send_options;
          const int number = job.outcome.attempts;
          send.before_end_of_data = [this, &job, number] {
            options.outbox->mark_sending(job.outbox_id, number);
            job.sending = true;
          };
          std::unique_ptr<MessageSource> source = options.outbox->open(job.outbox_id);
          attempt.result = conn.client->send(envelope, *source, send);
          break;
        }
        case Body::bytes:
          attempt.result = conn.client->send(envelope, job.bytes, send_options);
          break;
        case Body::source: {
          std::unique_ptr<MessageSource> source = job.source();
          attempt.result = conn.client->send(envelope, *source, send_options);
          break;
        }
        case Body::builder:
          try {
            attempt.result = conn.client->send(*job.builder, envelope, send_options);
          } catch (...) {
            job.outcome.message_id = job.builder->generated_message_id();
            throw;
          }
          job.outcome.message_id = job.builder->generated_message_id();
          break;
      }
    } catch (const Error& e) {
      attempt.error = e;
    } catch (const std::exception& e) {  // a source factory's own failure
      attempt.error =
          Error(Errc::io, std::string("sender: the message source failed: ") + e.what());
    }
    ++conn.sent;
    conn.last_used = clock->now();
    {
      std::lock_guard<std::mutex> guard(mutex);
      active[index] = nullptr;
    }
    if (!conn.client->is_connected()) {
      lock.lock();
      hang_up(conn, lock, false);
      lock.unlock();
    }
    return attempt;
  }

  static SmtpEnvelope pending_envelope(const Job& job) {
    SmtpEnvelope envelope = job.envelope;
    envelope.recipients.clear();
    for (std::size_t i : job.pending)
      envelope.recipients.push_back(job.envelope.recipients[i]);
    return envelope;
  }

  // The SmtpOutgoing of one attempt of `job` (not a built message). A source that fails to
  // open leaves `out.source` null and the error in `failed`.
  void outgoing(Job& job, SmtpOutgoing& out, std::optional<Error>& failed) {
    out.envelope = pending_envelope(job);
    out.options = options.send;
    try {
      switch (job.body) {
        case Body::bytes:
          out.source = MessageSource::from_bytes(job.bytes);
          break;
        case Body::source:
          out.source = job.source();
          break;
        case Body::outbox: {
          const int number = job.outcome.attempts;
          out.options.before_end_of_data = [this, &job, number] {
            options.outbox->mark_sending(job.outbox_id, number);
            job.sending = true;
          };
          out.source = options.outbox->open(job.outbox_id);
          break;
        }
        case Body::builder:
          break;
      }
    } catch (const Error& e) {
      failed = e;
    } catch (const std::exception& e) {
      failed = Error(Errc::io, std::string("sender: the message source failed: ") + e.what());
    }
    if (failed) out.source.reset();
  }

  // Sends `first` and then whatever is ready when its end of data is due, over one connection
  // with the end of each message pipelined with the next one's envelope (RFC 2920, through
  // SmtpClient::send_pipelined()). Each message is judged as soon as its outcome is final.
  // Called and returns without the lock; `first` is moved from.
  void stream(JobPtr& first, Connection& conn, std::size_t index,
              std::unique_lock<std::mutex>& lock) {
    std::vector<JobPtr> jobs;
    std::vector<std::optional<Error>> failures;
    jobs.push_back(std::move(first));
    std::size_t taken = 1;
    const std::size_t sent_before = conn.sent;
    const auto next = [&](SmtpOutgoing& out) -> bool {
      if (failures.empty()) {  // the first message
        failures.emplace_back();
        outgoing(*jobs[0], out, failures[0]);
        return true;
      }
      {
        std::lock_guard<std::mutex> guard(mutex);
        if (cancelled || stopping) return false;
        if (options.max_messages_per_connection != 0 &&
            sent_before + taken >= options.max_messages_per_connection) {
          return false;
        }
        const auto now = clock->now();
        promote_due(now);
        if (ready.empty() || ready.front()->body == Body::builder) return false;
        if (limiter.reserve(ready.front()->pending.size(), now) > now) return false;
        jobs.push_back(std::move(ready.front()));
        ready.pop_front();
        ++in_flight;
        ++stats.attempts;
        ++jobs.back()->outcome.attempts;
        ++taken;
      }
      failures.emplace_back();
      outgoing(*jobs.back(), out, failures.back());
      return true;
    };
    const auto done = [&](std::size_t i, SmtpOutcome&& outcome) {
      Attempt attempt;
      if (i < failures.size() && failures[i]) {
        attempt.error = failures[i];
      } else {
        attempt.result = std::move(outcome.result);
        attempt.error = std::move(outcome.error);
      }
      ++conn.sent;
      conn.last_used = clock->now();
      lock.lock();
      --in_flight;
      judge(std::move(jobs[i]), std::move(attempt), lock);
      lock.unlock();
    };
    try {
      conn.client->send_pipelined(next, done);
    } catch (const Error& e) {  // not connected: every message handed out and not done
      for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (!jobs[i]) continue;
        Attempt attempt;
        attempt.error = e;
        lock.lock();
        --in_flight;
        judge(std::move(jobs[i]), std::move(attempt), lock);
        lock.unlock();
      }
    }
    {
      std::lock_guard<std::mutex> guard(mutex);
      active[index] = nullptr;
    }
    if (!conn.client->is_connected()) {
      lock.lock();
      hang_up(conn, lock, false);
      lock.unlock();
    }
  }

  // Judges an attempt (lock held) and requeues or ends the job.
  void judge(JobPtr job, Attempt attempt, std::unique_lock<std::mutex>& lock) {
    SendOutcome& out = job->outcome;
    std::vector<std::size_t> still;
    if (attempt.result) {
      const SmtpSendResult& result = *attempt.result;
      out.reply = result.reply;
      if (result.sent_copy) out.sent_copy = result.sent_copy;
      out.phase = Phase::done;
      for (std::size_t k = 0; k < job->pending.size() && k < result.recipients.size(); ++k) {
        const std::size_t i = job->pending[k];
        out.recipients[i] = result.recipients[k];
        out.recipients[i].address = job->envelope.recipients[i];
        const SmtpRecipientResult& r = result.recipients[k];
        if (!r.accepted && r.reply.transient() && r.phase != Phase::after_data) still.push_back(i);
      }
    } else {
      const Error& e = *attempt.error;
      out.last_error = e;
      out.phase = e.phase();
      const bool cut = e.kind() == Errc::cancelled;
      for (std::size_t i : job->pending) {
        SmtpRecipientResult& r = out.recipients[i];
        r.accepted = false;
        r.phase = e.phase();
        r.reply = reply_of(e);
        if (e.phase() == Phase::after_data) continue;  // unknown: never resent
        if (cut) {
          job->cancelled = true;
        } else if (e.is_safe_to_retry()) {
          still.push_back(i);
        }
      }
    }
    job->pending = std::move(still);
    if (!job->pending.empty() && !cancelled && out.attempts < options.retry.max_attempts) {
      const auto delay = backoff.delay(out.attempts);
      if (options.outbox && job->sending) {
        // Back to pending, durably, with what this attempt settled.
        SendOutcome so_far = out;
        for (std::size_t i : job->pending)
          so_far.recipients[i].phase = Phase::none;
        const auto not_before = std::chrono::system_clock::now() + delay;
        lock.unlock();
        try {
          options.outbox->mark_pending(job->outbox_id, so_far, not_before);
          job->sending = false;
        } catch (...) {  // left sending: a crash now makes it unknown, never a duplicate
        }
        lock.lock();
        if (cancelled) {
          job->cancelled = true;
          finish(std::move(job), lock);
          return;
        }
      }
      ++stats.retries;
      SenderEvent e;
      e.kind = SenderEvent::Kind::retry;
      e.message = job->id;
      e.delay = delay;
      std::optional<Error> error = out.last_error;
      delayed.emplace(clock->now() + delay, std::move(job));
      e.stats = snapshot();
      lock.unlock();
      e.error = error ? &*error : nullptr;
      emit(e);
      lock.lock();
      return;
    }
    if (!job->pending.empty() && cancelled) job->cancelled = true;
    finish(std::move(job), lock);
  }

  // The outcome to keep for a job going back to pending: its pending recipients Phase::none.
  static SendOutcome pending_outcome(const Job& job) {
    SendOutcome so_far = job.outcome;
    for (std::size_t i = 0; i < so_far.recipients.size(); ++i) {
      const SmtpRecipientResult& r = so_far.recipients[i];
      if (!r.accepted && r.phase != Phase::after_data && r.reply.code / 100 != 5) {
        so_far.recipients[i].phase = Phase::none;
      }
    }
    return so_far;
  }

  // Ends a job (lock held; released while the callback and the future run).
  void finish(JobPtr job, std::unique_lock<std::mutex>& lock) {
    SendOutcome& out = job->outcome;
    const std::size_t accepted = out.accepted();
    const bool unknown = std::any_of(out.recipients.begin(), out.recipients.end(), [](auto& r) {
      return !r.accepted && r.phase == Phase::after_data;
    });
    if (unknown) {
      out.status = SendStatus::unknown;
    } else if (accepted == out.recipients.size() && accepted != 0) {
      out.status = SendStatus::delivered;
    } else if (job->cancelled) {
      out.status = SendStatus::cancelled;
    } else if (accepted != 0) {
      out.status = SendStatus::partial;
    } else {
      out.status = SendStatus::failed;
    }
    switch (out.status) {
      case SendStatus::delivered:
        ++stats.delivered;
        break;
      case SendStatus::partial:
        ++stats.partial;
        break;
      case SendStatus::failed:
        ++stats.failed;
        break;
      case SendStatus::unknown:
        ++stats.unknown;
        break;
      case SendStatus::cancelled:
        ++stats.cancelled;
        break;
    }
    SenderEvent e;
    e.kind = SenderEvent::Kind::finished;
    e.message = job->id;
    e.stats = snapshot();
    lock.unlock();
    if (options.outbox && !job->outbox_id.empty()) {
      try {
        if (out.status != SendStatus::cancelled) {
          options.outbox->finish(job->outbox_id, out);
        } else if (job->sending) {  // cut before its end of data: resumed next time
          options.outbox->mark_pending(job->outbox_id, pending_outcome(*job),
                                       std::chrono::system_clock::now());
        }
      } catch (...) {  // left where it is: resume() reports it unknown or sends it then
      }
    }
    e.outcome = &out;
    e.error = out.last_error ? &*out.last_error : nullptr;
    emit(e);
    if (job->callback) {
      try {
        job->callback(out);
      } catch (...) {  // the application's exception must not end a sending thread
      }
    }
    job->promise.set_value(out);
    job.reset();
    lock.lock();
    if (--unfinished == 0) done_cv.notify_all();
  }

  void cancel() noexcept {
    std::unique_lock<std::mutex> lock(mutex);
    accepting = false;
    cancelled = true;
    for (SmtpClient* client : active) {
      if (client != nullptr) client->cancel();
    }
    std::vector<JobPtr> dropped;
    for (auto& job : ready)
      dropped.push_back(std::move(job));
    for (auto& entry : delayed)
      dropped.push_back(std::move(entry.second));
    ready.clear();
    delayed.clear();
    cv.notify_all();
    for (auto& job : dropped) {
      job->cancelled = true;
      try {
        finish(std::move(job), lock);
      } catch (...) {  // promise errors cannot happen: each is set once
      }
    }
  }

  void flush() {
    std::unique_lock<std::mutex> lock(mutex);
    done_cv.wait(lock, [&] { return unfinished == 0; });
  }

  void join() {
    for (auto& t : workers) {
      if (t.joinable()) t.join();
    }
  }

  SenderOptions options;
  std::shared_ptr<SenderClock> clock;
  mutable std::mutex mutex;
  std::condition_variable cv;       // work, retries, tokens, shutdown
  std::condition_variable done_cv;  // unfinished reached 0
  std::deque<JobPtr> ready;
  std::multimap<SenderClock::time_point, JobPtr> delayed;
  sender::RateLimiter limiter;
  sender::Backoff backoff;
  std::vector<SmtpClient*> active;  // per worker: the client in a send, for cancel()
  std::vector<std::thread> workers;
  SenderStats stats;
  std::uint64_t next_id = 0;
  std::size_t unfinished = 0;
  std::size_t in_flight = 0;
  std::size_t open = 0;
  bool accepting = true;
  bool cancelled = false;
  bool resumed = false;  // resume() ran (a second run would queue its messages twice)
  bool stopping = false;
};

Sender::Sender(SenderOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Sender::~Sender() {
  if (!impl_) return;
  impl_->cancel();
  impl_->join();
}

std::future<SendOutcome> Sender::submit(SmtpEnvelope envelope, std::string message,
                                        SendCallback done) {
  auto job = std::make_unique<Job>();
  job->envelope = std::move(envelope);
  job->body = Body::bytes;
  job->bytes = std::move(message);
  return impl_->submit(std::move(job), std::move(done));
}

std::future<SendOutcome> Sender::submit(SmtpEnvelope envelope,
                                        std::function<std::unique_ptr<MessageSource>()> source,
                                        SendCallback done) {
  if (!source) throw Error(Errc::usage, "sender: no message source", Diagnostics::usable());
  auto job = std::make_unique<Job>();
  job->envelope = std::move(envelope);
  job->body = Body::source;
  job->source = std::move(source);
  return impl_->submit(std::move(job), std::move(done));
}

std::future<SendOutcome> Sender::submit(std::string label, SmtpEnvelope envelope,
                                        std::function<std::unique_ptr<MessageSource>()> source,
                                        SendCallback done) {
  if (!source) throw Error(Errc::usage, "sender: no message source", Diagnostics::usable());
  auto job = std::make_unique<Job>();
  job->envelope = std::move(envelope);
  job->body = Body::source;
  job->source = std::move(source);
  job->outcome.label = std::move(label);
  return impl_->submit(std::move(job), std::move(done));
}

std::vector<std::future<SendOutcome>> Sender::resume(SendCallback done) {
  if (!impl_->options.outbox) {
    throw Error(Errc::usage, "sender: resume() needs an outbox",
                Diagnostics::usable(Reason::invalid_argument));
  }
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    if (impl_->resumed) {
      throw Error(Errc::usage, "sender: resume() was called already",
                  Diagnostics::usable(Reason::invalid_argument));
    }
    impl_->resumed = true;
  }
  std::vector<std::future<SendOutcome>> futures;
  for (OutboxEntry& entry : impl_->options.outbox->resume())
    futures.push_back(impl_->readmit(std::move(entry), done));
  return futures;
}

std::future<SendOutcome> Sender::submit(const mime::MessageBuilder& message, SendCallback done) {
  SmtpEnvelope envelope;
  envelope.sender = message.envelope_sender();
  envelope.recipients = message.envelope_recipients();
  return submit(message, std::move(envelope), std::move(done));
}

std::future<SendOutcome> Sender::submit(const mime::MessageBuilder& message, SmtpEnvelope envelope,
                                        SendCallback done) {
  auto job = std::make_unique<Job>();
  job->envelope = std::move(envelope);
  job->body = Body::builder;
  job->builder.emplace(message);
  return impl_->submit(std::move(job), std::move(done));
}

void Sender::flush() {
  impl_->flush();
}

void Sender::close() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->accepting = false;
  }
  impl_->flush();
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->join();
}

void Sender::cancel() noexcept {
  impl_->cancel();
}

SenderStats Sender::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->snapshot();
}

}  // namespace mailwire
