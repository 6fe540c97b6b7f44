// The MIME parser on arbitrary bytes: parse, walk every entity, decode every body, write back
// (which must reproduce the input byte for byte).

#include <mailwire/mime/message.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire::mime;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ParserOptions options;
  options.max_depth = 16;
  options.max_parts = 200;
  const Message m = Message::parse_view(input, options);
  std::size_t total = 0;
  for (const Entity* e : m.entities()) {
    (void)e->filename();
    (void)e->disposition();
    if (e->children().empty()) total += e->text().size();
  }
  (void)m.subject();
  (void)m.from();
  std::string out;
  m.root().write([&](std::string_view c) { out.append(c); });
  if (out != input) __builtin_trap();
  return total == 0xdeadbeef ? 1 : 0;
}
