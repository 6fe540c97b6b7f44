// directory_outbox(): the Maildir-like outbox of a Sender.
//
// Theory of operation. A message is a folder DIR/<state>/ID holding `message` (the bytes to
// send), `state` (label, envelope, attempts, the recipients already done) and, once ended,
// `result`. A state change is one rename(2) of that folder, made durable by an fsync of the
// folder it lands in (ext4 and XFS journal a rename as one operation; resume() also copes
// with a folder seen in two states: the later state wins). Files are written whole, fsync'd,
// then published by a rename, so no reader ever sees half of one:
//   put:          tmp/ID (message, state; each fsync'd; the folder fsync'd) -> pending/ID
//   mark_sending: pending/ID -> sending/ID
//   mark_pending: sending/ID/state rewritten (state.new -> state) -> pending/ID
//   finish:       <state>/ID/result written (result.new -> result) -> sent|failed|unknown/ID
// At open, a flock on DIR/lock keeps a second process out, and whatever tmp/ holds (puts cut
// by a crash, never acknowledged) is removed.

#include <mailwire/error.hpp>
#include <mailwire/outbox.hpp>

#include <fmt/format.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <sstream>

namespace mailwire {

Outbox::~Outbox() = default;

namespace {

enum class Where { tmp, pending, sending, sent, failed, unknown };
constexpr const char* where_names[] = {"tmp", "pending", "sending", "sent", "failed", "unknown"};

[[noreturn]] void io_error(const std::string& what, const std::string& path) {
  const int saved = errno;
  throw Error(Errc::io, fmt::format("outbox: {} {}: {}", what, path, std::strerror(saved)));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

void fsync_path(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) io_error("cannot open", path);
  if (::fsync(fd.get()) != 0) io_error("cannot fsync", path);
}

void write_all(int fd, const char* data, std::size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      io_error("cannot write", path);
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
}

// Writes `bytes` to `path` (created anew) and fsyncs it.
void write_file(const std::string& path, const std::string& bytes) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) io_error("cannot create", path);
  write_all(fd.get(), bytes.data(), bytes.size(), path);
  if (::fsync(fd.get()) != 0) io_error("cannot fsync", path);
}

// Replaces `dir/name` by `bytes`, durably: dir/name.new, fsync, rename, fsync of dir.
void replace_file(const std::string& dir, const std::string& name, const std::string& bytes) {
  const std::string fresh = dir + "/" + name + ".new";
  write_file(fresh, bytes);
  if (::rename(fresh.c_str(), (dir + "/" + name).c_str()) != 0) io_error("cannot rename", fresh);
  fsync_path(dir);
}

bool read_file(const std::string& path, std::string& out) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return false;
  out.clear();
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > 16 * 1024 * 1024) return false;  // not a state file
  }
}

// Values go one per line: '%', CR and LF are %-escaped.
std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}

