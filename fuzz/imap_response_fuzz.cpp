// IMAP responses from raw bytes, split into two feeds at a point the first byte chooses, with
// small limits; every complete response is popped.

#include <mailwire/imap/response_reader.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire::imap;
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  ResponseReaderOptions options;
  options.max_line = 4096;
  options.max_literal = 4096;
  options.max_response = 65536;
  options.max_depth = 32;
  options.max_items = 10000;
  options.stream_threshold = 64;
  std::uint64_t streamed = 0;
  options.literal_sink = [&](const LiteralInfo& info) -> LiteralSink {
    if ((data[0] & 1) == 0) return {};
    (void)info.fetch_item;
    return [&](std::string_view chunk) { streamed += chunk.size(); };
  };
  ResponseReader reader(options);
  const std::size_t split = data[0] % (input.size() + 1);
  reader.feed(input.substr(0, split));
  while (reader.has_response())
    (void)reader.pop();
  reader.feed(input.substr(split));
  while (reader.has_response())
    (void)reader.pop();
  return streamed > input.size() ? 1 : 0;
}
