// Base64 (RFC 2045 section 6.8): the streaming decoder on any input split at a point the first
// byte chooses must equal the one-shot decoder; encode → decode is the identity.

#include <mailwire/mime/encoding.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire::mime;
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = data[0] % (input.size() + 1);
  std::string streamed;
  Base64Decoder decoder;
  decoder.feed(input.substr(0, split), streamed);
  decoder.feed(input.substr(split), streamed);
  decoder.finish(streamed);
  if (streamed != base64_decode(input)) __builtin_trap();
  if (base64_decode(base64_encode(input)) != input) __builtin_trap();
  return 0;
}
