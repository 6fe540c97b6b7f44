// ImapClient: a thin loop over the IMAP wire codec (ResponseReader, Command) and a Stream.
//
// Theory of operation. Each command gets the next tag and is encoded into segments; after a
// segment that ends in a synchronising literal the client waits for "+" (a tagged NO or BAD
// instead ends the command, and the literal's bytes are never sent). Untagged responses update
// the session (capabilities, the selected mailbox) and go to the running command. A command
// ends with the tagged response carrying its tag; any other tag is a protocol error. STARTTLS
// is sent alone; bytes after its tagged OK and before TLS are response injection, and the
// capabilities are asked again after TLS. While a body is fetched, the reader hands its
// literals to the caller's sink in chunks; other literals stay in memory within limits.

#include <mailwire/error.hpp>
#include <mailwire/imap/command.hpp>
#include <mailwire/imap/response_reader.hpp>
#include <mailwire/imap/sequence_set.hpp>
#include <mailwire/imap_client.hpp>

#include "imap/client_impl.hpp"
#include "net/session_bootstrap.hpp"
#include "sasl/exchange.hpp"

#include "detail/base64.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace mailwire {

using imap::Command;
using imap::Response;
using imap::Status;

ImapClient::ImapClient(ImapOptions options) : impl_(std::make_unique<Impl>(*this)) {
  impl_->options = std::move(options);
}

ImapClient::~ImapClient() {
  close();
}

ImapClient::ImapClient(ImapClient&& other) noexcept
    : impl_(std::move(other.impl_)),
      caps_(std::move(other.caps_)),
      mailbox_(std::move(other.mailbox_)) {
  if (impl_) impl_->client = this;  // the session state points back at its client
}

ImapClient& ImapClient::operator=(ImapClient&& other) noexcept {
  if (this != &other) {
    close();
    impl_ = std::move(other.impl_);
    caps_ = std::move(other.caps_);
    mailbox_ = std::move(other.mailbox_);
    if (impl_) impl_->client = this;
  }
  return *this;
}

const ImapOptions& ImapClient::options() const noexcept {
  return impl_->options;
}

bool ImapClient::has_capability(const std::string& name) const {
  return caps_.has(name);
}

bool ImapClient::is_encrypted() const noexcept {
  return impl_->stream && impl_->stream->is_encrypted();
}

std::optional<TlsInfo> ImapClient::tls_info() const {
  if (!impl_->stream) return std::nullopt;
  return impl_->stream->transport().tls_info();
}

// IMAP's steps of the session bootstrap (net/session_bootstrap.hpp).
struct ImapClient::Bootstrap final : detail::SessionProtocol {
  ImapClient& c;
  Impl& m;
  explicit Bootstrap(ImapClient& client) : c(client), m(*client.impl_) {}

  // A new session: nothing of an earlier one survives.
  void open(std::unique_ptr<Transport> transport, const std::string& host, Security security) {
    m.drop();
    m.host = host;
    c.caps_ = {};
    c.mailbox_ = {};
    m.utf8 = false;
    m.qresync_enabled = false;
    detail::SessionSettings settings;
    settings.tls = &m.options.tls;
    settings.max_line = m.options.max_line;
    settings.log = m.options.log;
    settings.timeout = m.options.timeout;
    settings.cancel = &m.cancel;
    m.connecting = true;
    try {
      detail::open_session(*this, settings, std::move(transport), host, security);
    } catch (...) {
      m.connecting = false;
      throw;
    }
    m.connecting = false;
  }

