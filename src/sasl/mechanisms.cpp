// SASL mechanisms. Each is a small state machine over raw bytes; see sasl.hpp.

#include <mailwire/error.hpp>
#include <mailwire/sasl.hpp>

#include "detail/base64.hpp"
#include "detail/digest.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>

namespace mailwire {

SaslMechanism::~SaslMechanism() = default;

std::error_code SaslMechanism::fail(std::string reason, Reason why) {
  reason_ = std::move(reason);
  failure_ = why;
  return make_error_code(Errc::auth);
}

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

class Plain final : public SaslMechanism {
 public:
  explicit Plain(SaslCredentials c) : c_(std::move(c)) {}
  const char* name() const noexcept override { return "PLAIN"; }
  bool client_first() const noexcept override { return true; }
  std::string initial_response() override {
    sent_ = true;
    return c_.authzid + '\0' + c_.user + '\0' + c_.password;
  }
  std::error_code respond(std::string_view challenge, std::string& response) override {
    // A server that did not take the initial response sends an empty challenge.
    if (!challenge.empty() || sent_) return fail("unexpected PLAIN challenge");
    response = initial_response();
    return {};
  }

 private:
  SaslCredentials c_;
  bool sent_ = false;
};

class Login final : public SaslMechanism {
 public:
  explicit Login(SaslCredentials c) : c_(std::move(c)) {}
  const char* name() const noexcept override { return "LOGIN"; }
  bool client_first() const noexcept override { return false; }
  std::string initial_response() override { return {}; }
  std::error_code respond(std::string_view, std::string& response) override {
    // "Username:" then "Password:"; servers vary the wording, so go by order.
    if (step_ == 0) {
      response = c_.user;
    } else if (step_ == 1) {
      response = c_.password;
    } else {
      return fail("LOGIN: more challenges than user name and password");
    }
    ++step_;
    return {};
  }

 private:
  SaslCredentials c_;
  int step_ = 0;
};

class CramMd5 final : public SaslMechanism {
 public:
  explicit CramMd5(SaslCredentials c) : c_(std::move(c)) {}
  const char* name() const noexcept override { return "CRAM-MD5"; }
  bool client_first() const noexcept override { return false; }
  std::string initial_response() override { return {}; }
  std::error_code respond(std::string_view challenge, std::string& response) override {
    if (done_) return fail("CRAM-MD5: a second challenge");
    if (challenge.empty()) return fail("CRAM-MD5: empty challenge");
    const std::string mac = hmac(EVP_md5(), c_.password, challenge);
    response = c_.user + ' ' +
               detail::hex_encode(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
    done_ = true;
    return {};
  }

 private:
  SaslCredentials c_;
  bool done_ = false;
};

// XOAUTH2 (Google, Microsoft): one client message; on failure the server sends a JSON error
// as a challenge, which the client acknowledges with an empty response.
class XOAuth2 final : public SaslMechanism {
 public:
  explicit XOAuth2(SaslCredentials c) : c_(std::move(c)) {}
  const char* name() const noexcept override { return "XOAUTH2"; }
  bool client_first() const noexcept override { return true; }
  std::string initial_response() override {
    sent_ = true;
    return "user=" + c_.user + "\x01" + "auth=Bearer " + c_.oauth2_token + "\x01\x01";
  }
  std::error_code respond(std::string_view challenge, std::string& response) override {
    if (!sent_ && challenge.empty()) {
      response = initial_response();
      return {};
    }
    error_ = std::string(challenge);  // the server's JSON error; answer empty, it then fails
    reason_ = "XOAUTH2 refused: " + error_;
    response.clear();
    return {};
  }

 private:
  SaslCredentials c_;
  bool sent_ = false;
  std::string error_;
};

// OAUTHBEARER (RFC 7628 section 3.1): GS2 header, then key=value pairs separated by ^A.
class OAuthBearer final : public SaslMechanism {
 public:
  explicit OAuthBearer(SaslCredentials c) : c_(std::move(c)) {}
  const char* name() const noexcept override { return "OAUTHBEARER"; }
  bool client_first() const noexcept override { return true; }
  std::string initial_response() override {
    sent_ = true;
    std::string gs2 = "n,";
    if (!c_.user.empty()) gs2 += "a=" + escape_saslname(c_.user);
    gs2 += ',';
    return gs2 + "\x01" + "auth=Bearer " + c_.oauth2_token + "\x01\x01";
  }
  std::error_code respond(std::string_view challenge, std::string& response) override {
    if (!sent_ && challenge.empty()) {
      response = initial_response();
      return {};
    }
    reason_ = "OAUTHBEARER refused: " + std::string(challenge);
    response = "\x01";  // RFC 7628 section 3.2.3: the client's dummy answer to an error
    return {};
  }
  static std::string escape_saslname(std::string_view s) {
    std::string out;
    for (const char c : s) {
      if (c == '=') {
        out += "=3D";
      } else if (c == ',') {
        out += "=2C";
      } else {
        out += c;
      }
    }
    return out;
  }

