// SmtpClient: a thin loop over the SMTP codec and a Stream.
//
// Theory of operation. connect: greeting (220) -> EHLO (HELO if refused) -> [STARTTLS -> TLS
// -> EHLO again, forgetting everything said before TLS] -> ready. AUTH any time after that.
// A transaction is smtp::Transaction (transaction.cpp: its states, what is pipelined, what is
// fatal); transaction() only performs the steps it names and feeds back replies and errors,
// and send_body() pumps the body through smtp::DataEncoder. STARTTLS is never pipelined.

#include <mailwire/dkim/signer.hpp>
#include <mailwire/error.hpp>
#include <mailwire/smtp_client.hpp>

#include "net/cancel_slot.hpp"
#include "net/session_bootstrap.hpp"
#include "sasl/exchange.hpp"
#include "smtp/codec.hpp"
#include "smtp/command.hpp"
#include "smtp/transaction.hpp"

#include <mailwire/mime/address.hpp>
#include <mailwire/mime/header.hpp>

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>

namespace mailwire {

namespace {

// A file read from an offset, after bytes held in memory (a rewritten header).
// Header fields put on top of another source (the DKIM-Signature fields).
class PrefixedSource final : public MessageSource {
 public:
  PrefixedSource(std::string head, MessageSource& rest) : head_(std::move(head)), rest_(rest) {
    rewind();
  }
  PrefixedSource(std::string head, std::unique_ptr<MessageSource> rest)
      : PrefixedSource(std::move(head), *rest) {
    owned_ = std::move(rest);
  }
  std::uint64_t size() const override { return head_.size() + rest_.size(); }
  void rewind() override {
    at_ = 0;
    rest_.rewind();
  }
  std::size_t read(char* buffer, std::size_t capacity) override {
    if (at_ < head_.size()) {
      const std::size_t n = std::min(capacity, head_.size() - at_);
      std::copy_n(head_.data() + at_, n, buffer);
      at_ += n;
      return n;
    }
    return rest_.read(buffer, capacity);
  }

 private:
  std::string head_;
  MessageSource& rest_;
  std::unique_ptr<MessageSource> owned_;  // rest_, when this source owns it
  std::size_t at_ = 0;
};

class SplicedSource final : public MessageSource {
 public:
  SplicedSource(std::string head, std::FILE* file, std::uint64_t offset, std::uint64_t file_size)
      : head_(std::move(head)),
        file_(file),
        offset_(offset),
        size_(head_.size() + file_size - offset) {
    rewind();
  }
  ~SplicedSource() override { std::fclose(file_); }
  std::uint64_t size() const override { return size_; }
  void rewind() override {
    at_ = 0;
    std::fseek(file_, static_cast<long>(offset_), SEEK_SET);
  }
  std::size_t read(char* buffer, std::size_t capacity) override {
    if (at_ < head_.size()) {
      const std::size_t n = std::min(capacity, head_.size() - at_);
      std::copy_n(head_.data() + at_, n, buffer);
      at_ += n;
      return n;
    }
    const std::size_t n = std::fread(buffer, 1, capacity, file_);
    if (n == 0 && std::ferror(file_) != 0) throw Error(Errc::io, "cannot read the message file");
    return n;
  }

 private:
  std::string head_;
  std::FILE* file_;
  std::uint64_t offset_;
  std::uint64_t size_;
  std::size_t at_ = 0;
};

std::string default_helo_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) == 0 && smtp::valid_helo_name(name) &&
      std::string_view(name).find('.') != std::string_view::npos) {
    return name;
  }
  return "localhost";
}

Diagnostics diagnostics_of(const std::string& command, const SmtpReply& reply, bool fatal) {
  Diagnostics d = fatal ? Diagnostics::broken() : Diagnostics::usable();
  d.with_command(command).with_reply(reply.to_string()).with_transient(reply.transient());
  d.reply_code = reply.code;
  d.enhanced_code = reply.enhanced;
  return d;
}

}  // namespace

std::size_t SmtpSendResult::accepted() const noexcept {
  return static_cast<std::size_t>(std::count_if(recipients.begin(), recipients.end(),
                                                [](const auto& r) { return r.accepted; }));
}

