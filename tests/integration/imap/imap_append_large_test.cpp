// APPEND streamed against the real Dovecot: a 50 MiB message from a file comes back byte for
// byte, and the `mailwire` tool appends it in bounded memory (peak RSS read with wait4()).

#include "support/mail_stack.hpp"
#include "support/test_server.hpp"

#include <mailwire/imap_client.hpp>

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using namespace mailwire;
using namespace mailwire::test;

namespace {

ImapOptions options_for(const MailStack& stack) {
  ImapOptions options;
  options.tls.ca_file = stack.ca_file;
  return options;
}

// A message of about `size` octets with a body of base64-like lines, written to `path`
// without holding it in memory; returns its exact size.
std::uint64_t write_large_message(const std::string& path, std::uint64_t size, char salt) {
  std::ofstream out(path, std::ios::binary);
  out << "From: alice@example.test\r\nTo: alice@example.test\r\nSubject: large " << salt
      << "\r\nMessage-ID: <large." << salt << "@example.test>\r\nMIME-Version: 1.0\r\n"
      << "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string line(76, 'A');
  std::uint64_t n = 0;
  while (static_cast<std::uint64_t>(out.tellp()) < size) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      line[i] = alphabet[(n * 31 + i * 7 + static_cast<unsigned char>(salt)) % 64];
    }
    out << line << "\r\n";
    ++n;
  }
  return static_cast<std::uint64_t>(out.tellp());
}

// Fetches message `uid` of the selected mailbox and compares it, chunk by chunk, with `path`.
bool fetched_equals_file(ImapClient& client, std::uint32_t uid, const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  bool same = true;
  std::string expected;
  const std::uint64_t size = client.fetch_section(uid, "", [&](std::string_view chunk) {
    expected.resize(chunk.size());
    file.read(&expected[0], static_cast<std::streamsize>(chunk.size()));
    if (static_cast<std::size_t>(file.gcount()) != chunk.size() || expected != chunk) same = false;
  });
  file.peek();
  return same && file.eof() && size > 0;
}

}  // namespace

TEST_CASE("Dovecot IMAP: a 50 MiB message appended from a file comes back byte-identical",
          "[imap][dovecot][append]") {
  MAILWIRE_REQUIRE_STACK(stack);
  TempDir dir;
  const std::string path = dir.path + "/large.eml";
  const std::uint64_t size = write_large_message(path, 50ull << 20, 'a');
  ImapClient client(options_for(*stack));
  client.connect("localhost", stack->imap_port);
  client.login("alice", MailStack::password("alice"));
  const std::string box = "Large-" + std::to_string(::getpid());
  client.create(box);
  std::uint64_t last = 0, total = 0;
  const auto uid = client.append(box, AppendMessage::from_file(path),
                                 [&](std::uint64_t done, std::uint64_t all) {
                                   last = done;
                                   total = all;
                                 });
  REQUIRE(uid);  // Dovecot has UIDPLUS
  CHECK(last == size);
  CHECK(total == size);
  client.examine(box);
  CHECK(fetched_equals_file(client, *uid, path));
  client.unselect();
  client.delete_mailbox(box);
  client.logout();
}

#ifdef MAILWIRE_CLI
TEST_CASE("mailwire imap append streams a 50 MiB file in under 32 MiB of peak memory",
          "[imap][dovecot][append][cli]") {
  MAILWIRE_REQUIRE_STACK(stack);
  TempDir dir;
  const std::string big = dir.path + "/big.eml";
  const std::string small = dir.path + "/small.eml";
  write_large_message(big, 50ull << 20, 'b');
  write_large_message(small, 4096, 'c');
  const std::string box = "LargeCli-" + std::to_string(::getpid());
  {
    ImapClient client(options_for(*stack));
    client.connect("localhost", stack->imap_port);
    client.login("alice", MailStack::password("alice"));
    client.create(box);
    client.logout();
  }
  // The tool in a child process: its stdout in a file, its peak RSS from wait4(). An upper
  // bound: a process's peak counts what the forked copy of this test held before exec().
  const std::string out_path = dir.path + "/out.txt";
  const std::string port = "localhost:" + std::to_string(stack->imap_port);
  std::vector<std::string> args = {
      MAILWIRE_CLI, "imap",   "--server", port, "--ca-file", stack->ca_file, "--user",
      "alice",      "append", box,        big,  small,       "--flag",       "\\Seen"};
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::vector<char*> argv;
    for (std::string& a : args)
      argv.push_back(&a[0]);
    argv.push_back(nullptr);
    if (std::freopen(out_path.c_str(), "w", stdout) == nullptr) ::_exit(126);
    ::setenv("MAILWIRE_PASSWORD", "alice-pass", 1);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  REQUIRE(::wait4(pid, &status, 0, &usage) == pid);
  std::ifstream out_file(out_path);
  std::vector<std::uint32_t> uids;
  for (std::uint32_t uid = 0; out_file >> uid;)
    uids.push_back(uid);
  const long peak_kib = usage.ru_maxrss;  // Linux: kilobytes
  INFO("peak RSS of `mailwire imap append`: " << peak_kib << " KiB");
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(peak_kib < 32 * 1024);
  REQUIRE(uids.size() == 2);  // one per file, in order
  std::printf("mailwire imap append, 50 MiB file + 4 KiB file: peak RSS %ld KiB\n", peak_kib);

  ImapClient client(options_for(*stack));
  client.connect("localhost", stack->imap_port);
  client.login("alice", MailStack::password("alice"));
  client.examine(box);
  CHECK(fetched_equals_file(client, uids[0], big));
  CHECK(fetched_equals_file(client, uids[1], small));
  const auto flags = client.uid_fetch(uids, "(UID FLAGS)");
  REQUIRE(flags.size() == 2);
  for (const auto& f : flags) {
    REQUIRE(f.flags);
    CHECK(std::find(f.flags->begin(), f.flags->end(), "\\Seen") != f.flags->end());
  }
  client.unselect();
  client.delete_mailbox(box);
  client.logout();
}
#endif
