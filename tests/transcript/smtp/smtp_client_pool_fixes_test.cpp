// What a connection pool needs from SmtpClient (issue 14): a built message with the caller's
// envelope, one Message-ID per message written from copies of one template, a 421 to a
// pipelined MAIL FROM that says what the server said and may be retried, one retry rule, and
// is_connected() to check a connection before reuse.

#include "support/error_of.hpp"
#include "support/fake_smtp_server.hpp"
#include "support/scripted_peer.hpp"

#include <mailwire/error.hpp>
#include <mailwire/smtp_client.hpp>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

using namespace mailwire;
using namespace mailwire::test;

namespace {

SmtpOptions plain_options() {
  SmtpOptions options;
  options.security = Security::None;
  options.helo_name = "client.example";
  return options;
}

SmtpEnvelope envelope(std::string sender, std::vector<std::string> to) {
  SmtpEnvelope e;
  e.sender = std::move(sender);
  e.recipients = std::move(to);
  return e;
}

std::string header_value(const std::string& data, const std::string& name) {
  const std::size_t at = data.find("\r\n" + name + ": ");
  if (at == std::string::npos) return {};
  const std::size_t start = at + name.size() + 4;
  return data.substr(start, data.find("\r\n", start) - start);
}

const char* const pipelined_hello = R"(
  S: 220 mx.example ESMTP
  C: EHLO client.example
  S: 250-mx.example
  S: 250-PIPELINING
  S: 250 ENHANCEDSTATUSCODES
)";

}  // namespace

TEST_CASE(
    "SMTP send(message, envelope): a bounce address and the caller's recipients, the "
    "builder's header unchanged",
    "[smtp][mime][sender]") {
  mime::MessageBuilder message;
  message.from("Shop <shop@example.org>")
      .to("customer@example.com")
      .subject("Your order")
      .text("Thank you.\n")
      .message_id("<order-1@example.org>")
      .date(0);
  const std::string written = message.to_string();
  REQUIRE(written.find("\r\n.") == std::string::npos);
  auto peer = ScriptedPeer::make();
  peer->send("220 mx")
      .expect("EHLO client.example")
      .send("250-mx")
      .send("250 PIPELINING")
      .expect_raw(
          "MAIL FROM:<bounce+order-1=example.com@example.org>\r\n"
          "RCPT TO:<customer@example.com>\r\nRCPT TO:<archive@example.org>\r\nDATA\r\n")
      .send("250 Ok")
      .send("250 Ok")
      .send("250 Ok")
      .send("354 go")
      .expect_raw(written + ".\r\n")
      .send("250 Ok");
  SmtpClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  const auto result =
      client.send(message, envelope("bounce+order-1=example.com@example.org",
                                    {"customer@example.com", "archive@example.org"}));
  CHECK(result.all_accepted());
  CHECK(peer->finished());
}

TEST_CASE("SMTP send(message, envelope): a file attachment is streamed with the given envelope",
          "[smtp][mime][sender]") {
  const std::string path = "/tmp/mailwire-pool-fixes-attachment.bin";
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 20000; ++i)
      out << "invoice line " << i << "\n";
  }
  mime::MessageBuilder message;
  message.from("billing@example.org").to("a@example.com").subject("Invoice").text("Attached.\n");
  message.attach_file(path, "text/plain");
  REQUIRE(message.streams_files());
  FakeSmtpServer server;
  SmtpClient client(plain_options());
  client.connect(server.transport(), "mx.example");
  client.send(message, envelope("bounces@example.org", {"b@example.com"}));
  const auto accepted = server.accepted();
  REQUIRE(accepted.size() == 1);
  CHECK(accepted[0].sender == "bounces@example.org");
  CHECK(accepted[0].recipients == std::vector<std::string>{"b@example.com"});
  CHECK(header_value(accepted[0].data, "To") == "a@example.com");
  CHECK(accepted[0].data.size() > 20000 * 14);  // the whole file went, base64 or not
  std::remove(path.c_str());
}

TEST_CASE("SMTP send(message): copies of one template get their own Message-IDs",
          "[smtp][mime][sender]") {
  mime::MessageBuilder templ;
  templ.from("news@example.org").to("a@example.com").subject("Hello").text("Hi.\n");
  const std::string first = templ.to_string();
  const std::string id = templ.generated_message_id();
  REQUIRE_FALSE(id.empty());
  CHECK(header_value(templ.to_string(), "Message-ID") == id);  // the same builder repeats it

  FakeSmtpServer server;
  SmtpClient client(plain_options());
  client.connect(server.transport(), "mx.example");
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    mime::MessageBuilder copy = templ;
    CHECK(copy.generated_message_id().empty());
    client.send(copy);
    ids.push_back(copy.generated_message_id());
  }
  const auto accepted = server.accepted();
  REQUIRE(accepted.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(header_value(accepted[i].data, "Message-ID") == ids[i]);
    CHECK(ids[i] != id);
    for (std::size_t j = 0; j < i; ++j)
      CHECK(ids[i] != ids[j]);
  }

  SECTION("new_message_id() makes the next write a new message") {
    templ.new_message_id();
    CHECK(templ.generated_message_id().empty());
    templ.to_string();
    CHECK(templ.generated_message_id() != id);
  }
  SECTION("a Message-ID the caller set is copied") {
    templ.message_id("<set@example.org>");
    mime::MessageBuilder copy = templ;
    CHECK(copy.generated_message_id() == "<set@example.org>");
    copy.new_message_id();
    copy.to_string();
    CHECK(copy.generated_message_id() != "<set@example.org>");
    CHECK(templ.generated_message_id() == "<set@example.org>");
  }
}