 private:
  SaslCredentials c_;
  bool sent_ = false;
};

class External final : public SaslMechanism {
 public:
  explicit External(SaslCredentials c) : c_(std::move(c)) {}
  const char* name() const noexcept override { return "EXTERNAL"; }
  bool client_first() const noexcept override { return true; }
  std::string initial_response() override { return c_.authzid; }
  std::error_code respond(std::string_view challenge, std::string& response) override {
    if (!challenge.empty()) return fail("EXTERNAL: unexpected challenge");
    response = c_.authzid;
    return {};
  }

 private:
  SaslCredentials c_;
};

// SCRAM (RFC 5802): client-first, server-first, client-final with proof, server-final with
// the server's signature, which proves the server knows the password too.
class Scram final : public SaslMechanism {
 public:
  // `plus`: SCRAM-*-PLUS, bound to binding.type (which must then be set).
  Scram(const char* name, const EVP_MD* md, SaslCredentials c, std::string nonce,
        const SaslChannelBinding& binding, bool plus)
      : name_(name), md_(md), c_(std::move(c)), nonce_(std::move(nonce)) {
    if (nonce_.empty()) {
      unsigned char raw[24];
      RAND_bytes(raw, sizeof raw);
      nonce_ = detail::base64_encode(std::string_view(reinterpret_cast<char*>(raw), sizeof raw));
    }
    // RFC 5802 section 6, the gs2-cbind-flag: "p=" when binding; "y" when this client could
    // bind but the server offered no -PLUS mechanism (a server that did offer one then sees
    // the downgrade); "n" when it cannot bind (no TLS), or chose not to although the server
    // offered -PLUS (a forced plain SCRAM).
    std::string flag = "n";
    if (plus) {
      flag = "p=" + binding.type;
    } else if (!binding.type.empty() && !binding.server_offered_plus) {
      flag = "y";
    }
    gs2_ = flag + "," +
           (c_.authzid.empty() ? "" : "a=" + OAuthBearer::escape_saslname(c_.authzid)) + ",";
    cbind_input_ = gs2_ + (plus ? binding.data : std::string());
    first_bare_ = "n=" + OAuthBearer::escape_saslname(c_.user) + ",r=" + nonce_;
  }
  const char* name() const noexcept override { return name_; }
  bool client_first() const noexcept override { return true; }
  std::string initial_response() override {
    state_ = State::SentFirst;
    return gs2_ + first_bare_;
  }

