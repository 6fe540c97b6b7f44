#include <mailwire/error.hpp>
#include <mailwire/maildir.hpp>

#include <fmt/format.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

namespace mailwire {
namespace {

[[noreturn]] void fail(const std::string& what, int err) {
  throw Error(Errc::io, fmt::format("maildir: {}: {}", what, std::strerror(err)));
}

void make_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) fail("cannot create " + dir, errno);
}

void fsync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("cannot open " + dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) fail("cannot sync " + dir, err);
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) fail("cannot list " + dir, errno);
  while (const dirent* e = ::readdir(d.get())) {
    if (e->d_name[0] == '.') continue;
    out.emplace_back(e->d_name);
  }
  return out;
}

// The "R<tag>" part of a unique name "sec.M<usec>P<pid>Q<n>R<tag>.host[:2,flags]".
std::string_view tag_of(std::string_view name) {
  const std::size_t first_dot = name.find('.');
  if (first_dot == std::string_view::npos) return {};
  const std::size_t second_dot = name.find('.', first_dot + 1);
  const std::string_view middle = name.substr(first_dot + 1, second_dot - first_dot - 1);
  const std::size_t r = middle.find('R');
  if (r == std::string_view::npos) return {};
  return middle.substr(r + 1);
}

}  // namespace

Maildir::Maildir(std::string path, bool create) : path_(std::move(path)) {
  if (path_.empty()) throw Error(Errc::usage, "maildir: empty path");
  while (path_.size() > 1 && path_.back() == '/')
    path_.pop_back();
  if (create) {
    make_dir(path_);
    for (const char* sub : {"/tmp", "/new", "/cur"})
      make_dir(path_ + sub);
  }
  for (const char* sub : {"/tmp", "/new", "/cur"}) {
    struct stat st {};
    if (::stat((path_ + sub).c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      throw Error(Errc::io, fmt::format("maildir: {} is not a Maildir (no {})", path_, sub + 1));
    }
  }
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  // The spec: '/' and ':' in the host name are written as \057 and \072.
  for (const char* p = host; *p != '\0'; ++p) {
    if (*p == '/') {
      hostname_ += "\\057";
    } else if (*p == ':') {
      hostname_ += "\\072";
    } else {
      hostname_ += *p;
    }
  }
  if (hostname_.empty()) hostname_ = "localhost";
}

std::string Maildir::unique_name(std::string_view tag) {
  for (const char c : tag) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) {
      throw Error(Errc::usage, "maildir: a tag is letters and digits only");
    }
  }
  if (tag.size() > 64) throw Error(Errc::usage, "maildir: tag longer than 64 characters");
  timeval tv{};
  ::gettimeofday(&tv, nullptr);
  std::string name = fmt::format("{}.M{}P{}Q{}", tv.tv_sec, tv.tv_usec, ::getpid(), ++deliveries_);
  if (!tag.empty()) {
    name += 'R';
    name += tag;
  }
  name += '.';
  name += hostname_;
  return name;
}

std::string Maildir::deliver(const std::function<void(const ByteSink&)>& write,
                             std::string_view tag) {
  const std::string name = unique_name(tag);
  const std::string tmp = path_ + "/tmp/" + name;
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create " + tmp, errno);
  bool done = false;
  struct Cleanup {
    int fd;
    const std::string& file;
    bool& done;
    ~Cleanup() {
      if (fd >= 0) ::close(fd);
      if (!done) ::unlink(file.c_str());
    }
  } cleanup{fd, tmp, done};

  std::string buffer;
  buffer.reserve(64 * 1024);
  const auto flush = [&] {
    std::size_t at = 0;
    while (at < buffer.size()) {
      const ssize_t n = ::write(fd, buffer.data() + at, buffer.size() - at);
      if (n < 0) {
        if (errno == EINTR) continue;
        fail("cannot write " + tmp, errno);
      }
      at += static_cast<std::size_t>(n);
    }
    buffer.clear();
  };
  write([&](std::string_view chunk) {
    if (buffer.size() + chunk.size() > buffer.capacity()) flush();
    if (chunk.size() >= buffer.capacity()) {
      buffer.assign(chunk);
      flush();
    } else {
      buffer.append(chunk);
    }
  });
  flush();
  if (::fsync(fd) != 0) fail("cannot sync " + tmp, errno);
  const int rc = ::close(cleanup.fd);
  cleanup.fd = -1;
  if (rc != 0) fail("cannot close " + tmp, errno);
  const std::string target = path_ + "/new/" + name;
  if (::rename(tmp.c_str(), target.c_str()) != 0) fail("cannot move into " + target, errno);
  done = true;
  fsync_dir(path_ + "/new");
  return name;
}

std::string Maildir::deliver_bytes(std::string_view message, std::string_view tag) {
  return deliver([&](const ByteSink& sink) { sink(message); }, tag);
}

std::vector<std::string> Maildir::tags() const {
  std::vector<std::string> out;
  for (const char* sub : {"/new", "/cur"}) {
    for (const std::string& name : list_dir(path_ + sub)) {
      const std::string_view tag = tag_of(name);
      if (!tag.empty()) out.emplace_back(tag);
    }
  }
  return out;
}

std::vector<std::string> Maildir::new_messages() const {
  return list_dir(path_ + "/new");
}

void Maildir::clean_tmp() const {
  for (const std::string& name : list_dir(path_ + "/tmp")) {
    // The spec's rule: a file in tmp/ untouched for 36 hours is abandoned.
    const std::string file = path_ + "/tmp/" + name;
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && st.st_mtime + 36 * 3600 < std::time(nullptr)) {
      ::unlink(file.c_str());
    }
  }
}

}  // namespace mailwire
