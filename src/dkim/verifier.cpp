// DKIM verification (RFC 6376 6.1). One pass over the message: when the header block is
// complete, each DKIM-Signature field (top first, up to the limit) is parsed and given a body
// hasher for its c= and l=; at the end each signature is checked in turn: its tags, its key
// (looked up once per name), the body hash, then the signature over the header hash.

#include <mailwire/dkim/verifier.hpp>
#include <mailwire/error.hpp>

#include "dkim/canonical.hpp"
#include "dkim/signing.hpp"
#include "dkim/tag_list.hpp"

#include <fmt/format.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>

namespace mailwire::dkim {

namespace {

using detail::iequals;

struct Pending {
  SignatureResult result;
  bool done = false;  // the result is final (an error found while parsing)
  std::string field;  // the raw DKIM-Signature field
  Algorithm algorithm = Algorithm::RsaSha256;
  bool relaxed_header = false;
  std::vector<std::string> names;
  std::string body_hash;
  std::string signature;
  std::optional<std::uint64_t> length;
  std::unique_ptr<detail::BodyHasher> hasher;
};

void set(SignatureResult& r, Status status, Failure failure, std::string reason) {
  r.status = status;
  r.failure = failure;
  r.reason = std::move(reason);
}

std::vector<std::string> split_names(std::string_view h) {
  std::vector<std::string> out;
  std::string current;
  for (char c : h) {
    if (c == ':') {
      out.push_back(current);
      current.clear();
    } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      current += c;
    }
  }
  out.push_back(current);
  return out;
}

bool parse_number(const std::string& s, std::uint64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

bool at_domain(std::string_view identity, std::string_view d, bool exact) {
  const std::size_t at = identity.rfind('@');
  if (at == std::string_view::npos) return false;
  const std::string_view domain = identity.substr(at + 1);
  if (iequals(domain, d)) return true;
  if (exact) return false;
  return domain.size() > d.size() && domain[domain.size() - d.size() - 1] == '.' &&
         iequals(domain.substr(domain.size() - d.size()), d);
}

// The tags of one signature (RFC 6376 6.1.1); false with the result set when unusable.
bool parse_signature(Pending& p, std::int64_t now, std::int64_t skew) {
  SignatureResult& r = p.result;
  const std::size_t colon = p.field.find(':');
  const detail::TagList tags = detail::parse_tag_list(std::string_view(p.field).substr(colon + 1));
  const auto tag = [&](const char* name) { return tags.find(name); };
  if (const std::string* d = tag("d")) r.domain = *d;
  if (const std::string* s = tag("s")) r.selector = *s;
  if (const std::string* a = tag("a")) r.algorithm = *a;
  if (!tags.ok()) {
    set(r, Status::Neutral, Failure::syntax, "malformed signature: " + tags.error);
    return false;
  }
  for (const char* required : {"v", "a", "b", "bh", "d", "h", "s"}) {
    if (tag(required) == nullptr) {
      set(r, Status::Neutral, Failure::syntax, fmt::format("signature without {}=", required));
      return false;
    }
  }
  if (*tag("v") != "1") {
    set(r, Status::Neutral, Failure::unsupported_version, "signature version is not 1");
    return false;
  }
  if (r.algorithm == "rsa-sha256") {
    p.algorithm = Algorithm::RsaSha256;
  } else if (r.algorithm == "ed25519-sha256") {
    p.algorithm = Algorithm::Ed25519Sha256;
  } else {
    set(r, Status::PermError, Failure::unsupported_algorithm,
        "unsupported algorithm " + r.algorithm);
    return false;
  }
  std::string header_c = "simple", body_c = "simple";
  if (const std::string* c = tag("c")) {
    const std::size_t slash = c->find('/');
    header_c = c->substr(0, slash);
    if (slash != std::string::npos) body_c = c->substr(slash + 1);
  }
  const auto known = [](const std::string& s) { return s == "simple" || s == "relaxed"; };
  if (!known(header_c) || !known(body_c)) {
    set(r, Status::PermError, Failure::unsupported_canonicalization,
        "unknown canonicalization " + header_c + "/" + body_c);
    return false;
  }
  p.relaxed_header = header_c == "relaxed";
  if (const std::string* q = tag("q")) {
    if (q->find("dns/txt") == std::string::npos) {
      set(r, Status::PermError, Failure::syntax, "no supported query method in q=");
      return false;
    }
  }
  if (r.domain.empty() || r.selector.empty()) {
    set(r, Status::Neutral, Failure::syntax, "empty d= or s=");
    return false;
  }
  p.names = split_names(*tag("h"));
  bool from = false;
  for (const std::string& n : p.names) {
    if (n.empty()) {
      set(r, Status::Neutral, Failure::syntax, "empty name in h=");
      return false;
    }
    from = from || iequals(n, "from");
  }
  if (!from) {
    set(r, Status::PermError, Failure::from_not_signed, "From is not signed");
    return false;
  }
  r.identity = "@" + r.domain;
  if (const std::string* i = tag("i")) {
    if (!at_domain(*i, r.domain, false)) {
      set(r, Status::PermError, Failure::identity_mismatch, "i= is not at d=");
      return false;
    }
    r.identity = *i;
  }
  if (!detail::decode_base64_fws(*tag("bh"), p.body_hash) || p.body_hash.size() != 32) {
    set(r, Status::Neutral, Failure::syntax, "bh= is not a base64 SHA-256 hash");
    return false;
  }
  if (!detail::decode_base64_fws(*tag("b"), p.signature) || p.signature.empty()) {
    set(r, Status::Neutral, Failure::syntax, "b= is not base64");
    return false;
  }
  if (const std::string* l = tag("l")) {
    std::uint64_t n = 0;
    if (!parse_number(*l, n)) {
      set(r, Status::Neutral, Failure::syntax, "l= is not a number");
      return false;
    }
    p.length = n;
  }
  std::uint64_t t = 0, x = 0;
  const std::string* ts = tag("t");
  const std::string* xs = tag("x");
  if ((ts && !parse_number(*ts, t)) || (xs && !parse_number(*xs, x))) {
    set(r, Status::Neutral, Failure::syntax, "t= or x= is not a number");
    return false;
  }
  if (ts && xs && x < t) {
    set(r, Status::PermError, Failure::syntax, "x= is before t=");
    return false;
  }
  if (xs && static_cast<std::int64_t>(x) < now) {
    set(r, Status::PermError, Failure::expired, fmt::format("signature expired at {}", x));
    return false;
  }
  if (ts && static_cast<std::int64_t>(t) > now + skew) {
    set(r, Status::PermError, Failure::signed_in_future, "t= is in the future");
    return false;
  }
  p.hasher = std::make_unique<detail::BodyHasher>(body_c == "relaxed", p.length);
  return true;
}

using Pkey = std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)>;

// An RSAPublicKey (PKCS#1) wrapped in a SubjectPublicKeyInfo, for records that carry one.
std::string wrap_pkcs1(const std::string& key) {
  const auto der_len = [](std::size_t n) {
    std::string out;
    if (n < 128) {
      out += static_cast<char>(n);
    } else {
      std::string bytes;
      for (; n > 0; n >>= 8)
        bytes.insert(bytes.begin(), static_cast<char>(n & 0xff));
      out += static_cast<char>(0x80 | bytes.size());
      out += bytes;
    }
    return out;
  };
  static const char algorithm[] = "\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01\x05\x00";
  std::string bits = "\x03" + der_len(key.size() + 1) + std::string(1, '\0') + key;
  std::string body = std::string(algorithm, sizeof algorithm - 1) + bits;
  return "\x30" + der_len(body.size()) + body;
}

Pkey parse_public_key(const detail::KeyRecord& record, Algorithm algorithm);

// Parsing a key costs far more than checking a signature with it (OpenSSL 3's decoders): the
// last keys parsed on this thread are kept, by their bytes.
Pkey load_public_key(const detail::KeyRecord& record, Algorithm algorithm) {
  struct Cached {
    std::string der;
    Algorithm algorithm;
    std::shared_ptr<EVP_PKEY> key;
  };
  thread_local std::vector<Cached> cache;
  for (const Cached& c : cache) {
    if (c.algorithm == algorithm && c.der == record.public_key) {
      EVP_PKEY_up_ref(c.key.get());
      return Pkey(c.key.get(), EVP_PKEY_free);
    }
  }
  Pkey key = parse_public_key(record, algorithm);
  if (key) {
    if (cache.size() >= 16) cache.erase(cache.begin());
    EVP_PKEY_up_ref(key.get());
    cache.push_back(
        Cached{record.public_key, algorithm, std::shared_ptr<EVP_PKEY>(key.get(), EVP_PKEY_free)});
  }
  return key;
}

Pkey parse_public_key(const detail::KeyRecord& record, Algorithm algorithm) {
  const auto* p = reinterpret_cast<const unsigned char*>(record.public_key.data());
  if (algorithm == Algorithm::Ed25519Sha256) {
    if (record.public_key.size() != 32) return Pkey(nullptr, EVP_PKEY_free);
    return Pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, p, 32), EVP_PKEY_free);
  }
  const unsigned char* q = p;
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &q, static_cast<long>(record.public_key.size()));
  if (key == nullptr) {
    const std::string wrapped = wrap_pkcs1(record.public_key);
    q = reinterpret_cast<const unsigned char*>(wrapped.data());
    key = d2i_PUBKEY(nullptr, &q, static_cast<long>(wrapped.size()));
  }
  if (key != nullptr && EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
    EVP_PKEY_free(key);
    key = nullptr;
  }
  return Pkey(key, EVP_PKEY_free);
}

}  // namespace

