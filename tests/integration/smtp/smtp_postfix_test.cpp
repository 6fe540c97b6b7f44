// SmtpClient against a real Postfix (scripts/mailstack.sh), delivering to Dovecot.

#include "support/mail_stack.hpp"

#include <mailwire/error.hpp>
#include <mailwire/smtp_client.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

using namespace mailwire;
using namespace mailwire::test;

namespace {

SmtpOptions options_for(const MailStack& stack) {
  SmtpOptions options;
  options.tls.ca_file = stack.ca_file;
  options.helo_name = "client.example.test";
  return options;
}

SmtpEnvelope to(std::vector<std::string> recipients) {
  SmtpEnvelope e;
  e.sender = "alice@example.test";
  e.recipients = std::move(recipients);
  return e;
}

#define REQUIRE_POSTFIX(stack)                                                 \
  if (stack->submission_port == 0) {                                           \
    FAIL("the mail stack has no Postfix (is the postfix package installed?)"); \
  }

}  // namespace

TEST_CASE("Postfix submission: STARTTLS, AUTH after TLS, delivery with dots intact",
          "[smtp][postfix]") {
  MAILWIRE_REQUIRE_STACK(stack);
  REQUIRE_POSTFIX(stack);
  stack->clear_inbox("bob");
  SmtpClient client(options_for(*stack));
  client.connect("localhost", stack->submission_port);
  CHECK(client.is_encrypted());
  CHECK(client.tls_info()->verified);
  CHECK(client.capabilities().pipelining);
  CHECK_FALSE(client.capabilities().auth.empty());  // offered after TLS only
  client.login("alice", MailStack::password("alice"));
  const std::string message =
      "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: submission test\r\n\r\n"
      ".a line starting with a dot\r\n.\r\n..\r\nbare\nline feeds\nend";
  const SmtpSendResult result = client.send(to({"bob@example.test"}), message);
  CHECK(result.all_accepted());
  CHECK(result.reply.code == 250);
  CHECK(result.reply.enhanced == "2.0.0");
  client.quit();
  REQUIRE(stack->wait_for_inbox("bob", 1) == 1);
  const std::string stored = stack->inbox_text("bob");
  CHECK_THAT(stored,
             Catch::Contains("\n.a line starting with a dot\n.\n..\nbare\nline feeds\nend"));
}

TEST_CASE("Postfix: several messages per connection, partial recipients, RSET", "[smtp][postfix]") {
  MAILWIRE_REQUIRE_STACK(stack);
  REQUIRE_POSTFIX(stack);
  stack->clear_inbox("alice");
  stack->clear_inbox("bob");
  SmtpClient client(options_for(*stack));
  client.connect("localhost", stack->submission_port);
  client.login("bob", MailStack::password("bob"));
  // Postfix's submission service rejects unknown users of its own domain at RCPT.
  const auto first = client.send(to({"alice@example.test", "nobody@example.test"}),
                                 "Subject: one\r\n\r\nfirst\r\n");
  REQUIRE(first.recipients.size() == 2);
  CHECK(first.recipients[0].accepted);
  CHECK_FALSE(first.recipients[1].accepted);
  CHECK(first.recipients[1].reply.code == 550);
  CHECK(first.recipients[1].reply.enhanced == "5.1.1");
  try {
    client.send(to({"nobody@example.test"}), "Subject: two\r\n\r\nsecond\r\n");
    FAIL("all recipients were unknown, yet it was sent");
  } catch (const Error& e) {
    CHECK(e.kind() == Errc::rejected);
    CHECK_FALSE(e.is_fatal());
  }
  client.send(to({"bob@example.test"}), "Subject: three\r\n\r\nthird\r\n");
  client.quit();
  CHECK(stack->wait_for_inbox("alice", 1) == 1);
  CHECK(stack->wait_for_inbox("bob", 1) == 1);
}

