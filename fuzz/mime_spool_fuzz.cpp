// SpooledMessage against Message::parse: any input, fed in chunks of a size the first byte
// chooses, with a spill threshold and a memory limit the next two bytes choose, gives the same
// entities (type, leaf or not) and the same decoded leaf bodies, whether they stayed in memory
// or went through the temporary file.

#include <mailwire/mime/message.hpp>
#include <mailwire/mime/spooled_message.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace mailwire::mime;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  SpoolOptions options;
  options.spill_threshold = data[1] % 64;
  options.memory_limit = data[2] % 128;
  options.parser.max_depth = 8;
  options.parser.max_parts = 64;
  const std::string input(reinterpret_cast<const char*>(data) + 3, size - 3);

  SpooledMessage spooled(options);
  for (std::size_t at = 0; at < input.size(); at += chunk)
    spooled.feed(std::string_view(input).substr(at, chunk));
  spooled.finish();
  if (spooled.memory_bytes() > options.memory_limit) __builtin_trap();

  const Message message = Message::parse(input, options.parser);
  const std::vector<const Entity*> entities = message.entities();
  const std::vector<SpooledPart>& parts = spooled.parts();
  if (parts.size() != entities.size()) __builtin_trap();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const Entity& e = *entities[i];
    const SpooledPart& p = parts[i];
    if (p.content_type().mime_type() != e.content_type().mime_type()) __builtin_trap();
    if (p.is_leaf() != e.is_leaf()) __builtin_trap();
    if (p.is_leaf() && p.body() != e.decoded_body()) __builtin_trap();
    if (p.size() > options.spill_threshold && !p.spilled()) __builtin_trap();
  }
  return 0;
}
