#pragma once

// The tool's help texts: generated from docs/cli.md (the tool's reference) when the tool is
// built, by cmake/cli_doc.py, so that `mailwire help COMMAND`, `mailwire COMMAND --help`, the
// man page and docs/cli.md say the same thing.

#include <cstddef>
#include <cstdio>
#include <string>

namespace mailwire::cli {

/// One section of docs/cli.md: "send", "imap list", "exit-codes", ... and its text.
struct HelpTopic {
  const char* topic;
  const char* text;
};

/// Every section of docs/cli.md, in the order of the document (generated: cli_help.cpp).
extern const HelpTopic help_topics[];
/// How many entries help_topics has.
extern const std::size_t help_topic_count;

/// The text of `topic` ("imap", "imap list"), or nullptr when docs/cli.md has no such section.
const char* help_text(const std::string& topic);

/// Prints the text of `topic` to `out`; false (and nothing printed) when there is none.
bool print_help(const std::string& topic, std::FILE* out);

}  // namespace mailwire::cli