  std::error_code respond(std::string_view challenge, std::string& response) override {
    if (state_ == State::Start && challenge.empty()) {
      response = initial_response();
      return {};
    }
    if (state_ == State::SentFinal) return final_message(challenge);
    if (state_ != State::SentFirst) return fail("SCRAM: unexpected challenge");
    // server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," ext]
    std::string nonce, salt_b64;
    long iterations = 0;
    std::size_t at = 0;
    int field = 0;
    while (at <= challenge.size()) {
      std::size_t comma = challenge.find(',', at);
      if (comma == std::string_view::npos) comma = challenge.size();
      const std::string_view attr = challenge.substr(at, comma - at);
      at = comma + 1;
      if (attr.size() < 2 || attr[1] != '=') return fail("SCRAM: malformed server-first message");
      const std::string_view value = attr.substr(2);
      switch (attr[0]) {
        case 'm':
          return fail("SCRAM: the server requires an unsupported extension");
        case 'r':
          nonce = std::string(value);
          break;
        case 's':
          salt_b64 = std::string(value);
          break;
        case 'i':
          iterations = 0;
          for (const char ch : value) {
            if (!std::isdigit(static_cast<unsigned char>(ch)) || iterations > 100'000'000) {
              return fail("SCRAM: bad iteration count");
            }
            iterations = iterations * 10 + (ch - '0');
          }
          break;
        default:
          break;
      }
      ++field;
      if (field > 64) return fail("SCRAM: too many attributes");
    }
    if (nonce.size() <= nonce_.size() || nonce.compare(0, nonce_.size(), nonce_) != 0) {
      return fail("SCRAM: the server nonce does not extend ours");
    }
    std::string salt;
    if (salt_b64.empty() || !detail::base64_decode(salt_b64, salt) || salt.empty()) {
      return fail("SCRAM: bad salt");
    }
    // A hostile server could ask for billions of iterations to burn our CPU.
    if (iterations < 1 || iterations > max_iterations) {
      return fail("SCRAM: iteration count " + std::to_string(iterations) + " out of range");
    }
    const int md_size = EVP_MD_get_size(md_);
    std::string salted(static_cast<std::size_t>(md_size), '\0');
    PKCS5_PBKDF2_HMAC(c_.password.data(), static_cast<int>(c_.password.size()),
                      reinterpret_cast<const unsigned char*>(salt.data()),
                      static_cast<int>(salt.size()), static_cast<int>(iterations), md_, md_size,
                      reinterpret_cast<unsigned char*>(salted.data()));
    const std::string client_key = hmac(md_, salted, "Client Key");
    const std::string stored_key = digest(md_, client_key);
    const std::string without_proof = "c=" + detail::base64_encode(cbind_input_) + ",r=" + nonce;
    const std::string auth_message =
        first_bare_ + "," + std::string(challenge) + "," + without_proof;
    const std::string signature = hmac(md_, stored_key, auth_message);
    std::string proof = client_key;
    for (std::size_t i = 0; i < proof.size(); ++i)
      proof[i] = static_cast<char>(proof[i] ^ signature[i]);
    const std::string server_key = hmac(md_, salted, "Server Key");
    server_signature_ = hmac(md_, server_key, auth_message);
    response = without_proof + ",p=" + detail::base64_encode(proof);
    state_ = State::SentFinal;
    return {};
  }

  std::error_code verify_success(std::string_view final_data) override {
    if (state_ == State::Verified) return {};
    if (state_ != State::SentFinal) {
      return fail("SCRAM: success before the exchange finished", Reason::server_not_verified);
    }
    return final_message(final_data);
  }

  static constexpr long max_iterations = 10'000'000;

 private:
  std::error_code final_message(std::string_view message) {
    if (message.substr(0, 2) == "e=") {
      return fail("SCRAM: the server says " + std::string(message.substr(2)));
    }
    std::string_view v = message.substr(0, message.find(','));
    if (v.substr(0, 2) != "v=")
      return fail("SCRAM: no server signature", Reason::server_not_verified);
    std::string got;
    if (!detail::base64_decode(v.substr(2), got) || got != server_signature_) {
      return fail("SCRAM: the server signature is wrong (the server does not know the password)",
                  Reason::server_not_verified);
    }
    state_ = State::Verified;
    return {};
  }

