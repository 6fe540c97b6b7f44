// Pop3Client: a thin loop over the POP3 codec and a Stream.
//
// Theory of operation. States: connected (greeting read) -> [STLS -> TLS, CAPA again] ->
// authenticated (login) -> transaction (STAT/LIST/UIDL/RETR/TOP/DELE/RSET/NOOP) -> QUIT, the
// one commit point. Only DELE batches are pipelined (when the server says PIPELINING); STLS is
// always sent alone and any byte received after its +OK and before TLS is response injection.
// Every -ERR is a typed Error; a broken connection is fatal and the session cannot continue.

#include <mailwire/error.hpp>
#include <mailwire/pop3_client.hpp>

#include "detail/base64.hpp"
#include "detail/digest.hpp"
#include "net/cancel_slot.hpp"
#include "net/session_bootstrap.hpp"
#include "pop3/codec.hpp"
#include "sasl/exchange.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

namespace mailwire {

struct Pop3Client::Reply {
  pop3::StatusLine status;
};

namespace {

std::string command_name(const std::string& line) {
  const std::size_t end = line.find_first_of(" \r");
  return line.substr(0, end);
}

// RFC 2449 8, RFC 3206: a refusal for these reasons is not about the credentials.
bool is_auth_unrelated_code(std::string_view code) {
  return code == "IN-USE" || code == "LOGIN-DELAY" || code == "SYS/TEMP" || code == "SYS/PERM";
}

}  // namespace

Pop3Client::Pop3Client(Pop3Options options)
    : options_(std::move(options)), cancel_(std::make_unique<detail::CancelSlot>()) {}

Pop3Client::~Pop3Client() {
  close();
}

Pop3Client::Pop3Client(Pop3Client&&) noexcept = default;
Pop3Client& Pop3Client::operator=(Pop3Client&& other) noexcept {
  if (this != &other) {
    close();  // without QUIT: the old session's deletions roll back
    options_ = std::move(other.options_);
    cancel_ = std::move(other.cancel_);
    stream_ = std::move(other.stream_);
    host_ = std::move(other.host_);
    user_ = std::move(other.user_);
    greeting_ = std::move(other.greeting_);
    apop_timestamp_ = std::move(other.apop_timestamp_);
    caps_ = std::move(other.caps_);
  }
  return *this;
}

Stream& Pop3Client::stream() {
  if (!stream_) throw Error(Errc::usage, "pop3: not connected");
  return *stream_;
}

Deadline Pop3Client::deadline() const {
  return deadline_after(options_.timeout);
}

bool Pop3Client::is_encrypted() const noexcept {
  return stream_ && stream_->is_encrypted();
}

std::optional<TlsInfo> Pop3Client::tls_info() const {
  if (!stream_) return std::nullopt;
  return stream_->transport().tls_info();
}

// POP3's steps of the session bootstrap (net/session_bootstrap.hpp).
struct Pop3Client::Bootstrap final : detail::SessionProtocol {
  Pop3Client& c;
  explicit Bootstrap(Pop3Client& client) : c(client) {}
  const char* name() const noexcept override { return "pop3"; }
  const char* starttls_verb() const noexcept override { return "STLS"; }
  const char* alpn_id() const noexcept override { return "pop3"; }  // IANA ALPN registry
  void install(std::unique_ptr<Stream> stream) override {
    c.stream_ = std::move(stream);
    c.cancel_slot().attach(c.stream_.get());
  }
  detail::Greeting read_greeting() override {
    pop3::StatusLine status;
    const std::string_view line = c.stream_->read_line(c.deadline());
    if (pop3::parse_status_line(line, status) || status.kind == pop3::StatusLine::Kind::Continue) {
      const std::string text(line);
      c.drop();
      throw Error(Errc::protocol, fmt::format("pop3: {} sent a greeting that is not POP3", c.host_),
                  Diagnostics::broken(Reason::malformed_reply).with_reply(text));
    }
    if (status.kind == pop3::StatusLine::Kind::Err) {
      c.drop();
      throw Error(Errc::rejected,
                  fmt::format("pop3: {} refused the connection: -ERR {}", c.host_, status.text),
                  Diagnostics::broken(Reason::greeting_refused)
                      .with_reply(status.text)
                      .with_response_code(status.code, pop3::is_transient_code(status.code)));
    }
    c.greeting_ = status.text;
    c.apop_timestamp_ = std::string(pop3::apop_timestamp(c.greeting_));
    return {};
  }
  void ask_capabilities() override { c.capa(); }
  detail::StartTlsOffer starttls_offer() const override {
    if (c.caps_.stls) return detail::StartTlsOffer::Offered;
    // A server whose CAPA failed may still do STLS.
    return c.caps_.known ? detail::StartTlsOffer::NotOffered : detail::StartTlsOffer::Unknown;
  }
  bool request_starttls(Diagnostics& refusal) override {
    Stream& s = c.stream();
    s.write("STLS\r\n", c.deadline());
    pop3::StatusLine status;
    const std::string_view line = s.read_line(c.deadline());
    if (!pop3::parse_status_line(line, status) && status.kind == pop3::StatusLine::Kind::Ok) {
      return true;
    }
    refusal.with_command("STLS").with_reply(std::string(line)).with_response_code(status.code);
    return false;
  }
  void forget_before_tls() override { c.caps_ = {}; }
  void abandon() noexcept override { c.drop(); }
  void drop() noexcept override { c.drop(); }
};

void Pop3Client::connect(const std::string& host, std::uint16_t port) {
  const detail::Endpoint endpoint =
      detail::resolve_endpoint(detail::MailProtocol::Pop3, options_.security, port);
  start(detail::connect_tcp(host, endpoint.port, options_.connect, cancel_slot()), host,
        endpoint.security);
}

void Pop3Client::connect(std::unique_ptr<Transport> transport, const std::string& host) {
  start(std::move(transport), host, detail::security_for_given_transport(options_.security));
}

void Pop3Client::start(std::unique_ptr<Transport> transport, const std::string& host,
                       Security security) {
  drop();
  host_ = host;
  caps_ = {};
  greeting_.clear();
  apop_timestamp_.clear();
  detail::SessionSettings settings;
  settings.tls = &options_.tls;
  settings.max_line = options_.max_line;
  settings.log = options_.log;
  settings.timeout = options_.timeout;
  settings.cancel = &cancel_slot();
  Bootstrap bootstrap(*this);
  detail::open_session(bootstrap, settings, std::move(transport), host, security);
}

Pop3Client::Reply Pop3Client::command(const std::string& line, std::string_view log_as) {
  Stream& s = stream();
  const Deadline d = deadline();
  s.write(line, d, log_as);
  Reply reply;
  const std::string_view response = s.read_line(d);
  if (pop3::parse_status_line(response, reply.status)) {
    throw Error(Errc::protocol,
                fmt::format("pop3: {}: the server's reply is not POP3", command_name(line)),
                Diagnostics::broken(Reason::malformed_reply)
                    .with_command(command_name(line))
                    .with_reply(std::string(response)));
  }
  return reply;
}

Pop3Client::Reply Pop3Client::expect_ok(const std::string& line, const char* what,
                                        std::string_view log_as, Errc refusal) {
  Reply reply = command(line, log_as);
  if (reply.status.kind != pop3::StatusLine::Kind::Ok) {
    const std::string shown = log_as.empty() ? line.substr(0, line.size() - 2)
                                             : std::string(log_as.substr(0, log_as.size() - 2));
    Diagnostics d =
        Diagnostics::usable(refusal == Errc::auth ? Reason::credentials_refused
                                                  : Reason::command_refused)
            .with_command(shown)
            .with_reply(reply.status.text)
            .with_response_code(reply.status.code, pop3::is_transient_code(reply.status.code));
    const std::string code = reply.status.code.empty() ? "" : "[" + reply.status.code + "] ";
    throw Error(refusal, fmt::format("pop3: {} failed: -ERR {}{}", what, code, reply.status.text),
                std::move(d));
  }
  return reply;
}

void Pop3Client::read_lines(const std::function<void(std::string_view)>& on_line,
                            Deadline deadline) {
  Stream& s = stream();
  for (std::size_t count = 0;; ++count) {
    std::string_view line = s.read_line(deadline);
    if (line == ".") return;
    if (count >= options_.max_list_entries) {
      throw Error(Errc::limit,
                  fmt::format("pop3: the server sent more than {} lines in a listing",
                              options_.max_list_entries),
                  Diagnostics::broken(Reason::reply_too_large));
    }
    if (!line.empty() && line.front() == '.') line.remove_prefix(1);
    on_line(line);
  }
}

const Pop3Capabilities& Pop3Client::capa() {
  Reply reply = command("CAPA\r\n");
  caps_ = {};
  if (reply.status.kind != pop3::StatusLine::Kind::Ok) return caps_;  // pre-RFC 2449 server
  read_lines([this](std::string_view line) { pop3::parse_capability(line, caps_); }, deadline());
  caps_.known = true;
  return caps_;
}

void Pop3Client::check_credentials_allowed(const char* method) const {
  if (!is_encrypted() && !options_.allow_plaintext_auth) {
    throw Error(Errc::usage,
                fmt::format("pop3: refusing {} over an unencrypted connection to {} (use TLS, "
                            "or set allow_plaintext_auth)",
                            method, host_),
                Diagnostics::usable(Reason::plaintext_auth_refused));
  }
}

void Pop3Client::login(const std::string& user, const std::string& password) {
  if (!caps_.sasl.empty()) {
    SaslCredentials credentials;
    credentials.user = user;
    credentials.password = password;
    if (choose_sasl_mechanism(caps_.sasl, credentials)) {
      authenticate(credentials);
      return;
    }
  }
  if (!is_encrypted() && !apop_timestamp_.empty()) {
    apop(user, password);
  } else {
    user_pass(user, password);
  }
}

void Pop3Client::authenticate(const SaslCredentials& credentials, std::string_view mechanism) {
  sasl::SaslSetup setup;
  setup.offered = caps_.sasl;
  setup.offer_known = caps_.known;
  setup.forced = std::string(mechanism);
  setup.encrypted = is_encrypted();
  setup.tls = tls_info();
  setup.allow_plaintext = options_.allow_plaintext_auth;
  setup.redact = options_.redact_secrets;
  setup.host = host_;
  sasl::SaslExchange exchange(sasl::pop3_profile(), credentials, std::move(setup));
  sasl::SaslStep step = exchange.start();
  Deadline d = deadline();
  pop3::StatusLine status;
  for (;;) {
    switch (step.kind) {
      case sasl::SaslStep::Kind::Command:
        d = deadline();
        [[fallthrough]];
      case sasl::SaslStep::Kind::Send:
        stream().write(step.line, d, step.log_as);
        break;
      case sasl::SaslStep::Kind::Done:
        user_ = credentials.user;
        return;
      case sasl::SaslStep::Kind::Failed:
        if (step.diagnostics.fatal) drop();
        throw Error(step.error, step.message, std::move(step.diagnostics));
      case sasl::SaslStep::Kind::Refused: {
        const std::string& code = status.code;
        std::string why = status.text;
        if (!step.message.empty()) why += " (" + step.message + ")";
        const bool credentials_refused = !is_auth_unrelated_code(code);
        throw Error(credentials_refused ? Errc::auth : Errc::rejected,
                    fmt::format("pop3: {} failed: -ERR {}{}", exchange.shown(),
                                code.empty() ? "" : "[" + code + "] ", why),
                    Diagnostics::usable(Reason::credentials_refused)
                        .with_command(exchange.shown())
                        .with_reply(status.text)
                        .with_response_code(code, pop3::is_transient_code(code)));
      }
    }
    // Challenges are bounded in number (the exchange) and size (the line limit).
    const std::string_view reply = stream().read_line(d);
    status = {};
    if (pop3::parse_status_line(reply, status)) {
      Diagnostics diag = Diagnostics::broken(Reason::malformed_reply)
                             .with_command(exchange.shown())
                             .with_reply(std::string(reply));
      drop();
      throw Error(Errc::protocol, "pop3: AUTH: the server's reply is not POP3", std::move(diag));
    }
    switch (status.kind) {
      case pop3::StatusLine::Kind::Ok:
        step = exchange.on_success(status.text);
        break;
      case pop3::StatusLine::Kind::Err:
        step = exchange.on_refused(!is_auth_unrelated_code(status.code), status.text);
        break;
      case pop3::StatusLine::Kind::Continue:
        step = exchange.on_challenge(status.text, status.text);
        break;
    }
  }
}

void Pop3Client::user_pass(const std::string& user, const std::string& password) {
  check_credentials_allowed("USER/PASS");
  std::string line;
  if (pop3::encode_command("USER", {user}, line)) {
    throw Error(Errc::usage, "pop3: the user name is empty or contains spaces, CR, LF or NUL");
  }
  std::string pass;
  if (pop3::encode_command("PASS", {password}, pass, true)) {
    throw Error(Errc::usage, "pop3: the password is empty or contains CR, LF or NUL");
  }
  expect_ok(line, "USER", {}, Errc::auth);
  const std::string redacted = options_.redact_secrets ? "PASS ****\r\n" : pass;
  Reply reply = command(pass, redacted);
  if (reply.status.kind == pop3::StatusLine::Kind::Ok) user_ = user;
  if (reply.status.kind != pop3::StatusLine::Kind::Ok) {
    const std::string& code = reply.status.code;
    // RFC 2449/3206: IN-USE and LOGIN-DELAY mean the credentials were fine.
    const Errc kind =
        code == "IN-USE" || code == "LOGIN-DELAY" || code == "SYS/TEMP" || code == "SYS/PERM"
            ? Errc::rejected
            : Errc::auth;
    throw Error(kind,
                fmt::format("pop3: login as {} failed: -ERR {}{}", user,
                            code.empty() ? "" : "[" + code + "] ", reply.status.text),
                Diagnostics::usable(kind == Errc::auth ? Reason::credentials_refused
                                                       : Reason::command_refused)
                    .with_command("PASS ****")
                    .with_reply(reply.status.text)
                    .with_response_code(code, pop3::is_transient_code(code)));
  }
}

void Pop3Client::apop(const std::string& user, const std::string& password) {
  if (apop_timestamp_.empty()) {
    throw Error(Errc::usage, "pop3: APOP needs a timestamp in the greeting; the server sent none");
  }
  check_credentials_allowed("APOP");
  const std::string digest = detail::md5_hex(apop_timestamp_ + password);
  std::string line;
  if (pop3::encode_command("APOP", {user, digest}, line)) {
    throw Error(Errc::usage, "pop3: the user name is empty or contains spaces, CR, LF or NUL");
  }
  const std::string redacted = options_.redact_secrets ? redact_words(line, 2) : line;
  expect_ok(line, "APOP", redacted, Errc::auth);
  user_ = user;
}

Pop3Stat Pop3Client::stat() {
  Reply reply = expect_ok("STAT\r\n", "STAT");
  Pop3Stat out;
  if (pop3::parse_stat(reply.status.text, out)) {
    throw Error(Errc::protocol, "pop3: STAT reply is malformed",
                Diagnostics::usable(Reason::malformed_reply)
                    .with_command("STAT")
                    .with_reply(reply.status.text));
  }
  return out;
}

std::vector<Pop3ListEntry> Pop3Client::list() {
  expect_ok("LIST\r\n", "LIST");
  std::vector<Pop3ListEntry> out;
  read_lines(
      [&](std::string_view line) {
        Pop3ListEntry entry;
        if (pop3::parse_list_entry(line, entry)) {
          throw Error(Errc::protocol, fmt::format("pop3: malformed LIST line '{}'", line),
                      Diagnostics::broken(Reason::malformed_reply)
                          .with_command("LIST")
                          .with_reply(std::string(line)));
        }
        out.push_back(entry);
      },
      deadline());
  return out;
}

std::optional<Pop3ListEntry> Pop3Client::list(std::uint32_t number) {
  Reply reply = command(fmt::format("LIST {}\r\n", number));
  if (reply.status.kind != pop3::StatusLine::Kind::Ok) return std::nullopt;
  Pop3ListEntry entry;
  if (pop3::parse_list_entry(reply.status.text, entry) || entry.number != number) {
    throw Error(Errc::protocol, "pop3: LIST reply is malformed",
                Diagnostics::usable(Reason::malformed_reply)
                    .with_command("LIST")
                    .with_reply(reply.status.text));
  }
  return entry;
}

std::vector<Pop3UidlEntry> Pop3Client::uidl() {
  expect_ok("UIDL\r\n", "UIDL");
  std::vector<Pop3UidlEntry> out;
  read_lines(
      [&](std::string_view line) {
        Pop3UidlEntry entry;
        if (pop3::parse_uidl_entry(line, entry)) {
          throw Error(Errc::protocol, fmt::format("pop3: malformed UIDL line '{}'", line),
                      Diagnostics::broken(Reason::malformed_reply)
                          .with_command("UIDL")
                          .with_reply(std::string(line)));
        }
        out.push_back(std::move(entry));
      },
      deadline());
  return out;
}

std::optional<Pop3UidlEntry> Pop3Client::uidl(std::uint32_t number) {
  Reply reply = command(fmt::format("UIDL {}\r\n", number));
  if (reply.status.kind != pop3::StatusLine::Kind::Ok) return std::nullopt;
  Pop3UidlEntry entry;
  if (pop3::parse_uidl_entry(reply.status.text, entry) || entry.number != number) {
    throw Error(Errc::protocol, "pop3: UIDL reply is malformed",
                Diagnostics::usable(Reason::malformed_reply)
                    .with_command("UIDL")
                    .with_reply(reply.status.text));
  }
  return entry;
}

std::uint64_t Pop3Client::read_body(const ByteSink& sink, const ProgressCallback& progress,
                                    std::uint64_t expected) {
  Stream& s = stream();
  pop3::MultilineDecoder decoder;
  const auto start = Clock::now();
  const std::uint64_t rate = options_.min_transfer_rate == 0 ? 1 : options_.min_transfer_rate;
  std::uint64_t received = 0;
  while (!decoder.done()) {
    // The allowance grows with what arrived, never with time: a drip cannot keep it alive.
    const Deadline d = start + options_.timeout + std::chrono::seconds(received / rate);
    if (s.buffered().empty() && !s.fill(d)) {
      throw Error(Errc::connect,
                  "pop3: the server closed the connection before the end of the message",
                  Diagnostics::broken(Reason::connection_lost).with_transient());
    }
    const std::string_view chunk = s.buffered();
    const std::size_t used = decoder.feed(
        chunk, [&](const char* data, std::size_t size) { sink(std::string_view(data, size)); });
    s.consume(used);
    received += used;
    if (progress) progress(decoder.emitted(), expected);
  }
  return decoder.emitted();
}

std::uint64_t Pop3Client::retr(std::uint32_t number, const ByteSink& sink,
                               const ProgressCallback& progress, std::uint64_t expected_size) {
  expect_ok(fmt::format("RETR {}\r\n", number), "RETR");
  return read_body(sink, progress, expected_size);
}

std::string Pop3Client::retr(std::uint32_t number) {
  std::string out;
  retr(number, [&](std::string_view chunk) { out.append(chunk); });
  return out;
}

std::uint64_t Pop3Client::top(std::uint32_t number, std::uint32_t lines, const ByteSink& sink) {
  expect_ok(fmt::format("TOP {} {}\r\n", number, lines), "TOP");
  return read_body(sink, {}, 0);
}

void Pop3Client::dele(std::uint32_t number) {
  expect_ok(fmt::format("DELE {}\r\n", number), "DELE");
}

void Pop3Client::dele(const std::vector<std::uint32_t>& numbers) {
  if (!caps_.pipelining) {
    for (const std::uint32_t n : numbers)
      dele(n);
    return;
  }
  // RFC 2449 PIPELINING: send in batches (bounded by what a TCP window holds), then read every
  // reply in order.
  Stream& s = stream();
  constexpr std::size_t batch = 64;
  for (std::size_t at = 0; at < numbers.size(); at += batch) {
    const std::size_t end = std::min(numbers.size(), at + batch);
    std::string lines;
    for (std::size_t i = at; i < end; ++i)
      lines += fmt::format("DELE {}\r\n", numbers[i]);
    const Deadline d = deadline();
    s.write(lines, d);
    std::optional<Error> first;
    for (std::size_t i = at; i < end; ++i) {
      pop3::StatusLine status;
      const std::string_view line = s.read_line(d);
      if (pop3::parse_status_line(line, status) ||
          status.kind == pop3::StatusLine::Kind::Continue) {
        throw Error(Errc::protocol, "pop3: DELE: the server's reply is not POP3",
                    Diagnostics::broken(Reason::malformed_reply)
                        .with_command("DELE")
                        .with_reply(std::string(line)));
      }
      if (status.kind == pop3::StatusLine::Kind::Err && !first) {
        first.emplace(Errc::rejected,
                      fmt::format("pop3: DELE {} failed: -ERR {}", numbers[i], status.text),
                      Diagnostics::usable(Reason::command_refused)
                          .with_command(fmt::format("DELE {}", numbers[i]))
                          .with_reply(status.text)
                          .with_response_code(status.code, pop3::is_transient_code(status.code)));
      }
    }
    if (first) throw *first;
  }
}

void Pop3Client::rset() {
  expect_ok("RSET\r\n", "RSET");
}

void Pop3Client::noop() {
  expect_ok("NOOP\r\n", "NOOP");
}

void Pop3Client::quit() {
  try {
    expect_ok("QUIT\r\n", "QUIT");
  } catch (const Error& e) {
    close();
    if (e.kind() == Errc::rejected) throw;
    Diagnostics d = e.diagnostics();
    d.fatal = true;
    throw Error(
        e.kind(),
        fmt::format("pop3: QUIT: {} (whether deletions were committed is unknown)", e.what()),
        std::move(d));
  }
  close();
}

void Pop3Client::drop() noexcept {
  if (stream_) {
    if (cancel_) cancel_->attach(nullptr);
    stream_->close();
    stream_.reset();
  }
}

void Pop3Client::close() noexcept {
  drop();
  if (cancel_) cancel_->reset();
}

void Pop3Client::cancel() noexcept {
  if (cancel_) cancel_->cancel();
}

detail::CancelSlot& Pop3Client::cancel_slot() {
  if (!cancel_) cancel_ = std::make_unique<detail::CancelSlot>();
  return *cancel_;
}

}  // namespace mailwire
