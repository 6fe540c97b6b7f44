#pragma once

/// \file
/// What IMAP data means: FETCH items (RFC 3501 7.4.2, RFC 9051), ENVELOPE, BODYSTRUCTURE, LIST,
/// STATUS, SEARCH and capabilities, read from the grammar's value trees.

#include <mailwire/export.hpp>
#include <mailwire/imap/response.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace mailwire::imap {

/// An address of an ENVELOPE; the name is decoded (RFC 2047) to UTF-8.
struct Address {
  std::string name;
  std::string mailbox;  ///< local part
  std::string host;     ///< domain
  std::string email() const { return host.empty() ? mailbox : mailbox + "@" + host; }
};

/// ENVELOPE (RFC 3501 7.4.2); subject decoded to UTF-8.
struct Envelope {
  std::string date, subject, in_reply_to, message_id;
  std::vector<Address> from, sender, reply_to, to, cc, bcc;
};

/// BODYSTRUCTURE / BODY: one node per MIME part, with its IMAP section number.
struct BodyStructure {
  std::string type, subtype;                                ///< lower-case
  std::vector<std::pair<std::string, std::string>> params;  ///< names lower-case
  std::string id, description, encoding;                    ///< encoding lower-case
  std::uint64_t size = 0;
  std::uint64_t lines = 0;
  std::string disposition;  ///< lower-case, empty when absent
  std::vector<std::pair<std::string, std::string>> disposition_params;
  std::string section;               ///< "1.2"; "" for the whole message's body
  std::vector<BodyStructure> parts;  ///< multipart parts, or the body of a message/rfc822
  std::string param(const std::string& name) const;
  /// The file name: disposition filename, else Content-Type name (RFC 2231/2047 decoded).
  std::string filename() const;
  bool is_multipart() const noexcept { return type == "multipart"; }
};

/// One FETCH response.
struct FetchData {
  std::uint32_t sequence = 0;
  std::optional<std::uint32_t> uid;
  std::optional<std::vector<std::string>> flags;
  std::optional<std::uint64_t> size;  ///< RFC822.SIZE
  std::optional<std::string> internal_date;
  std::optional<std::uint64_t> modseq;
  std::optional<Envelope> envelope;
  std::optional<BodyStructure> body;  ///< BODYSTRUCTURE (or BODY)
  /// BODY[section]<origin> and BINARY[section]: the section text ("", "HEADER", "1.2") and bytes.
  std::vector<std::pair<std::string, std::string>> sections;
};

/// Reads an untagged FETCH response. Errc::protocol when it is not one or is malformed.
MAILWIRE_API std::error_code parse_fetch(const Response& response, FetchData& out);

/// LIST / LSUB data.
struct ListData {
  std::vector<std::string> attributes;  ///< "\HasNoChildren", "\Sent", ...
  std::string delimiter;                ///< "" for NIL
  std::string name;                     ///< decoded (modified UTF-7 unless UTF-8 was enabled)
};
MAILWIRE_API std::error_code parse_list(const Response& response, bool utf8, ListData& out);

/// STATUS data: the mailbox name and its items (MESSAGES, UIDNEXT, ...).
struct StatusData {
  std::string mailbox;
  std::vector<std::pair<std::string, std::uint64_t>> items;  ///< names upper-case
  std::optional<std::uint64_t> get(const std::string& name) const;
};
MAILWIRE_API std::error_code parse_status(const Response& response, bool utf8, StatusData& out);

/// SEARCH numbers (and ESEARCH ALL sets are expanded by the client).
MAILWIRE_API std::error_code parse_search(const Response& response,
                                          std::vector<std::uint32_t>& out);

/// Capabilities from a CAPABILITY response or response code, upper-case.
MAILWIRE_API std::vector<std::string> parse_capabilities(const std::vector<Value>& values);

}  // namespace mailwire::imap
