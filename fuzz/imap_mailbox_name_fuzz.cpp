// Modified UTF-7 mailbox names (RFC 3501 section 5.1.3): decoding any bytes, and
// encode → decode round trips of valid UTF-8.

#include <mailwire/imap/mailbox_name.hpp>
#include <mailwire/mime/charset.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const auto decoded = imap::decode_mailbox_utf7(input)) {
    const auto again = imap::encode_mailbox_utf7(*decoded);
    if (!again || imap::decode_mailbox_utf7(*again) != decoded) __builtin_trap();
  }
  if (mime::is_valid_utf8(input)) {
    const auto encoded = imap::encode_mailbox_utf7(input);
    if (encoded && imap::decode_mailbox_utf7(*encoded) != input) __builtin_trap();
  }
  return 0;
}
