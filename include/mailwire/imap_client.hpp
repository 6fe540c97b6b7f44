#pragma once

/// \file
/// IMAP client (RFC 3501 / RFC 9051) over the sans-I/O codec: STARTTLS, LOGIN and AUTHENTICATE,
/// mailboxes, search, fetch (bodies streamed in bounded memory), store, copy/move, append.

#include <mailwire/export.hpp>
#include <mailwire/imap/capabilities.hpp>
#include <mailwire/imap/fetch_data.hpp>
#include <mailwire/imap/fetch_items.hpp>
#include <mailwire/imap/mailbox_data.hpp>
#include <mailwire/imap/search_query.hpp>
#include <mailwire/imap/sequence_set.hpp>
#include <mailwire/message_source.hpp>
#include <mailwire/mime/builder.hpp>
#include <mailwire/net/security.hpp>
#include <mailwire/net/stream.hpp>
#include <mailwire/net/tcp_transport.hpp>
#include <mailwire/net/tls_options.hpp>
#include <mailwire/progress.hpp>
#include <mailwire/protocol_log.hpp>
#include <mailwire/sasl.hpp>

#include <chrono>
#include <cstdint>
#include <ctime>
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
  TlsOptions tls;  ///< certificate verification (on by default), CA, pins, client certificate
  ConnectOptions connect;  ///< resolution and connect deadline
  /// Deadline of each command (its responses included); bodies get more, by size.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  /// Bodies and literals get `timeout` plus one second per this many octets received (or, for
  /// append(), sent), so a large transfer may take longer but a drip cannot hold a command
  /// open forever.
  std::uint64_t min_transfer_rate = 16 * 1024;
  /// Allow LOGIN / AUTHENTICATE over an unencrypted connection (Error(usage) otherwise).
  bool allow_plaintext_auth = false;
  ProtocolLog log;             ///< receives both directions of the session, when set
  bool redact_secrets = true;  ///< passwords, tokens and SASL payloads show as "****" in `log`
  std::size_t max_line = 256 * 1024;               ///< one response line
  std::uint64_t max_literal_in_memory = 64 << 20;  ///< larger literals only to a sink
  std::size_t max_response = 256 << 20;  ///< one response, literals held in memory included
  /// The most numbers expanded from the ranges a server sends, in total per call: an ESEARCH
  /// ALL set in search() ("1:4000000000" would otherwise be 16 GB), the VANISHED ranges and
  /// EXPUNGE responses in expunge() ("* VANISHED 1:999999" is 20 bytes and a million UIDs).
  /// More is Error(limit) (from expunge() with Reason::reply_too_large).
  std::size_t max_search_results = 10'000'000;
  std::size_t max_depth = 64;          ///< parenthesis nesting in one response (BODYSTRUCTURE)
  std::size_t max_items = 1'000'000;   ///< list elements and numbers in one response
  std::size_t max_literals = 100'000;  ///< literals in one response
  /// Capabilities to act as if the server lacked ("MOVE", "BINARY", "LITERAL+"), for servers
  /// whose extensions are broken. Compared case-insensitively.
  std::vector<std::string> disabled_capabilities;
};

/// The state of the selected mailbox, kept up to date from untagged responses.
struct MailboxInfo {
  std::string name;                ///< as given to select(); empty when none is selected
  std::uint32_t exists = 0;        ///< messages in the mailbox (EXISTS, EXPUNGE, VANISHED)
  std::uint32_t recent = 0;        ///< RECENT (IMAP4rev1 only)
  std::uint32_t uid_validity = 0;  ///< UIDVALIDITY: UIDs are valid while it is unchanged
  std::uint32_t uid_next = 0;      ///< UIDNEXT: the UID the next message will get
  std::vector<std::string> flags;  ///< FLAGS: the flags the mailbox knows
  std::vector<std::string> permanent_flags;     ///< PERMANENTFLAGS ("\*": new keywords allowed)
  bool read_only = false;                       ///< EXAMINE, or [READ-ONLY]
  std::optional<std::uint64_t> highest_modseq;  ///< CONDSTORE; raised by each MODSEQ seen
  bool no_modseq = false;                       ///< [NOMODSEQ]: the mailbox keeps none
  /// SELECT with QRESYNC only: UIDs expunged since the caller's modseq (VANISHED (EARLIER)),
  /// and the messages whose flags changed (FETCH with UID, FLAGS and MODSEQ).
  imap::SequenceSet vanished;
  std::vector<imap::FetchData> changed;  ///< see `vanished`
};

