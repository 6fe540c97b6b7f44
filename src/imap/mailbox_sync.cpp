// MailboxSync: an incremental synchronisation of one mailbox with a state file. See
// imap_sync.hpp for the crash-safety argument; the order below keeps it:
//   1. SELECT (with QRESYNC or CONDSTORE when used); a new UIDVALIDITY (or no state) is
//      written first as a fresh snapshot, so a reset is reported once.
//   2. Collect the changes (nothing is recorded while the server talks).
//   3. Hand each change to on_change, then append its record to the state file and fsync.
//   4. Write the final snapshot with the UIDNEXT and HIGHESTMODSEQ seen at SELECT: only now
//      does the next run start from them.
// Every record is idempotent against the server's answers: a flag change already recorded
// compares equal next time, a vanished UID no longer known is not reported, a new UID
// recorded is known. That is why step 4 may be lost without reporting anything twice.

#include <mailwire/error.hpp>
#include <mailwire/imap_sync.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

namespace mailwire {
namespace {

constexpr const char* kMagic = "mailwire-imap-sync 1";

[[noreturn]] void fail(const std::string& what, int err) {
  throw Error(Errc::io, fmt::format("imap sync state: {}: {}", what, std::strerror(err)));
}

void fsync_parent(const std::string& file) {
  const std::size_t slash = file.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : file.substr(0, slash + 1);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("cannot open " + dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL) fail("cannot sync " + dir, err);
}

void write_all(int fd, std::string_view data, const std::string& file) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write " + file, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Flags as compared and stored: sorted, without \Recent (a property of the session, not of
// the message), each an atom (the server's flags are; anything else would break the file).
std::vector<std::string> normal_flags(const std::vector<std::string>& flags) {
  std::vector<std::string> out;
  for (const std::string& f : flags) {
    if (f.empty() || f.size() > 256) continue;
    bool ok = true;
    for (const char c : f) {
      const auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u >= 0x7f) ok = false;
    }
    std::string lower(f);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ok && lower != "\\recent") out.push_back(f);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string flags_text(const std::vector<std::string>& flags) {
  std::string out;
  for (const std::string& f : flags)
    out += " " + f;
  return out;
}

std::string message_record(std::uint32_t uid, const std::vector<std::string>& flags) {
  return "m " + std::to_string(uid) + flags_text(flags) + "\n";
}

std::uint64_t number_of(const std::string& text, std::uint64_t max, const std::string& file) {
  if (text.empty() || text.size() > 20 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw Error(Errc::protocol, "imap sync state: " + file + ": bad number \"" + text + "\"");
  const unsigned long long v = std::stoull(text);
  if (v > max) throw Error(Errc::protocol, "imap sync state: " + file + ": number out of range");
  return v;
}

std::uint32_t uid_of(const std::string& text, const std::string& file) {
  return static_cast<std::uint32_t>(number_of(text, 0xffffffffu, file));
}

// The records after the snapshot's header: the same grammar, applied in order.
void apply_line(MailboxSyncState& s, const std::string& line, const std::string& file) {
  std::istringstream in(line);
  std::string key;
  in >> key;
  if (key == "mailbox") {
    std::string rest;
    std::getline(in, rest);
    s.mailbox = rest.empty() ? rest : rest.substr(1);
  } else if (key == "uidvalidity" || key == "reset") {
    std::string v;
    in >> v;
    s.uid_validity = uid_of(v, file);
    if (key == "reset") {
      s.uids.clear();
      s.uid_next = 0;
      s.highest_modseq = 0;
    }
  } else if (key == "uidnext") {
    std::string v;
    in >> v;
    s.uid_next = uid_of(v, file);
  } else if (key == "modseq") {
    std::string v;
    in >> v;
    s.highest_modseq = number_of(v, ~std::uint64_t{0}, file);
  } else if (key == "m") {
    std::string v;
    in >> v;
    std::vector<std::string> flags;
    for (std::string f; in >> f;)
      flags.push_back(f);
    s.uids[uid_of(v, file)] = std::move(flags);
  } else if (key == "x") {
    std::string v;
    in >> v;
    s.uids.erase(uid_of(v, file));
  } else if (!key.empty()) {
    throw Error(Errc::protocol, "imap sync state: " + file + ": unknown record \"" + key + "\"");
  }
}

// The state file, open for appending records while a sync runs.
class StateWriter {
 public:
  explicit StateWriter(std::string path) : path_(std::move(path)) {}
  ~StateWriter() { close_fd(); }
  StateWriter(const StateWriter&) = delete;
  StateWriter& operator=(const StateWriter&) = delete;

  // Replaces the file with `s`, atomically and durably.
  void snapshot(const MailboxSyncState& s) {
    close_fd();
    std::string text = std::string(kMagic) + "\nmailbox " + s.mailbox + "\nuidvalidity " +
                       std::to_string(s.uid_validity) + "\nuidnext " + std::to_string(s.uid_next) +
                       "\nmodseq " + std::to_string(s.highest_modseq) + "\n";
    for (const auto& [uid, flags] : s.uids)
      text += message_record(uid, flags);
    const std::string tmp = path_ + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail("cannot create " + tmp, errno);
    try {
      write_all(fd, text, tmp);
    } catch (...) {
      ::close(fd);
      throw;
    }
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) fail("cannot sync " + tmp, err);
    if (::rename(tmp.c_str(), path_.c_str()) != 0) fail("cannot replace " + path_, errno);
    fsync_parent(path_);
  }

  // Appends one record and makes it durable.
  void append(const std::string& record) {
    if (fd_ < 0) {
      fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
      if (fd_ < 0) fail("cannot open " + path_, errno);
    }
    write_all(fd_, record, path_);
    if (::fsync(fd_) != 0) fail("cannot sync " + path_, errno);
  }

 private:
  void close_fd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  std::string path_;
  int fd_ = -1;
};

SyncMethod choose(SyncMethod asked, const ImapClient& client) {
  const bool qresync = client.has_capability("QRESYNC");
  const bool condstore = qresync || client.has_capability("CONDSTORE");
  if ((asked == SyncMethod::Auto || asked == SyncMethod::QResync) && qresync)
    return SyncMethod::QResync;
  if (asked != SyncMethod::Plain && condstore) return SyncMethod::CondStore;
  return SyncMethod::Plain;
}

}  // namespace

MailboxSyncState MailboxSync::load_state(const std::string& file) {
  MailboxSyncState s;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec) && !ec) return s;  // the first run
  std::ifstream in(file, std::ios::binary);
  if (!in) fail("cannot open " + file, errno);
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail("cannot read " + file, errno);
  std::size_t at = 0;
  bool first = true;
  while (at < content.size()) {
    const std::size_t nl = content.find('\n', at);
    if (nl == std::string::npos) break;  // a record cut by a crash: never completed
    const std::string line = content.substr(at, nl - at);
    at = nl + 1;
    if (first) {
      if (line != kMagic)
        throw Error(Errc::protocol, "imap sync state: " + file + " is not a state file");
      first = false;
      continue;
    }
    apply_line(s, line, file);
  }
  if (first && !content.empty())
    throw Error(Errc::protocol, "imap sync state: " + file + " is not a state file");
  return s;
}

