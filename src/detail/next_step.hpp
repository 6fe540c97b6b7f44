#pragma once

// The step vocabulary of mailwire's sans-I/O engines (the idea of Boost.MySQL's next_action
// and of h11): an engine never touches a socket. Asked what to do next, it names one of these
// steps; the driver (a blocking facade, or an event loop) performs it and feeds the outcome
// back: bytes read, a reply parsed, or the error that happened instead. Each engine documents
// which steps it uses and what it expects to be fed after each.

namespace mailwire::detail {

enum class NextStep {
  /// Send the engine's bytes, as they are, then ask again. A failed write is fed back as an
  /// error; the log shows the engine's log form of them (secrets redacted).
  write,
  /// Read one line-based response and feed it back: a line for IMAP and POP3, one complete
  /// reply (its lines assembled by smtp::ReplyParser) for SMTP.
  read_line,
  /// Read exactly the number of bytes the engine names (an IMAP literal, a BDAT reply body
  /// elsewhere) and feed them back.
  read_exact,
  /// The peer agreed to start TLS: check that nothing is buffered past its reply (response
  /// injection), run the handshake, then ask again.
  start_tls,
  /// Stream the message body from the caller's source in the form the engine names (SMTP:
  /// dot-stuffed DATA, or BDAT chunks), then report it sent.
  send_body,
  /// The operation is over: succeeded, or failed with the engine's error. The engine also
  /// says whether the connection must be closed now.
  done,
};

}  // namespace mailwire::detail
