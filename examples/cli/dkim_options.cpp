#include "dkim_options.hpp"

#include "connection.hpp"

#include <mailwire/error.hpp>

namespace mailwire::cli {

const char* const dkim_options_usage =
    "  --dkim-domain D --dkim-selector S --dkim-key PEM   sign what is sent (DKIM, RFC 6376;\n"
    "  rsa-sha256 or ed25519-sha256 by the key), relaxed/relaxed\n";

bool parse_dkim_option(const Args& args, std::size_t& i, DkimOptions& d) {
  if (args[i] == "--dkim-domain") {
    d.domain = option_value(args, i);
  } else if (args[i] == "--dkim-selector") {
    d.selector = option_value(args, i);
  } else if (args[i] == "--dkim-key") {
    d.key_file = option_value(args, i);
  } else {
    return false;
  }
  return true;
}

std::shared_ptr<const dkim::Signer> make_dkim_signer(const DkimOptions& d) {
  if (d.domain.empty() && d.selector.empty() && d.key_file.empty()) return nullptr;
  if (d.domain.empty() || d.selector.empty() || d.key_file.empty()) {
    throw UsageError{"--dkim-domain, --dkim-selector and --dkim-key go together"};
  }
  dkim::SignerOptions options;
  options.domain = d.domain;
  options.selector = d.selector;
  try {
    return std::make_shared<const dkim::Signer>(dkim::PrivateKey::from_pem_file(d.key_file),
                                                options);
  } catch (const Error& e) {
    if (e.kind() == Errc::usage) throw UsageError{e.what()};
    throw;
  }
}

}  // namespace mailwire::cli
