#pragma once
// The header hash of RFC 6376 3.7 and the public-key operations over it, shared by the signer
// and the verifier.

#include <mailwire/dkim/signer.hpp>

#include "dkim/canonical.hpp"

#include <openssl/evp.h>

#include <string>
#include <string_view>
#include <vector>

namespace mailwire::dkim::detail {

/// SHA-256 of the signed header fields (each name of `names` takes the next instance from the
/// bottom; a name without one more instance adds nothing), then the DKIM-Signature field
/// `signature_field` with its b= value removed and no final CRLF, all canonicalized.
std::string header_digest(const std::vector<RawField>& fields,
                          const std::vector<std::string>& names, std::string_view signature_field,
                          bool relaxed);

/// RSASSA-PKCS1-v1_5 over a SHA-256 digest, or Ed25519 over the 32 digest bytes.
std::string sign_digest(EVP_PKEY* key, Algorithm algorithm, std::string_view digest);

/// True when `signature` is good for `digest` under `key`.
bool verify_digest(EVP_PKEY* key, Algorithm algorithm, std::string_view digest,
                   std::string_view signature);

}  // namespace mailwire::dkim::detail
