// Content-Type / Content-Disposition parameters, RFC 2231 continuations and charsets.

#include <mailwire/mime/content_type.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire::mime;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  bool defect = false;
  const ParameterList list = ParameterList::parse(input, &defect);
  for (std::size_t i = 0; i < list.items().size(); ++i)
    (void)list.written_name(i);
  const ContentType type = ContentType::parse(input);
  (void)type.param("boundary");
  (void)ContentDisposition::parse(input).filename();
  return 0;
}
