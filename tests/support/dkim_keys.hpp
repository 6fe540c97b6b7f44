#pragma once
// Keys for DKIM tests, made once per process with OpenSSL (never checked in).

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace mailwire::test {

inline std::string pem_of(EVP_PKEY* key) {
  std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) {
    throw std::runtime_error("cannot write a PEM key");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

/// A fresh RSA key of `bits` bits, PEM.
inline std::string make_rsa_pem(unsigned bits) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits));
  if (key == nullptr) throw std::runtime_error("RSA key generation failed");
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> guard(key, EVP_PKEY_free);
  return pem_of(key);
}

/// A fresh Ed25519 key, PEM.
inline std::string make_ed25519_pem() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) throw std::runtime_error("Ed25519 key generation failed");
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> guard(key, EVP_PKEY_free);
  return pem_of(key);
}

/// An Ed25519 key from its 32 secret bytes, PEM.
inline std::string ed25519_pem_from_seed(const std::string& seed) {
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  if (key == nullptr) throw std::runtime_error("bad Ed25519 seed");
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> guard(key, EVP_PKEY_free);
  return pem_of(key);
}

/// The RSA 2048 and Ed25519 keys of this test run.
inline const std::string& rsa2048_pem() {
  static const std::string pem = make_rsa_pem(2048);
  return pem;
}
inline const std::string& ed25519_pem() {
  static const std::string pem = make_ed25519_pem();
  return pem;
}

}  // namespace mailwire::test
