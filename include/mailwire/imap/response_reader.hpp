#pragma once

/// \file
/// Sans-I/O response reader: assembles lines and literals (RFC 3501 section 4.3, RFC 3516
/// `~{n}` binary literals) into complete responses and parses them, within limits.

#include <mailwire/export.hpp>
#include <mailwire/imap/response.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace mailwire::imap {

/// Receives the bytes of a streamed literal, chunk by chunk; chunks are valid during the call.
using LiteralSink = std::function<void(std::string_view chunk)>;

/// What the reader knows about a literal when it is announced.
struct LiteralInfo {
  std::uint64_t size = 0;
  bool binary = false;  ///< `~{n}` (RFC 3516)
  /// The response text so far, up to and including the announcement,
  /// e.g. `* 3 FETCH (UID 9 BODY[] {1048576}`. Valid during the call only.
  std::string_view context;
  /// For a FETCH response: the message sequence number, else 0.
  std::uint32_t fetch_seq = 0;
  /// For a FETCH response: the item the literal belongs to as sent, e.g. `BODY[1.2]<0>` or
  /// `BINARY[2]`; empty when it cannot be told.
  std::string_view fetch_item;
};

/// Limits and behaviour of a ResponseReader. Exceeding a limit is Errc::limit.
struct ResponseReaderOptions {
  std::size_t max_line = 1024 * 1024;              ///< one line, without literals
  std::uint64_t max_literal = 64 * 1024 * 1024;    ///< one buffered literal
  std::uint64_t max_response = 128 * 1024 * 1024;  ///< buffered bytes of one response
  std::size_t max_literals = 100000;               ///< literals in one response
  std::size_t max_depth = 64;                      ///< parenthesis nesting
  std::size_t max_items = 1000000;                 ///< list elements / numbers in one response
  /// Literals of at least this many bytes are offered to `literal_sink`.
  std::uint64_t stream_threshold = 1024 * 1024;
  /// Called for literals of at least stream_threshold bytes. Returning a sink streams the
  /// literal there (the parsed item says `streamed`); returning an empty function buffers it
  /// (subject to max_literal).
  std::function<LiteralSink(const LiteralInfo&)> literal_sink;
  /// Mailbox names are UTF-8 (after ENABLE UTF8=ACCEPT) instead of modified UTF-7.
  bool utf8 = false;
};

/// Assembles responses from either raw bytes (feed) or from a line-oriented stream
/// (on_line / on_literal), then parses them. Never throws on server input: a violation sets
/// error() (Errc::protocol or Errc::limit, with error_message()) and the reader stops;
/// the connection must then be dropped.
///
/// Driving it from a mailwire::Stream, either with raw bytes (one copy of a literal, into
/// the reader or straight to the sink):
/// \code
///   while (!reader.has_response() && !reader.error()) {
///     if (stream.buffered().empty() && !stream.fill(deadline)) break;  // peer closed
///     stream.consume(reader.feed(stream.buffered()));
///   }
/// \endcode
/// or line by line:
/// \code
///   while (!reader.has_response() && !reader.error()) {
///     if (reader.literal_remaining() > 0)
///       stream.read_to_sink(reader.literal_remaining(),
///                           [&](std::string_view c) { reader.on_literal(c); }, deadline);
///     else
///       reader.on_line(stream.read_line(deadline));
///   }
/// \endcode
class MAILWIRE_API ResponseReader {
 public:
  explicit ResponseReader(ResponseReaderOptions options = {});
  ~ResponseReader();
  ResponseReader(ResponseReader&&) noexcept;
  ResponseReader& operator=(ResponseReader&&) noexcept;

  /// Raw bytes from the server. Returns the number consumed (all of them unless an error
  /// occurred). Bytes of an unfinished line are kept internally (bounded by max_line).
  std::size_t feed(std::string_view bytes);
  /// One line without its CRLF (or LF).
  void on_line(std::string_view line);
  /// Bytes of the literal being read; at most literal_remaining() are taken.
  std::size_t on_literal(std::string_view bytes);

  /// Bytes still owed to the literal being read; 0 when a line is expected.
  std::uint64_t literal_remaining() const noexcept;
  /// True when a complete parsed response is waiting.
  bool has_response() const noexcept;
  /// Takes the oldest complete response. Precondition: has_response().
  Response pop();

  /// The first error; once set the reader ignores further input.
  std::error_code error() const noexcept;
  const std::string& error_message() const noexcept;

  /// Switches mailbox-name decoding after ENABLE UTF8=ACCEPT.
  void set_utf8(bool on) noexcept;
  ResponseReaderOptions& options() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Parses one complete response given as the wire text (lines with CRLF and literal bytes in
/// place). Convenience for tests and one-shot use; returns the error and sets `message`.
MAILWIRE_API std::error_code parse_response(std::string_view wire, Response& out,
                                            std::string* message = nullptr,
                                            const ResponseReaderOptions& options = {});

}  // namespace mailwire::imap
