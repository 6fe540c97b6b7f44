// mailwire::Sender against the real Postfix (scripts/mailstack.sh) delivering to Dovecot:
// many messages over a pool of connections, each arriving once.

#include "support/mail_stack.hpp"
#include "support/test_server.hpp"

#include <mailwire/error.hpp>
#include <mailwire/outbox.hpp>
#include <mailwire/sender.hpp>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

using namespace mailwire;
using namespace mailwire::test;

TEST_CASE("Sender over Postfix: 200 messages on 4 connections all arrive, each once",
          "[sender][postfix]") {
  MAILWIRE_REQUIRE_STACK(stack);
  if (stack->submission_port == 0) FAIL("the mail stack has no Postfix");
  stack->clear_inbox("bob");
  SenderOptions options;
  options.host = "localhost";
  options.port = stack->submission_port;
  options.smtp.tls.ca_file = stack->ca_file;
  options.smtp.helo_name = "client.example.test";
  SaslCredentials credentials;
  credentials.user = "alice";
  credentials.password = MailStack::password("alice");
  options.credentials = credentials;
  options.max_connections = 4;
  options.max_messages_per_connection = 30;
  options.retry.initial_delay = std::chrono::milliseconds(200);
  constexpr int count = 200;
  Sender sender(options);
  std::vector<std::future<SendOutcome>> futures;
  for (int i = 0; i < count; ++i) {
    SmtpEnvelope envelope;
    envelope.sender = "alice@example.test";
    envelope.recipients = {"bob@example.test"};
    futures.push_back(
        sender.submit(envelope, fmt::format("From: alice@example.test\r\nTo: bob@example.test\r\n"
                                            "Subject: sender {}\r\nX-Seq: {}\r\n\r\nmessage {}\r\n",
                                            i, i, i)));
  }
  int delivered = 0;
  for (auto& f : futures) {
    const SendOutcome o = f.get();
    if (o.status == SendStatus::delivered) ++delivered;
    if (o.status != SendStatus::delivered && o.last_error) WARN(o.last_error->what());
  }
  sender.close();
  CHECK(delivered == count);
  const SenderStats stats = sender.stats();
  CHECK(stats.delivered == count);
  CHECK(stats.connections_opened >= 7);  // 200 / 30 per connection, at least
  REQUIRE(stack->wait_for_inbox("bob", count) == count);
  const std::string text = stack->inbox_text("bob");
  for (int i = 0; i < count; ++i) {
    const std::string seq = fmt::format("\nX-Seq: {}\n", i);
    const std::size_t first = text.find(seq);
    INFO("X-Seq " << i);
    REQUIRE(first != std::string::npos);
    CHECK(text.find(seq, first + 1) == std::string::npos);
  }
  CHECK(stack->inbox_count("bob") == count);
}

TEST_CASE(
    "Sender over Postfix with an outbox: 1,000 messages on 4 connections, each Message-ID "
    "once in the Maildir",
    "[sender][postfix][outbox]") {
  MAILWIRE_REQUIRE_STACK(stack);
  if (stack->submission_port == 0) FAIL("the mail stack has no Postfix");
  stack->clear_inbox("bob");
  TempDir box;
  SenderOptions options;
  options.host = "localhost";
  options.port = stack->submission_port;
  options.smtp.tls.ca_file = stack->ca_file;
  options.smtp.helo_name = "client.example.test";
  SaslCredentials credentials;
  credentials.user = "alice";
  credentials.password = MailStack::password("alice");
  options.credentials = credentials;
  options.max_connections = 4;
  options.max_messages_per_connection = 0;
  options.retry.initial_delay = std::chrono::milliseconds(200);
  options.outbox = directory_outbox(box.path + "/outbox");
  constexpr int count = 1000;
  std::atomic<int> delivered{0};
  {
    Sender sender(options);
    for (int i = 0; i < count; ++i) {
      SmtpEnvelope envelope;
      envelope.sender = "alice@example.test";
      envelope.recipients = {"bob@example.test"};
      sender.submit(envelope,
                    fmt::format("From: alice@example.test\r\nTo: bob@example.test\r\n"
                                "Subject: pool {}\r\nMessage-ID: <pool-{}@client.example.test>\r\n"
                                "\r\nmessage {}\r\n",
                                i, i, i),
                    [&delivered](const SendOutcome& o) {
                      if (o.status == SendStatus::delivered) ++delivered;
                    });
    }
    sender.close();
    CHECK(sender.stats().connections_opened >= 4);
  }
  CHECK(delivered == count);
  // Postfix hands them to Dovecot: wait for all of them, a minute at most.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (stack->inbox_count("bob") < count && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE(stack->inbox_count("bob") == count);
  const std::string text = stack->inbox_text("bob");
  std::map<std::string, int> ids;
  static const std::regex re("\nMessage-ID: <(pool-[0-9]+)@client.example.test>",
                             std::regex::icase);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it)
    ++ids[(*it)[1].str()];
  CHECK(ids.size() == count);
  for (const auto& [id, n] : ids) {
    INFO(id);
    CHECK(n == 1);
  }
}
