// DKIM: the RFC 8463 Appendix A example, canonicalization (RFC 6376 3.4 and its 3.4.5
// example), signing and verifying round trips, and what must fail.

#include <mailwire/dkim/signer.hpp>
#include <mailwire/dkim/verifier.hpp>
#include <mailwire/error.hpp>

#include "detail/base64.hpp"
#include "dkim/canonical.hpp"
#include "dkim/signing.hpp"
#include "dkim/tag_list.hpp"
#include "support/dkim_keys.hpp"
#include "support/random_text.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace mailwire;
using namespace mailwire::dkim;

namespace {

// RFC 8463 Appendix A.3: the message signed with Ed25519 and RSA (relaxed/relaxed).
const std::string rfc8463_signed =
    "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
    " d=football.example.com; i=@football.example.com;\r\n"
    " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
    " subject : date : message-id : from : subject : date;\r\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n"
    " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
    " d=football.example.com; i=@football.example.com;\r\n"
    " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n"
    " date : message-id : from : subject : date;\r\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n"
    " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n"
    " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\r\n"
    "From: Joe SixPack <joe@football.example.com>\r\n"
    "To: Suzie Q <suzie@shopping.example.net>\r\n"
    "Subject: Is dinner ready?\r\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
    "\r\n"
    "Hi.\r\n"
    "\r\n"
    "We lost the game. Are you hungry yet?\r\n"
    "\r\n"
    "Joe.\r\n";

// RFC 8463 A.2.
const char* const rfc8463_ed25519_record =
    "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
const char* const rfc8463_rsa_record =
    "v=DKIM1; k=rsa; "
    "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"
    "J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2"
    "EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";
// RFC 8463 A.1 (the RFC 8032 7.1 test 1 secret key).
const char* const rfc8463_ed25519_secret = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";

const std::string plain_message =
    "From: Joe SixPack <joe@football.example.com>\r\n"
    "To: Suzie Q <suzie@shopping.example.net>\r\n"
    "Subject: Is dinner ready?\r\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
    "X-Mailer: something\r\n"
    "\r\n"
    "Hi.\r\n"
    "\r\n"
    "We lost the game.  Are you hungry yet?\r\n"
    "\r\n"
    "Joe.\r\n";

std::string body_hash(std::string_view body, bool relaxed, std::size_t chunk = 0) {
  dkim::detail::BodyHasher h(relaxed, std::nullopt);
  if (chunk == 0) {
    h.feed(body);
  } else {
    for (std::size_t i = 0; i < body.size(); i += chunk)
      h.feed(body.substr(i, chunk));
  }
  return mailwire::detail::base64_encode(h.finish());
}

std::string sha256_b64(std::string_view s) {
  dkim::detail::Sha256 sha;
  sha.update(s);
  return mailwire::detail::base64_encode(sha.final());
}

struct Keys {
  std::shared_ptr<StaticKeyLookup> lookup = std::make_shared<StaticKeyLookup>();
  Verifier verifier() {
    VerifierOptions o;
    o.keys = lookup;
    return Verifier(o);
  }
};

Signer make_signer(const std::string& pem, Canonicalization hc, Canonicalization bc,
                   const std::string& selector, Keys& keys) {
  SignerOptions o;
  o.domain = "football.example.com";
  o.selector = selector;
  o.header_canonicalization = hc;
  o.body_canonicalization = bc;
  PrivateKey key = PrivateKey::from_pem(pem);
  keys.lookup->add(selector + "._domainkey.football.example.com", key.dns_record());
  return Signer(key, o);
}

SignatureResult only(const std::vector<SignatureResult>& results) {
  REQUIRE(results.size() == 1);
  return results.front();
}

}  // namespace