SmtpClient::SmtpClient(SmtpOptions options)
    : options_(std::move(options)), cancel_(std::make_unique<detail::CancelSlot>()) {}
SmtpClient::~SmtpClient() {
  close();
}
SmtpClient::SmtpClient(SmtpClient&&) noexcept = default;
SmtpClient& SmtpClient::operator=(SmtpClient&& other) noexcept {
  if (this != &other) {
    close();
    options_ = std::move(other.options_);
    cancel_ = std::move(other.cancel_);
    stream_ = std::move(other.stream_);
    host_ = std::move(other.host_);
    greeting_ = std::move(other.greeting_);
    caps_ = std::move(other.caps_);
  }
  return *this;
}

Stream& SmtpClient::stream() {
  if (!stream_) {
    throw Error(Errc::usage, "smtp: not connected", Diagnostics::broken(Reason::not_connected));
  }
  return *stream_;
}

Deadline SmtpClient::deadline() const {
  return deadline_after(options_.timeout);
}

bool SmtpClient::is_encrypted() const noexcept {
  return stream_ && stream_->is_encrypted();
}

std::optional<TlsInfo> SmtpClient::tls_info() const {
  if (!stream_) return std::nullopt;
  return stream_->transport().tls_info();
}

// SMTP's steps of the session bootstrap (net/session_bootstrap.hpp).
struct SmtpClient::Bootstrap final : detail::SessionProtocol {
  SmtpClient& c;
  explicit Bootstrap(SmtpClient& client) : c(client) {}
  const char* name() const noexcept override { return "smtp"; }
  const char* starttls_verb() const noexcept override { return "STARTTLS"; }
  // "smtp": not in the IANA registry (unlike "imap" and "pop3"), the id mail servers that
  // route by ALPN use. LMTP has none.
  const char* alpn_id() const noexcept override { return c.options_.lmtp ? nullptr : "smtp"; }
  void install(std::unique_ptr<Stream> stream) override {
    c.stream_ = std::move(stream);
    c.cancel_slot().attach(c.stream_.get());
  }
  detail::Greeting read_greeting() override {
    c.greeting_ = c.read_reply(c.deadline());
    if (c.greeting_.code != 220) {
      const SmtpReply reply = c.greeting_;
      c.drop();
      Diagnostics d = diagnostics_of("connection", reply, true);
      d.reason = Reason::greeting_refused;
      throw Error(Errc::rejected, fmt::format("smtp: connection refused: {}", reply.to_string()),
                  std::move(d));
    }
    return {};
  }
  void ask_capabilities() override { c.hello(); }
  detail::StartTlsOffer starttls_offer() const override {
    return c.caps_.starttls ? detail::StartTlsOffer::Offered : detail::StartTlsOffer::NotOffered;
  }
  bool request_starttls(Diagnostics& refusal) override {
    const SmtpReply reply = c.command("STARTTLS\r\n");
    if (reply.code == 220) return true;
    refusal.with_command("STARTTLS")
        .with_reply(reply.to_string())
        .with_transient(reply.transient());
    refusal.reply_code = reply.code;
    refusal.enhanced_code = reply.enhanced;
    return false;
  }
  void forget_before_tls() override { c.caps_ = {}; }
  void abandon() noexcept override { c.quit(); }
  void drop() noexcept override { c.drop(); }
};

void SmtpClient::connect(const std::string& host, std::uint16_t port) {
  const detail::Endpoint endpoint = detail::resolve_endpoint(
      options_.lmtp ? detail::MailProtocol::Lmtp : detail::MailProtocol::Smtp, options_.security,
      port);
  start(detail::connect_tcp(host, endpoint.port, options_.connect, cancel_slot()), host,
        endpoint.security);
}

void SmtpClient::connect(std::unique_ptr<Transport> transport, const std::string& host) {
  start(std::move(transport), host, detail::security_for_given_transport(options_.security));
}

