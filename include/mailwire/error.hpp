#pragma once

/// \file
/// The one exception type thrown by mailwire's client facades and transports.

#include <mailwire/export.hpp>

#include <string>
#include <system_error>

namespace mailwire {

/// What kind of failure an Error is. Codecs and engines report these as std::error_code;
/// facades throw them inside mailwire::Error.
enum class Errc {
  connect = 1,  ///< cannot resolve or connect, or the network failed (reset, unexpected close)
  timeout,      ///< a deadline passed
  tls,          ///< TLS handshake or record failure, or required STARTTLS unavailable
  certificate,  ///< the peer certificate is not trusted (reason in the text) or a pin mismatched
  protocol,     ///< broken or hostile server reply (incl. response injection)
  auth,         ///< authentication failed
  rejected,     ///< the server refused the operation (reply in the diagnostics)
  limit,        ///< a reply exceeded a configured limit (line length, literal size, nesting)
  cancelled,    ///< cancel() was called
  usage,        ///< caller mistake: bad argument, CR/LF/NUL in a caller string, wrong state
  io,           ///< local I/O (files, Maildir, state files)
};

/// The error category of Errc ("mailwire").
MAILWIRE_API const std::error_category& error_category() noexcept;

/// Makes Errc usable as std::error_code.
MAILWIRE_API std::error_code make_error_code(Errc e) noexcept;

/// Short lower-case name of a kind ("certificate"), stable for logs and tests.
MAILWIRE_API const char* to_string(Errc e) noexcept;

/// What a server said and what we asked, attached to an Error.
struct Diagnostics {
  std::string command;        ///< the command sent, secrets redacted ("AUTH PLAIN ****")
  std::string server_reply;   ///< the server's reply text, as received (one line per line)
  int reply_code = 0;         ///< SMTP reply code (e.g. 550), 0 when not SMTP
  std::string enhanced_code;  ///< RFC 3463 enhanced status code ("5.1.1") when given
  std::string response_code;  ///< IMAP / POP3 response code ("TRYCREATE", "IN-USE")
  bool transient = false;     ///< retrying later may succeed (SMTP 4xx, [SYS/TEMP], ...)
  bool fatal = false;         ///< the connection is unusable after this error
};

/// The exception thrown by mailwire facades and transports. `code()` has category
/// mailwire::error_category() and an Errc value; `what()` is one readable line such as
/// "smtp: RCPT TO:<x@example.com> rejected: 550 5.1.1 user unknown".
class MAILWIRE_API Error : public std::system_error {
 public:
  /// An error of kind `kind`; `message` is what what() returns (by convention one line,
  /// prefixed with the protocol: "smtp: ..."), `diagnostics` what the server said.
  Error(Errc kind, std::string message, Diagnostics diagnostics = {});

  /// The kind of failure.
  Errc kind() const noexcept;
  /// Server reply, command and flags.
  const Diagnostics& diagnostics() const noexcept { return diagnostics_; }
  /// Retrying later may succeed: diagnostics().transient (SMTP 4xx, [SYS/TEMP], ...) or
  /// kind() is Errc::timeout.
  bool is_transient() const noexcept;
  /// The connection cannot be used any more.
  bool is_fatal() const noexcept { return diagnostics_.fatal; }
  /// The readable message given to the constructor, e.g. "smtp: RCPT TO:<x@example.com>
  /// rejected: 550 5.1.1 user unknown". Valid as long as the Error.
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
  Diagnostics diagnostics_;
};

}  // namespace mailwire

namespace std {
/// Lets an Errc convert to std::error_code implicitly (`ec == mailwire::Errc::timeout`).
template <>
struct is_error_code_enum<mailwire::Errc> : true_type {};
}  // namespace std
