#pragma once

// Token buckets for the Sender's rate limits, and the exponential back-off of its retries.
// Both read time only from the caller (no clock inside), so tests drive them with any time.

#include <mailwire/sender.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <utility>
#include <vector>

namespace mailwire::sender {

using TimePoint = SenderClock::time_point;

/// One token bucket: holds at most `burst` tokens, gains `limit` per `period`, starts full.
/// A request for more tokens than `burst` waits for a full bucket and leaves it in debt.
class TokenBucket {
 public:
  TokenBucket(double limit, std::chrono::nanoseconds period, double burst, TimePoint start);
  /// When `n` tokens can be taken: `now` or later.
  TimePoint available_at(double n, TimePoint now);
  /// Takes `n` tokens (call when available_at(n, now) <= now).
  void take(double n, TimePoint now);
  /// Tokens now (negative: debt).
  double tokens(TimePoint now);

 private:
  void refill(TimePoint now);
  double per_ns_;  // tokens gained per nanosecond
  double capacity_;
  double tokens_;
  TimePoint last_;
};

/// A rolling window: at most `limit` in any half-open window of `period`. Keeps one entry
/// per take() in the last period (at most `limit` entries). A request for more than `limit`
/// waits for an empty window.
class RollingWindow {
 public:
  RollingWindow(double limit, std::chrono::nanoseconds period);
  /// When `n` can be taken: `now` or later.
  TimePoint available_at(double n, TimePoint now);
  /// Takes `n` (call when available_at(n, now) <= now).
  void take(double n, TimePoint now);
  /// Taken within the window ending now.
  double used(TimePoint now);

 private:
  void expire(TimePoint now);
  double limit_;
  std::chrono::nanoseconds period_;
  std::deque<std::pair<TimePoint, double>> log_;
  double used_ = 0;
};

/// One limit: a token bucket (burst below the limit) or a rolling window (burst at or above).
class Limit {
 public:
  Limit(double limit, std::chrono::nanoseconds period, double burst, TimePoint start);
  TimePoint available_at(double n, TimePoint now);
  void take(double n, TimePoint now);

 private:
  std::optional<TokenBucket> bucket_;
  std::optional<RollingWindow> window_;
};

/// Every limit of SenderRateLimits, taken together: a message goes when each limit allows.
class RateLimiter {
 public:
  RateLimiter(const SenderRateLimits& limits, TimePoint start);
  /// Takes the tokens of a message with `recipients` recipients and returns `now` when every
  /// limit has them; otherwise takes nothing and returns the time to ask again.
  TimePoint reserve(std::size_t recipients, TimePoint now);

 private:
  std::vector<Limit> messages_;
  std::vector<Limit> recipients_;
};

/// The wait before attempt n + 1 after n failed attempts: initial * multiplier^(n-1), at
/// most max_delay, moved at random by up to +-jitter of itself (and still at most max_delay).
class Backoff {
 public:
  Backoff(const SenderRetryPolicy& policy, std::uint64_t seed);
  /// The wait after `failed_attempts` (>= 1) failed attempts.
  std::chrono::milliseconds delay(int failed_attempts);
  /// The same without jitter (the middle of the range).
  std::chrono::milliseconds nominal(int failed_attempts) const;

 private:
  SenderRetryPolicy policy_;
  std::mt19937_64 random_;
};

}  // namespace mailwire::sender