SmtpReply SmtpClient::read_reply(Deadline deadline) {
  smtp::ReplyParser parser(options_.max_reply_lines);
  smtp::ReplyParser::Status status{};
  do {
    const std::string_view line = stream().read_line(deadline);
    if (const std::error_code ec = parser.feed(line, status)) {
      const bool limit = ec == make_error_code(Errc::limit);
      Diagnostics d = Diagnostics::broken(limit ? Reason::reply_too_large : Reason::malformed_reply)
                          .with_reply(std::string(line.substr(0, 200)));
      throw Error(limit ? Errc::limit : Errc::protocol,
                  limit
                      ? fmt::format("smtp: a reply of more than {} lines", options_.max_reply_lines)
                      : fmt::format("smtp: {} sent a line that is not an SMTP reply", host_),
                  std::move(d));
    }
  } while (status != smtp::ReplyParser::Status::Done);
  return parser.take();
}

SmtpReply SmtpClient::command(const std::string& line, std::string_view log_as) {
  const Deadline d = deadline();
  stream().write(line, d, log_as);
  return read_reply(d);
}

void SmtpClient::refused(const std::string& what, const SmtpReply& reply, Errc kind) {
  throw Error(kind,
              fmt::format("smtp: {} {}: {}", what, kind == Errc::auth ? "failed" : "refused",
                          reply.to_string()),
              diagnostics_of(what, reply, reply.code == 421));
}

void SmtpClient::start(std::unique_ptr<Transport> transport, const std::string& host,
                       Security security) {
  drop();
  host_ = host;
  caps_ = {};
  if (options_.helo_name.empty()) options_.helo_name = default_helo_name();
  if (!smtp::valid_helo_name(options_.helo_name)) {
    throw Error(Errc::usage, "smtp: the EHLO name is empty or contains spaces or controls");
  }
  detail::SessionSettings settings;
  settings.tls = &options_.tls;
  settings.max_line = options_.max_line;
  settings.log = options_.log;
  settings.timeout = options_.timeout;
  settings.cancel = &cancel_slot();
  Bootstrap bootstrap(*this);
  detail::open_session(bootstrap, settings, std::move(transport), host, security);
}

void SmtpClient::hello() {
  const char* verb = options_.lmtp ? "LHLO" : "EHLO";
  const smtp::Command ehlo = options_.lmtp ? smtp::Command::lhlo(options_.helo_name)
                                           : smtp::Command::ehlo(options_.helo_name);
  if (ehlo.error()) {
    throw Error(Errc::usage, ehlo.error_message(), Diagnostics::usable(Reason::invalid_argument));
  }
  SmtpReply reply = command(ehlo.line());
  if (reply.code == 250) {
    caps_ = smtp::parse_ehlo(reply);
    return;
  }
  if (options_.lmtp || reply.code == 421) refused(verb, reply);
  // RFC 5321 3.2: a server that does not know EHLO gets HELO, and offers no extensions.
  reply = command(smtp::Command::helo(options_.helo_name).line());
  if (reply.code != 250) refused("HELO", reply);
  caps_ = {};
}

void SmtpClient::login(const std::string& user, const std::string& password) {
  SaslCredentials credentials;
  credentials.user = user;
  credentials.password = password;
  authenticate(credentials);
}