TEST_CASE("Postfix: implicit TLS, SIZE refusal, wrong password, plaintext policy",
          "[smtp][postfix]") {
  MAILWIRE_REQUIRE_STACK(stack);
  REQUIRE_POSTFIX(stack);
  {
    SmtpOptions options = options_for(*stack);
    options.security = Security::Tls;
    SmtpClient client(options);
    client.connect("localhost", stack->submissions_port);
    CHECK(client.is_encrypted());
    // SIZE 10485760 is advertised: 11 MB is refused before MAIL FROM.
    client.login("alice", MailStack::password("alice"));
    try {
      client.send(to({"bob@example.test"}), std::string(11 * 1024 * 1024, 'x'));
      FAIL("an oversized message was sent");
    } catch (const Error& e) {
      CHECK(e.kind() == Errc::rejected);
      CHECK_THAT(e.what(), Catch::Contains("SIZE"));
    }
    client.noop();
    client.quit();
  }
  {
    SmtpClient client(options_for(*stack));
    client.connect("localhost", stack->submission_port);
    try {
      client.login("alice", "wrong password");
      FAIL("logged in with a wrong password");
    } catch (const Error& e) {
      CHECK(e.kind() == Errc::auth);
      CHECK(e.diagnostics().reply_code == 535);
    }
  }
  {
    // The port-25 service offers STARTTLS; with Security::None the client stays in plaintext
    // and refuses to send credentials there.
    SmtpOptions options = options_for(*stack);
    options.security = Security::None;
    SmtpClient client(options);
    client.connect("localhost", stack->smtp_port);
    CHECK_FALSE(client.is_encrypted());
    try {
      client.login("alice", MailStack::password("alice"));
      FAIL("credentials went out in plaintext");
    } catch (const Error& e) {
      CHECK(e.kind() == Errc::usage);
    }
    // Relaying to the local domain needs no login on the port-25 service.
    stack->clear_inbox("alice");
    client.send(to({"alice@example.test"}), "Subject: plain relay\r\n\r\nhi\r\n");
    client.quit();
    CHECK(stack->wait_for_inbox("alice", 1) == 1);
  }
  {
    // A large message streamed from a file, with progress.
    const std::string path = stack->dir + "/large.eml";
    {
      std::ofstream out(path, std::ios::binary);
      out << "Subject: large\r\n\r\n";
      for (int i = 0; i < 60000; ++i)
        out << "line " << i << " .......................................\r\n";
    }
    stack->clear_inbox("bob");
    SmtpClient client(options_for(*stack));
    client.connect("localhost", stack->submission_port);
    client.login("alice", MailStack::password("alice"));
    auto source = MessageSource::from_file(path);
    std::uint64_t last = 0;
    SmtpSendOptions send_options;
    send_options.progress = [&](std::uint64_t done, std::uint64_t) { last = done; };
    client.send(to({"bob@example.test"}), *source, send_options);
    CHECK(last == source->size());
    client.quit();
    CHECK(stack->wait_for_inbox("bob", 1) == 1);
  }
}

TEST_CASE("Postfix: every SASL mechanism, every security mode", "[smtp][postfix]") {
  MAILWIRE_REQUIRE_STACK(stack);
  REQUIRE_POSTFIX(stack);
  stack->clear_inbox("bob");
  std::size_t sent = 0;
  for (const char* mechanism : {"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"}) {
    INFO(mechanism);
    SmtpClient client(options_for(*stack));
    client.connect("localhost", stack->submission_port);
    SaslCredentials c;
    c.user = "alice";
    c.password = MailStack::password("alice");
    client.authenticate(c, mechanism);
    client.send(to({"bob@example.test"}), std::string("Subject: ") + mechanism + "\r\n\r\nx\r\n");
    client.quit();
    ++sent;
  }
  {
    SmtpOptions options = options_for(*stack);
    options.security = Security::StartTlsIfAvailable;  // port 25 offers it: used
    SmtpClient client(options);
    client.connect("localhost", stack->smtp_port);
    CHECK(client.is_encrypted());
    client.send(to({"bob@example.test"}), "Subject: opportunistic\r\n\r\nx\r\n");
    client.quit();
    ++sent;
  }
  CHECK(stack->wait_for_inbox("bob", sent) == sent);
}

