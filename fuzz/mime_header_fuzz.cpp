// The header list: any bytes parse into fields that write back byte for byte; every field's
// unfolded value is readable.

#include <mailwire/mime/header.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire::mime;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const HeaderList h = HeaderList::parse(input);
  if (h.to_string() != input) __builtin_trap();
  for (const HeaderField& f : h.fields())
    (void)f.value();
  return 0;
}
