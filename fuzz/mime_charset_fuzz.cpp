// Charset conversion through iconv with the lenient aliases: any bytes in a charset the first
// byte picks come out as valid UTF-8; repair_utf8 always yields valid UTF-8.

#include <mailwire/mime/charset.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire::mime;
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const char* const charsets[] = {"utf-8",     "iso-2022-jp",  "utf-7",  "gb2312",
                                         "shift_jis", "windows-1252", "utf-16", "x-unknown"};
  std::string utf8;
  if (to_utf8(charsets[data[0] % 8], input, utf8) && !is_valid_utf8(utf8)) __builtin_trap();
  if (!is_valid_utf8(repair_utf8(input))) __builtin_trap();
  return 0;
}