/// How select() opens a mailbox.
struct SelectOptions {
  bool read_only = false;  ///< EXAMINE instead of SELECT
  bool condstore = false;  ///< (CONDSTORE): MODSEQ tracking (RFC 7162 section 3.1)
  /// (QRESYNC (uidvalidity modseq [known-uids])): quick resynchronisation (RFC 7162 section
  /// 3.2). The client sends ENABLE QRESYNC first when it has not yet. When `uid_validity` still
  /// matches, MailboxInfo::vanished and MailboxInfo::changed say what happened since `modseq`.
  struct QResync {
    std::uint32_t uid_validity = 0;  ///< the UIDVALIDITY the caller's cache is for
    std::uint64_t modseq = 0;        ///< the HIGHESTMODSEQ the caller last saw
    imap::SequenceSet known_uids;    ///< optional: limits the VANISHED report to these
  };
  std::optional<QResync> qresync;  ///< see QResync
};

/// A change of the selected mailbox as the server reported it, during any command.
struct MailboxEvent {
  /// What changed.
  enum class Kind {
    Exists,       ///< `number` is the new message count
    Expunge,      ///< `number` is the sequence number removed (later ones shift down)
    Vanished,     ///< `uids` were expunged (QRESYNC); `earlier` for a resync report
    Flags,        ///< message `number` (and `uid` when sent) now has `flags`
    UidValidity,  ///< the mailbox's UIDVALIDITY changed to `number`: cached UIDs are void
  };
  Kind kind = Kind::Exists;             ///< what changed
  std::uint32_t number = 0;             ///< count, sequence number or UIDVALIDITY (see Kind)
  std::optional<std::uint32_t> uid;     ///< Flags: the UID, when the server sent it
  std::vector<std::string> flags;       ///< Flags: the message's flags now
  std::optional<std::uint64_t> modseq;  ///< Flags: the MODSEQ, with CONDSTORE
  imap::SequenceSet uids;               ///< Vanished: the UIDs expunged
  bool earlier = false;                 ///< Vanished: a resynchronisation report (EARLIER)
};

/// LIST-EXTENDED (RFC 5258), SPECIAL-USE (RFC 6154) and LIST-STATUS (RFC 5819) options.
struct ListOptions {
  /// Selection options: "SUBSCRIBED", "SPECIAL-USE", "RECURSIVEMATCH", "REMOTE".
  std::vector<std::string> select;
  /// Return options: "SUBSCRIBED", "CHILDREN", "SPECIAL-USE".
  std::vector<std::string> return_options;
  /// LIST-STATUS: status items to return for each mailbox ("MESSAGES UNSEEN"), each an atom;
  /// empty for none.
  std::string status_items;
};

/// A mailbox from list_extended(), with its STATUS when asked (LIST-STATUS).
struct ListEntry {
  imap::ListData mailbox;                  ///< the LIST response
  std::optional<imap::StatusData> status;  ///< its STATUS, with ListOptions::status_items
};

/// The result of search(): the matching numbers (UIDs for a UID search) and, from ESEARCH
/// when the server offers it (else computed here), their minimum, maximum and count.
struct SearchResult {
  std::vector<std::uint32_t> numbers;   ///< ascending
  std::optional<std::uint32_t> min;     ///< the lowest match, none when nothing matched
  std::optional<std::uint32_t> max;     ///< the highest match, none when nothing matched
  std::uint32_t count = 0;              ///< how many matched
  std::optional<std::uint64_t> modseq;  ///< highest MODSEQ of the matches (CONDSTORE)
};

/// The result of store(): the FETCH responses it caused (not with `silent`) and, with
/// UNCHANGEDSINCE, the messages not changed because they had changed meanwhile (MODIFIED).
struct StoreResult {
  std::vector<imap::FetchData> updated;  ///< the flags after the change, per message
  imap::SequenceSet modified;            ///< not stored (UNCHANGEDSINCE failed for these)
};

/// One message for ImapClient::append(), streamed as an IMAP literal in chunks: its size is
/// known before its first byte is sent, and `write` then produces exactly that many octets.
/// The factories cover bytes in memory, a file, a MessageSource (a caller's read callback
/// included) and a mime::MessageBuilder; a caller may also set `size` and `write` itself.
struct MAILWIRE_API AppendMessage {
  std::uint64_t size = 0;  ///< octets `write` produces
  /// Produces the message into the sink, in chunks of any size. Another count of octets than
  /// `size` fails the append with Error(io) (the connection is then closed).
  std::function<void(const ByteSink& sink)> write;
  std::vector<std::string> flags;  ///< flags the stored message gets (`\Seen`); none if empty
  std::optional<std::time_t> internal_date;  ///< the time it is filed under (UTC); now if none

