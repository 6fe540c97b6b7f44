// ImapClient and Pop3Client against a real Cyrus IMAP 3.6 (scripts/interopstack.sh): both TLS
// modes, every SASL mechanism it offers (SCRAM-*-PLUS with channel binding among them),
// attachments byte-identical, IDLE with the change reported after DONE, MOVE, POP3 download.

#include "support/interop_stack.hpp"
#include "support/test_server.hpp"

#include <mailwire/error.hpp>
#include <mailwire/imap_client.hpp>
#include <mailwire/maildir.hpp>
#include <mailwire/mime/builder.hpp>
#include <mailwire/mime/message.hpp>
#include <mailwire/pop3_client.hpp>
#include <mailwire/pop3_download.hpp>

#include <catch2/catch.hpp>

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>

using namespace mailwire;
using namespace mailwire::test;

namespace {

ImapOptions imap_options(const InteropStack& stack) {
  ImapOptions options;
  options.tls.ca_file = stack.ca_file;
  return options;
}

SaslCredentials credentials(const std::string& user) {
  SaslCredentials c;
  c.user = user;
  c.password = InteropStack::password(user);
  return c;
}

std::string with_attachment(const std::string& subject, const std::string& data) {
  mime::MessageBuilder b;
  b.from("Billing <billing@shop.example>")
      .to("alice@example.test")
      .subject(subject)
      .text("Your invoice is attached.\n")
      .attach("invoice.pdf", data, "application/pdf");
  return b.to_string();
}

std::string binary_pdf(std::size_t size) {
  std::string pdf = "%PDF-1.4\n";
  for (std::size_t i = 0; pdf.size() < size; ++i)
    pdf += static_cast<char>(i * 7 % 251);
  return pdf;
}

// A mailbox of this test process, empty.
std::string fresh_mailbox(ImapClient& client, const std::string& name) {
  const std::string box = name + "-" + std::to_string(::getpid());
  try {
    client.delete_mailbox(box);
  } catch (const Error&) {
  }
  client.create(box);
  return box;
}

// Waits (bounded) until a Cyrus process is in IDLE on `box` (its proc file says so).
[[maybe_unused]] bool wait_for_cyrus_idle(const InteropStack& stack, const std::string& box) {
  const std::string proc = stack.dir + "/cyrus/config/proc";
  for (int i = 0; i < 800; ++i) {
    if (DIR* d = ::opendir(proc.c_str())) {
      bool found = false;
      while (const dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        std::ifstream in(proc + "/" + e->d_name);
        const std::string text{std::istreambuf_iterator<char>(in),
                               std::istreambuf_iterator<char>()};
        if (text.find("." + box + "\tIdle") != std::string::npos) found = true;
      }
      ::closedir(d);
      if (found) return true;
    }
    ::usleep(25 * 1000);
  }
  return false;
}

}  // namespace

TEST_CASE("Cyrus IMAP: STARTTLS, every SASL mechanism, SCRAM-PLUS chosen by default",
          "[imap][cyrus][interop]") {
  MAILWIRE_REQUIRE_INTEROP(stack);
  for (const char* mechanism : {"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256",
                                "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS"}) {
    INFO(mechanism);
    ImapClient client(imap_options(*stack));
    client.connect("localhost", stack->cyrus_imap_port);
    CHECK(client.is_encrypted());
    CHECK(client.tls_info()->verified);
    client.authenticate(credentials("alice"), mechanism);
    client.select("INBOX");
    client.logout();
  }
  // Unforced: the strongest both have, SCRAM-SHA-256-PLUS (seen in the protocol log).
  std::string log;
  ImapOptions options = imap_options(*stack);
  options.log = [&](LogDirection d, std::string_view bytes) {
    if (d == LogDirection::Client) log += std::string(bytes);
  };
  ImapClient client(options);
  client.connect("localhost", stack->cyrus_imap_port);
  client.authenticate(credentials("alice"));
  CHECK_THAT(log, Catch::Contains("AUTHENTICATE SCRAM-SHA-256-PLUS"));
  client.logout();

  // A wrong password is refused, with each kind of mechanism.
  for (const char* mechanism : {"PLAIN", "SCRAM-SHA-256-PLUS"}) {
    INFO(mechanism);
    ImapClient wrong(imap_options(*stack));
    wrong.connect("localhost", stack->cyrus_imap_port);
    SaslCredentials c = credentials("alice");
    c.password = "wrong";
    try {
      wrong.authenticate(c, mechanism);
      FAIL("authenticated with a wrong password");
    } catch (const Error& e) {
      CHECK(e.kind() == Errc::auth);
    }
  }
}

