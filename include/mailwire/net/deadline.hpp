#pragma once

/// \file
/// Deadlines: every blocking call in mailwire takes an absolute steady-clock time point.

#include <chrono>

namespace mailwire {

/// The clock of every deadline: monotonic, so changes of the wall-clock time do not matter.
using Clock = std::chrono::steady_clock;
/// An absolute point in time after which a blocking call gives up with Errc::timeout.
using Deadline = Clock::time_point;

/// A deadline that never passes.
inline constexpr Deadline no_deadline = Deadline::max();

/// The deadline `timeout` from now.
inline Deadline deadline_after(std::chrono::milliseconds timeout) {
  return Clock::now() + timeout;
}

}  // namespace mailwire
