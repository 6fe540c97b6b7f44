// RFC 5322 dates (with the obsolete and broken forms): a parsed date formats to a value that
// parses to the same instant.

#include <mailwire/mime/builder.hpp>
#include <mailwire/mime/date_time.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire::mime;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::optional<DateTime> date = parse_date(input);
  if (!date || date->utc < 0 || date->utc > 253402300799) return 0;  // up to year 9999
  const std::optional<DateTime> again = parse_date(format_date(date->utc));
  if (!again || again->utc != date->utc) __builtin_trap();
  return 0;
}
