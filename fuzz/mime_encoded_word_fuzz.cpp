// RFC 2047 encoded words: lenient decoding of any input, and encode → decode round trips of
// whatever text it decoded to.

#include <mailwire/mime/encoded_word.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire::mime;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  bool defect = false;
  const std::string decoded = decode_encoded_words(input, &defect);
  if (decode_encoded_words(encode_header_text(decoded)) != decoded) __builtin_trap();
  (void)encode_phrase(decoded);
  return 0;
}
