#include "detail/digest.hpp"

#include <openssl/evp.h>

namespace mailwire::detail {
namespace {

std::string digest_hex(std::string_view data, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return hex_encode(out, len);
}

}  // namespace

std::string hex_encode(const unsigned char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xf];
  }
  return out;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string sha256_hex(std::string_view data) {
  return digest_hex(data, EVP_sha256());
}

std::string md5_hex(std::string_view data) {
  return digest_hex(data, EVP_md5());
}

}  // namespace mailwire::detail
