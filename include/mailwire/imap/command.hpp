#pragma once

/// \file
/// Sans-I/O command encoder (RFC 3501 section 6 and 9, RFC 7888 LITERAL+/LITERAL-,
/// RFC 6855 UTF8=ACCEPT): arguments are encoded as atom, quoted string or literal, and a
/// command is cut into segments where a synchronising literal must wait for `+`.

#include <mailwire/export.hpp>
#include <mailwire/imap/capabilities.hpp>
#include <mailwire/imap/sequence_set.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace mailwire::imap {

/// Which literal form the server accepts without a continuation (RFC 7888).
enum class LiteralMode {
  Synchronizing,  ///< plain IMAP4rev1: every literal waits for `+`
  Plus,           ///< LITERAL+: `{n+}` for any size
  Minus,          ///< LITERAL- (and IMAP4rev2): `{n+}` up to 4096 bytes, larger ones wait
};

/// How a command is encoded; derived from the server's capabilities and enabled extensions.
struct EncodeOptions {
  LiteralMode literal = LiteralMode::Synchronizing;  ///< which literals need no continuation
  /// ENABLE UTF8=ACCEPT is in force: mailbox names are sent as UTF-8 and quoted strings
  /// may hold UTF-8.
  bool utf8 = false;
  /// Strings longer than this many bytes go as literals even when they could be quoted.
  std::size_t max_quoted = 1000;
};

/// A piece of an encoded command. After sending `bytes`, the client must wait for a
/// continuation (`+`) before the next segment when `wait_for_continuation` is set.
struct CommandSegment {
  /// The bytes to send; a segment that waits ends with a literal announcement and CRLF.
  std::string bytes;
  /// Wait for the server's `+` after this segment (a synchronizing literal follows).
  bool wait_for_continuation = false;
  /// This segment stands for literal bytes the caller sends itself (see
  /// Command::external_literal): send exactly `external_size` bytes instead of `bytes`.
  bool external = false;
  std::uint64_t external_size = 0;  ///< bytes the caller sends for an `external` segment
};

/// A command ready for the wire. The last segment ends with CRLF.
struct EncodedCommand {
  std::string tag;                       ///< the tag given to Command::encode()
  std::vector<CommandSegment> segments;  ///< to be sent in order
  /// The command line for logs, without CRLF: secret arguments replaced by "****", literals
  /// shown by their announcement only (`{12}`), never their contents.
  std::string log_line;
};

/// Builds one command. Every method validates its argument; the first invalid one (CR, LF or
/// NUL in a string, a bad atom, invalid UTF-8 in a mailbox name) makes error() return
/// Errc::usage and encode() produce nothing. Never throws except std::bad_alloc.
class MAILWIRE_API Command {
 public:
  /// `name` is the command keyword(s), atoms separated by single spaces: "SELECT",
  /// "UID FETCH". Anything else is a usage error.
  explicit Command(std::string_view name);

