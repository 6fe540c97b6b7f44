#pragma once

/// \file
/// The protocol dialogue, as it happens, for logs and --trace.

#include <mailwire/export.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace mailwire {

/// Who produced the bytes given to a ProtocolLog.
enum class LogDirection {
  Client,  ///< bytes the client sent (secrets already redacted)
  Server,  ///< bytes the client received
  Info,    ///< a note from mailwire itself (TLS established, warnings)
};

/// Receives the dialogue. Client bytes carrying secrets (AUTH payloads, PASS, LOGIN arguments,
/// tokens) arrive redacted unless redaction was turned off on the client.
using ProtocolLog = std::function<void(LogDirection, std::string_view)>;

/// Replaces everything after the first `keep_words` space-separated words of a command line
/// with "****", keeping the line ending: redact_words("AUTH PLAIN AGFs\r\n", 2) is
/// "AUTH PLAIN ****\r\n". A line with no more than `keep_words` words is returned unchanged.
MAILWIRE_API std::string redact_words(std::string_view line, std::size_t keep_words);

/// "****" plus the line ending of `line`: for lines that are secret as a whole (SASL responses).
MAILWIRE_API std::string redact_line(std::string_view line);

/// Formats bytes for a human log: printable ASCII as is; CR LF as the four characters "\\r\\n"
/// and a bare LF as "\\n", each followed by a real newline; any other byte as "\\xNN" (two
/// lower-case hex digits).
MAILWIRE_API std::string escape_for_log(std::string_view bytes);

}  // namespace mailwire
