// DKIM cost: body hashing throughput (canonicalization + SHA-256, simple and relaxed) and the
// time per signature to sign and to verify, rsa-sha256 (2048-bit) and ed25519-sha256.
//   mailwire_dkim_bench [--mib N] [--rounds R] [--signatures N]
// Prints one line per measure, the median of R rounds, in CPU time of the process. Its peer is
// dkim_bench_dkimpy.py.

#include <mailwire/dkim/signer.hpp>
#include <mailwire/dkim/verifier.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

using namespace mailwire;
// CPU time of this process: the figures stay comparable on a shared, loaded machine (the
// Python peer measures the same way).
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

namespace {

std::string pem_key(const char* type, std::size_t bits) {
  EVP_PKEY* key = bits ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, bits)
                       : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// A text body like real mail: lines of words, some trailing white space, CRLF.
std::string make_body(std::size_t bytes) {
  std::string line = "The quick brown fox jumps over the lazy dog, again and again.  \r\n";
  std::string body;
  body.reserve(bytes + line.size());
  while (body.size() < bytes)
    body += line;
  return body;
}

const char* const head =
    "From: Sender <sender@example.com>\r\nTo: rcpt@example.net\r\nSubject: benchmark\r\n"
    "Date: Thu, 03 Dec 2026 16:00:00 +0000\r\nMessage-ID: <bench@example.com>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";

}  // namespace

int main(int argc, char** argv) {
  std::size_t mib = 256;
  int rounds = 5;
  int signatures = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--mib") == 0) mib = std::strtoul(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--signatures") == 0) signatures = std::atoi(argv[i + 1]);
  }
  const std::string rsa_pem = pem_key("RSA", 2048);
  const std::string ed_pem = pem_key("ED25519", 0);

  // Body hashing: sign() of a large message is one pass of the body hasher plus one signature.
  // Beside it, SHA-256 alone over the same octets (OpenSSL, 64 KiB updates): the ceiling on
  // this machine. The three are measured in turn in each round, so that a noisy machine
  // slows them alike.
  const std::string big = std::string(head) + make_body(mib * 1024 * 1024);
  std::vector<double> sha_mbps, simple_mbps, relaxed_mbps;
  for (int r = 0; r < rounds; ++r) {
    double t0 = cpu_seconds();
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    for (std::size_t at = 0; at < big.size(); at += 64 * 1024)
      EVP_DigestUpdate(ctx, big.data() + at, std::min<std::size_t>(64 * 1024, big.size() - at));
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_DigestFinal_ex(ctx, md, &md_len);
    EVP_MD_CTX_free(ctx);
    sha_mbps.push_back(static_cast<double>(big.size()) / 1e6 / (cpu_seconds() - t0));
    for (auto c : {dkim::Canonicalization::Simple, dkim::Canonicalization::Relaxed}) {
      dkim::SignerOptions o;
      o.domain = "example.com";
      o.selector = "s";
      o.body_canonicalization = c;
      const dkim::Signer signer(dkim::PrivateKey::from_pem(ed_pem), o);
      t0 = cpu_seconds();
      const std::string field = signer.sign(big);
      const double mbps = static_cast<double>(big.size()) / 1e6 / (cpu_seconds() - t0);
      (c == dkim::Canonicalization::Simple ? simple_mbps : relaxed_mbps).push_back(mbps);
    }
  }
  std::printf("sha256 alone MBps=%.0f (median of %d, %zu MiB)\n", median(sha_mbps), rounds, mib);
  for (auto c : {dkim::Canonicalization::Simple, dkim::Canonicalization::Relaxed}) {
    const double m = median(c == dkim::Canonicalization::Simple ? simple_mbps : relaxed_mbps);
    std::printf("mailwire body-hash %s MBps=%.0f (median of %d, %zu MiB, %.0f%% of sha256 alone)\n",
                dkim::to_string(c), m, rounds, mib, 100.0 * m / median(sha_mbps));
  }

  // Per signature: a small message (about 2 KB), sign and verify.
  const std::string small = std::string(head) + make_body(2000);
  for (const std::string* pem : {&rsa_pem, &ed_pem}) {
    dkim::SignerOptions o;
    o.domain = "example.com";
    o.selector = "s";
    const dkim::PrivateKey key = dkim::PrivateKey::from_pem(*pem);
    const dkim::Signer signer(key, o);
    auto keys = std::make_shared<dkim::StaticKeyLookup>();
    keys->add("s._domainkey.example.com", key.dns_record());
    dkim::VerifierOptions vo;
    vo.keys = keys;
    dkim::Verifier verifier(vo);
    const std::string name = key.algorithm() == dkim::Algorithm::RsaSha256 ? "rsa-2048" : "ed25519";
    std::vector<double> sign_us, verify_us;
    std::string signed_message = signer.sign(small) + small;
    for (int r = 0; r < rounds; ++r) {
      double t0 = cpu_seconds();
      for (int i = 0; i < signatures; ++i)
        signed_message = signer.sign(small);
      sign_us.push_back((cpu_seconds() - t0) * 1e6 / signatures);
      signed_message += small;
      t0 = cpu_seconds();
      int passed = 0;
      for (int i = 0; i < signatures; ++i)
        passed += verifier.verify(signed_message).front().status == dkim::Status::Pass;
      verify_us.push_back((cpu_seconds() - t0) * 1e6 / signatures);
      if (passed != signatures) {
        std::fprintf(stderr, "verification failed\n");
        return 1;
      }
    }
    std::printf("mailwire %s sign us=%.1f verify us=%.1f (median of %d x %d)\n", name.c_str(),
                median(sign_us), median(verify_us), rounds, signatures);
  }

  // The floor of a signature: OpenSSL's own rsa-sha256 signing of a few octets with the same
  // kind of key (what `openssl speed rsa2048` measures), as the ceiling for the line above.
  {
    BIO* bio = BIO_new_mem_buf(rsa_pem.data(), static_cast<int>(rsa_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    std::vector<double> us;
    unsigned char sig[512];
    for (int r = 0; r < rounds; ++r) {
      const double t0 = cpu_seconds();
      for (int i = 0; i < signatures; ++i) {
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        std::size_t len = sizeof sig;
        EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
        EVP_DigestSign(ctx, sig, &len, reinterpret_cast<const unsigned char*>("abc"), 3);
        EVP_MD_CTX_free(ctx);
      }
      us.push_back((cpu_seconds() - t0) * 1e6 / signatures);
    }
    EVP_PKEY_free(key);
    std::printf("openssl rsa-2048 sign alone us=%.1f (median of %d x %d)\n", median(us), rounds,
                signatures);
  }
  return 0;
}