TEST_CASE("RFC 8463 appendix A message verifies with both keys", "[dkim]") {
  Keys keys;
  keys.lookup->add("brisbane._domainkey.football.example.com", rfc8463_ed25519_record);
  keys.lookup->add("test._domainkey.football.example.com", rfc8463_rsa_record);
  const auto results = keys.verifier().verify(rfc8463_signed);
  REQUIRE(results.size() == 2);
  CHECK(results[0].status == Status::Pass);
  CHECK(results[0].algorithm == "ed25519-sha256");
  CHECK(results[0].selector == "brisbane");
  CHECK(results[1].status == Status::Pass);
  CHECK(results[1].algorithm == "rsa-sha256");
  CHECK(results[1].domain == "football.example.com");
}

TEST_CASE("RFC 8463 appendix A Ed25519 signature is reproduced from its secret key", "[dkim]") {
  std::string seed;
  REQUIRE(mailwire::detail::base64_decode(rfc8463_ed25519_secret, seed));
  PrivateKey key = PrivateKey::from_pem(test::ed25519_pem_from_seed(seed));
  CHECK(key.algorithm() == Algorithm::Ed25519Sha256);
  CHECK(key.dns_record() == rfc8463_ed25519_record);
  // The header hash over the RFC's own DKIM-Signature field, signed again.
  const std::size_t end = rfc8463_signed.find("\r\n\r\n") + 2;
  const auto fields = dkim::detail::split_fields(std::string_view(rfc8463_signed).substr(0, end));
  REQUIRE(fields.size() == 7);
  const std::vector<std::string> names = {"from",       "to",   "subject", "date",
                                          "message-id", "from", "subject", "date"};
  const std::string digest = dkim::detail::header_digest(fields, names, fields[0].bytes, true);
  struct Free {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  };
  std::string raw_seed = seed;
  std::unique_ptr<EVP_PKEY, Free> pkey(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw_seed.data()), 32));
  const std::string sig = dkim::detail::sign_digest(pkey.get(), Algorithm::Ed25519Sha256, digest);
  CHECK(mailwire::detail::base64_encode(sig) ==
        "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==");
}

TEST_CASE("RFC 6376 3.4.5 canonicalization example", "[dkim]") {
  const std::string header = "A: X\r\nB : Y\t\r\n\tZ  \r\n";
  const std::string body = " C \r\nD \t E\r\n\r\n\r\n";
  const auto fields = dkim::detail::split_fields(header);
  REQUIRE(fields.size() == 2);
  CHECK(dkim::detail::relaxed_header(fields[0].bytes) == "a:X\r\n");
  CHECK(dkim::detail::relaxed_header(fields[1].bytes) == "b:Y Z\r\n");
  CHECK(fields[1].bytes == "B : Y\t\r\n\tZ  \r\n");
  CHECK(fields[1].name == "B");
  CHECK(body_hash(body, true) == sha256_b64(" C\r\nD E\r\n"));
  CHECK(body_hash(body, false) == sha256_b64(" C \r\nD \t E\r\n"));
}

