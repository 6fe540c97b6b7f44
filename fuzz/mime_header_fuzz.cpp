// Header values: addresses, encoded words, RFC 2231 parameters, dates, and the header list.

#include <mailwire/mime/address.hpp>
#include <mailwire/mime/content_type.hpp>
#include <mailwire/mime/date_time.hpp>
#include <mailwire/mime/encoded_word.hpp>
#include <mailwire/mime/header.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire::mime;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const Mailbox& m : parse_address_list(input))
    (void)m.to_header();
  const std::string decoded = decode_encoded_words(input);
  if (decode_encoded_words(encode_header_text(decoded)) != decoded) __builtin_trap();
  (void)ContentType::parse(input);
  (void)ContentDisposition::parse(input);
  (void)parse_date(input);
  const HeaderList h = HeaderList::parse(input);
  if (h.to_string() != input) __builtin_trap();
  for (const HeaderField& f : h.fields())
    (void)f.value();
  return 0;
}
