#pragma once

// Walking message files for the commands that read many (`mime stat`, `bounce`): folders are
// walked in name order, and an mbox (a name holding ".mbox") is split at its "From " lines.

#include "commands.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace mailwire::cli {

/// Receives one message's bytes in chunks, then its end.
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  /// The next bytes of the message.
  virtual void feed(std::string_view bytes) = 0;
  /// The end of the message.
  virtual void finish() = 0;
};

/// Makes the sink for the next message of `path`: `index` is 0 for a plain file, 1, 2, ...
/// for the messages of an mbox.
using SinkFactory = std::function<std::unique_ptr<MessageSink>(const std::filesystem::path& path,
                                                               std::size_t index)>;

/// The files named by `paths` (args[first..]): files as given, folders walked recursively
/// (regular files, sorted by name).
std::vector<std::filesystem::path> expand_paths(const Args& args, std::size_t first);

/// Reads `path` in 64 KiB chunks into sinks made by `make`: one for a plain file, one per
/// message of an mbox (the "From " line itself is not part of the message; lines are split
/// across chunk ends correctly). Throws Error(io) when the file cannot be read.
void read_messages(const std::filesystem::path& path, const SinkFactory& make);

}  // namespace mailwire::cli