TEST_CASE("body canonicalization edge cases", "[dkim]") {
  // Empty body: relaxed hashes nothing, simple one CRLF (RFC 6376 3.4.3, 3.4.4).
  CHECK(body_hash("", true) == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  CHECK(body_hash("", false) == "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
  CHECK(body_hash("\r\n\r\n\r\n", true) == sha256_b64(""));
  CHECK(body_hash("\r\n\r\n\r\n", false) == sha256_b64("\r\n"));
  // Only white space: an empty line in relaxed, content in simple.
  CHECK(body_hash("  \t \r\n", true) == sha256_b64(""));
  CHECK(body_hash("  \t \r\n", false) == sha256_b64("  \t \r\n"));
  // No final CRLF: one is added.
  CHECK(body_hash("abc", true) == sha256_b64("abc\r\n"));
  CHECK(body_hash("abc", false) == sha256_b64("abc\r\n"));
  // Trailing white space and empty lines go (relaxed), inner empty lines stay.
  CHECK(body_hash("a  \r\n\r\nb\t\r\n \r\n\r\n", true) == sha256_b64("a\r\n\r\nb\r\n"));
  CHECK(body_hash("a  \r\n\r\nb\t\r\n \r\n\r\n", false) == sha256_b64("a  \r\n\r\nb\t\r\n \r\n"));
  // Bare CR and bare LF are line ends, as the SMTP client sends them.
  CHECK(body_hash("a\rb\nc \r\r\n", false) == sha256_b64("a\r\nb\r\nc \r\n"));
  CHECK(body_hash("a\rb\nc \r\r\n", true) == sha256_b64("a\r\nb\r\nc\r\n"));
  // Leading white space becomes one SP.
  CHECK(body_hash("\t\t x  y\r\n", true) == sha256_b64(" x y\r\n"));
}

TEST_CASE("body hashes are the same at every chunk size", "[dkim]") {
  const std::string body = "line one  \r\n\t\r\n  x\ty  z \r\n\r\nlast\r\n\r\n\r\n \r\n";
  for (bool relaxed : {true, false}) {
    const std::string whole = body_hash(body, relaxed);
    for (std::size_t chunk = 1; chunk <= body.size(); ++chunk) {
      INFO("chunk " << chunk);
      CHECK(body_hash(body, relaxed, chunk) == whole);
    }
  }
}

namespace {

// RFC 6376 3.4.3 and 3.4.4 written out plainly, one line at a time, after bare CR and bare
// LF became CRLF: the witness for the hasher's vectorized spans.
std::string reference_body(std::string_view body, bool relaxed) {
  std::vector<std::string> lines;
  std::string line;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\r' || body[i] == '\n') {
      if (body[i] == '\r' && i + 1 < body.size() && body[i + 1] == '\n') ++i;
      lines.push_back(line);
      line.clear();
    } else {
      line += body[i];
    }
  }
  if (!line.empty()) lines.push_back(line);
  if (relaxed) {
    for (std::string& l : lines) {
      std::string r;
      bool space = false;
      for (const char c : l) {
        if (c == ' ' || c == '\t') {
          space = true;
          continue;
        }
        if (space) r += ' ';
        space = false;
        r += c;
      }
      l = r;  // white space at the end is gone with `space`
    }
  }
  while (!lines.empty() && lines.back().empty())
    lines.pop_back();
  std::string out;
  for (const std::string& l : lines)
    out += l + "\r\n";
  if (out.empty() && !relaxed) out = "\r\n";
  return out;
}

}  // namespace

TEST_CASE("body hashes agree with a plain reading of the RFC on long random bodies", "[dkim]") {
  // Long runs of content with white space and line ends of every kind between them, fed in
  // random chunks: the 16- and 32-octet spans meet every case at every offset.
  std::mt19937 rng(20261203);
  for (int round = 0; round < 400; ++round) {
    std::string body = test::random_text(
        rng, "Lorem ipsum dolor sit amet, consectetur adipiscing elit sed do",
        {" ", "  ", "\t", " \t ", "\r\n", "\r", "\n", "\r\r\n", " \r\n", "\r\n\r\n"});
    if (rng() % 4 == 0) body += std::string(rng() % 5, ' ') + "\r\n\r\n";
    for (const bool relaxed : {true, false}) {
      INFO("round " << round << ", relaxed " << relaxed << ", body [" << body << "]");
      const std::string expected = reference_body(body, relaxed);
      const std::size_t chunk = rng() % 3 == 0 ? 0 : 1 + rng() % 97;
      CHECK(body_hash(body, relaxed, chunk) == sha256_b64(expected));
      dkim::detail::BodyHasher limited(relaxed, expected.size() / 2);
      limited.feed(body);
      CHECK(mailwire::detail::base64_encode(limited.finish()) ==
            sha256_b64(expected.substr(0, expected.size() / 2)));
    }
  }
}

TEST_CASE("line endings bare LF and bare CR count as CRLF", "[dkim]") {
  std::string out;
  dkim::detail::LineEndings e;
  e.feed("a\nb\rc\r", out);
  e.feed("\nd\r", out);
  e.finish(out);
  CHECK(out == "a\r\nb\r\nc\r\nd\r\n");
}

