// ImapClient: typed search, fetch and store; CONDSTORE and QRESYNC (RFC 7162); LIST-EXTENDED,
// SPECIAL-USE and LIST-STATUS; COPY, EXPUNGE, APPEND with a date; parts decoded on the way;
// mailbox events. The session itself (connect, login, the run loop) is in imap_client.cpp.

#include <mailwire/imap/fetch_items.hpp>
#include <mailwire/imap/search_query.hpp>
#include <mailwire/mime/encoding.hpp>

#include "imap/client_impl.hpp"
#include "imap/wire_decoder.hpp"

#include <ctime>

namespace mailwire {

using imap::Command;
using imap::Response;

using imap::detail::iequals;
using imap::detail::to_upper;

void ImapClient::on_mailbox_event(std::function<void(const MailboxEvent&)> handler) {
  impl_->on_event = std::move(handler);
}

MailboxInfo ImapClient::select(const std::string& mailbox, const SelectOptions& options) {
  Impl& m = *impl_;
  if ((options.condstore || options.qresync) && !caps_.has("CONDSTORE") && !caps_.has("QRESYNC")) {
    throw Error(Errc::rejected, "imap: the server does not offer CONDSTORE");
  }
  if (options.qresync) {
    if (!caps_.has("QRESYNC"))
      throw Error(Errc::rejected, "imap: the server does not offer QRESYNC");
    // RFC 7162 3.2.3: QRESYNC must be enabled before SELECT uses it.
    if (!m.qresync_enabled) {
      const auto enabled = enable({"QRESYNC"});
      if (std::find(enabled.begin(), enabled.end(), "QRESYNC") == enabled.end())
        throw Error(Errc::rejected, "imap: the server did not enable QRESYNC");
    }
  }
  mailbox_ = {};
  const char* verb = options.read_only ? "EXAMINE" : "SELECT";
  Command cmd(verb);
  cmd.mailbox(mailbox);
  if (options.qresync) {
    const auto& q = *options.qresync;
    cmd.open_list().atom("QRESYNC").open_list().number(q.uid_validity).number(q.modseq);
    if (!q.known_uids.empty()) cmd.sequence_set(q.known_uids);
    cmd.close_list().close_list();
  } else if (options.condstore) {
    cmd.open_list().atom("CONDSTORE").close_list();
  }
  const std::string what = std::string(verb) + " " + mailbox;
  const Response r = m.run(
      cmd,
      [&](const Response& x) {
        if (const auto* f = x.get<imap::FetchData>()) mailbox_.changed.push_back(*f);
      },
      what);
  Impl::check(r, what);
  mailbox_.name = mailbox;
  mailbox_.read_only = options.read_only || r.code.kind == imap::ResponseCodeKind::ReadOnly;
  return mailbox_;
}

std::vector<std::uint32_t> ImapClient::expunge() {
  // A VANISHED range of 20 bytes may name a million UIDs: the expansion is capped over the
  // whole reply (checklist case 52). Past the cap the rest of the reply is still read (so the
  // connection stays in step) but not kept, and the call fails.
  const std::size_t cap = impl_->options.max_search_results;
  std::vector<std::uint32_t> out;
  bool over = false;
  Impl::check(impl_->run(
                  Command("EXPUNGE"),
                  [&](const Response& r) {
                    if (over) return;
                    if (const auto* x = r.get<imap::ExpungeData>()) {
                      if (out.size() == cap) over = true;
                      if (!over) out.push_back(x->seq);
                    }
                    if (const auto* v = r.get<imap::VanishedData>()) {
                      const auto uids = v->uids.numbers(cap - out.size());
                      if (!uids) {  // more than the room left (or a '*')
                        over = true;
                        return;
                      }
                      out.insert(out.end(), uids->begin(), uids->end());
                    }
                  },
                  "EXPUNGE"),
              "EXPUNGE");
  if (over) {
    throw Error(Errc::limit,
                fmt::format("imap: EXPUNGE reported more than {} removed messages "
                            "(ImapOptions::max_search_results)",
                            cap),
                Diagnostics::usable(Reason::reply_too_large).with_command("EXPUNGE"));
  }
  return out;
}

std::vector<ListEntry> ImapClient::list_extended(const std::string& reference,
                                                 const std::vector<std::string>& patterns,
                                                 const ListOptions& options) {
  const bool extended = !options.select.empty() || !options.return_options.empty() ||
                        !options.status_items.empty() || patterns.size() > 1;
  if (extended && !caps_.has("LIST-EXTENDED")) {
    throw Error(Errc::rejected, "imap: the server does not offer LIST-EXTENDED");
  }
  if (!options.status_items.empty() && !caps_.has("LIST-STATUS")) {
    throw Error(Errc::rejected, "imap: the server does not offer LIST-STATUS");
  }
  const auto special_use = [](const std::vector<std::string>& v) {
    return std::any_of(v.begin(), v.end(),
                       [](const std::string& o) { return iequals(o, "SPECIAL-USE"); });
  };
  if ((special_use(options.select) || special_use(options.return_options)) &&
      !caps_.has("SPECIAL-USE")) {
    throw Error(Errc::rejected, "imap: the server does not offer SPECIAL-USE");
  }
  if (patterns.empty()) throw Error(Errc::usage, "imap: LIST needs at least one pattern");
  Command cmd("LIST");
  if (!options.select.empty()) {
    cmd.open_list();
    for (const std::string& o : options.select)
      cmd.atom(o);
    cmd.close_list();
  }
  if (reference.empty()) {
    cmd.string("");
  } else {
    cmd.mailbox(reference);
  }
  if (patterns.size() == 1) {
    cmd.mailbox(patterns.front());
  } else {
    cmd.open_list();
    for (const std::string& p : patterns)
      cmd.mailbox(p);
    cmd.close_list();
  }
  if (!options.return_options.empty() || !options.status_items.empty()) {
    cmd.atom("RETURN").open_list();
    for (const std::string& o : options.return_options)
      cmd.atom(o);
    if (!options.status_items.empty()) Impl::atom_list(cmd.atom("STATUS"), options.status_items);
    cmd.close_list();
  }
  std::vector<ListEntry> out;
  Impl::check(impl_->run(
                  cmd,
                  [&](const Response& r) {
                    if (const auto* l = r.get<imap::ListData>()) {
                      out.push_back({*l, std::nullopt});
                    } else if (const auto* st = r.get<imap::StatusData>()) {
                      // RFC 5819: the STATUS follows its mailbox's LIST response.
                      for (auto it = out.rbegin(); it != out.rend(); ++it) {
                        if (it->mailbox.mailbox == st->mailbox) {
                          it->status = *st;
                          break;
                        }
                      }
                    }
                  },
                  "LIST"),
              "LIST");
  return out;
}

std::vector<imap::ListData> ImapClient::lsub(const std::string& reference,
                                             const std::string& pattern) {
  return impl_->collect<imap::ListData>(Impl::list_command("LSUB", reference, pattern), "LSUB");
}

SearchResult ImapClient::search(const imap::SearchKey& query, bool uid) {
  Impl& m = *impl_;
  imap::SearchOptions options;
  options.uid = uid;
  options.utf8_enabled = m.utf8;
  const bool esearch = caps_.has("ESEARCH");
  if (esearch) options.return_options = {"MIN", "MAX", "COUNT", "ALL"};
  const Command cmd = imap::make_search_command(query, options);
  SearchResult out;
  bool got_esearch = false;
  const char* what = uid ? "UID SEARCH" : "SEARCH";
  Impl::check(m.run(
                  cmd,
                  [&](const Response& r) {
                    if (const auto* sd = r.get<imap::SearchData>()) {
                      out.numbers.insert(out.numbers.end(), sd->numbers.begin(), sd->numbers.end());
                      if (sd->modseq) out.modseq = sd->modseq;
                    } else if (const auto* es = r.get<imap::ESearchData>()) {
                      got_esearch = true;
                      out.min = es->min;
                      out.max = es->max;
                      if (es->modseq) out.modseq = es->modseq;
                      if (es->all) {
                        const auto numbers = es->all->numbers(m.options.max_search_results);
                        if (!numbers) {
                          throw Error(Errc::limit,
                                      "imap: the search matched more messages than "
                                      "ImapOptions::max_search_results");
                        }
                        out.numbers = *numbers;
                      }
                      out.count =
                          es->count ? *es->count : static_cast<std::uint32_t>(out.numbers.size());
                    }
                  },
                  what),
              what);
  if (!got_esearch) {
    std::sort(out.numbers.begin(), out.numbers.end());
    out.numbers.erase(std::unique(out.numbers.begin(), out.numbers.end()), out.numbers.end());
    out.count = static_cast<std::uint32_t>(out.numbers.size());
    if (!out.numbers.empty()) {
      out.min = out.numbers.front();
      out.max = out.numbers.back();
    }
  }
  return out;
}

void ImapClient::fetch(const imap::SequenceSet& set, const std::vector<imap::FetchItem>& items,
                       const imap::FetchOptions& options,
                       const std::function<void(const imap::FetchData&)>& on_message,
                       const ByteSink& body_sink) {
  Impl& m = *impl_;
  if (options.changed_since && !caps_.has("CONDSTORE") && !caps_.has("QRESYNC"))
    throw Error(Errc::rejected, "imap: CHANGEDSINCE needs CONDSTORE, which the server lacks");
  if (options.vanished && !m.qresync_enabled)
    throw Error(Errc::usage, "imap: VANISHED needs QRESYNC enabled (select with qresync)");
  const Command cmd = imap::make_fetch_command(set, items, options);
  const char* what = options.uid ? "UID FETCH" : "FETCH";
  m.run_fetch(cmd, what, on_message, body_sink);
}

std::uint64_t ImapClient::fetch_part(std::uint32_t uid, const std::string& section,
                                     const std::string& transfer_encoding, const ByteSink& sink,
                                     const ProgressCallback& progress) {
  if (section.empty() || section.find_first_not_of("0123456789.") != std::string::npos) {
    throw Error(Errc::usage, "imap: a part is a section number like \"2\" or \"1.3\"");
  }
  const std::string encoding = to_upper(transfer_encoding);
  const bool needs_decoding = encoding == "BASE64" || encoding == "QUOTED-PRINTABLE";
  std::uint64_t decoded_size = 0;
  const ByteSink counted = [&](std::string_view chunk) {
    decoded_size += chunk.size();
    if (!chunk.empty()) sink(chunk);
  };
  if (needs_decoding && caps_.has("BINARY")) {
    // RFC 3516: the server decodes; the bytes arrive as they were before encoding.
    Impl& m = *impl_;
    const Command cmd =
        imap::make_fetch_command(imap::SequenceSet().add(uid),
                                 {imap::FetchItem::uid(), imap::FetchItem::binary_peek(section)},
                                 imap::FetchOptions{true, std::nullopt, false});
    const Impl::SectionFetch r = m.fetch_one_section(cmd, uid, counted, progress);
    // UNKNOWN-CTE: the server cannot decode it; fall back to decoding here.
    if (r.tagged.status == imap::Status::No && iequals(r.tagged.code.name, "UNKNOWN-CTE")) {
      return fetch_part_decoding_here(uid, section, encoding, sink, progress);
    }
    Impl::check(r.tagged, "UID FETCH");
    if (!r.found) {
      throw Error(Errc::rejected, fmt::format("imap: message UID {} does not exist", uid));
    }
    return decoded_size;
  }
  return fetch_part_decoding_here(uid, section, encoding, sink, progress);
}

std::uint64_t ImapClient::fetch_part_decoding_here(std::uint32_t uid, const std::string& section,
                                                   const std::string& encoding,
                                                   const ByteSink& sink,
                                                   const ProgressCallback& progress) {
  std::uint64_t decoded_size = 0;
  std::string out;
  const auto deliver = [&] {
    decoded_size += out.size();
    if (!out.empty()) sink(out);
    out.clear();
  };
  // The section through a streaming decoder (both have feed(bytes, out) and finish(out)).
  const auto decode_with = [&](auto decoder) {
    fetch_section(
        uid, section,
        [&](std::string_view chunk) {
          decoder.feed(chunk, out);
          deliver();
        },
        progress);
    decoder.finish(out);
    deliver();
    return decoded_size;
  };
  if (encoding == "BASE64") return decode_with(mime::Base64Decoder());
  if (encoding == "QUOTED-PRINTABLE") return decode_with(mime::QuotedPrintableDecoder());
  return fetch_section(uid, section, sink, progress);
}

SearchResult ImapClient::uid_search(const imap::SearchKey& query) {
  return search(query, true);
}

void ImapClient::uid_fetch(const imap::SequenceSet& uids, const std::vector<imap::FetchItem>& items,
                           const imap::FetchOptions& options,
                           const std::function<void(const imap::FetchData&)>& on_message,
                           const ByteSink& body_sink) {
  imap::FetchOptions with_uid = options;
  with_uid.uid = true;
  fetch(uids, items, with_uid, on_message, body_sink);
}

StoreResult ImapClient::uid_store(const imap::SequenceSet& uids, imap::StoreMode mode,
                                  const std::vector<std::string>& flags,
                                  const imap::StoreOptions& options) {
  imap::StoreOptions with_uid = options;
  with_uid.uid = true;
  return store(uids, mode, flags, with_uid);
}

StoreResult ImapClient::store(const imap::SequenceSet& set, imap::StoreMode mode,
                              const std::vector<std::string>& flags,
                              const imap::StoreOptions& options) {
  if (options.unchanged_since && !caps_.has("CONDSTORE") && !caps_.has("QRESYNC"))
    throw Error(Errc::rejected, "imap: UNCHANGEDSINCE needs CONDSTORE, which the server lacks");
  const Command cmd = imap::make_store_command(set, mode, flags, options);
  const char* what = options.uid ? "UID STORE" : "STORE";
  StoreResult out;
  const Response r = impl_->run(
      cmd,
      [&](const Response& x) {
        if (const auto* f = x.get<imap::FetchData>()) out.updated.push_back(*f);
      },
      what);
  Impl::check(r, what);
  // RFC 7162 3.1.3: OK [MODIFIED set] lists what was not stored.
  if (iequals(r.code.name, "MODIFIED")) {
    if (const auto modified = imap::SequenceSet::parse(r.code.raw)) out.modified = *modified;
  }
  return out;
}

std::vector<std::uint32_t> ImapClient::uid_copy(const std::vector<std::uint32_t>& uids,
                                                const std::string& target) {
  if (uids.empty()) return {};
  Command cmd("UID COPY");
  cmd.sequence_set(imap::SequenceSet::from_numbers(uids)).mailbox(target);
  const Response r = impl_->run(cmd, {}, "UID COPY");
  Impl::check(r, "UID COPY");
  if (r.code.kind == imap::ResponseCodeKind::CopyUid) {
    if (const auto dest = r.code.dest_uids.numbers(uids.size())) return *dest;
  }
  return {};
}

}  // namespace mailwire
