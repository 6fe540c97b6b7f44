#pragma once

// `--dkim-domain D --dkim-selector S --dkim-key PEM`: the signing options shared by the
// commands that send (send, send-many).

#include "commands.hpp"

#include <mailwire/dkim/signer.hpp>

#include <memory>
#include <string>

namespace mailwire::cli {

/// The --dkim-* options as given.
struct DkimOptions {
  std::string domain;
  std::string selector;
  std::string key_file;
};

/// Consumes one --dkim-* option at args[i] (and its value), returning true; false when args[i]
/// is not one. Throws UsageError for a missing value.
bool parse_dkim_option(const Args& args, std::size_t& i, DkimOptions& d);

/// The signer the options ask for; null when none was given. Throws UsageError when only some
/// were given or the key is unusable, mailwire::Error(io) when the key file cannot be read.
std::shared_ptr<const dkim::Signer> make_dkim_signer(const DkimOptions& d);

/// Usage lines for the --dkim-* options.
extern const char* const dkim_options_usage;

}  // namespace mailwire::cli
