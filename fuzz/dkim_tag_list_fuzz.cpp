// DKIM tag=value lists (the DKIM-Signature field value, RFC 6376 3.2): a parsed list has
// unique, well-formed names; the whole verifier never throws on a signature built from it.

#include <mailwire/dkim/verifier.hpp>

#include "dkim/tag_list.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire::dkim;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const detail::TagList list = detail::parse_tag_list(input);
  if (list.ok()) {
    if (list.tags.size() > 64) __builtin_trap();
    for (std::size_t i = 0; i < list.tags.size(); ++i) {
      if (list.tags[i].name.empty()) __builtin_trap();
      for (std::size_t j = i + 1; j < list.tags.size(); ++j) {
        if (list.tags[i].name == list.tags[j].name) __builtin_trap();
      }
    }
  }
  // The same bytes as a DKIM-Signature field of a small message, keys from nowhere.
  static const auto keys = std::make_shared<StaticKeyLookup>();
  VerifierOptions options;
  options.keys = keys;
  options.now = 1700000000;
  Verifier verifier(options);
  const std::string message =
      "DKIM-Signature:" + std::string(input) + "\r\nFrom: a@example.com\r\n\r\nbody\r\n";
  const auto results = verifier.verify(message);
  if (results.size() != 1 || results[0].status == Status::Pass) __builtin_trap();
  return 0;
}