std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const std::string_view hex = s.substr(i + 1, 2);
      if (hex == "25" || hex == "0D" || hex == "0A") {
        out += hex == "25" ? '%' : hex == "0D" ? '\r' : '\n';
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::string reply_text(const SmtpReply& reply) {
  std::string text;
  for (std::size_t i = 0; i < reply.lines.size(); ++i)
    text += (i ? " " : "") + reply.lines[i];
  return text;
}

std::int64_t to_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

struct Record {
  std::string label;
  SmtpEnvelope envelope;
  int attempts = 0;
  std::int64_t not_before_ms = 0;
  std::vector<SmtpRecipientResult> recipients;  // empty, or one per envelope recipient
};

std::string format_state(const Record& r) {
  std::string out = "mailwire-outbox 1\n";
  out += "label " + escape(r.label) + "\n";
  out += "sender " + escape(r.envelope.sender) + "\n";
  for (const auto& to : r.envelope.recipients)
    out += "rcpt " + escape(to) + "\n";
  if (!r.envelope.dsn_notify.empty()) out += "notify " + escape(r.envelope.dsn_notify) + "\n";
  if (!r.envelope.dsn_ret.empty()) out += "ret " + escape(r.envelope.dsn_ret) + "\n";
  if (!r.envelope.dsn_envid.empty()) out += "envid " + escape(r.envelope.dsn_envid) + "\n";
  out += fmt::format("attempts {}\nnot-before {}\n", r.attempts, r.not_before_ms);
  for (std::size_t i = 0; i < r.recipients.size(); ++i) {
    const SmtpRecipientResult& x = r.recipients[i];
    if (x.phase == Phase::none) continue;  // still to send
    out +=
        fmt::format("done {} {} {} {} {}\n", i, x.accepted ? 1 : 0, x.reply.code,
                    x.reply.enhanced.empty() ? "-" : x.reply.enhanced, escape(reply_text(x.reply)));
  }
  return out;
}

bool parse_state(const std::string& text, Record& r) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != "mailwire-outbox 1") return false;
  std::vector<std::pair<std::size_t, SmtpRecipientResult>> done;
  while (std::getline(in, line)) {
    const std::size_t sp = line.find(' ');
    const std::string key = line.substr(0, sp);
    const std::string value = sp == std::string::npos ? std::string() : line.substr(sp + 1);
    if (key == "label") {
      r.label = unescape(value);
    } else if (key == "sender") {
      r.envelope.sender = unescape(value);
    } else if (key == "rcpt") {
      r.envelope.recipients.push_back(unescape(value));
    } else if (key == "notify") {
      r.envelope.dsn_notify = unescape(value);
    } else if (key == "ret") {
      r.envelope.dsn_ret = unescape(value);
    } else if (key == "envid") {
      r.envelope.dsn_envid = unescape(value);
    } else if (key == "attempts") {
      r.attempts = std::atoi(value.c_str());
    } else if (key == "not-before") {
      r.not_before_ms = std::atoll(value.c_str());
    } else if (key == "done") {
      std::istringstream fields(value);
      std::size_t index = 0;
      int accepted = 0;
      SmtpRecipientResult x;
      std::string enhanced;
      if (!(fields >> index >> accepted >> x.reply.code >> enhanced)) return false;
      std::string said;
      std::getline(fields, said);
      if (!said.empty() && said[0] == ' ') said.erase(0, 1);
      x.accepted = accepted != 0;
      x.reply.enhanced = enhanced == "-" ? std::string() : enhanced;
      if (!said.empty()) x.reply.lines.push_back(unescape(said));
      x.phase = x.accepted ? Phase::done : Phase::envelope;
      done.emplace_back(index, std::move(x));
    }
  }
  if (!done.empty()) {
    r.recipients.resize(r.envelope.recipients.size());
    for (std::size_t i = 0; i < r.recipients.size(); ++i)
      r.recipients[i].address = r.envelope.recipients[i];
    for (auto& [index, x] : done) {
      if (index >= r.recipients.size()) return false;
      x.address = r.envelope.recipients[index];
      r.recipients[index] = std::move(x);
    }
  }
  return true;
}

std::string format_result(const SendOutcome& o) {
  std::string out = fmt::format("status {}\nattempts {}\n", to_string(o.status), o.attempts);
  if (!o.message_id.empty()) out += "message-id " + escape(o.message_id) + "\n";
  if (o.reply.code != 0) {
    out +=
        fmt::format("reply {} {} {}\n", o.reply.code,
                    o.reply.enhanced.empty() ? "-" : o.reply.enhanced, escape(reply_text(o.reply)));
  }
  for (const SmtpRecipientResult& r : o.recipients) {
    const char* what = r.accepted                     ? "accepted"
                       : r.phase == Phase::after_data ? "unknown"
                                                      : "refused";
    out +=
        fmt::format("recipient {} {} {} {} {}\n", escape(r.address), what, r.reply.code,
                    r.reply.enhanced.empty() ? "-" : r.reply.enhanced, escape(reply_text(r.reply)));
  }
  if (o.last_error) out += "error " + escape(o.last_error->what()) + "\n";
  return out;
}