  /// Bytes in memory, borrowed: they must outlive the append.
  static AppendMessage from_bytes(std::string_view bytes);
  /// A file, opened now (Error(io) when it cannot be) and read in chunks while it is sent.
  static AppendMessage from_file(const std::string& path);
  /// A MessageSource, borrowed (it must outlive the append), read once from its start;
  /// MessageSource::from_callback() makes one of a caller's read callback.
  static AppendMessage from_source(MessageSource& source);
  /// A message being built, borrowed (it must outlive the append): written once now to count
  /// its octets, then again while it is sent, so it is never held in memory whole. The
  /// builder's Message-ID is fixed by the first write; a builder without date() would put a
  /// different Date in the second write, which fails the append (Error(io)) if it changes the
  /// size (a day of the month gaining a digit at midnight), so set date() for a sent copy.
  static AppendMessage from_builder(const mime::MessageBuilder& message,
                                    const mime::WriteOptions& options = {});
};

/// An IMAP session: one connection, not thread-safe (cancel() excepted).
///
/// UIDs: every call whose numbers are UIDs is named `uid_*` (uid_search, uid_fetch,
/// uid_store, uid_store_flags, uid_copy, uid_move, uid_expunge). Calls without the prefix
/// (fetch(), store()) take sequence numbers unless their options' `uid` field (the codec's
/// spelling, imap::FetchOptions / imap::StoreOptions) says otherwise. The `bool uid`
/// parameters of search() and of the string form of fetch() are the older spelling, kept for
/// existing callers; new code uses the `uid_` calls.
///
/// Every command waits for its own tagged completion; a tagged response with any other tag is
/// Error(protocol). NO is Error(rejected) with the response code in diagnostics()
/// (TRYCREATE, OVERQUOTA, ...), BAD is Error(protocol).
class MAILWIRE_API ImapClient {
 public:
  /// A client that is not connected yet.
  explicit ImapClient(ImapOptions options = {});
  ~ImapClient();
  ImapClient(const ImapClient&) = delete;
  ImapClient& operator=(const ImapClient&) = delete;
  /// Takes over `other`'s session; `other` may then only be destroyed or assigned to.
  ImapClient(ImapClient&& other) noexcept;
  /// Closes this client's session (without LOGOUT) and takes over `other`'s.
  ImapClient& operator=(ImapClient&& other) noexcept;

  /// Connects and secures the connection (port 0: 993 for implicit TLS, else 143). A PREAUTH
  /// greeting while STARTTLS is required is Error(tls): the session would stay in plaintext.
  void connect(const std::string& host, std::uint16_t port = 0);
  /// Same over a transport the caller connected (a proxy, a test peer); `host` is the name
  /// the certificate must carry. Security::Auto means STARTTLS required here.
  void connect(std::unique_ptr<Transport> transport, const std::string& host);

  /// The settings given to the constructor (no call changes them).
  const ImapOptions& options() const noexcept;
  /// The capabilities in force (asked again after STARTTLS and after login).
  const imap::CapabilitySet& capabilities() const noexcept { return caps_; }
  /// Whether the server offers `name` (case-insensitive), minus ImapOptions::disabled_capabilities.
  bool has_capability(const std::string& name) const;
  /// Whether the session runs over TLS.
  bool is_encrypted() const noexcept;
  /// The TLS session (version, cipher, verified certificate), or nullopt in plaintext.
  std::optional<TlsInfo> tls_info() const;

  /// LOGIN, or AUTHENTICATE with the strongest SASL mechanism when the server offers one
  /// (always when it says LOGINDISABLED). Credentials never over plaintext unless allowed.
  void login(const std::string& user, const std::string& password);
  /// AUTHENTICATE with `mechanism`, or the strongest one both sides have (SASL-IR when
  /// offered). Error(auth) when refused or when the server's challenges are bad (cancelled
  /// with "*"), Error(usage) over plaintext without allow_plaintext_auth. A SCRAM server that
  /// cannot prove it knows the password: Error(auth), fatal, the connection closed. With
  /// credentials.refresh_oauth2_token, a refused token is refreshed and tried once more.
  void authenticate(const SaslCredentials& credentials, std::string_view mechanism = {});

