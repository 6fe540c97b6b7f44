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

/// `body-fld-param`: attribute/value pairs in server order. Names are as sent.
/// TODO(mime): values may be RFC 2231 / RFC 2047 encoded; left raw for the message model.
using BodyParams = std::vector<std::pair<std::string, std::string>>;

/// `body-fld-dsp`: disposition type ("attachment", "inline") and its parameters.
struct BodyDisposition {
  std::string type;
  BodyParams params;
};

/// One node of a BODYSTRUCTURE tree. A multipart node has `parts` and no single-part fields;
/// a message/rfc822 (or message/global) node has `envelope` and exactly one element in
/// `parts`, the encapsulated message's body. Media types are lower-cased; other strings are
/// raw (NIL becomes empty). Extension fields are present only when the server sent them
/// (BODYSTRUCTURE usually, BODY never).
struct BodyStructure {
  std::string type;     ///< "text", "multipart", ... (lower case)
  std::string subtype;  ///< "plain", "mixed", ... (lower case)
  BodyParams params;    ///< content-type parameters (multipart: from the extension data)

  // body-fields (single parts)
  std::string id;
  std::string description;
  std::string encoding;     ///< Content-Transfer-Encoding as sent ("BASE64", "7BIT")
  std::uint64_t size = 0;   ///< body-fld-octets
  std::uint64_t lines = 0;  ///< text/* and message/rfc822 only

  std::shared_ptr<Envelope> envelope;  ///< message/rfc822 and message/global only
  std::vector<BodyStructure> parts;    ///< children of a multipart; the body of a message/rfc822

  // extension data
  bool has_extension = false;  ///< the server sent extension data
  std::string md5;
  std::optional<BodyDisposition> disposition;
  std::vector<std::string> languages;
  std::string location;
  std::vector<std::string> extra;  ///< further `body-extension` items, in wire syntax

  bool is_multipart() const { return type == "multipart"; }
  bool is_message() const {
    return type == "message" && (subtype == "rfc822" || subtype == "global");
  }
  /// A parameter value by case-insensitive name, or nullptr.
  const std::string* param(std::string_view name) const;
  /// The file name from the disposition's "filename" or the type's "name", or empty.
  std::string file_name() const;
};

/// Calls `visit(section, part)` for every part of `body` with its IMAP part number (RFC 3501
/// 6.4.5): "1", "2", "1.2"; the body of a message/rfc822 part "2" is numbered "2.1", ...; a
/// message that is not multipart has the single part "1". Depth is bounded (64).
MAILWIRE_API void for_each_part(
    const BodyStructure& body,
    const std::function<void(const std::string& section, const BodyStructure& part)>& visit);

}  // namespace mailwire::imap