TEST_CASE("Cyrus IMAP: implicit TLS, attachment byte-identical, MOVE", "[imap][cyrus][interop]") {
  MAILWIRE_REQUIRE_INTEROP(stack);
  ImapOptions options = imap_options(*stack);
  options.security = Security::Tls;
  ImapClient client(options);
  client.connect("localhost", stack->cyrus_imaps_port);
  CHECK(client.tls_info()->verified);
  client.authenticate(credentials("alice"));
  const std::string box = fresh_mailbox(client, "Invoices");
  const std::string target = fresh_mailbox(client, "Archive");

  const std::string pdf = binary_pdf(300000);
  const std::string message = with_attachment("Invoice cyrus-1", pdf);
  const auto uid = client.append(box, message, {"\\Seen"});
  REQUIRE(uid);
  const MailboxInfo& info = client.select(box);
  CHECK(info.exists == 1);

  std::string fetched;
  CHECK(client.fetch_section(*uid, "", [&](std::string_view c) { fetched.append(c); }) ==
        message.size());
  CHECK(fetched == message);
  const auto meta = client.uid_fetch({*uid}, "(UID BODYSTRUCTURE)");
  REQUIRE(meta.size() == 1);
  REQUIRE(meta[0].body_structure);
  std::string section;
  imap::for_each_part(*meta[0].body_structure,
                      [&](const std::string& s, const imap::BodyStructure& part) {
                        if (part.subtype == "pdf") section = s;
                      });
  REQUIRE(section == "2");
  std::string encoded;
  client.fetch_section(*uid, section, [&](std::string_view c) { encoded.append(c); });
  CHECK(mime::Message::parse("Content-Transfer-Encoding: base64\r\n\r\n" + encoded)
            .root()
            .decoded_body() == pdf);

  CHECK(client.has_capability("MOVE"));
  client.uid_move({*uid}, target);
  CHECK(client.status(box).messages == 0u);
  CHECK(client.status(target).messages == 1u);
  client.delete_mailbox(box);
  client.delete_mailbox(target);
  client.logout();
}

TEST_CASE("Cyrus IMAP: IDLE reports a message that arrived, which Cyrus tells after DONE",
          "[imap][cyrus][interop]") {
  MAILWIRE_REQUIRE_INTEROP(stack);
  ImapClient setup(imap_options(*stack));
  setup.connect("localhost", stack->cyrus_imap_port);
  setup.authenticate(credentials("alice"));
  const std::string box = fresh_mailbox(setup, "Idle");

  // The watcher's log tells the writer when IDLE runs ("+ idling"), so the message arrives
  // during IDLE; Cyrus (no idled, imapidlepoll 3600) reports it only after DONE.
  std::atomic<bool> idling{false};
  std::mutex log_mutex;
  std::string log;
  ImapOptions options = imap_options(*stack);
  options.log = [&](LogDirection d, std::string_view bytes) {
    std::lock_guard<std::mutex> lock(log_mutex);
    log += (d == LogDirection::Client   ? "C: "
            : d == LogDirection::Server ? "S: "
                                        : "I: ") +
           std::string(bytes);
    if (d == LogDirection::Server && bytes.substr(0, 2) == "+ ") idling = true;
  };
  ImapClient watcher(options);
  watcher.connect("localhost", stack->cyrus_imap_port);
  watcher.authenticate(credentials("alice"));
  watcher.select(box);
  std::thread writer([&] {
    for (int i = 0; i < 400 && !idling; ++i)
      ::usleep(25 * 1000);
    setup.append(box, "Subject: during IDLE\r\n\r\nnew\r\n");
  });
  std::vector<ImapClient::IdleEvent> events;
  // Long enough for the append, whenever it lands; the outcome is checked, not the time.
  try {
    watcher.idle(std::chrono::seconds(3), [&](const ImapClient::IdleEvent& e) {
      events.push_back(e);
      return false;
    });
  } catch (...) {
    writer.join();  // a failed IDLE is reported as such, not as std::terminate
    throw;
  }
  writer.join();
  {
    std::lock_guard<std::mutex> lock(log_mutex);
    INFO(log);
    REQUIRE(events.size() == 1);
  }
  CHECK(events[0].kind == ImapClient::IdleEvent::Kind::Exists);
  CHECK(events[0].number == 1);
  CHECK(watcher.mailbox().exists == 1);
  watcher.logout();
  setup.delete_mailbox(box);
  setup.logout();
}

