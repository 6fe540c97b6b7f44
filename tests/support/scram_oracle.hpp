#pragma once

// ScramOracle: the server side of SCRAM (RFC 5802) written apart from the library, on OpenSSL
// directly, so that tests check the client's proof and channel binding against an
// independent computation rather than against the client's own code.
//
//   ScramOracle server(EVP_sha256(), "pencil", "expected c= bytes");
//   std::string first = server.first(client_first);   // the server-first message
//   std::string last = server.final(client_final);    // "v=..." or "e=..." on a mismatch
//   CHECK(server.problem().empty());

#include <openssl/evp.h>

#include <string>
#include <string_view>

namespace mailwire::test {

class ScramOracle {
 public:
  /// `cbind_input`: what the client's "c=" must decode to: its GS2 header followed, for
  /// -PLUS, by the channel-binding data the server computed on its side of the connection.
  ScramOracle(const EVP_MD* md, std::string password, std::string cbind_input);

  /// The client-first message; returns the server-first message.
  std::string first(std::string_view client_first);
  /// The client-final message; returns "v=<server signature>" when the binding and the proof
  /// are right, else "e=..." (and problem() says what was wrong).
  std::string final(std::string_view client_final);

  /// The first thing the client got wrong, or empty.
  const std::string& problem() const noexcept { return problem_; }

  /// Base64 by OpenSSL's EVP_EncodeBlock, for building expectations.
  static std::string b64(std::string_view raw);
  /// The inverse (empty on bad input).
  static std::string unb64(std::string_view text);

 private:
  std::string fail(std::string why);

  const EVP_MD* md_;
  std::string password_;
  std::string cbind_input_;
  std::string salt_ = "mailwire test salt";
  int iterations_ = 4096;
  std::string client_first_bare_;
  std::string server_first_;
  std::string nonce_;
  std::string problem_;
};

}  // namespace mailwire::test