void SmtpClient::authenticate(const SaslCredentials& credentials, std::string_view mechanism) {
  sasl::SaslSetup setup;
  setup.offered = caps_.auth;
  setup.forced = std::string(mechanism);
  setup.encrypted = is_encrypted();
  setup.tls = tls_info();
  setup.allow_plaintext = options_.allow_plaintext_auth;
  setup.redact = options_.redact_secrets;
  setup.host = host_;
  sasl::SaslExchange exchange(sasl::smtp_profile(), credentials, std::move(setup));
  sasl::SaslStep step = exchange.start();
  Deadline d = deadline();
  SmtpReply reply;    // the last reply
  SmtpReply trigger;  // the reply the exchange last acted on (not the answer to "*")
  for (;;) {
    switch (step.kind) {
      case sasl::SaslStep::Kind::Command:
        d = deadline();
        [[fallthrough]];
      case sasl::SaslStep::Kind::Send:
        stream().write(step.line, d, step.log_as);
        break;
      case sasl::SaslStep::Kind::Done:
        return;
      case sasl::SaslStep::Kind::Failed: {
        Diagnostics diag = std::move(step.diagnostics);
        if (!trigger.lines.empty() || trigger.code != 0) {
          diag.reply_code = trigger.code;
          diag.enhanced_code = trigger.enhanced;
        }
        if (diag.fatal) drop();
        throw Error(step.error, step.message, std::move(diag));
      }
      case sasl::SaslStep::Kind::Refused: {
        SmtpReply shown_reply = reply;
        if (!step.message.empty()) shown_reply.lines.push_back(step.message);
        const Errc kind = reply.code == 535 || reply.code == 534 ? Errc::auth : Errc::rejected;
        Diagnostics diag = diagnostics_of(exchange.shown(), shown_reply, reply.code == 421);
        diag.reason = Reason::credentials_refused;
        throw Error(kind,
                    fmt::format("smtp: {} {}: {}", exchange.shown(),
                                kind == Errc::auth ? "failed" : "refused", shown_reply.to_string()),
                    std::move(diag));
      }
    }
    reply = read_reply(d);
    if (!exchange.cancelling()) trigger = reply;
    if (reply.code == 235) {
      step = exchange.on_success(reply.to_string());
    } else if (reply.code == 334) {
      step = exchange.on_challenge(reply.lines.empty() ? std::string_view() : reply.lines[0],
                                   reply.to_string());
    } else {
      step = exchange.on_refused(reply.code == 535 || reply.code == 534, reply.to_string());
    }
  }
}

SmtpSendResult SmtpClient::send(const SmtpEnvelope& envelope, std::string_view message,
                                const SmtpSendOptions& options) {
  auto source = MessageSource::from_bytes(message);
  return send(envelope, *source, options);
}

SmtpSendResult SmtpClient::send(const SmtpEnvelope& envelope, MessageSource& message,
                                const SmtpSendOptions& options) {
  // Caller mistakes fail before any byte is sent, connected or not.
  if (auto mistake = smtp::Transaction::check_envelope(envelope)) {
    throw Error(mistake->kind, std::move(mistake->message), std::move(mistake->diagnostics));
  }
  stream();
  // The signatures cover the bytes as sent: the signer counts bare CR and LF as CRLF, as the
  // DATA encoder sends them, and dot-stuffing is undone by the server. The copy in Sent is
  // what went out, signature included.
  std::optional<PrefixedSource> signed_message;
  if (!options_.dkim.empty()) signed_message.emplace(dkim_fields(message), message);
  MessageSource& sent = signed_message ? static_cast<MessageSource&>(*signed_message) : message;
  SmtpSendResult result = transaction(envelope, sent, options);
  if (options_.sent_copy && options.file_sent_copy && result.accepted() > 0) {
    result.sent_copy = file_sent_copy(sent);
  }
  return result;
}

// The DKIM-Signature fields of every signer for `message`, the first signer's first.
std::string SmtpClient::dkim_fields(MessageSource& message) const {
  std::string fields;
  for (const auto& signer : options_.dkim) {
    if (signer) fields += signer->sign(message);
  }
  return fields;
}

// The copy is read from the source that was sent, again from its start: the same bytes.
SentCopyResult SmtpClient::file_sent_copy(MessageSource& message) {
  try {
    message.rewind();
  } catch (const Error& e) {
    SentCopyResult result;
    result.error =
        Error(Errc::usage, fmt::format("smtp: the sent copy was not filed: the message cannot be "
                                       "read again ({})",
                                       e.what()));
    return result;
  }
  return options_.sent_copy->file(AppendMessage::from_source(message));
}

namespace {

// Resolves BodyType::Auto by reading the message once.
BodyType resolve_body(MessageSource& message, BodyType body) {
  if (body != BodyType::Auto) return body;
  smtp::BodyScan scan;
  std::string buf(64 * 1024, '\0');
  message.rewind();
  for (std::size_t n; (n = message.read(buf.data(), buf.size())) > 0;) {
    scan.feed(std::string_view(buf.data(), n));
    if (scan.binary) break;
  }
  return scan.binary ? BodyType::Binary : scan.eight_bit ? BodyType::EightBit : BodyType::SevenBit;
}

SmtpOutcome outcome_of(smtp::Transaction& tx) {
  SmtpOutcome out;
  if (const smtp::TransactionError* e = tx.error()) {
    out.error = Error(e->kind, e->message, e->diagnostics);
  } else {
    out.result = tx.take_result();
  }
  return out;
}

}  // namespace