TEST_CASE("Cyrus POP3: STLS and implicit TLS, SASL mechanisms, RETR and download byte-identical",
          "[pop3][cyrus][interop]") {
  MAILWIRE_REQUIRE_INTEROP(stack);
  // bob's INBOX holds what the test puts there by IMAP.
  ImapClient imap(imap_options(*stack));
  imap.connect("localhost", stack->cyrus_imap_port);
  imap.authenticate(credentials("bob"));
  imap.select("INBOX");
  const auto old = imap.uid_search("ALL");
  if (!old.empty()) {
    imap.uid_store_flags(old, {"\\Deleted"}, true);
    imap.expunge();
  }
  const std::string first = with_attachment("POP first", binary_pdf(20000));
  const std::string second = "Subject: dots\r\n\r\n.leading dot\r\n..two\r\n.\r\nend\r\n";
  imap.append("INBOX", first);
  imap.append("INBOX", second);
  imap.logout();

  for (const char* mechanism : {"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256",
                                "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS"}) {
    INFO(mechanism);
    Pop3Options options;
    options.tls.ca_file = stack->ca_file;
    Pop3Client client(options);
    client.connect("localhost", stack->cyrus_pop3_port);
    CHECK(client.is_encrypted());
    client.authenticate(credentials("bob"), mechanism);
    CHECK(client.stat().count == 2);
    client.quit();
  }

  Pop3Options options;
  options.tls.ca_file = stack->ca_file;
  options.security = Security::Tls;
  Pop3Client client(options);
  client.connect("localhost", stack->cyrus_pop3s_port);
  client.login("bob", InteropStack::password("bob"));
  REQUIRE(client.stat().count == 2);
  CHECK(client.retr(1) == first);
  CHECK(client.retr(2) == second);
  client.quit();

  TempDir dir;
  Maildir maildir(dir.path + "/Mail");
  Pop3Client downloader(options);
  downloader.connect("localhost", stack->cyrus_pop3s_port);
  downloader.authenticate(credentials("bob"));
  const Pop3DownloadResult result = download_to_maildir(downloader, maildir);
  CHECK(result.downloaded == 2);
  // Each file on disk is one of the messages, byte for byte.
  std::vector<std::string> saved;
  for (const char* sub : {"/Mail/new", "/Mail/cur"}) {
    if (DIR* d = ::opendir((dir.path + sub).c_str())) {
      while (const dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        std::ifstream in(dir.path + sub + "/" + e->d_name, std::ios::binary);
        saved.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
      ::closedir(d);
    }
  }
  std::sort(saved.begin(), saved.end());
  std::vector<std::string> expected = {first, second};
  std::sort(expected.begin(), expected.end());
  CHECK(saved == expected);
}

#ifdef MAILWIRE_CLI
TEST_CASE("mailwire imap idle against Cyrus prints the message that arrived",
          "[imap][cyrus][interop][cli]") {
  MAILWIRE_REQUIRE_INTEROP(stack);
  ImapClient setup(imap_options(*stack));
  setup.connect("localhost", stack->cyrus_imap_port);
  setup.authenticate(credentials("alice"));
  const std::string box = fresh_mailbox(setup, "CliIdle");
  const std::string command =
      "MAILWIRE_PASSWORD=alice-pass '" + std::string(MAILWIRE_CLI) +
      "' imap --server localhost:" + std::to_string(stack->cyrus_imap_port) + " --ca-file '" +
      stack->ca_file + "' --user alice idle " + box + " --wait 3 2>&1";
  std::FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  // Cyrus lists what each of its processes does (configdirectory/proc/PID): once the tool's
  // is in IDLE on the mailbox, the message arrives, and Cyrus tells of it after DONE.
  REQUIRE(wait_for_cyrus_idle(*stack, box));
  setup.append(box, "Subject: for the tool\r\n\r\nx\r\n");
  std::string out;
  char buf[512];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
    out.append(buf, n);
  const int st = ::pclose(p);
  INFO(out);
  CHECK(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 0);
  CHECK(out == "exists 1\n");
  setup.delete_mailbox(box);
  setup.logout();
}

TEST_CASE("mailwire --auth: SCRAM-SHA-256-PLUS works, a mechanism mailwire lacks is exit 2",
          "[imap][cyrus][interop][cli]") {
  MAILWIRE_REQUIRE_INTEROP(stack);
  const auto run = [&](const std::string& mechanism) {
    const std::string command =
        "MAILWIRE_PASSWORD=alice-pass '" + std::string(MAILWIRE_CLI) +
        "' imap --server localhost:" + std::to_string(stack->cyrus_imap_port) + " --ca-file '" +
        stack->ca_file + "' --user alice --auth " + mechanism + " list 2>&1";
    std::string out;
    std::FILE* p = ::popen(command.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
      out.append(buf, n);
    const int st = ::pclose(p);
    return std::make_pair(WIFEXITED(st) ? WEXITSTATUS(st) : -1, out);
  };
  const auto plus = run("SCRAM-SHA-256-PLUS");
  INFO(plus.second);
  CHECK(plus.first == 0);
  CHECK_THAT(plus.second, Catch::Contains("INBOX"));
  const auto gssapi = run("GSSAPI");
  INFO(gssapi.second);
  CHECK(gssapi.first == 2);
  CHECK_THAT(gssapi.second, Catch::Contains("GSSAPI"));
  CHECK_THAT(gssapi.second, !Catch::Contains("no usable"));
}
#endif
