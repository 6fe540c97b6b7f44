// Punycode and IDN domains: a decoded label encodes back to Punycode that decodes to the same
// label, and a domain's ASCII form survives a trip through its Unicode form unchanged.

#include <mailwire/mime/idn.hpp>

#include <cstdint>
#include <string>

namespace {

// The code points of UTF-8 that punycode_decode() produced (so known to be valid).
std::u32string code_points(std::string_view utf8) {
  std::u32string out;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t c = length == 1 ? lead : lead & (0x7Fu >> length);
    for (std::size_t j = 1; j < length && i + j < utf8.size(); ++j)
      c = (c << 6) | (static_cast<unsigned char>(utf8[i + j]) & 0x3Fu);
    out += c;
    i += length;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire::mime;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (const std::optional<std::string> label = punycode_decode(input)) {
    const std::optional<std::string> encoded = punycode_encode(code_points(*label));
    if (!encoded || encoded->size() != input.size()) __builtin_trap();
    if (punycode_decode(*encoded) != label) __builtin_trap();
  }

  (void)domain_to_unicode(input);
  if (const std::optional<std::string> ascii = domain_to_ascii(input)) {
    if (ascii->size() > max_domain_octets) __builtin_trap();
    for (const char c : *ascii) {
      if (static_cast<unsigned char>(c) >= 0x80) __builtin_trap();
    }
    if (domain_to_ascii(domain_to_unicode(*ascii)) != ascii) __builtin_trap();
  }
  return 0;
}
