#pragma once

/// \file
/// Message bytes that a client streams to a server (SMTP DATA / BDAT, IMAP APPEND) without
/// holding them in memory: from memory, a file, or a caller's read callback.

#include <mailwire/export.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace mailwire {

/// A source of message bytes of a known size. SmtpClient may read it twice (once to scan,
/// once to send); ImapClient::append reads it once.
class MAILWIRE_API MessageSource {
 public:
  virtual ~MessageSource();
  /// Total size in octets.
  virtual std::uint64_t size() const = 0;
  /// Back to the first byte.
  virtual void rewind() = 0;
  /// Up to `capacity` bytes into `buffer`; 0 at the end.
  virtual std::size_t read(char* buffer, std::size_t capacity) = 0;
  /// Bytes in memory (borrowed: they must outlive the source).
  static std::unique_ptr<MessageSource> from_bytes(std::string_view bytes);
  /// A file, streamed in small chunks. Throws Error(io) when it cannot be opened.
  static std::unique_ptr<MessageSource> from_file(const std::string& path);
  /// A caller's read callback that yields exactly `size` bytes in total (like read(): up to
  /// `capacity` bytes into `buffer`, 0 at the end). It can be read once only: rewind() after
  /// the first byte was read throws Error(usage), so use it where the message is read once
  /// (ImapClient::append; SmtpClient::send with an explicit body type). A callback that yields
  /// fewer or more bytes than `size` makes the transfer fail (Error(io)).
  static std::unique_ptr<MessageSource> from_callback(
      std::uint64_t size, std::function<std::size_t(char* buffer, std::size_t capacity)> read);
};

}  // namespace mailwire