  enum class State { Start, SentFirst, SentFinal, Verified };
  const char* name_;
  const EVP_MD* md_;
  SaslCredentials c_;
  std::string nonce_;
  std::string gs2_;
  std::string cbind_input_;  // gs2_ and, for -PLUS, the binding data: "c=" carries it
  std::string first_bare_;
  std::string server_signature_;
  State state_ = State::Start;
};

}  // namespace

std::unique_ptr<SaslMechanism> make_scram_mechanism(std::string_view name,
                                                    const SaslCredentials& credentials,
                                                    std::string client_nonce,
                                                    const SaslChannelBinding& binding) {
  std::string n = upper(name);
  const bool plus = n.size() > 5 && n.compare(n.size() - 5, 5, "-PLUS") == 0;
  if (plus) {
    if (binding.type.empty()) return nullptr;  // -PLUS needs a binding
    n.erase(n.size() - 5);
  }
  if (n == "SCRAM-SHA-256") {
    return std::make_unique<Scram>(plus ? "SCRAM-SHA-256-PLUS" : "SCRAM-SHA-256", EVP_sha256(),
                                   credentials, std::move(client_nonce), binding, plus);
  }
  if (n == "SCRAM-SHA-1") {
    return std::make_unique<Scram>(plus ? "SCRAM-SHA-1-PLUS" : "SCRAM-SHA-1", EVP_sha1(),
                                   credentials, std::move(client_nonce), binding, plus);
  }
  return nullptr;
}

std::unique_ptr<SaslMechanism> make_scram_mechanism(std::string_view name,
                                                    const SaslCredentials& credentials,
                                                    std::string client_nonce) {
  return make_scram_mechanism(name, credentials, std::move(client_nonce), SaslChannelBinding{});
}

namespace {

const char* const known_mechanisms[] = {
    "PLAIN",
    "LOGIN",
    "CRAM-MD5",
    "SCRAM-SHA-1",
    "SCRAM-SHA-256",
    "SCRAM-SHA-1-PLUS",
    "SCRAM-SHA-256-PLUS",
    "XOAUTH2",
    "OAUTHBEARER",
    "EXTERNAL",
};

}  // namespace

bool is_known_sasl_mechanism(std::string_view name) {
  const std::string n = upper(name);
  return std::any_of(std::begin(known_mechanisms), std::end(known_mechanisms),
                     [&](const char* m) { return n == m; });
}

SaslChannelBinding sasl_channel_binding(const TlsInfo& tls, std::string_view type) {
  const TlsInfo::ChannelBindings& cb = tls.channel_bindings;
  SaslChannelBinding out;
  const auto pick = [&](const char* name, const std::string& data) {
    if (data.empty()) return false;
    out.type = name;
    out.data = data;
    return true;
  };
  if (type.empty()) {
    if (!pick("tls-exporter", cb.tls_exporter) && !pick("tls-unique", cb.tls_unique)) {
      pick("tls-server-end-point", cb.tls_server_end_point);
    }
  } else if (type == "tls-exporter") {
    pick("tls-exporter", cb.tls_exporter);
  } else if (type == "tls-unique") {
    pick("tls-unique", cb.tls_unique);
  } else if (type == "tls-server-end-point") {
    pick("tls-server-end-point", cb.tls_server_end_point);
  } else {
    throw Error(Errc::usage, "sasl: unknown channel-binding type \"" + std::string(type) +
                                 "\" (tls-exporter, tls-unique or tls-server-end-point)");
  }
  return out;
}

std::unique_ptr<SaslMechanism> make_sasl_mechanism(std::string_view name,
                                                   const SaslCredentials& c) {
  return make_sasl_mechanism(name, c, SaslChannelBinding{});
}

std::unique_ptr<SaslMechanism> make_sasl_mechanism(std::string_view name, const SaslCredentials& c,
                                                   const SaslChannelBinding& binding) {
  const std::string n = upper(name);
  const bool password = !c.user.empty() && !c.password.empty();
  const bool token = !c.oauth2_token.empty();
  if (n == "PLAIN" && password) return std::make_unique<Plain>(c);
  if (n == "LOGIN" && password) return std::make_unique<Login>(c);
  if (n == "CRAM-MD5" && password) return std::make_unique<CramMd5>(c);
  if ((n == "SCRAM-SHA-256" || n == "SCRAM-SHA-1" || n == "SCRAM-SHA-256-PLUS" ||
       n == "SCRAM-SHA-1-PLUS") &&
      password) {
    return make_scram_mechanism(n, c, {}, binding);
  }
  if (n == "XOAUTH2" && token) return std::make_unique<XOAuth2>(c);
  if (n == "OAUTHBEARER" && token) return std::make_unique<OAuthBearer>(c);
  if (n == "EXTERNAL") return std::make_unique<External>(c);
  return nullptr;
}

std::optional<std::string> choose_sasl_mechanism(const std::vector<std::string>& offered,
                                                 const SaslCredentials& credentials,
                                                 std::string_view forced) {
  return choose_sasl_mechanism(offered, credentials, forced, false);
}

std::optional<std::string> choose_sasl_mechanism(const std::vector<std::string>& offered,
                                                 const SaslCredentials& credentials,
                                                 std::string_view forced, bool can_bind) {
  const auto has = [&](std::string_view m) {
    return std::any_of(offered.begin(), offered.end(),
                       [&](const std::string& o) { return upper(o) == m; });
  };
  SaslChannelBinding probe;  // only whether a -PLUS mechanism could be made matters here
  if (can_bind) probe.type = "tls-exporter";
  if (!forced.empty()) {
    const std::string f = upper(forced);
    if (has(f) && make_sasl_mechanism(f, credentials, probe)) return f;
    return std::nullopt;
  }
  const char* with_token[] = {"OAUTHBEARER", "XOAUTH2"};
  const char* with_binding[] = {"SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS"};
  const char* with_password[] = {"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "LOGIN", "CRAM-MD5"};
  if (!credentials.oauth2_token.empty()) {
    for (const char* m : with_token) {
      if (has(m)) return std::string(m);
    }
  }
  if (!credentials.password.empty()) {
    if (can_bind) {
      for (const char* m : with_binding) {
        if (has(m)) return std::string(m);
      }
    }
    for (const char* m : with_password) {
      if (has(m)) return std::string(m);
    }
  }
  return std::nullopt;
}

}  // namespace mailwire