  /// LIST reference pattern.
  std::vector<imap::ListData> list(const std::string& reference = "",
                                   const std::string& pattern = "*");
  /// LIST with selection and return options (LIST-EXTENDED), several patterns, and the STATUS
  /// of each mailbox in the same round trip (LIST-STATUS). Error(rejected) when an option needs
  /// an extension the server lacks.
  std::vector<ListEntry> list_extended(const std::string& reference,
                                       const std::vector<std::string>& patterns,
                                       const ListOptions& options);
  /// LSUB (subscribed mailboxes, RFC 3501; LIST (SUBSCRIBED) in newer servers).
  std::vector<imap::ListData> lsub(const std::string& reference = "",
                                   const std::string& pattern = "*");
  /// STATUS of a mailbox that need not be selected; `items` are status attributes separated by
  /// spaces, each an atom (Error(usage) otherwise, before any byte is sent).
  imap::StatusData status(const std::string& mailbox,
                          const std::string& items = "MESSAGES UNSEEN UIDNEXT UIDVALIDITY");
  /// SELECT: opens `mailbox` read-write; Error(rejected) when it does not exist. Returns a
  /// snapshot of the mailbox's state after the SELECT (a copy: later commands do not change
  /// it; mailbox() is the live state).
  MailboxInfo select(const std::string& mailbox);
  /// SELECT or EXAMINE with CONDSTORE / QRESYNC parameters (see SelectOptions). Error(rejected)
  /// when the server lacks the extension asked for. Returns a snapshot, as select() above.
  MailboxInfo select(const std::string& mailbox, const SelectOptions& options);
  /// EXAMINE: opens `mailbox` read-only (flags do not change, \\Recent stays). Returns a
  /// snapshot, as select() does.
  MailboxInfo examine(const std::string& mailbox);
  /// The selected mailbox's state, kept up to date from untagged responses: a reference to
  /// the live state, which every later command may change.
  const MailboxInfo& mailbox() const noexcept { return mailbox_; }
  /// The first mailbox with the SPECIAL-USE attribute `attribute` ("\\Archive", "\\Sent",
  /// "\\Drafts", "\\Junk", "\\Trash", "\\All", "\\Flagged"; RFC 6154), compared
  /// case-insensitively, or nullopt. Asks LIST "" "*" RETURN (SPECIAL-USE) when the server
  /// offers SPECIAL-USE, else a plain LIST (some servers send the attributes anyway).
  std::optional<std::string> find_special_use(const std::string& attribute);
  /// CREATE (names in UTF-8; modified UTF-7 on the wire unless UTF8=ACCEPT is enabled).
  void create(const std::string& mailbox);
  /// DELETE.
  void delete_mailbox(const std::string& mailbox);
  /// RENAME.
  void rename(const std::string& from, const std::string& to);
  /// SUBSCRIBE.
  void subscribe(const std::string& mailbox);
  /// UNSUBSCRIBE.
  void unsubscribe(const std::string& mailbox);
  /// Leaves the selected mailbox without expunging (UNSELECT, RFC 3691; CLOSE when absent only
  /// for a read-only mailbox, where it cannot expunge anything).
  void unselect();
  /// CLOSE: expunges \\Deleted messages of the selected mailbox and leaves it.
  void close_mailbox();
  /// UID EXPUNGE of exactly `uids` (UIDPLUS); Error(rejected) without UIDPLUS, never a plain
  /// EXPUNGE that would remove other messages.
  void uid_expunge(const std::vector<std::uint32_t>& uids);
  /// EXPUNGE: removes *every* message marked \\Deleted in the selected mailbox (also those
  /// another client marked). Returns the sequence numbers (or, with QRESYNC, the UIDs) removed.
  /// More than ImapOptions::max_search_results of them is Error(limit) (the connection stays
  /// usable; the messages are gone all the same).
  std::vector<std::uint32_t> expunge();
  /// ID (RFC 2971): sends ours, returns the server's fields.
  std::vector<std::pair<std::string, std::string>> id(
      const std::vector<std::pair<std::string, std::string>>& ours = {{"name", "mailwire"}});
  /// ENABLE (RFC 5161); "UTF8=ACCEPT" switches mailbox names to UTF-8. Returns what was enabled.
  std::vector<std::string> enable(const std::vector<std::string>& extensions);
  /// NAMESPACE (RFC 2342): the personal, other users' and shared prefixes.
  imap::NamespaceData namespaces();
  /// GETQUOTAROOT (RFC 9208): the quotas of the roots of `mailbox`.
  std::vector<imap::QuotaData> quota_root(const std::string& mailbox);

