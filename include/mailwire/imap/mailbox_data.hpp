#pragma once

/// \file
/// Mailbox-level untagged data: LIST/LSUB (RFC 3501 7.2.2, RFC 5258 LIST-EXTENDED, RFC 6154
/// SPECIAL-USE), STATUS (7.2.4), NAMESPACE (RFC 2342), QUOTA/QUOTAROOT (RFC 9208),
/// SEARCH (7.2.5), ESEARCH (RFC 4731), VANISHED (RFC 7162), ID (RFC 2971).

#include <mailwire/imap/sequence_set.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mailwire::imap {

/// One LIST or LSUB line.
struct ListData {
  bool lsub = false;
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

/// A STATUS response. Absent items are nullopt.
struct StatusData {
  std::string mailbox;  ///< decoded
  std::optional<std::uint32_t> messages, recent, uid_next, uid_validity, unseen, deleted;
  std::optional<std::uint64_t> highest_modseq, size;
};

/// One namespace of a NAMESPACE response.
struct Namespace {
  std::string prefix;
  char delimiter = 0;
};

/// NAMESPACE: personal, other users', shared.
struct NamespaceData {
  std::vector<Namespace> personal, other_users, shared;
};

/// One QUOTA response: a root and its resources (name, usage, limit).
struct QuotaResource {
  std::string name;
  std::uint64_t usage = 0;
  std::uint64_t limit = 0;
};
struct QuotaData {
  std::string root;
  std::vector<QuotaResource> resources;
};
/// QUOTAROOT: the mailbox and its quota roots.
struct QuotaRootData {
  std::string mailbox;
  std::vector<std::string> roots;
};

/// SEARCH (and SORT-like) results: numbers, and MODSEQ when CONDSTORE added one.
struct SearchData {
  std::vector<std::uint32_t> numbers;
  std::optional<std::uint64_t> modseq;
};

/// ESEARCH (RFC 4731, RFC 9051 7.3.4).
struct ESearchData {
  std::string tag;  ///< the correlator's tag, empty when absent
  bool uid = false;
  std::optional<std::uint32_t> min, max, count;
  std::optional<SequenceSet> all;
  std::optional<std::uint64_t> modseq;
};

/// VANISHED (RFC 7162 section 3.2.10).
struct VanishedData {
  bool earlier = false;
  SequenceSet uids;
};

/// ID response (RFC 2971): field/value pairs; NIL values become empty.
struct IdData {
  std::vector<std::pair<std::string, std::string>> fields;
};

}  // namespace mailwire::imap
