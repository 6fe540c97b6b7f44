#pragma once

// POP3 wire codec (RFC 1939, RFC 2449, RFC 2595, RFC 3206, RFC 5034): status lines, capability
// and listing lines, command encoding and the dot-unstuffing of multi-line responses. Pure: no
// I/O, no exceptions; hostile input gives an error_code.

#include <mailwire/pop3/types.hpp>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <system_error>

namespace mailwire::pop3 {

/// A status line: "+OK text", "-ERR [CODE] text", or a SASL continuation "+ data".
struct StatusLine {
  enum class Kind { Ok, Err, Continue };
  Kind kind = Kind::Err;
  std::string code;  ///< RFC 2449 response code ("IN-USE", "SYS/TEMP"), upper-case
  std::string text;  ///< the rest of the line, code removed
};

/// Parses a status line (without its CRLF). Anything that is not +OK, -ERR or "+ " is an error.
std::error_code parse_status_line(std::string_view line, StatusLine& out);

/// True when a -ERR code says a retry later may work (RFC 2449 / 3206: IN-USE, LOGIN-DELAY,
/// SYS/TEMP).
bool is_transient_code(std::string_view code) noexcept;

/// The APOP timestamp "<...@...>" in a greeting, or empty.
std::string_view apop_timestamp(std::string_view greeting) noexcept;

/// Adds one CAPA line (without CRLF) to `caps`.
void parse_capability(std::string_view line, Pop3Capabilities& caps);

/// "+OK 2 320" (STAT), after the status was parsed: its text.
std::error_code parse_stat(std::string_view text, Pop3Stat& out);
/// "1 120" (LIST lines, and the text of "+OK 1 120" for LIST n).
std::error_code parse_list_entry(std::string_view line, Pop3ListEntry& out);
/// "1 whqtswO00WBw418f9t5JxYwZ" (UIDL lines, and the text of "+OK 1 uid" for UIDL n).
std::error_code parse_uidl_entry(std::string_view line, Pop3UidlEntry& out);

/// "VERB arg arg\r\n". Arguments must be non-empty and free of CR, LF, NUL and (unless
/// `last_may_have_spaces`, for PASS) spaces; anything else is Errc::usage and nothing is built.
std::error_code encode_command(std::string_view verb, std::initializer_list<std::string_view> args,
                               std::string& out, bool last_may_have_spaces = false);

/// Dot-unstuffs a multi-line response body incrementally (RFC 1939 section 3): feed the bytes
/// after the +OK line as they arrive; unstuffed content goes to the output callback in runs,
/// and feed() reports how many input bytes it consumed — when the terminating "." line has
/// been seen, done() is true and the bytes after it were not consumed.
class MultilineDecoder {
 public:
  /// Processes `input`, appending content to `out` via `emit(data, size)`. Returns the number
  /// of bytes consumed.
  template <typename Emit>
  std::size_t feed(std::string_view input, Emit&& emit);

  bool done() const noexcept { return state_ == State::Done; }
  /// Content octets emitted so far.
  std::uint64_t emitted() const noexcept { return emitted_; }

 private:
  enum class State { LineStart, Dot, DotCr, Middle, Done };
  State state_ = State::LineStart;
  std::uint64_t emitted_ = 0;
};

template <typename Emit>
std::size_t MultilineDecoder::feed(std::string_view input, Emit&& emit) {
  // Content is emitted in runs as long as possible: a run ends only where a byte is dropped
  // (a stuffed dot) or at the end of the input.
  const std::size_t n = input.size();
  std::size_t i = 0;
  std::size_t run = 0;
  const auto flush = [&](std::size_t end) {
    if (end > run) {
      emit(input.data() + run, end - run);
      emitted_ += end - run;
    }
    run = end;
  };
  while (i < n && state_ != State::Done) {
    switch (state_) {
      case State::LineStart:
        if (input[i] == '.') {
          flush(i);
          run = ++i;
          state_ = State::Dot;
        } else {
          state_ = State::Middle;
        }
        break;
      case State::Dot:
        if (input[i] == '\r') {
          run = ++i;  // held back: terminator or content, the next byte tells
          state_ = State::DotCr;
        } else if (input[i] == '\n') {  // ".\n": a server using bare LF
          run = ++i;
          state_ = State::Done;
        } else {
          state_ = State::Middle;  // "..x" -> ".x"; ".x" (not stuffed) -> "x", as RFC 1939 says
        }
        break;
      case State::DotCr:
        if (input[i] == '\n') {
          run = ++i;
          state_ = State::Done;
        } else {
          emit("\r", 1);  // ".\rx": the CR after the dot was content
          ++emitted_;
          state_ = State::Middle;
        }
        break;
      case State::Middle: {
        const void* lf = std::memchr(input.data() + i, '\n', n - i);
        if (lf == nullptr) {
          i = n;
        } else {
          i = static_cast<std::size_t>(static_cast<const char*>(lf) - input.data()) + 1;
          state_ = State::LineStart;
        }
        break;
      }
      case State::Done:
        break;
    }
  }
  flush(state_ == State::Done ? run : i);
  return i;
}

}  // namespace mailwire::pop3
