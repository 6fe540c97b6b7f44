// Transfer encodings: decoders on arbitrary input split at a chosen point, and encoder
// round trips.

#include <mailwire/mime/charset.hpp>
#include <mailwire/mime/encoding.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire::mime;
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = data[0] % (input.size() + 1);
  std::string a, b;
  Base64Decoder b64;
  b64.feed(input.substr(0, split), a);
  b64.feed(input.substr(split), a);
  b64.finish(a);
  QuotedPrintableDecoder qp;
  qp.feed(input.substr(0, split), b);
  qp.feed(input.substr(split), b);
  qp.finish(b);
  if (base64_decode(base64_encode(input)) != input) __builtin_trap();
  if (quoted_printable_decode(quoted_printable_encode(input, true)) != input) __builtin_trap();
  std::string utf8;
  (void)to_utf8(data[0] % 2 ? "iso-2022-jp" : "utf-7", input, utf8);
  if (!is_valid_utf8(repair_utf8(input))) __builtin_trap();
  return 0;
}