// The end of a message's data (its last bytes and the "."), not yet written.
struct SmtpClient::HeldEnd {
  std::string bytes;
  std::string log_as;
};

// The driver of smtp::Transaction: performs each step it names, feeds back the outcome, until
// the transaction is done (true). With `hold`, a body sent as DATA stops short of its end,
// which goes into *hold (false: the transaction waits for on_body_sent()). A non-empty
// `prefix` goes in the same write as the transaction's first bytes; `before_first_read` runs
// before its first read (the previous message's final reply comes first on the wire).
bool SmtpClient::drive(smtp::Transaction& tx, MessageSource& message, BodyType body,
                       const SmtpSendOptions& options, HeldEnd* hold, HeldEnd* prefix,
                       const std::function<void()>& before_first_read) {
  Deadline d = deadline();
  std::optional<Deadline> final_deadline;  // one for all the final replies (LMTP: several)
  bool first_read = true;
  smtp::TransactionStep step = tx.next();
  for (; step.step != detail::NextStep::done; step = tx.next()) {
    try {
      switch (step.step) {
        case detail::NextStep::write:
          d = deadline();
          if (prefix != nullptr && !prefix->bytes.empty()) {
            std::string bytes = std::move(prefix->bytes);
            std::string log_as = std::move(prefix->log_as);
            *prefix = {};
            bytes.append(step.bytes.data(), step.bytes.size());
            log_as.append(step.log_as.empty() ? step.bytes : step.log_as);
            stream().write(bytes, d, log_as);
          } else {
            stream().write(step.bytes, d, step.log_as);
          }
          break;
        case detail::NextStep::read_line:
          if (first_read) {
            first_read = false;
            if (before_first_read) before_first_read();
          }
          if (step.final_reply && !final_deadline) {
            final_deadline = deadline_after(options_.final_reply_timeout);
          }
          tx.on_reply(read_reply(step.final_reply ? *final_deadline : d));
          break;
        case detail::NextStep::send_body:
          if (send_body(
                  message, step.bdat, body == BodyType::Binary, options,
                  [&](const SmtpReply& reply) { return tx.on_chunk_reply(reply); },
                  step.bdat ? nullptr : hold)) {
            if (hold != nullptr && !step.bdat) return false;  // its end is held
            tx.on_body_sent();
          }
          break;
        default:
          tx.on_error(Errc::usage, "smtp: the transaction asked for an unknown step");
      }
    } catch (const Error& e) {
      tx.on_error(e.kind(), e.what(), e.diagnostics());
    }
  }
  if (step.close) drop();
  return true;
}

SmtpSendResult SmtpClient::transaction(const SmtpEnvelope& envelope, MessageSource& message,
                                       const SmtpSendOptions& options) {
  const BodyType body = resolve_body(message, options.body);
  smtp::TransactionOptions engine_options;
  engine_options.abort_on_rejected_recipient = options_.abort_on_rejected_recipient;
  engine_options.lmtp = options_.lmtp;
  smtp::Transaction tx(envelope, caps_, message.size(), body, engine_options, host_);
  drive(tx, message, body, options, nullptr, nullptr, {});
  if (const smtp::TransactionError* e = tx.error()) {
    throw Error(e->kind, e->message, e->diagnostics);
  }
  return tx.take_result();
}

