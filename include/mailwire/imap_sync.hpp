#pragma once

/// \file
/// What changed in an IMAP mailbox since the last run: new messages, flag changes, expunged
/// messages, or a new UIDVALIDITY; the state kept in a small file between runs.

#include <mailwire/export.hpp>
#include <mailwire/imap_client.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace mailwire {

/// One change sync() found.
struct MailboxChange {
  /// What changed.
  enum class Kind {
    New,       ///< a message not seen before; `flags` are its flags now
    Flags,     ///< a known message's flags changed; `flags` are its flags now
    Vanished,  ///< a known message was expunged
    Reset,     ///< UIDVALIDITY changed to `uid_validity`: every UID known before is void, and
               ///< every message of the mailbox follows as New
  };
  Kind kind = Kind::New;           ///< what changed
  std::uint32_t uid = 0;           ///< the message (not for Reset)
  std::uint32_t uid_validity = 0;  ///< the mailbox's UIDVALIDITY
  std::vector<std::string> flags;  ///< New and Flags: the flags, sorted, without \\Recent
};

/// How sync() asks the server.
enum class SyncMethod {
  Auto,       ///< QRESYNC when the server offers it, else CONDSTORE, else Plain
  QResync,    ///< SELECT (QRESYNC ...): the server says what vanished and changed (RFC 7162)
  CondStore,  ///< FETCH (CHANGEDSINCE modseq) for flags, UID SEARCH ALL for what vanished
  Plain,      ///< UID FETCH 1:* (FLAGS): every UID and its flags compared with the state
};

/// Settings of MailboxSync::sync().
struct MailboxSyncOptions {
  /// The method; Auto picks the best the server offers, and a method the server lacks falls
  /// back to the next one (a state without HIGHESTMODSEQ is always read by Plain).
  SyncMethod method = SyncMethod::Auto;
  /// Called for each change, in order (Reset first, then New by UID, Flags, Vanished), before
  /// the state records it. The output step goes here (saving a new message with
  /// ImapClient::fetch_section(), which may be called from it). When it throws, sync() stops
  /// and throws that: the state keeps every change handed over before, so the next run
  /// starts with this one again.
  std::function<void(const MailboxChange&)> on_change;
};

/// What sync() did.
struct MailboxSyncResult {
  std::vector<MailboxChange> changes;     ///< every change, as on_change saw them
  SyncMethod method = SyncMethod::Plain;  ///< the method used (never Auto)
  std::uint32_t uid_validity = 0;         ///< the mailbox's UIDVALIDITY
  bool first_run = false;                 ///< there was no state: every message is New
};

/// The state of one mailbox between runs, as loaded from (and saved to) the state file.
struct MailboxSyncState {
  std::string mailbox;               ///< the mailbox name (UTF-8)
  std::uint32_t uid_validity = 0;    ///< 0: no state yet
  std::uint32_t uid_next = 0;        ///< every UID below it was seen (or expunged before)
  std::uint64_t highest_modseq = 0;  ///< 0: none known (no CONDSTORE)
  std::map<std::uint32_t, std::vector<std::string>> uids;  ///< known UIDs and their flags
};

/// An incremental synchronisation of one mailbox with a state file: each sync() reports what
/// changed since the previous one and records it.
///
/// The state file is small text: a snapshot written atomically at the end of each sync (a
/// temporary file, fsync, rename over the old one, fsync of the directory), and during a
/// sync one line appended and fsynced after each change on_change took (a line cut by a
/// crash is ignored when read). UIDNEXT and HIGHESTMODSEQ move only in the final snapshot,
/// so a run killed at any moment is resumed by the next: a change is handed to on_change
/// until a run has recorded it (at most the one change in hand when the process died is
/// handed over again), and none is missed. An output step that overwrites its result
/// atomically (a file named after the UID, renamed into place) therefore produces every
/// message once.
///
/// Not thread-safe; one process per state file (a second one at the same time is not
/// detected).
class MAILWIRE_API MailboxSync {
 public:
  /// A sync of `mailbox` whose state lives in `state_file` (created by the first sync()).
  MailboxSync(std::string mailbox, std::string state_file);

  /// Selects the mailbox (read-write when QRESYNC or CONDSTORE is used, so that the server
  /// enables them; flags are not changed) and reports every change since the last run. The
  /// first run (no state file) reports every message as New. A state file of another mailbox
  /// or one that cannot be read is Error(usage) or Error(io); IMAP errors are thrown as they
  /// come. The mailbox stays selected afterwards.
  MailboxSyncResult sync(ImapClient& client, const MailboxSyncOptions& options = {});

  /// The state as last loaded or saved.
  const MailboxSyncState& state() const noexcept { return state_; }

  /// Reads a state file; a missing file gives an empty state (uid_validity 0). Error(io) when
  /// it cannot be read, Error(protocol) when it is not a state file.
  static MailboxSyncState load_state(const std::string& state_file);

 private:
  std::string state_file_;
  MailboxSyncState state_;
};

}  // namespace mailwire