  const char* name() const noexcept override { return "imap"; }
  const char* starttls_verb() const noexcept override { return "STARTTLS"; }
  const char* alpn_id() const noexcept override { return "imap"; }  // IANA ALPN registry
  void install(std::unique_ptr<Stream> stream) override {
    m.stream = std::move(stream);
    m.cancel.attach(m.stream.get());
    m.make_reader();
  }
  detail::Greeting read_greeting() override {
    const Response greeting = m.read(m.deadline());
    if (greeting.kind != imap::ResponseKind::Untagged ||
        (greeting.status != Status::Ok && greeting.status != Status::Preauth &&
         greeting.status != Status::Bye)) {
      m.drop();
      throw Error(Errc::protocol, fmt::format("imap: {} sent a greeting that is not IMAP", m.host),
                  Diagnostics::broken(Reason::malformed_reply).with_reply(greeting.text));
    }
    if (greeting.status == Status::Bye) {
      m.drop();
      throw Error(Errc::rejected,
                  fmt::format("imap: {} refused the connection: {}", m.host, greeting.text),
                  Diagnostics::broken(Reason::greeting_refused)
                      .with_reply(greeting.text)
                      .with_response_code(greeting.code.name, true));
    }
    m.track(greeting);
    detail::Greeting out;
    out.preauth = greeting.status == Status::Preauth;
    out.text = greeting.text;
    return out;
  }
  void ask_capabilities() override {
    if (c.caps_.atoms().empty()) m.capability();  // unless the greeting had them
  }
  detail::StartTlsOffer starttls_offer() const override {
    return c.caps_.has("STARTTLS") ? detail::StartTlsOffer::Offered
                                   : detail::StartTlsOffer::NotOffered;
  }
  bool request_starttls(Diagnostics& refusal) override {
    // What the server sent before STARTTLS is written cannot answer it (checklist case 13,
    // Ruby net-imap GHSA-vcgp-9326-pqcp): complete responses already here are read first; an
    // untagged one gives capabilities at most, a tagged one completes no command: fatal.
    while (m.s().buffered().find('\n') != std::string_view::npos) {
      const Response early = m.read(m.deadline());
      if (early.is_tagged()) {
        m.drop();
        throw Error(
            Errc::protocol,
            fmt::format("imap: {} completed '{}' before STARTTLS was sent", m.host, early.tag),
            Diagnostics::broken(Reason::response_injection)
                .with_command("STARTTLS")
                .with_reply(early.text));
      }
      m.track(early);
    }
    const Response r = m.run(Command("STARTTLS"), {}, "STARTTLS");
    if (r.status == Status::Ok) return true;
    refusal.with_command("STARTTLS").with_reply(r.text).with_response_code(r.code.name);
    return false;
  }
  void forget_before_tls() override {
    c.caps_ = {};
    c.mailbox_ = {};
    m.make_reader();
  }
  void abandon() noexcept override { m.drop(); }
  void drop() noexcept override { m.drop(); }
};

void ImapClient::connect(const std::string& host, std::uint16_t port) {
  const detail::Endpoint endpoint =
      detail::resolve_endpoint(detail::MailProtocol::Imap, impl_->options.security, port);
  Bootstrap(*this).open(
      detail::connect_tcp(host, endpoint.port, impl_->options.connect, impl_->cancel), host,
      endpoint.security);
}

void ImapClient::connect(std::unique_ptr<Transport> transport, const std::string& host) {
  Bootstrap(*this).open(std::move(transport), host,
                        detail::security_for_given_transport(impl_->options.security));
}

void ImapClient::login(const std::string& user, const std::string& password) {
  SaslCredentials c;
  c.user = user;
  c.password = password;
  if (caps_.has("LOGINDISABLED") || choose_sasl_mechanism(caps_.auth_mechanisms(), c)) {
    authenticate(c);
    return;
  }
  Impl& m = *impl_;
  if (!is_encrypted() && !m.options.allow_plaintext_auth) {
    throw Error(Errc::usage,
                fmt::format("imap: refusing LOGIN over an unencrypted connection to {} "
                            "(use TLS, or set allow_plaintext_auth)",
                            m.host),
                Diagnostics::usable(Reason::plaintext_auth_refused));
  }
  Command cmd("LOGIN");
  cmd.astring(user);
  if (m.options.redact_secrets) cmd.secret();
  cmd.astring(password);
  const Response r = m.run(cmd, {}, "LOGIN");
  Impl::check(r, "LOGIN as " + user, Errc::auth,
              r.status == Status::No ? Reason::credentials_refused : Reason::command_refused);
  if (r.code.kind != imap::ResponseCodeKind::Capability) m.capability();
}