TEST_CASE("b= value is removed for the header hash", "[dkim]") {
  CHECK(dkim::detail::without_b_value("DKIM-Signature: a=1; bh=xyz; b=abc\r\n def\r\n") ==
        "DKIM-Signature: a=1; bh=xyz; b=\r\n");
  CHECK(dkim::detail::without_b_value("DKIM-Signature: b = abc ; bh=x") ==
        "DKIM-Signature: b =; bh=x");
}

TEST_CASE("tag lists parse and malformed ones are refused", "[dkim]") {
  auto list = dkim::detail::parse_tag_list(" v=1; a = rsa-sha256 ;\r\n\th=from:to;");
  REQUIRE(list.ok());
  REQUIRE(list.tags.size() == 3);
  CHECK(*list.find("a") == "rsa-sha256");
  CHECK(*list.find("h") == "from:to");
  CHECK_FALSE(dkim::detail::parse_tag_list("a=1; a=2").ok());
  CHECK_FALSE(dkim::detail::parse_tag_list("a=1;; b=2").ok());
  CHECK_FALSE(dkim::detail::parse_tag_list("1a=2").ok());
  CHECK_FALSE(dkim::detail::parse_tag_list("novalue").ok());
  CHECK_FALSE(dkim::detail::parse_tag_list(std::string("a=\x01", 3)).ok());
  CHECK(dkim::detail::parse_tag_list("").ok());
}

