// DKIM signing: one pass over the message (line endings normalized, header block kept, body
// canonicalized and hashed as it streams), then the header hash and the signature.

#include <mailwire/dkim/signer.hpp>
#include <mailwire/error.hpp>

#include "detail/base64.hpp"
#include "dkim/canonical.hpp"
#include "dkim/signing.hpp"

#include <fmt/format.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>

namespace mailwire::dkim {

namespace {

using detail::iequals;

void free_pkey(void* p) {
  EVP_PKEY_free(static_cast<EVP_PKEY*>(p));
}

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.') return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool valid_field_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126 || c == ':') return false;
  }
  return true;
}

// Names over-signed by default: the fields that carry what the recipient reads and trusts.
const char* const over_signed[] = {"From",
                                   "To",
                                   "Cc",
                                   "Subject",
                                   "Date",
                                   "Message-ID",
                                   "Reply-To",
                                   "In-Reply-To",
                                   "References",
                                   "MIME-Version",
                                   "Content-Type",
                                   "Content-Transfer-Encoding",
                                   "List-Unsubscribe",
                                   "List-Unsubscribe-Post"};

bool is_over_signed(std::string_view name) {
  for (const char* n : over_signed) {
    if (iequals(n, name)) return true;
  }
  return false;
}

std::size_t count_fields(const std::vector<detail::RawField>& fields, std::string_view name) {
  std::size_t n = 0;
  for (const detail::RawField& f : fields) {
    if (iequals(f.name, name)) ++n;
  }
  return n;
}

std::string fold_list(const std::vector<std::string>& names, std::size_t column) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) {
      if (column + names[i].size() + 1 > 76) {
        out += "\r\n\t";
        column = 1;
      }
      out += ':';
      ++column;
    }
    out += names[i];
    column += names[i].size();
  }
  return out;
}

}  // namespace

const char* to_string(Algorithm algorithm) noexcept {
  return algorithm == Algorithm::Ed25519Sha256 ? "ed25519-sha256" : "rsa-sha256";
}

const char* to_string(Canonicalization c) noexcept {
  return c == Canonicalization::Relaxed ? "relaxed" : "simple";
}

PrivateKey PrivateKey::from_pem(std::string_view pem) {
  std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                          BIO_free);
  if (!bio) throw std::bad_alloc();
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (raw == nullptr) throw Error(Errc::usage, "dkim: not a PEM private key");
  std::shared_ptr<void> key(raw, free_pkey);
  const int id = EVP_PKEY_get_base_id(raw);
  if (id == EVP_PKEY_ED25519) return PrivateKey(std::move(key), Algorithm::Ed25519Sha256);
  if (id != EVP_PKEY_RSA) {
    throw Error(Errc::usage, "dkim: the key is neither RSA nor Ed25519");
  }
  const int bits = EVP_PKEY_get_bits(raw);
  if (bits < 1024 || bits > 4096) {
    throw Error(Errc::usage,
                fmt::format("dkim: an RSA key of {} bits (DKIM takes 1024 to 4096)", bits));
  }
  return PrivateKey(std::move(key), Algorithm::RsaSha256);
}

PrivateKey PrivateKey::from_pem_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io, fmt::format("dkim: cannot read {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw Error(Errc::io, fmt::format("dkim: cannot read {}", path));
  const std::string pem = text.str();
  return from_pem(pem);
}

int PrivateKey::bits() const noexcept {
  return EVP_PKEY_get_bits(static_cast<EVP_PKEY*>(key_.get()));
}

std::string PrivateKey::dns_record() const {
  auto* pkey = static_cast<EVP_PKEY*>(key_.get());
  std::string der;
  if (algorithm_ == Algorithm::Ed25519Sha256) {
    unsigned char raw[32];
    std::size_t len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1) throw std::bad_alloc();
    der.assign(reinterpret_cast<const char*>(raw), len);
  } else {
    const int len = i2d_PUBKEY(pkey, nullptr);
    if (len <= 0) throw std::bad_alloc();
    der.resize(static_cast<std::size_t>(len));
    auto* p = reinterpret_cast<unsigned char*>(der.data());
    i2d_PUBKEY(pkey, &p);
  }
  return fmt::format("v=DKIM1; k={}; p={}",
                     algorithm_ == Algorithm::Ed25519Sha256 ? "ed25519" : "rsa",
                     mailwire::detail::base64_encode(der));
}

std::vector<std::string> default_signed_headers() {
  return {"From",
          "Sender",
          "Reply-To",
          "Subject",
          "Date",
          "Message-ID",
          "To",
          "Cc",
          "MIME-Version",
          "Content-Type",
          "Content-Transfer-Encoding",
          "Content-ID",
          "Content-Description",
          "Resent-Date",
          "Resent-From",
          "Resent-Sender",
          "Resent-To",
          "Resent-Cc",
          "Resent-Message-ID",
          "In-Reply-To",
          "References",
          "List-Id",
          "List-Help",
          "List-Unsubscribe",
          "List-Unsubscribe-Post",
          "List-Subscribe",
          "List-Post",
          "List-Owner",
          "List-Archive"};
}

