#include "support/scripted_peer.hpp"

#include "support/test_pki.hpp"

#include <mailwire/error.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

namespace mailwire::test {

std::string escape(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

namespace {

std::string unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    const char c = text[++i];
    switch (c) {
      case 'r':
        out += '\r';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case '0':
        out += '\0';
        break;
      case '\\':
        out += '\\';
        break;
      case 'x':
        if (i + 2 < text.size()) {
          out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
          i += 2;
        }
        break;
      default:
        out += '\\';
        out += c;
    }
  }
  return out;
}

std::string openssl_errors() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

class PeerTransport final : public Transport {
 public:
  explicit PeerTransport(std::shared_ptr<ScriptedPeer> peer) : peer_(std::move(peer)) {}
  std::size_t read_some(char* buffer, std::size_t size, Deadline deadline) override {
    if (cancelled_) throw Error(Errc::cancelled, "operation cancelled");
    if (Clock::now() >= deadline) throw Error(Errc::timeout, "scripted peer: deadline passed");
    return peer_->on_read(buffer, size);
  }
  void write_all(std::string_view bytes, Deadline) override {
    if (cancelled_) throw Error(Errc::cancelled, "operation cancelled");
    peer_->on_write(bytes);
  }
  void close() noexcept override { peer_->on_close(); }
  void cancel() noexcept override { cancelled_ = true; }

