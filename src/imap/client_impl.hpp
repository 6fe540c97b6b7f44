#pragma once

// ImapClient's private state, shared by the files that implement it (imap_client.cpp: the
// session and the base commands; imap_client_sync.cpp: typed search/fetch/store, CONDSTORE and
// QRESYNC, LIST-EXTENDED, mailbox events). Not installed.

#include <mailwire/error.hpp>
#include <mailwire/imap/command.hpp>
#include <mailwire/imap/response_reader.hpp>
#include <mailwire/imap/sequence_set.hpp>
#include <mailwire/imap_client.hpp>

#include "imap/wire_decoder.hpp"
#include "net/cancel_slot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mailwire {

struct ImapClient::Impl {
  using Command = imap::Command;
  using Response = imap::Response;
  using Status = imap::Status;

  ImapClient* client;
  ImapOptions options;
  detail::CancelSlot cancel;  // what ImapClient::cancel() reaches
  std::unique_ptr<Stream> stream;
  std::unique_ptr<imap::ResponseReader> reader;
  imap::TagGenerator tags;
  std::string host;
  bool utf8 = false;
  bool qresync_enabled = false;
  // While fetching a body: its literal goes here.
  const ByteSink* sink = nullptr;
  const ProgressCallback* progress = nullptr;
  std::uint64_t streamed = 0;
  Clock::time_point started{};
  // The caller's subscription to mailbox changes.
  std::function<void(const MailboxEvent&)> on_event;
  // While connect() runs (greeting, capabilities, STARTTLS): no mailbox is selected, and before
  // TLS anything may be forged, so responses give capabilities only (checklist case 11).
  bool connecting = false;

  explicit Impl(ImapClient& c) : client(&c) {}

  Stream& s() {
    if (!stream) throw Error(Errc::usage, "imap: not connected");
    return *stream;
  }
  Deadline deadline() const { return deadline_after(options.timeout); }

  // Closes the connection, leaving a cancel() in force (ImapClient::close() also resets it).
  void drop() noexcept {
    if (!stream) return;
    cancel.attach(nullptr);
    stream->close();
    stream.reset();
  }

  void make_reader() {
    imap::ResponseReaderOptions ro;
    ro.max_line = options.max_line;
    ro.max_literal = options.max_literal_in_memory;
    ro.max_response = options.max_response;
    ro.max_depth = options.max_depth;
    ro.max_items = options.max_items;
    ro.max_literals = options.max_literals;
    ro.stream_threshold = 1;
    ro.utf8 = utf8;
    ro.literal_sink = [this](const imap::LiteralInfo& info) -> imap::LiteralSink {
      if (sink == nullptr) return {};
      const std::string_view item = info.fetch_item;
      if (item.rfind("BODY[", 0) != 0 && item.rfind("BINARY[", 0) != 0) return {};
      return [this](std::string_view chunk) {
        (*sink)(chunk);
        streamed += chunk.size();
        if (progress != nullptr && *progress) (*progress)(streamed, 0);
      };
    };
    reader = std::make_unique<imap::ResponseReader>(std::move(ro));
  }

  [[noreturn]] void reader_failed() {
    const std::error_code ec = reader->error();
    const bool limit = ec == make_error_code(Errc::limit);
    throw Error(limit ? Errc::limit : Errc::protocol, "imap: " + reader->error_message(),
                Diagnostics::broken(limit ? Reason::reply_too_large : Reason::malformed_reply));
  }

  Response read(Deadline d) {
    const std::uint64_t rate = std::max<std::uint64_t>(1, options.min_transfer_rate);
    while (!reader->has_response()) {
      if (reader->error()) reader_failed();
      if (const std::uint64_t left = reader->literal_remaining(); left > 0) {
        // In pieces: the allowance grows with what arrived, so a drip cannot hold it open.
        const std::uint64_t piece = std::min<std::uint64_t>(left, 1 << 20);
        const Deadline body =
            std::max(d, started + options.timeout + std::chrono::seconds(streamed / rate));
        s().read_to_sink(
            piece, [&](std::string_view c) { reader->on_literal(c); }, body);
      } else {
        reader->on_line(s().read_line(d));
      }
    }
    if (reader->error()) reader_failed();
    return reader->pop();
  }