Signer::Signer(PrivateKey key, SignerOptions options)
    : key_(std::move(key)), options_(std::move(options)) {
  if (!valid_name(options_.domain)) {
    throw Error(Errc::usage, "dkim: the signing domain is empty or not a domain name");
  }
  if (!valid_name(options_.selector)) {
    throw Error(Errc::usage, "dkim: the selector is empty or not a DNS label");
  }
  for (const std::string& h : options_.headers) {
    if (!valid_field_name(h)) throw Error(Errc::usage, "dkim: a signed header name is invalid");
  }
  if (!options_.identity.empty()) {
    const std::size_t at = options_.identity.rfind('@');
    if (at == std::string::npos) throw Error(Errc::usage, "dkim: the identity has no '@'");
    const std::string_view domain = std::string_view(options_.identity).substr(at + 1);
    const std::string_view d = options_.domain;
    const bool sub = domain.size() > d.size() && domain[domain.size() - d.size() - 1] == '.' &&
                     iequals(domain.substr(domain.size() - d.size()), d);
    if (!iequals(domain, d) && !sub) {
      throw Error(Errc::usage, "dkim: the identity is not at the signing domain");
    }
    for (char c : options_.identity) {
      const auto u = static_cast<unsigned char>(c);
      if (u <= 32 || u >= 127 || c == ';') {
        throw Error(Errc::usage, "dkim: the identity has a character DKIM cannot carry");
      }
    }
  }
  if (options_.expire_after < 0) throw Error(Errc::usage, "dkim: expire_after is negative");
}

std::string Signer::sign(std::string_view message) const {
  const bool relaxed_body = options_.body_canonicalization == Canonicalization::Relaxed;
  detail::BodyHasher body(relaxed_body, std::nullopt);
  detail::MessageReader reader;
  reader.add_body_hasher(&body);
  // In slices, so that the header search stays short; the bytes are not copied.
  for (std::size_t at = 0; at < message.size(); at += 1024 * 1024)
    reader.feed(message.substr(at, 1024 * 1024));
  reader.finish();
  return finish(reader, body);
}

std::string Signer::sign(MessageSource& message) const {
  const bool relaxed_body = options_.body_canonicalization == Canonicalization::Relaxed;
  detail::BodyHasher body(relaxed_body, std::nullopt);
  detail::MessageReader reader;
  reader.add_body_hasher(&body);
  message.rewind();
  std::string chunk(64 * 1024, '\0');
  for (std::size_t n; (n = message.read(chunk.data(), chunk.size())) > 0;)
    reader.feed(std::string_view(chunk.data(), n));
  reader.finish();
  return finish(reader, body);
}

std::string Signer::finish(detail::MessageReader& reader, detail::BodyHasher& body) const {
  if (reader.header_too_large()) throw Error(Errc::limit, "dkim: the header is over 1 MiB");
  const std::string body_hash = body.finish();
  const std::vector<detail::RawField> fields = detail::split_fields(reader.header());

  // h=: every instance of each name, and one more for the over-signed names.
  std::vector<std::string> names;
  const bool defaults = options_.headers.empty();
  const std::vector<std::string> wanted = defaults ? default_signed_headers() : options_.headers;
  if (!defaults && !options_.over_sign) {
    names = wanted;
  } else {
    std::vector<std::string> seen;
    for (const std::string& name : wanted) {
      bool dup = false;
      for (const std::string& s : seen)
        dup = dup || iequals(s, name);
      if (dup) continue;
      seen.push_back(name);
      std::size_t n = count_fields(fields, name);
      if (options_.over_sign && (!defaults || is_over_signed(name))) ++n;
      for (std::size_t i = 0; i < n; ++i)
        names.push_back(name);
    }
  }
  bool has_from = false;
  for (const std::string& n : names)
    has_from = has_from || iequals(n, "From");
  if (!has_from) names.insert(names.begin(), "From");

  const std::int64_t now = options_.timestamp
                               ? *options_.timestamp
                               : std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
  std::string field = fmt::format(
      "DKIM-Signature: v=1; a={}; c={}/{}; d={}; s={};\r\n\tt={};", to_string(key_.algorithm()),
      to_string(options_.header_canonicalization), to_string(options_.body_canonicalization),
      options_.domain, options_.selector, now);
  if (options_.expire_after > 0) field += fmt::format(" x={};", now + options_.expire_after);
  if (!options_.identity.empty()) field += fmt::format(" i={};", options_.identity);
  if (options_.body_length) field += fmt::format(" l={};", body.canonical_length());
  field += "\r\n\th=" + fold_list(names, 3) + ";";
  field += "\r\n\tbh=" + mailwire::detail::base64_encode(body_hash) + ";";
  field += "\r\n\tb=";

  const std::string digest = detail::header_digest(
      fields, names, field, options_.header_canonicalization == Canonicalization::Relaxed);
  const std::string signature =
      detail::sign_digest(static_cast<EVP_PKEY*>(key_.key_.get()), key_.algorithm(), digest);
  const std::string b = mailwire::detail::base64_encode(signature);
  for (std::size_t i = 0; i < b.size(); i += 72) {
    if (i > 0) field += "\r\n\t";
    field += b.substr(i, 72);
  }
  field += "\r\n";
  return field;
}

}  // namespace mailwire::dkim