TEST_CASE("key records parse, and revoked or bad ones are told apart", "[dkim]") {
  auto r = dkim::detail::parse_key_record(
      "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  REQUIRE(r.ok());
  CHECK(r.key_type == "ed25519");
  CHECK(r.public_key.size() == 32);
  CHECK(dkim::detail::parse_key_record("v=DKIM1; p=").revoked);
  CHECK_FALSE(dkim::detail::parse_key_record("k=rsa; v=DKIM1; p=").ok());
  CHECK_FALSE(dkim::detail::parse_key_record("v=DKIM1; k=rsa").ok());
  CHECK_FALSE(dkim::detail::parse_key_record("v=DKIM1; p=!!!").ok());
  CHECK_FALSE(dkim::detail::parse_key_record("v=DKIM1; s=tlsrpt; p=AAAA").email_service);
}

TEST_CASE("signed messages verify for both algorithms and all canonicalizations", "[dkim]") {
  const Canonicalization cs[] = {Canonicalization::Simple, Canonicalization::Relaxed};
  for (const std::string* pem : {&test::rsa2048_pem(), &test::ed25519_pem()}) {
    for (auto hc : cs) {
      for (auto bc : cs) {
        Keys keys;
        const Signer signer = make_signer(*pem, hc, bc, "sel", keys);
        const std::string signed_message = signer.sign(plain_message) + plain_message;
        INFO(signed_message);
        auto v = keys.verifier();
        const SignatureResult r = only(v.verify(signed_message));
        CHECK(r.status == Status::Pass);
        CHECK(r.reason.empty());
        // A changed body byte, a changed signed header byte: fail.
        std::string body_changed = signed_message;
        body_changed.replace(body_changed.find("hungry"), 1, "H");
        CHECK(only(v.verify(body_changed)).failure == Failure::body_hash_mismatch);
        std::string header_changed = signed_message;
        header_changed.replace(header_changed.find("dinner"), 1, "D");
        CHECK(only(v.verify(header_changed)).failure == Failure::bad_signature);
        // A changed unsigned header, an added unsigned one: still a pass.
        std::string unsigned_changed = signed_message;
        unsigned_changed.replace(unsigned_changed.find("something"), 1, "S");
        CHECK(only(v.verify("Received: from x by y\r\n" + unsigned_changed)).status ==
              Status::Pass);
        // An added From (over-signed): fail.
        CHECK(only(v.verify("From: evil@example.org\r\n" + signed_message)).status == Status::Fail);
      }
    }
  }
}

TEST_CASE("relaxed header canonicalization survives refolding and case changes", "[dkim]") {
  Keys keys;
  const Signer signer = make_signer(test::ed25519_pem(), Canonicalization::Relaxed,
                                    Canonicalization::Relaxed, "sel", keys);
  const std::string signed_message = signer.sign(plain_message) + plain_message;
  std::string refolded = signed_message;
  refolded.replace(refolded.find("Subject: Is dinner"), 18, "subject :  Is\r\n\t dinner");
  refolded.replace(refolded.find("the game."), 9, "the   game.  \t");
  CHECK(only(keys.verifier().verify(refolded)).status == Status::Pass);
}

TEST_CASE("duplicate header fields are signed bottom-up", "[dkim]") {
  const std::string message =
      "From: a@football.example.com\r\nX-Tag: one\r\nX-Tag: two\r\n\r\nbody\r\n";
  Keys keys;
  SignerOptions o;
  o.domain = "football.example.com";
  o.selector = "sel";
  o.headers = {"From", "X-Tag"};
  o.over_sign = false;
  PrivateKey key = PrivateKey::from_pem(test::ed25519_pem());
  keys.lookup->add("sel._domainkey.football.example.com", key.dns_record());
  const std::string sig = Signer(key, o).sign(message);
  CHECK(sig.find("h=From:X-Tag;") != std::string::npos);
  auto v = keys.verifier();
  CHECK(only(v.verify(sig + message)).status == Status::Pass);
  // Only the bottom X-Tag is signed: the top one may change, the bottom one may not.
  std::string top = message;
  top.replace(top.find("one"), 3, "ONE");
  CHECK(only(v.verify(sig + top)).status == Status::Pass);
  std::string bottom = message;
  bottom.replace(bottom.find("two"), 3, "TWO");
  CHECK(only(v.verify(sig + bottom)).status == Status::Fail);
  // Over-signed by default: both instances and one more.
  o.over_sign = true;
  const std::string over = Signer(key, o).sign(message);
  CHECK(over.find("h=From:From:X-Tag:X-Tag:X-Tag;") != std::string::npos);
  CHECK(only(v.verify(over + top)).status == Status::Fail);
  CHECK(only(v.verify(over + message + "")).status == Status::Pass);
}

TEST_CASE("rsa and ed25519 signatures on one message both pass", "[dkim]") {
  Keys keys;
  const Signer rsa = make_signer(test::rsa2048_pem(), Canonicalization::Relaxed,
                                 Canonicalization::Simple, "r", keys);
  const Signer ed = make_signer(test::ed25519_pem(), Canonicalization::Relaxed,
                                Canonicalization::Relaxed, "e", keys);
  const std::string message = ed.sign(plain_message) + rsa.sign(plain_message) + plain_message;
  const auto results = keys.verifier().verify(message);
  REQUIRE(results.size() == 2);
  CHECK(results[0].status == Status::Pass);
  CHECK(results[0].algorithm == "ed25519-sha256");
  CHECK(results[1].status == Status::Pass);
  CHECK(results[1].algorithm == "rsa-sha256");
}

TEST_CASE("l= x= and i= are written and honoured", "[dkim]") {
  Keys keys;
  SignerOptions o;
  o.domain = "football.example.com";
  o.selector = "sel";
  o.body_length = true;
  o.identity = "joe@mail.football.example.com";
  o.timestamp = 1000;
  o.expire_after = 3600;
  PrivateKey key = PrivateKey::from_pem(test::ed25519_pem());
  keys.lookup->add("sel._domainkey.football.example.com", key.dns_record());
  const std::string sig = Signer(key, o).sign(plain_message);
  CHECK(sig.find("x=4600;") != std::string::npos);
  CHECK(sig.find("i=joe@mail.football.example.com;") != std::string::npos);
  CHECK(sig.find(" l=") != std::string::npos);
  VerifierOptions vo;
  vo.keys = keys.lookup;
  vo.now = 2000;
  Verifier v(vo);
  auto r = only(v.verify(sig + plain_message + "appended by a list\r\n"));
  CHECK(r.status == Status::Pass);
  CHECK(r.identity == "joe@mail.football.example.com");
  vo.now = 5000;
  auto expired = only(Verifier(vo).verify(sig + plain_message));
  CHECK(expired.status == Status::PermError);
  CHECK(expired.failure == Failure::expired);
  o.identity = "joe@elsewhere.example";
  CHECK_THROWS_AS(Signer(key, o), Error);
}

TEST_CASE("key problems give permerror or temperror with the reason", "[dkim]") {
  Keys keys;
  const Signer signer = make_signer(test::ed25519_pem(), Canonicalization::Relaxed,
                                    Canonicalization::Relaxed, "sel", keys);
  const std::string message = signer.sign(plain_message) + plain_message;
  auto check = [&](std::shared_ptr<KeyLookup> lookup, Status status, Failure failure) {
    VerifierOptions o;
    o.keys = std::move(lookup);
    const SignatureResult r = only(Verifier(o).verify(message));
    CHECK(r.status == status);
    CHECK(r.failure == failure);
    CHECK_FALSE(r.reason.empty());
  };
  check(std::make_shared<StaticKeyLookup>(), Status::PermError, Failure::no_key);
  auto revoked = std::make_shared<StaticKeyLookup>();
  revoked->add("sel._domainkey.football.example.com", "v=DKIM1; k=ed25519; p=");
  check(revoked, Status::PermError, Failure::key_revoked);
  auto wrong_type = std::make_shared<StaticKeyLookup>();
  wrong_type->add("sel._domainkey.football.example.com", rfc8463_rsa_record);
  check(wrong_type, Status::PermError, Failure::key_type_mismatch);
  struct Down : KeyLookup {
    Answer lookup(const std::string&, Deadline) override {
      Answer a;
      a.temporary_failure = true;
      a.error = "SERVFAIL";
      return a;
    }
  };
  check(std::make_shared<Down>(), Status::TempError, Failure::dns_error);
  VerifierOptions o;
  o.keys = keys.lookup;
  Verifier cancelled(o);
  cancelled.cancel();
  CHECK(only(cancelled.verify(message)).failure == Failure::cancelled);
}

TEST_CASE("rsa keys under 1024 bits are refused for signing and verifying", "[dkim]") {
  const std::string pem512 = test::make_rsa_pem(512);
  CHECK_THROWS_AS(PrivateKey::from_pem(pem512), Error);
  // A verifier meets one in DNS: permerror, key too short. Sign with a 1024-bit key and
  // publish a 512-bit one under the same name: the size check comes first.
  Keys keys;
  const Signer signer = make_signer(test::make_rsa_pem(1024), Canonicalization::Relaxed,
                                    Canonicalization::Relaxed, "sel", keys);
  const std::string message = signer.sign(plain_message) + plain_message;
  CHECK(only(keys.verifier().verify(message)).status == Status::Pass);
  auto short_key = std::make_shared<StaticKeyLookup>();
  EVP_PKEY* k512 = nullptr;
  {
    std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new_mem_buf(pem512.data(), -1), BIO_free);
    k512 = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  }
  REQUIRE(k512 != nullptr);
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(k512, &der);
  short_key->add("sel._domainkey.football.example.com",
                 "v=DKIM1; p=" + mailwire::detail::base64_encode(std::string(
                                     reinterpret_cast<char*>(der), static_cast<std::size_t>(len))));
  OPENSSL_free(der);
  EVP_PKEY_free(k512);
  VerifierOptions o;
  o.keys = short_key;
  const SignatureResult r = only(Verifier(o).verify(message));
  CHECK(r.status == Status::PermError);
  CHECK(r.failure == Failure::key_too_short);
}

