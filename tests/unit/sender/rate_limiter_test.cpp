// The Sender's token buckets and back-off, on a time the test moves (no waiting).

#include "sender/rate_limiter.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <set>

using namespace mailwire;
using namespace mailwire::sender;
using namespace std::chrono_literals;

namespace {

const TimePoint t0 = TimePoint(std::chrono::hours(1000));

// Takes tokens as soon as they are there, `count` times; the times they were taken.
std::vector<TimePoint> drain(RateLimiter& limiter, int count, std::size_t recipients = 1) {
  std::vector<TimePoint> times;
  TimePoint now = t0;
  for (int guard = 0; static_cast<int>(times.size()) < count && guard < 100000; ++guard) {
    const TimePoint at = limiter.reserve(recipients, now);
    if (at <= now) {
      times.push_back(now);
    } else {
      now = at;
    }
  }
  return times;
}

// The most entries in any half-open window [t, t + width).
std::size_t most_in_window(const std::vector<TimePoint>& times, std::chrono::nanoseconds width) {
  std::size_t best = 0;
  std::size_t lo = 0;
  for (std::size_t hi = 0; hi < times.size(); ++hi) {
    while (times[hi] - times[lo] >= width)
      ++lo;
    best = std::max(best, hi - lo + 1);
  }
  return best;
}

}  // namespace

TEST_CASE("TokenBucket: full at the start, refills at limit per period, never above burst",
          "[sender][rate]") {
  TokenBucket bucket(10, 1s, 3, t0);
  CHECK(bucket.tokens(t0) == Approx(3));
  CHECK(bucket.available_at(3, t0) == t0);
  bucket.take(3, t0);
  CHECK(bucket.available_at(1, t0) == t0 + 100ms);
  CHECK(bucket.tokens(t0 + 50ms) == Approx(0.5));
  CHECK(bucket.tokens(t0 + 10s) == Approx(3));  // capped at burst
}

TEST_CASE("TokenBucket: a request above the burst waits for a full bucket and leaves debt",
          "[sender][rate]") {
  TokenBucket bucket(1, 1s, 2, t0);
  CHECK(bucket.available_at(5, t0) == t0);  // full: 2 tokens, the most it ever holds
  bucket.take(5, t0);
  CHECK(bucket.tokens(t0) == Approx(-3));
  CHECK(bucket.available_at(1, t0) == t0 + 4s);
}

TEST_CASE("RateLimiter: 10 messages a second over 10 s of fake time, within 5%", "[sender][rate]") {
  SenderRateLimits limits;
  limits.messages_per_second = 10;
  RateLimiter limiter(limits, t0);
  const auto times = drain(limiter, 101);
  const double seconds = std::chrono::duration<double>(times.back() - times.front()).count();
  CHECK(seconds == Approx(10.0).epsilon(0.05));
  CHECK(most_in_window(times, 1s) <= 10);
}

TEST_CASE("RateLimiter: every limit holds at once, the strictest decides", "[sender][rate]") {
  SenderRateLimits limits;
  limits.messages_per_second = 5;
  limits.messages_per_minute = 30;
  RateLimiter limiter(limits, t0);
  const auto times = drain(limiter, 91);
  CHECK(most_in_window(times, 1s) <= 5);
  CHECK(most_in_window(times, 60s) <= 30);
  const double seconds = std::chrono::duration<double>(times.back() - times.front()).count();
  CHECK(seconds == Approx(180.0).epsilon(0.05));  // 90 intervals of 2 s
}

TEST_CASE("RateLimiter: recipients a day count every recipient of a message", "[sender][rate]") {
  SenderRateLimits limits;
  limits.recipients_per_day = 100;
  limits.burst = 10;
  RateLimiter limiter(limits, t0);
  const auto times = drain(limiter, 40, 5);  // 200 recipients
  std::vector<TimePoint> per_recipient;
  for (const auto t : times)
    per_recipient.insert(per_recipient.end(), 5, t);
  // limit + burst - 1, as the header says.
  CHECK(most_in_window(per_recipient, 24h) <= 100 + 10 - 1);
  CHECK(times.back() - times.front() >= 24h);
}

TEST_CASE("RateLimiter: no limits, no waiting", "[sender][rate]") {
  RateLimiter limiter(SenderRateLimits{}, t0);
  for (int i = 0; i < 1000; ++i)
    CHECK(limiter.reserve(50, t0) == t0);
}

TEST_CASE("SenderRateLimits: provider presets", "[sender][rate]") {
  const auto gmail = SenderRateLimits::for_provider("gmail");
  CHECK(gmail.recipients_per_day == 500);
  CHECK(gmail.recipients_per_day_burst == 500);
  CHECK(SenderRateLimits::for_provider("someone@gmail.com").recipients_per_day == 500);
  const auto m365 = SenderRateLimits::for_provider("microsoft365");
  CHECK(m365.messages_per_minute == 30);
  CHECK(m365.recipients_per_day == 10000);
  CHECK(m365.messages_per_minute_burst == 30);
  const auto none = SenderRateLimits::for_provider("example.com");
  CHECK(none.messages_per_second == 0);
  CHECK(none.recipients_per_day == 0);
}

