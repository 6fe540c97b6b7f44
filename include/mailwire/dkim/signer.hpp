#pragma once

/// \file
/// DKIM signing (RFC 6376) with rsa-sha256 and ed25519-sha256 (RFC 8463): a DKIM-Signature
/// header field for a message, computed in one streaming pass over it.

#include <mailwire/export.hpp>
#include <mailwire/message_source.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire::dkim {

namespace detail {
class MessageReader;
class BodyHasher;
}  // namespace detail

/// A signing algorithm (RFC 6376 3.3, RFC 8463).
enum class Algorithm {
  RsaSha256,      ///< "rsa-sha256": RSASSA-PKCS1-v1_5 with SHA-256
  Ed25519Sha256,  ///< "ed25519-sha256": Ed25519 over the SHA-256 of the signed data
};

/// The tag value of an algorithm ("rsa-sha256", "ed25519-sha256").
MAILWIRE_API const char* to_string(Algorithm algorithm) noexcept;

/// A canonicalization algorithm (RFC 6376 3.4), for the header or the body.
enum class Canonicalization {
  Simple,   ///< the bytes as they are (the body without trailing empty lines)
  Relaxed,  ///< tolerant of white space changes and header refolding
};

/// The tag value of a canonicalization ("simple", "relaxed").
MAILWIRE_API const char* to_string(Canonicalization c) noexcept;

/// A private key for signing: RSA (1024 to 4096 bits) or Ed25519, read by OpenSSL.
class MAILWIRE_API PrivateKey {
 public:
  /// Parses a PEM private key (PKCS#8 "PRIVATE KEY", or "RSA PRIVATE KEY"). Throws
  /// Error(usage) when it is not a key, not RSA or Ed25519, or an RSA key outside 1024-4096 bits.
  static PrivateKey from_pem(std::string_view pem);
  /// Reads a PEM file; Error(io) when it cannot be read, then as from_pem().
  static PrivateKey from_pem_file(const std::string& path);
  /// Which algorithm the key signs with.
  Algorithm algorithm() const noexcept { return algorithm_; }
  /// Key size in bits (256 for Ed25519).
  int bits() const noexcept;
  /// The key record for DNS: "v=DKIM1; k=rsa; p=..." (or k=ed25519), to publish as a TXT
  /// record at selector._domainkey.domain.
  std::string dns_record() const;

 private:
  friend class Signer;
  PrivateKey(std::shared_ptr<void> key, Algorithm algorithm)
      : key_(std::move(key)), algorithm_(algorithm) {}
  std::shared_ptr<void> key_;
  Algorithm algorithm_ = Algorithm::RsaSha256;
};

/// What a Signer signs and how.
struct SignerOptions {
  /// d=: the signing domain (required; ASCII or A-labels).
  std::string domain;
  /// s=: the selector; the key record is at selector._domainkey.domain (required).
  std::string selector;
  /// c= for the header.
  Canonicalization header_canonicalization = Canonicalization::Relaxed;
  /// c= for the body.
  Canonicalization body_canonicalization = Canonicalization::Relaxed;
  /// h=: header field names to sign, in order; empty: default_signed_headers(). A name listed
  /// twice signs two instances (bottom-up); a name listed once more than it occurs signs "no
  /// further instance", so none can be added later (over-signing).
  std::vector<std::string> headers;
  /// Over-sign: add each name of `headers` (or the defaults) once more than it occurs, so that
  /// a field added in transit breaks the signature. Default on for From, To, Cc, Subject, Date,
  /// Message-ID, Reply-To, In-Reply-To, References, MIME-Version, Content-Type,
  /// Content-Transfer-Encoding, List-Unsubscribe, List-Unsubscribe-Post.
  bool over_sign = true;
  /// l=: state the body length signed (the whole body). Lets content appended by a list pass,
  /// and lets anyone append content: off by default.
  bool body_length = false;
  /// i=: the agent or user identity (an address at d= or a subdomain); empty: not written.
  std::string identity;
  /// x=: the signature expires this many seconds after t=; 0: no x=.
  std::int64_t expire_after = 0;
  /// t=: the signing time (seconds since 1970); unset: now.
  std::optional<std::int64_t> timestamp;
};

/// Header fields signed by default (RFC 6376 5.4.1: those that carry the content and identity
/// of the message), each once per instance, and over-signed as SignerOptions::over_sign says.
MAILWIRE_API std::vector<std::string> default_signed_headers();

/// Signs messages with one key (RFC 6376 5). Thread-safe: sign() may be called from several
/// threads at once. Several signatures on one message (rsa and ed25519, RFC 8463 section 4):
/// sign the message with each signer and put every field returned above it.
class MAILWIRE_API Signer {
 public:
  /// Throws Error(usage) when domain or selector is empty or not a valid name, the identity is
  /// not at the domain or a subdomain, or a header name has characters outside ftext.
  Signer(PrivateKey key, SignerOptions options);
  /// The options.
  const SignerOptions& options() const noexcept { return options_; }
  /// The key.
  const PrivateKey& key() const noexcept { return key_; }
  /// The DKIM-Signature field for `message` (an RFC 5322 message, any line endings: bare CR
  /// and LF count as CRLF, as SMTP sends them), folded, ending in CRLF; put it first in the
  /// header. The message must not change afterwards.
  std::string sign(std::string_view message) const;
  /// The same from a source read once from its start, in bounded memory (a 1 GiB message is
  /// hashed in 64 KiB chunks). A header block over 1 MiB: Error(limit).
  std::string sign(MessageSource& message) const;

 private:
  std::string finish(detail::MessageReader& reader, detail::BodyHasher& body) const;
  PrivateKey key_;
  SignerOptions options_;
};

}  // namespace mailwire::dkim