TEST_CASE("malformed signatures are neutral or permerror and never throw", "[dkim]") {
  Keys keys;
  auto v = keys.verifier();
  const std::string body = "From: a@b.example\r\n\r\nx\r\n";
  CHECK(only(v.verify("DKIM-Signature: v=1; a=rsa-sha256; d=b.example\r\n" + body)).failure ==
        Failure::syntax);
  CHECK(only(v.verify("DKIM-Signature: garbage\r\n" + body)).status == Status::Neutral);
  CHECK(only(v.verify("DKIM-Signature: v=2; a=rsa-sha256; b=AA==; bh=AA==; d=b.example; "
                      "h=from; s=s\r\n" +
                      body))
            .failure == Failure::unsupported_version);
  CHECK(only(v.verify("DKIM-Signature: v=1; a=rsa-sha1; b=AA==; bh=AA==; d=b.example; "
                      "h=from; s=s\r\n" +
                      body))
            .failure == Failure::unsupported_algorithm);
  CHECK(only(v.verify("DKIM-Signature: v=1; a=rsa-sha256; b=AA==; "
                      "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; d=b.example; "
                      "h=to; s=s\r\n" +
                      body))
            .failure == Failure::from_not_signed);
  CHECK(v.verify(body).empty());
  // Over the limit of signatures: the rest are not checked.
  std::string many;
  for (int i = 0; i < 10; ++i)
    many += "DKIM-Signature: v=1\r\n";
  const auto results = v.verify(many + body);
  REQUIRE(results.size() == 10);
  CHECK(results[9].failure == Failure::too_many_signatures);
}

