#include "support/scram_oracle.hpp"

#include <openssl/hmac.h>

#include <vector>

namespace mailwire::test {

namespace {

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string hash(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<const char*>(out), len);
}

// The value of attribute `name` in a comma-separated SCRAM message, or empty.
std::string attribute(std::string_view message, char name) {
  std::size_t at = 0;
  while (at < message.size()) {
    std::size_t comma = message.find(',', at);
    if (comma == std::string_view::npos) comma = message.size();
    const std::string_view item = message.substr(at, comma - at);
    if (item.size() >= 2 && item[0] == name && item[1] == '=') return std::string(item.substr(2));
    at = comma + 1;
  }
  return {};
}

}  // namespace

ScramOracle::ScramOracle(const EVP_MD* md, std::string password, std::string cbind_input)
    : md_(md), password_(std::move(password)), cbind_input_(std::move(cbind_input)) {}

std::string ScramOracle::b64(std::string_view raw) {
  std::vector<unsigned char> out(4 * ((raw.size() + 2) / 3) + 1);
  const int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(raw.data()),
                                static_cast<int>(raw.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

std::string ScramOracle::unb64(std::string_view text) {
  if (text.size() % 4 != 0) return {};
  std::vector<unsigned char> out(text.size() / 4 * 3 + 1);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return {};
  std::size_t len = static_cast<std::size_t>(n);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i)
    --len;  // EVP_DecodeBlock counts the padding as bytes
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

std::string ScramOracle::fail(std::string why) {
  if (problem_.empty()) problem_ = std::move(why);
  return "e=other-error";
}

std::string ScramOracle::first(std::string_view client_first) {
  // gs2-header = cbind-flag "," [authzid] ","; the bare message follows.
  const std::size_t c1 = client_first.find(',');
  const std::size_t c2 = c1 == std::string_view::npos ? c1 : client_first.find(',', c1 + 1);
  if (c2 == std::string_view::npos) return fail("no GS2 header in the client-first message");
  const std::string gs2(client_first.substr(0, c2 + 1));
  if (cbind_input_.compare(0, gs2.size(), gs2) != 0) {
    return fail("GS2 header \"" + gs2 + "\" where the binding starts \"" +
                cbind_input_.substr(0, cbind_input_.find(',', cbind_input_.find(',') + 1) + 1) +
                "\"");
  }
  client_first_bare_ = std::string(client_first.substr(c2 + 1));
  nonce_ = attribute(client_first_bare_, 'r') + "OracleServerNonce";
  server_first_ = "r=" + nonce_ + ",s=" + b64(salt_) + ",i=" + std::to_string(iterations_);
  return server_first_;
}

std::string ScramOracle::final(std::string_view client_final) {
  const std::string c = attribute(client_final, 'c');
  const std::string r = attribute(client_final, 'r');
  const std::string p = attribute(client_final, 'p');
  if (unb64(c) != cbind_input_) return fail("c= is not the expected channel binding");
  if (r != nonce_) return fail("r= is not the combined nonce");
  const std::size_t at = client_final.find(",p=");
  if (at == std::string_view::npos) return fail("no proof");
  const std::string auth_message =
      client_first_bare_ + "," + server_first_ + "," + std::string(client_final.substr(0, at));
  const int size = EVP_MD_get_size(md_);
  std::string salted(static_cast<std::size_t>(size), '\0');
  PKCS5_PBKDF2_HMAC(password_.data(), static_cast<int>(password_.size()),
                    reinterpret_cast<const unsigned char*>(salt_.data()),
                    static_cast<int>(salt_.size()), iterations_, md_, size,
                    reinterpret_cast<unsigned char*>(salted.data()));
  const std::string client_key = hmac(md_, salted, "Client Key");
  const std::string signature = hmac(md_, hash(md_, client_key), auth_message);
  std::string expected = client_key;
  for (std::size_t i = 0; i < expected.size(); ++i)
    expected[i] = static_cast<char>(expected[i] ^ signature[i]);
  if (unb64(p) != expected) return fail("the client proof is wrong");
  return "v=" + b64(hmac(md_, hmac(md_, salted, "Server Key"), auth_message));
}

}  // namespace mailwire::test