  // Keeps the selected mailbox's state from an untagged response (or a tagged one's code)
  // and tells the caller's event handler.
  void track(const Response& r) {
    MailboxInfo& box = client->mailbox_;
    if (const auto* caps = r.get<imap::CapabilitySet>()) client->caps_ = usable(caps->atoms());
    if (r.code.kind == imap::ResponseCodeKind::Capability) client->caps_ = usable(r.code.atoms);
    if (connecting) return;  // no mailbox state, no event
    if (const auto* e = r.get<imap::ExistsData>()) {
      box.exists = e->count;
      MailboxEvent ev;
      ev.kind = MailboxEvent::Kind::Exists;
      ev.number = e->count;
      emit(ev);
    }
    if (const auto* e = r.get<imap::RecentData>()) box.recent = e->count;
    if (const auto* x = r.get<imap::ExpungeData>()) {
      if (box.exists > 0) --box.exists;
      MailboxEvent ev;
      ev.kind = MailboxEvent::Kind::Expunge;
      ev.number = x->seq;
      emit(ev);
    }
    if (const auto* v = r.get<imap::VanishedData>()) {
      if (v->earlier) {
        for (const auto& range : v->uids.ranges())
          box.vanished.add(range.first, range.last);
      } else {
        std::uint64_t gone = 0;
        for (const auto& range : v->uids.ranges()) {
          if (range.last >= range.first) gone += std::uint64_t{range.last} - range.first + 1;
        }
        box.exists = gone >= box.exists ? 0 : box.exists - static_cast<std::uint32_t>(gone);
      }
      MailboxEvent ev;
      ev.kind = MailboxEvent::Kind::Vanished;
      ev.uids = v->uids;
      ev.earlier = v->earlier;
      emit(ev);
    }
    if (const auto* f = r.get<imap::FetchData>()) {
      if (f->modseq && (!box.highest_modseq || *box.highest_modseq < *f->modseq))
        box.highest_modseq = f->modseq;
      if (f->flags && on_event) {  // (no copy of the flags when nobody listens)
        MailboxEvent ev;
        ev.kind = MailboxEvent::Kind::Flags;
        ev.number = f->seq;
        ev.uid = f->uid;
        ev.flags = *f->flags;
        ev.modseq = f->modseq;
        emit(ev);
      }
    }
    if (const auto* f = r.get<imap::FlagsData>()) box.flags = f->flags;
    switch (r.code.kind) {
      case imap::ResponseCodeKind::UidValidity: {
        const auto validity = static_cast<std::uint32_t>(r.code.number);
        const bool changed = box.uid_validity != 0 && box.uid_validity != validity;
        box.uid_validity = validity;
        if (changed) {
          MailboxEvent ev;
          ev.kind = MailboxEvent::Kind::UidValidity;
          ev.number = validity;
          emit(ev);
        }
        break;
      }
      case imap::ResponseCodeKind::UidNext:
        box.uid_next = static_cast<std::uint32_t>(r.code.number);
        break;
      case imap::ResponseCodeKind::HighestModSeq:
        box.highest_modseq = r.code.number;
        break;
      case imap::ResponseCodeKind::NoModSeq:
        box.no_modseq = true;
        break;
      case imap::ResponseCodeKind::PermanentFlags:
        box.permanent_flags = r.code.atoms;
        break;
      default:
        break;
    }
  }

  // The server's capabilities without those the caller disabled.
  imap::CapabilitySet usable(std::vector<std::string> atoms) const {
    return imap::CapabilitySet(std::move(atoms)).without(options.disabled_capabilities);
  }

  void emit(const MailboxEvent& event) const {
    if (on_event) on_event(event);
  }

  [[noreturn]] void foreign_tag(const Response& r, const std::string& what) {
    throw Error(Errc::protocol,
                fmt::format("imap: the server completed '{}', a command never sent (during {})",
                            r.tag, what),
                Diagnostics::broken(Reason::malformed_reply)
                    .with_command(what)
                    .with_reply(r.text)
                    .with_response_code(r.code.name));
  }

  // A command whose literals the caller streams (APPEND): run() calls `write` for each
  // external segment in order, and keeps `phase` up to date so that an error can tell how far
  // the messages got (append.cpp turns it into the Error's Phase).
  struct Upload {
    // Produces literal number `index` (from 0), exactly `size` octets, to `out`.
    std::function<void(std::size_t index, const ByteSink& out)> write;
    ProgressCallback progress;  // octets of all the literals sent, of `total`
    std::uint64_t total = 0;
    std::uint64_t sent = 0;
    Phase phase = Phase::none;
  };