TEST_CASE(
    "SMTP: 421 to a pipelined MAIL FROM is the server's refusal, transient, safe to "
    "retry, and the connection is closed",
    "[smtp][sender]") {
  auto peer = ScriptedPeer::parse(std::string(pipelined_hello) + R"(
    C~ MAIL FROM:<from@example.org>\r\nRCPT TO:<a@example.com>\r\nDATA\r\n
    S: 421 4.7.0 mx.example: too many messages, try again later
  )");
  SmtpClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  CHECK(client.is_connected());
  const Error e =
      error_of([&] { client.send(envelope("from@example.org", {"a@example.com"}), "x"); });
  CHECK(e.kind() == Errc::rejected);
  CHECK(std::string(e.what()).find("too many messages, try again later") != std::string::npos);
  CHECK(e.diagnostics().reply_code == 421);
  CHECK(e.diagnostics().enhanced_code == "4.7.0");
  CHECK(e.is_transient());
  CHECK(e.is_fatal());
  CHECK(e.phase() == Phase::envelope);
  CHECK(e.is_safe_to_retry());
  CHECK_FALSE(client.is_connected());
  CHECK(peer->finished());
}

TEST_CASE("SMTP: a connection lost before the end of the data may be retried, after it not",
          "[smtp][sender]") {
  const std::string transaction = R"(
    C~ MAIL FROM:<from@example.org>\r\nRCPT TO:<a@example.com>\r\nDATA\r\n
    S: 250 Ok
    S: 250 Ok
    S: 354 go
    C~ x\r\n.\r\n
  )";
  SECTION("reset before the reply to DATA") {
    auto peer = ScriptedPeer::parse(std::string(pipelined_hello) + R"(
      C~ MAIL FROM:<from@example.org>\r\nRCPT TO:<a@example.com>\r\nDATA\r\n
      S: 250 Ok
      !reset
    )");
    SmtpClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    const Error e =
        error_of([&] { client.send(envelope("from@example.org", {"a@example.com"}), "x"); });
    CHECK(e.phase() == Phase::envelope);
    CHECK(e.reason() == Reason::connection_lost);
    CHECK(e.is_transient());
    CHECK(e.is_safe_to_retry());
    CHECK_FALSE(client.is_connected());
  }
  SECTION("reset after the final dot") {
    auto peer = ScriptedPeer::parse(std::string(pipelined_hello) + transaction + "!reset\n");
    SmtpClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    const Error e =
        error_of([&] { client.send(envelope("from@example.org", {"a@example.com"}), "x"); });
    CHECK(e.phase() == Phase::after_data);
    CHECK(e.reason() == Reason::delivery_unknown);
    CHECK(e.is_transient());
    CHECK_FALSE(e.is_safe_to_retry());
    CHECK_FALSE(client.is_connected());
  }
  SECTION("451 to the end of the data: nothing kept, retry") {
    auto peer = ScriptedPeer::parse(std::string(pipelined_hello) + transaction + R"(
      S: 451 4.3.0 try again later
      C: RSET
      S: 250 Ok
    )");
    SmtpClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    const Error e =
        error_of([&] { client.send(envelope("from@example.org", {"a@example.com"}), "x"); });
    CHECK(e.phase() == Phase::done);
    CHECK(e.is_safe_to_retry());
    CHECK_FALSE(e.is_fatal());
    CHECK(client.is_connected());
    CHECK(peer->finished());
  }
  SECTION("550 to the end of the data: permanent") {
    auto peer = ScriptedPeer::parse(std::string(pipelined_hello) + transaction + R"(
      S: 550 5.7.1 spam
      C: RSET
      S: 250 Ok
    )");
    SmtpClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    const Error e =
        error_of([&] { client.send(envelope("from@example.org", {"a@example.com"}), "x"); });
    CHECK_FALSE(e.is_transient());
    CHECK_FALSE(e.is_safe_to_retry());
    CHECK(client.is_connected());
  }
}

TEST_CASE("SMTP: one recipient refused out of two is a result, every one refused an Error",
          "[smtp][sender]") {
  FakeSmtpServer server;
  server.settings().refuse_recipients_containing = "unknown";
  SmtpClient client(plain_options());
  client.connect(server.transport(), "mx.example");
  const auto result =
      client.send(envelope("from@example.org", {"a@example.com", "unknown@example.com"}), "x");
  REQUIRE(result.recipients.size() == 2);
  CHECK(result.recipients[0].accepted);
  CHECK_FALSE(result.recipients[1].accepted);
  CHECK(result.recipients[1].reply.code == 550);
  CHECK(result.recipients[1].phase == Phase::envelope);
  const Error e =
      error_of([&] { client.send(envelope("from@example.org", {"unknown@example.com"}), "x"); });
  CHECK(e.reason() == Reason::recipient_refused);
  CHECK_FALSE(e.is_safe_to_retry());
  CHECK(client.is_connected());
}

TEST_CASE("SMTP is_connected: false before connect, after close and after quit", "[smtp][sender]") {
  FakeSmtpServer server;
  SmtpClient client(plain_options());
  CHECK_FALSE(client.is_connected());
  client.connect(server.transport(), "mx.example");
  CHECK(client.is_connected());
  client.close();
  CHECK_FALSE(client.is_connected());
  client.connect(server.transport(), "mx.example");
  client.quit();
  CHECK_FALSE(client.is_connected());
}