// A file source that owns its descriptor (stays valid while its folder is renamed).
class FileSource final : public MessageSource {
 public:
  FileSource(int fd, std::uint64_t size) : fd_(fd), size_(size) {}
  ~FileSource() override { ::close(fd_); }
  std::uint64_t size() const override { return size_; }
  void rewind() override { at_ = 0; }
  std::size_t read(char* buffer, std::size_t capacity) override {
    for (;;) {
      const ssize_t n = ::pread(fd_, buffer, capacity, static_cast<off_t>(at_));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw Error(Errc::io, "outbox: cannot read a message");
      at_ += static_cast<std::uint64_t>(n);
      return static_cast<std::size_t>(n);
    }
  }

 private:
  int fd_;
  std::uint64_t size_;
  std::uint64_t at_ = 0;
};

class DirectoryOutbox final : public Outbox {
 public:
  explicit DirectoryOutbox(std::string path) : root_(std::move(path)) {
    while (root_.size() > 1 && root_.back() == '/')
      root_.pop_back();
    make_dir(root_);
    for (const char* name : where_names)
      make_dir(root_ + "/" + name);
    fsync_path(root_);
    lock_ = ::open((root_ + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_ < 0) io_error("cannot open", root_ + "/lock");
    if (::flock(lock_, LOCK_EX | LOCK_NB) != 0) {
      ::close(lock_);
      throw Error(Errc::usage, fmt::format("outbox: {} is in use by another process", root_),
                  Diagnostics::usable(Reason::invalid_argument));
    }
    // Puts cut by a crash were never acknowledged: forget them.
    for (const std::string& id : list(Where::tmp))
      remove_tree(dir(Where::tmp) + "/" + id);
  }
  ~DirectoryOutbox() override { ::close(lock_); }

  std::string put(const SmtpEnvelope& envelope, MessageSource& message,
                  const std::string& label) override {
    const std::string id = new_id();
    const std::string tmp = dir(Where::tmp) + "/" + id;
    if (::mkdir(tmp.c_str(), 0700) != 0) io_error("cannot create", tmp);
    try {
      {
        const std::string path = tmp + "/message";
        Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (fd.get() < 0) io_error("cannot create", path);
        message.rewind();
        std::string buf(64 * 1024, '\0');
        for (std::size_t n; (n = message.read(buf.data(), buf.size())) > 0;)
          write_all(fd.get(), buf.data(), n, path);
        if (::fsync(fd.get()) != 0) io_error("cannot fsync", path);
      }
      Record r;
      r.label = label;
      r.envelope = envelope;
      write_file(tmp + "/state", format_state(r));
      fsync_path(tmp);
      move(id, Where::tmp, Where::pending);
    } catch (...) {
      remove_tree(tmp);
      throw;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    where_[id] = Where::pending;
    return id;
  }

  void mark_sending(const std::string& id, int) override {
    const Where from = locate(id);
    if (from == Where::sending) {
      fsync_path(dir(Where::sending));
      return;
    }
    move(id, from, Where::sending);
    set(id, Where::sending);
  }

  void mark_pending(const std::string& id, const SendOutcome& so_far,
                    std::chrono::system_clock::time_point not_before) override {
    const Where from = locate(id);
    const std::string folder = dir(from) + "/" + id;
    std::string text;
    Record r;
    if (!read_file(folder + "/state", text) || !parse_state(text, r)) {
      throw Error(Errc::io, fmt::format("outbox: unreadable state of {}", id));
    }
    r.attempts = so_far.attempts;
    r.not_before_ms = to_ms(not_before);
    r.recipients = so_far.recipients;
    replace_file(folder, "state", format_state(r));
    if (from != Where::pending) {
      move(id, from, Where::pending);
      set(id, Where::pending);
    }
  }

  void finish(const std::string& id, const SendOutcome& outcome) override {
    const Where from = locate(id);
    const Where to = outcome.status == SendStatus::delivered ? Where::sent
                     : outcome.status == SendStatus::unknown ? Where::unknown
                                                             : Where::failed;
    replace_file(dir(from) + "/" + id, "result", format_result(outcome));
    move(id, from, to);
    std::lock_guard<std::mutex> lock(mutex_);
    where_.erase(id);
  }

  std::vector<OutboxEntry> resume() override {
    std::map<std::string, Where> seen;  // the latest state of each id
    for (Where w : {Where::pending, Where::sending, Where::sent, Where::failed, Where::unknown}) {
      for (const std::string& id : list(w))
        seen[id] = w;  // later states overwrite earlier ones
    }
    std::vector<OutboxEntry> out;
    for (const auto& [id, w] : seen) {
      if (w != Where::pending && w != Where::sending) {
        // A rename not yet durable may leave a stale copy in an earlier state: drop it.
        for (Where old : {Where::pending, Where::sending}) {
          const std::string stale = dir(old) + "/" + id;
          struct stat st {};
          if (::stat(stale.c_str(), &st) == 0) remove_tree(stale);
        }
        continue;
      }
      if (w == Where::sending) {
        const std::string stale = dir(Where::pending) + "/" + id;
        struct stat st {};
        if (::stat(stale.c_str(), &st) == 0) remove_tree(stale);
      }
      std::string text;
      Record r;
      if (!read_file(dir(w) + "/" + id + "/state", text) || !parse_state(text, r)) continue;
      OutboxEntry e;
      e.id = id;
      e.label = std::move(r.label);
      e.envelope = std::move(r.envelope);
      e.state = w == Where::sending ? OutboxEntry::State::sending : OutboxEntry::State::pending;
      e.so_far.attempts = r.attempts;
      e.so_far.recipients = std::move(r.recipients);
      e.not_before =
          std::chrono::system_clock::time_point(std::chrono::milliseconds(r.not_before_ms));
      {
        std::lock_guard<std::mutex> lock(mutex_);
        where_[id] = w;
      }
      out.push_back(std::move(e));
    }
    return out;
  }

  std::unique_ptr<MessageSource> open(const std::string& id) override {
    const std::string path = dir(locate(id)) + "/" + id + "/message";
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) io_error("cannot open", path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) io_error("cannot stat", path);
    return std::make_unique<FileSource>(fd.release(), static_cast<std::uint64_t>(st.st_size));
  }

 private:
  std::string dir(Where w) const { return root_ + "/" + where_names[static_cast<int>(w)]; }

  static void make_dir(const std::string& path) {
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) io_error("cannot create", path);
  }

