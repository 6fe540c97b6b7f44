#pragma once

/// \file
/// A parsed message: a tree of MIME entities whose bodies are slices of the input (no copies),
/// with the defects found on the way. Parsing never throws on malformed mail.

#include <mailwire/export.hpp>
#include <mailwire/mime/address.hpp>
#include <mailwire/mime/content_type.hpp>
#include <mailwire/mime/header.hpp>
#include <mailwire/net/stream.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire::mime {

/// Limits of the parser: past them it records a defect and stops descending, never crashes.
struct ParserOptions {
  std::size_t max_depth = 64;              ///< nesting of multiparts and message/rfc822
  std::size_t max_parts = 10000;           ///< entities in one message
  std::size_t max_header_bytes = 1 << 20;  ///< of one header block
};

/// One MIME entity: the message itself, a part of a multipart, or the message inside a
/// message/rfc822 part. Views borrow from the Message that owns the bytes.
class MAILWIRE_API Entity {
 public:
  const HeaderList& headers() const noexcept { return headers_; }
  const ContentType& content_type() const noexcept { return content_type_; }
  /// Content-Transfer-Encoding, trimmed and lower-case; empty when absent.
  const std::string& transfer_encoding() const noexcept { return cte_; }
  ContentDisposition disposition() const;
  /// Content-Disposition filename, else Content-Type name (decoded), else nullopt.
  std::optional<std::string> filename() const;

  /// Multipart parts, or the one message inside a message/* part.
  const std::vector<Entity>& children() const noexcept { return children_; }
  bool is_leaf() const noexcept { return children_.empty() && !content_type_.is_multipart(); }
  std::string_view preamble() const noexcept { return preamble_; }
  std::string_view epilogue() const noexcept { return epilogue_; }

  /// Every byte of the entity, header included.
  std::string_view raw() const noexcept { return raw_; }
  /// The body as it is on the wire (still transfer-encoded).
  std::string_view body() const noexcept { return body_; }
  /// The body decoded from its transfer encoding (base64, quoted-printable, uuencode; others
  /// as they are), streamed to `sink` in chunks.
  void decode_body(const ByteSink& sink) const;
  std::string decoded_body() const;
  /// For text parts: the decoded body converted from its charset to UTF-8.
  std::string text() const;

  /// What was wrong with this entity (not its children).
  const std::vector<std::string>& defects() const noexcept { return defects_; }

  /// Writes the entity back: its header fields' raw bytes, then the body, or the parts with
  /// the bytes between them. An unmodified parse writes back byte for byte.
  void write(const ByteSink& sink) const;

 private:
  friend class Message;
  friend struct Parser;
  HeaderList headers_;
  ContentType content_type_;
  std::string cte_;
  std::vector<Entity> children_;
  std::string_view raw_;
  std::string_view separator_;  // the empty line between header and body, as it was
  std::string_view body_;
  std::string_view preamble_;
  std::string_view epilogue_;
  std::vector<std::string> defects_;
};

/// A message parsed from bytes it owns.
class MAILWIRE_API Message {
 public:
  /// Parses `bytes` (a whole RFC 5322 message; CRLF or LF line ends). Never throws for
  /// malformed input.
  static Message parse(std::string bytes, const ParserOptions& options = {});
  /// Parses bytes the caller keeps alive and unchanged for the life of the Message (no copy).
  static Message parse_view(std::string_view bytes, const ParserOptions& options = {});
  /// Reads and parses a file; Error(io) when it cannot be read.
  static Message parse_file(const std::string& path, const ParserOptions& options = {});

  const Entity& root() const noexcept { return root_; }
  const HeaderList& headers() const noexcept { return root_.headers(); }
  /// The decoded Subject (UTF-8), or empty.
  std::string subject() const;
  std::vector<Mailbox> from() const;
  std::vector<Mailbox> to() const;
  std::vector<Mailbox> cc() const;
  /// The input bytes.
  std::string_view raw() const noexcept { return data_; }
  /// Every entity, depth first (root first).
  std::vector<const Entity*> entities() const;
  /// The leaves that are attachments (a filename, or Content-Disposition: attachment).
  std::vector<const Entity*> attachments() const;

 private:
  std::shared_ptr<const std::string> owned_;  // null when the bytes are borrowed
  std::string_view data_;
  Entity root_;
};

}  // namespace mailwire::mime