TEST_CASE(
    "RateLimiter: a burst as large as the limit is a rolling window, a day's recipients at once",
    "[sender][rate]") {
  SenderRateLimits limits;
  limits.recipients_per_day = 500;
  limits.recipients_per_day_burst = 500;
  RateLimiter limiter(limits, t0);
  const auto times = drain(limiter, 250, 5);  // 1,250 recipients: two and a half days
  REQUIRE(times.size() == 250);
  CHECK(times[99] == t0);         // the first 500 recipients go at once
  CHECK(times[100] == t0 + 24h);  // then the window must roll
  CHECK(times[199] == t0 + 24h);
  CHECK(times[200] == t0 + 48h);
  std::vector<TimePoint> per_recipient;
  for (const auto t : times)
    per_recipient.insert(per_recipient.end(), 5, t);
  CHECK(most_in_window(per_recipient, 24h) == 500);  // never more, in any 24 hours
}

TEST_CASE(
    "RateLimiter: each limit has its own burst, a day's burst does not lift the per-second spacing",
    "[sender][rate]") {
  SenderRateLimits limits;
  limits.messages_per_second = 10;  // burst 1 (the default): 100 ms apart
  limits.recipients_per_day = 50;
  limits.recipients_per_day_burst = 50;
  RateLimiter limiter(limits, t0);
  const auto times = drain(limiter, 60);
  REQUIRE(times.size() == 60);
  CHECK(times[1] - times[0] >= 100ms);
  CHECK(times[1] - times[0] < 101ms);
  CHECK(times[49] - t0 >= 4900ms);
  CHECK(times[49] - t0 < 4901ms);
  CHECK(times[50] == t0 + 24h);  // the 51st recipient waits for the first to leave the day
  CHECK(most_in_window(times, 1s) <= 10);
  CHECK(most_in_window(times, 24h) == 50);
}

TEST_CASE("RateLimiter: the Gmail preset sends the day's 500 recipients without spacing them",
          "[sender][rate]") {
  RateLimiter limiter(SenderRateLimits::for_provider("gmail"), t0);
  const auto times = drain(limiter, 501);
  REQUIRE(times.size() == 501);
  CHECK(times[499] == t0);  // before: 173 s between messages, a day for 500
  CHECK(times[500] == t0 + 24h);
}

TEST_CASE("RateLimiter: the Microsoft 365 preset sends 30 at once, then 30 in each rolling minute",
          "[sender][rate]") {
  RateLimiter limiter(SenderRateLimits::for_provider("microsoft365"), t0);
  const auto times = drain(limiter, 91);
  REQUIRE(times.size() == 91);
  CHECK(times[29] == t0);
  CHECK(times[30] == t0 + 60s);
  CHECK(times[90] == t0 + 180s);
  CHECK(most_in_window(times, 60s) == 30);
}

TEST_CASE(
    "RateLimiter: a message with more recipients than a rolling limit waits for an empty window",
    "[sender][rate]") {
  SenderRateLimits limits;
  limits.recipients_per_day = 10;
  limits.recipients_per_day_burst = 10;
  RateLimiter limiter(limits, t0);
  CHECK(limiter.reserve(3, t0) == t0);
  CHECK(limiter.reserve(25, t0) == t0 + 24h);
  CHECK(limiter.reserve(25, t0 + 24h) == t0 + 24h);
  CHECK(limiter.reserve(1, t0 + 24h) == t0 + 48h);
}

TEST_CASE("Backoff: doubles from the initial delay up to the maximum", "[sender][backoff]") {
  SenderRetryPolicy policy;
  policy.initial_delay = 1s;
  policy.multiplier = 2;
  policy.max_delay = 10s;
  policy.jitter = 0;
  Backoff backoff(policy, 1);
  CHECK(backoff.delay(1) == 1s);
  CHECK(backoff.delay(2) == 2s);
  CHECK(backoff.delay(3) == 4s);
  CHECK(backoff.delay(4) == 8s);
  CHECK(backoff.delay(5) == 10s);
  CHECK(backoff.delay(50) == 10s);
}

TEST_CASE("Backoff: jitter stays within its fraction and the maximum, and varies",
          "[sender][backoff]") {
  SenderRetryPolicy policy;
  policy.initial_delay = 1000ms;
  policy.multiplier = 3;
  policy.max_delay = 5000ms;
  policy.jitter = 0.25;
  Backoff backoff(policy, 42);
  std::set<long long> seen;
  for (int i = 0; i < 200; ++i) {
    const auto d1 = backoff.delay(1);
    CHECK(d1 >= 750ms);
    CHECK(d1 <= 1250ms);
    seen.insert(d1.count());
    const auto d3 = backoff.delay(3);  // nominal 5000 (9000 capped)
    CHECK(d3 >= 3750ms);
    CHECK(d3 <= 5000ms);
  }
  CHECK(seen.size() > 50);
}