 private:
  std::shared_ptr<ScriptedPeer> peer_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace

struct ScriptedPeer::Tls {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  BIO* in = nullptr;   // client -> server
  BIO* out = nullptr;  // server -> client
  bool established = false;
  bool shutdown_sent = false;
  bool failed = false;
  ~Tls() {
    SSL_free(ssl);
    SSL_CTX_free(ctx);
  }
};

ScriptedPeer::~ScriptedPeer() = default;

std::shared_ptr<ScriptedPeer> ScriptedPeer::make() {
  return std::shared_ptr<ScriptedPeer>(new ScriptedPeer());
}

namespace {

// The script's lines, each trimmed as parse() trims it.
std::vector<std::string_view> script_lines(std::string_view script) {
  std::vector<std::string_view> lines;
  std::size_t at = 0;
  while (at <= script.size()) {
    std::size_t end = script.find('\n', at);
    if (end == std::string_view::npos) end = script.size();
    std::string_view line = script.substr(at, end - at);
    at = end + 1;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
      line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
      line.remove_suffix(1);
    lines.push_back(line);
  }
  return lines;
}

bool is_step_of(std::string_view line, ScriptSide side) {
  const std::string_view head = line.substr(0, 2);
  if (side == ScriptSide::Server) return head == "S:" || head == "S~" || head == "D~";
  return head == "C:" || head == "C~";
}

}  // namespace

std::size_t count_steps(std::string_view script, ScriptSide side) {
  std::size_t n = 0;
  for (const std::string_view line : script_lines(script))
    if (is_step_of(line, side)) ++n;
  return n;
}

std::string fault_at(std::string_view script, ScriptSide side, std::size_t k,
                     std::string_view replacement) {
  std::string out;
  std::size_t seen = 0;
  for (const std::string_view line : script_lines(script)) {
    if (is_step_of(line, side) && seen++ == k) {
      out.append(replacement);
      out += '\n';
      return out;
    }
    out.append(line);
    out += '\n';
  }
  throw std::invalid_argument("fault_at: the script has only " + std::to_string(seen) +
                              " such steps");
}

std::shared_ptr<ScriptedPeer> ScriptedPeer::parse(std::string_view script) {
  auto peer = make();
  peer->script(script);
  return peer;
}

ScriptedPeer& ScriptedPeer::script(std::string_view script) {
  ScriptedPeer* peer = this;
  int line_no = 0;
  std::size_t at = 0;
  while (at <= script.size()) {
    std::size_t end = script.find('\n', at);
    if (end == std::string_view::npos) end = script.size();
    std::string_view line = script.substr(at, end - at);
    at = end + 1;
    ++line_no;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
      line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
      line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const std::size_t before = peer->steps_.size();
    const std::string_view rest = line.size() > 3 ? line.substr(3) : std::string_view();
    if (line.substr(0, 3) == "S: " || line == "S:") {
      peer->send(unescape(rest));
    } else if (line.substr(0, 3) == "C: " || line == "C:") {
      peer->expect(unescape(rest));
    } else if (line.substr(0, 3) == "S~ ") {
      peer->send_raw(unescape(rest));
    } else if (line.substr(0, 3) == "C~ ") {
      peer->expect_raw(unescape(rest));
    } else if (line == "!close") {
      peer->close();
    } else if (line == "!reset") {
      peer->reset();
    } else if (line == "!stall") {
      peer->stall();
    } else if (line == "!cut") {
      peer->cut();
    } else if (line == "!any") {
      peer->expect_any();
    } else if (line.substr(0, 3) == "D~ ") {
      const std::size_t space = rest.find(' ');
      if (space == std::string_view::npos)
        throw std::invalid_argument("script line " + std::to_string(line_no) + ": D~ MS bytes");
      peer->drip(unescape(rest.substr(space + 1)), std::stoi(std::string(rest.substr(0, space))));
    } else if (line == "!starttls") {
      peer->start_tls();
    } else {
      throw std::invalid_argument("script line " + std::to_string(line_no) + ": cannot parse '" +
                                  std::string(line) + "'");
    }
    for (std::size_t i = before; i < peer->steps_.size(); ++i)
      peer->steps_[i].line = line_no;
  }
  return *this;
}

ScriptedPeer& ScriptedPeer::send(std::string_view line) {
  return send_raw(std::string(line) + "\r\n");
}
ScriptedPeer& ScriptedPeer::send_raw(std::string_view bytes) {
  steps_.push_back({Kind::Send, std::string(bytes)});
  return *this;
}
ScriptedPeer& ScriptedPeer::split_send(std::string_view bytes,
                                       const std::vector<std::size_t>& offsets) {
  std::size_t from = 0;
  for (const std::size_t cut : offsets) {
    if (cut <= from || cut >= bytes.size()) continue;
    send_raw(bytes.substr(from, cut - from));
    from = cut;
  }
  return send_raw(bytes.substr(from));
}
ScriptedPeer& ScriptedPeer::expect(std::string_view line) {
  return expect_raw(std::string(line) + "\r\n");
}
ScriptedPeer& ScriptedPeer::expect_raw(std::string_view bytes) {
  steps_.push_back({Kind::Expect, std::string(bytes)});
  return *this;
}
ScriptedPeer& ScriptedPeer::close() {
  steps_.push_back({Kind::Close, {}});
  return *this;
}
ScriptedPeer& ScriptedPeer::reset() {
  steps_.push_back({Kind::Reset, {}});
  return *this;
}
ScriptedPeer& ScriptedPeer::stall() {
  steps_.push_back({Kind::Stall, {}});
  return *this;
}
ScriptedPeer& ScriptedPeer::drip(std::string_view bytes, int delay_ms) {
  steps_.push_back({Kind::Drip, std::string(bytes), 0, delay_ms});
  return *this;
}
ScriptedPeer& ScriptedPeer::cut() {
  steps_.push_back({Kind::Cut, {}});
  return *this;
}

ScriptedPeer& ScriptedPeer::expect_any() {
  steps_.push_back({Kind::ExpectAny, {}});
  return *this;
}

ScriptedPeer& ScriptedPeer::start_tls() {
  steps_.push_back({Kind::StartTls, {}});
  return *this;
}

ScriptedPeer& ScriptedPeer::respond(Responder answer) {
  steps_.push_back({Kind::Respond, {}, 0, 0, std::move(answer)});
  return *this;
}

ssl_st* ScriptedPeer::server_ssl() const noexcept {
  return tls_ ? tls_->ssl : nullptr;
}

void ScriptedPeer::set_certificate(std::string chain_file, std::string key_file) {
  cert_chain_ = std::move(chain_file);
  cert_key_ = std::move(key_file);
}

void ScriptedPeer::set_alpn_choice(std::string protocol) {
  alpn_choice_ = std::move(protocol);
}

std::unique_ptr<Transport> ScriptedPeer::transport() {
  return std::make_unique<PeerTransport>(shared_from_this());
}

bool ScriptedPeer::tls_established() const noexcept {
  return tls_ && tls_->established;
}

std::string ScriptedPeer::describe(const Step& step) const {
  const std::string where = step.line > 0 ? " (script line " + std::to_string(step.line) + ")" : "";
  switch (step.kind) {
    case Kind::Send:
      return "server sends \"" + escape(step.bytes) + "\"" + where;
    case Kind::Expect:
      return "client sends \"" + escape(step.bytes) + "\"" + where;
    case Kind::Close:
      return "server closes" + where;
    case Kind::Reset:
      return "server resets" + where;
    case Kind::Stall:
      return "server stalls" + where;
    case Kind::StartTls:
      return "TLS handshake" + where;
    case Kind::Drip:
      return "server drips \"" + escape(step.bytes) + "\"" + where;
    case Kind::Cut:
      return "server cuts the connection" + where;
    case Kind::ExpectAny:
      return "client sends anything" + where;
    case Kind::Respond:
      return "client sends a line the test answers" + where;
  }
  return "?";
}

std::string ScriptedPeer::remaining() const {
  std::string out;
  for (std::size_t i = next_; i < steps_.size(); ++i)
    out += "  " + describe(steps_[i]) + "\n";
  if (!pending_.empty()) out += "  (unmatched client bytes: \"" + escape(pending_) + "\")\n";
  return out;
}

void ScriptedPeer::fail(const std::string& message) {
  if (error_.empty()) error_ = message;
  throw ScriptError("scripted peer: " + message);
}

void ScriptedPeer::match_expectations() {
  while (!pending_.empty()) {
    const Step* step = current();
    if (step == nullptr) {
      fail("client sent \"" + escape(pending_) + "\" after the end of the script");
    }
    switch (step->kind) {
      case Kind::Expect: {
        const std::string& want = step->bytes;
        if (pending_.size() < want.size()) {
          if (want.compare(0, pending_.size(), pending_) != 0) {
            fail("expected " + describe(*step) + ", got \"" + escape(pending_) + "\"");
          }
          return;  // a prefix: wait for the rest
        }
        if (pending_.compare(0, want.size(), want) != 0) {
          fail("expected " + describe(*step) + ", got \"" +
               escape(pending_.substr(0, std::max(want.size(), pending_.find('\n') + 1))) + "\"");
        }
        pending_.erase(0, want.size());
        ++next_;
        break;
      }
      case Kind::Close:
      case Kind::Cut:
        pending_.clear();  // the server is gone; the bytes went nowhere
        return;
      case Kind::ExpectAny:
        pending_.clear();
        ++next_;
        return;
      case Kind::Stall:
        return;  // matched once the stall has been played
      case Kind::Respond: {
        const std::size_t eol = pending_.find("\r\n");
        if (eol == std::string::npos) return;  // wait for the whole line
        const std::string line = pending_.substr(0, eol);
        pending_.erase(0, eol + 2);
        Step& now = steps_[next_];
        std::string reply = now.respond(line);
        if (reply.empty()) {
          ++next_;
        } else {
          now.kind = Kind::Send;  // the answer is the next thing the server sends
          now.bytes = std::move(reply);
          now.respond = {};
        }
        break;
      }
      default:
        fail("client sent \"" + escape(pending_) + "\" but next is: " + describe(*step));
    }
  }
}

void ScriptedPeer::on_write(std::string_view bytes) {
  if (reset_) throw Error(Errc::connect, "scripted peer: connection reset by peer");
  const Step* step = current();
  if (step != nullptr && step->kind == Kind::Reset && pending_.empty()) {
    ++next_;  // the server is gone: the write meets the reset
    reset_ = true;
    throw Error(Errc::connect, "scripted peer: connection reset by peer");
  }
  if (!tls_ && step != nullptr && step->kind == Kind::StartTls && pending_.empty()) {
    tls_ = std::make_unique<Tls>();
    tls_->ctx = SSL_CTX_new(TLS_server_method());
    if (max_tls_version_ != 0) SSL_CTX_set_max_proto_version(tls_->ctx, max_tls_version_);
    const TestPki& pki = TestPki::get();
    const std::string chain = cert_chain_.empty() ? pki.valid.chain_file : cert_chain_;
    const std::string key = cert_key_.empty() ? pki.valid.key_file : cert_key_;
    if (SSL_CTX_use_certificate_chain_file(tls_->ctx, chain.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(tls_->ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
      fail("cannot load the TLS server certificate: " + openssl_errors());
    }
    // Called only when the ClientHello carries ALPN: records the offer, answers as told.
    SSL_CTX_set_alpn_select_cb(
        tls_->ctx,
        [](SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
           unsigned int inlen, void* arg) -> int {
          auto* self = static_cast<ScriptedPeer*>(arg);
          self->client_alpn_.clear();
          for (unsigned int i = 0; i < inlen;) {
            const unsigned int n = in[i];
            if (i + 1 + n > inlen) break;
            self->client_alpn_.emplace_back(reinterpret_cast<const char*>(in + i + 1), n);
            i += 1 + n;
          }
          if (self->alpn_choice_.empty()) return SSL_TLSEXT_ERR_NOACK;
          *out = reinterpret_cast<const unsigned char*>(self->alpn_choice_.data());
          *outlen = static_cast<unsigned char>(self->alpn_choice_.size());
          return SSL_TLSEXT_ERR_OK;
        },
        this);
    tls_->ssl = SSL_new(tls_->ctx);
    tls_->in = BIO_new(BIO_s_mem());
    tls_->out = BIO_new(BIO_s_mem());
    BIO_ctrl(tls_->in, BIO_C_SET_BUF_MEM_EOF_RETURN, -1, nullptr);
    SSL_set_bio(tls_->ssl, tls_->in, tls_->out);
    SSL_set_accept_state(tls_->ssl);
  }
  if (tls_) {
    BIO_write(tls_->in, bytes.data(), static_cast<int>(bytes.size()));
    tls_pump();
    return;
  }
  received_.append(bytes);
  pending_.append(bytes);
  match_expectations();
}

void ScriptedPeer::tls_pump() {
  if (tls_->failed) return;
  if (!tls_->established) {
    ERR_clear_error();
    const int rc = SSL_do_handshake(tls_->ssl);
    if (rc != 1) {
      const int err = SSL_get_error(tls_->ssl, rc);
      if (err == SSL_ERROR_WANT_READ) return;
      // The client gave up (e.g. it did not trust the certificate and sent an alert): a real
      // server would close the connection. Not a script error: tests expect such failures.
      tls_error_ = openssl_errors();
      tls_->failed = true;
      return;
    }
    tls_->established = true;
    if (const char* sni = SSL_get_servername(tls_->ssl, TLSEXT_NAMETYPE_host_name)) {
      client_sni_ = sni;
    }
    ++next_;  // the StartTls step
  }
  char buf[16384];
  std::size_t n = 0;
  while (SSL_read_ex(tls_->ssl, buf, sizeof buf, &n) == 1) {
    received_.append(buf, n);
    pending_.append(buf, n);
  }
  match_expectations();
}

ScriptedPeer::Output ScriptedPeer::next_output(char* buffer, std::size_t size) {
  for (;;) {
    if (reset_) return {OutputKind::Reset, 0, {}};
    const Step* step = current();
    if (tls_) {
      if (tls_->established && step != nullptr && step->kind == Kind::Send) {
        std::size_t written = 0;
        SSL_write_ex(tls_->ssl, step->bytes.data(), step->bytes.size(), &written);
        ++next_;
        continue;
      }
      if (tls_->established && step != nullptr && step->kind == Kind::Drip &&
          BIO_ctrl_pending(tls_->out) == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(step->delay_ms));
        std::size_t written = 0;
        SSL_write_ex(tls_->ssl, step->bytes.data() + send_offset_, 1, &written);
        if (++send_offset_ == step->bytes.size()) {
          send_offset_ = 0;
          ++next_;
        }
      }
      if (tls_->established && step != nullptr && step->kind == Kind::Cut) {
        ++next_;
        return {OutputKind::Eof, 0, {}};
      }
      if (tls_->established && step != nullptr && step->kind == Kind::Close &&
          !tls_->shutdown_sent) {
        SSL_shutdown(tls_->ssl);
        tls_->shutdown_sent = true;
      }
      const std::size_t pending = BIO_ctrl_pending(tls_->out);
      if (pending > 0) {
        const int n = BIO_read(tls_->out, buffer, static_cast<int>(std::min(pending, size)));
        return {OutputKind::Data, static_cast<std::size_t>(n), {}};
      }
    }
    if (tls_ && tls_->failed) return {OutputKind::Eof, 0, {}};
    if (step == nullptr) return {OutputKind::Eof, 0, {}};  // the script is over
    switch (step->kind) {
      case Kind::Send: {
        const std::size_t n = std::min(size, step->bytes.size() - send_offset_);
        std::memcpy(buffer, step->bytes.data() + send_offset_, n);
        send_offset_ += n;
        if (send_offset_ == step->bytes.size()) {
          send_offset_ = 0;
          ++next_;
        }
        return {OutputKind::Data, n, {}};
      }
      case Kind::Drip: {
        std::this_thread::sleep_for(std::chrono::milliseconds(step->delay_ms));
        buffer[0] = step->bytes[send_offset_];
        if (++send_offset_ == step->bytes.size()) {
          send_offset_ = 0;
          ++next_;
        }
        return {OutputKind::Data, 1, {}};
      }
      case Kind::Close:
      case Kind::Cut:
        ++next_;
        return {OutputKind::Eof, 0, {}};
      case Kind::Reset:
        ++next_;
        reset_ = true;
        return {OutputKind::Reset, 0, {}};
      case Kind::Stall:
        ++next_;
        match_expectations();
        return {OutputKind::Stall, 0, {}};
      case Kind::Expect:
      case Kind::ExpectAny:
      case Kind::Respond:
        return {OutputKind::NeedInput, 0,
                "the client waits for the server, but next is: " + describe(*step)};
      case Kind::StartTls:
        return {OutputKind::NeedInput, 0,
                "the client reads before starting TLS, but next is: " + describe(*step)};
    }
  }
}

std::size_t ScriptedPeer::on_read(char* buffer, std::size_t size) {
  const Output out = next_output(buffer, size);
  switch (out.kind) {
    case OutputKind::Data:
      return out.size;
    case OutputKind::Eof:
      return 0;
    case OutputKind::Reset:
      throw Error(Errc::connect, "scripted peer: connection reset by peer");
    case OutputKind::Stall:
      throw Error(Errc::timeout, "scripted peer: the server did not answer (stall)");
    case OutputKind::NeedInput:
      fail(out.why);
  }
  return 0;
}

}  // namespace mailwire::test
