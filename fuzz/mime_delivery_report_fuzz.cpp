// The delivery report reader on arbitrary bytes: parse, read the report, check what it gives
// (every recipient has an address, but a complaint that does not say who complained; a status,
// when given, starts with its class digit); and the streaming reader on the same bytes in two
// chunks.

#include <mailwire/mime/delivery_report.hpp>
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
  const DeliveryReport r = DeliveryReport::from_message(m);
  std::size_t total = 0;
  for (const ReportRecipient& x : r.recipients) {
    if (x.address.empty() && x.reason != BounceReason::Complaint) __builtin_trap();
    if (!x.status.empty() && x.status[0] != '2' && x.status[0] != '4' && x.status[0] != '5')
      __builtin_trap();
    if (x.diagnostic.size() > 1000) __builtin_trap();
    total += x.address.size() + std::string(to_string(x.reason)).size();
  }
  if (const auto decoded = verp_decode(input.substr(0, 200))) total += decoded->size();
  DeliveryReportReader reader;
  reader.feed(input.substr(0, size / 2));
  reader.feed(input.substr(size / 2));
  for (const ReportRecipient& x : reader.finish().recipients) {
    if (x.address.empty() && x.reason != BounceReason::Complaint) __builtin_trap();
    total += x.status.size();
  }
  (void)to_string(r.kind);
  return total == 0xdeadbeef ? 1 : 0;
}
