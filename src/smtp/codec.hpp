#pragma once

// SMTP wire codec (RFC 5321, 3207, 2920, 3030, 3461, 3463, 4954, 6152, 6531): reply assembly,
// EHLO parsing and the DATA body encoder (commands: command.hpp). Pure: no I/O, no
// exceptions; hostile input gives an error_code.

#include "smtp/command.hpp"

#include <mailwire/smtp/capabilities.hpp>
#include <mailwire/smtp/reply.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace mailwire::smtp {

/// Assembles one reply from its lines.
class ReplyParser {
 public:
  enum class Status { NeedMore, Done };
  explicit ReplyParser(std::size_t max_lines = 1000) : max_lines_(max_lines) {}
  /// Feeds one line (without CRLF). Errc::protocol for a line that is not a reply line or
  /// whose code differs from the first; Errc::limit past max_lines.
  std::error_code feed(std::string_view line, Status& status);
  /// The reply, once feed() said Done; the parser is then ready for the next reply.
  SmtpReply take();

 private:
  SmtpReply reply_;
  std::size_t max_lines_;
};

/// Reads the capabilities from an EHLO reply.
SmtpCapabilities parse_ehlo(const SmtpReply& reply);

/// Streams a message body into DATA form: every line ending becomes CRLF (bare CR and bare LF
/// included: no SMTP smuggling), a '.' at the start of a line is doubled, and finish() ends the
/// body with CRLF "." CRLF. Chunks may split anything, CRLF included.
class DataEncoder {
 public:
  void feed(std::string_view chunk, std::string& out);
  void finish(std::string& out);
  /// Only CRLF normalisation, no dot-stuffing and no terminator (BDAT).
  void set_bdat(bool bdat) noexcept { bdat_ = bdat; }

 private:
  bool at_line_start_ = true;
  bool pending_cr_ = false;
  bool bdat_ = false;
};

/// What a body needs from the server: 8-bit bytes (8BITMIME), NUL bytes (BINARYMIME).
struct BodyScan {
  bool eight_bit = false;
  bool binary = false;
  void feed(std::string_view chunk) noexcept;
};

}  // namespace mailwire::smtp
