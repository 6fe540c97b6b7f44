#pragma once

// CancelSlot: what a client's cancel() reaches from another thread. While the client connects
// it is the transport being connected or handshaken; once connected, the client's Stream. A
// cancel stays in force until reset() (the client's close()): a transport or stream attached
// later is cancelled at once, so a cancel that lands between two steps of connect() is not
// lost, and none reaches an object already destroyed (detaching waits for a cancel running
// on it). Not installed.

#include <mailwire/net/stream.hpp>
#include <mailwire/net/transport.hpp>

#include <mutex>

namespace mailwire::detail {

class CancelSlot {
 public:
  /// Cancels what is attached now and what is attached later, until reset().
  void cancel() noexcept;
  /// Forgets an earlier cancel().
  void reset() noexcept;
  /// Attaches the client's stream (nullptr detaches it: do so before destroying it).
  void attach(Stream* stream) noexcept;

  /// Attaches `transport` for the life of the Watch; declare it after the owner of the
  /// transport, so that it detaches first.
  class Watch {
   public:
    Watch(CancelSlot& slot, Transport& transport) noexcept;
    ~Watch();
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

   private:
    CancelSlot& slot_;
  };

 private:
  std::mutex mutex_;
  bool cancelled_ = false;
  Transport* transport_ = nullptr;
  Stream* stream_ = nullptr;
};

}  // namespace mailwire::detail
