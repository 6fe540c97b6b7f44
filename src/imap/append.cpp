// APPEND and MULTIAPPEND, streamed.
//
// Theory of operation: each message is an external literal of a known size (imap::Command
// announces it, `{n+}` or `{n}` per LITERAL+ / LITERAL-), and Impl::run() streams it in
// chunks from the message's `write` when it reaches that segment, waiting for "+" first when
// the literal synchronises. Before any byte, the sizes are checked against the server's
// APPENDLIMIT (RFC 7889). run() records how far it got in Upload::phase; an error is rethrown
// here with that Phase: envelope (no byte of a message sent), data (cut within a literal: the
// connection is closed, and the server discards an incomplete command, so nothing was
// stored), after_data (everything sent, no tagged reply: it may have been stored).
// MULTIAPPEND (RFC 3502) sends every message in one command, stored all or none.

#include <mailwire/error.hpp>
#include <mailwire/imap_client.hpp>

#include "imap/client_impl.hpp"
#include "imap/wire_decoder.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <ctime>
#include <memory>

namespace mailwire {
namespace {

constexpr std::size_t chunk_size = 64 * 1024;

void pump(MessageSource& source, const ByteSink& sink) {
  source.rewind();
  std::string buffer(chunk_size, '\0');
  for (;;) {
    const std::size_t n = source.read(buffer.data(), buffer.size());
    if (n == 0) return;
    sink(std::string_view(buffer.data(), n));
  }
}

// date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
std::string date_time(std::time_t when) {
  static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  if (::gmtime_r(&when, &tm) == nullptr || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 1) {
    throw Error(Errc::usage, "imap: APPEND date out of range",
                Diagnostics::usable(Reason::invalid_argument));
  }
  return fmt::format("{:2}-{}-{:04} {:02}:{:02}:{:02} +0000", tm.tm_mday, months[tm.tm_mon],
                     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// The APPENDLIMIT=n capability (RFC 7889 section 3), if the server announced one.
std::optional<std::uint64_t> announced_append_limit(const imap::CapabilitySet& caps) {
  constexpr std::string_view prefix = "APPENDLIMIT=";
  for (const std::string& atom : caps.atoms()) {
    if (atom.size() <= prefix.size() ||
        !imap::detail::iequals(std::string_view(atom).substr(0, prefix.size()), prefix)) {
      continue;
    }
    std::uint64_t n = 0;
    for (char c : std::string_view(atom).substr(prefix.size())) {
      if (c < '0' || c > '9' || n > (UINT64_MAX - 9) / 10) return std::nullopt;
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return n;
  }
  return std::nullopt;
}

// A literal that is not `~{n}` (RFC 3516) cannot carry NUL (CHAR8).
void refuse_nul(std::string_view message) {
  if (message.find('\0') != std::string_view::npos) {
    throw Error(Errc::usage, "imap: APPEND: NUL in a non-binary literal",
                Diagnostics::usable(Reason::invalid_argument));
  }
}

}  // namespace

AppendMessage AppendMessage::from_bytes(std::string_view bytes) {
  AppendMessage m;
  m.size = bytes.size();
  m.write = [bytes](const ByteSink& sink) {
    for (std::size_t at = 0; at < bytes.size(); at += chunk_size) {
      sink(bytes.substr(at, chunk_size));
    }
  };
  return m;
}

AppendMessage AppendMessage::from_file(const std::string& path) {
  std::shared_ptr<MessageSource> source = MessageSource::from_file(path);
  AppendMessage m;
  m.size = source->size();
  m.write = [source](const ByteSink& sink) { pump(*source, sink); };
  return m;
}

AppendMessage AppendMessage::from_source(MessageSource& source) {
  AppendMessage m;
  m.size = source.size();
  m.write = [&source](const ByteSink& sink) { pump(source, sink); };
  return m;
}

AppendMessage AppendMessage::from_builder(const mime::MessageBuilder& message,
                                          const mime::WriteOptions& options) {
  AppendMessage m;
  message.write([&](std::string_view chunk) { m.size += chunk.size(); }, options);
  m.write = [&message, options](const ByteSink& sink) { message.write(sink, options); };
  return m;
}

// The largest message `mailbox` accepts: APPENDLIMIT=n, else (a bare APPENDLIMIT: a limit per
// mailbox) its STATUS when `ask` allows the round trip. nullopt: no limit known.
std::optional<std::uint64_t> ImapClient::Impl::append_limit(const std::string& mailbox, bool ask) {
  if (auto n = announced_append_limit(client->caps_)) return n;
  if (!ask || !client->caps_.has("APPENDLIMIT")) return std::nullopt;
  Command cmd("STATUS");
  cmd.mailbox(mailbox).open_list().atom("APPENDLIMIT").close_list();
  std::optional<std::uint64_t> limit;
  const Response r = run(
      cmd,
      [&](const Response& x) {
        if (const auto* st = x.get<imap::StatusData>()) limit = st->append_limit;
      },
      "STATUS");
  // A mailbox that does not exist: APPEND will say so (TRYCREATE).
  return r.status == Status::Ok ? limit : std::nullopt;
}

// One APPEND command of `count` messages (MULTIAPPEND when more than one).
imap::Response ImapClient::Impl::run_append(const std::string& mailbox,
                                            const AppendMessage* const* messages, std::size_t count,
                                            Upload& upload) {
  Command cmd("APPEND");
  cmd.mailbox(mailbox);
  std::uint64_t octets = 0;  // of this command's messages
  for (std::size_t i = 0; i < count; ++i) {
    const AppendMessage& m = *messages[i];
    octets += m.size;
    if (!m.write) throw Error(Errc::usage, "imap: an AppendMessage without data");
    if (!m.flags.empty()) cmd.flag_list(m.flags);
    if (m.internal_date) cmd.string(date_time(*m.internal_date));
    cmd.external_literal(m.size);
  }
  upload.write = [messages](std::size_t i, const ByteSink& out) { messages[i]->write(out); };
  const std::string what = "APPEND " + mailbox;
  const std::uint64_t before = upload.sent;
  try {
    Response r = run(cmd, {}, what, &upload);
    if (upload.phase == Phase::after_data) upload.phase = Phase::done;  // else refused early
    return r;
  } catch (const Error& e) {
    const Phase phase = upload.phase;
    const Diagnostics& was = e.diagnostics();
    if (phase == Phase::none) throw;  // a caller mistake, found before any byte
    if (phase == Phase::envelope) {
      Diagnostics d =
          e.is_fatal() ? Diagnostics::broken(e.reason()) : Diagnostics::usable(e.reason());
      throw Error(e.kind(), e.what(),
                  std::move(d.with_command(what)
                                .with_reply(was.server_reply)
                                .with_response_code(was.response_code, was.transient)
                                .with_phase(phase)));
    }
    drop();  // within or after a literal: the session cannot go on
    if (phase == Phase::data) {
      const Reason reason = e.kind() == Errc::connect ? Reason::connection_lost : e.reason();
      throw Error(e.kind(),
                  fmt::format("imap: {} did not complete: it stopped after {} of {} octets of "
                              "message data, and a server discards an incomplete APPEND, so "
                              "nothing was stored; the connection is closed ({})",
                              what, upload.sent - before, octets, e.what()),
                  Diagnostics::broken(reason)
                      .with_command(what)
                      .with_reply(was.server_reply)
                      .with_transient(was.transient)
                      .with_phase(Phase::data));
    }
    throw Error(e.kind(),
                fmt::format("imap: {}: the message was sent whole but no reply came, so it may "
                            "have been stored; the connection is closed ({})",
                            what, e.what()),
                Diagnostics::broken(Reason::delivery_unknown)
                    .with_command(what)
                    .with_reply(was.server_reply)
                    .with_transient(was.transient)
                    .with_phase(Phase::after_data));
  }
}

// The tagged reply of an APPEND: the error it says (with the phase the command reached), or
// the UIDs of APPENDUID.
std::vector<std::uint32_t> ImapClient::Impl::append_result(const Response& r,
                                                           const std::string& what,
                                                           std::size_t count, Phase phase) {
  if (r.status != Status::Ok) {
    const std::string code = r.code ? "[" + r.code.name + "] " : "";
    const bool transient =
        r.code.name == "UNAVAILABLE" || r.code.name == "INUSE" || r.code.name == "LIMIT";
    const bool no = r.status == Status::No;
    const Reason reason = r.code.name == "TOOBIG" ? Reason::message_too_large
                          : no                    ? Reason::command_refused
                                                  : Reason::malformed_reply;
    throw Error(no ? Errc::rejected : Errc::protocol,
                fmt::format("imap: {} failed: {} {}{}", what, no ? "NO" : "BAD", code, r.text),
                Diagnostics::usable(reason)
                    .with_command(what)
                    .with_reply(r.text)
                    .with_response_code(r.code.name, transient)
                    .with_phase(phase));
  }
  if (r.code.kind == imap::ResponseCodeKind::AppendUid) {
    if (auto uids = r.code.dest_uids.numbers(count); uids && uids->size() == count) {
      return std::move(*uids);
    }
  }
  return {};
}

std::vector<std::uint32_t> ImapClient::Impl::append_all(
    const std::string& mailbox, const std::vector<const AppendMessage*>& messages,
    const ProgressCallback& on_progress, bool ask_limit) {
  if (messages.empty()) return {};
  Upload upload;
  upload.progress = on_progress;
  for (const AppendMessage* m : messages)
    upload.total += m->size;
  const std::string what = "APPEND " + mailbox;
  if (const auto limit = append_limit(mailbox, ask_limit)) {
    for (const AppendMessage* m : messages) {
      if (m->size <= *limit) continue;
      throw Error(Errc::rejected,
                  fmt::format("imap: {}: a message of {} octets is larger than the server "
                              "accepts (APPENDLIMIT {}); nothing was sent",
                              what, m->size, *limit),
                  Diagnostics::usable(Reason::message_too_large)
                      .with_command(what)
                      .with_phase(Phase::none));
    }
  }
  if (messages.size() > 1 && client->caps_.has("MULTIAPPEND")) {
    const Response r = run_append(mailbox, messages.data(), messages.size(), upload);
    return append_result(r, what, messages.size(), upload.phase);
  }
  std::vector<std::uint32_t> uids;
  bool all = true;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const Response r = run_append(mailbox, messages.data() + i, 1, upload);
    const auto uid = append_result(r, what, 1, upload.phase);
    if (uid.empty()) all = false;
    if (all) uids.push_back(uid.front());
  }
  if (!all) uids.clear();
  return uids;
}

std::optional<std::uint32_t> ImapClient::append(const std::string& mailbox,
                                                std::string_view message,
                                                const std::vector<std::string>& flags) {
  refuse_nul(message);
  AppendMessage m = AppendMessage::from_bytes(message);
  m.flags = flags;
  const auto uids = impl_->append_all(mailbox, {&m}, {}, false);
  if (uids.empty()) return std::nullopt;
  return uids.front();
}

std::optional<std::uint32_t> ImapClient::append(const std::string& mailbox,
                                                std::string_view message,
                                                const std::vector<std::string>& flags,
                                                std::time_t internal_date) {
  refuse_nul(message);
  AppendMessage m = AppendMessage::from_bytes(message);
  m.flags = flags;
  m.internal_date = internal_date;
  const auto uids = impl_->append_all(mailbox, {&m}, {}, false);
  if (uids.empty()) return std::nullopt;
  return uids.front();
}

std::optional<std::uint32_t> ImapClient::append(const std::string& mailbox,
                                                const AppendMessage& message,
                                                const ProgressCallback& progress) {
  const auto uids = impl_->append_all(mailbox, {&message}, progress, true);
  if (uids.empty()) return std::nullopt;
  return uids.front();
}

std::vector<std::uint32_t> ImapClient::append(const std::string& mailbox,
                                              const std::vector<AppendMessage>& messages,
                                              const ProgressCallback& progress) {
  std::vector<const AppendMessage*> all;
  all.reserve(messages.size());
  for (const AppendMessage& m : messages)
    all.push_back(&m);
  return impl_->append_all(mailbox, all, progress, true);
}

}  // namespace mailwire
