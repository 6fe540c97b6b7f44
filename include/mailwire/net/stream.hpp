#pragma once

/// \file
/// Buffered protocol I/O over a Transport: lines, exact-size reads, streaming to a sink, and the
/// STARTTLS upgrade with its response-injection guard.

#include <mailwire/export.hpp>
#include <mailwire/net/deadline.hpp>
#include <mailwire/net/tls_options.hpp>
#include <mailwire/net/transport.hpp>
#include <mailwire/protocol_log.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace mailwire {

/// Receives a body chunk by chunk; chunks are views valid only during the call.
using ByteSink = std::function<void(std::string_view chunk)>;

/// Limits and line rules of a Stream.
struct StreamOptions {
  /// Longest line accepted, terminator included; longer lines fail with Errc::limit.
  /// RFC 5321 allows 512 for replies and 1000 for text lines; servers exceed both.
  std::size_t max_line = 64 * 1024;
  /// Accept a bare LF as a line terminator (POP3 and IMAP servers in the wild send them).
  /// When false a bare LF stays part of the line.
  bool allow_bare_lf = true;
  /// Size of each read from the transport.
  std::size_t read_chunk = 64 * 1024;
};

/// A buffered reader and writer over an owned Transport. Not thread-safe, except cancel().
///
/// A read or write that fails (timeout, reset, close, a limit, TLS, cancel(), or an exception
/// from a sink) leaves the stream *broken*: where the peer is in its reply is unknown, so the
/// transport is closed and every later read or write throws Error(connect) naming the first
/// failure. Only a new connection can go on. set_timeouts_recoverable() makes an exception
/// for waits that may rightly see nothing (IMAP IDLE).
class MAILWIRE_API Stream {
 public:
  /// Takes ownership of a connected `transport`. Throws Error(usage) when it is null. A
  /// read_chunk of 0 means the default (64 KiB).
  explicit Stream(std::unique_ptr<Transport> transport, StreamOptions options = {});
  /// Destroys the transport (which closes it).
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  /// The next line without its terminator (CRLF, or LF when allowed). The view stays valid
  /// until the next call on this stream. Throws Error(limit) for a line over max_line,
  /// Error(connect) when the peer closes before the line ends.
  std::string_view read_line(Deadline deadline);

  /// Exactly `n` bytes (an IMAP literal). Throws like read_line.
  std::string read_exact(std::size_t n, Deadline deadline);

  /// Passes exactly `n` bytes to `sink` in bounded chunks, without buffering them all.
  void read_to_sink(std::uint64_t n, const ByteSink& sink, Deadline deadline);

  /// Reads until at least one byte is buffered; false at end of stream.
  bool fill(Deadline deadline);

  /// Buffered bytes not yet consumed.
  std::string_view buffered() const noexcept;
  /// Drops `n` buffered bytes (after inspecting buffered()).
  void consume(std::size_t n) noexcept;

  /// Sends `bytes`. The log sees `log_as` instead when given (the caller's redacted form).
  void write(std::string_view bytes, Deadline deadline, std::string_view log_as = {});
  /// Sends `bytes` without logging them (the caller logged a summary, say of a literal).
  void write_quiet(std::string_view bytes, Deadline deadline);

  /// True after a failed read or write (see the class comment): the stream cannot be used.
  bool broken() const noexcept { return !broken_by_.empty(); }
  /// The failure that broke the stream, or empty.
  const std::string& broken_by() const noexcept { return broken_by_; }
  /// While true, a read that times out leaves the stream usable: nothing was consumed, so the
  /// caller may read again (a wait for events that may not come). Default false.
  void set_timeouts_recoverable(bool recoverable) noexcept { timeouts_recoverable_ = recoverable; }

  /// Throws Error(protocol) when bytes are buffered: used right after a STARTTLS go-ahead,
  /// where anything already received was sent before TLS and is an injection attempt.
  void assert_drained() const;

  /// STARTTLS: checks assert_drained(), then wraps the current transport in a TlsTransport and
  /// runs the handshake. Throws what TlsTransport::handshake throws.
  void start_tls(TlsOptions options, const std::string& host, Deadline deadline);

  /// True once the transport is TLS.
  bool is_encrypted() const noexcept;
  /// The current transport (a TlsTransport after start_tls()). Throws Error(connect) when a
  /// failed start_tls() left the stream without one.
  Transport& transport() { return live(); }

  /// Where the dialogue is logged; empty for none.
  void set_log(ProtocolLog log) { log_ = std::move(log); }
  /// Where the dialogue is logged; empty for none.
  const ProtocolLog& log() const noexcept { return log_; }
  /// Logs an Info note when a log is set.
  void note(std::string_view text) const;

  /// Closes the transport. Never throws.
  void close() noexcept;
  /// Thread-safe: makes the pending and later calls fail with Errc::cancelled.
  void cancel() noexcept;

  /// The limits, changeable between calls (e.g. a longer max_line for a known long reply).
  StreamOptions& options() noexcept { return options_; }

 private:
  Transport& live() const;
  std::size_t read_more(Deadline deadline);
  void compact();
  // Runs one read or write; a failure breaks the stream (see the class comment).
  template <typename F>
  auto guarded(F&& f) -> decltype(f());
  void mark_broken(std::string why) noexcept;

  std::unique_ptr<Transport> transport_;
  mutable std::mutex transport_mutex_;  // guards swapping transport_ against cancel()
  StreamOptions options_;
  std::string buffer_;               // [begin_, end_) unread, then room for the next read
  std::unique_ptr<char[]> scratch_;  // read_to_sink: read_chunk bytes a read lands in
  std::size_t begin_ = 0;            // first unconsumed byte in buffer_
  std::size_t end_ = 0;              // end of the bytes read into buffer_
  std::size_t line_end_ = 0;         // bytes of the last returned line (consumed on the next call)
  ProtocolLog log_;
  std::string broken_by_;  // why the stream is broken, or empty
  bool timeouts_recoverable_ = false;
};

}  // namespace mailwire