  /// UID SEARCH with criteria in IMAP syntax ("UNSEEN SINCE 1-Jan-2026"); each of `arguments`
  /// is appended as a quoted string or literal (CHARSET UTF-8 when one is not ASCII).
  std::vector<std::uint32_t> uid_search(const std::string& criteria,
                                        const std::vector<std::string>& arguments = {});
  /// SEARCH (UID SEARCH when `uid`) with a typed query; CHARSET UTF-8 when a string needs it,
  /// ESEARCH (RETURN (MIN MAX COUNT ALL)) when offered, so large results travel compactly.
  /// Older spelling: prefer uid_search(query) (same as `uid` true).
  SearchResult search(const imap::SearchKey& query, bool uid = true);
  /// UID SEARCH with a typed query, as search() above: the matching UIDs.
  SearchResult uid_search(const imap::SearchKey& query);
  /// UID FETCH of `uids` with typed items (`options.uid` is implied); otherwise as fetch().
  void uid_fetch(const imap::SequenceSet& uids, const std::vector<imap::FetchItem>& items,
                 const imap::FetchOptions& options,
                 const std::function<void(const imap::FetchData&)>& on_message,
                 const ByteSink& body_sink = {});
  /// UID STORE on `uids` (`options.uid` is implied); otherwise as store().
  StoreResult uid_store(const imap::SequenceSet& uids, imap::StoreMode mode,
                        const std::vector<std::string>& flags,
                        const imap::StoreOptions& options = {});
  /// FETCH with typed items and options (UID FETCH, CHANGEDSINCE, VANISHED); otherwise as
  /// fetch() below.
  void fetch(const imap::SequenceSet& set, const std::vector<imap::FetchItem>& items,
             const imap::FetchOptions& options,
             const std::function<void(const imap::FetchData&)>& on_message,
             const ByteSink& body_sink = {});
  /// One MIME part of message `uid` (section "2", "1.3") streamed to `sink` as its original
  /// bytes: BINARY.PEEK when the server offers BINARY (it decodes), else BODY.PEEK decoded here
  /// by `transfer_encoding` (base64, quoted-printable; others pass through). Returns the
  /// decoded size; `progress` sees the bytes received.
  std::uint64_t fetch_part(std::uint32_t uid, const std::string& section,
                           const std::string& transfer_encoding, const ByteSink& sink,
                           const ProgressCallback& progress = {});
  /// STORE (UID STORE with options.uid): replace, add or remove `flags`; with
  /// options.unchanged_since, messages changed since are left alone and listed in
  /// StoreResult::modified (CONDSTORE).
  StoreResult store(const imap::SequenceSet& set, imap::StoreMode mode,
                    const std::vector<std::string>& flags, const imap::StoreOptions& options);
  /// UID COPY to `target`; returns the new UIDs in order when the server says (COPYUID).
  std::vector<std::uint32_t> uid_copy(const std::vector<std::uint32_t>& uids,
                                      const std::string& target);
  /// UID FETCH of `items` ("(FLAGS UID RFC822.SIZE ENVELOPE BODYSTRUCTURE)"). `items`, like
  /// every string in IMAP syntax here (fetch(), uid_search() criteria), is checked as
  /// Command::raw() checks it: Error(usage) before any byte when it would open a literal or
  /// leave a parenthesis, bracket or quoted string open.
  std::vector<imap::FetchData> uid_fetch(const std::vector<std::uint32_t>& uids,
                                         const std::string& items);
  /// Older spelling (the bool): prefer uid_fetch(), or fetch() with imap::FetchOptions.
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
  /// Moves messages: UID MOVE (RFC 6851), else COPY + STORE \\Deleted + UID EXPUNGE of exactly
  /// those UIDs (UIDPLUS); never a plain EXPUNGE, which would remove other messages.
  void uid_move(const std::vector<std::uint32_t>& uids, const std::string& target);
  /// As uid_move() above; with `create_if_missing`, a refusal with [TRYCREATE] (the target
  /// does not exist, RFC 3501 section 6.4.7) is answered by CREATE `target` and the move is
  /// tried once more. A refusal without TRYCREATE is thrown as it is.
  void uid_move(const std::vector<std::uint32_t>& uids, const std::string& target,
                bool create_if_missing);
  /// APPEND; returns the new UID when the server says (APPENDUID).
  std::optional<std::uint32_t> append(const std::string& mailbox, std::string_view message,
                                      const std::vector<std::string>& flags = {});
  /// APPEND with an internal date (the time the message is filed under; UTC).
  std::optional<std::uint32_t> append(const std::string& mailbox, std::string_view message,
                                      const std::vector<std::string>& flags,
                                      std::time_t internal_date);
  /// APPEND (RFC 3501 section 6.3.11) of a message streamed in chunks, so memory stays bounded
  /// whatever its size: `{n+}` without waiting with LITERAL+ (or LITERAL- up to 4096 octets),
  /// else after the server's "+" (a NO or BAD instead: not a byte of the message sent). The
  /// deadline grows with the octets sent (ImapOptions::min_transfer_rate); `progress` sees the
  /// octets sent and the total. A message larger than the server's APPENDLIMIT (RFC 7889; the
  /// capability's value, else the mailbox's STATUS) is Error(rejected,
  /// Reason::message_too_large) before any byte. Errors carry a Phase: `envelope` (nothing of
  /// the message sent), `data` (cut within the message: the server discards an incomplete
  /// literal, so the append did not happen; the connection is closed), `after_data` (sent
  /// whole, no reply: Reason::delivery_unknown, it may have been stored), `done` (the server
  /// refused it: NO [TRYCREATE] when the mailbox does not exist). Returns the new UID when the
  /// server says (APPENDUID, UIDPLUS).
  std::optional<std::uint32_t> append(const std::string& mailbox, const AppendMessage& message,
                                      const ProgressCallback& progress = {});
  /// Several messages to one mailbox: one MULTIAPPEND command (RFC 3502: all stored, or none)
  /// when the server offers it, else one APPEND each, in order (an error then leaves the
  /// earlier ones stored). Otherwise as the single append(); `progress` counts the octets of
  /// all the messages. Returns the new UIDs in order when the server gave them for every
  /// message (APPENDUID), else an empty vector.
  std::vector<std::uint32_t> append(const std::string& mailbox,
                                    const std::vector<AppendMessage>& messages,
                                    const ProgressCallback& progress = {});
  /// NOOP: also polls for mailbox changes (they reach on_mailbox_event()).
  void noop();

