// TlsTransport: OpenSSL drives the TLS state machine over two memory BIOs and never sees a
// socket. `to_tls_` holds bytes received from the inner transport that OpenSSL has not read
// yet; `from_tls_` holds records OpenSSL produced that have not been sent yet. Every
// operation loops: call OpenSSL, send whatever it produced, and when it wants more input, read
// once from the inner transport (with the caller's deadline) and feed it in.

#include <mailwire/error.hpp>
#include <mailwire/net/tls_transport.hpp>

#include "detail/digest.hpp"
#include "net/tls_context.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <vector>

namespace mailwire {
namespace {

constexpr std::size_t io_chunk = 16 * 1024;

struct SslCtxDeleter {
  void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); }
};
struct SslDeleter {
  void operator()(SSL* p) const noexcept { SSL_free(p); }
};
struct X509Deleter {
  void operator()(X509* p) const noexcept { X509_free(p); }
};

// Drains OpenSSL's error queue into one line.
std::string openssl_errors() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    const char* reason = ERR_reason_error_string(code);
    out += reason != nullptr ? reason : buf;
  }
  return out.empty() ? "unknown error" : out;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// A pin as lower-case hex: accepts hex (colons allowed) or base64, with an optional
// "sha256//" prefix. Returns "" for something that is neither.
std::string normalise_pin(std::string pin) {
  const std::string prefix = "sha256//";
  if (pin.compare(0, prefix.size(), prefix) == 0) pin.erase(0, prefix.size());
  std::string hex;
  bool all_hex = true;
  for (char c : pin) {
    if (c == ':') continue;
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0) {
      all_hex = false;
      break;
    }
    hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (all_hex && hex.size() == 64) return hex;
  if (pin.size() == 44) {
    unsigned char raw[48];
    const int n = EVP_DecodeBlock(raw, reinterpret_cast<const unsigned char*>(pin.data()), 44);
    if (n == 33 && pin[43] == '=')
      return detail::hex_encode(raw, 32);  // one padding byte decoded as 0
  }
  return {};
}

std::string verify_reason(long result) {
  switch (result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "certificate has expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "certificate is not yet valid";
    case X509_V_ERR_HOSTNAME_MISMATCH:
      return "host name mismatch";
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "IP address mismatch";
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      return "self-signed certificate";
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return "self-signed certificate in chain (unknown issuer)";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      return "unknown issuer (untrusted or missing intermediate certificate)";
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return "unknown issuer";
    case X509_V_ERR_CERT_REVOKED:
      return "certificate revoked";
    default:
      return X509_verify_cert_error_string(result);
  }
}

// RFC 5929 section 4.1: the certificate hashed with its signature's hash, SHA-256 in place
// of MD5 and SHA-1.
std::string server_end_point(X509* cert) {
  int md_nid = NID_undef;
  if (X509_get_signature_info(cert, &md_nid, nullptr, nullptr, nullptr) != 1) return {};
  if (md_nid == NID_md5 || md_nid == NID_sha1) md_nid = NID_sha256;
  const EVP_MD* md = EVP_get_digestbynid(md_nid);
  if (md == nullptr) return {};  // no single hash (Ed25519, Ed448): undefined
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, md, out, &len) != 1) return {};
  return std::string(reinterpret_cast<const char*>(out), len);
}

TlsInfo::ChannelBindings channel_bindings(SSL* ssl, X509* cert) {
  TlsInfo::ChannelBindings cb;
  if (cert != nullptr) cb.tls_server_end_point = server_end_point(cert);
  if (SSL_version(ssl) >= TLS1_3_VERSION) {
    // RFC 9266 section 2: 32 bytes, label "EXPORTER-Channel-Binding", no context value (the
    // same as an empty one in TLS 1.3).
    static constexpr char label[] = "EXPORTER-Channel-Binding";
    unsigned char out[32];
    if (SSL_export_keying_material(ssl, out, sizeof out, label, sizeof label - 1, nullptr, 0, 0) ==
        1) {
      cb.tls_exporter.assign(reinterpret_cast<const char*>(out), sizeof out);
    }
  }
  // RFC 5929 section 3.1: the first Finished message: ours in a full handshake, the server's
  // when a TLS 1.2 session was resumed (the server finishes first then). On TLS 1.3, where
  // RFC 9266 leaves it undefined, ours, as the servers that use it there take it.
  unsigned char out[EVP_MAX_MD_SIZE];
  const bool server_first = SSL_version(ssl) < TLS1_3_VERSION && SSL_session_reused(ssl);
  const std::size_t len = server_first ? SSL_get_peer_finished(ssl, out, sizeof out)
                                       : SSL_get_finished(ssl, out, sizeof out);
  if (len > 0 && len <= sizeof out) cb.tls_unique.assign(reinterpret_cast<const char*>(out), len);
  return cb;
}

