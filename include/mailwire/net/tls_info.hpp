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

  /// Channel-binding data of this connection (raw bytes; empty where the type is undefined),
  /// which SCRAM-*-PLUS binds the authentication to (RFC 5802 section 6).
  struct ChannelBindings {
    /// RFC 9266 "tls-exporter": 32 bytes exported with the label "EXPORTER-Channel-Binding"
    /// and an empty context. TLS 1.3 only (TLS 1.2 would need the extended master secret).
    std::string tls_exporter;
    /// RFC 5929 "tls-server-end-point": the hash of the server certificate (DER) with the hash
    /// of its signature algorithm (SHA-256 for MD5 and SHA-1). Empty when the algorithm has no
    /// single hash (Ed25519).
    std::string tls_server_end_point;
    /// RFC 5929 "tls-unique": the first Finished message of the handshake (ours, or the
    /// server's on a resumed session). RFC 9266 leaves it undefined for TLS 1.3, where it is
    /// still given (our Finished) because some servers bind to it there (Cyrus IMAP 3.6);
    /// sasl_channel_binding() picks it on TLS 1.3 only when asked.
    std::string tls_unique;
  };
  ChannelBindings channel_bindings;  ///< for SCRAM-*-PLUS
};

}  // namespace mailwire
