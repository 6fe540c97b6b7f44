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
  Alert,           ///< text must be shown to the user
  Capability,      ///< `atoms` holds the capabilities
  PermanentFlags,  ///< `atoms` holds the flags (`\*` included when sent)
  UidValidity,     ///< `number`
  UidNext,         ///< `number`
  Unseen,          ///< `number`
  HighestModSeq,   ///< `number` (RFC 7162)
  NoModSeq,        ///< RFC 7162
  AppendUid,       ///< `uid_validity`, `dest_uids` (RFC 4315)
  CopyUid,         ///< `uid_validity`, `source_uids`, `dest_uids` (RFC 4315)
  TryCreate,
  OverQuota,  ///< RFC 9208
  ReadOnly,
  ReadWrite,
  Closed,        ///< RFC 7162
  UidNotSticky,  ///< RFC 4315
  BadCharset,    ///< `atoms` holds the supported charsets
  Parse,
  Other,  ///< any other code; `name` and `raw` keep it
};

/// A parsed response code. `name` is upper-cased; `raw` holds the text after the name as
/// sent (empty when the code has no arguments) so unknown codes lose nothing.
struct ResponseCode {
  ResponseCodeKind kind = ResponseCodeKind::None;
  std::string name;
  std::string raw;
  std::vector<std::string> atoms;
  std::uint64_t number = 0;
  std::uint32_t uid_validity = 0;
  SequenceSet source_uids;
  SequenceSet dest_uids;

  explicit operator bool() const { return kind != ResponseCodeKind::None; }
};

}  // namespace mailwire::imap
