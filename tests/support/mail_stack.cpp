#include "support/mail_stack.hpp"

#include <mailwire/error.hpp>
#include <mailwire/net/stream.hpp>
#include <mailwire/net/tcp_transport.hpp>

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>

namespace mailwire::test {
namespace {

std::string& reason() {
  static std::string r;
  return r;
}

std::string script() {
  return std::string(MAILWIRE_SOURCE_DIR) + "/scripts/mailstack.sh";
}

std::unique_ptr<MailStack> start() {
  if (::geteuid() != 0) {
    reason() = "not root";
    return nullptr;
  }
  if (std::system("command -v dovecot >/dev/null 2>&1") != 0) {
    reason() = "dovecot is not installed";
    return nullptr;
  }
  char tmpl[] = "/tmp/mailwire-stack-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    reason() = "mkdtemp failed";
    return nullptr;
  }
  auto stack = std::make_unique<MailStack>();
  stack->dir = tmpl;
  const std::string log = stack->dir + "-start.log";
  const std::string command = "'" + script() + "' start '" + stack->dir + "' >'" + log + "' 2>&1";
  if (std::system(command.c_str()) != 0) {
    std::ifstream in(log);
    reason() = "mailstack.sh start failed: " +
               std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
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
  stack->imap_port = port("MAILSTACK_IMAP_PORT");
  stack->imaps_port = port("MAILSTACK_IMAPS_PORT");
  stack->pop3_port = port("MAILSTACK_POP3_PORT");
  stack->pop3s_port = port("MAILSTACK_POP3S_PORT");
  stack->lmtp_port = port("MAILSTACK_LMTP_PORT");
  if (env.count("MAILSTACK_IMAP_PLAIN_PORT") != 0)
    stack->imap_plain_port = port("MAILSTACK_IMAP_PLAIN_PORT");
  stack->ca_file = env.at("MAILSTACK_CA_FILE");
  if (env.count("MAILSTACK_SUBMISSION_PORT") != 0) {
    stack->smtp_port = port("MAILSTACK_SMTP_PORT");
    stack->submission_port = port("MAILSTACK_SUBMISSION_PORT");
    stack->submissions_port = port("MAILSTACK_SUBMISSIONS_PORT");
  }
  static std::string dir_to_stop = stack->dir;
  std::atexit([] {
    const std::string stop = "'" + script() + "' stop '" + dir_to_stop +
                             "' >/dev/null 2>&1; rm -rf '" + dir_to_stop + "' '" + dir_to_stop +
                             "-start.log'";
    [[maybe_unused]] const int rc = std::system(stop.c_str());
  });
  return stack;
}

void expect(Stream& s, const char* prefix, Deadline d) {
  for (;;) {
    const std::string_view line = s.read_line(d);
    if (line.size() >= 4 && line[3] == '-') continue;  // multi-line reply
    if (line.compare(0, 3, prefix) != 0) {
      throw std::runtime_error("LMTP: expected " + std::string(prefix) + ", got " +
                               std::string(line));
    }
    return;
  }
}

}  // namespace

const MailStack* MailStack::get() {
  static const std::unique_ptr<MailStack> stack = start();
  return stack.get();
}

const std::string& MailStack::why_unavailable() {
  return reason();
}

void MailStack::deliver(const std::string& user, const std::string& message) const {
  const Deadline d = deadline_after(std::chrono::seconds(20));
  Stream s(TcpTransport::open(host, lmtp_port));
  expect(s, "220", d);
  s.write("LHLO tests.example\r\n", d);
  expect(s, "250", d);
  s.write("MAIL FROM:<sender@" + domain + ">\r\n", d);
  expect(s, "250", d);
  s.write("RCPT TO:<" + user + "@" + domain + ">\r\n", d);
  expect(s, "250", d);
  s.write("DATA\r\n", d);
  expect(s, "354", d);
  // Dot-stuff the (test-made, CRLF) message.
  std::string body;
  std::size_t at = 0;
  while (at < message.size()) {
    std::size_t nl = message.find('\n', at);
    if (nl == std::string::npos) nl = message.size() - 1;
    std::string line = message.substr(at, nl - at + 1);
    if (!line.empty() && line[0] == '.') body += '.';
    body += line;
    at = nl + 1;
  }
  if (body.size() < 2 || body.compare(body.size() - 2, 2, "\r\n") != 0) body += "\r\n";
  s.write(body + ".\r\n", d);
  expect(s, "250", d);  // one reply per recipient
  s.write("QUIT\r\n", d);
}

void MailStack::clear_inbox(const std::string& user) const {
  const std::string cmd = "rm -f '" + dir + "/home/" + user + "/Maildir/cur/'* '" + dir + "/home/" +
                          user + "/Maildir/new/'*";
  [[maybe_unused]] const int rc = std::system(cmd.c_str());
}

std::size_t MailStack::inbox_count(const std::string& user) const {
  std::size_t n = 0;
  for (const char* sub : {"/cur", "/new"}) {
    if (DIR* d = ::opendir((dir + "/home/" + user + "/Maildir" + sub).c_str())) {
      while (const dirent* e = ::readdir(d)) {
        if (e->d_name[0] != '.') ++n;
      }
      ::closedir(d);
    }
  }
  return n;
}

std::size_t MailStack::wait_for_inbox(const std::string& user, std::size_t count) const {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::size_t n = inbox_count(user);
  while (n < count && std::chrono::steady_clock::now() < until) {
    ::usleep(50 * 1000);
    n = inbox_count(user);
  }
  return n;
}

std::string MailStack::inbox_text(const std::string& user) const {
  std::vector<std::string> files;
  for (const char* sub : {"/cur", "/new"}) {
    const std::string d = dir + "/home/" + user + "/Maildir" + sub;
    if (DIR* handle = ::opendir(d.c_str())) {
      while (const dirent* e = ::readdir(handle)) {
        if (e->d_name[0] != '.') files.push_back(d + "/" + e->d_name);
      }
      ::closedir(handle);
    }
  }
  std::sort(files.begin(), files.end());
  std::string out;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    out.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

}  // namespace mailwire::test
