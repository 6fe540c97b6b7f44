#pragma once

/// \file
/// IMAP client (RFC 3501 / RFC 9051) over the sans-I/O codec: STARTTLS, LOGIN and AUTHENTICATE,
/// mailboxes, search, fetch (bodies streamed in bounded memory), store, copy/move, append.

#include <mailwire/export.hpp>
#include <mailwire/imap/capabilities.hpp>
#include <mailwire/imap/fetch_data.hpp>
#include <mailwire/imap/mailbox_data.hpp>
#include <mailwire/net/security.hpp>
#include <mailwire/net/stream.hpp>
#include <mailwire/net/tcp_transport.hpp>
#include <mailwire/net/tls_options.hpp>
#include <mailwire/progress.hpp>
#include <mailwire/protocol_log.hpp>
#include <mailwire/sasl.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mailwire {

/// Settings of an ImapClient.
struct ImapOptions {
  /// Auto: implicit TLS on 993, STARTTLS required on any other port.
  Security security = Security::Auto;
  TlsOptions tls;
  ConnectOptions connect;
  /// Deadline of each command (its responses included); bodies get more, by size.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  std::uint64_t min_transfer_rate = 16 * 1024;
  bool allow_plaintext_auth = false;
  ProtocolLog log;
  bool redact_secrets = true;
  std::size_t max_line = 256 * 1024;               ///< one response line
  std::uint64_t max_literal_in_memory = 64 << 20;  ///< larger literals only to a sink
  std::size_t max_response = 256 << 20;
};

/// The state of the selected mailbox, kept up to date from untagged responses.
struct MailboxInfo {
  std::string name;
  std::uint32_t exists = 0;
  std::uint32_t recent = 0;
  std::uint32_t uid_validity = 0;
  std::uint32_t uid_next = 0;
  std::vector<std::string> flags;
  std::vector<std::string> permanent_flags;
  bool read_only = false;
  std::optional<std::uint64_t> highest_modseq;
};

/// An IMAP session: one connection, not thread-safe (cancel() excepted).
///
/// Every command waits for its own tagged completion; a tagged response with any other tag is
/// Error(protocol). NO is Error(rejected) with the response code in diagnostics()
/// (TRYCREATE, OVERQUOTA, ...), BAD is Error(protocol).
class MAILWIRE_API ImapClient {
 public:
  explicit ImapClient(ImapOptions options = {});
  ~ImapClient();
  ImapClient(const ImapClient&) = delete;
  ImapClient& operator=(const ImapClient&) = delete;
  ImapClient(ImapClient&& other) noexcept;
  ImapClient& operator=(ImapClient&& other) noexcept;

  /// Connects and secures the connection (port 0: 993 for implicit TLS, else 143). A PREAUTH
  /// greeting while STARTTLS is required is Error(tls): the session would stay in plaintext.
  void connect(const std::string& host, std::uint16_t port = 0);
  void connect(std::unique_ptr<Transport> transport, const std::string& host);

  const imap::CapabilitySet& capabilities() const noexcept { return caps_; }
  bool has_capability(const std::string& name) const;
  bool is_encrypted() const noexcept;
  std::optional<TlsInfo> tls_info() const;

  /// LOGIN, or AUTHENTICATE with the strongest SASL mechanism when the server offers one
  /// (always when it says LOGINDISABLED). Credentials never over plaintext unless allowed.
  void login(const std::string& user, const std::string& password);
  void authenticate(const SaslCredentials& credentials, std::string_view mechanism = {});

