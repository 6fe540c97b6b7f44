#pragma once

/// \file
/// The byte-stream interface every protocol client runs on.

#include <mailwire/export.hpp>
#include <mailwire/net/deadline.hpp>
#include <mailwire/net/tls_info.hpp>

#include <cstddef>
#include <optional>
#include <string_view>

namespace mailwire {

/// A connected, bidirectional byte stream: TcpTransport, TlsTransport (which wraps any other
/// Transport), an in-memory test peer, or a user's own (a proxy, a socket from elsewhere).
///
/// Calls other than cancel() are made from one thread at a time. Failures throw mailwire::Error:
/// Errc::timeout when the deadline passes, Errc::cancelled after cancel(), Errc::connect when
/// the network fails, Errc::tls for TLS record errors.
class MAILWIRE_API Transport {
 public:
  Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  virtual ~Transport();

  /// Reads between 1 and `size` bytes into `buffer`, waiting until `deadline` for at least one.
  /// Returns 0 at the orderly end of the stream.
  virtual std::size_t read_some(char* buffer, std::size_t size, Deadline deadline) = 0;

  /// Writes all of `bytes` before `deadline`.
  virtual void write_all(std::string_view bytes, Deadline deadline) = 0;

  /// Closes the connection. Never throws, never blocks long. Idempotent.
  virtual void close() noexcept = 0;

  /// True when bytes are protected by TLS.
  virtual bool is_encrypted() const noexcept { return false; }

  /// The negotiated TLS parameters, when encrypted.
  virtual std::optional<TlsInfo> tls_info() const { return std::nullopt; }

  /// Makes a pending or future read_some / write_all / connect fail with Errc::cancelled.
  /// May be called from any thread.
  virtual void cancel() noexcept {}
};

}  // namespace mailwire
