#include "support/test_pki.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace mailwire::test {
namespace {

struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertDeleter {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using Cert = std::unique_ptr<X509, CertDeleter>;

Key make_key() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) throw std::runtime_error("test pki: cannot make a key");
  return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) throw std::runtime_error("test pki: bad extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `key` named `cn`, signed by `issuer_key` (self-signed when issuer is null).
Cert make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca,
               const char* san, long not_before_days, long not_after_days) {
  static long serial = 1000;
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before_days * 86400);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after_days * 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("mailwire tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (ca) {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (san != nullptr) add_ext(cert.get(), signer, NID_subject_alt_name, san);
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) {
    throw std::runtime_error("test pki: cannot sign");
  }
  return cert;
}

void write_pem(const std::string& file, X509* cert, X509* extra = nullptr) {
  FILE* f = std::fopen(file.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("test pki: cannot write " + file);
  PEM_write_X509(f, cert);
  if (extra != nullptr) PEM_write_X509(f, extra);
  std::fclose(f);
}

void write_key(const std::string& file, EVP_PKEY* key) {
  FILE* f = std::fopen(file.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("test pki: cannot write " + file);
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
}

std::string hex(const unsigned char* p, unsigned int n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 0xf];
  }
  return out;
}

TestCert save(const std::string& dir, const std::string& name, X509* cert, EVP_PKEY* key,
              X509* intermediate = nullptr) {
  TestCert out;
  out.cert_file = dir + "/" + name + ".pem";
  out.key_file = dir + "/" + name + ".key";
  write_pem(out.cert_file, cert);
  write_key(out.key_file, key);
  out.chain_file = out.cert_file;
  if (intermediate != nullptr) {
    out.chain_file = dir + "/" + name + "-chain.pem";
    write_pem(out.chain_file, cert, intermediate);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  out.cert_sha256 = hex(md, len);
  X509_pubkey_digest(cert, EVP_sha256(), md, &len);  // over the key bits only: not what we pin
  unsigned char* der = nullptr;
  const int der_len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  EVP_Digest(der, static_cast<std::size_t>(der_len), md, &len, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  out.spki_sha256 = hex(md, len);
  return out;
}

TestPki make() {
  TestPki pki;
  char tmpl[] = "/tmp/mailwire-pki-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("test pki: mkdtemp failed");
  pki.dir = tmpl;
  const char* names = "DNS:localhost,IP:127.0.0.1,IP:::1";

  Key ca_key = make_key();
  Cert ca = make_cert(ca_key.get(), "mailwire test CA", nullptr, nullptr, true, nullptr, -1, 30);
  pki.ca_file = pki.dir + "/ca.pem";
  write_pem(pki.ca_file, ca.get());

  Key inter_key = make_key();
  Cert inter = make_cert(inter_key.get(), "mailwire test intermediate", ca.get(), ca_key.get(),
                         true, nullptr, -1, 30);

  Key k1 = make_key();
  pki.valid =
      save(pki.dir, "valid",
           make_cert(k1.get(), "localhost", ca.get(), ca_key.get(), false, names, -1, 30).get(),
           k1.get());
  Key k2 = make_key();
  pki.wrong_host = save(
      pki.dir, "wrong-host",
      make_cert(k2.get(), "mail.invalid", ca.get(), ca_key.get(), false, "DNS:mail.invalid", -1, 30)
          .get(),
      k2.get());
  Key k3 = make_key();
  pki.expired =
      save(pki.dir, "expired",
           make_cert(k3.get(), "localhost", ca.get(), ca_key.get(), false, names, -10, -1).get(),
           k3.get());
  Key k4 = make_key();
  pki.self_signed = save(
      pki.dir, "self-signed",
      make_cert(k4.get(), "localhost", nullptr, nullptr, false, names, -1, 30).get(), k4.get());
  Key k5 = make_key();
  Cert unknown =
      make_cert(k5.get(), "localhost", inter.get(), inter_key.get(), false, names, -1, 30);
  pki.unknown_issuer = save(pki.dir, "unknown-issuer", unknown.get(), k5.get());
  Key k6 = make_key();
  Cert chained =
      make_cert(k6.get(), "localhost", inter.get(), inter_key.get(), false, names, -1, 30);
  pki.chained = save(pki.dir, "chained", chained.get(), k6.get(), inter.get());
  Key k7 = make_key();
  pki.client =
      save(pki.dir, "client",
           make_cert(k7.get(), "client", ca.get(), ca_key.get(), false, "DNS:client", -1, 30).get(),
           k7.get());
  return pki;
}

}  // namespace

const TestPki& TestPki::get() {
  static const TestPki pki = [] {
    TestPki made = make();
    static std::string cleanup_dir = made.dir;
    std::atexit([] { std::system(("rm -rf '" + cleanup_dir + "'").c_str()); });
    return made;
  }();
  return pki;
}

}  // namespace mailwire::test
