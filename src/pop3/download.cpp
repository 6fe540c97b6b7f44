// The POP3-to-Maildir download job. See pop3_download.hpp for the crash-safety argument; the
// code below keeps its steps in that order.

#include <mailwire/error.hpp>
#include <mailwire/pop3_download.hpp>

#include "detail/digest.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <unordered_set>

namespace mailwire {
namespace {

[[noreturn]] void fail(const std::string& what, int err) {
  throw Error(Errc::io, fmt::format("pop3 state: {}: {}", what, std::strerror(err)));
}

void fsync_parent(const std::string& file) {
  const std::size_t slash = file.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : file.substr(0, slash + 1);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("cannot open " + dir, errno);
  ::fsync(fd);
  ::close(fd);
}

void write_all_fd(int fd, std::string_view data, const std::string& file) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write " + file, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

// The set of UIDs already downloaded: a snapshot file replaced atomically (write temp, fsync,
// rename, fsync dir) plus an append-only journal fsynced after each record, so recording one
// message costs one small append whatever the size of the maildrop. A torn last journal line
// (a crash mid-append) has no newline and is ignored.
class StateFile {
 public:
  explicit StateFile(std::string path) : path_(std::move(path)), journal_(path_ + ".journal") {
    load(path_);
    load(journal_);
  }
  ~StateFile() {
    if (journal_fd_ >= 0) ::close(journal_fd_);
  }
  StateFile(const StateFile&) = delete;
  StateFile& operator=(const StateFile&) = delete;

  bool contains(const std::string& uid) const { return uids_.count(uid) != 0; }

  void record(const std::string& uid) {
    if (!uids_.insert(uid).second) return;
    if (journal_fd_ < 0) {
      journal_fd_ = ::open(journal_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (journal_fd_ < 0) fail("cannot open " + journal_, errno);
      fsync_parent(journal_);
    }
    write_all_fd(journal_fd_, uid + "\n", journal_);
    if (::fsync(journal_fd_) != 0) fail("cannot sync " + journal_, errno);
  }

  // Keeps only `keep` (the UIDs still on the server) and folds the journal into the snapshot.
  void compact(const std::set<std::string>& keep) {
    std::string text = "# mailwire pop3 state v1\n";
    for (const std::string& uid : uids_) {
      if (keep.count(uid) != 0) text += uid + "\n";
    }
    const std::string tmp = path_ + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail("cannot create " + tmp, errno);
    write_all_fd(fd, text, tmp);
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) fail("cannot sync " + tmp, errno);
    if (::rename(tmp.c_str(), path_.c_str()) != 0) fail("cannot replace " + path_, errno);
    fsync_parent(path_);
    if (journal_fd_ >= 0) {
      ::close(journal_fd_);
      journal_fd_ = -1;
    }
    ::unlink(journal_.c_str());
  }

 private:
  void load(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return;
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t at = 0;
    while (at < content.size()) {
      const std::size_t nl = content.find('\n', at);
      if (nl == std::string::npos) break;  // torn last line
      const std::string line = content.substr(at, nl - at);
      if (!line.empty() && line[0] != '#') uids_.insert(line);
      at = nl + 1;
    }
  }

  std::string path_;
  std::string journal_;
  std::set<std::string> uids_;
  int journal_fd_ = -1;
};

std::string tag_for(const std::string& account, const std::string& uid) {
  return detail::sha256_hex(account + "\n" + uid).substr(0, 24);
}

}  // namespace

Pop3DownloadResult download_to_maildir(Pop3Client& client, Maildir& maildir,
                                       const Pop3DownloadOptions& options) {
  Pop3DownloadResult result;
  const std::string account = client.account();
  const std::string state_path =
      options.state_file.empty()
          ? maildir.path() + "/mailwire-pop3-state-" + detail::sha256_hex(account).substr(0, 16)
          : options.state_file;

  const std::vector<Pop3ListEntry> listing = client.list();
  result.on_server = listing.size();
  std::map<std::uint32_t, std::string> uids;  // number -> identity
  bool identified = true;
  try {
    for (Pop3UidlEntry& e : client.uidl())
      uids[e.number] = std::move(e.uid);
  } catch (const Error& e) {
    if (e.kind() != Errc::rejected) throw;  // no UIDL: identify by header hash below
    for (const Pop3ListEntry& entry : listing) {
      std::string header;
      try {
        client.top(entry.number, 0, [&](std::string_view chunk) {
          if (header.size() < 1024 * 1024) header.append(chunk);
        });
      } catch (const Error& top_error) {
        if (top_error.kind() != Errc::rejected) throw;
        identified = false;
        break;
      }
      uids[entry.number] =
          fmt::format("h:{}:{}", detail::sha256_hex(header).substr(0, 32), entry.size);
    }
  }
  if (!identified) {
    if (!options.delete_after) {
      throw Error(Errc::usage,
                  "pop3: the server has neither UIDL nor TOP, so new mail cannot be told from "
                  "mail downloaded before; use delete mode");
    }
    uids.clear();
  }

  StateFile state(state_path);
  std::unordered_set<std::string> tags;
  for (std::string& tag : maildir.tags())
    tags.insert(std::move(tag));

  std::vector<std::uint32_t> durable;  // safe to delete
  std::set<std::string> on_server;
  for (const Pop3ListEntry& entry : listing) {
    Pop3DownloadEvent event;
    event.number = entry.number;
    event.size = entry.size;
    const auto found = uids.find(entry.number);
    if (found != uids.end()) {
      event.uid = found->second;
      on_server.insert(event.uid);
      const std::string tag = tag_for(account, event.uid);
      if (state.contains(event.uid) || tags.count(tag) != 0) {
        state.record(event.uid);  // a crash after delivery and before recording: record now
        event.action = Pop3DownloadEvent::Action::Known;
        ++result.known;
        durable.push_back(entry.number);
        if (options.on_message) options.on_message(event);
        continue;
      }
      event.file = maildir.deliver(
          [&](const ByteSink& sink) {
            client.retr(entry.number, sink, options.progress, entry.size);
          },
          tag);
      state.record(event.uid);
    } else {
      event.file = maildir.deliver([&](const ByteSink& sink) {
        client.retr(entry.number, sink, options.progress, entry.size);
      });
    }
    event.action = Pop3DownloadEvent::Action::Downloaded;
    ++result.downloaded;
    durable.push_back(entry.number);
    if (options.on_message) options.on_message(event);
  }

  if (options.delete_after && !durable.empty()) {
    client.dele(durable);
  }
  client.quit();
  if (options.delete_after) result.deleted = durable.size();
  // Entries for messages no longer on the server are dropped; those deleted just now are
  // dropped on the next run, once the server's listing confirms they are gone.
  if (identified) state.compact(on_server);
  return result;
}

}  // namespace mailwire
