// IMAP responses from raw bytes, split into two pieces at a point the first byte chooses and
// fed a line at a time, with small limits. Every complete response is popped, and given back
// for reuse when the first byte's bit 1 says so (the next ones are then parsed into its
// memory). Differential: the whole input is read twice, with the FETCH fast path and with the
// general grammar only; both must give the same responses and the same error.

#include <mailwire/imap/response_reader.hpp>

#include "imap/response_parser.hpp"
#include "support/imap_describe.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

std::string read_all(const std::uint8_t* data, std::size_t size, bool fast_path) {
  using namespace mailwire::imap;
  detail::set_fetch_fast_path(fast_path);
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
  std::string transcript;
  const auto drain = [&] {
    while (reader.has_response()) {
      Response r = reader.pop();
      transcript += imap_test::describe(r) + "\n";
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
  if (streamed > input.size()) std::abort();
  return transcript + "error: " + reader.error_message();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  if (read_all(data, size, true) != read_all(data, size, false)) std::abort();
  return 0;
}
