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
  /// Nesting of multiparts and message/* parts; an entity this deep is not split into
  /// children (a defect when it would have been).
  std::size_t max_depth = 64;
  /// Entities in one message; further parts are left out of the tree (their bytes are still
  /// in the parent's body and written back).
  std::size_t max_parts = 10000;
  /// Bytes of one header block: a header line starting past this offset ends the header, and
  /// the rest is read as the body.
  std::size_t max_header_bytes = 1 << 20;
};

/// One MIME entity: the message itself, a part of a multipart, or the message inside a
/// message/rfc822 part. Views borrow from the Message that owns the bytes.
class MAILWIRE_API Entity {
 public:
  /// The entity's header fields, in order, as they were written.
  const HeaderList& headers() const noexcept { return headers_; }
  /// The parsed Content-Type: text/plain when absent or invalid (RFC 2045 section 5.2; an
  /// invalid one is a defect), message/rfc822 for a part of a multipart/digest without one.
  const ContentType& content_type() const noexcept { return content_type_; }
  /// Content-Transfer-Encoding, whitespace removed and lower-case; empty when absent.
  const std::string& transfer_encoding() const noexcept { return cte_; }
  /// The parsed Content-Disposition (parsed on each call); `kind` is empty when absent.
  ContentDisposition disposition() const;
  /// Content-Disposition filename, else Content-Type name (RFC 2231 and RFC 2047 decoded),
  /// else nullopt. The name is as the sender wrote it: not checked for path separators.
  std::optional<std::string> filename() const;

  /// Multipart parts; or the one message inside a message/* part; or, for
  /// message/delivery-status (RFC 3464), one entity per block of fields (its header).
  const std::vector<Entity>& children() const noexcept { return children_; }
  /// True when the entity has no children and is not a multipart (a multipart without parts,
  /// e.g. without a boundary, is not a leaf).
  bool is_leaf() const noexcept { return children_.empty() && !content_type_.is_multipart(); }
  /// Multiparts: the bytes before the first boundary line (the whole body when there is
  /// none); empty otherwise.
  std::string_view preamble() const noexcept { return preamble_; }
  /// Multiparts: the bytes after the final boundary line; empty otherwise.
  std::string_view epilogue() const noexcept { return epilogue_; }

  /// Every byte of the entity, header included.
  std::string_view raw() const noexcept { return raw_; }
  /// The body as it is on the wire (still transfer-encoded).
  std::string_view body() const noexcept { return body_; }
  /// The body decoded from its transfer encoding (base64, quoted-printable, uuencode as
  /// "x-uuencode", "uuencode", "x-uue" or "uue"; others as they are), streamed to `sink` in
  /// chunks. Decoding is lenient (bytes outside the alphabet are skipped) and never throws
  /// for malformed encodings; exceptions thrown by `sink` propagate.
  void decode_body(const ByteSink& sink) const;
  /// decode_body() into a string.
  std::string decoded_body() const;
  /// For text parts: the decoded body converted from its charset parameter to UTF-8. Always
  /// valid UTF-8: invalid sequences become U+FFFD, and without a charset or with an unknown
  /// one the bytes are read as UTF-8.
  std::string text() const;

  /// What was wrong with this entity (not its children), as English sentences ("missing
  /// final boundary"); empty for a well-formed entity.
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
  /// Parses `bytes` (a whole RFC 5322 message; CRLF or LF line ends; an mbox "From " line
  /// first is allowed). The Message owns the bytes, shared by its copies. Never throws for
  /// malformed input.
  static Message parse(std::string bytes, const ParserOptions& options = {});
  /// Parses bytes the caller keeps alive and unchanged for the life of the Message and its
  /// copies (no copy is made).
  static Message parse_view(std::string_view bytes, const ParserOptions& options = {});
  /// Reads a whole file into memory and parses it; Error(io) when it cannot be opened.
  static Message parse_file(const std::string& path, const ParserOptions& options = {});

  /// The top-level entity: the message itself.
  const Entity& root() const noexcept { return root_; }
  /// The message's header fields (those of root()).
  const HeaderList& headers() const noexcept { return root_.headers(); }
  /// The first Subject field, unfolded and decoded (RFC 2047) to UTF-8, or empty.
  std::string subject() const;
  /// The mailboxes of every From field, parsed leniently (parse_address_list(): groups
  /// flattened, invalid elements skipped, defects not reported).
  std::vector<Mailbox> from() const;
  /// The mailboxes of every To field, as from() reads them.
  std::vector<Mailbox> to() const;
  /// The mailboxes of every Cc field, as from() reads them.
  std::vector<Mailbox> cc() const;
  /// The input bytes.
  std::string_view raw() const noexcept { return data_; }
  /// Every entity, depth first (root first). The pointers are valid while this Message is
  /// neither destroyed nor moved from.
  std::vector<const Entity*> entities() const;
  /// The leaves (Entity::is_leaf()) that are attachments: a file name, or
  /// Content-Disposition: attachment; depth first, the root included for a single part. A
  /// message/rfc822 part is not a leaf (its message is parsed as its child), so an attached
  /// message is not listed itself, while the attachments inside it are.
  std::vector<const Entity*> attachments() const;

 private:
  std::shared_ptr<const std::string> owned_;  // null when the bytes are borrowed
  std::string_view data_;
  Entity root_;
};

}  // namespace mailwire::mime
