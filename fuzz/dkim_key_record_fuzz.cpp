// DKIM key records (RFC 6376 3.6.1): never a crash; a usable record has a key or is revoked;
// a verifier given the record as its key never throws.

#include <mailwire/dkim/verifier.hpp>

#include "dkim/tag_list.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire::dkim;
  const std::string input(reinterpret_cast<const char*>(data), size);
  const detail::KeyRecord record = detail::parse_key_record(input);
  if (record.ok() && record.revoked != record.public_key.empty()) __builtin_trap();
  auto keys = std::make_shared<StaticKeyLookup>();
  keys->add("s._domainkey.example.com", input);
  VerifierOptions options;
  options.keys = keys;
  options.now = 1700000000;
  Verifier verifier(options);
  // A well-formed signature whose b= cannot match: never a pass.
  const auto results = verifier.verify(
      "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.com; s=s; "
      "h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n"
      "From: a@example.com\r\n\r\n");
  if (results.size() != 1 || results[0].status == Status::Pass) __builtin_trap();
  return 0;
}
