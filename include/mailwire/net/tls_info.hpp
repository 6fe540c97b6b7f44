#pragma once

/// \file
/// What a TLS connection negotiated and whom it talks to.

#include <string>

namespace mailwire {

/// Facts about an established TLS session (TlsTransport::tls_info()).
struct TlsInfo {
  std::string protocol;            ///< "TLSv1.3"
  std::string cipher;              ///< "TLS_AES_256_GCM_SHA384"
  std::string peer_subject;        ///< RFC 2253 subject of the peer certificate
  std::string peer_issuer;         ///< RFC 2253 issuer of the peer certificate
  std::string peer_sha256;         ///< SHA-256 of the certificate (DER), lower-case hex
  std::string peer_pubkey_sha256;  ///< SHA-256 of the SubjectPublicKeyInfo (DER), lower-case hex
  bool verified = false;           ///< chain and host name were verified
  std::string alpn;                ///< the application protocol the server chose (ALPN), or empty
};

}  // namespace mailwire
