#pragma once

// IMAP response reading, sans-I/O (RFC 3501 section 4 and 7, RFC 9051, RFC 3516 ~{n}).
//
// ResponseReader assembles one response from lines and literals: feed it a line (without its
// CRLF); when the line ends in a literal announcement it asks for exactly that many bytes,
// then for the next line. Limits (line length is the stream's; literal size, number of
// literals, nesting depth, items) make hostile input an error, never unbounded memory.
// parse_response() then reads the grammar.

#include <mailwire/imap/response.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace mailwire::imap {

struct ReaderLimits {
  std::uint64_t max_literal = 64 * 1024 * 1024;  ///< one literal held in memory
  std::size_t max_literals = 100000;             ///< literals in one response
  std::size_t max_response = 256 * 1024 * 1024;  ///< total bytes of one response
  std::size_t max_depth = 64;                    ///< nested parentheses
  std::size_t max_items = 1000000;               ///< values in one response
};

/// A response as read from the wire: its line pieces, with the literals between them.
struct RawResponse {
  std::vector<std::string> lines;  ///< lines[i] is followed by literals[i] when i < size-1
  std::vector<std::string> literals;
};

class ResponseReader {
 public:
  explicit ResponseReader(ReaderLimits limits = {}) : limits_(limits) {}

  /// What a response needs after a line.
  enum class Next { Complete, Literal };
  /// After a line: Complete, or Literal with its size (which may be 0) to read next.
  /// Errc::protocol for a malformed announcement, Errc::limit for one over the limits.
  std::error_code feed_line(std::string_view line, Next& next, std::uint64_t& literal_size);
  /// The literal's bytes (exactly the announced size); then a line is needed.
  void feed_literal(std::string bytes);
  /// The complete response; the reader is then ready for the next one.
  RawResponse take();

 private:
  ReaderLimits limits_;
  RawResponse current_;
  std::size_t bytes_ = 0;
};

/// Reads the grammar of a complete response.
std::error_code parse_response(const RawResponse& raw, Response& out,
                               const ReaderLimits& limits = {});

/// Modified UTF-7 for mailbox names (RFC 3501 section 5.1.3).
std::string encode_mailbox_utf7(std::string_view utf8);
/// Decodes it; false for malformed input (then `out` is the input as it was).
bool decode_mailbox_utf7(std::string_view name, std::string& out);

}  // namespace mailwire::imap