KeyLookup::~KeyLookup() = default;

void StaticKeyLookup::add(const std::string& name, std::string record) {
  std::string key = name;
  for (char& c : key)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!key.empty() && key.back() == '.')
    key.pop_back();
  records_[key].push_back(std::move(record));
}

KeyLookup::Answer StaticKeyLookup::lookup(const std::string& name, Deadline) {
  std::string key = name;
  for (char& c : key)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Answer out;
  const auto it = records_.find(key);
  if (it != records_.end()) out.records = it->second;
  return out;
}

const char* to_string(Status status) noexcept {
  switch (status) {
    case Status::Pass:
      return "pass";
    case Status::Fail:
      return "fail";
    case Status::Neutral:
      return "neutral";
    case Status::TempError:
      return "temperror";
    case Status::PermError:
      return "permerror";
  }
  return "neutral";
}

const char* to_string(Failure failure) noexcept {
  switch (failure) {
    case Failure::none:
      return "none";
    case Failure::syntax:
      return "syntax";
    case Failure::unsupported_version:
      return "unsupported-version";
    case Failure::unsupported_algorithm:
      return "unsupported-algorithm";
    case Failure::unsupported_canonicalization:
      return "unsupported-canonicalization";
    case Failure::from_not_signed:
      return "from-not-signed";
    case Failure::identity_mismatch:
      return "identity-mismatch";
    case Failure::expired:
      return "expired";
    case Failure::signed_in_future:
      return "signed-in-future";
    case Failure::too_many_signatures:
      return "too-many-signatures";
    case Failure::body_hash_mismatch:
      return "body-hash-mismatch";
    case Failure::bad_signature:
      return "bad-signature";
    case Failure::no_key:
      return "no-key";
    case Failure::key_revoked:
      return "key-revoked";
    case Failure::bad_key_record:
      return "bad-key-record";
    case Failure::key_type_mismatch:
      return "key-type-mismatch";
    case Failure::key_too_short:
      return "key-too-short";
    case Failure::key_too_long:
      return "key-too-long";
    case Failure::dns_error:
      return "dns-error";
    case Failure::cancelled:
      return "cancelled";
    case Failure::header_too_large:
      return "header-too-large";
  }
  return "none";
}

