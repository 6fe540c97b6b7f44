#include "net/cancel_slot.hpp"

namespace mailwire::detail {

void CancelSlot::cancel() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  cancelled_ = true;
  if (transport_ != nullptr) transport_->cancel();
  if (stream_ != nullptr) stream_->cancel();
}

void CancelSlot::reset() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  cancelled_ = false;
}

void CancelSlot::attach(Stream* stream) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  stream_ = stream;
  if (stream_ != nullptr && cancelled_) stream_->cancel();
}

CancelSlot::Watch::Watch(CancelSlot& slot, Transport& transport) noexcept : slot_(slot) {
  std::lock_guard<std::mutex> lock(slot_.mutex_);
  slot_.transport_ = &transport;
  if (slot_.cancelled_) transport.cancel();
}

CancelSlot::Watch::~Watch() {
  std::lock_guard<std::mutex> lock(slot_.mutex_);
  slot_.transport_ = nullptr;
}

}  // namespace mailwire::detail
