#pragma once

/// \file
/// The one exception type thrown by mailwire's client facades and transports.

#include <mailwire/export.hpp>

#include <string>
#include <system_error>
#include <utility>

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

/// Why an operation failed, as a stable token a program can switch on: the text of what() is
/// for people and may change between releases, a Reason does not (new ones may be added).
/// to_string() gives its spelling for logs and scripts ("starttls-unavailable").
enum class Reason {
  unspecified = 0,  ///< no finer reason than the Errc kind
  // The connection and TLS.
  connection_lost,       ///< the peer closed or reset the connection, or a read or write failed
  not_tls,               ///< the peer answered the TLS handshake in plaintext (a STARTTLS port?)
  starttls_unavailable,  ///< TLS is required and the server offers no STARTTLS / STLS
  starttls_refused,      ///< the server refused STARTTLS / STLS
  /// Bytes arrived after the STARTTLS go-ahead, before the handshake; or (IMAP) a tagged
  /// completion arrived before STARTTLS was sent.
  response_injection,
  preauth_without_tls,  ///< IMAP PREAUTH greeting while TLS was required
  // What the server sent.
  greeting_refused,  ///< the server refused the connection in its greeting (554, BYE, -ERR)
  malformed_reply,   ///< the server sent something that is not the protocol
  reply_too_large,   ///< a reply passed a configured limit (lines, literal size, list entries)
  // Authentication.
  plaintext_auth_refused,  ///< credentials would cross an unencrypted connection (not sent)
  no_common_mechanism,     ///< no SASL mechanism both sides allow (or the forced one is absent)
  credentials_refused,     ///< the server refused the credentials
  bad_challenge,  ///< a SASL challenge that cannot be answered (not base64, too many, bad nonce)
  server_not_verified,  ///< SCRAM: the server's signature is wrong (it does not know the password)
  // Commands and messages.
  command_refused,    ///< the server refused a command; the reply is in the diagnostics
  recipient_refused,  ///< SMTP: every recipient, or (abort_on_rejected_recipient) one, refused
  message_too_large,  ///< the message exceeds the server's SIZE / APPENDLIMIT
  extension_missing,  ///< the message needs SMTPUTF8 / 8BITMIME / BINARYMIME + CHUNKING
  delivery_unknown,   ///< the connection broke after the end of the data: it may have been kept
  invalid_argument,   ///< a caller string the protocol cannot carry (CR, LF, NUL, spaces...)
  not_connected,      ///< a call that needs a connection, made without one
};

/// Stable spelling of a Reason ("starttls-unavailable"), for logs, scripts and tests.
MAILWIRE_API const char* to_string(Reason reason) noexcept;

/// How far an operation that hands the server a message (SMTP send, IMAP APPEND) got when it
/// ended, which tells whether retrying it may deliver the message twice. In order.
enum class Phase {
  none,        ///< not such an operation, or it failed before its first command was sent
  envelope,    ///< commands before the data (MAIL, RCPT, DATA): the server keeps nothing
  data,        ///< within the data, before its end: the server discards an incomplete message
  after_data,  ///< the end of the data was sent and no reply came: the outcome is unknown
  done,        ///< the server answered the end of the data (accepted or refused)
};

/// Stable spelling of a Phase ("after-data").
MAILWIRE_API const char* to_string(Phase phase) noexcept;

/// What a server said and what we asked, attached to an Error. Build one with a named
/// constructor that says whether the connection survives, then the `with_` setters:
/// `Diagnostics::broken(Reason::starttls_refused).with_command("STARTTLS").with_reply(text)`.
struct Diagnostics {
  std::string command;        ///< the command sent, secrets redacted ("AUTH PLAIN ****")
  std::string server_reply;   ///< the server's reply text, as received (one line per line)
  int reply_code = 0;         ///< SMTP reply code (e.g. 550), 0 when not SMTP
  std::string enhanced_code;  ///< RFC 3463 enhanced status code ("5.1.1") when given
  std::string response_code;  ///< IMAP / POP3 response code ("TRYCREATE", "IN-USE")
  bool transient = false;     ///< retrying later may succeed (SMTP 4xx, [SYS/TEMP], ...)
  bool fatal = false;         ///< the connection is unusable after this error
  Reason reason = Reason::unspecified;  ///< why, as a stable token
  Phase phase = Phase::none;            ///< how far a message transfer got

  /// The connection can still be used: a refusal, a caller mistake caught before sending.
  static Diagnostics usable(Reason reason = Reason::unspecified) {
    Diagnostics d;
    d.reason = reason;
    return d;
  }
  /// The connection is gone or must not be used again (it has been closed).
  static Diagnostics broken(Reason reason = Reason::unspecified) {
    Diagnostics d;
    d.reason = reason;
    d.fatal = true;
    return d;
  }

  /// The command, secrets redacted.
  Diagnostics& with_command(std::string text) & {
    command = std::move(text);
    return *this;
  }
  /// The same on a temporary (for chaining after a named constructor).
  Diagnostics&& with_command(std::string text) && { return std::move(with_command(text)); }
  /// The server's reply text.
  Diagnostics& with_reply(std::string text) & {
    server_reply = std::move(text);
    return *this;
  }
  /// The same on a temporary (for chaining after a named constructor).
  Diagnostics&& with_reply(std::string text) && { return std::move(with_reply(text)); }
  /// IMAP / POP3 response code, and whether it says "try again later".
  Diagnostics& with_response_code(std::string code, bool is_transient = false) & {
    response_code = std::move(code);
    transient = is_transient;
    return *this;
  }
  /// The same on a temporary (for chaining after a named constructor).
  Diagnostics&& with_response_code(std::string code, bool is_transient = false) && {
    return std::move(with_response_code(code, is_transient));
  }
  /// Retrying later may succeed.
  Diagnostics& with_transient(bool is_transient = true) & {
    transient = is_transient;
    return *this;
  }
  /// The same on a temporary (for chaining after a named constructor).
  Diagnostics&& with_transient(bool is_transient = true) && {
    return std::move(with_transient(is_transient));
  }
  /// The reason, when the named constructor did not set it.
  Diagnostics& with_reason(Reason why) & {
    reason = why;
    return *this;
  }
  /// The same on a temporary (for chaining after a named constructor).
  Diagnostics&& with_reason(Reason why) && { return std::move(with_reason(why)); }
  /// How far a message transfer got.
  Diagnostics& with_phase(Phase p) & {
    phase = p;
    return *this;
  }
  /// The same on a temporary (for chaining after a named constructor).
  Diagnostics&& with_phase(Phase p) && { return std::move(with_phase(p)); }
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
  /// Retrying later may succeed: diagnostics().transient (SMTP 4xx, [SYS/TEMP], ...), or
  /// kind() is Errc::timeout or Errc::connect (no answer, or a connection that could not be made
  /// or broke: a new one may work), or a TLS connection that broke (Errc::tls with
  /// Reason::connection_lost). Whether a retry could repeat what was done is phase().
  bool is_transient() const noexcept;
  /// The one retry rule (docs/errors.md): the same operation may be tried again, later or on a
  /// new connection, without doing twice what was done: is_transient() and phase() is not
  /// Phase::after_data (a message whose end got no reply may have been kept).
  bool is_safe_to_retry() const noexcept;
  /// The connection cannot be used any more.
  bool is_fatal() const noexcept { return diagnostics_.fatal; }
  /// Why, as a stable token (diagnostics().reason).
  Reason reason() const noexcept { return diagnostics_.reason; }
  /// How far a message transfer got (diagnostics().phase); Phase::none for other operations.
  Phase phase() const noexcept { return diagnostics_.phase; }
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