  /// What IDLE reports: an untagged response of the selected mailbox.
  struct IdleEvent {
    /// What the server reported.
    enum class Kind { Exists, Expunge, Flags, Other };
    Kind kind = Kind::Other;   ///< what the server reported
    std::uint32_t number = 0;  ///< the new message count (Exists) or the expunged sequence number
  };
  /// IDLE (RFC 2177) on the selected mailbox for up to `wait`: calls `on_event` for each change;
  /// it returns true to keep waiting, false to stop. IDLE is re-issued every 28 minutes (servers
  /// drop idle clients after 30). Ends with DONE. Changes the server reports after DONE and
  /// before its tagged OK (RFC 2177 allows that; Cyrus does it) are events too, unless the
  /// caller already returned false. Untagged status responses ("* OK Still here") are not
  /// events. Returns the number of events seen.
  std::size_t idle(std::chrono::milliseconds wait,
                   const std::function<bool(const IdleEvent&)>& on_event);

  /// Calls `handler` for every change of the selected mailbox the server reports, whatever
  /// command is running (NOOP polls for them; IDLE waits). MailboxInfo is already updated
  /// when it is called. The handler must not call back into this client. Empty to stop.
  void on_mailbox_event(std::function<void(const MailboxEvent&)> handler);

  /// LOGOUT and close. Never throws.
  void logout() noexcept;
  /// Closes the connection without LOGOUT.
  void close() noexcept;
  /// From any thread: makes the blocking call in progress fail with Error(cancelled), and every
  /// later one until close() (or logout()). connect() is cancelled at any step (name
  /// resolution, TCP connect, TLS handshake, greeting). Safe while the client's own thread is
  /// in any call, connect() and close() included; it must not race with destruction or a move
  /// of the client.
  void cancel() noexcept;

 private:
  struct Impl;
  friend struct Impl;
  struct Bootstrap;  // IMAP's steps of the shared session bootstrap
  std::uint64_t fetch_part_decoding_here(std::uint32_t uid, const std::string& section,
                                         const std::string& encoding, const ByteSink& sink,
                                         const ProgressCallback& progress);
  std::unique_ptr<Impl> impl_;
  imap::CapabilitySet caps_;
  MailboxInfo mailbox_;
};

}  // namespace mailwire
