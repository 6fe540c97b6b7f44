// The numbered examples run against the local Postfix + Dovecot, as a newcomer would run them:
// send (01, 02), fetch the invoice PDF (04), archive over POP3 (05), parse what arrived (07),
// watch with IDLE (06), and a custom transport (08).

#include "support/mail_stack.hpp"
#include "support/test_server.hpp"

#include <mailwire/imap_client.hpp>
#include <mailwire/mime/encoding.hpp>

#include <catch2/catch.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

using namespace mailwire::test;

#ifdef MAILWIRE_EXAMPLES_DIR
namespace {

// A running example with its standard output (and error) on a pipe; killed by PID if the
// test ends before it does.
class Example {
 public:
  Example(const std::string& name, std::vector<std::string> args, const std::string& password) {
    const std::string path = std::string(MAILWIRE_EXAMPLES_DIR) + "/" + name;
    args.insert(args.begin(), path);
    std::vector<char*> argv;
    for (std::string& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e)
      env_strings.emplace_back(*e);
    env_strings.push_back("MAILWIRE_PASSWORD=" + password);
    std::vector<char*> envp;
    for (std::string& e : env_strings)
      envp.push_back(e.data());
    envp.push_back(nullptr);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    REQUIRE(::posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv.data(), envp.data()) == 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = ::fdopen(fds[0], "r");
  }
  ~Example() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_ != nullptr) ::fclose(out_);
  }
  Example(const Example&) = delete;
  Example& operator=(const Example&) = delete;

  // The next line of output without its newline, or nullopt at the end.
  std::optional<std::string> line() {
    char buf[4096];
    if (std::fgets(buf, sizeof buf, out_) == nullptr) return std::nullopt;
    std::string s(buf);
    if (!s.empty() && s.back() == '\n') s.pop_back();
    output_ += s + "\n";
    return s;
  }
  // Reads the rest of the output and the exit status.
  int wait() {
    while (line()) {
    }
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  std::FILE* out_ = nullptr;
  std::string output_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("Examples 01 02 04 05 07 08 against the local mail stack", "[examples][dovecot]") {
  MAILWIRE_REQUIRE_STACK(stack);
  TempDir dir;
  const std::string ca = stack->ca_file;
  const std::string submission = std::to_string(stack->submission_port);
  const std::string pdf_path = dir.path + "/invoice-2026-11.pdf";
  const std::string pdf = "%PDF-1.4\n" + std::string(20000, '\xE2') + "\n%%EOF\n";
  std::ofstream(pdf_path, std::ios::binary) << pdf;

  {
    Example send(
        "01_send_text",
        {"localhost", submission, "alice@example.test", "bob@example.test", "--ca-file", ca},
        "alice-pass");
    CHECK(send.wait() == 0);
    INFO(send.output());
  }
  {
    Example send("02_send_html_with_attachments",
                 {"localhost", submission, "alice@example.test", "bob@example.test", pdf_path,
                  "--ca-file", ca},
                 "alice-pass");
    CHECK(send.wait() == 0);
    INFO(send.output());
  }
  REQUIRE(stack->wait_for_inbox("bob", 2) == 2);

  {
    const std::string out = dir.path + "/invoices";
    std::filesystem::create_directories(out);
    const std::vector<std::string> args = {"localhost",
                                           std::to_string(stack->imap_port),
                                           "bob",
                                           "INBOX",
                                           out,
                                           "--ca-file",
                                           ca,
                                           "--from",
                                           "alice@example.test",
                                           "--since",
                                           "2026-01-01",
                                           "--unseen"};
    {
      // An output that cannot be written fails the run and leaves the message unseen (the
      // example used to print the path and mark the message \Seen with nothing saved).
      std::vector<std::string> broken = args;
      broken[4] = dir.path + "/no-such-directory";
      Example fail("04_fetch_invoices", broken, "bob-pass");
      CHECK(fail.wait() == 1);
      INFO(fail.output());
      CHECK(fail.output().rfind("04_fetch_invoices: cannot create", 0) == 0);  // no path printed
    }
    Example fetch("04_fetch_invoices", args, "bob-pass");
    REQUIRE(fetch.wait() == 0);
    INFO(fetch.output());
    const std::string saved = fetch.output().substr(0, fetch.output().find('\n'));
    CHECK(saved == out + "/invoice-2026-11.pdf");
    CHECK(read_file(saved) == pdf);  // the original bytes
    // The messages are \Seen now: a second run finds nothing unseen and saves nothing.
    Example again("04_fetch_invoices", args, "bob-pass");
    CHECK(again.wait() == 0);
    CHECK(again.output().empty());
  }
  const std::string maildir = dir.path + "/archive";
  {
    Example archive(
        "05_pop3_archive",
        {"localhost", std::to_string(stack->pop3_port), "bob", maildir, "--ca-file", ca},
        "bob-pass");
    CHECK(archive.wait() == 0);
    INFO(archive.output());
  }
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(maildir + "/new"))
    files.push_back(e.path());
  REQUIRE(files.size() == 2);
  bool saw_pdf = false;
  for (const std::string& file : files) {
    Example parse("07_parse_eml", {file}, "");
    CHECK(parse.wait() == 0);
    saw_pdf = saw_pdf || parse.output().find("application/pdf") != std::string::npos;
  }
  CHECK(saw_pdf);
  {
    Example custom("08_custom_transport",
                   {"localhost", std::to_string(stack->pop3_port), "bob", "--ca-file", ca},
                   "bob-pass");
    CHECK(custom.wait() == 0);
    INFO(custom.output());
  }
}