// Pipelining across messages. `prev` is the message whose end of data is held (`held`) or
// written and whose final reply is still to be read; it is always resolved (done() called)
// before the message after it, so done() sees the messages in order.
void SmtpClient::send_pipelined(const std::function<bool(SmtpOutgoing&)>& next,
                                const std::function<void(std::size_t, SmtpOutcome&&)>& done) {
  stream();
  struct Item {
    SmtpOutgoing out;
    std::unique_ptr<smtp::Transaction> tx;
    BodyType body = BodyType::SevenBit;
    std::size_t index = 0;
  };
  std::optional<Item> prev;
  HeldEnd held;
  std::size_t count = 0;
  // Writes prev's end if still held, reads its final reply, reports it.
  const auto resolve_prev = [&] {
    if (!prev) return;
    Item item = std::move(*prev);
    prev.reset();
    if (!held.bytes.empty()) {
      HeldEnd end = std::move(held);
      held = {};
      item.tx->on_body_sent();  // from here on a lost connection leaves it unknown
      try {
        stream().write(end.bytes, deadline(), end.log_as);
      } catch (const Error& e) {
        item.tx->on_error(e.kind(), e.what(), e.diagnostics());
      }
    }
    drive(*item.tx, *item.out.source, item.body, item.out.options, nullptr, nullptr, {});
    done(item.index, outcome_of(*item.tx));
  };
  SmtpOutgoing out;
  bool more = next(out);
  while (more) {
    Item item;
    item.out = std::move(out);
    out = {};
    item.index = count++;
    if (!item.out.source) {
      resolve_prev();
      SmtpOutcome o;
      o.error = Error(Errc::usage, "smtp: send_pipelined: a message without a source",
                      Diagnostics::usable(Reason::invalid_argument));
      done(item.index, std::move(o));
      more = stream_ != nullptr && next(out);
      continue;
    }
    try {
      if (!options_.dkim.empty()) {  // signed as send() signs
        std::string fields = dkim_fields(*item.out.source);
        item.out.source =
            std::make_unique<PrefixedSource>(std::move(fields), std::move(item.out.source));
      }
      item.body = resolve_body(*item.out.source, item.out.options.body);
    } catch (const Error& e) {
      resolve_prev();
      SmtpOutcome o;
      o.error = e;
      done(item.index, std::move(o));
      more = stream_ != nullptr && next(out);
      continue;
    }
    smtp::TransactionOptions engine_options;
    engine_options.abort_on_rejected_recipient = options_.abort_on_rejected_recipient;
    engine_options.lmtp = options_.lmtp;
    const bool can_hold = caps_.pipelining && !options_.lmtp && item.body != BodyType::Binary;
    engine_options.rset_after_final = !can_hold;
    item.tx = std::make_unique<smtp::Transaction>(item.out.envelope, caps_, item.out.source->size(),
                                                  item.body, engine_options, host_);
    if (item.tx->error() != nullptr || !stream_) {  // refused before any byte
      resolve_prev();
      if (!stream_ && item.tx->error() == nullptr) {
        SmtpOutcome o;
        o.error = Error(Errc::connect, "smtp: the connection was closed",
                        Diagnostics::broken(Reason::connection_lost).with_transient());
        done(item.index, std::move(o));
        return;
      }
      done(item.index, outcome_of(*item.tx));
      more = stream_ != nullptr && next(out);
      continue;
    }
    HeldEnd prefix;
    if (prev) {
      prefix = std::move(held);
      held = {};
      prev->tx->on_body_sent();  // its end goes out with this write: unknown if it fails
    }
    const bool finished =
        drive(*item.tx, *item.out.source, item.body, item.out.options, can_hold ? &held : nullptr,
              &prefix, [&] {
                resolve_prev();
                if (!stream_) {
                  throw Error(Errc::connect, "smtp: the server closed the connection",
                              Diagnostics::broken(Reason::connection_lost).with_transient());
                }
              });
    if (prev) {  // the combined write failed before any read: the end may have gone out
      prev->tx->on_error(Errc::connect, "smtp: the connection was lost",
                         Diagnostics::broken(Reason::connection_lost).with_transient());
      resolve_prev();
    }
    if (finished) {
      done(item.index, outcome_of(*item.tx));
      more = stream_ != nullptr && next(out);
      continue;
    }
    prev = std::move(item);
    more = stream_ != nullptr && next(out);
  }
  resolve_prev();
}

