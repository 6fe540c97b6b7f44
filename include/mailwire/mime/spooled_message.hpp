#pragma once

/// \file
/// A message of any size parsed incrementally into its parts, with every leaf's decoded body
/// kept for later: in memory while small, in an anonymous temporary file past a threshold. A
/// 1 GiB message parses in bounded memory and its attachments can then be read, saved or sent
/// on in any order. (Message keeps the whole input in memory; StreamParser keeps nothing.)

#include <mailwire/export.hpp>
#include <mailwire/mime/content_type.hpp>
#include <mailwire/mime/header.hpp>
#include <mailwire/mime/message.hpp>
#include <mailwire/net/stream.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire::mime {

namespace detail {
class SpoolFile;
}

/// Where SpooledMessage keeps leaf bodies.
struct SpoolOptions {
  /// The parser's limits (depth, parts, header size).
  ParserOptions parser;
  /// A leaf whose decoded body grows past this many bytes moves to the temporary file.
  std::size_t spill_threshold = 256 * 1024;
  /// At most this many decoded bytes of all leaves together stay in memory; a leaf that would
  /// pass it goes to the temporary file however small it is.
  std::size_t memory_limit = 8 * 1024 * 1024;
  /// Folder of the temporary file; empty: $TMPDIR, else /tmp. The file is made with mode 0600
  /// and unlinked at once (no name is left behind, even after a crash); it is closed when the
  /// message and every copy of its parts are gone.
  std::string temp_dir;
};

/// One entity of a SpooledMessage: the message itself, a part of a multipart, or the message
/// inside a message/* part, in document order.
class MAILWIRE_API SpooledPart {
 public:
  /// The entity's header fields, in order.
  const HeaderList& headers() const noexcept { return headers_; }
  /// The parsed Content-Type (text/plain when absent or invalid).
  const ContentType& content_type() const noexcept { return content_type_; }
  /// Content-Transfer-Encoding, lower case without white space; empty when absent.
  const std::string& transfer_encoding() const noexcept { return cte_; }
  /// The parsed Content-Disposition; `kind` is empty when absent.
  ContentDisposition disposition() const;
  /// Content-Disposition filename, else Content-Type name (decoded), else nullopt; as the
  /// sender wrote it (see safe_file_name() before using it as a path).
  std::optional<std::string> filename() const;
  /// 0 for the message; one more per multipart or message/* level.
  std::size_t depth() const noexcept { return depth_; }
  /// The index in SpooledMessage::parts() of the enclosing entity; none for the root.
  std::optional<std::size_t> parent() const noexcept { return parent_; }
  /// True for the header of a message: the root, or the message inside a message/* part.
  bool is_message() const noexcept { return message_; }
  /// True for an entity with a body of its own (not a multipart, not a message/* part).
  bool is_leaf() const noexcept { return leaf_; }

  /// Leaves: the size of the decoded body in bytes (0 for other entities).
  std::uint64_t size() const noexcept { return size_; }
  /// True when the body is in the temporary file rather than in memory.
  bool spilled() const noexcept { return spool_ != nullptr; }
  /// Streams the decoded body (base64, quoted-printable and uuencode decoded) to `sink` in
  /// chunks of at most 64 KiB. Throws Error(io) when the temporary file cannot be read;
  /// exceptions thrown by `sink` propagate.
  void read_body(const ByteSink& sink) const;
  /// The whole decoded body in a string (read_body() is the way for large ones).
  std::string body() const;
  /// Text parts: the body converted from its charset to UTF-8, as Entity::text() does.
  std::string text() const;

 private:
  friend class SpooledMessage;
  HeaderList headers_;
  ContentType content_type_;
  std::string cte_;
  std::size_t depth_ = 0;
  std::optional<std::size_t> parent_;
  bool message_ = false;
  bool leaf_ = false;
  std::uint64_t size_ = 0;
  std::string memory_;                        // the body while it is in memory
  std::shared_ptr<detail::SpoolFile> spool_;  // the temporary file, once spilled
  std::uint64_t spool_offset_ = 0;            // where the body starts in it
};

/// A message parsed from chunks of any size (see the file comment). Move-only; not
/// thread-safe while parsing. Once finish() has returned, parts (and copies of them, which
/// share the temporary file) may be read from several threads at once.
class MAILWIRE_API SpooledMessage {
 public:
  /// A message with nothing fed yet; no temporary file is made before the first spill.
  explicit SpooledMessage(SpoolOptions options = {});
  ~SpooledMessage();
  /// Takes the parts, the temporary file and, unless finished, the parse in progress; the
  /// moved-from message has no parts.
  SpooledMessage(SpooledMessage&&) noexcept;
  /// As the move constructor; the parts this message had are released.
  SpooledMessage& operator=(SpooledMessage&&) noexcept;

  /// Parses a whole file, read in 64 KiB chunks. Throws Error(io) when it cannot be read or
  /// the temporary file cannot be made or written; never for malformed mail.
  static SpooledMessage parse_file(const std::string& path, SpoolOptions options = {});

  /// The next bytes of the message, split anywhere. Throws Error(io) when the temporary file
  /// cannot be made or written (the message is then incomplete); never for malformed mail.
  void feed(std::string_view bytes);
  /// The end of the message. Further feed() or finish() calls are Error(usage).
  void finish();

  /// Every entity in document order, the root first (empty before anything was fed).
  const std::vector<SpooledPart>& parts() const noexcept;
  /// The root entity; Error(usage) when nothing was parsed.
  const SpooledPart& root() const;
  /// The leaves that are attachments, by the rule of Message::attachments().
  std::vector<const SpooledPart*> attachments() const;
  /// What was wrong with the message and worked around, in document order.
  const std::vector<std::string>& defects() const noexcept;
  /// Decoded bytes of leaf bodies held in memory now (at most memory_limit).
  std::size_t memory_bytes() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;  // null only in a moved-from message
};

}  // namespace mailwire::mime
