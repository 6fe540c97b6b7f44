#pragma once

// IMAP command encoding, sans-I/O (RFC 3501 section 4 and 9, RFC 7888 LITERAL+/LITERAL-).
// A command becomes segments: the first is sent at once; before each later one the client
// waits for a "+" continuation when the literal that ends the previous segment is
// synchronising. Caller strings with CR, LF or NUL are refused (Errc::usage) before anything
// is produced.

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace mailwire::imap {

/// What literals the server accepts without a continuation.
enum class LiteralMode {
  Synchronising,     ///< plain IMAP: wait for "+" before each literal's bytes
  NonSynchronising,  ///< LITERAL+ (RFC 7888): "{n+}", no waiting
  NonSyncUpTo4096,   ///< LITERAL- (RFC 7888): "{n+}" only up to 4096 octets
};

struct EncodedCommand {
  std::vector<std::string> segments;
  std::vector<bool> wait_before;  ///< wait_before[i]: wait for "+" before segments[i] (i > 0)
  std::string log;                ///< for the protocol log: literals shown by size only
};

class CommandBuilder {
 public:
  CommandBuilder(std::string_view tag, std::string_view verb, LiteralMode mode);

  CommandBuilder& atom(std::string_view text);     ///< an atom (validated)
  CommandBuilder& astring(std::string_view text);  ///< atom, quoted string or literal
  CommandBuilder& string(std::string_view text);   ///< quoted string or literal
  /// A mailbox name: INBOX in any case becomes INBOX; modified UTF-7 unless `utf8_accept`.
  CommandBuilder& mailbox(std::string_view utf8, bool utf8_accept);
  /// Text the caller has already made safe (sequence sets, fetch items); CR LF still refused.
  CommandBuilder& raw(std::string_view text);
  /// Marks the next arguments as secret for the log ("****").
  CommandBuilder& secret(bool on = true);

  /// The command, or Errc::usage (CR, LF or NUL in an argument, an invalid atom).
  std::error_code finish(EncodedCommand& out);

 private:
  void space();
  void literal(std::string_view text);
  std::string current_;
  std::string log_;
  EncodedCommand out_;
  LiteralMode mode_;
  bool secret_ = false;
  bool bad_ = false;
};

/// "1:3,7,9:10" from message numbers or UIDs (sorted and merged); empty input gives "".
std::string sequence_set(std::vector<std::uint32_t> numbers);

}  // namespace mailwire::imap
