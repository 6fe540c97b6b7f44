// IMAP responses from raw bytes, split into two feeds at a point the first byte chooses, with
// small limits; every complete response is popped, and given back for reuse when the first
// byte's bit 1 says so (the next responses are then parsed into its memory).

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
  const bool recycle = (data[0] & 2) != 0;
  const auto drain = [&] {
    while (reader.has_response()) {
      Response r = reader.pop();
      if (recycle) reader.recycle(std::move(r));
    }
  };
  // Two pieces, each fed a line at a time so that responses are popped (and reused) in turn.
  const auto feed = [&](std::string_view piece) {
    while (!piece.empty()) {
      const std::size_t lf = piece.find('\n');
      const std::size_t n = lf == std::string_view::npos ? piece.size() : lf + 1;
      reader.feed(piece.substr(0, n));
      drain();
      piece.remove_prefix(n);
    }
  };
  const std::size_t split = data[0] % (input.size() + 1);
  feed(input.substr(0, split));
  feed(input.substr(split));
  return streamed > input.size() ? 1 : 0;
}
