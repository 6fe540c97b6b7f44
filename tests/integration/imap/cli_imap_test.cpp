// `mailwire imap` against the real Dovecot: the invoice workflow of the README.

#include "support/mail_stack.hpp"
#include "support/test_server.hpp"

#include <mailwire/imap_client.hpp>
#include <mailwire/mime/builder.hpp>

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

using namespace mailwire;
using namespace mailwire::test;

#ifdef MAILWIRE_CLI
namespace {

std::pair<int, std::string> run_cli(const std::string& args) {
  const std::string command =
      "MAILWIRE_PASSWORD=alice-pass '" + std::string(MAILWIRE_CLI) + "' imap " + args + " 2>&1";
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

}  // namespace

TEST_CASE("mailwire imap: search, save PDF attachments, move them", "[imap][dovecot][cli]") {
  MAILWIRE_REQUIRE_STACK(stack);
  TempDir dir;
  const std::string pdf = "%PDF-1.4\n" + std::string(5000, '\x07') + "\n%%EOF\n";
  {
    ImapOptions options;
    options.tls.ca_file = stack->ca_file;
    ImapClient client(options);
    client.connect("localhost", stack->imap_port);
    client.login("alice", MailStack::password("alice"));
    client.create("Archive-" + std::to_string(::getpid()));
    mime::MessageBuilder invoice;
    invoice.from("billing@shop.example")
        .to("alice@example.test")
        .subject("Invoice cli-7")
        .text("x");
    invoice.attach("cli-7.pdf", pdf, "application/pdf");
    client.append("INBOX", invoice.to_string());
    mime::MessageBuilder other;
    other.from("friend@example.org").to("alice@example.test").subject("Holiday").text("y");
    other.attach("photo.jpg", "JPEG", "image/jpeg");
    client.append("INBOX", other.to_string());
    client.logout();
  }
  const std::string c = "--server localhost:" + std::to_string(stack->imap_port) + " --ca-file " +
                        stack->ca_file + " --user alice ";
  const std::string archive = "Archive-" + std::to_string(::getpid());
  const auto [status, out] = run_cli(c +
                                     "attachments INBOX --subject cli-7 --type application/pdf "
                                     "--out " +
                                     dir.path + " --move-to " + archive);
  INFO(out);
  REQUIRE(status == 0);
  const std::string saved = out.substr(0, out.find('\n'));
  CHECK_THAT(saved, Catch::EndsWith("-cli-7.pdf"));
  std::ifstream in(saved, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  CHECK(bytes.str() == pdf);
  CHECK(out.find("photo.jpg") == std::string::npos);
  const auto moved = run_cli(c + "status " + archive);
  CHECK_THAT(moved.second, Catch::StartsWith("messages=1 "));
  const auto bad = run_cli(c + "search INBOX --since 2026-13-45");
  CHECK(bad.first == 2);
}

TEST_CASE("mailwire imap attachments: hostile file names stay inside --out, nothing overwritten",
          "[imap][dovecot][cli][security]") {
  MAILWIRE_REQUIRE_STACK(stack);
  TempDir dir;
  const std::string out_dir = dir.path + "/out";
  const std::string tag = "evil-" + std::to_string(::getpid());
  const std::string raw =
      "From: attacker@evil.example\r\nTo: alice@example.test\r\nSubject: " + tag +
      "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
      "Content-Type: application/pdf\r\nContent-Disposition: attachment; "
      "filename=\"../../escape.pdf\"\r\n\r\nfirst\r\n--b\r\nContent-Type: application/pdf\r\n"
      "Content-Disposition: attachment; filename=\"/tmp/../escape.pdf\"\r\n\r\nsecond\r\n"
      "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
      "filename=\"..\"\r\n\r\nthird\r\n--b--\r\n";
  {
    ImapOptions options;
    options.tls.ca_file = stack->ca_file;
    ImapClient client(options);
    client.connect("localhost", stack->imap_port);
    client.login("alice", MailStack::password("alice"));
    client.append("INBOX", raw);
    client.logout();
  }
  const std::string c = "--server localhost:" + std::to_string(stack->imap_port) + " --ca-file " +
                        stack->ca_file + " --user alice ";
  const auto [status, out] =
      run_cli(c + "attachments INBOX --subject " + tag + " --out " + out_dir);
  INFO(out);
  REQUIRE(status == 0);
  std::istringstream lines(out);
  std::vector<std::string> saved;
  for (std::string line; std::getline(lines, line);)
    saved.push_back(line);
  REQUIRE(saved.size() == 3);
  std::set<std::string> contents;
  for (const std::string& path : saved) {
    // Directly inside the output directory, under a name without any path in it.
    CHECK(path.rfind(out_dir + "/", 0) == 0);
    CHECK(path.find('/', out_dir.size() + 1) == std::string::npos);
    CHECK(path.find("..") == std::string::npos);
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    contents.insert(bytes.str());
  }
  // Three distinct files: the second escape.pdf did not overwrite the first.
  CHECK(contents == std::set<std::string>{"first", "second", "third"});
  CHECK_FALSE(std::ifstream(dir.path + "/escape.pdf"));
}
#endif
