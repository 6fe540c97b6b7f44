#pragma once

/// \file
/// Sans-I/O response reader: assembles lines and literals (RFC 3501 section 4.3, RFC 3516
/// `~{n}` binary literals) into complete responses and parses them, within limits.

#include <mailwire/export.hpp>
#include <mailwire/imap/response.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace mailwire::imap {

/// Receives the bytes of a streamed literal, chunk by chunk; chunks are valid during the call.
using LiteralSink = std::function<void(std::string_view chunk)>;

/// What the reader knows about a literal when it is announced; passed to
/// ResponseReaderOptions::literal_sink.
struct LiteralInfo {
  std::uint64_t size = 0;  ///< announced size in bytes (the `n` of `{n}`)
  bool binary = false;     ///< `~{n}` (RFC 3516)
  /// The response text so far, up to and including the announcement,
  /// e.g. `* 3 FETCH (UID 9 BODY[] {1048576}`. Valid during the call only.
  std::string_view context;
  /// For a FETCH response: the message sequence number, else 0.
  std::uint32_t fetch_seq = 0;
  /// For a FETCH response: the item the literal belongs to as sent, e.g. `BODY[1.2]<0>` or
  /// `BINARY[2]`; empty when it cannot be told.
  std::string_view fetch_item;
};

/// Limits and behaviour of a ResponseReader. Sizes are in bytes. Exceeding a limit is
/// Errc::limit and stops the reader; every size is checked before memory is taken.
struct ResponseReaderOptions {
  std::size_t max_line = 1024 * 1024;            ///< one line without CRLF, literals excluded
  std::uint64_t max_literal = 64 * 1024 * 1024;  ///< one buffered (not streamed) literal
  /// Buffered bytes of one response: its lines plus its buffered literals (streamed literals
  /// do not count).
  std::uint64_t max_response = 128 * 1024 * 1024;
  std::size_t max_literals = 100000;  ///< literals announced in one response
  std::size_t max_depth = 64;         ///< parenthesis nesting (lists, body structures)
  std::size_t max_items = 1000000;    ///< list elements / numbers in one response
  /// Literals of at least this many bytes are offered to `literal_sink`.
  std::uint64_t stream_threshold = 1024 * 1024;
  /// Called for literals of at least stream_threshold bytes, when set. Returning a sink streams
  /// the literal there (the parsed SectionData says `streamed`; max_literal and max_response do
  /// not apply to it); returning an empty function buffers it (subject to max_literal).
  std::function<LiteralSink(const LiteralInfo&)> literal_sink;
  /// Mailbox names are UTF-8 (after ENABLE UTF8=ACCEPT, RFC 6855) instead of modified UTF-7.
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
  /// A reader expecting the first line of a response.
  explicit ResponseReader(ResponseReaderOptions options = {});
  /// Destroys the reader and any responses not popped.
  ~ResponseReader();
  /// Moves the state; the moved-from reader may only be destroyed or assigned to.
  ResponseReader(ResponseReader&&) noexcept;
  /// Moves the state; the moved-from reader may only be destroyed or assigned to.
  ResponseReader& operator=(ResponseReader&&) noexcept;

  /// Raw bytes from the server. Returns the number consumed: all of them unless an error
  /// occurred (then the input up to the error). Lines end in CRLF or a bare LF. Bytes of an
  /// unfinished line are kept internally (bounded by max_line, else Errc::limit). May complete
  /// several responses at once.
  std::size_t feed(std::string_view bytes);
  /// One line without its CRLF (or LF). A line while a literal is due is Errc::protocol.
  void on_line(std::string_view line);
  /// Bytes of the literal being read; at most literal_remaining() are taken and the number
  /// taken is returned (0 when no literal is due or after an error).
  std::size_t on_literal(std::string_view bytes);

  /// Bytes still owed to the literal being read; 0 when a line is expected.
  std::uint64_t literal_remaining() const noexcept;
  /// True when a complete parsed response is waiting.
  bool has_response() const noexcept;
  /// Takes the oldest complete response. Precondition: has_response() (undefined behaviour
  /// otherwise).
  Response pop();
  /// Optional: gives back a response popped earlier, once the caller is done with it, so that
  /// the next FETCH response is parsed into its memory (flags, envelope, body structure)
  /// instead of allocating anew. Parts the caller still shares (a copied `envelope` or
  /// `body_structure` pointer) are left alone.
  void recycle(Response&& used) noexcept;

  /// The first error (Errc::protocol or Errc::limit), or an empty code; once set the reader
  /// ignores further input and drops the response being assembled.
  std::error_code error() const noexcept;
  /// What went wrong ("imap: line too long"); empty while error() is empty.
  const std::string& error_message() const noexcept;

  /// Switches mailbox-name decoding after ENABLE UTF8=ACCEPT; applies to responses completed
  /// from now on.
  void set_utf8(bool on) noexcept;
  /// The options in force; changes apply to input given from now on.
  ResponseReaderOptions& options() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Parses one complete response given as the wire text (lines with CRLF and literal bytes in
/// place); a missing final CRLF is added. Convenience for tests and one-shot use. Only the
/// first response in `wire` is returned in `out`. Returns the reader's error (Errc::protocol or
/// Errc::limit), or Errc::protocol when `wire` does not complete a response (a literal short
/// of bytes), and then sets `*message` when `message` is not null; `out` is untouched on
/// error.
MAILWIRE_API std::error_code parse_response(std::string_view wire, Response& out,
                                            std::string* message = nullptr,
                                            const ResponseReaderOptions& options = {});

}  // namespace mailwire::imap