void ImapClient::authenticate(const SaslCredentials& credentials, std::string_view mechanism) {
  Impl& m = *impl_;
  sasl::SaslSetup setup;
  setup.offered = caps_.auth_mechanisms();
  setup.forced = std::string(mechanism);
  setup.encrypted = is_encrypted();
  setup.tls = tls_info();
  setup.allow_plaintext = m.options.allow_plaintext_auth;
  setup.redact = m.options.redact_secrets;
  setup.host = m.host;
  sasl::SaslExchange exchange(sasl::imap_profile(caps_.has("SASL-IR")), credentials,
                              std::move(setup));
  sasl::SaslStep step = exchange.start();
  Deadline d = m.deadline();
  std::string tag;
  Response tagged;  // the command's completion
  for (;;) {
    switch (step.kind) {
      case sasl::SaslStep::Kind::Command:
        tag = m.tags.next();
        d = m.deadline();
        m.s().write(tag + ' ' + step.line, d, tag + ' ' + step.log_as);
        break;
      case sasl::SaslStep::Kind::Send:
        m.s().write(step.line, d, step.log_as);
        break;
      case sasl::SaslStep::Kind::Done:
        if (tagged.code.kind != imap::ResponseCodeKind::Capability) m.capability();
        return;
      case sasl::SaslStep::Kind::Failed:
        if (step.diagnostics.fatal) impl_->drop();
        throw Error(step.error, step.message, std::move(step.diagnostics));
      case sasl::SaslStep::Kind::Refused:
        Impl::check(tagged, exchange.shown(), Errc::auth,
                    tagged.status == Status::No ? Reason::credentials_refused
                                                : Reason::command_refused);  // BAD
        throw Error(Errc::protocol, "imap: " + exchange.shown() + ": refused with OK",
                    Diagnostics::broken(Reason::malformed_reply));  // (check() threw)
    }
    Response r = m.read(d);
    while (r.kind == imap::ResponseKind::Untagged) {
      m.track(r);
      r = m.read(d);
    }
    if (r.is_tagged()) {
      if (r.tag != tag) m.foreign_tag(r, "AUTHENTICATE");
      m.track(r);
      tagged = std::move(r);
      step = tagged.status == Status::Ok
                 ? exchange.on_success(tagged.text)
                 : exchange.on_refused(tagged.status == Status::No, tagged.text);
    } else {
      step = exchange.on_challenge(r.text, r.text);
    }
  }
}

std::vector<imap::ListData> ImapClient::list(const std::string& reference,
                                             const std::string& pattern) {
  return impl_->collect<imap::ListData>(Impl::list_command("LIST", reference, pattern), "LIST");
}

imap::StatusData ImapClient::status(const std::string& mailbox, const std::string& items) {
  imap::StatusData out;
  Command cmd("STATUS");
  Impl::atom_list(cmd.mailbox(mailbox), items);
  Impl::check(impl_->run(
                  cmd,
                  [&](const Response& r) {
                    if (const auto* st = r.get<imap::StatusData>()) out = *st;
                  },
                  "STATUS " + mailbox),
              "STATUS " + mailbox);
  return out;
}

MailboxInfo ImapClient::select(const std::string& mailbox) {
  mailbox_ = {};
  Command cmd("SELECT");
  cmd.mailbox(mailbox);
  const Response r = impl_->run(cmd, {}, "SELECT " + mailbox);
  Impl::check(r, "SELECT " + mailbox);
  mailbox_.name = mailbox;
  mailbox_.read_only = r.code.kind == imap::ResponseCodeKind::ReadOnly;
  return mailbox_;
}

MailboxInfo ImapClient::examine(const std::string& mailbox) {
  mailbox_ = {};
  Command cmd("EXAMINE");
  cmd.mailbox(mailbox);
  Impl::check(impl_->run(cmd, {}, "EXAMINE " + mailbox), "EXAMINE " + mailbox);
  mailbox_.name = mailbox;
  mailbox_.read_only = true;
  return mailbox_;
}

void ImapClient::create(const std::string& mailbox) {
  Command cmd("CREATE");
  cmd.mailbox(mailbox);
  Impl::check(impl_->run(cmd, {}, "CREATE " + mailbox), "CREATE " + mailbox);
}

namespace {

Command mailbox_command(const char* verb, const std::string& mailbox) {
  Command cmd(verb);
  cmd.mailbox(mailbox);
  return cmd;
}

}  // namespace

void ImapClient::delete_mailbox(const std::string& mailbox) {
  Impl::check(impl_->run(mailbox_command("DELETE", mailbox), {}, "DELETE " + mailbox),
              "DELETE " + mailbox);
}

void ImapClient::rename(const std::string& from, const std::string& to) {
  Command cmd("RENAME");
  cmd.mailbox(from).mailbox(to);
  Impl::check(impl_->run(cmd, {}, "RENAME " + from), "RENAME " + from);
}

void ImapClient::subscribe(const std::string& mailbox) {
  Impl::check(impl_->run(mailbox_command("SUBSCRIBE", mailbox), {}, "SUBSCRIBE " + mailbox),
              "SUBSCRIBE " + mailbox);
}

