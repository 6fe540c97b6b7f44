#pragma once

/// \file
/// Mailbox-level untagged data: LIST/LSUB (RFC 3501 7.2.2, RFC 5258 LIST-EXTENDED, RFC 6154
/// SPECIAL-USE), STATUS (7.2.4), NAMESPACE (RFC 2342), QUOTA/QUOTAROOT (RFC 9208),
/// SEARCH (7.2.5), ESEARCH (RFC 4731), VANISHED (RFC 7162), ID (RFC 2971).

#include <mailwire/export.hpp>
#include <mailwire/imap/sequence_set.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mailwire::imap {

/// One LIST or LSUB line. A name that is not valid modified UTF-7 is kept as sent in
/// `mailbox` too (servers without UTF-7 support send raw 8-bit names); "INBOX" in any case is
/// normalised to "INBOX" in both names.
struct MAILWIRE_API ListData {
  bool lsub = false;                    ///< an LSUB response rather than LIST
  std::vector<std::string> attributes;  ///< "\HasNoChildren", "\Sent", ... as sent
  char delimiter = 0;                   ///< hierarchy delimiter; 0 for NIL (flat)
  std::string mailbox;                  ///< decoded to UTF-8 (modified UTF-7 unless UTF8=ACCEPT)
  std::string raw_mailbox;              ///< the name as on the wire
  std::vector<std::string> child_info;  ///< CHILDINFO ("SUBSCRIBED")
  std::optional<std::string> old_name;  ///< OLDNAME (RFC 5465), decoded
  std::vector<std::pair<std::string, std::string>> extended;  ///< other extended items, raw

  /// True when `attribute` ("\Noselect", "\Junk") is present, case-insensitively.
  bool has(std::string_view attribute) const;
};

/// A STATUS response (RFC 3501 section 7.2.4). Absent items are nullopt; items this parser
/// does not know (MAILBOXID, ...) are skipped. A 32-bit item above 2^32-1 is
/// Errc::protocol.
struct StatusData {
  std::string mailbox;  ///< decoded to UTF-8 like ListData::mailbox
  /// \var messages
  /// MESSAGES: number of messages in the mailbox.
  /// \var recent
  /// RECENT: number of messages with the `\Recent` flag (IMAP4rev1 only).
  /// \var uid_next
  /// UIDNEXT: the next UID predicted.
  /// \var uid_validity
  /// UIDVALIDITY of the mailbox.
  /// \var unseen
  /// UNSEEN: number of messages without `\Seen`.
  /// \var deleted
  /// DELETED: number of messages with `\Deleted` (RFC 9051).
  std::optional<std::uint32_t> messages, recent, uid_next, uid_validity, unseen, deleted;
  /// \var highest_modseq
  /// HIGHESTMODSEQ (RFC 7162).
  /// \var size
  /// SIZE: total size of the mailbox in octets (RFC 8438).
  std::optional<std::uint64_t> highest_modseq, size;
  /// APPENDLIMIT (RFC 7889): the largest message the mailbox accepts, in octets; none when
  /// not asked for or NIL (no limit).
  std::optional<std::uint64_t> append_limit;
};

/// One namespace of a NAMESPACE response (RFC 2342).
struct Namespace {
  std::string prefix;  ///< the prefix ("INBOX.", ""), decoded to UTF-8 when valid UTF-7
  char delimiter = 0;  ///< hierarchy delimiter; 0 for NIL
};

/// NAMESPACE (RFC 2342): personal, other users', shared. A NIL class is an empty list.
struct NamespaceData {
  /// \var personal
  /// The user's own namespaces.
  /// \var other_users
  /// Namespaces of other users' mailboxes.
  /// \var shared
  /// Shared namespaces.
  std::vector<Namespace> personal, other_users, shared;
};

/// One resource of a QUOTA response (RFC 9208 section 5).
struct QuotaResource {
  std::string name;         ///< upper-cased: "STORAGE" (units of 1024 octets), "MESSAGE", ...
  std::uint64_t usage = 0;  ///< current usage, in the resource's unit
  std::uint64_t limit = 0;  ///< the limit, in the resource's unit
};
/// QUOTA (RFC 9208): a quota root and its resources.
struct QuotaData {
  std::string root;                      ///< the quota root's name as sent (not decoded)
  std::vector<QuotaResource> resources;  ///< in server order
};
/// QUOTAROOT (RFC 9208): the mailbox and its quota roots.
struct QuotaRootData {
  std::string mailbox;             ///< decoded to UTF-8 like ListData::mailbox
  std::vector<std::string> roots;  ///< quota root names as sent; may be empty
};

/// SEARCH (and SORT-like) results: numbers, and MODSEQ when CONDSTORE added one.
struct SearchData {
  std::vector<std::uint32_t> numbers;   ///< sequence numbers or UIDs, in server order
  std::optional<std::uint64_t> modseq;  ///< `(MODSEQ n)`: highest mod-sequence (RFC 7162)
};

/// ESEARCH (RFC 4731, RFC 9051 7.3.4). Return data this parser does not know is skipped.
struct ESearchData {
  std::string tag;   ///< the correlator's tag, empty when absent
  bool uid = false;  ///< UID: the numbers are UIDs
  /// \var min
  /// MIN: the lowest matching number.
  /// \var max
  /// MAX: the highest matching number.
  /// \var count
  /// COUNT: how many messages match.
  std::optional<std::uint32_t> min, max, count;
  std::optional<SequenceSet> all;       ///< ALL: every matching number
  std::optional<std::uint64_t> modseq;  ///< MODSEQ (RFC 7162)
};

/// VANISHED (RFC 7162 section 3.2.10): UIDs of expunged messages.
struct VanishedData {
  /// `(EARLIER)`: the UIDs were expunged earlier (an answer to SELECT with QRESYNC or to
  /// UID FETCH with VANISHED) and message sequence numbers do not change. Without it the
  /// messages were expunged just now, as by EXPUNGE responses.
  bool earlier = false;
  SequenceSet uids;  ///< the UIDs that vanished
};

/// ID response (RFC 2971): field/value pairs; NIL values become empty.
struct IdData {
  std::vector<std::pair<std::string, std::string>> fields;  ///< in server order; empty for NIL
};

}  // namespace mailwire::imap