TEST_CASE("Example 09 saves the attachments of a large message under safe names", "[examples]") {
  TempDir dir;
  const std::string out = dir.path + "/out";
  std::filesystem::create_directory(out);
  std::string pdf = "%PDF-1.4\n";
  for (int i = 0; pdf.size() < 3u << 20; ++i)  // 3 MiB: past the spill threshold
    pdf += static_cast<char>((i * 131) ^ (i >> 7));
  std::string encoded;
  mailwire::mime::Base64Encoder encoder;
  encoder.feed(pdf, encoded);
  encoder.finish(encoded);
  const std::string attachment =
      "Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
      "Content-Disposition: attachment; filename=\"../evil.pdf\"\r\n\r\n" +
      encoded;
  const std::string eml = dir.path + "/big.eml";
  std::ofstream(eml, std::ios::binary)
      << "From: a@example.test\r\nSubject: invoices\r\nContent-Type: multipart/mixed; "
         "boundary=zz\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nTwo invoices.\r\n--zz\r\n"
      << attachment << "--zz\r\n"
      << attachment << "--zz--\r\n";

  Example extract("09_extract_attachments", {eml, out}, "");
  CHECK(extract.wait() == 0);
  INFO(extract.output());
  CHECK(extract.output().find("2 attachment(s)") != std::string::npos);
  // The path in the name is dropped; the second file of the same name gets " (2)".
  CHECK(read_file(out + "/evil.pdf") == pdf);
  CHECK(read_file(out + "/evil (2).pdf") == pdf);
  CHECK(!std::filesystem::exists(dir.path + "/evil.pdf"));
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(out))
    ++files;
  CHECK(files == 2);
}

TEST_CASE("Example 06 sees a message delivered while it waits in IDLE", "[examples][dovecot]") {
  MAILWIRE_REQUIRE_STACK(stack);
  Example watch("06_watch_inbox_idle",
                {"localhost", std::to_string(stack->imap_port), "bob", "--ca-file", stack->ca_file,
                 "--for", "30"},
                "bob-pass");
  const auto ready = watch.line();
  REQUIRE(ready);
  REQUIRE(*ready == "watching INBOX of bob");
  stack->deliver("bob",
                 "From: a@example.test\r\nTo: bob@example.test\r\nSubject: ping while idle\r\n\r\n"
                 "hi\r\n");
  const auto seen = watch.line();
  REQUIRE(seen);
  CHECK(*seen == "new: ping while idle");
}
TEST_CASE("Example 10 prints the addresses to suppress and moves the reports it read",
          "[examples][dovecot]") {
  MAILWIRE_REQUIRE_STACK(stack);
  const auto seed = [](const std::string& name) {
    return read_file(std::string(MAILWIRE_SOURCE_DIR) + "/fuzz/corpus/mime_delivery_report/" +
                     name);
  };
  // Names of this run's own: the stack may be shared with other tests.
  const std::string bounces = "Bounces-" + std::to_string(::getpid());
  const std::string processed = "Processed-" + std::to_string(::getpid());
  mailwire::ImapOptions options;
  options.tls.ca_file = stack->ca_file;
  {
    mailwire::ImapClient imap(options);
    imap.connect("localhost", stack->imap_port);
    imap.login("alice", "alice-pass");
    imap.create(bounces);
    REQUIRE(!seed("multidsn.eml").empty());
    imap.append(bounces, seed("multidsn.eml"));
    imap.append(bounces, seed("arf.eml"));
    // A bounce that names no recipient, sent to a VERP return path.
    imap.append(bounces,
                "From: MAILER-DAEMON@mx.example.org\r\n"
                "To: bounces+zed=example.org@example.test\r\n"
                "Subject: Undelivered Mail Returned to Sender\r\n\r\n"
                "Your message could not be delivered.\r\n");
    // A complaint that does not say who complained, sent to a VERP return path.
    imap.append(bounces,
                "From: fbl@isp.example\r\n"
                "To: bounces+carl=example.org@example.test\r\n"
                "Subject: Abuse report\r\n"
                "MIME-Version: 1.0\r\n"
                "Content-Type: multipart/report; report-type=feedback-report; boundary=\"f\"\r\n"
                "\r\n"
                "--f\r\n"
                "Content-Type: message/feedback-report\r\n"
                "\r\n"
                "Feedback-Type: abuse\r\n"
                "--f--\r\n");
    imap.append(bounces,
                "From: dave@example.test\r\nTo: alice@example.test\r\n"
                "Subject: not a bounce\r\n\r\nhello\r\n");
    imap.logout();
  }
  Example run("10_bounce_mailbox",
              {"localhost", std::to_string(stack->imap_port), "alice", bounces, processed,
               "--ca-file", stack->ca_file, "--verp"},
              "alice-pass");
  REQUIRE(run.wait() == 0);
  INFO(run.output());
  const std::string& out = run.output();
  CHECK(out.find("suppress gone@example.org user_unknown 5.1.1\n") != std::string::npos);
  CHECK(out.find("soft full@example.org mailbox_full 5.2.2\n") != std::string::npos);
  CHECK(out.find("suppress user@example.com complaint -\n") != std::string::npos);
  CHECK(out.find("dave@example.test") == std::string::npos);
  CHECK(out.find("soft zed@example.org other -\n") != std::string::npos);           // by VERP
  CHECK(out.find("suppress carl@example.org complaint -\n") != std::string::npos);  // by VERP
  CHECK(out.find("4 reports moved to " + processed) != std::string::npos);
  // The four reports moved; the ordinary message stayed.
  mailwire::ImapClient imap(options);
  imap.connect("localhost", stack->imap_port);
  imap.login("alice", "alice-pass");
  CHECK(imap.select(processed).exists == 4);
  CHECK(imap.select(bounces).exists == 1);
  imap.logout();
}
#endif