  /// An atom or flag sent as is: 1*ATOM-CHAR in US-ASCII ("FLAGS", "UIDNEXT"), optionally
  /// after one backslash (`\Seen`). Anything else (empty, a space, a parenthesis, 8-bit) is a
  /// usage error.
  Command& atom(std::string_view text);
  /// An `astring`: atom when possible, else quoted string, else literal (longer than
  /// EncodeOptions::max_quoted, or 8-bit without UTF-8). "NIL" is quoted. CR, LF or NUL is a
  /// usage error.
  Command& astring(std::string_view text);
  /// A `string`: quoted string or literal, never an atom (for values that must be strings).
  /// CR, LF or NUL is a usage error.
  Command& string(std::string_view text);
  /// A mailbox name given in UTF-8: modified UTF-7 or UTF-8 per EncodeOptions::utf8.
  /// "INBOX" is case-insensitive and sent as INBOX. An empty name, invalid UTF-8, CR, LF or
  /// NUL is a usage error.
  Command& mailbox(std::string_view utf8_name);
  /// A number.
  Command& number(std::uint64_t n);
  /// A sequence set or UID set; an empty set is a usage error.
  Command& sequence_set(const SequenceSet& set);
  /// A parenthesised list of flags `(\Seen $Label)`; each must be an atom, optionally after
  /// one backslash (`\*` is refused). An empty list is sent as `()`.
  Command& flag_list(const std::vector<std::string>& flags);
  /// Opens a parenthesised list; the caller balances it with close_list() (not checked).
  Command& open_list();
  /// Closes the list opened last.
  Command& close_list();
  /// Always a literal (APPEND message data). `binary` sends `~{n}` (RFC 3516); otherwise NUL
  /// bytes are refused. CR and LF are allowed inside literals.
  Command& literal(std::string_view bytes, bool binary = false);
  /// A literal of `size` bytes that the caller streams itself (APPEND of a large message
  /// from a file): encode() emits the announcement and an `external` segment in its place.
  Command& external_literal(std::uint64_t size, bool binary = false);
  /// Pre-encoded protocol text (e.g. `BODY.PEEK[1.2]<0.1024>`), sent as is. A usage error
  /// unless it keeps to the grammar the typed arguments keep to: not empty, no control
  /// character or DEL, 8-bit bytes only inside quoted strings, quoted strings closed and
  /// escaping only `"` and `\`, parentheses and brackets balanced, no literal (`{`, `}`).
  Command& raw(std::string_view text);
  /// Marks the next argument as secret: EncodedCommand::log_line shows "****" in its place.
  Command& secret();
  /// Records a usage error found by a builder (an invalid date, an empty item list); the
  /// first error wins and encode() then refuses the command.
  Command& mark_invalid(std::string_view reason);

  /// The first usage error (Errc::usage), or an empty code.
  std::error_code error() const noexcept { return error_; }
  /// What the first usage error was ("imap: invalid atom"); empty without one.
  const std::string& error_message() const noexcept { return message_; }

  /// Encodes with `tag` into `out` (which is reset first). Returns error() (Errc::usage)
  /// without output when an argument was refused, or Errc::usage when the tag is not a valid
  /// tag (1*ASTRING-CHAR in US-ASCII, no "+").
  std::error_code encode(std::string_view tag, const EncodeOptions& options,
                         EncodedCommand& out) const;

 private:
  enum class Kind { Atom, AString, String, Mailbox, Literal, ExternalLiteral, Open, Close };
  struct Arg {
    Kind kind;
    std::string text;
    bool secret = false;
    bool binary = false;
    std::uint64_t size = 0;
  };
  Command& push(Kind kind, std::string_view text, bool binary = false);
  bool refuse(std::string_view what);

  std::vector<Arg> args_;
  bool next_secret_ = false;
  std::error_code error_;
  std::string message_;
};

/// Generates tags A001, A002, ..., A999, A1000, ... (the prefix is configurable; at least
/// three digits).
class MAILWIRE_API TagGenerator {
 public:
  /// `prefix` is not checked: it must consist of tag characters (letters are safe).
  explicit TagGenerator(std::string prefix = "A") : prefix_(std::move(prefix)) {}
  /// The next tag: the prefix and the counter, which starts at 1.
  std::string next();

 private:
  std::string prefix_;
  std::uint64_t counter_ = 0;
};

/// Encoding options for a server: LITERAL+ gives LiteralMode::Plus, LITERAL- or IMAP4rev2
/// (RFC 9051 includes LITERAL-) gives LiteralMode::Minus; `utf8_enabled` after a successful
/// ENABLE UTF8=ACCEPT.
MAILWIRE_API EncodeOptions encode_options_for(const CapabilitySet& capabilities,
                                              bool utf8_enabled = false);

/// True when `text` can be sent as an atom (1*ATOM-CHAR, US-ASCII only).
MAILWIRE_API bool is_atom(std::string_view text) noexcept;

}  // namespace mailwire::imap