  // Sends `command` and reads up to its tagged completion, within options.timeout.
  Response run(const Command& command, const std::function<void(const Response&)>& on_untagged,
               const std::string& what, Upload* upload = nullptr) {
    return run(command, on_untagged, what, deadline(), upload);
  }

  // Streams one external literal of `size` octets from `upload`, in chunks of at most 64 KiB;
  // the deadline grows with the octets sent, as a body's does when it is received.
  void write_literal(Upload& upload, std::size_t index, std::uint64_t size, Deadline d) {
    Stream& st = s();
    const std::uint64_t rate = std::max<std::uint64_t>(1, options.min_transfer_rate);
    constexpr std::size_t chunk = 64 * 1024;
    std::string buffer;
    buffer.reserve(chunk);
    std::uint64_t done = 0;
    bool logged = false;
    const auto flush = [&] {
      if (buffer.empty()) return;
      const Deadline body =
          std::max(d, started + options.timeout + std::chrono::seconds(upload.sent / rate));
      if (!logged) {
        st.write(buffer, body, fmt::format("[{} bytes of message]\r\n", size));
        logged = true;
      } else {
        st.write_quiet(buffer, body);  // logged once, above
      }
      upload.sent += buffer.size();
      buffer.clear();
      if (upload.progress) upload.progress(upload.sent, upload.total);
    };
    upload.phase = Phase::data;
    upload.write(index, [&](std::string_view bytes) {
      if (bytes.size() > size - done) {
        throw Error(Errc::io, fmt::format("imap: the message is longer than the {} octets "
                                          "announced",
                                          size));
      }
      done += bytes.size();
      while (!bytes.empty()) {
        const std::size_t n = std::min(bytes.size(), chunk - buffer.size());
        buffer.append(bytes.substr(0, n));
        bytes.remove_prefix(n);
        if (buffer.size() == chunk) flush();
      }
    });
    if (done != size) {
      throw Error(Errc::io,
                  fmt::format("imap: the message has {} octets, not the {} announced", done, size));
    }
    flush();
  }

  // The same within the deadline `d` (LOGOUT's short one: a deadline is a local, never an option
  // changed for the rest of the session).
  Response run(const Command& command, const std::function<void(const Response&)>& on_untagged,
               const std::string& what, Deadline d, Upload* upload = nullptr) {
    imap::EncodedCommand encoded;
    if (const std::error_code ec =
            command.encode(tags.next(), imap::encode_options_for(client->caps_, utf8), encoded)) {
      throw Error(Errc::usage, fmt::format("imap: {}: {}", what, command.error_message()));
    }
    Stream& st = s();
    started = Clock::now();
    streamed = 0;
    const auto handle = [&](const Response& r) {
      track(r);
      if (on_untagged) on_untagged(r);
    };
    if (upload != nullptr) upload->phase = Phase::envelope;
    std::size_t literals = 0;
    for (std::size_t i = 0; i < encoded.segments.size(); ++i) {
      const imap::CommandSegment& seg = encoded.segments[i];
      if (seg.external) {
        if (upload == nullptr) throw Error(Errc::usage, "imap: a streamed literal without data");
        write_literal(*upload, literals++, seg.external_size, d);
        d = std::max(d, deadline());  // the next continuation: counted from the literal's end
        continue;
      }
      st.write(seg.bytes, d,
               i == 0 ? std::string_view(encoded.log_line)
                      : std::string_view(fmt::format("[{} bytes]\r\n", seg.bytes.size())));
      if (!seg.wait_for_continuation) continue;
      for (;;) {
        Response r = read(d);
        if (r.is_continuation()) break;
        if (r.is_tagged()) {
          if (r.tag != encoded.tag) foreign_tag(r, what);
          return r;  // refused before the literal: its bytes are never sent
        }
        handle(r);
        reader->recycle(std::move(r));
      }
    }
    if (upload != nullptr) {
      upload->phase = Phase::after_data;
      // The server may take its time to store a large message.
      d = std::max(d, deadline());
    }
    for (;;) {
      Response r = read(d);
      if (r.is_tagged()) {
        if (r.tag != encoded.tag) foreign_tag(r, what);
        track(r);  // its code may carry capabilities (after LOGIN) or mailbox state
        return r;
      }
      if (r.is_continuation()) {
        throw Error(
            Errc::protocol, "imap: an unexpected continuation request",
            Diagnostics::broken(Reason::malformed_reply).with_command(what).with_reply(r.text));
      }
      handle(r);
      reader->recycle(std::move(r));  // its memory serves the next FETCH response
    }
  }