TEST_CASE("signing reads a source in bounded chunks and matches signing bytes", "[dkim]") {
  Keys keys;
  const Signer signer = make_signer(test::ed25519_pem(), Canonicalization::Relaxed,
                                    Canonicalization::Relaxed, "sel", keys);
  std::string big = plain_message;
  for (int i = 0; i < 20000; ++i)
    big += "a line of the body, long enough to cross chunks   \r\n";
  SignerOptions fixed = signer.options();
  fixed.timestamp = 42;
  const Signer s(PrivateKey::from_pem(test::ed25519_pem()), fixed);
  auto source = MessageSource::from_bytes(big);
  CHECK(s.sign(*source) == s.sign(big));
  CHECK(only(keys.verifier().verify(s.sign(big) + big)).status == Status::Pass);
}

TEST_CASE("a message with bare CR and LF signs as its CRLF form at every chunk size", "[dkim]") {
  SignerOptions o;
  o.domain = "example.com";
  o.selector = "s";
  o.timestamp = 7;
  for (auto c : {Canonicalization::Simple, Canonicalization::Relaxed}) {
    o.body_canonicalization = c;
    o.header_canonicalization = c;
    const Signer signer(PrivateKey::from_pem(test::ed25519_pem()), o);
    const std::string crlf = "From: a@example.com\r\nSubject: x\r\n\r\nl1  \r\n\r\nl2\r\nl3\r\n";
    const std::string mixed = "From: a@example.com\nSubject: x\r\r\nl1  \r\rl2\r\nl3\n";
    const std::string expected = signer.sign(crlf);
    CHECK(signer.sign(mixed) == expected);
    struct Chunks : MessageSource {
      std::string_view bytes;
      std::size_t chunk = 1, at = 0;
      std::uint64_t size() const override { return bytes.size(); }
      void rewind() override { at = 0; }
      std::size_t read(char* buffer, std::size_t capacity) override {
        const std::size_t n = std::min({chunk, capacity, bytes.size() - at});
        std::copy_n(bytes.data() + at, n, buffer);
        at += n;
        return n;
      }
    };
    for (std::size_t chunk = 1; chunk <= mixed.size(); ++chunk) {
      Chunks source;
      source.bytes = mixed;
      source.chunk = chunk;
      INFO("chunk " << chunk);
      CHECK(signer.sign(source) == expected);
    }
  }
}
