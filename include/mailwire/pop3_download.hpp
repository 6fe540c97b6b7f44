#pragma once

/// \file
/// Download a POP3 maildrop into a Maildir without ever losing or duplicating a message.

#include <mailwire/error.hpp>
#include <mailwire/export.hpp>
#include <mailwire/maildir.hpp>
#include <mailwire/pop3_client.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mailwire {

/// What happened to one message of the maildrop.
struct Pop3DownloadEvent {
  /// What was done with the message.
  enum class Action {
    Downloaded,  ///< retrieved and durably delivered into the Maildir
    Known,       ///< already downloaded by an earlier run (state file or Maildir tag)
  };
  Action action = Action::Downloaded;  ///< downloaded now, or known from an earlier run
  std::uint32_t number = 0;            ///< message number in this POP3 session
  /// The UIDL, or "h:<hash>:<size>" (a hash of the header from TOP n 0) when the server has
  /// no UIDL.
  std::string uid;
  std::uint64_t size = 0;  ///< size in octets from LIST
  std::string file;        ///< the Maildir file name (Downloaded only)
};

/// Settings of download_to_maildir().
struct Pop3DownloadOptions {
  /// Delete on the server what is safely on disk (DELE, then QUIT commits).
  bool delete_after = false;
  /// The record of UIDLs already downloaded; empty means "mailwire-pop3-state-<hash of the
  /// account>" inside the Maildir directory (beside tmp/ new/ cur/, where Maildir readers do
  /// not look). One state file per account.
  std::string state_file;
  /// Called for each message (downloaded or known).
  std::function<void(const Pop3DownloadEvent&)> on_message;
  /// Body progress of each retrieval.
  ProgressCallback progress;
};

/// Totals of a run.
struct Pop3DownloadResult {
  std::size_t on_server = 0;   ///< messages in the maildrop at the start
  std::size_t downloaded = 0;  ///< retrieved in this run
  std::size_t known = 0;       ///< skipped: downloaded by an earlier run
  std::size_t deleted = 0;     ///< deleted on the server (QUIT committed it)
};

/// Downloads every message not downloaded before into `maildir`, then QUITs.
///
/// The order of durable steps makes every crash safe: RETR into tmp/, fsync, rename into new/,
/// fsync new/; then the UIDL is appended to the state journal and fsynced; DELE is sent only for
/// messages recorded so, and only QUIT (sent last) makes the server delete. The Maildir file
/// name carries a hash of the account and UIDL ("R<hash>"), so a crash between delivery and the
/// state update is recognised on the next run instead of downloading the message twice.
///
/// Servers without UIDL: the identity of a message is the SHA-256 of its header (TOP n 0) and
/// its size. Without TOP either, leave-on-server mode is refused (Error(usage): new mail cannot
/// be told from old) and delete mode downloads everything, where a crash between delivery and
/// QUIT can duplicate a message (never lose one).
///
/// `client` must be logged in. Errors are thrown as they come (nothing is deleted then: QUIT
/// is never sent after an error).
MAILWIRE_API Pop3DownloadResult download_to_maildir(Pop3Client& client, Maildir& maildir,
                                                    const Pop3DownloadOptions& options = {});

}  // namespace mailwire
