#include "support/interop_stack.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <vector>

namespace mailwire::test {
namespace {

std::string& reason() {
  static std::string r;
  return r;
}

std::string script() {
  return std::string(MAILWIRE_SOURCE_DIR) + "/scripts/interopstack.sh";
}

std::unique_ptr<InteropStack> start() {
  if (::geteuid() != 0) {
    reason() = "not root";
    return nullptr;
  }
  // One interop stack on the machine at a time: two Cyrus instances side by side (ctest -j2)
  // dropped IDLE connections now and then. The lock is held until this process exits, after
  // its stack is stopped; the other test processes wait for it (each test lasts seconds).
  const int lock = ::open("/tmp/mailwire-interop.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    reason() = "cannot lock /tmp/mailwire-interop.lock";
    return nullptr;
  }
  char tmpl[] = "/tmp/mailwire-interop-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    reason() = "mkdtemp failed";
    return nullptr;
  }
  auto stack = std::make_unique<InteropStack>();
  stack->dir = tmpl;
  const std::string log = stack->dir + "-start.log";
  const std::string command = "'" + script() + "' start '" + stack->dir + "' >'" + log + "' 2>&1";
  const int rc = std::system(command.c_str());
  if (rc != 0) {
    std::ifstream in(log);
    reason() = "interopstack.sh start failed: " +
               std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    const std::string cleanup = "'" + script() + "' stop '" + stack->dir + "' >/dev/null 2>&1";
    [[maybe_unused]] const int ignored = std::system(cleanup.c_str());
    return nullptr;
  }
  std::map<std::string, std::string> env;
  std::ifstream in(stack->dir + "/stack.env");
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  const auto port = [&](const char* key) {
    return static_cast<std::uint16_t>(std::stoi(env.at(key)));
  };
  stack->cyrus_imap_port = port("INTEROP_CYRUS_IMAP_PORT");
  stack->cyrus_imaps_port = port("INTEROP_CYRUS_IMAPS_PORT");
  stack->cyrus_pop3_port = port("INTEROP_CYRUS_POP3_PORT");
  stack->cyrus_pop3s_port = port("INTEROP_CYRUS_POP3S_PORT");
  stack->exim_submission_port = port("INTEROP_EXIM_SUBMISSION_PORT");
  stack->exim_submissions_port = port("INTEROP_EXIM_SUBMISSIONS_PORT");
  stack->exim_mail_dir = env.at("INTEROP_EXIM_MAIL_DIR");
  stack->ca_file = env.at("INTEROP_CA_FILE");
  static std::string dir_to_stop = stack->dir;
  std::atexit([] {
    const std::string stop = "'" + script() + "' stop '" + dir_to_stop +
                             "' >/dev/null 2>&1; rm -rf '" + dir_to_stop + "' '" + dir_to_stop +
                             "-start.log'";
    [[maybe_unused]] const int ignored = std::system(stop.c_str());
  });
  return stack;
}

std::vector<std::string> files_of(const std::string& maildir) {
  std::vector<std::string> files;
  for (const char* sub : {"/cur", "/new"}) {
    const std::string d = maildir + sub;
    if (DIR* handle = ::opendir(d.c_str())) {
      while (const dirent* e = ::readdir(handle)) {
        if (e->d_name[0] != '.') files.push_back(d + "/" + e->d_name);
      }
      ::closedir(handle);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

const InteropStack* InteropStack::get() {
  static const std::unique_ptr<InteropStack> stack = start();
  return stack.get();
}

const std::string& InteropStack::why_unavailable() {
  return reason();
}

std::size_t InteropStack::exim_count(const std::string& user) const {
  return files_of(exim_mail_dir + "/" + user + "/Maildir").size();
}

std::size_t InteropStack::exim_wait_for(const std::string& user, std::size_t count) const {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::size_t n = exim_count(user);
  while (n < count && std::chrono::steady_clock::now() < until) {
    ::usleep(50 * 1000);
    n = exim_count(user);
  }
  return n;
}

std::string InteropStack::exim_text(const std::string& user) const {
  std::string out;
  for (const std::string& f : files_of(exim_mail_dir + "/" + user + "/Maildir")) {
    std::ifstream in(f, std::ios::binary);
    out.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

void InteropStack::exim_clear(const std::string& user) const {
  for (const std::string& f : files_of(exim_mail_dir + "/" + user + "/Maildir"))
    ::unlink(f.c_str());
}

}  // namespace mailwire::test
