// SentCopy against the real Dovecot: what SmtpClient sends (to a fake SMTP server that keeps
// the bytes) is filed into the \Sent mailbox byte for byte, streamed; nothing is filed for a
// message no recipient took; a Sender files one copy per message, however many attempts.

#include "support/fake_smtp_server.hpp"
#include "support/mail_stack.hpp"

#include <mailwire/imap_client.hpp>
#include <mailwire/sender.hpp>
#include <mailwire/sent_copy.hpp>
#include <mailwire/smtp_client.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

using namespace mailwire;
using namespace mailwire::test;

namespace {

ImapOptions imap_options(const MailStack& stack) {
  ImapOptions options;
  options.tls.ca_file = stack.ca_file;
  return options;
}

std::shared_ptr<SentCopy> sent_copy_for(const MailStack& stack, const std::string& user) {
  SentCopyOptions options;
  options.host = stack.host;
  options.port = stack.imap_port;
  options.imap = imap_options(stack);
  options.credentials.user = user;
  options.credentials.password = MailStack::password(user);
  return std::make_shared<SentCopy>(options);
}

std::unique_ptr<ImapClient> login(const MailStack& stack, const std::string& user) {
  auto client = std::make_unique<ImapClient>(imap_options(stack));
  client->connect(stack.host, stack.imap_port);
  client->login(user, MailStack::password(user));
  return client;
}

// DATA as the server got it (dot-stuffed), back to the message's bytes.
std::string unstuffed(const std::string& data) {
  std::string out;
  std::size_t i = 0;
  while (i < data.size()) {
    const std::size_t end = data.find("\r\n", i);
    const std::size_t stop = end == std::string::npos ? data.size() : end + 2;
    std::string_view line(data.data() + i, stop - i);
    if (!line.empty() && line.front() == '.') line.remove_prefix(1);
    out.append(line);
    i = stop;
  }
  return out;
}

std::string fetch_whole(ImapClient& client, std::uint32_t uid) {
  std::string out;
  client.fetch_section(uid, "", [&](std::string_view chunk) { out.append(chunk); });
  return out;
}

}  // namespace

TEST_CASE("Sent copy: a built message with a file attachment is filed into Sent as it was sent",
          "[smtp][sent-copy]") {
  MAILWIRE_REQUIRE_STACK(stack);
  const std::string path = stack->dir + "/sent-copy-attachment.bin";
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 20000; ++i)
      out << "line " << i << " .dot\n";
  }
  FakeSmtpServer server;
  SmtpOptions options;
  options.security = Security::None;
  options.helo_name = "client.example";
  options.sent_copy = sent_copy_for(*stack, "alice");
  SmtpClient client(options);
  client.connect(server.transport(), "mx.example");

  mime::MessageBuilder message;
  message.from("alice@example.test").to("carol@example.org").subject("Receipt 1001");
  message.text("Thank you.\n.\nA line with a dot above.\n");
  message.attach_file(path, "application/octet-stream");
  const SmtpSendResult result = client.send(message);

  REQUIRE(result.sent_copy);
  INFO((result.sent_copy->error ? result.sent_copy->error->what() : "no error"));
  CHECK(result.sent_copy->filed);
  CHECK(result.sent_copy->mailbox == "Sent");
  REQUIRE(result.sent_copy->uid);
  REQUIRE(server.accepted().size() == 1);

  auto imap = login(*stack, "alice");
  imap->examine("Sent");
  const std::string filed = fetch_whole(*imap, *result.sent_copy->uid);
  CHECK(filed == unstuffed(server.accepted()[0].data));
  CHECK(filed.find("Subject: Receipt 1001") != std::string::npos);
  std::remove(path.c_str());
}

TEST_CASE("Sent copy: nothing is filed when no recipient took the message", "[smtp][sent-copy]") {
  MAILWIRE_REQUIRE_STACK(stack);
  FakeSmtpServer server;
  server.settings().refuse_recipients_containing = "nobody";
  SmtpOptions options;
  options.security = Security::None;
  options.helo_name = "client.example";
  options.sent_copy = sent_copy_for(*stack, "bob");
  SmtpClient client(options);
  client.connect(server.transport(), "mx.example");
  auto before = login(*stack, "bob");
  const auto count = [&] { return before->status("Sent", "MESSAGES").messages.value_or(0); };
  const std::uint32_t at_start = count();

  SmtpEnvelope envelope;
  envelope.sender = "bob@example.test";
  envelope.recipients = {"nobody@example.org"};
  CHECK_THROWS_AS(client.send(envelope, "Subject: refused\r\n\r\nbody\r\n"), Error);
  CHECK(count() == at_start);

  envelope.recipients = {"nobody@example.org", "carol@example.org"};
  const SmtpSendResult partial = client.send(envelope, "Subject: partial\r\n\r\nbody\r\n");
  CHECK(partial.accepted() == 1);
  REQUIRE(partial.sent_copy);
  CHECK(partial.sent_copy->filed);
  CHECK(count() == at_start + 1);

  // The caller can leave one message out.
  SmtpSendOptions quiet;
  quiet.file_sent_copy = false;
  envelope.recipients = {"carol@example.org"};
  const SmtpSendResult unfiled = client.send(envelope, "Subject: not filed\r\n\r\nbody\r\n", quiet);
  CHECK_FALSE(unfiled.sent_copy);
  CHECK(count() == at_start + 1);
}

TEST_CASE("Sent copy: a Sender files one copy per message across its retries",
          "[smtp][sent-copy][sender]") {
  MAILWIRE_REQUIRE_STACK(stack);
  FakeSmtpServer server;
  server.settings().transient_failures = 2;  // the first two ends of data get 451
  auto copy = sent_copy_for(*stack, "alice");
  SenderOptions options;
  options.connect = [&] {
    SmtpOptions smtp;
    smtp.security = Security::None;
    smtp.helo_name = "client.example";
    smtp.sent_copy = copy;
    SmtpClient client(smtp);
    client.connect(server.transport(), "mx.example");
    return client;
  };
  options.max_connections = 1;
  options.retry.initial_delay = std::chrono::milliseconds(1);
  options.retry.max_delay = std::chrono::milliseconds(2);
  auto imap = login(*stack, "alice");
  const std::uint32_t at_start = imap->status("Sent", "MESSAGES").messages.value_or(0);
  {
    Sender sender(options);
    mime::MessageBuilder message;
    message.from("alice@example.test").to("carol@example.org").subject("Retried");
    message.text("hello\n");
    const SendOutcome outcome = sender.submit(message).get();
    CHECK(outcome.status == SendStatus::delivered);
    CHECK(outcome.attempts == 3);
    REQUIRE(outcome.sent_copy);
    CHECK(outcome.sent_copy->filed);
    sender.close();
  }
  CHECK(imap->status("Sent", "MESSAGES").messages.value_or(0) == at_start + 1);
}
