// Quoted-printable (RFC 2045 section 6.7): the streaming decoder split anywhere equals the
// one-shot decoder; encode → decode is the identity, in text and binary mode.

#include <mailwire/mime/encoding.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire::mime;
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = data[0] % (input.size() + 1);
  std::string streamed;
  QuotedPrintableDecoder decoder;
  decoder.feed(input.substr(0, split), streamed);
  decoder.feed(input.substr(split), streamed);
  decoder.finish(streamed);
  if (streamed != quoted_printable_decode(input)) __builtin_trap();
  if (quoted_printable_decode(quoted_printable_encode(input, true)) != input) __builtin_trap();
  return 0;
}
