// `mailwire imap envelopes` and `mailwire imap sync` against the real Dovecot: decoded
// envelopes equal CPython's reading of the same files (German, Russian, Japanese and French
// names, RFC 2047 and RFC 2231), the sync's report with QRESYNC and with a Dovecot whose
// CONDSTORE and QRESYNC are turned off, and `sync --out` killed at random points.

#include "support/mail_stack.hpp"
#include "support/test_server.hpp"

#include <mailwire/imap_client.hpp>
#include <mailwire/imap_sync.hpp>

#include <catch2/catch.hpp>

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <vector>

extern char** environ;

using namespace mailwire;
using namespace mailwire::test;
using namespace std::chrono_literals;

#ifdef MAILWIRE_CLI
namespace {

std::string oracle() {
  return std::string(MAILWIRE_SOURCE_DIR) + "/tests/integration/imap/envelopes_oracle.py";
}

// Runs a shell command; its exit status and its output (stdout, and stderr when `with_stderr`).
std::pair<int, std::string> shell(const std::string& command) {
  std::string out;
  int status = -1;
  if (std::FILE* p = ::popen(command.c_str(), "r")) {
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
      out.append(buf, n);
    const int st = ::pclose(p);
    status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  return {status, out};
}

std::string connection(const MailStack& stack, std::uint16_t port) {
  return "--server localhost:" + std::to_string(port) + " --ca-file " + stack.ca_file +
         " --user alice ";
}

std::pair<int, std::string> run_cli(const std::string& args) {
  return shell("MAILWIRE_PASSWORD=alice-pass '" + std::string(MAILWIRE_CLI) + "' imap " + args);
}

ImapClient login(const MailStack& stack, std::uint16_t port) {
  ImapOptions options;
  options.tls.ca_file = stack.ca_file;
  ImapClient client(options);
  client.connect("localhost", port);
  client.login("alice", MailStack::password("alice"));
  return client;
}

std::string test_message(const std::string& subject) {
  return "From: a@example.org\r\nTo: alice@example.test\r\nSubject: " + subject +
         "\r\nMessage-ID: <" + subject + "@example.org>\r\n\r\nbody of " + subject + "\r\n";
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("mailwire imap envelopes: decoded as CPython decodes the same messages",
          "[imap][dovecot][cli][oracle]") {
  MAILWIRE_REQUIRE_STACK(stack);
  TempDir dir;
  const std::string messages = dir.path + "/messages";
  REQUIRE(shell("python3 '" + oracle() + "' make '" + messages + "'").first == 0);
  const std::string mailbox = "Envelopes-" + std::to_string(::getpid());
  {
    ImapClient client = login(*stack, stack->imap_port);
    client.create(mailbox);
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(messages))
      names.push_back(e.path().string());
    std::sort(names.begin(), names.end());
    REQUIRE(names.size() == 4);
    for (const auto& name : names)
      client.append(mailbox, AppendMessage::from_file(name));
    client.logout();
  }
  const auto [status, out] = run_cli(connection(*stack, stack->imap_port) + "envelopes " + mailbox);
  INFO(out);
  REQUIRE(status == 0);
  REQUIRE(lines_of(out).size() == 4);
  const std::string jsonl = dir.path + "/envelopes.jsonl";
  std::ofstream(jsonl, std::ios::binary) << out;
  const auto [rc, diff] =
      shell("python3 '" + oracle() + "' check '" + jsonl + "' '" + messages + "' 2>&1");
  INFO(diff);
  CHECK(rc == 0);
  // A search option narrows the set.
  const auto [status2, one] =
      run_cli(connection(*stack, stack->imap_port) + "envelopes " + mailbox + " --from example.jp");
  CHECK(status2 == 0);
  CHECK(lines_of(one).size() == 1);
}

namespace {

// The sync scenario on `port`: all new, then two appended + one flagged + one expunged, then
// nothing, then the mailbox recreated.
void sync_scenario(const MailStack& stack, std::uint16_t port, const std::string& mailbox,
                   SyncMethod expected_method) {
  TempDir dir;
  const std::string state = dir.path + "/state";
  const std::string out_dir = dir.path + "/out";
  const std::string sync =
      connection(stack, port) + "sync " + mailbox + " --state " + state + " --out " + out_dir;
  std::vector<std::uint32_t> uids;
  {
    ImapClient client = login(stack, stack.imap_port);
    client.create(mailbox);
    for (int i = 0; i < 3; ++i)
      uids.push_back(client.append(mailbox, test_message("m" + std::to_string(i))).value());
    client.logout();
  }
  auto [status, out] = run_cli(sync);
  INFO(out);
  REQUIRE(status == 0);
  CHECK(lines_of(out) == std::vector<std::string>{"new " + std::to_string(uids[0]),
                                                  "new " + std::to_string(uids[1]),
                                                  "new " + std::to_string(uids[2])});
  std::uint32_t a = 0, b = 0;
  {
    ImapClient client = login(stack, stack.imap_port);
    a = client.append(mailbox, test_message("m3")).value();
    b = client.append(mailbox, test_message("m4")).value();
    client.select(mailbox);
    client.uid_store_flags({uids[1]}, {"\\Flagged"});
    client.uid_store_flags({uids[2]}, {"\\Deleted"});
    client.uid_expunge({uids[2]});
    client.logout();
  }
  std::tie(status, out) = run_cli(sync);
  REQUIRE(status == 0);
  CHECK(lines_of(out) == std::vector<std::string>{"new " + std::to_string(a),
                                                  "new " + std::to_string(b),
                                                  "flags " + std::to_string(uids[1]) + " \\Flagged",
                                                  "vanished " + std::to_string(uids[2])});
  std::tie(status, out) = run_cli(sync);
  REQUIRE(status == 0);
  CHECK(out.empty());
  // The library says which method it used.
  {
    ImapClient client = login(stack, port);
    MailboxSync s(mailbox, state);
    const MailboxSyncResult r = s.sync(client);
    CHECK(r.method == expected_method);
    CHECK(r.changes.empty());
    client.logout();
  }
  std::uint32_t uid_validity = 0;
  std::uint32_t fresh = 0;
  std::uint32_t old_validity = 0;
  {
    ImapClient client = login(stack, stack.imap_port);
    old_validity = client.status(mailbox).uid_validity.value();
    client.delete_mailbox(mailbox);
    client.create(mailbox);
    fresh = client.append(mailbox, test_message("m5")).value();
    uid_validity = client.status(mailbox).uid_validity.value();
    client.logout();
  }
  std::tie(status, out) = run_cli(sync);
  REQUIRE(status == 0);
  CHECK(lines_of(out) == std::vector<std::string>{"reset " + std::to_string(uid_validity),
                                                  "new " + std::to_string(fresh)});
  // The old mailbox's files moved aside; the recreated mailbox's UIDs never replace them.
  const std::string aside = out_dir + "/uidvalidity-" + std::to_string(old_validity);
  CHECK(file_text(aside + "/" + std::to_string(uids[0]) + ".eml") == test_message("m0"));
  CHECK(file_text(aside + "/" + std::to_string(b) + ".eml") == test_message("m4"));
  CHECK(file_text(out_dir + "/" + std::to_string(fresh) + ".eml") == test_message("m5"));
  std::tie(status, out) = run_cli(sync);
  REQUIRE(status == 0);
  CHECK(out.empty());
}

}  // namespace

TEST_CASE("mailwire imap sync: new, flags, vanished, nothing, reset, with QRESYNC",
          "[imap][dovecot][cli][sync]") {
  MAILWIRE_REQUIRE_STACK(stack);
  sync_scenario(*stack, stack->imap_port, "SyncQ-" + std::to_string(::getpid()),
                SyncMethod::QResync);
}

TEST_CASE("mailwire imap sync: the same answers from a Dovecot without CONDSTORE and QRESYNC",
          "[imap][dovecot][cli][sync]") {
  MAILWIRE_REQUIRE_STACK(stack);
  REQUIRE(stack->imap_plain_port != 0);
  {
    ImapClient client = login(*stack, stack->imap_plain_port);
    CHECK_FALSE(client.has_capability("CONDSTORE"));
    CHECK_FALSE(client.has_capability("QRESYNC"));
    client.logout();
  }
  sync_scenario(*stack, stack->imap_plain_port, "SyncP-" + std::to_string(::getpid()),
                SyncMethod::Plain);
}

namespace {

// Runs `mailwire imap --trace sync MAILBOX --state FILE --out DIR`, killed with SIGKILL after
// `kill_after` lines of its output (stdout and the trace on stderr); 0: never. Returns the
// lines of stdout it printed (the report) and whether it was killed.
std::pair<std::vector<std::string>, bool> sync_killed(const MailStack& stack,
                                                      const std::string& mailbox,
                                                      const std::string& state,
                                                      const std::string& out_dir,
                                                      std::size_t kill_after) {
  int out[2];
  REQUIRE(::pipe(out) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  const std::string server = "localhost:" + std::to_string(stack.imap_port);
  std::vector<std::string> args = {MAILWIRE_CLI,  "imap",    "--server", server,    "--ca-file",
                                   stack.ca_file, "--user",  "alice",    "--trace", "sync",
                                   mailbox,       "--state", state,      "--out",   out_dir};
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  ::setenv("MAILWIRE_PASSWORD", "alice-pass", 1);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, MAILWIRE_CLI, &actions, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  bool killed = false;
  std::string pending;
  std::size_t lines = 0;
  const auto give_up = std::chrono::steady_clock::now() + 60s;
  char buf[4096];
  while (std::chrono::steady_clock::now() < give_up) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) continue;
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    lines = static_cast<std::size_t>(std::count(pending.begin(), pending.end(), '\n'));
    if (!killed && kill_after != 0 && lines >= kill_after) {
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
  // The report: "new N" lines (the trace's lines start otherwise).
  std::vector<std::string> report;
  for (const std::string& line : lines_of(pending)) {
    if (line.rfind("new ", 0) == 0) report.push_back(line);
  }
  return {report, killed};
}

}  // namespace

TEST_CASE("mailwire imap sync --out: killed at random points, every message saved once",
          "[imap][dovecot][cli][sync][crash]") {
  MAILWIRE_REQUIRE_STACK(stack);
  TempDir dir;
  const std::string mailbox = "SyncKill-" + std::to_string(::getpid());
  const std::string state = dir.path + "/state";
  const std::string out_dir = dir.path + "/out";
  std::map<std::uint32_t, std::string> on_server;  // UID -> message
  ImapClient client = login(*stack, stack->imap_port);
  client.create(mailbox);
  std::mt19937 random(20261203);  // fixed: a failure can be replayed
  std::map<std::string, int> reported;
  std::size_t kills = 0;
  for (int round = 0; round < 20; ++round) {
    if (round % 4 == 0) {  // new mail now and then, so that later runs have work too
      for (int i = 0; i < 3; ++i) {
        const std::string m = test_message("k" + std::to_string(round) + "-" + std::to_string(i));
        on_server[client.append(mailbox, m).value()] = m;
      }
    }
    // The trace of a run is some 40 lines plus a few per message: kill anywhere in it.
    const std::size_t kill_after = std::uniform_int_distribution<std::size_t>(1, 60)(random);
    const auto [report, killed] = sync_killed(*stack, mailbox, state, out_dir, kill_after);
    kills += killed ? 1 : 0;
    for (std::size_t i = 0; i < report.size(); ++i) {
      // Only the last line of a killed run may come again: the state had not recorded it.
      const bool may_repeat = killed && i + 1 == report.size();
      INFO(report[i]);
      CHECK(reported[report[i]] == 0);
      reported[report[i]] += may_repeat ? 0 : 1;
    }
  }
  client.logout();
  const auto [report, killed] = sync_killed(*stack, mailbox, state, out_dir, 0);
  CHECK_FALSE(killed);
  for (const auto& line : report) {
    INFO(line);
    CHECK(reported[line] == 0);
    reported[line] += 1;
  }
  CHECK(kills > 0);
  // Every message reported, and saved once, byte for byte; nothing else in the directory.
  std::set<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(out_dir))
    files.insert(e.path().filename().string());
  std::set<std::string> expected;
  for (const auto& [uid, message] : on_server) {
    expected.insert(std::to_string(uid) + ".eml");
    CHECK(reported.count("new " + std::to_string(uid)) == 1);
    CHECK(file_text(out_dir + "/" + std::to_string(uid) + ".eml") == message);
  }
  // A temporary file of a killed run may remain (replaced by the next save of that UID).
  for (auto it = files.begin(); it != files.end();) {
    it = (*it)[0] == '.' ? files.erase(it) : std::next(it);
  }
  CHECK(files == expected);
}
#endif
