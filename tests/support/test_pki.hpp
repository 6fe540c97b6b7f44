#pragma once

// Certificates made at test time with the OpenSSL API (EC P-256, fast), once per test process,
// in a temporary directory: a CA, leaves valid and broken in each way a client must notice, and
// a client certificate.

#include <string>

namespace mailwire::test {

struct TestCert {
  std::string cert_file;    ///< PEM certificate (the leaf only)
  std::string key_file;     ///< PEM private key
  std::string chain_file;   ///< PEM leaf + intermediate (for the chained leaf), else = cert_file
  std::string spki_sha256;  ///< SHA-256 of the SubjectPublicKeyInfo, lower-case hex
  std::string cert_sha256;  ///< SHA-256 of the certificate, lower-case hex
};

struct TestPki {
  std::string dir;
  std::string ca_file;      ///< the trusted root
  TestCert valid;           ///< localhost, 127.0.0.1, ::1, signed by the CA
  TestCert wrong_host;      ///< mail.invalid only
  TestCert expired;         ///< valid names, expired yesterday
  TestCert self_signed;     ///< valid names, signed by itself
  TestCert unknown_issuer;  ///< signed by an intermediate the server does not send
  TestCert chained;         ///< signed by an intermediate; chain_file carries it
  TestCert client;          ///< a client certificate signed by the CA

  /// The PKI of this test process (made on first use, removed at exit).
  static const TestPki& get();
};

}  // namespace mailwire::test