// The body pump: DATA form (dot-stuffed, CRLF, ending in "."), or BDAT chunks with a reply
// to each chunk but the last. False when a chunk was refused (`on_chunk_reply` said stop).
// With `hold` (DATA form only), the last write (the end of the data) goes into *hold instead.
bool SmtpClient::send_body(MessageSource& message, bool bdat, bool binary,
                           const SmtpSendOptions& options,
                           const std::function<bool(const SmtpReply&)>& on_chunk_reply,
                           HeldEnd* hold) {
  Stream& s = stream();
  smtp::DataEncoder encoder;
  encoder.set_bdat(bdat);
  const auto start = Clock::now();
  const std::uint64_t rate = std::max<std::uint64_t>(1, options_.min_transfer_rate);
  const std::uint64_t total = message.size();
  std::uint64_t done = 0;
  std::string out;
  // One chunk read ahead: the end of the data goes out in the same write as the last bytes
  // (and, BDAT, as "BDAT n LAST"), not in a write of its own. Chunks of up to 64 KiB, no larger
  // than a small message needs.
  const std::size_t chunk_size =
      static_cast<std::size_t>(std::min<std::uint64_t>(64 * 1024, total + 1));
  std::string chunk(chunk_size, '\0');
  std::string ahead(chunk_size, '\0');
  message.rewind();
  const auto deadline_now = [&] {
    return start + options_.timeout + std::chrono::seconds(done / rate);
  };
  std::size_t n = message.read(chunk.data(), chunk.size());
  for (;;) {
    const std::size_t next = n == 0 ? 0 : message.read(ahead.data(), ahead.size());
    out.clear();
    if (n > 0) {
      if (binary) {
        out.assign(chunk.data(), n);  // BINARYMIME: the bytes as they are
      } else {
        encoder.feed(std::string_view(chunk.data(), n), out);
      }
    }
    const bool last = next == 0;
    if (last && !binary) encoder.finish(out);
    if (last && options.before_end_of_data) {
      try {
        options.before_end_of_data();
      } catch (const Error&) {
        throw;
      } catch (const std::exception& e) {
        throw Error(Errc::io, fmt::format("smtp: before the end of the data: {}", e.what()));
      }
    }
    if (bdat) {
      // RFC 3030: BDAT <size> [LAST], then exactly that many bytes; a reply per chunk.
      // The command and its chunk in one write.
      const std::string line = smtp::Command::bdat(out.size(), last).line();
      std::string note = out.empty() ? line : line + fmt::format("[{} bytes]\r\n", out.size());
      out.insert(0, line);
      s.write(out, deadline_now(), note);
      if (!last && !on_chunk_reply(read_reply(deadline_now()))) return false;
    } else if (!out.empty()) {
      std::string note = last ? fmt::format("[{} bytes, end of message]\r\n.\r\n", done + n)
                              : fmt::format("[{} bytes of message]\r\n", out.size());
      if (last && hold != nullptr) {
        hold->bytes = std::move(out);
        hold->log_as = std::move(note);
        out.clear();
      } else {
        s.write(out, deadline_now(), note);
      }
    }
    done += n;
    if (options.progress) options.progress(done, total);
    if (last) return true;
    std::swap(chunk, ahead);
    n = next;
  }
}

SmtpSendResult SmtpClient::send(const mime::MessageBuilder& message,
                                const SmtpSendOptions& options) {
  SmtpEnvelope envelope;
  envelope.sender = message.envelope_sender();
  envelope.recipients = message.envelope_recipients();
  return send(message, envelope, options);
}

