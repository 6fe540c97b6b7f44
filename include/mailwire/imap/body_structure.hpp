#pragma once

/// \file
/// The BODY / BODYSTRUCTURE fetch items (RFC 3501 section 7.4.2, RFC 9051 section 7.5.2).

#include <mailwire/export.hpp>
#include <mailwire/imap/envelope.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailwire::imap {

/// `body-fld-param`: attribute/value pairs in server order, names and values raw as sent
/// (servers pass RFC 2231 sections such as `filename*0*` and RFC 2047 encoded words through);
/// decoded_params() gives them decoded.
using BodyParams = std::vector<std::pair<std::string, std::string>>;

/// `body-fld-dsp`: disposition type ("attachment", "inline") and its parameters.
struct BodyDisposition {
  std::string type;   ///< disposition type, lower-cased ("attachment")
  BodyParams params;  ///< its parameters ("filename", ...), raw; empty for NIL
};

/// `params` decoded as the message model decodes a header's parameters
/// (mime::ParameterList): names lower-cased, RFC 2231 continuations joined and their charsets
/// applied, RFC 2047 encoded words in values decoded, invalid UTF-8 repaired to U+FFFD, and no
/// C0 control or DEL left in a value (each becomes U+FFFD). Never throws on server data.
MAILWIRE_API std::vector<std::pair<std::string, std::string>> decoded_params(
    const BodyParams& params);

/// One node of a BODYSTRUCTURE tree. A multipart node has `parts` and no single-part fields;
/// a message/rfc822 (or message/global) node has `envelope` and exactly one element in
/// `parts`, the encapsulated message's body. Media types are lower-cased; other strings are
/// raw (NIL becomes empty). Extension fields are present only when the server sent them
/// (BODYSTRUCTURE usually, BODY never).
struct MAILWIRE_API BodyStructure {
  std::string type;     ///< "text", "multipart", ... (lower case)
  std::string subtype;  ///< "plain", "mixed", ... (lower case)
  BodyParams params;    ///< content-type parameters (multipart: from the extension data)

  // body-fields (single parts)
  std::string id;           ///< Content-ID as sent, angle brackets included; empty for NIL
  std::string description;  ///< Content-Description, raw; empty for NIL
  std::string encoding;     ///< Content-Transfer-Encoding as sent ("BASE64", "7BIT")
  std::uint64_t size = 0;   ///< body-fld-octets
  std::uint64_t lines = 0;  ///< text/* and message/rfc822 only

  std::shared_ptr<Envelope> envelope;  ///< message/rfc822 and message/global only
  std::vector<BodyStructure> parts;    ///< children of a multipart; the body of a message/rfc822

  // extension data
  bool has_extension = false;                  ///< the server sent extension data
  std::string md5;                             ///< Content-MD5 (single parts), raw
  std::optional<BodyDisposition> disposition;  ///< Content-Disposition; nullopt for NIL
  std::vector<std::string> languages;          ///< Content-Language tags (RFC 3066)
  std::string location;                        ///< Content-Location (RFC 2557), raw
  std::vector<std::string> extra;              ///< further `body-extension` items, in wire syntax

  /// True for multipart/*: `parts` holds the children.
  bool is_multipart() const { return type == "multipart"; }
  /// True for message/rfc822 and message/global: `envelope` and `parts[0]` describe the
  /// encapsulated message (when the server sent them).
  bool is_message() const {
    return type == "message" && (subtype == "rfc822" || subtype == "global");
  }
  /// The value of content-type parameter `name` (case-insensitive), raw, or nullptr.
  const std::string* param(std::string_view name) const;
  /// The file name, decoded: the disposition's "filename" parameter, else the type's "name",
  /// else empty; RFC 2231 forms (`filename*=UTF-8''...`, `filename*0*=` continuations, any
  /// charset iconv knows) and the RFC 2047 encoded words many mailers put in quoted names are
  /// decoded as decoded_params() does. For display: pass it through mime::safe_file_name()
  /// before using it as a path.
  std::string file_name() const;
};

/// Calls `visit(section, part)` for every part of `body` with its IMAP part number (RFC 3501
/// section 6.4.5), depth first: "1", "1.1", "1.2", "2", ... A multipart root is visited
/// first with an empty section; nested multiparts are visited as well as their children. For
/// a message/rfc822 (or message/global) part "2" with a multipart body, that body's parts are
/// "2.1", "2.2", ... (the multipart itself is not visited); a body that is not multipart is
/// "2.1". A message that is not multipart has the single part "1". Parts nested deeper than
/// 64 levels are not visited.
MAILWIRE_API void for_each_part(
    const BodyStructure& body,
    const std::function<void(const std::string& section, const BodyStructure& part)>& visit);

/// One attachment as BODYSTRUCTURE describes it, with what fetching it needs
/// (ImapClient::fetch_part(uid, section, encoding, sink)).
struct Attachment {
  std::string section;      ///< IMAP part number ("2", "1.3"; "1" for a single-part message)
  std::string mime_type;    ///< "application/pdf" (lower case)
  std::string file_name;    ///< decoded (BodyStructure::file_name()); empty when it has none
  std::uint64_t size = 0;   ///< octets as stored, transfer encoding included (body-fld-octets)
  std::string disposition;  ///< "attachment", "inline" (lower case); empty when none was sent
  std::string encoding;     ///< Content-Transfer-Encoding as sent ("BASE64")
};

/// The attachments of a message, in part order: every part that is not multipart and has a
/// file name or the disposition "attachment" (the rule mime::Message::attachments() follows).
/// An attached message (message/rfc822 with a name or disposition "attachment") is one
/// attachment; its own parts are not listed. Parts of an inline message/rfc822 are looked at.
MAILWIRE_API std::vector<Attachment> attachments(const BodyStructure& body);

}  // namespace mailwire::imap
