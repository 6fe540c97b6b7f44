#pragma once

// Message options shared by `send` and `mime build` (see CLI.md).

#include "commands.hpp"

#include <mailwire/mime/builder.hpp>

#include <string>
#include <vector>

namespace mailwire::cli {

struct MessageOptions {
  std::string from;
  std::vector<std::string> to, cc, bcc;
  std::string subject;
  std::string text;
  bool has_text = false;
  std::string html_file;
  std::vector<std::string> attachments;
  std::string message_file;  // --message FILE.eml (send only)

  bool any_content() const { return has_text || !html_file.empty() || !attachments.empty(); }
};

/// Consumes one message option at args[i]; false when it is not one. Throws UsageError.
bool parse_message_option(const Args& args, std::size_t& i, MessageOptions& m);

/// The message the options describe. Throws UsageError or mailwire::Error.
mime::MessageBuilder build_message(const MessageOptions& m);

}  // namespace mailwire::cli
