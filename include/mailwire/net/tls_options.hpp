#pragma once

/// \file
/// TLS settings for TlsTransport. The defaults verify the peer certificate chain against the
/// system trust store and the host name against the certificate, and require TLS 1.2 or newer.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire {

/// Oldest TLS version a connection accepts.
enum class TlsVersion {
  Tls12,  ///< TLS 1.2 or newer
  Tls13,  ///< TLS 1.3 only
};

/// Settings of one TLS connection.
struct TlsOptions {
  /// Verify the certificate chain. Turning this off is what `insecure` is for.
  bool verify_peer = true;
  /// Verify that the certificate names the host we connected to (RFC 6125).
  bool verify_host = true;
  /// PEM file of trusted CAs; with ca_dir empty too, the system trust store is used.
  std::string ca_file;
  /// Directory of hashed CA certificates (c_rehash layout).
  std::string ca_dir;
  /// Client certificate chain (PEM file), for servers that ask for one; empty for none. A
  /// certificate or key that cannot be used fails the connection with Error(usage).
  std::string client_cert_file;
  /// Private key (PEM file) of client_cert_file; empty: the key is in client_cert_file.
  std::string client_key_file;
  /// Oldest protocol version accepted.
  TlsVersion min_version = TlsVersion::Tls12;
  /// Server Name Indication to send; empty means the host name connected to (never an IP).
  std::string sni;
  /// Name to verify the certificate against, when it differs from the host connected to.
  std::string verify_name;
  /// Application protocols offered in ALPN (RFC 7301), most preferred first, each 1 to 255
  /// bytes. Unset: SmtpClient, ImapClient and Pop3Client offer their own ("smtp", "imap",
  /// "pop3"; LMTP none) on implicit TLS and STARTTLS alike, and a TlsTransport made directly
  /// offers none. Empty: none. A server that picks a protocol must pick one offered, or the
  /// handshake fails with Error(tls): it serves another protocol under the same certificate
  /// (the ALPACA cross-protocol attack). A server that picks none is accepted.
  std::optional<std::vector<std::string>> alpn;
  /// Accept the connection only if the SHA-256 of the peer's SubjectPublicKeyInfo (DER) is one
  /// of these: lower- or upper-case hex, colons allowed, or base64 ("sha256//" prefix allowed).
  std::vector<std::string> pin_public_key_sha256;
  /// Same, over the whole peer certificate (DER).
  std::vector<std::string> pin_certificate_sha256;
  /// Disables chain and host name verification. For tests only: anyone on the path can read
  /// and change the traffic. Every connection made so logs a warning.
  bool insecure = false;
  /// Where warnings go (e.g. the insecure warning); empty means standard error.
  std::function<void(std::string_view)> on_warning;
};

}  // namespace mailwire
