#pragma once

/// \file
/// FETCH and STORE command building (RFC 3501 sections 6.4.5-6.4.6, RFC 9051, RFC 3516
/// BINARY, RFC 7162 CHANGEDSINCE/UNCHANGEDSINCE/VANISHED).

#include <mailwire/export.hpp>
#include <mailwire/imap/command.hpp>
#include <mailwire/imap/sequence_set.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mailwire::imap {

/// One FETCH data item. Items with a section hold `section` as given, so it must be valid
/// RFC 3501 section-spec text; one with CR, LF, NUL or `]` in it becomes an invalid item
/// (empty text()) that make_fetch_command() refuses with Errc::usage. `partial` is
/// (offset, length) in octets and is sent as `<offset.length>`.
class MAILWIRE_API FetchItem {
 public:
  /// FLAGS: the message's flags (FetchData::flags).
  static FetchItem flags() { return FetchItem("FLAGS"); }
  /// UID: the message's UID (FetchData::uid).
  static FetchItem uid() { return FetchItem("UID"); }
  /// INTERNALDATE: when the server received the message (FetchData::internal_date).
  static FetchItem internal_date() { return FetchItem("INTERNALDATE"); }
  /// RFC822.SIZE: the message size in octets (FetchData::size).
  static FetchItem size() { return FetchItem("RFC822.SIZE"); }
  /// ENVELOPE: the parsed main header fields (FetchData::envelope).
  static FetchItem envelope() { return FetchItem("ENVELOPE"); }
  /// BODYSTRUCTURE: the MIME structure with extension data (FetchData::body_structure).
  static FetchItem body_structure() { return FetchItem("BODYSTRUCTURE"); }
  /// MODSEQ: the message's mod-sequence (RFC 7162; FetchData::modseq).
  static FetchItem modseq() { return FetchItem("MODSEQ"); }
  /// `BODY.PEEK[section]<offset.length>` (does not set \\Seen). `section` is e.g. "", "1.2",
  /// "HEADER", "HEADER.FIELDS (FROM SUBJECT)".
  static FetchItem body_peek(std::string section = {},
                             std::optional<std::pair<std::uint64_t, std::uint64_t>> partial = {});
  /// `BODY[section]<offset.length>` (sets \\Seen).
  static FetchItem body(std::string section = {},
                        std::optional<std::pair<std::uint64_t, std::uint64_t>> partial = {});
  /// `BINARY.PEEK[section]<offset.length>` (RFC 3516): the part with its
  /// Content-Transfer-Encoding decoded by the server; `section` is a part number ("1.2").
  static FetchItem binary_peek(std::string section,
                               std::optional<std::pair<std::uint64_t, std::uint64_t>> partial = {});
  /// `BINARY.SIZE[section]` (RFC 3516): the decoded size of a part (FetchData::binary_sizes).
  static FetchItem binary_size(std::string section);

  /// Wire form, e.g. "BODY.PEEK[1]<0.1024>"; empty for an invalid item.
  const std::string& text() const noexcept { return text_; }

 private:
  explicit FetchItem(std::string text) : text_(std::move(text)) {}
  static FetchItem sectioned(const char* name, std::string section,
                             std::optional<std::pair<std::uint64_t, std::uint64_t>> partial);
  std::string text_;
};

/// Options of a FETCH command.
struct FetchOptions {
  bool uid = false;                            ///< UID FETCH: `set` holds UIDs
  std::optional<std::uint64_t> changed_since;  ///< (CHANGEDSINCE n) (RFC 7162)
  /// Add VANISHED (UID FETCH with QRESYNC only); ignored without changed_since.
  bool vanished = false;
};

/// `[UID] FETCH set (items) [(CHANGEDSINCE n [VANISHED])]`. An invalid item (see FetchItem),
/// an empty item list or an empty set makes the command's error() Errc::usage.
MAILWIRE_API Command make_fetch_command(const SequenceSet& set, const std::vector<FetchItem>& items,
                                        const FetchOptions& options = {});

/// How STORE changes flags.
enum class StoreMode {
  Replace,  ///< `FLAGS`: the flags become exactly the given ones
  Add,      ///< `+FLAGS`: the given flags are added
  Remove    ///< `-FLAGS`: the given flags are removed
};

/// Options of a STORE command.
struct StoreOptions {
  bool uid = false;                              ///< UID STORE: `set` holds UIDs
  bool silent = false;                           ///< .SILENT: no untagged FETCH back
  std::optional<std::uint64_t> unchanged_since;  ///< (UNCHANGEDSINCE n) (RFC 7162)
};

/// `[UID] STORE set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] (flags)`. Each flag must be an
/// atom or a system flag such as `\Seen` (`\*` is refused); an invalid flag or an empty set
/// makes the command's error() Errc::usage. An empty list is allowed (with Replace it clears
/// the flags).
MAILWIRE_API Command make_store_command(const SequenceSet& set, StoreMode mode,
                                        const std::vector<std::string>& flags,
                                        const StoreOptions& options = {});

}  // namespace mailwire::imap
