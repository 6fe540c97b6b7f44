// Stream: one growable buffer with a read cursor. read_line() returns a view into the buffer;
// the line is consumed lazily at the start of the next call, so the view stays valid until
// then without a copy. The transport reads straight into the buffer's free tail: bytes
// [begin_, end_) are unread, the rest of buffer_ is room (zero-filled once, when it grows).

#include <mailwire/error.hpp>
#include <mailwire/net/stream.hpp>
#include <mailwire/net/tls_transport.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace mailwire {
namespace {

// The connection ended under us: it cannot be used again, and a new one may well work.
Diagnostics lost() {
  return Diagnostics::broken(Reason::connection_lost).with_transient();
}

}  // namespace

Stream::Stream(std::unique_ptr<Transport> transport, StreamOptions options)
    : transport_(std::move(transport)), options_(options) {
  if (!transport_) throw Error(Errc::usage, "stream: no transport");
  if (options_.read_chunk == 0) options_.read_chunk = 64 * 1024;
}

Stream::~Stream() = default;

void Stream::mark_broken(std::string why) noexcept {
  if (!broken_by_.empty()) return;
  broken_by_ = why.empty() ? std::string("an unknown error") : std::move(why);
  if (transport_) transport_->close();
}

template <typename F>
auto Stream::guarded(F&& f) -> decltype(f()) {
  if (!broken_by_.empty()) {
    throw Error(Errc::connect,
                fmt::format("the connection is unusable after an earlier failure ({}); connect "
                            "again",
                            broken_by_),
                Diagnostics::broken(Reason::not_connected).with_transient());
  }
  try {
    return f();
  } catch (const Error& e) {
    if (!(timeouts_recoverable_ && e.kind() == Errc::timeout)) mark_broken(e.what());
    throw;
  } catch (const std::exception& e) {
    mark_broken(e.what());
    throw;
  } catch (...) {
    mark_broken("an exception from a callback");
    throw;
  }
}

void Stream::compact() {
  begin_ += line_end_;
  line_end_ = 0;
  if (begin_ == end_) {
    begin_ = end_ = 0;
  } else if (begin_ >= options_.read_chunk && begin_ * 2 >= end_) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
}

Transport& Stream::live() const {
  if (!transport_) {
    throw Error(Errc::connect, "the connection was closed after a failed TLS upgrade",
                Diagnostics::broken(Reason::not_connected));
  }
  return *transport_;
}

std::size_t Stream::read_more(Deadline deadline) {
  Transport& transport = live();
  // Into the room after the unread bytes, which never move here (read_line holds offsets into
  // the buffer); compact() moves them to the front between calls. The buffer grows (doubling)
  // only when the room falls below a quarter chunk.
  if (buffer_.size() - end_ < options_.read_chunk / 4 + 1)
    buffer_.resize(std::max(buffer_.size() * 2, end_ + options_.read_chunk));
  const std::size_t room = std::min(buffer_.size() - end_, options_.read_chunk);
  const std::size_t n = transport.read_some(buffer_.data() + end_, room, deadline);
  end_ += n;
  return n;
}

std::string_view Stream::read_line(Deadline deadline) {
  return guarded([&] {
    compact();
    std::size_t scanned = begin_;
    for (;;) {
      const char* base = buffer_.data();
      const void* hit = std::memchr(base + scanned, '\n', end_ - scanned);
      while (hit != nullptr) {
        const auto lf = static_cast<std::size_t>(static_cast<const char*>(hit) - base);
        const bool crlf = lf > begin_ && base[lf - 1] == '\r';
        if (crlf || options_.allow_bare_lf) {
          const std::size_t total = lf + 1 - begin_;
          if (total > options_.max_line) break;  // reported below
          line_end_ = total;
          const std::string_view line(base + begin_, total);
          if (log_) log_(LogDirection::Server, line);
          return line.substr(0, total - (crlf ? 2 : 1));
        }
        scanned = lf + 1;
        hit = std::memchr(base + scanned, '\n', end_ - scanned);
      }
      if (hit == nullptr) scanned = end_;
      if (scanned - begin_ > options_.max_line || hit != nullptr) {
        throw Error(Errc::limit,
                    fmt::format("the server sent a line longer than {} bytes", options_.max_line),
                    Diagnostics::broken(Reason::reply_too_large));
      }
      if (read_more(deadline) == 0) {
        throw Error(Errc::connect,
                    end_ == begin_ ? "the server closed the connection"
                                   : "the server closed the connection in mid-line",
                    lost());
      }
    }
  });
}

