// SMTP replies line by line (split at CRLF or LF), EHLO parsing of whatever completes, and the
// DATA encoder over the same bytes at a split point chosen by the first byte.

#include "smtp/codec.hpp"

#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire;
  if (size == 0) return 0;
  const std::string_view all(reinterpret_cast<const char*>(data) + 1, size - 1);
  smtp::ReplyParser parser(64);
  std::size_t at = 0;
  while (at < all.size()) {
    std::size_t nl = all.find('\n', at);
    if (nl == std::string_view::npos) nl = all.size();
    std::string_view line = all.substr(at, nl - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    at = nl + 1;
    smtp::ReplyParser::Status status{};
    if (parser.feed(line, status)) continue;
    if (status == smtp::ReplyParser::Status::Done) {
      const SmtpReply reply = parser.take();
      (void)smtp::parse_ehlo(reply);
      (void)reply.to_string();
    }
  }
  smtp::DataEncoder encoder;
  std::string out;
  const std::size_t split = data[0] % (all.size() + 1);
  encoder.feed(all.substr(0, split), out);
  encoder.feed(all.substr(split), out);
  encoder.finish(out);
  // Only CRLF line ends leave the encoder.
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\r' && (i + 1 == out.size() || out[i + 1] != '\n')) __builtin_trap();
    if (out[i] == '\n' && (i == 0 || out[i - 1] != '\r')) __builtin_trap();
  }
  (void)smtp::valid_address(all, true);
  (void)smtp::xtext(all);
  return 0;
}
