#include "dkim/signing.hpp"

#include <mailwire/error.hpp>

#include <openssl/rsa.h>

#include <memory>

namespace mailwire::dkim::detail {

namespace {

std::string canonical(std::string_view field, bool relaxed) {
  std::string out = relaxed ? relaxed_header(field) : std::string(field);
  return out;
}

std::string_view without_crlf(std::string_view s) {
  if (s.size() >= 2 && s.substr(s.size() - 2) == "\r\n") s.remove_suffix(2);
  return s;
}

using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, void (*)(EVP_PKEY_CTX*)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)>;

}  // namespace

std::string header_digest(const std::vector<RawField>& fields,
                          const std::vector<std::string>& names, std::string_view signature_field,
                          bool relaxed) {
  Sha256 sha;
  std::vector<bool> used(fields.size(), false);
  for (const std::string& name : names) {
    for (std::size_t i = fields.size(); i-- > 0;) {
      if (used[i] || !iequals(fields[i].name, name)) continue;
      used[i] = true;
      sha.update(canonical(fields[i].bytes, relaxed));
      break;
    }
  }
  const std::string emptied = without_b_value(signature_field);
  if (relaxed) {
    const std::string c = relaxed_header(emptied);
    sha.update(without_crlf(c));
  } else {
    sha.update(without_crlf(emptied));
  }
  return sha.final();
}

std::string sign_digest(EVP_PKEY* key, Algorithm algorithm, std::string_view digest) {
  const auto* data = reinterpret_cast<const unsigned char*>(digest.data());
  std::string sig;
  if (algorithm == Algorithm::Ed25519Sha256) {
    MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::size_t len = 64;
    sig.resize(len);
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1 ||
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data,
                       digest.size()) != 1) {
      throw Error(Errc::usage, "dkim: Ed25519 signing failed");
    }
    sig.resize(len);
    return sig;
  }
  PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr), EVP_PKEY_CTX_free);
  std::size_t len = 0;
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_sign(ctx.get(), nullptr, &len, data, digest.size()) != 1) {
    throw Error(Errc::usage, "dkim: RSA signing failed");
  }
  sig.resize(len);
  if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data,
                    digest.size()) != 1) {
    throw Error(Errc::usage, "dkim: RSA signing failed");
  }
  sig.resize(len);
  return sig;
}

bool verify_digest(EVP_PKEY* key, Algorithm algorithm, std::string_view digest,
                   std::string_view signature) {
  const auto* data = reinterpret_cast<const unsigned char*>(digest.data());
  const auto* sig = reinterpret_cast<const unsigned char*>(signature.data());
  if (algorithm == Algorithm::Ed25519Sha256) {
    MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) == 1 &&
           EVP_DigestVerify(ctx.get(), sig, signature.size(), data, digest.size()) == 1;
  }
  PkeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr), EVP_PKEY_CTX_free);
  return ctx && EVP_PKEY_verify_init(ctx.get()) == 1 &&
         EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1 &&
         EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) == 1 &&
         EVP_PKEY_verify(ctx.get(), sig, signature.size(), data, digest.size()) == 1;
}

}  // namespace mailwire::dkim::detail