std::string Stream::read_exact(std::size_t n, Deadline deadline) {
  return guarded([&] {
    compact();
    while (end_ - begin_ < n) {
      if (read_more(deadline) == 0) {
        throw Error(Errc::connect,
                    fmt::format("the server closed the connection {} bytes before the end of a "
                                "{}-byte block",
                                n - (end_ - begin_), n),
                    lost());
      }
    }
    std::string out = buffer_.substr(begin_, n);
    begin_ += n;
    if (log_) log_(LogDirection::Server, fmt::format("[{} bytes]\r\n", n));
    return out;
  });
}

void Stream::read_to_sink(std::uint64_t n, const ByteSink& sink, Deadline deadline) {
  guarded([&] {
    compact();
    const std::uint64_t total = n;
    const std::size_t have = static_cast<std::size_t>(
        std::min<std::uint64_t>(n, static_cast<std::uint64_t>(end_ - begin_)));
    if (have > 0) {
      sink(std::string_view(buffer_.data() + begin_, have));
      begin_ += have;
      n -= have;
      compact();
    }
    // The rest bypasses the buffer: one chunk at a time, straight to the sink.
    if (n > 0 && !scratch_) scratch_.reset(new char[options_.read_chunk]);
    char* const chunk = scratch_.get();
    while (n > 0) {
      const std::size_t want = static_cast<std::size_t>(
          std::min<std::uint64_t>(n, static_cast<std::uint64_t>(options_.read_chunk)));
      const std::size_t got = live().read_some(chunk, want, deadline);
      if (got == 0) {
        throw Error(Errc::connect,
                    fmt::format("the server closed the connection {} bytes before the end of a "
                                "{}-byte block",
                                n, total),
                    lost());
      }
      sink(std::string_view(chunk, got));
      n -= got;
    }
    if (log_) log_(LogDirection::Server, fmt::format("[{} bytes]\r\n", total));
  });
}

bool Stream::fill(Deadline deadline) {
  return guarded([&] {
    compact();
    if (begin_ < end_) return true;
    return read_more(deadline) > 0;
  });
}

std::string_view Stream::buffered() const noexcept {
  return std::string_view(buffer_.data() + begin_ + line_end_, end_ - begin_ - line_end_);
}

void Stream::consume(std::size_t n) noexcept {
  begin_ += line_end_;
  line_end_ = 0;
  begin_ += std::min(n, end_ - begin_);
}

void Stream::write(std::string_view bytes, Deadline deadline, std::string_view log_as) {
  guarded([&] {
    Transport& transport = live();
    if (log_) log_(LogDirection::Client, log_as.empty() ? bytes : log_as);
    transport.write_all(bytes, deadline);
  });
}

void Stream::write_quiet(std::string_view bytes, Deadline deadline) {
  guarded([&] { live().write_all(bytes, deadline); });
}

void Stream::assert_drained() const {
  const std::size_t extra = end_ - begin_ - line_end_;
  if (extra != 0) {
    throw Error(Errc::protocol,
                fmt::format("the server sent {} bytes after its STARTTLS go-ahead, before TLS "
                            "started (response injection); closing the connection",
                            extra),
                Diagnostics::broken(Reason::response_injection));
  }
}

void Stream::start_tls(TlsOptions options, const std::string& host, Deadline deadline) {
  guarded([&] {
    assert_drained();
    live();
    compact();
    if (!options.on_warning && log_) {
      options.on_warning = [this](std::string_view text) { note(text); };
    }
    TlsTransport* tls = nullptr;
    {
      std::lock_guard<std::mutex> lock(transport_mutex_);
      auto wrapped =
          std::make_unique<TlsTransport>(std::move(transport_), std::move(options), host);
      tls = wrapped.get();
      transport_ = std::move(wrapped);
    }
    tls->handshake(deadline);
    if (log_) {
      const auto info = tls->tls_info();
      note(fmt::format("TLS established: {} {}", info->protocol, info->cipher));
    }
  });
}

bool Stream::is_encrypted() const noexcept {
  return transport_->is_encrypted();
}

void Stream::note(std::string_view text) const {
  if (log_) log_(LogDirection::Info, text);
}

void Stream::close() noexcept {
  transport_->close();
}

void Stream::cancel() noexcept {
  std::lock_guard<std::mutex> lock(transport_mutex_);
  if (transport_) transport_->cancel();
}

}  // namespace mailwire
