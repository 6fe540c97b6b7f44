// Pop3Client and the download job against a real Dovecot (scripts/mailstack.sh).

#include "support/mail_stack.hpp"
#include "support/test_server.hpp"

#include <mailwire/error.hpp>
#include <mailwire/pop3_client.hpp>
#include <mailwire/pop3_download.hpp>

#include <catch2/catch.hpp>

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

extern char** environ;

using namespace mailwire;
using namespace mailwire::test;
using namespace std::chrono_literals;

namespace {

std::string test_message(const std::string& tag, std::size_t body_lines = 3) {
  std::string m =
      "From: Sender <sender@example.test>\r\nTo: someone@example.test\r\n"
      "Subject: " +
      tag + "\r\nMessage-ID: <" + tag + "@example.test>\r\n\r\n";
  for (std::size_t i = 0; i < body_lines; ++i)
    m += "line " + std::to_string(i) + " of " + tag + "\r\n";
  m += ".a line that starts with a dot\r\n";
  return m;
}

Pop3Options options_for(const MailStack& stack) {
  Pop3Options options;
  options.tls.ca_file = stack.ca_file;
  return options;
}

std::set<std::string> subjects_in(const std::string& dir) {
  std::set<std::string> out;
  std::multiset<std::string> all;
  for (const char* sub : {"/new", "/cur"}) {
    DIR* d = opendir((dir + sub).c_str());
    if (d == nullptr) continue;
    while (const dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      std::ifstream in(dir + sub + "/" + e->d_name);
      for (std::string line; std::getline(in, line);) {
        if (line.rfind("Subject: ", 0) == 0) {
          std::string subject = line.substr(9);
          if (!subject.empty() && subject.back() == '\r') subject.pop_back();
          all.insert(subject);
          out.insert(subject);
          break;
        }
      }
    }
    closedir(d);
  }
  // Every message exactly once.
  for (const std::string& s : out)
    CHECK(all.count(s) == 1);
  return out;
}

}  // namespace

TEST_CASE("Dovecot POP3: STLS, SCRAM, listing, RETR of what LMTP delivered", "[pop3][dovecot]") {
  MAILWIRE_REQUIRE_STACK(stack);
  stack->clear_inbox("alice");
  const std::string big = test_message("big one", 20000);  // ~500 KB
  stack->deliver("alice", test_message("first"));
  stack->deliver("alice", big);

  Pop3Client client(options_for(*stack));
  client.connect(stack->host, stack->pop3_port);
  CHECK(client.is_encrypted());
  client.login("alice", MailStack::password("alice"));
  const Pop3Stat stat = client.stat();
  CHECK(stat.count == 2);
  const auto list = client.list();
  REQUIRE(list.size() == 2);
  const auto uidl = client.uidl();
  REQUIRE(uidl.size() == 2);
  CHECK(uidl[0].uid != uidl[1].uid);

  std::uint64_t last_progress = 0;
  std::string fetched;
  client.retr(
      2, [&](std::string_view chunk) { fetched += chunk; },
      [&](std::uint64_t done, std::uint64_t) { last_progress = done; }, list[1].size);
  // Dovecot adds trace headers; the message we sent is the tail, dots unstuffed.
  CHECK(fetched.size() >= big.size());
  CHECK(fetched.compare(fetched.size() - big.size(), big.size(), big) == 0);
  CHECK(last_progress == fetched.size());
  std::string top;
  client.top(1, 0, [&](std::string_view chunk) { top += chunk; });
  CHECK_THAT(top, Catch::Contains("Subject: first"));
  CHECK(top.find("line 0") == std::string::npos);
  client.quit();
}

TEST_CASE("Dovecot POP3: implicit TLS, wrong password, wrong host name", "[pop3][dovecot]") {
  MAILWIRE_REQUIRE_STACK(stack);
  {
    Pop3Options options = options_for(*stack);
    options.security = Security::Tls;
    Pop3Client client(options);
    client.connect("localhost", stack->pop3s_port);
    CHECK(client.tls_info()->verified);
    try {
      client.login("alice", "wrong");
      FAIL("logged in with a wrong password");
    } catch (const Error& e) {
      CHECK(e.kind() == Errc::auth);
    }
  }
  {
    Pop3Options options = options_for(*stack);
    options.tls.verify_name = "mail.example.com";
    Pop3Client client(options);
    try {
      client.connect(stack->host, stack->pop3_port);
      FAIL("accepted a certificate for another name");
    } catch (const Error& e) {
      CHECK(e.kind() == Errc::certificate);
      CHECK_THAT(e.what(), Catch::Contains("mismatch"));
    }
  }
  {
    // Implicit TLS against the STLS port: a TLS error, never a plaintext fallback.
    Pop3Options options = options_for(*stack);
    options.security = Security::Tls;
    Pop3Client client(options);
    try {
      client.connect(stack->host, stack->pop3_port);
      FAIL("TLS to a plaintext port succeeded");
    } catch (const Error& e) {
      CHECK(e.kind() == Errc::tls);
    }
  }
}

