// The POP3-to-Maildir job against scripted servers: new mail only, delete only what is on
// disk, and a connection lost mid-run loses nothing and duplicates nothing.

#include "support/scripted_peer.hpp"
#include "support/test_server.hpp"

#include <mailwire/error.hpp>
#include <mailwire/pop3_download.hpp>

#include <catch2/catch.hpp>

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <sstream>

using namespace mailwire;
using namespace mailwire::test;

namespace {

Pop3Options plain_options() {
  Pop3Options options;
  options.security = Security::None;
  options.allow_plaintext_auth = true;
  return options;
}

std::string session_start(const std::string& capa = "UIDL\nS: TOP\nS: PIPELINING") {
  return "S: +OK ready\nC: CAPA\nS: +OK\nS: " + capa +
         "\nS: .\nC: USER u\nS: +OK\nC: PASS p\nS: +OK\n";
}

const char* listing = R"(
  C: LIST
  S: +OK
  S: 1 30
  S: 2 30
  S: .
  C: UIDL
  S: +OK
  S: 1 uid-one
  S: 2 uid-two
  S: .
)";

std::string message(int n) {
  return "Subject: message " + std::to_string(n) + "\r\n\r\nbody\r\n";
}

std::string retr(int n) {
  return "C: RETR " + std::to_string(n) + "\nS: +OK\nS: Subject: message " + std::to_string(n) +
         "\nS:\nS: body\nS: .\n";
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (const dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') out.emplace_back(e->d_name);
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string slurp(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Pop3DownloadResult run(const std::string& script, Maildir& maildir, bool remove,
                       const std::string& state) {
  auto peer = ScriptedPeer::parse(script);
  Pop3Client client(plain_options());
  client.connect(peer->transport(), "pop.example");
  client.user_pass("u", "p");
  Pop3DownloadOptions options;
  options.delete_after = remove;
  options.state_file = state;
  const auto result = download_to_maildir(client, maildir, options);
  CHECK(peer->finished());
  INFO(peer->remaining());
  return result;
}

}  // namespace

TEST_CASE("Download: new mail only, leave on server", "[pop3][download]") {
  TempDir dir;
  Maildir maildir(dir.path + "/Mail");
  const std::string state = dir.path + "/state";

  auto first = run(session_start() + listing + retr(1) + retr(2) + "C: QUIT\nS: +OK\n", maildir,
                   false, state);
  CHECK(first.downloaded == 2);
  CHECK(first.known == 0);
  const auto files = files_in(dir.path + "/Mail/new");
  REQUIRE(files.size() == 2);
  std::string all =
      slurp(dir.path + "/Mail/new/" + files[0]) + slurp(dir.path + "/Mail/new/" + files[1]);
  CHECK(all.find(message(1)) != std::string::npos);
  CHECK(all.find(message(2)) != std::string::npos);

  // A second run fetches nothing: the state file remembers.
  auto second = run(session_start() + listing + "C: QUIT\nS: +OK\n", maildir, false, state);
  CHECK(second.downloaded == 0);
  CHECK(second.known == 2);
  CHECK(files_in(dir.path + "/Mail/new").size() == 2);
}

TEST_CASE("Download: delete mode deletes exactly what is on disk, QUIT last", "[pop3][download]") {
  TempDir dir;
  Maildir maildir(dir.path + "/Mail");
  auto result = run(session_start() + listing + retr(1) + retr(2) +
                        "C~ DELE 1\\r\\nDELE 2\\r\\n\nS~ +OK\\r\\n+OK\\r\\n\nC: QUIT\nS: +OK\n",
                    maildir, true, dir.path + "/state");
  CHECK(result.downloaded == 2);
  CHECK(result.deleted == 2);
}

TEST_CASE("Download: a connection lost mid-run loses and duplicates nothing", "[pop3][download]") {
  TempDir dir;
  Maildir maildir(dir.path + "/Mail");
  const std::string state = dir.path + "/state";

  // Run 1: the server dies in the middle of message 2. Nothing is deleted (no DELE, no QUIT).
  {
    auto peer = ScriptedPeer::parse(session_start() + listing + retr(1) +
                                    "C: RETR 2\nS: +OK\nS: Subject: mess\n!reset\n");
    Pop3Client client(plain_options());
    client.connect(peer->transport(), "pop.example");
    client.user_pass("u", "p");
    Pop3DownloadOptions options;
    options.delete_after = true;
    options.state_file = state;
    CHECK_THROWS_AS(download_to_maildir(client, maildir, options), Error);
    CHECK(peer->received().find("DELE") == std::string::npos);
    CHECK(peer->received().find("QUIT") == std::string::npos);
  }
  CHECK(files_in(dir.path + "/Mail/new").size() == 1);
  CHECK(files_in(dir.path + "/Mail/tmp").empty());  // the partial file was removed

  // Run 2: message 1 is known, message 2 is fetched, both deleted.
  auto result = run(session_start() + listing + retr(2) +
                        "C~ DELE 1\\r\\nDELE 2\\r\\n\nS~ +OK\\r\\n+OK\\r\\n\nC: QUIT\nS: +OK\n",
                    maildir, true, state);
  CHECK(result.known == 1);
  CHECK(result.downloaded == 1);
  CHECK(files_in(dir.path + "/Mail/new").size() == 2);
}

TEST_CASE("Download: delivered but not recorded (crash) is recognised by its tag",
          "[pop3][download]") {
  TempDir dir;
  Maildir maildir(dir.path + "/Mail");
  run(session_start() + listing + retr(1) + retr(2) + "C: QUIT\nS: +OK\n", maildir, false,
      dir.path + "/state");
  // Lose the state entirely, as if the process died after delivery and before recording.
  std::remove((dir.path + "/state").c_str());
  std::remove((dir.path + "/state.journal").c_str());
  auto again =
      run(session_start() + listing + "C: QUIT\nS: +OK\n", maildir, false, dir.path + "/state");
  CHECK(again.known == 2);
  CHECK(again.downloaded == 0);
  CHECK(files_in(dir.path + "/Mail/new").size() == 2);
}

TEST_CASE("Download: no UIDL, identity from TOP - neither: leave mode refused",
          "[pop3][download]") {
  TempDir dir;
  Maildir maildir(dir.path + "/Mail");
  const std::string no_uidl = session_start("TOP") +
                              "C: LIST\nS: +OK\nS: 1 30\nS: .\nC: UIDL\nS: -ERR no UIDL\n"
                              "C: TOP 1 0\nS: +OK\nS: Subject: message 1\nS:\nS: .\n";
  auto first = run(no_uidl + retr(1) + "C: QUIT\nS: +OK\n", maildir, false, dir.path + "/s");
  CHECK(first.downloaded == 1);
  auto second = run(no_uidl + "C: QUIT\nS: +OK\n", maildir, false, dir.path + "/s");
  CHECK(second.known == 1);

  auto peer = ScriptedPeer::parse(session_start("USER") +
                                  "C: LIST\nS: +OK\nS: 1 30\nS: .\nC: UIDL\nS: -ERR\n"
                                  "C: TOP 1 0\nS: -ERR\n");
  Pop3Client client(plain_options());
  client.connect(peer->transport(), "pop.example");
  client.user_pass("u", "p");
  try {
    download_to_maildir(client, maildir, {});
    FAIL("leave-on-server mode without UIDL or TOP was accepted");
  } catch (const Error& e) {
    CHECK(e.kind() == Errc::usage);
  }
}

TEST_CASE("Download: LIST sizes and UIDL values are the server's word, never a path or a size",
          "[pop3][download][security]") {
  // Case 59 (Mutt CVE-2018-14355/14356/14362): a UIDL that looks like a path and a LIST size of
  // 2^64 - 1. Files land in the Maildir under names the library makes; nothing is sized from
  // the claim.
  TempDir dir;
  Maildir maildir(dir.path + "/Mail");
  const std::string state = dir.path + "/state";
  const std::string hostile_listing = R"(
    C: LIST
    S: +OK
    S: 1 18446744073709551615
    S: 2 30
    S: .
    C: UIDL
    S: +OK
    S: 1 ../../etc/x
    S: 2 a/b
    S: .
  )";
  const auto result =
      run(session_start() + hostile_listing + retr(1) + retr(2) + "C: QUIT\nS: +OK\n", maildir,
          false, state);
  CHECK(result.downloaded == 2);
  const auto files = files_in(dir.path + "/Mail/new");
  REQUIRE(files.size() == 2);
  for (const std::string& f : files) {
    CHECK(f.find('/') == std::string::npos);
    CHECK(f.find("..") == std::string::npos);
  }
  const auto top = files_in(dir.path);
  CHECK(std::find(top.begin(), top.end(), "etc") == top.end());
}