  /// LIST reference pattern.
  std::vector<imap::ListData> list(const std::string& reference = "",
                                   const std::string& pattern = "*");
  imap::StatusData status(const std::string& mailbox,
                          const std::string& items = "MESSAGES UNSEEN UIDNEXT UIDVALIDITY");
  const MailboxInfo& select(const std::string& mailbox);
  const MailboxInfo& examine(const std::string& mailbox);
  const MailboxInfo& mailbox() const noexcept { return mailbox_; }
  void create(const std::string& mailbox);
  void delete_mailbox(const std::string& mailbox);
  void rename(const std::string& from, const std::string& to);
  void subscribe(const std::string& mailbox);
  void unsubscribe(const std::string& mailbox);
  /// Leaves the selected mailbox without expunging (UNSELECT, RFC 3691; CLOSE when absent only
  /// for a read-only mailbox, where it cannot expunge anything).
  void unselect();
  /// CLOSE: expunges \Deleted messages of the selected mailbox and leaves it.
  void close_mailbox();
  /// UID EXPUNGE of exactly `uids` (UIDPLUS); Error(rejected) without UIDPLUS, never a plain
  /// EXPUNGE that would remove other messages.
  void uid_expunge(const std::vector<std::uint32_t>& uids);
  /// ID (RFC 2971): sends ours, returns the server's fields.
  std::vector<std::pair<std::string, std::string>> id(
      const std::vector<std::pair<std::string, std::string>>& ours = {{"name", "mailwire"}});
  /// ENABLE (RFC 5161); "UTF8=ACCEPT" switches mailbox names to UTF-8. Returns what was enabled.
  std::vector<std::string> enable(const std::vector<std::string>& extensions);
  imap::NamespaceData namespaces();
  /// GETQUOTAROOT (RFC 9208): the quotas of the roots of `mailbox`.
  std::vector<imap::QuotaData> quota_root(const std::string& mailbox);

  /// UID SEARCH with criteria in IMAP syntax ("UNSEEN SINCE 1-Jan-2026"); each of `arguments`
  /// is appended as a quoted string or literal (CHARSET UTF-8 when one is not ASCII).
  std::vector<std::uint32_t> uid_search(const std::string& criteria,
                                        const std::vector<std::string>& arguments = {});
  /// UID FETCH of `items` ("(FLAGS UID RFC822.SIZE ENVELOPE BODYSTRUCTURE)").
  std::vector<imap::FetchData> uid_fetch(const std::vector<std::uint32_t>& uids,
                                         const std::string& items);
  /// FETCH (or UID FETCH when `uid`) of `set` ("1:*", "5,7:9") and `items`: each FETCH response
  /// goes to `on_message` as it arrives. With a `body_sink`, the bytes of body sections
  /// (BODY[...], BINARY[...]) stream there in chunks, in order (their SectionData says
  /// `streamed`), so memory stays bounded however many and large the messages are.
  void fetch(const std::string& set, const std::string& items, bool uid,
             const std::function<void(const imap::FetchData&)>& on_message,
             const ByteSink& body_sink = {});
  /// The whole message (BODY.PEEK[]) or one section ("2", "1.HEADER") streamed to `sink`;
  /// returns its size. Memory stays bounded whatever the size.
  std::uint64_t fetch_section(std::uint32_t uid, const std::string& section, const ByteSink& sink,
                              const ProgressCallback& progress = {});
  /// UID STORE uids +FLAGS.SILENT (flags) (or -FLAGS.SILENT when `add` is false).
  void uid_store_flags(const std::vector<std::uint32_t>& uids,
                       const std::vector<std::string>& flags, bool add = true);
  /// Moves messages: UID MOVE (RFC 6851), else COPY + STORE \Deleted + UID EXPUNGE of exactly
  /// those UIDs (UIDPLUS); never a plain EXPUNGE, which would remove other messages.
  void uid_move(const std::vector<std::uint32_t>& uids, const std::string& target);
  /// APPEND; returns the new UID when the server says (APPENDUID).
  std::optional<std::uint32_t> append(const std::string& mailbox, std::string_view message,
                                      const std::vector<std::string>& flags = {});
  void noop();

  /// What IDLE reports: an untagged response of the selected mailbox.
  struct IdleEvent {
    enum class Kind { Exists, Expunge, Flags, Other };
    Kind kind = Kind::Other;
    std::uint32_t number = 0;  ///< the new message count (Exists) or the expunged sequence number
  };
  /// IDLE (RFC 2177) on the selected mailbox for up to `wait`: calls `on_event` for each change;
  /// it returns true to keep waiting, false to stop. IDLE is re-issued every 28 minutes (servers
  /// drop idle clients after 30). Ends with DONE. Returns the number of events seen.
  std::size_t idle(std::chrono::milliseconds wait,
                   const std::function<bool(const IdleEvent&)>& on_event);

  /// LOGOUT and close. Never throws.
  void logout() noexcept;
  void close() noexcept;
  void cancel() noexcept;

 private:
  struct Impl;
  friend struct Impl;
  std::unique_ptr<Impl> impl_;
  imap::CapabilitySet caps_;
  MailboxInfo mailbox_;
};

}  // namespace mailwire
