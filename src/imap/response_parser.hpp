#pragma once

#include <mailwire/imap/response.hpp>

#include "imap/wire_decoder.hpp"

#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace mailwire::imap::detail {

// Storage of FETCH data that the caller gave back (ResponseReader::recycle): the next FETCH
// response is parsed into it, so its strings and vectors keep their capacity and a stream of
// FETCH responses costs next to no allocations. Objects still shared with the caller are not
// taken.
struct ReuseCache {
  std::vector<std::string> flags;
  std::shared_ptr<Envelope> envelope;
  std::shared_ptr<BodyStructure> body;
  // Elements a shorter list left over, for the next longer one (bounded, small ones only).
  std::vector<Address> spare_addresses;
  BodyParams spare_params;

  void take_from(Response& used);
};

struct ParserSettings {
  DecoderLimits limits;
  bool utf8 = false;  // mailbox names are UTF-8 (UTF8=ACCEPT) rather than modified UTF-7
  ReuseCache* reuse = nullptr;
};

// Parses one assembled response: `text` (raw.text, or the line that is the whole response) with
// the literals of `raw`, whose bytes are moved out.
std::error_code parse_raw_response(RawResponse& raw, std::string_view text,
                                   const ParserSettings& settings, Response& out,
                                   std::string& message);

// Whether ENVELOPE and BODYSTRUCTURE may take the parser's fast path (on unless turned off);
// tests and the differential fuzzer turn it off to compare with the general grammar.
void set_fetch_fast_path(bool on) noexcept;

// Parses `resp-text-code` arguments into `code` (name already set); used by the parser and
// exposed for tests.
void parse_resp_text_code(std::string_view name, std::string_view args, ResponseCode& code);

}  // namespace mailwire::imap::detail
