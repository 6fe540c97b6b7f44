// POP3 replies: status lines, CAPA, LIST/UIDL/STAT lines and multi-line bodies, fed in two
// chunks split at a position chosen by the input's first byte.

#include "pop3/codec.hpp"

#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire;
  if (size == 0) return 0;
  const std::string_view all(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = data[0] % (all.size() + 1);

  pop3::StatusLine status;
  (void)pop3::parse_status_line(all, status);
  (void)pop3::apop_timestamp(all);
  Pop3Capabilities caps;
  pop3::parse_capability(all, caps);
  Pop3Stat stat;
  (void)pop3::parse_stat(all, stat);
  Pop3ListEntry list;
  (void)pop3::parse_list_entry(all, list);
  Pop3UidlEntry uidl;
  (void)pop3::parse_uidl_entry(all, uidl);

  pop3::MultilineDecoder decoder;
  std::uint64_t out = 0;
  const auto emit = [&](const char*, std::size_t n) { out += n; };
  const std::size_t used = decoder.feed(all.substr(0, split), emit);
  if (!decoder.done() && used == split) decoder.feed(all.substr(split), emit);
  if (out != decoder.emitted() || out > all.size()) __builtin_trap();
  return 0;
}
