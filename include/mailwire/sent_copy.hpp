#pragma once

/// \file
/// SentCopy: files a copy of each message sent into the IMAP Sent mailbox, streamed.

#include <mailwire/error.hpp>
#include <mailwire/export.hpp>
#include <mailwire/imap_client.hpp>
#include <mailwire/sasl.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mailwire {

/// Where and how SentCopy files messages.
struct SentCopyOptions {
  /// The IMAP server (with `port`, `imap` and `credentials`), unless `connect` is given.
  std::string host;
  /// 0: 993 when `imap.security` is Tls, else 143.
  std::uint16_t port = 0;
  /// TLS, timeouts and the protocol log of the IMAP connection.
  ImapOptions imap;
  /// The login (ImapClient::authenticate() chooses the mechanism).
  SaslCredentials credentials;
  /// Makes a connected, logged-in client instead of host, port and credentials (a custom
  /// transport, or a test). Called again after the connection broke.
  std::function<std::unique_ptr<ImapClient>()> connect;
  /// The mailbox; empty: the one the server marks `\Sent` (RFC 6154 SPECIAL-USE), else one
  /// named "Sent", created on first use when the server says it does not exist (TRYCREATE).
  std::string mailbox;
  /// Flags of the filed copy (default `\Seen`: the user wrote it).
  std::vector<std::string> flags{"\\Seen"};
};

/// How filing one copy went. Filing never fails the sending: the message was sent already.
struct SentCopyResult {
  bool filed = false;                ///< the server stored it
  std::string mailbox;               ///< where it went (or was to go)
  std::optional<std::uint32_t> uid;  ///< its UID there, when the server said (UIDPLUS)
  std::optional<Error> error;        ///< why it was not filed (or may not have been)
};

/// Files copies of sent messages into one IMAP mailbox over one connection, opened on first use
/// and kept; thread-safe (copies from several threads are filed one after another). Set it in
/// SmtpOptions::sent_copy and SmtpClient::send() files every message that at least one
/// recipient accepted, streamed from the bytes that were sent (a file attachment is not held in
/// memory), and reports the outcome in SmtpSendResult::sent_copy. For providers that do not
/// keep a copy of submitted mail themselves (Gmail and Microsoft 365 do: do not use it there,
/// or each message is in Sent twice).
class MAILWIRE_API SentCopy {
 public:
  /// Nothing happens on the network until the first file().
  explicit SentCopy(SentCopyOptions options);
  /// Logs out (briefly) and closes.
  ~SentCopy();
  SentCopy(const SentCopy&) = delete;
  SentCopy& operator=(const SentCopy&) = delete;

  /// Appends `message` (its flags are replaced by the options' flags). Never throws: errors
  /// are in the result. A connection found broken is replaced once, when nothing of the message
  /// had been sent on it; a copy cut after its last byte is not sent again (it may be stored).
  SentCopyResult file(AppendMessage message) noexcept;

  /// The mailbox copies go to, found on first use; empty before.
  std::string mailbox() const;

  /// Logs out and closes the connection (the next file() opens a new one).
  void close() noexcept;

 private:
  ImapClient& client();
  std::string resolve_mailbox(ImapClient& client);

  SentCopyOptions options_;
  mutable std::mutex mutex_;
  std::unique_ptr<ImapClient> client_;
  std::string mailbox_;
};

}  // namespace mailwire
