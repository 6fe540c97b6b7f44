#pragma once

// Strict base64 (RFC 4648) for protocol payloads: SASL exchanges, XOAUTH2 tokens. The MIME
// model has its own tolerant, streaming decoder for message bodies.

#include <string>
#include <string_view>

namespace mailwire::detail {

std::string base64_encode(std::string_view bytes);
/// False (and `out` unspecified) for anything but canonical, padded base64.
bool base64_decode(std::string_view text, std::string& out);

}  // namespace mailwire::detail
