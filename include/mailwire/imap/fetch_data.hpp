#pragma once

/// \file
/// Data of an untagged FETCH response (RFC 3501 section 7.4.2, RFC 9051 section 7.5.2,
/// RFC 3516 BINARY, RFC 7162 MODSEQ).

#include <mailwire/export.hpp>
#include <mailwire/imap/body_structure.hpp>
#include <mailwire/imap/envelope.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailwire::imap {

/// One `BODY[section]<origin>` or `BINARY[section]<origin>` item. The legacy items RFC822,
/// RFC822.HEADER and RFC822.TEXT are stored with the sections "", "HEADER" and "TEXT".
struct SectionData {
  /// The text between the brackets as sent ("", "1.2", "HEADER.FIELDS (FROM)").
  std::string section;
  bool binary = false;                  ///< BINARY[...] (RFC 3516)
  std::optional<std::uint64_t> origin;  ///< `<origin>` of a partial fetch
  bool nil = false;                     ///< the server sent NIL
  bool streamed = false;   ///< the bytes went to the reader's literal sink, `data` is empty
  std::uint64_t size = 0;  ///< number of bytes (also when streamed)
  std::string data;        ///< the bytes, moved from the literal (not copied again)
};

/// One FETCH response. Items the server did not send are empty optionals; items this parser
/// does not know (X-GM-LABELS, ...) are kept in `other` as name and raw wire text.
struct MAILWIRE_API FetchData {
  std::uint32_t seq = 0;                          ///< message sequence number
  std::optional<std::vector<std::string>> flags;  ///< FLAGS, as sent (`\Seen`, `$Label`)
  std::optional<std::uint32_t> uid;               ///< UID
  /// INTERNALDATE, raw ("17-Jul-1996 02:44:25 -0700"); parsed_internal_date() parses it.
  std::optional<std::string> internal_date;
  std::optional<std::uint64_t> size;              ///< RFC822.SIZE
  std::optional<std::uint64_t> modseq;            ///< MODSEQ (RFC 7162)
  std::shared_ptr<Envelope> envelope;             ///< ENVELOPE; null when not sent
  std::shared_ptr<BodyStructure> body_structure;  ///< BODYSTRUCTURE or BODY; null when not sent
  std::vector<SectionData> sections;              ///< BODY[...] and BINARY[...] items, in order
  std::vector<std::pair<std::string, std::uint64_t>> binary_sizes;  ///< BINARY.SIZE[section]
  /// Unknown items: name (with its `[section]`, if any) and the value's raw wire text.
  std::vector<std::pair<std::string, std::string>> other;

  /// The first section data for `section` (e.g. "" for BODY[], "TEXT"), compared
  /// case-insensitively with the text as sent, among BINARY items when `binary` is true and
  /// BODY items otherwise; nullptr when there is none.
  const SectionData* find_section(std::string_view section, bool binary = false) const;
  /// INTERNALDATE as a point in time (RFC 3501 `date-time`, its zone applied); nullopt when
  /// it was not sent or is not a valid date-time.
  std::optional<std::chrono::system_clock::time_point> parsed_internal_date() const;
  /// The attachments of `body_structure` (see imap::attachments()); empty when it was not sent.
  std::vector<Attachment> attachments() const;
};

}  // namespace mailwire::imap
