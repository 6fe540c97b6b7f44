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

/// One FETCH data item.
class MAILWIRE_API FetchItem {
 public:
  static FetchItem flags() { return FetchItem("FLAGS"); }
  static FetchItem uid() { return FetchItem("UID"); }
  static FetchItem internal_date() { return FetchItem("INTERNALDATE"); }
  static FetchItem size() { return FetchItem("RFC822.SIZE"); }
  static FetchItem envelope() { return FetchItem("ENVELOPE"); }
  static FetchItem body_structure() { return FetchItem("BODYSTRUCTURE"); }
  static FetchItem modseq() { return FetchItem("MODSEQ"); }
  /// BODY.PEEK[section]<offset.length> (does not set \Seen). `section` is e.g. "", "1.2",
  /// "HEADER", "HEADER.FIELDS (FROM SUBJECT)".
  static FetchItem body_peek(std::string section = {},
                             std::optional<std::pair<std::uint64_t, std::uint64_t>> partial = {});
  /// BODY[section]<partial> (sets \Seen).
  static FetchItem body(std::string section = {},
                        std::optional<std::pair<std::uint64_t, std::uint64_t>> partial = {});
  /// BINARY.PEEK[section]<partial> (RFC 3516): the part decoded by the server.
  static FetchItem binary_peek(std::string section,
                               std::optional<std::pair<std::uint64_t, std::uint64_t>> partial = {});
  /// BINARY.SIZE[section].
  static FetchItem binary_size(std::string section);

  /// Wire form, e.g. "BODY.PEEK[1]<0.1024>".
  const std::string& text() const noexcept { return text_; }

 private:
  explicit FetchItem(std::string text) : text_(std::move(text)) {}
  static FetchItem sectioned(const char* name, std::string section,
                             std::optional<std::pair<std::uint64_t, std::uint64_t>> partial);
  std::string text_;
};

/// Options of a FETCH command.
struct FetchOptions {
  bool uid = false;                            ///< UID FETCH
  std::optional<std::uint64_t> changed_since;  ///< (CHANGEDSINCE n) (RFC 7162)
  bool vanished = false;                       ///< add VANISHED (UID FETCH with QRESYNC only)
};

/// `[UID] FETCH set (items) [(CHANGEDSINCE n [VANISHED])]`. A section with CR/LF/NUL or
/// `]`, or an empty item list, makes the command's error() Errc::usage.
MAILWIRE_API Command make_fetch_command(const SequenceSet& set, const std::vector<FetchItem>& items,
                                        const FetchOptions& options = {});

/// How STORE changes flags.
enum class StoreMode { Replace, Add, Remove };

/// Options of a STORE command.
struct StoreOptions {
  bool uid = false;                              ///< UID STORE
  bool silent = false;                           ///< .SILENT: no untagged FETCH back
  std::optional<std::uint64_t> unchanged_since;  ///< (UNCHANGEDSINCE n) (RFC 7162)
};

/// `[UID] STORE set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] (flags)`.
MAILWIRE_API Command make_store_command(const SequenceSet& set, StoreMode mode,
                                        const std::vector<std::string>& flags,
                                        const StoreOptions& options = {});

}  // namespace mailwire::imap