  std::vector<std::string> list(Where w) const {
    std::vector<std::string> names;
    const std::string path = dir(w);
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) io_error("cannot read", path);
    while (const dirent* entry = ::readdir(d)) {
      const std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      names.push_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }

  static void remove_tree(const std::string& path) {
    if (DIR* d = ::opendir(path.c_str())) {
      while (const dirent* entry = ::readdir(d)) {
        const std::string name = entry->d_name;
        if (name == "." || name == "..") continue;
        ::unlink((path + "/" + name).c_str());
      }
      ::closedir(d);
    }
    ::rmdir(path.c_str());
  }

  void move(const std::string& id, Where from, Where to) {
    const std::string a = dir(from) + "/" + id;
    const std::string b = dir(to) + "/" + id;
    if (::rename(a.c_str(), b.c_str()) != 0) io_error("cannot move", a);
    fsync_path(dir(to));
  }

  Where locate(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = where_.find(id);
    if (it == where_.end()) {
      throw Error(Errc::usage, fmt::format("outbox: no unfinished message {}", id),
                  Diagnostics::usable(Reason::invalid_argument));
    }
    return it->second;
  }

  void set(const std::string& id, Where w) {
    std::lock_guard<std::mutex> lock(mutex_);
    where_[id] = w;
  }

  std::string new_id() {
    // Sorts in submission order: microseconds since the epoch, then a counter.
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    return fmt::format("{:017d}.{}.{:06d}", us, ::getpid(), ++counter_ % 1000000);
  }

  std::string root_;
  int lock_ = -1;
  std::mutex mutex_;
  std::map<std::string, Where> where_;  // unfinished messages and where they are
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace

std::shared_ptr<Outbox> directory_outbox(const std::string& path) {
  return std::make_shared<DirectoryOutbox>(path);
}

}  // namespace mailwire