SmtpSendResult SmtpClient::send(const mime::MessageBuilder& message, const SmtpEnvelope& envelope,
                                const SmtpSendOptions& options) {
  mime::WriteOptions write;
  write.eight_bit = caps_.eight_bit_mime;
  write.smtputf8 = caps_.smtputf8 && message.needs_smtputf8();
  if (!message.streams_files()) {
    const std::string bytes = message.to_string(write);
    return send(envelope, bytes, options);
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> spool(std::tmpfile(), std::fclose);
  if (!spool) throw Error(Errc::io, "smtp: cannot create a temporary file for the message");
  message.write(
      [&](std::string_view chunk) {
        if (std::fwrite(chunk.data(), 1, chunk.size(), spool.get()) != chunk.size()) {
          throw Error(Errc::io, "smtp: cannot write the temporary message file");
        }
      },
      write);
  std::fflush(spool.get());
  const auto size = static_cast<std::uint64_t>(std::ftell(spool.get()));
  SplicedSource source({}, spool.release(), 0, size);
  return send(envelope, source, options);
}

SmtpMessageFile open_message_file(const std::string& path, const SmtpEnvelope* envelope) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) throw Error(Errc::io, fmt::format("smtp: cannot open {}", path));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> guard(file, std::fclose);
  std::fseek(file, 0, SEEK_END);
  const auto file_size = static_cast<std::uint64_t>(std::ftell(file));
  std::rewind(file);
  // The header block: up to the first empty line (bounded: a header is not megabytes).
  std::string head;
  std::size_t body_offset = 0;
  char buf[8192];
  while (head.size() < 4 * 1024 * 1024) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, file);
    if (n == 0) break;
    head.append(buf, n);
    const std::size_t crlf = head.find("\r\n\r\n");
    const std::size_t lf = head.find("\n\n");
    const std::size_t end = std::min(crlf == std::string::npos ? std::string::npos : crlf + 2,
                                     lf == std::string::npos ? std::string::npos : lf + 1);
    if (end != std::string::npos) {
      body_offset = end;
      break;
    }
  }
  if (body_offset == 0) body_offset = head.size();  // a message that is all header
  // body_offset points at the empty line (CRLF CRLF: after the first CRLF; LF LF: likewise).
  head.resize(body_offset);
  mime::HeaderList header = mime::HeaderList::parse(head);
  SmtpMessageFile out;
  if (envelope == nullptr) {
    const auto first_address = [&](const char* name) -> std::string {
      const auto value = header.get(name);
      if (!value) return {};
      const auto list = mime::parse_address_list(*value);
      return list.empty() ? std::string() : list.front().address();
    };
    out.envelope.sender = first_address("Sender");
    if (out.envelope.sender.empty()) out.envelope.sender = first_address("From");
    for (const char* name : {"To", "Cc", "Bcc"}) {
      for (const mime::HeaderField* f : header.all(name)) {
        for (const mime::Mailbox& m : mime::parse_address_list(f->value())) {
          if (!m.domain.empty()) out.envelope.recipients.push_back(m.address());
        }
      }
    }
    if (out.envelope.sender.empty()) {
      throw Error(Errc::usage, "smtp: the message has no From address");
    }
    if (out.envelope.recipients.empty()) {
      throw Error(Errc::usage, "smtp: the message has no To, Cc or Bcc address");
    }
  } else {
    out.envelope = *envelope;
  }
  header.remove("Bcc");  // blind copies stay blind
  // body_offset is the empty line that ends the header: the file supplies it with the body.
  std::string new_head = header.to_string();
  out.source =
      std::make_unique<SplicedSource>(std::move(new_head), guard.release(), body_offset, file_size);
  return out;
}

SmtpSendResult SmtpClient::send_file(const std::string& path, const SmtpEnvelope* envelope,
                                     const SmtpSendOptions& options) {
  SmtpMessageFile file = open_message_file(path, envelope);
  return send(file.envelope, *file.source, options);
}

void SmtpClient::noop() {
  const SmtpReply reply = command(smtp::Command::noop().line());
  if (reply.code / 100 != 2) refused("NOOP", reply);
}

void SmtpClient::rset() {
  const SmtpReply reply = command(smtp::Command::rset().line());
  if (reply.code / 100 != 2) refused("RSET", reply);
}

void SmtpClient::quit() noexcept {
  if (!stream_) return;
  try {
    const Deadline d = deadline_after(std::chrono::seconds(5));
    stream_->write("QUIT\r\n", d);
    read_reply(d);
  } catch (...) {  // closing anyway
  }
  close();
}

void SmtpClient::drop() noexcept {
  if (stream_) {
    if (cancel_) cancel_->attach(nullptr);
    stream_->close();
    stream_.reset();
  }
}

void SmtpClient::close() noexcept {
  drop();
  if (cancel_) cancel_->reset();
}

void SmtpClient::cancel() noexcept {
  if (cancel_) cancel_->cancel();
}

detail::CancelSlot& SmtpClient::cancel_slot() {
  if (!cancel_) cancel_ = std::make_unique<detail::CancelSlot>();
  return *cancel_;
}

}  // namespace mailwire
