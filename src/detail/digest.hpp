#pragma once

// Small shared helpers: hex digits, and digests through OpenSSL (kept out of public headers).

#include <cstddef>
#include <string>
#include <string_view>

namespace mailwire::detail {

/// Lower-case hex of `size` bytes.
std::string hex_encode(const unsigned char* data, std::size_t size);
/// The value of a hex digit (either case), or -1.
int hex_value(char c) noexcept;
/// Lower-case hex SHA-256 and MD5 of `data`.
std::string sha256_hex(std::string_view data);
std::string md5_hex(std::string_view data);

}  // namespace mailwire::detail
