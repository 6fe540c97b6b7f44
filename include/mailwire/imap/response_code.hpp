#pragma once

/// \file
/// Response codes, the bracketed `resp-text-code` of a status response
/// (RFC 3501 section 7.1, RFC 9051 section 7.1, RFC 4315, RFC 7162, RFC 5530).

#include <mailwire/imap/sequence_set.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mailwire::imap {

/// Which response code a ResponseCode holds.
enum class ResponseCodeKind {
  None,            ///< no code in the response
  Alert,           ///< ALERT: the text must be shown to the user
  Capability,      ///< CAPABILITY: `atoms` holds the capabilities
  PermanentFlags,  ///< PERMANENTFLAGS: `atoms` holds the flags (`\*` included when sent)
  UidValidity,     ///< UIDVALIDITY: `number`
  UidNext,         ///< UIDNEXT: `number`, the next UID predicted
  Unseen,          ///< UNSEEN: `number`, sequence number of the first unseen message
  HighestModSeq,   ///< HIGHESTMODSEQ: `number` (RFC 7162)
  NoModSeq,        ///< NOMODSEQ: the mailbox keeps no mod-sequences (RFC 7162)
  AppendUid,       ///< APPENDUID: `uid_validity`, `dest_uids` (RFC 4315)
  CopyUid,         ///< COPYUID: `uid_validity`, `source_uids`, `dest_uids` (RFC 4315)
  TryCreate,       ///< TRYCREATE: the target mailbox does not exist; CREATE may help
  OverQuota,       ///< OVERQUOTA: a quota was exceeded (RFC 9208)
  ReadOnly,        ///< READ-ONLY: the mailbox was selected read-only
  ReadWrite,       ///< READ-WRITE: the mailbox was selected read-write
  Closed,          ///< CLOSED: the previous mailbox is closed (RFC 7162)
  UidNotSticky,    ///< UIDNOTSTICKY: UIDs are not kept between sessions (RFC 4315)
  BadCharset,      ///< BADCHARSET: `atoms` holds the supported charsets, if the server said
  Parse,           ///< PARSE: the server could not parse a message's header or MIME structure
  Other,  ///< any other code (RFC 5530 codes included), or a known one with malformed arguments
};

/// A parsed response code. `name` is upper-cased; `raw` holds the text after the name as
/// sent (empty when the code has no arguments) so unknown codes lose nothing. A known code
/// whose arguments do not parse gets kind Other (the response itself is still accepted).
struct ResponseCode {
  ResponseCodeKind kind = ResponseCodeKind::None;  ///< which code; None when there is none
  std::string name;                                ///< the code's name, upper-cased ("UIDNEXT")
  std::string raw;                 ///< the arguments as sent, leading spaces removed
  std::vector<std::string> atoms;  ///< Capability, PermanentFlags, BadCharset: the list
  /// UidValidity, UidNext, Unseen, HighestModSeq: the number (UIDVALIDITY is here too).
  std::uint64_t number = 0;
  std::uint32_t uid_validity = 0;  ///< AppendUid, CopyUid: the target mailbox's UIDVALIDITY
  SequenceSet source_uids;         ///< CopyUid: UIDs of the source messages
  SequenceSet dest_uids;           ///< AppendUid, CopyUid: UIDs of the new messages

  /// True when the response had a code.
  explicit operator bool() const { return kind != ResponseCodeKind::None; }
};

}  // namespace mailwire::imap
