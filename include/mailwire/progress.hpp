#pragma once

/// \file
/// Progress of message transfers.

#include <cstdint>
#include <functional>

namespace mailwire {

/// Progress of a body transfer: octets done, and the expected total (0 when unknown).
using ProgressCallback = std::function<void(std::uint64_t done, std::uint64_t total)>;

}  // namespace mailwire
