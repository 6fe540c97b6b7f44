#pragma once

/// \file
/// Durable delivery into a Maildir (https://cr.yp.to/proto/maildir.html).

#include <mailwire/export.hpp>
#include <mailwire/net/stream.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire {

/// A Maildir: tmp/, new/ and cur/ under one directory. deliver() writes the message to tmp/,
/// fsyncs it, renames it into new/ and fsyncs new/, so a message that deliver() returned for
/// survives a crash or power loss, and a message it did not return for is never in new/.
/// Errors are Error(io) naming the file and the system's reason.
class MAILWIRE_API Maildir {
 public:
  /// Opens the Maildir at `path`, creating it and its tmp/, new/ and cur/ (mode 0700) when
  /// `create` is true. Throws Error(usage) for an empty path, Error(io) when it cannot be
  /// created or is not a Maildir.
  explicit Maildir(std::string path, bool create = true);

  /// The Maildir directory, without trailing slashes.
  const std::string& path() const noexcept { return path_; }

  /// Delivers what `write` produces: `write` is called once with a sink to push the message
  /// through, in chunks of any size. Returns the file name in new/. `tag` (letters and digits,
  /// at most 64) is embedded in the unique name as "R<tag>" so that find_tag() can find the
  /// message again later (the POP3 download job stores a hash of the message's UIDL there).
  std::string deliver(const std::function<void(const ByteSink&)>& write, std::string_view tag = {});
  /// Delivers bytes held in memory.
  std::string deliver_bytes(std::string_view message, std::string_view tag = {});

  /// Every tag found in the names of messages in new/ and cur/.
  std::vector<std::string> tags() const;
  /// Names of the messages in new/ (not in cur/).
  std::vector<std::string> new_messages() const;
  /// Removes files in tmp/ untouched for 36 hours (abandoned deliveries, as the spec says).
  void clean_tmp() const;

 private:
  std::string unique_name(std::string_view tag);

  std::string path_;
  std::string hostname_;
  std::uint64_t deliveries_ = 0;
};

}  // namespace mailwire