void ImapClient::unsubscribe(const std::string& mailbox) {
  Impl::check(impl_->run(mailbox_command("UNSUBSCRIBE", mailbox), {}, "UNSUBSCRIBE " + mailbox),
              "UNSUBSCRIBE " + mailbox);
}

void ImapClient::unselect() {
  if (caps_.has("UNSELECT")) {
    Impl::check(impl_->run(Command("UNSELECT"), {}, "UNSELECT"), "UNSELECT");
  } else if (mailbox_.read_only) {
    Impl::check(impl_->run(Command("CLOSE"), {}, "CLOSE"), "CLOSE");
  } else {
    throw Error(Errc::rejected, "imap: the server lacks UNSELECT; CLOSE would expunge messages");
  }
  mailbox_ = {};
}

void ImapClient::close_mailbox() {
  Impl::check(impl_->run(Command("CLOSE"), {}, "CLOSE"), "CLOSE");
  mailbox_ = {};
}

void ImapClient::uid_expunge(const std::vector<std::uint32_t>& uids) {
  if (!caps_.has("UIDPLUS")) {
    throw Error(Errc::rejected,
                "imap: the server lacks UIDPLUS; a plain EXPUNGE would remove every message "
                "marked \\Deleted, not only these");
  }
  Command cmd("UID EXPUNGE");
  cmd.sequence_set(imap::SequenceSet::from_numbers(uids));
  Impl::check(impl_->run(cmd, {}, "UID EXPUNGE"), "UID EXPUNGE");
}

std::vector<std::pair<std::string, std::string>> ImapClient::id(
    const std::vector<std::pair<std::string, std::string>>& ours) {
  Command cmd("ID");
  if (ours.empty()) {
    cmd.raw("NIL");
  } else {
    cmd.open_list();
    for (const auto& [k, v] : ours)
      cmd.string(k).string(v);
    cmd.close_list();
  }
  std::vector<std::pair<std::string, std::string>> out;
  Impl::check(impl_->run(
                  cmd,
                  [&](const Response& r) {
                    if (const auto* d = r.get<imap::IdData>()) out = d->fields;
                  },
                  "ID"),
              "ID");
  return out;
}

std::vector<std::string> ImapClient::enable(const std::vector<std::string>& extensions) {
  Command cmd("ENABLE");
  for (const std::string& e : extensions)
    cmd.atom(e);
  std::vector<std::string> enabled;
  Impl::check(impl_->run(
                  cmd,
                  [&](const Response& r) {
                    if (const auto* d = r.get<imap::EnabledData>()) {
                      enabled.insert(enabled.end(), d->capabilities.begin(), d->capabilities.end());
                    }
                  },
                  "ENABLE"),
              "ENABLE");
  for (const std::string& e : enabled) {
    if (imap::detail::iequals(e, "UTF8=ACCEPT")) {
      impl_->utf8 = true;  // mailbox names in UTF-8 from now on, both ways
      impl_->make_reader();
    }
    if (imap::detail::iequals(e, "QRESYNC"))
      impl_->qresync_enabled = true;  // implies CONDSTORE (RFC 7162 3.2.3)
  }
  return enabled;
}

imap::NamespaceData ImapClient::namespaces() {
  imap::NamespaceData out;
  Impl::check(impl_->run(
                  Command("NAMESPACE"),
                  [&](const Response& r) {
                    if (const auto* d = r.get<imap::NamespaceData>()) out = *d;
                  },
                  "NAMESPACE"),
              "NAMESPACE");
  return out;
}

std::vector<imap::QuotaData> ImapClient::quota_root(const std::string& mailbox) {
  return impl_->collect<imap::QuotaData>(mailbox_command("GETQUOTAROOT", mailbox),
                                         "GETQUOTAROOT " + mailbox);
}

