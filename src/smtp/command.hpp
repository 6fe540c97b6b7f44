#pragma once

// SMTP command encoder (RFC 5321 4.1, 1870 SIZE, 6152 8BITMIME, 3030 BINARYMIME/CHUNKING,
// 6531 SMTPUTF8, 3461 DSN, 2033 LHLO). Each factory validates its arguments as it builds the
// line; the first invalid argument sticks and the command then has no line, only an error.
// Pure: no I/O, no exceptions (std::bad_alloc aside). AUTH lines are built by the SASL
// exchange shared with IMAP and POP3 (src/sasl/exchange.hpp), which redacts their payloads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace mailwire::smtp {

/// `Mailbox` of RFC 5321 4.1.2 as we accept it for MAIL FROM / RCPT TO: no CR, LF, NUL,
/// space or other control, no '<' or '>', at most 512 octets, "local@domain" with both parts
/// non-empty, or "Postmaster" alone (4.1.1.3), or empty (the null reverse-path) when
/// `allow_empty`. Non-ASCII is allowed here and makes needs_smtputf8() true.
bool valid_address(std::string_view address, bool allow_empty);
/// The text holds a byte >= 0x80 (needs SMTPUTF8 when it is an address).
bool needs_smtputf8(std::string_view text);
/// The argument of EHLO / HELO / LHLO: a domain or address literal, 1 to 255 printable
/// US-ASCII characters, no space.
bool valid_helo_name(std::string_view name);
/// RFC 3461 4: xtext, for ORCPT and ENVID ('+', '=', controls, space and 8-bit as "+XX").
std::string xtext(std::string_view text);

/// BODY= of MAIL FROM.
enum class BodyParameter {
  none,         ///< no BODY parameter (7bit)
  eight_bit,    ///< BODY=8BITMIME (RFC 6152)
  binary_mime,  ///< BODY=BINARYMIME (RFC 3030)
};

/// The ESMTP parameters of MAIL FROM. Views: they must outlive the call that takes them.
struct MailParameters {
  std::optional<std::uint64_t> size;  ///< SIZE= (RFC 1870)
  BodyParameter body = BodyParameter::none;
  bool smtputf8 = false;  ///< SMTPUTF8 (RFC 6531)
  std::string_view ret;   ///< DSN RET= "FULL" or "HDRS" (any case); empty: not sent
  std::string_view
      envid;  ///< DSN ENVID=, sent as xtext; printable ASCII, no space; empty: not sent
};

/// The ESMTP parameters of RCPT TO (RFC 3461). Views, as above.
struct RcptParameters {
  /// NOTIFY=: "NEVER", or a comma list of SUCCESS, FAILURE, DELAY (any case); empty: not sent.
  std::string_view notify;
  /// ORCPT=rfc822;<xtext of this>: the original recipient, ASCII; empty: not sent.
  std::string_view orcpt;
};

/// One SMTP command line, built and validated by a factory. When error() is set, line() and
/// log_line() are empty and error_message() says what was refused ("smtp: invalid recipient
/// address 'x y@example.com'"), ready for Error(Errc::usage).
class Command {
 public:
  static Command ehlo(std::string_view name);  ///< EHLO name
  static Command lhlo(std::string_view name);  ///< LHLO name (RFC 2033)
  static Command helo(std::string_view name);  ///< HELO name
  /// MAIL FROM:<address> [SIZE=n] [BODY=...] [SMTPUTF8] [RET=...] [ENVID=...]; an empty
  /// address is the null reverse-path "<>".
  static Command mail_from(std::string_view address, const MailParameters& parameters = {});
  /// RCPT TO:<address> [NOTIFY=...] [ORCPT=rfc822;...].
  static Command rcpt_to(std::string_view address, const RcptParameters& parameters = {});
  static Command data();                               ///< DATA
  static Command bdat(std::uint64_t size, bool last);  ///< BDAT size [LAST] (RFC 3030)
  static Command rset();                               ///< RSET
  static Command noop();                               ///< NOOP
  static Command quit();                               ///< QUIT
  static Command starttls();                           ///< STARTTLS (RFC 3207)

  /// Errc::usage when an argument was refused, else empty.
  std::error_code error() const noexcept { return error_; }
  /// What was refused; empty without an error.
  const std::string& error_message() const noexcept { return message_; }
  /// The bytes to send, CRLF included; empty after an error.
  const std::string& line() const noexcept { return line_; }
  /// The line as a log or an error message may show it (secrets replaced by "****"), CRLF
  /// included; empty after an error.
  const std::string& log_line() const noexcept { return log_; }
  /// log_line() without its CRLF: "MAIL FROM:<a@example.org> SIZE=120".
  std::string_view text() const noexcept;

 private:
  explicit Command(std::string_view verb) : line_(verb) {}
  Command& refuse(std::string message);
  Command& finish();

  std::string line_;
  std::string log_;
  std::string message_;
  std::error_code error_;
};

}  // namespace mailwire::smtp
