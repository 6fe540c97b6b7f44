#pragma once

#include <mailwire/imap/response.hpp>

#include "imap/wire_decoder.hpp"

#include <string>
#include <system_error>

namespace mailwire::imap::detail {

struct ParserSettings {
  DecoderLimits limits;
  bool utf8 = false;  // mailbox names are UTF-8 (UTF8=ACCEPT) rather than modified UTF-7
};

// Parses one assembled response. Literal bytes are moved out of `raw`.
std::error_code parse_raw_response(RawResponse& raw, const ParserSettings& settings, Response& out,
                                   std::string& message);

// Parses `resp-text-code` arguments into `code` (name already set); used by the parser and
// exposed for tests.
void parse_resp_text_code(std::string_view name, std::string_view args, ResponseCode& code);

}  // namespace mailwire::imap::detail