std::string x509_name(X509_NAME* name) {
  if (name == nullptr) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long len = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

}  // namespace

struct TlsTransport::Impl {
  std::unique_ptr<Transport> inner;
  TlsOptions options;
  std::string host;
  std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx;
  std::unique_ptr<SSL, SslDeleter> ssl;
  BIO* to_tls = nullptr;    // owned by ssl: network bytes for OpenSSL to read
  BIO* from_tls = nullptr;  // owned by ssl: records OpenSSL wrote, to send
  bool established = false;
  bool inner_eof = false;
  bool closed = false;
  std::optional<TlsInfo> info;
  std::array<char, io_chunk> buf{};
  // Network bytes are read in larger pieces than records: fewer system calls per MB.
  std::array<char, 4 * io_chunk> in_buf{};

  void setup();
  void send_pending(Deadline deadline);
  bool receive(Deadline deadline);
  void check_pins(X509* cert);
  void check_alpn();
  [[noreturn]] void fail_handshake();
};

// ---- Shared contexts
// An SSL_CTX is costly to make: with verification on, loading the system trust store reads and
// parses the whole CA bundle (about 20 ms on Debian 12), for every connection. It depends only
// on the settings below and OpenSSL allows sharing it between connections and threads once
// made, so contexts are kept per distinct setting and reused for a few minutes (then made
// anew, so that a changed CA file or client certificate is picked up).

namespace {

struct ContextKey {
  bool verify = true;
  TlsVersion min_version = TlsVersion::Tls12;
  std::string ca_file, ca_dir, client_cert_file, client_key_file;

  explicit ContextKey(const TlsOptions& o)
      : verify(o.verify_peer && !o.insecure),
        min_version(o.min_version),
        ca_file(o.ca_file),
        ca_dir(o.ca_dir),
        client_cert_file(o.client_cert_file),
        client_key_file(o.client_key_file) {}
  bool operator==(const ContextKey& b) const {
    return verify == b.verify && min_version == b.min_version && ca_file == b.ca_file &&
           ca_dir == b.ca_dir && client_cert_file == b.client_cert_file &&
           client_key_file == b.client_key_file;
  }
};

struct ContextCache {
  struct Entry {
    ContextKey key;
    SSL_CTX* ctx;  // the cache's reference
    std::chrono::steady_clock::time_point made;
  };
  static constexpr std::size_t max_entries = 16;
  static constexpr std::chrono::minutes max_age{5};
  std::mutex mutex;
  std::vector<Entry> entries;
  std::atomic<std::uint64_t> made{0};
};

ContextCache& context_cache() {
  static ContextCache* cache = new ContextCache;  // never destroyed: OpenSSL may be gone by then
  return *cache;
}

SSL_CTX* make_context(const ContextKey& k) {
  std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) throw Error(Errc::tls, "TLS: cannot create context: " + openssl_errors());
  SSL_CTX_set_min_proto_version(
      ctx.get(), k.min_version == TlsVersion::Tls13 ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (k.verify || !k.ca_file.empty() || !k.ca_dir.empty()) {
    if (!k.ca_file.empty() || !k.ca_dir.empty()) {
      if (SSL_CTX_load_verify_locations(ctx.get(), k.ca_file.empty() ? nullptr : k.ca_file.c_str(),
                                        k.ca_dir.empty() ? nullptr : k.ca_dir.c_str()) != 1) {
        throw Error(Errc::usage, fmt::format("TLS: cannot load CA file '{}' / dir '{}': {}",
                                             k.ca_file, k.ca_dir, openssl_errors()));
      }
    } else if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
      throw Error(Errc::tls, "TLS: cannot load the system trust store: " + openssl_errors());
    }
  }
  SSL_CTX_set_verify(ctx.get(), k.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  if (!k.client_cert_file.empty()) {
    const std::string& key = k.client_key_file.empty() ? k.client_cert_file : k.client_key_file;
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), k.client_cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx.get()) != 1) {
      throw Error(Errc::usage, fmt::format("TLS: cannot use client certificate '{}': {}",
                                           k.client_cert_file, openssl_errors()));
    }
  }
  return ctx.release();
}

}  // namespace

