// Token buckets and back-off for mailwire::Sender (see rate_limiter.hpp).

#include "sender/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace mailwire::sender {

namespace {
// Floating-point slack: a bucket refilled to exactly the requested amount may be a hair short.
constexpr double slack = 1e-9;
}  // namespace

TokenBucket::TokenBucket(double limit, std::chrono::nanoseconds period, double burst,
                         TimePoint start)
    : per_ns_(limit / static_cast<double>(period.count())),
      capacity_(std::max(1.0, burst)),
      tokens_(capacity_),
      last_(start) {}

void TokenBucket::refill(TimePoint now) {
  if (now <= last_) return;
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_).count();
  tokens_ = std::min(capacity_, tokens_ + static_cast<double>(elapsed) * per_ns_);
  last_ = now;
}

double TokenBucket::tokens(TimePoint now) {
  refill(now);
  return tokens_;
}

TimePoint TokenBucket::available_at(double n, TimePoint now) {
  refill(now);
  const double need = std::min(n, capacity_);
  if (tokens_ + slack >= need) return now;
  const double ns = std::ceil((need - tokens_) / per_ns_);
  return now + std::chrono::nanoseconds(static_cast<std::int64_t>(ns));
}

void TokenBucket::take(double n, TimePoint now) {
  refill(now);
  tokens_ -= n;
}

RollingWindow::RollingWindow(double limit, std::chrono::nanoseconds period)
    : limit_(limit), period_(period) {}

void RollingWindow::expire(TimePoint now) {
  // An entry taken at t counts in the windows [s, s + period) that hold t: until t + period.
  while (!log_.empty() && log_.front().first + period_ <= now) {
    used_ -= log_.front().second;
    log_.pop_front();
  }
  if (log_.empty()) used_ = 0;  // no drift
}

double RollingWindow::used(TimePoint now) {
  expire(now);
  return used_;
}

TimePoint RollingWindow::available_at(double n, TimePoint now) {
  expire(now);
  const double need = std::min(n, limit_);
  if (used_ + need <= limit_ + slack) return now;
  // The oldest entries leave the window first: wait until enough have.
  double left = used_;
  for (const auto& [at, taken] : log_) {
    left -= taken;
    if (left + need <= limit_ + slack) return at + period_;
  }
  return log_.back().first + period_;
}

void RollingWindow::take(double n, TimePoint now) {
  expire(now);
  if (!log_.empty() && log_.back().first == now) {
    log_.back().second += n;
  } else {
    log_.emplace_back(now, n);
  }
  used_ += n;
}

Limit::Limit(double limit, std::chrono::nanoseconds period, double burst, TimePoint start) {
  if (burst >= limit && limit >= 1) {
    window_.emplace(limit, period);
  } else {
    bucket_.emplace(limit, period, burst, start);
  }
}

TimePoint Limit::available_at(double n, TimePoint now) {
  return bucket_ ? bucket_->available_at(n, now) : window_->available_at(n, now);
}

void Limit::take(double n, TimePoint now) {
  if (bucket_) {
    bucket_->take(n, now);
  } else {
    window_->take(n, now);
  }
}

RateLimiter::RateLimiter(const SenderRateLimits& limits, TimePoint start) {
  using std::chrono::hours;
  using std::chrono::minutes;
  using std::chrono::seconds;
  const auto add = [&](std::vector<Limit>& to, double limit, std::chrono::nanoseconds p,
                       double burst) {
    if (limit > 0)
      to.emplace_back(limit, p, std::max(1.0, burst > 0 ? burst : limits.burst), start);
  };
  add(messages_, limits.messages_per_second, seconds(1), limits.messages_per_second_burst);
  add(messages_, limits.messages_per_minute, minutes(1), limits.messages_per_minute_burst);
  add(messages_, limits.messages_per_hour, hours(1), limits.messages_per_hour_burst);
  add(recipients_, limits.recipients_per_day, hours(24), limits.recipients_per_day_burst);
}

TimePoint RateLimiter::reserve(std::size_t recipients, TimePoint now) {
  TimePoint ready = now;
  for (auto& b : messages_)
    ready = std::max(ready, b.available_at(1, now));
  for (auto& b : recipients_) {
    ready = std::max(ready, b.available_at(static_cast<double>(recipients), now));
  }
  if (ready > now) return ready;
  for (auto& b : messages_)
    b.take(1, now);
  for (auto& b : recipients_)
    b.take(static_cast<double>(recipients), now);
  return now;
}

Backoff::Backoff(const SenderRetryPolicy& policy, std::uint64_t seed)
    : policy_(policy), random_(seed) {}

std::chrono::milliseconds Backoff::nominal(int failed_attempts) const {
  const double max = static_cast<double>(policy_.max_delay.count());
  double d = static_cast<double>(policy_.initial_delay.count());
  for (int i = 1; i < failed_attempts && d < max; ++i)
    d *= std::max(1.0, policy_.multiplier);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(d, max)));
}

std::chrono::milliseconds Backoff::delay(int failed_attempts) {
  const double d = static_cast<double>(nominal(failed_attempts).count());
  const double jitter = std::clamp(policy_.jitter, 0.0, 1.0);
  if (jitter == 0) return std::chrono::milliseconds(static_cast<std::int64_t>(d));
  std::uniform_real_distribution<double> u(-jitter, jitter);
  const double moved =
      std::clamp(d * (1 + u(random_)), 0.0, static_cast<double>(policy_.max_delay.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(moved));
}

}  // namespace mailwire::sender