MailboxSync::MailboxSync(std::string mailbox, std::string state_file)
    : state_file_(std::move(state_file)) {
  state_.mailbox = std::move(mailbox);
}

MailboxSyncResult MailboxSync::sync(ImapClient& client, const MailboxSyncOptions& options) {
  const std::string mailbox = state_.mailbox;
  if (mailbox.find_first_of("\r\n") != std::string::npos || mailbox.empty())
    throw Error(Errc::usage, "imap sync: bad mailbox name");
  MailboxSyncState s = load_state(state_file_);
  if (s.uid_validity != 0 && s.mailbox != mailbox) {
    throw Error(Errc::usage, "imap sync: " + state_file_ + " is the state of mailbox \"" +
                                 s.mailbox + "\", not \"" + mailbox + "\"");
  }
  s.mailbox = mailbox;
  state_ = s;

  MailboxSyncResult result;
  result.method = choose(options.method, client);
  const bool have_modseq = s.uid_validity != 0 && s.highest_modseq != 0;
  SelectOptions select;
  if (result.method == SyncMethod::QResync && have_modseq) {
    SelectOptions::QResync q;
    q.uid_validity = s.uid_validity;
    q.modseq = s.highest_modseq;
    std::vector<std::uint32_t> known;
    known.reserve(s.uids.size());
    for (const auto& entry : s.uids)
      known.push_back(entry.first);
    q.known_uids = imap::SequenceSet::from_numbers(known);
    select.qresync = std::move(q);
  } else if (result.method != SyncMethod::Plain) {
    select.condstore = true;
  }
  const MailboxInfo info = client.select(mailbox, select);
  result.uid_validity = info.uid_validity;
  if (info.uid_validity == 0)
    throw Error(Errc::protocol, "imap sync: the server sent no UIDVALIDITY for " + mailbox);

  StateWriter writer(state_file_);
  std::vector<MailboxChange> changes;
  const auto change = [&](MailboxChange::Kind kind, std::uint32_t uid,
                          std::vector<std::string> flags) {
    MailboxChange c;
    c.kind = kind;
    c.uid = uid;
    c.uid_validity = info.uid_validity;
    c.flags = std::move(flags);
    changes.push_back(std::move(c));
  };

  bool everything_new = false;
  if (s.uid_validity == 0 || s.uid_validity != info.uid_validity) {
    // First run, or the mailbox was recreated: a fresh state, written before anything is
    // reported, so that a reset is reported once and the next run goes on from here.
    if (s.uid_validity != 0) {
      MailboxChange reset;
      reset.kind = MailboxChange::Kind::Reset;
      reset.uid_validity = info.uid_validity;
      if (options.on_change) options.on_change(reset);
      result.changes.push_back(reset);
    } else {
      result.first_run = true;
    }
    s.uids.clear();
    s.uid_validity = info.uid_validity;
    s.uid_next = 0;
    s.highest_modseq = 0;
    writer.snapshot(s);
    state_ = s;
    everything_new = true;
  }

  // What the server says now, per UID (flags), from the fetches below.
  std::map<std::uint32_t, std::vector<std::string>> fresh;
  const auto collect = [&](const imap::FetchData& f) {
    if (f.uid && f.flags) fresh[*f.uid] = normal_flags(*f.flags);
  };
  imap::FetchOptions uid_fetch;
  uid_fetch.uid = true;
  const std::vector<imap::FetchItem> items{imap::FetchItem::uid(), imap::FetchItem::flags()};
  const bool use_qresync = !everything_new && select.qresync.has_value();
  const bool use_changedsince = !everything_new && !use_qresync &&
                                result.method != SyncMethod::Plain && s.highest_modseq != 0 &&
                                !info.no_modseq && info.highest_modseq.has_value();
  std::set<std::uint32_t> vanished;
  if (use_qresync || use_changedsince) {
    if (use_qresync) {
      for (const imap::FetchData& f : info.changed)
        collect(f);
      for (const auto& entry : s.uids) {
        if (info.vanished.contains(entry.first)) vanished.insert(entry.first);
      }
    } else {
      imap::FetchOptions since = uid_fetch;
      since.changed_since = s.highest_modseq;
      if (info.exists > 0) client.fetch(imap::SequenceSet::all(), items, since, collect);
      // Without QRESYNC, what vanished is what is no longer there (RFC 7162 section 3.1).
      std::set<std::uint32_t> present;
      if (info.exists > 0) {
        const SearchResult all = client.uid_search(imap::SearchKey::all());
        present.insert(all.numbers.begin(), all.numbers.end());
      }
      for (const auto& entry : s.uids) {
        if (present.count(entry.first) == 0) vanished.insert(entry.first);
      }
    }
    // New messages: from the first UID not seen before.
    const std::uint32_t from = std::max<std::uint32_t>(s.uid_next, 1);
    if (info.exists > 0) {
      client.fetch(imap::SequenceSet::range(from, imap::SequenceRange::star), items, uid_fetch,
                   collect);
    }
  } else {
    if (info.exists > 0) client.fetch(imap::SequenceSet::all(), items, uid_fetch, collect);
    if (!everything_new) {
      for (const auto& entry : s.uids) {
        if (fresh.count(entry.first) == 0) vanished.insert(entry.first);
      }
    }
  }

  // New (a UID on the server and not in the state), then flag changes, then vanished.
  std::uint32_t highest = 0;
  for (const auto& [uid, flags] : fresh) {
    highest = std::max(highest, uid);
    if (s.uids.count(uid) == 0) change(MailboxChange::Kind::New, uid, flags);
  }
  for (const auto& [uid, flags] : fresh) {
    const auto known = s.uids.find(uid);
    if (known != s.uids.end() && known->second != flags)
      change(MailboxChange::Kind::Flags, uid, flags);
  }
  for (const std::uint32_t uid : vanished)
    change(MailboxChange::Kind::Vanished, uid, {});

  for (MailboxChange& c : changes) {
    if (options.on_change) options.on_change(c);
    if (c.kind == MailboxChange::Kind::Vanished) {
      writer.append("x " + std::to_string(c.uid) + "\n");
      s.uids.erase(c.uid);
    } else {
      writer.append(message_record(c.uid, c.flags));
      s.uids[c.uid] = c.flags;
    }
    state_ = s;
    result.changes.push_back(std::move(c));
  }

  s.uid_next = std::max<std::uint32_t>({info.uid_next, highest + 1, s.uid_next});
  s.highest_modseq = info.no_modseq ? 0 : info.highest_modseq.value_or(0);
  writer.snapshot(s);
  state_ = s;
  return result;
}

}  // namespace mailwire