namespace detail {

SSL_CTX* shared_tls_context(const TlsOptions& options) {
  ContextCache& cache = context_cache();
  const ContextKey key(options);
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    for (auto it = cache.entries.begin(); it != cache.entries.end();) {
      if (now - it->made > ContextCache::max_age) {
        SSL_CTX_free(it->ctx);  // connections using it hold their own references
        it = cache.entries.erase(it);
      } else if (it->key == key) {
        SSL_CTX_up_ref(it->ctx);
        return it->ctx;
      } else {
        ++it;
      }
    }
  }
  SSL_CTX* ctx = make_context(key);  // outside the lock: it may take a while
  cache.made.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(cache.mutex);
  if (cache.entries.size() >= ContextCache::max_entries) {
    SSL_CTX_free(cache.entries.front().ctx);
    cache.entries.erase(cache.entries.begin());
  }
  SSL_CTX_up_ref(ctx);
  cache.entries.push_back({key, ctx, now});
  return ctx;
}

std::uint64_t tls_contexts_made() noexcept {
  return context_cache().made.load(std::memory_order_relaxed);
}

}  // namespace detail

void TlsTransport::Impl::setup() {
  ctx.reset(detail::shared_tls_context(options));
  const bool verify = options.verify_peer && !options.insecure;
  ssl.reset(SSL_new(ctx.get()));
  if (!ssl) throw Error(Errc::tls, "TLS: cannot create session: " + openssl_errors());
  to_tls = BIO_new(BIO_s_mem());
  from_tls = BIO_new(BIO_s_mem());
  if (to_tls == nullptr || from_tls == nullptr) {
    BIO_free(to_tls);
    BIO_free(from_tls);
    throw Error(Errc::tls, "TLS: out of memory");
  }
  BIO_ctrl(to_tls, BIO_C_SET_BUF_MEM_EOF_RETURN, -1,
           nullptr);  // empty means "want more", not end of stream
  SSL_set_bio(ssl.get(), to_tls, from_tls);
  SSL_set_connect_state(ssl.get());

  const std::string sni = options.sni.empty() ? host : options.sni;
  if (!sni.empty() && !is_ip_literal(sni)) {
    SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(sni.c_str()));
  }
  if (options.alpn && !options.alpn->empty()) {
    std::string wire;  // RFC 7301 3.1: each name preceded by its length
    for (const std::string& id : *options.alpn) {
      if (id.empty() || id.size() > 255)
        throw Error(Errc::usage, "TLS: an ALPN protocol name must be 1 to 255 bytes");
      wire += static_cast<char>(id.size());
      wire += id;
    }
    if (SSL_set_alpn_protos(ssl.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                            static_cast<unsigned int>(wire.size())) != 0) {
      throw Error(Errc::tls, "TLS: cannot offer ALPN: " + openssl_errors());
    }
  }
  if (verify && options.verify_host) {
    const std::string name = options.verify_name.empty() ? host : options.verify_name;
    if (name.empty())
      throw Error(Errc::usage, "TLS: no host name to verify the certificate against");
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
    if (is_ip_literal(name)) {
      X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    } else {
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      SSL_set1_host(ssl.get(), name.c_str());
    }
  }
  if (options.insecure) {
    const std::string warning = fmt::format(
        "warning: TLS certificate verification is disabled for {}: anyone on the network path "
        "can read and change this connection",
        host);
    if (options.on_warning) {
      options.on_warning(warning);
    } else {
      std::fprintf(stderr, "mailwire: %s\n", warning.c_str());
    }
  }
}

void TlsTransport::Impl::send_pending(Deadline deadline) {
  while (BIO_ctrl_pending(from_tls) > 0) {
    const int n = BIO_read(from_tls, buf.data(), static_cast<int>(buf.size()));
    if (n <= 0) break;
    inner->write_all(std::string_view(buf.data(), static_cast<std::size_t>(n)), deadline);
  }
}

