#pragma once

// SaslExchange: one SASL authentication (RFC 4422) as a sans-I/O engine, shared by SmtpClient
// (RFC 4954), ImapClient (RFC 3501, SASL-IR RFC 4959) and Pop3Client (RFC 5034). Not installed.
//
// Theory of operation. A SaslProfile says what differs between the three protocols: the verb,
// the longest command line that may carry an initial response, and the wording of the two
// failures that happen before a byte is sent. The client reads its own replies and maps each
// to one of three events: a challenge (SMTP "334 ", IMAP and POP3 "+ "), success (235, tagged
// OK, +OK) or a refusal (anything else); tags, untagged responses, reply codes and the framing
// of lines stay with the client. Each event returns the next Step:
//
//   start()            -> Command (the AUTH line) | Failed (plaintext, no common mechanism,
//                         a forced mechanism mailwire lacks or that needs a channel binding
//                         the connection does not give: Errc::usage for the last two)
//   on_challenge(text) -> Send (base64 response) | Send "*" (a challenge that cannot be
//                         answered: the next event, whatever it is, gives Failed) | Failed
//                         (the server's SCRAM signature is wrong: fatal, nothing more is sent)
//   on_success()       -> Done | Failed (SCRAM: the server never proved it knows the password)
//   on_refused(cred)   -> Command (an OAuth 2 token refused: one retry with a fresh token;
//                         SCRAM-*-PLUS with tls-exporter refused: one retry with
//                         tls-unique) |
//                         Refused (the client builds its own refusal error)
//
// A Command line has no IMAP tag: the client puts its own in front of `line` and `log_as`.
// Failed steps carry the complete error; `diagnostics.fatal` tells the client to drop the
// connection. The engine never throws and never touches a socket.

#include <mailwire/error.hpp>
#include <mailwire/sasl.hpp>

#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire::sasl {

/// What differs between the protocols' SASL profiles (curl's SASLproto, in spirit).
struct SaslProfile {
  const char* protocol = "";  ///< prefix of error messages: "smtp"
  const char* verb = "";      ///< "AUTH" or "AUTHENTICATE"
  /// Longest command line (CRLF included, tag excluded) that may carry the initial response;
  /// a longer one is sent without it and the response answers the server's empty challenge.
  /// 0: never send an initial response.
  std::size_t max_initial_line = 0;
  /// Completes "{protocol}: refusing {...} over an unencrypted connection to {host}".
  const char* plaintext_action = "to authenticate";
  /// Completes "{protocol}: no usable {...} mechanism".
  const char* mechanism_kind = "SASL";
  /// The "no usable mechanism" message names the mechanism the caller forced.
  bool names_forced_mechanism = true;
};

/// No limit on the command line.
inline constexpr std::size_t unlimited = std::numeric_limits<std::size_t>::max();

/// RFC 4954 section 4: the AUTH command line may be up to 12288 octets.
SaslProfile smtp_profile() noexcept;
/// RFC 4959: an initial response only with SASL-IR, then of any length.
SaslProfile imap_profile(bool sasl_ir) noexcept;
/// RFC 5034 section 4 (RFC 2449 section 4): AUTH with its initial response within 255 octets.
SaslProfile pop3_profile() noexcept;

/// What the client knows when it starts an exchange.
struct SaslSetup {
  std::vector<std::string> offered;  ///< mechanisms the server offers
  /// The server listed its mechanisms; false (POP3 without CAPA): a forced mechanism is
  /// tried as the caller says.
  bool offer_known = true;
  std::string forced;  ///< the mechanism the caller asked for; empty: the strongest common
  bool encrypted = false;
  bool allow_plaintext = false;
  bool redact = true;  ///< payloads show as "****" in log_as
  std::string host;    ///< for messages
  /// The connection's TLS facts (its channel bindings for SCRAM-*-PLUS); nullopt: no TLS.
  std::optional<TlsInfo> tls;
};

/// What the client does next.
struct SaslStep {
  enum class Kind {
    Command,  ///< send `line` (the AUTH command; IMAP: after a new tag), then read a reply
    Send,     ///< send `line` (a response, or "*"), then read a reply
    Done,     ///< authenticated
    Refused,  ///< the server refused: the client throws its refusal error
    Failed,   ///< throw Error(error, message, diagnostics); drop the connection when fatal
  };
  Kind kind = Kind::Done;
  std::string line;    ///< Command, Send: the bytes, CRLF included
  std::string log_as;  ///< Command, Send: what the protocol log shows
  Errc error = Errc::auth;
  std::string message;      ///< Failed: what(); Refused: the mechanism's reason, if any
  Diagnostics diagnostics;  ///< Failed
};

class SaslExchange {
 public:
  SaslExchange(const SaslProfile& profile, const SaslCredentials& credentials, SaslSetup setup);

  /// Chooses the mechanism and gives the command, or the failure before any byte is sent.
  SaslStep start();
  /// The server sent a challenge: `text` is its base64 payload, `reply` the reply as shown
  /// in diagnostics.
  SaslStep on_challenge(std::string_view text, std::string_view reply);
  /// The server reported success.
  SaslStep on_success(std::string_view reply);
  /// The server refused; `credentials` is true when it refused the credentials (not a
  /// temporary or command failure), which alone allows the OAuth 2 token refresh.
  SaslStep on_refused(bool credentials, std::string_view reply);

  /// "AUTH PLAIN" (verb and mechanism), for messages and diagnostics.
  const std::string& shown() const noexcept { return shown_; }
  /// Waiting for the answer to "*": whatever comes, the exchange fails.
  bool cancelling() const noexcept { return cancelling_; }

 private:
  SaslStep command();
  SaslStep cancel(std::string why, std::string_view reply);
  SaslStep failed(Errc kind, std::string message, Diagnostics diagnostics) const;

  SaslProfile profile_;
  SaslCredentials credentials_;
  SaslSetup setup_;
  std::string name_;  // the chosen mechanism
  std::string shown_;
  SaslChannelBinding binding_;  // what the connection gives SCRAM
  std::unique_ptr<SaslMechanism> mechanism_;
  int challenges_ = 0;
  bool refreshed_ = false;
  bool rebound_ = false;  // tls-exporter refused, tried again with tls-unique
  bool cancelling_ = false;
  SaslStep after_cancel_;
};

}  // namespace mailwire::sasl
