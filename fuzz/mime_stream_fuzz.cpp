// The incremental MIME parser against the in-memory one: any input, fed in chunks of a size
// the first byte chooses, gives the same leaves with the same decoded bytes as Message::parse
// (for inputs whose lines are short enough that both wait for the whole line).

#include <mailwire/mime/message.hpp>
#include <mailwire/mime/stream_parser.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace mailwire::mime;

void walk(const Entity& e, std::vector<std::string>& out) {
  if (!e.children().empty()) {
    for (const Entity& c : e.children())
      walk(c, out);
  } else if (!e.content_type().is_multipart()) {
    out.push_back(e.content_type().mime_type() + "\n" + e.decoded_body());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  ParserOptions options;
  options.max_depth = 8;
  options.max_parts = 64;

  std::vector<std::string> streamed;
  StreamCallbacks cb;
  cb.on_entity = [&](const StreamEntity& e) {
    if (e.leaf) streamed.push_back(e.content_type.mime_type() + "\n");
  };
  cb.on_body = [&](std::string_view d) {
    if (streamed.empty()) __builtin_trap();  // body bytes outside a leaf
    streamed.back().append(d);
  };
  StreamParser parser(cb, options);
  for (std::size_t at = 0; at < input.size(); at += chunk)
    parser.feed(std::string_view(input).substr(at, chunk));
  parser.finish();

  std::size_t longest = 0;
  for (std::size_t at = 0; at < input.size();) {
    const std::size_t nl = input.find('\n', at);
    const std::size_t end = nl == std::string::npos ? input.size() : nl + 1;
    longest = std::max(longest, end - at);
    at = end;
  }
  if (longest > 512) return 0;  // long partial lines are passed on early: not compared
  std::vector<std::string> in_memory;
  walk(Message::parse(input, options).root(), in_memory);
  if (streamed != in_memory) __builtin_trap();
  return 0;
}