bool TlsTransport::Impl::receive(Deadline deadline) {
  if (inner_eof) return false;
  const std::size_t n = inner->read_some(in_buf.data(), in_buf.size(), deadline);
  if (n == 0) {
    inner_eof = true;
    return false;
  }
  BIO_write(to_tls, in_buf.data(), static_cast<int>(n));
  return true;
}

void TlsTransport::Impl::fail_handshake() {
  const long result = SSL_get_verify_result(ssl.get());
  const std::string errors = openssl_errors();
  if (result != X509_V_OK && options.verify_peer && !options.insecure) {
    throw Error(
        Errc::certificate,
        fmt::format("TLS: certificate of {} is not trusted: {}", host, verify_reason(result)),
        Diagnostics::broken());
  }
  std::string hint;
  Reason reason = Reason::unspecified;
  if (errors.find("wrong version number") != std::string::npos ||
      errors.find("packet length too long") != std::string::npos ||
      errors.find("record layer failure") != std::string::npos) {
    hint = " (the server does not seem to speak TLS on this port; is it a STARTTLS port?)";
    reason = Reason::not_tls;
  }
  throw Error(Errc::tls, fmt::format("TLS: handshake with {} failed: {}{}", host, errors, hint),
              Diagnostics::broken(reason));
}

void TlsTransport::Impl::check_pins(X509* cert) {
  if (options.pin_public_key_sha256.empty() && options.pin_certificate_sha256.empty()) return;
  const auto matches = [](const std::vector<std::string>& pins, const std::string& actual) {
    return std::any_of(pins.begin(), pins.end(),
                       [&](const std::string& pin) { return normalise_pin(pin) == actual; });
  };
  if (matches(options.pin_public_key_sha256, info->peer_pubkey_sha256) ||
      matches(options.pin_certificate_sha256, info->peer_sha256)) {
    return;
  }
  (void)cert;
  throw Error(Errc::certificate,
              fmt::format("TLS: certificate of {} does not match the pinned key (its public key "
                          "SHA-256 is {})",
                          host, info->peer_pubkey_sha256),
              Diagnostics::broken());
}

// A server that picks an application protocol we did not offer serves another protocol under
// this certificate (ALPACA): never talk to it. OpenSSL refuses most such answers itself; this
// holds whatever the library version does.
void TlsTransport::Impl::check_alpn() {
  if (info->alpn.empty()) return;
  const std::vector<std::string> none;
  const std::vector<std::string>& offered = options.alpn ? *options.alpn : none;
  if (std::find(offered.begin(), offered.end(), info->alpn) != offered.end()) return;
  throw Error(Errc::tls,
              fmt::format("TLS: {} chose the application protocol '{}' (ALPN), which was not "
                          "offered: it serves another protocol",
                          host, info->alpn),
              Diagnostics::broken());
}

TlsTransport::TlsTransport(std::unique_ptr<Transport> inner, TlsOptions options, std::string host)
    : impl_(std::make_unique<Impl>()) {
  if (!inner) throw Error(Errc::usage, "TLS: no inner transport");
  impl_->inner = std::move(inner);
  impl_->options = std::move(options);
  impl_->host = std::move(host);
  impl_->setup();
}

TlsTransport::~TlsTransport() {
  close();
}