Verifier::Verifier(VerifierOptions options) : options_(std::move(options)) {
  if (!options_.keys) options_.keys = std::make_shared<DnsKeyLookup>();
}

std::vector<SignatureResult> Verifier::verify(std::string_view message) {
  auto source = MessageSource::from_bytes(message);
  return verify(*source);
}

std::vector<SignatureResult> Verifier::verify(MessageSource& message) {
  const std::int64_t now = options_.now ? *options_.now
                                        : std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count();
  std::vector<Pending> sigs;
  std::vector<detail::RawField> fields;
  detail::MessageReader reader;
  reader.on_header = [&](const std::string& header) {
    fields = detail::split_fields(header);
    for (const detail::RawField& f : fields) {
      if (!iequals(f.name, "DKIM-Signature")) continue;
      Pending p;
      p.field = std::string(f.bytes);
      if (sigs.size() >= options_.max_signatures) {
        set(p.result, Status::Neutral, Failure::too_many_signatures,
            fmt::format("not checked: over the limit of {} signatures", options_.max_signatures));
        p.done = true;
      } else if (reader.header_too_large()) {
        set(p.result, Status::PermError, Failure::header_too_large, "header block over 1 MiB");
        p.done = true;
      } else if (!parse_signature(p, now, options_.clock_skew)) {
        p.done = true;
      } else {
        reader.add_body_hasher(p.hasher.get());
      }
      sigs.push_back(std::move(p));
    }
  };
  message.rewind();
  std::string chunk(64 * 1024, '\0');
  for (std::size_t n; (n = message.read(chunk.data(), chunk.size())) > 0;)
    reader.feed(std::string_view(chunk.data(), n));
  reader.finish();

  const Deadline deadline = deadline_after(options_.timeout);
  std::vector<SignatureResult> out;
  for (Pending& p : sigs) {
    SignatureResult& r = p.result;
    if (p.done) {
      out.push_back(std::move(r));
      continue;
    }
    const std::string body_hash = p.hasher->finish();
    // The key.
    const std::string name = r.selector + "._domainkey." + r.domain;
    KeyLookup::Answer answer;
    if (cancelled_) {
      set(r, Status::TempError, Failure::cancelled, "cancelled");
      out.push_back(std::move(r));
      continue;
    }
    if (Clock::now() >= deadline) {
      answer.temporary_failure = true;
      answer.error = "key look-up timed out";
    } else {
      answer = options_.keys->lookup(name, deadline);
    }
    if (answer.temporary_failure) {
      set(r, Status::TempError, Failure::dns_error,
          answer.error.empty() ? "key look-up failed" : answer.error);
      out.push_back(std::move(r));
      continue;
    }
    if (answer.records.empty()) {
      set(r, Status::PermError, Failure::no_key, "no key record at " + name);
      out.push_back(std::move(r));
      continue;
    }
    detail::KeyRecord record = detail::parse_key_record(answer.records.front());
    for (const std::string& text : answer.records) {
      record = detail::parse_key_record(text);
      if (record.ok()) break;
    }
    r.testing = record.testing;
    const char* wanted_type = p.algorithm == Algorithm::Ed25519Sha256 ? "ed25519" : "rsa";
    Pkey key(nullptr, EVP_PKEY_free);
    if (!record.ok()) {
      set(r, Status::PermError, Failure::bad_key_record, record.error);
    } else if (record.revoked) {
      set(r, Status::PermError, Failure::key_revoked, "key revoked (empty p=)");
    } else if (!record.email_service) {
      set(r, Status::PermError, Failure::bad_key_record, "key not for e-mail (s=)");
    } else if (record.key_type != wanted_type ||
               (!record.hashes.empty() && std::find(record.hashes.begin(), record.hashes.end(),
                                                    "sha256") == record.hashes.end())) {
      set(r, Status::PermError, Failure::key_type_mismatch,
          fmt::format("key type k={} does not fit a={}", record.key_type, r.algorithm));
    } else if (record.strict_identity && !at_domain(r.identity, r.domain, true)) {
      set(r, Status::PermError, Failure::identity_mismatch, "i= must be at d= exactly (t=s)");
    } else if (!(key = load_public_key(record, p.algorithm))) {
      set(r, Status::PermError, Failure::bad_key_record, "p= is not a usable public key");
    } else if (p.algorithm == Algorithm::RsaSha256 &&
               EVP_PKEY_get_bits(key.get()) < options_.min_rsa_bits) {
      set(r, Status::PermError, Failure::key_too_short,
          fmt::format("RSA key of {} bits is too short", EVP_PKEY_get_bits(key.get())));
    } else if (p.algorithm == Algorithm::RsaSha256 &&
               EVP_PKEY_get_bits(key.get()) > options_.max_rsa_bits) {
      set(r, Status::PermError, Failure::key_too_long,
          fmt::format("RSA key of {} bits is over the limit", EVP_PKEY_get_bits(key.get())));
    } else if (body_hash != p.body_hash) {
      set(r, Status::Fail, Failure::body_hash_mismatch, "body hash mismatch");
    } else {
      const std::string digest = detail::header_digest(fields, p.names, p.field, p.relaxed_header);
      if (detail::verify_digest(key.get(), p.algorithm, digest, p.signature)) {
        set(r, Status::Pass, Failure::none, {});
      } else {
        set(r, Status::Fail, Failure::bad_signature, "signature did not verify");
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace mailwire::dkim