TEST_CASE("Dovecot POP3: download to a Maildir, then again, then with delete", "[pop3][dovecot]") {
  MAILWIRE_REQUIRE_STACK(stack);
  stack->clear_inbox("alice");
  for (int i = 0; i < 3; ++i)
    stack->deliver("alice", test_message("job " + std::to_string(i)));
  TempDir dir;
  Maildir maildir(dir.path + "/Mail");
  const auto run = [&](bool remove) {
    Pop3Client client(options_for(*stack));
    client.connect(stack->host, stack->pop3_port);
    client.login("alice", MailStack::password("alice"));
    Pop3DownloadOptions options;
    options.delete_after = remove;
    return download_to_maildir(client, maildir, options);
  };
  const auto first = run(false);
  CHECK(first.downloaded == 3);
  CHECK(stack->inbox_count("alice") == 3);
  const auto second = run(false);
  CHECK(second.downloaded == 0);
  CHECK(second.known == 3);
  stack->deliver("alice", test_message("job 3"));
  const auto third = run(true);
  CHECK(third.downloaded == 1);
  CHECK(third.known == 3);
  CHECK(third.deleted == 4);
  CHECK(stack->inbox_count("alice") == 0);
  CHECK(subjects_in(dir.path + "/Mail") ==
        std::set<std::string>{"job 0", "job 1", "job 2", "job 3"});
}

#ifdef MAILWIRE_CLI
namespace {

// Runs `mailwire pop3 ... fetch --delete --trace`; when a line of its output contains
// `kill_at`, kills it with SIGKILL. Returns true if it was killed, false if it finished (then
// its exit status must be 0).
bool run_fetch(const MailStack& stack, const std::string& maildir, const std::string& kill_at) {
  int out[2];
  REQUIRE(::pipe(out) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  const std::string server = stack.host + ":" + std::to_string(stack.pop3_port);
  std::vector<std::string> args = {MAILWIRE_CLI,  "pop3",   "--server", server,    "--ca-file",
                                   stack.ca_file, "--user", "bob",      "--trace", "fetch",
                                   "--maildir",   maildir,  "--delete"};
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  ::setenv("MAILWIRE_PASSWORD", "bob-pass", 1);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, MAILWIRE_CLI, &actions, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  bool killed = false;
  std::string pending;
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  char buf[4096];
  while (std::chrono::steady_clock::now() < give_up) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) continue;
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    if (!killed && !kill_at.empty() && pending.find(kill_at) != std::string::npos) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
  }
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!killed) {
    INFO(pending);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  }
  return killed;
}

std::set<std::string> server_subjects(const MailStack& stack, const std::string& user) {
  return subjects_in(stack.dir + "/home/" + user + "/Maildir");
}

}  // namespace

TEST_CASE("Dovecot POP3: SIGKILL at any point loses nothing and duplicates nothing",
          "[pop3][dovecot][crash]") {
  MAILWIRE_REQUIRE_STACK(stack);
  const std::set<std::string> all = {"crash 0", "crash 1", "crash 2", "crash 3", "crash 4"};
  // Points in the --trace dialogue and the per-message output lines.
  const char* points[] = {
      "C: RETR 1",     // before the first message arrives
      "C: RETR 3",     // after two messages are durable
      "downloaded 4",  // right after a delivery and its state record
      "C~ DELE",       // never printed: run to completion as a control
      "C: DELE 2",     // with deletions marked but not committed
      "C: QUIT",       // at the commit point
  };
  for (const char* point : points) {
    INFO("killed at: " << point);
    stack->clear_inbox("bob");
    for (int i = 0; i < 5; ++i)
      stack->deliver("bob", test_message("crash " + std::to_string(i)));
    TempDir dir;
    const std::string maildir = dir.path + "/Mail";
    run_fetch(*stack, maildir, point);
    // Right after the crash: nothing deleted on the server is missing from the disk.
    const auto on_server = server_subjects(*stack, "bob");
    std::set<std::string> on_disk;
    if (::access(maildir.c_str(), F_OK) == 0) on_disk = subjects_in(maildir);
    for (const std::string& s : all) {
      CHECK((on_server.count(s) == 1 || on_disk.count(s) == 1));
    }
    // Restart, to completion: everything exactly once on disk, nothing left on the server.
    CHECK_FALSE(run_fetch(*stack, maildir, ""));
    CHECK(subjects_in(maildir) == all);
    CHECK(server_subjects(*stack, "bob").empty());
  }
}
#endif
