#pragma once

// FakeClock: a SenderClock whose time moves only when told, or when the Sender waits: a wait
// until T makes the time T at once (virtual time), so back-off and rate limits are measured
// on this clock and no test sleeps.

#include <mailwire/sender.hpp>

#include <atomic>
#include <chrono>
#include <memory>

namespace mailwire::test {

class FakeClock final : public SenderClock {
 public:
  /// A clock at an arbitrary fixed start.
  static std::shared_ptr<FakeClock> make() { return std::make_shared<FakeClock>(); }
  /// The time now.
  time_point now() override { return time_point(std::chrono::nanoseconds(ns_.load())); }
  /// Moves the time forward by `d`.
  void advance(std::chrono::nanoseconds d) { ns_ += d.count(); }
  /// Time since the start.
  std::chrono::nanoseconds elapsed() const { return std::chrono::nanoseconds(ns_.load() - start); }
  /// Moves the time to `until` (when later) and returns.
  void wait_until(std::condition_variable&, std::unique_lock<std::mutex>&,
                  time_point until) override {
    const std::int64_t target = until.time_since_epoch().count();
    std::int64_t seen = ns_.load();
    while (seen < target && !ns_.compare_exchange_weak(seen, target)) {
    }
    ++waits_;
  }
  /// How many times a Sender waited on this clock.
  std::uint64_t waits() const { return waits_.load(); }

  static constexpr std::int64_t start = 1'000'000'000'000;  // 1000 s after the epoch

 private:
  std::atomic<std::int64_t> ns_{start};
  std::atomic<std::uint64_t> waits_{0};
};

}  // namespace mailwire::test