TEST_CASE("Postfix: a 5 MiB attachment arrives byte-exact", "[smtp][postfix]") {
  MAILWIRE_REQUIRE_STACK(stack);
  REQUIRE_POSTFIX(stack);
  stack->clear_inbox("bob");
  const std::string path = stack->dir + "/big.bin";
  std::string bytes(5 * 1024 * 1024, '\0');
  std::uint32_t x = 20261124;
  for (char& c : bytes) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  std::ofstream(path, std::ios::binary) << bytes;
  mime::MessageBuilder message;
  message.from("alice@example.test").to("bob@example.test").subject("big").text("5 MiB");
  message.attach_file(path, "application/octet-stream", "big.bin");
  SmtpClient client(options_for(*stack));
  client.connect("localhost", stack->submission_port);
  client.login("alice", MailStack::password("alice"));
  client.send(message);
  client.quit();
  REQUIRE(stack->wait_for_inbox("bob", 1) == 1);
  // Decode the stored attachment with CPython's email package and compare digests.
  const std::string stored = stack->dir + "/stored.eml";
  std::ofstream(stored, std::ios::binary) << stack->inbox_text("bob");
  const std::string command =
      "python3 -c 'import sys,email,hashlib; m=email.message_from_bytes(open(sys.argv[1],\"rb\")"
      ".read()); print([hashlib.sha256(p.get_payload(decode=True)).hexdigest() for p in m.walk() "
      "if p.get_filename()==\"big.bin\"][0], end=\"\")' " +
      stored +
      " && python3 -c 'import "
      "sys,hashlib; print(\" \" + hashlib.sha256(open(sys.argv[1],\"rb\").read()).hexdigest(), "
      "end=\"\")' " +
      path;
  std::string out;
  if (std::FILE* p = ::popen(command.c_str(), "r")) {
    char buf[512];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
      out.append(buf, n);
    ::pclose(p);
  }
  const std::size_t space = out.find(' ');
  REQUIRE(space == 64);
  CHECK(out.substr(0, 64) == out.substr(65));
}

TEST_CASE("Postfix: SMTP smuggling patterns in a body deliver exactly one message",
          "[smtp][postfix][security]") {
  MAILWIRE_REQUIRE_STACK(stack);
  REQUIRE_POSTFIX(stack);
  stack->clear_inbox("bob");
  SmtpClient client(options_for(*stack));
  client.connect("localhost", stack->submission_port);
  client.login("alice", MailStack::password("alice"));
  // Each pattern would end the DATA early on a lenient server and start a second message
  // ("MAIL FROM ... smuggled") if the client let it through as is (SMTP smuggling, 2023).
  const std::string smuggled =
      "MAIL FROM:<ceo@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
      "Subject: smuggled\r\n\r\nforged\r\n";
  std::string body =
      "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: carrier\r\n\r\nstart\r\n";
  for (const char* end : {"\n.\r\n", "\n.\n", "\r.\r", "\r\n.\r", "\r.\r\n", "\n.\r"})
    body += std::string("text") + end + smuggled;
  body += "finish\r\n";
  const SmtpSendResult result = client.send(to({"bob@example.test"}), body);
  CHECK(result.all_accepted());
  // A marker message after it: a smuggled message would have been queued before the marker.
  client.send(to({"bob@example.test"}),
              "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: marker\r\n\r\nm\r\n");
  client.quit();
  REQUIRE(stack->wait_for_inbox("bob", 2) >= 2);
  // Nothing more arrived: the "smuggled" lines were body text of the one message.
  const std::string inbox = stack->inbox_text("bob");
  CHECK(inbox.find("Subject: carrier") != std::string::npos);
  CHECK(inbox.find("finish") != std::string::npos);
  CHECK(inbox.find("\nSubject: smuggled") != std::string::npos);  // as body text
  CHECK(stack->inbox_count("bob") == 2);
}
