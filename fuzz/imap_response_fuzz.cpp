// IMAP responses: the input is split into lines at CRLF; a line ending in a literal takes the
// announced number of following bytes (bounded by the limits), as a stream would feed them.

#include "imap/reader.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire::imap;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ReaderLimits limits;
  limits.max_literal = 4096;
  limits.max_response = 65536;
  limits.max_depth = 32;
  limits.max_items = 10000;
  ResponseReader reader(limits);
  std::size_t at = 0;
  while (at < input.size()) {
    std::size_t nl = input.find("\r\n", at);
    if (nl == std::string_view::npos) nl = input.size();
    ResponseReader::Next next{};
    std::uint64_t literal = 0;
    if (reader.feed_line(input.substr(at, nl - at), next, literal)) {
      reader.take();
      at = nl + 2;
      continue;
    }
    at = nl + 2;
    if (next == ResponseReader::Next::Literal) {
      const std::size_t n = static_cast<std::size_t>(literal);
      reader.feed_literal(std::string(input.substr(std::min(at, input.size()), n)));
      at += n;
      continue;
    }
    Response r;
    (void)parse_response(reader.take(), r, limits);
  }
  std::string out;
  (void)decode_mailbox_utf7(input, out);
  (void)encode_mailbox_utf7(out);
  return 0;
}