void TlsTransport::handshake(Deadline deadline) {
  Impl& s = *impl_;
  if (s.established) return;
  ERR_clear_error();
  for (;;) {
    const int rc = SSL_do_handshake(s.ssl.get());
    const int err = rc == 1 ? SSL_ERROR_NONE : SSL_get_error(s.ssl.get(), rc);
    try {
      s.send_pending(deadline);  // our records, or the alert that explains a failure
    } catch (const Error&) {
      if (err == SSL_ERROR_NONE || err == SSL_ERROR_WANT_READ) throw;
    }
    if (rc == 1) break;
    if (err == SSL_ERROR_WANT_READ) {
      if (!s.receive(deadline)) {
        throw Error(Errc::tls,
                    fmt::format("TLS: {} closed the connection during the handshake", s.host),
                    Diagnostics::broken(Reason::connection_lost));
      }
      continue;
    }
    if (err == SSL_ERROR_WANT_WRITE) continue;
    s.fail_handshake();
  }

  TlsInfo info;
  info.protocol = SSL_get_version(s.ssl.get());
  info.cipher = SSL_get_cipher_name(s.ssl.get());
  std::unique_ptr<X509, X509Deleter> cert(SSL_get1_peer_certificate(s.ssl.get()));
  if (cert) {
    info.peer_subject = x509_name(X509_get_subject_name(cert.get()));
    info.peer_issuer = x509_name(X509_get_issuer_name(cert.get()));
    unsigned char* der = nullptr;
    int len = i2d_X509(cert.get(), &der);
    if (len > 0) {
      info.peer_sha256 = detail::sha256_hex(
          std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)));
    }
    OPENSSL_free(der);
    der = nullptr;
    len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert.get()), &der);
    if (len > 0) {
      info.peer_pubkey_sha256 = detail::sha256_hex(
          std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)));
    }
    OPENSSL_free(der);
  }
  info.verified = s.options.verify_peer && !s.options.insecure &&
                  SSL_get_verify_result(s.ssl.get()) == X509_V_OK;
  const unsigned char* alpn = nullptr;
  unsigned int alpn_size = 0;
  SSL_get0_alpn_selected(s.ssl.get(), &alpn, &alpn_size);
  if (alpn != nullptr) info.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_size);
  info.channel_bindings = channel_bindings(s.ssl.get(), cert.get());
  s.info = std::move(info);
  s.check_alpn();
  s.check_pins(cert.get());
  s.established = true;
}

std::size_t TlsTransport::read_some(char* buffer, std::size_t size, Deadline deadline) {
  Impl& s = *impl_;
  if (!s.established) throw Error(Errc::usage, "TLS: read before the handshake");
  if (size == 0) return 0;
  ERR_clear_error();
  std::size_t total = 0;
  for (;;) {
    std::size_t n = 0;
    const int rc = SSL_read_ex(s.ssl.get(), buffer + total, size - total, &n);
    if (rc == 1) {
      // Several records may be here already: hand over all that fits without waiting.
      total += n;
      if (total < size && (SSL_pending(s.ssl.get()) > 0 || BIO_ctrl_pending(s.to_tls) > 0))
        continue;
      return total;
    }
    const int err = SSL_get_error(s.ssl.get(), rc);
    s.send_pending(deadline);     // e.g. a key update answer
    if (total > 0) return total;  // what arrived first; an end or error shows on the next call
    if (err == SSL_ERROR_WANT_READ) {
      // A peer that closes the TCP connection without close_notify ends the stream too;
      // the protocol above knows whether it expected more.
      if (!s.receive(deadline)) return 0;
      continue;
    }
    if (err == SSL_ERROR_ZERO_RETURN) return 0;
    throw Error(Errc::tls, fmt::format("TLS: read from {} failed: {}", s.host, openssl_errors()),
                Diagnostics::broken(Reason::connection_lost));
  }
}

void TlsTransport::write_all(std::string_view bytes, Deadline deadline) {
  Impl& s = *impl_;
  if (!s.established) throw Error(Errc::usage, "TLS: write before the handshake");
  ERR_clear_error();
  // Record by record, so memory stays bounded whatever the caller hands us.
  while (!bytes.empty()) {
    const std::size_t chunk = std::min(bytes.size(), io_chunk);
    std::size_t written = 0;
    if (SSL_write_ex(s.ssl.get(), bytes.data(), chunk, &written) != 1) {
      throw Error(Errc::tls, fmt::format("TLS: write to {} failed: {}", s.host, openssl_errors()),
                  Diagnostics::broken(Reason::connection_lost));
    }
    bytes.remove_prefix(written);
    s.send_pending(deadline);
  }
}

void TlsTransport::close() noexcept {
  if (!impl_ || impl_->closed) return;
  Impl& s = *impl_;
  s.closed = true;
  if (s.established && !s.inner_eof) {
    try {
      SSL_shutdown(s.ssl.get());
      s.send_pending(deadline_after(std::chrono::milliseconds(500)));
    } catch (...) {  // best effort: the peer may already be gone
    }
  }
  ERR_clear_error();
  s.inner->close();
}

bool TlsTransport::is_encrypted() const noexcept {
  return impl_->established;
}

std::optional<TlsInfo> TlsTransport::tls_info() const {
  return impl_->info;
}

void TlsTransport::cancel() noexcept {
  impl_->inner->cancel();
}

}  // namespace mailwire