std::vector<std::uint32_t> ImapClient::uid_search(const std::string& criteria,
                                                  const std::vector<std::string>& arguments) {
  Command cmd("UID SEARCH");
  const bool non_ascii = std::any_of(arguments.begin(), arguments.end(), [](const std::string& a) {
    return std::any_of(a.begin(), a.end(),
                       [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  });
  if (non_ascii) cmd.atom("CHARSET").atom("UTF-8");
  cmd.raw(criteria.empty() ? "ALL" : criteria);
  for (const std::string& a : arguments)
    cmd.string(a);
  std::vector<std::uint32_t> out;
  Impl::check(impl_->run(
                  cmd,
                  [&](const Response& r) {
                    if (const auto* sd = r.get<imap::SearchData>()) {
                      out.insert(out.end(), sd->numbers.begin(), sd->numbers.end());
                    }
                  },
                  "UID SEARCH"),
              "UID SEARCH");
  return out;
}

std::vector<imap::FetchData> ImapClient::uid_fetch(const std::vector<std::uint32_t>& uids,
                                                   const std::string& items) {
  if (uids.empty()) return {};
  Command cmd("UID FETCH");
  cmd.sequence_set(imap::SequenceSet::from_numbers(uids)).raw(items);
  return impl_->collect<imap::FetchData>(cmd, "UID FETCH");
}

void ImapClient::fetch(const std::string& set, const std::string& items, bool uid,
                       const std::function<void(const imap::FetchData&)>& on_message,
                       const ByteSink& body_sink) {
  Impl& m = *impl_;
  const auto parsed = imap::SequenceSet::parse(set);
  if (!parsed) throw Error(Errc::usage, "imap: '" + set + "' is not a sequence set");
  Command cmd(uid ? "UID FETCH" : "FETCH");
  cmd.sequence_set(*parsed).raw(items);
  m.run_fetch(cmd, uid ? "UID FETCH" : "FETCH", on_message, body_sink);
}

std::uint64_t ImapClient::fetch_section(std::uint32_t uid, const std::string& section,
                                        const ByteSink& sink, const ProgressCallback& progress) {
  Impl& m = *impl_;
  if (section.find_first_of(" ()[]\r\n") != std::string::npos) {
    throw Error(Errc::usage, "imap: a section is like \"\", \"2\" or \"1.HEADER\"");
  }
  Command cmd("UID FETCH");
  cmd.sequence_set(imap::SequenceSet().add(uid)).raw("(UID BODY.PEEK[" + section + "])");
  const Impl::SectionFetch r = m.fetch_one_section(cmd, uid, sink, progress);
  Impl::check(r.tagged, "UID FETCH");
  if (!r.found) {
    throw Error(Errc::rejected, fmt::format("imap: message UID {} does not exist", uid));
  }
  return r.size;
}

void ImapClient::uid_store_flags(const std::vector<std::uint32_t>& uids,
                                 const std::vector<std::string>& flags, bool add) {
  Command cmd("UID STORE");
  cmd.sequence_set(imap::SequenceSet::from_numbers(uids))
      .raw(add ? "+FLAGS.SILENT" : "-FLAGS.SILENT")
      .flag_list(flags);
  Impl::check(impl_->run(cmd, {}, "UID STORE"), "UID STORE");
}

void ImapClient::uid_move(const std::vector<std::uint32_t>& uids, const std::string& target) {
  const imap::SequenceSet set = imap::SequenceSet::from_numbers(uids);
  const auto simple = [&](const char* verb) {
    Command cmd(verb);
    cmd.sequence_set(set).mailbox(target);
    Impl::check(impl_->run(cmd, {}, verb), verb);
  };
  if (caps_.has("MOVE")) {
    simple("UID MOVE");
    return;
  }
  if (!caps_.has("UIDPLUS")) {
    throw Error(Errc::rejected,
                "imap: the server has neither MOVE nor UIDPLUS; moving would need a plain EXPUNGE, "
                "which could remove other messages marked \\Deleted");
  }
  simple("UID COPY");
  uid_store_flags(uids, {"\\Deleted"}, true);
  Command expunge("UID EXPUNGE");
  expunge.sequence_set(set);
  Impl::check(impl_->run(expunge, {}, "UID EXPUNGE"), "UID EXPUNGE");
}

void ImapClient::uid_move(const std::vector<std::uint32_t>& uids, const std::string& target,
                          bool create_if_missing) {
  if (!create_if_missing) {
    uid_move(uids, target);
    return;
  }
  try {
    uid_move(uids, target);
    return;
  } catch (const Error& e) {
    // A COPY (or MOVE) refused with [TRYCREATE] changed nothing: create, then once more.
    if (e.code() != make_error_code(Errc::rejected) ||
        !imap::detail::iequals(e.diagnostics().response_code, "TRYCREATE"))
      throw;
  }
  create(target);
  uid_move(uids, target);
}

std::optional<std::string> ImapClient::find_special_use(const std::string& attribute) {
  std::vector<imap::ListData> found;
  if (caps_.has("SPECIAL-USE") && caps_.has("LIST-EXTENDED")) {
    ListOptions options;
    options.return_options = {"SPECIAL-USE"};
    for (ListEntry& e : list_extended("", {"*"}, options))
      found.push_back(std::move(e.mailbox));
  } else {
    found = list("", "*");
  }
  for (const imap::ListData& m : found) {
    if (m.has(attribute)) return m.mailbox;
  }
  return std::nullopt;
}

void ImapClient::noop() {
  Impl::check(impl_->run(Command("NOOP"), {}, "NOOP"), "NOOP");
}

std::size_t ImapClient::idle(std::chrono::milliseconds wait,
                             const std::function<bool(const IdleEvent&)>& on_event) {
  Impl& m = *impl_;
  if (!caps_.has("IDLE")) throw Error(Errc::rejected, "imap: the server does not offer IDLE");
  const Deadline end = deadline_after(wait);
  std::size_t events = 0;
  bool keep = true;     // go on idling
  bool enough = false;  // the caller said it has enough (its time running out is not that)
  // Passes an untagged response to the caller while it wants more. An untagged status
  // ("* OK Still here", the keep-alive some servers send) is no change of the mailbox.
  const auto report = [&](const Response& r) {
    if (enough || r.status != Status::None) return;
    IdleEvent event;
    if (const auto* e = r.get<imap::ExistsData>()) {
      event.kind = IdleEvent::Kind::Exists;
      event.number = e->count;
    } else if (const auto* x = r.get<imap::ExpungeData>()) {
      event.kind = IdleEvent::Kind::Expunge;
      event.number = x->seq;
    } else if (const auto* f = r.get<imap::FetchData>()) {
      event.kind = IdleEvent::Kind::Flags;
      event.number = f->seq;
    }
    ++events;
    if (on_event && !on_event(event)) enough = true;
    if (enough) keep = false;
  };
  while (keep && Clock::now() < end) {
    const std::string tag = m.tags.next();
    const Deadline d = m.deadline();
    m.s().write(tag + " IDLE\r\n", d);
    // First the continuation ("+ idling").
    for (;;) {
      const Response r = m.read(d);
      if (r.is_continuation()) break;
      if (r.is_tagged()) {
        if (r.tag != tag) m.foreign_tag(r, "IDLE");
        Impl::check(r, "IDLE");
        return events;  // the server ended IDLE at once
      }
      m.track(r);
      report(r);  // a change the server tells before its go-ahead is one too
    }
    // Events until our time is up, the caller has enough, or 28 minutes (RFC 2177 advice).
    const Deadline round_end = std::min(end, deadline_after(std::chrono::minutes(28)));
    bool server_ended = false;
    while (keep) {
      Response r;
      try {
        // A wait that ends with nothing is the normal end of IDLE, not a broken stream.
        m.s().set_timeouts_recoverable(true);
        r = m.read(round_end);
        m.s().set_timeouts_recoverable(false);
      } catch (const Error& e) {
        if (m.stream) m.s().set_timeouts_recoverable(false);
        if (e.kind() != Errc::timeout) throw;
        if (round_end >= end) keep = false;  // the caller's wait is over, not just a round
        break;
      }
      if (r.is_tagged()) {
        if (r.tag != tag) m.foreign_tag(r, "IDLE");
        Impl::check(r, "IDLE");
        server_ended = true;
        break;
      }
      m.track(r);
      report(r);
    }
    if (server_ended) continue;
    // DONE ends this IDLE; the tagged OK follows. RFC 2177 lets the server send untagged
    // responses before it, and some (Cyrus) report a change only there: they are events too,
    // as long as the caller has not said it has enough.
    const Deadline d2 = m.deadline();
    m.s().write("DONE\r\n", d2);
    for (;;) {
      const Response r = m.read(d2);
      if (r.is_tagged()) {
        if (r.tag != tag) m.foreign_tag(r, "IDLE");
        Impl::check(r, "IDLE");
        break;
      }
      m.track(r);
      report(r);
    }
  }
  return events;
}

void ImapClient::logout() noexcept {
  Impl& m = *impl_;
  if (!m.stream) return;
  try {
    m.run(Command("LOGOUT"), {}, "LOGOUT", deadline_after(std::chrono::seconds(5)));
  } catch (...) {
  }
  close();
}

void ImapClient::close() noexcept {
  if (!impl_) return;
  impl_->drop();
  impl_->cancel.reset();
}

void ImapClient::cancel() noexcept {
  if (impl_) impl_->cancel.cancel();
}

}  // namespace mailwire
