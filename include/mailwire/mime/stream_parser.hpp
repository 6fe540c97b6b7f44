#pragma once

/// \file
/// The incremental MIME parser: feed a message in chunks of any size and receive its entities
/// and the decoded bytes of its leaves as they go by, in memory bounded by the longest header
/// block and line (not by the message: a 1 GiB attachment passes through a few KiB).
///
/// It reads the structure the way mime::Message::parse does (the same header rules, delimiter
/// lines, adjacent delimiters, missing final boundaries, message/rfc822 nesting,
/// delivery-status blocks, depth and part limits as defects) and decodes base64,
/// quoted-printable and x-uuencode on the way. Use Message when the whole message is wanted
/// in memory (to read or write it back); use StreamParser to scan or extract from messages of
/// any size.

#include <mailwire/export.hpp>
#include <mailwire/mime/content_type.hpp>
#include <mailwire/mime/header.hpp>
#include <mailwire/mime/message.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

namespace mailwire::mime {

/// An entity whose header StreamParser has just read. The references are valid during the
/// callback only.
struct StreamEntity {
  const HeaderList& headers;           ///< the entity's header fields
  const ContentType& content_type;     ///< parsed Content-Type (text/plain when absent)
  std::string_view transfer_encoding;  ///< lower case, no white space; empty when absent
  std::size_t depth = 0;               ///< 0 for the message; +1 per multipart or message level
  bool message = false;  ///< the header of a message: the root, or one in message/rfc822
  bool leaf = false;     ///< its decoded body follows through on_body, then on_leaf_end
};

/// What StreamParser reports, in document order. Any member may be left empty.
struct StreamCallbacks {
  std::function<void(const StreamEntity&)> on_entity;  ///< each entity, after its header
  std::function<void(std::string_view)> on_body;       ///< decoded bytes of the current leaf
  std::function<void()> on_leaf_end;                   ///< the current leaf is complete
  std::function<void(std::string_view)> on_defect;     ///< what was wrong and worked around
};

/// Parses one message fed in chunks. Never throws on malformed input (defects are reported);
/// exceptions thrown by the callbacks pass through. Not thread-safe.
class MAILWIRE_API StreamParser {
 public:
  /// A parser at the start of a message.
  explicit StreamParser(StreamCallbacks callbacks, ParserOptions options = {});
  ~StreamParser();
  StreamParser(const StreamParser&) = delete;
  StreamParser& operator=(const StreamParser&) = delete;

  /// The next bytes of the message, split anywhere.
  void feed(std::string_view bytes);
  /// The end of the message: the last line, open leaves and multiparts are completed.
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailwire::mime