  static void check(const Response& r, const std::string& what, Errc refusal = Errc::rejected,
                    Reason reason = Reason::unspecified) {
    if (r.status == Status::Ok) return;
    const std::string code = r.code ? "[" + r.code.name + "] " : "";
    const bool transient =
        r.code.name == "UNAVAILABLE" || r.code.name == "INUSE" || r.code.name == "LIMIT";
    if (reason == Reason::unspecified) {
      reason = r.status == Status::No ? Reason::command_refused : Reason::malformed_reply;
    }
    throw Error(
        r.status == Status::No ? refusal : Errc::protocol,
        fmt::format("imap: {} failed: {} {}{}", what, r.status == Status::No ? "NO" : "BAD", code,
                    r.text),
        Diagnostics::usable(reason).with_command(what).with_reply(r.text).with_response_code(
            r.code.name, transient));
  }

  // A FETCH: each message to `on_message`, body sections streamed to `body` when given.
  void run_fetch(const Command& cmd, const char* what,
                 const std::function<void(const imap::FetchData&)>& on_message,
                 const ByteSink& body) {
    sink = body ? &body : nullptr;
    try {
      const Response r = run(
          cmd,
          [&](const Response& x) {
            if (const auto* f = x.get<imap::FetchData>()) {
              if (on_message) on_message(*f);
            }
          },
          what);
      sink = nullptr;
      check(r, what);
    } catch (...) {
      sink = nullptr;
      throw;
    }
  }

  // One section of message `uid` (the only body item of `cmd`) streamed to `sink`: the tagged
  // response, whether the message answered, and the section's size on the wire.
  struct SectionFetch {
    Response tagged;
    bool found = false;
    std::uint64_t size = 0;
  };
  SectionFetch fetch_one_section(const Command& cmd, std::uint32_t uid, const ByteSink& body,
                                 const ProgressCallback& on_progress) {
    SectionFetch out;
    sink = &body;
    progress = &on_progress;
    const auto reset = [this] {
      sink = nullptr;
      progress = nullptr;
    };
    try {
      out.tagged = run(
          cmd,
          [&](const Response& x) {
            const auto* f = x.get<imap::FetchData>();
            if (f == nullptr || f->uid != uid) return;
            for (const auto& sec : f->sections) {
              out.found = true;
              out.size += sec.size;
              if (!sec.streamed && !sec.data.empty()) body(sec.data);
            }
          },
          "UID FETCH");
    } catch (...) {
      reset();
      throw;
    }
    reset();
    return out;
  }

  // APPEND (append.cpp).
  std::optional<std::uint64_t> append_limit(const std::string& mailbox, bool ask);
  Response run_append(const std::string& mailbox, const AppendMessage* const* messages,
                      std::size_t count, Upload& upload);
  static std::vector<std::uint32_t> append_result(const Response& r, const std::string& what,
                                                  std::size_t count, Phase phase);
  std::vector<std::uint32_t> append_all(const std::string& mailbox,
                                        const std::vector<const AppendMessage*>& messages,
                                        const ProgressCallback& on_progress, bool ask_limit);

  void capability() { check(run(Command("CAPABILITY"), {}, "CAPABILITY"), "CAPABILITY"); }

  // Runs `command` and returns the untagged data of type T it brought (LIST, QUOTA, FETCH, ...).
  template <class T>
  std::vector<T> collect(const Command& command, const std::string& what) {
    std::vector<T> out;
    check(run(
              command,
              [&](const Response& r) {
                if (const auto* d = r.get<T>()) out.push_back(*d);
              },
              what),
          what);
    return out;
  }

  // LIST or LSUB: an empty reference is the empty string, not a mailbox name.
  // "MESSAGES UNSEEN" as the list "(MESSAGES UNSEEN)", each word a checked atom: a caller
  // string cannot close the list early (checklist case 30).
  static Command& atom_list(Command& cmd, std::string_view words) {
    cmd.open_list();
    for (std::size_t at = 0; at < words.size();) {
      const std::size_t space = std::min(words.find(' ', at), words.size());
      if (space > at) cmd.atom(words.substr(at, space - at));
      at = space + 1;
    }
    return cmd.close_list();
  }

  static Command list_command(const char* verb, const std::string& reference,
                              const std::string& pattern) {
    Command cmd(verb);
    if (reference.empty()) {
      cmd.string("");
    } else {
      cmd.mailbox(reference);
    }
    cmd.mailbox(pattern);
    return cmd;
  }
};

}  // namespace mailwire
