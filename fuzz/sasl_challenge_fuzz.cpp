// Server challenges to every SASL mechanism: the input is split into challenges at NUL bytes.

#include <mailwire/sasl.hpp>

#include "detail/base64.hpp"

#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailwire;
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  SaslCredentials c;
  c.user = "user";
  c.password = "pencil";
  c.oauth2_token = "token";
  for (const char* name : {"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", "XOAUTH2",
                           "OAUTHBEARER", "EXTERNAL"}) {
    // A small nonce keeps SCRAM's nonce check reachable; iterations are capped by the mechanism,
    // and the fuzzer would spend its time in PBKDF2, so inputs with big counts are cut short.
    auto m = std::string(name).rfind("SCRAM", 0) == 0 ? make_scram_mechanism(name, c, "n")
                                                      : make_sasl_mechanism(name, c);
    if (m->client_first()) (void)m->initial_response();
    std::size_t at = 0;
    for (int round = 0; round < 4 && at <= all.size(); ++round) {
      std::size_t end = all.find('\0', at);
      if (end == std::string_view::npos) end = all.size();
      std::string challenge(all.substr(at, end - at));
      at = end + 1;
      if (challenge.find("i=") != std::string::npos && challenge.size() > 64) break;
      std::string response;
      if (m->respond(challenge, response)) break;
    }
    (void)m->verify_success(all.substr(0, 64));
  }
  std::string decoded;
  (void)detail::base64_decode(all, decoded);
  return 0;
}
