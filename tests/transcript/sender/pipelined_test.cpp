// SmtpClient::send_pipelined(): the end of one message's data in the same write as the next
// message's MAIL, RCPT and DATA (RFC 2920), with each message's outcome final only once its
// own reply is read; and a Sender using it against a server that offers PIPELINING.

#include "support/fake_clock.hpp"
#include "support/fake_smtp_server.hpp"
#include "support/scripted_peer.hpp"
#include "support/test_server.hpp"

#include <mailwire/error.hpp>
#include <mailwire/outbox.hpp>
#include <mailwire/sender.hpp>
#include <mailwire/smtp_client.hpp>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <dirent.h>

#include <atomic>
#include <set>
#include <string>
#include <vector>

using namespace mailwire;
using namespace mailwire::test;
using namespace std::chrono_literals;

namespace {

SmtpOptions plain_options() {
  SmtpOptions options;
  options.security = Security::None;
  options.helo_name = "client.example";
  return options;
}

const char* const hello = R"(
  S: 220 mx.example ESMTP
  C: EHLO client.example
  S: 250-mx.example
  S: 250-PIPELINING
  S: 250 ENHANCEDSTATUSCODES
)";

// The envelope batch of one message: MAIL, RCPT, DATA in one write.
const char* const batch = R"(
  C: MAIL FROM:<from@example.org>
  C: RCPT TO:<a@example.com>
  C: DATA
)";

const char* const batch_ok = R"(
  S~ 250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n
)";

struct Run {
  std::vector<std::size_t> order;
  std::vector<SmtpOutcome> outcomes;
};

// Sends `bodies` with send_pipelined() over `peer`.
Run send_all(ScriptedPeer& peer, const std::vector<std::string>& bodies) {
  SmtpClient client(plain_options());
  client.connect(peer.transport(), "mx.example");
  Run run;
  std::size_t handed = 0;
  client.send_pipelined(
      [&](SmtpOutgoing& out) {
        if (handed == bodies.size()) return false;
        out.envelope.sender = "from@example.org";
        out.envelope.recipients = {"a@example.com"};
        out.source = MessageSource::from_bytes(bodies[handed++]);
        return true;
      },
      [&](std::size_t index, SmtpOutcome&& outcome) {
        run.order.push_back(index);
        run.outcomes.push_back(std::move(outcome));
      });
  if (client.is_connected()) client.quit();
  return run;
}

std::size_t count_entries(const std::string& dir) {
  std::size_t n = 0;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d))
      n += e->d_name[0] != '.';
    ::closedir(d);
  }
  return n;
}

}  // namespace

TEST_CASE(
    "send_pipelined: the end of one message goes in one write with the next MAIL, RCPT "
    "and DATA",
    "[smtp][pipelining]") {
  // The script expects the second batch right after the first end of data, before the
  // server answers it: a client that waited for the reply would stall the script.
  auto peer = ScriptedPeer::parse(std::string(hello) + batch + batch_ok + R"(
    C~ one\r\n.\r\n
  )" + batch + R"(
    S~ 250 2.0.0 queued 1\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n
    C~ two\r\n.\r\n
  )" + batch + R"(
    S~ 250 2.0.0 queued 2\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n
    C~ three\r\n.\r\n
    S: 250 2.0.0 queued 3
    C: QUIT
    S: 221 2.0.0 Bye
  )");
  const Run run = send_all(*peer, {"one", "two", "three"});
  INFO(peer->error() << peer->remaining());
  CHECK(peer->finished());
  CHECK(run.order == std::vector<std::size_t>{0, 1, 2});
  REQUIRE(run.outcomes.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    REQUIRE(run.outcomes[i].result);
    CHECK(run.outcomes[i].result->reply.lines.at(0) == fmt::format("queued {}", i + 1));
    CHECK(run.outcomes[i].result->all_accepted());
  }
}

TEST_CASE("send_pipelined: a refused end of data needs no RSET, the next message goes on",
          "[smtp][pipelining]") {
  auto peer = ScriptedPeer::parse(std::string(hello) + batch + batch_ok + R"(
    C~ spam\r\n.\r\n
  )" + batch + R"(
    S~ 554 5.7.1 looks like spam\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n
    C~ ham\r\n.\r\n
    S: 250 2.0.0 queued
    C: QUIT
    S: 221 2.0.0 Bye
  )");
  const Run run = send_all(*peer, {"spam", "ham"});
  INFO(peer->error() << peer->remaining());
  CHECK(peer->finished());
  REQUIRE(run.outcomes.size() == 2);
  REQUIRE(run.outcomes[0].error);
  CHECK(run.outcomes[0].error->diagnostics().reply_code == 554);
  CHECK(run.outcomes[0].error->phase() == Phase::done);
  REQUIRE(run.outcomes[1].result);
  CHECK(run.outcomes[1].result->all_accepted());
}

TEST_CASE(
    "send_pipelined: the connection lost after an end went out: that message unknown, the "
    "next one safe to retry",
    "[smtp][pipelining]") {
  auto peer = ScriptedPeer::parse(std::string(hello) + batch + batch_ok + R"(
    C~ first\r\n.\r\n
  )" + batch + R"(
    !reset
  )");
  const Run run = send_all(*peer, {"first", "second"});
  INFO(peer->error() << peer->remaining());
  CHECK(peer->finished());
  CHECK(run.order == std::vector<std::size_t>{0, 1});
  REQUIRE(run.outcomes.size() == 2);
  REQUIRE(run.outcomes[0].error);
  CHECK(run.outcomes[0].error->phase() == Phase::after_data);
  CHECK(run.outcomes[0].error->reason() == Reason::delivery_unknown);
  CHECK_FALSE(run.outcomes[0].error->is_safe_to_retry());
  REQUIRE(run.outcomes[1].error);
  CHECK(run.outcomes[1].error->is_safe_to_retry());
  CHECK(run.outcomes[1].error->phase() != Phase::after_data);
}

TEST_CASE("send_pipelined: 421 to an end of data: refused, the next message safe to retry",
          "[smtp][pipelining]") {
  auto peer = ScriptedPeer::parse(std::string(hello) + batch + batch_ok + R"(
    C~ first\r\n.\r\n
  )" + batch + R"(
    S: 421 4.7.0 closing
  )");
  const Run run = send_all(*peer, {"first", "second"});
  INFO(peer->error() << peer->remaining());
  CHECK(peer->finished());
  REQUIRE(run.outcomes.size() == 2);
  REQUIRE(run.outcomes[0].error);
  CHECK(run.outcomes[0].error->diagnostics().reply_code == 421);
  CHECK(run.outcomes[0].error->is_safe_to_retry());
  REQUIRE(run.outcomes[1].error);
  CHECK(run.outcomes[1].error->is_safe_to_retry());
}

TEST_CASE("send_pipelined: without PIPELINING, one message after the other as send() does",
          "[smtp][pipelining]") {
  auto peer = ScriptedPeer::parse(R"(
    S: 220 mx.example ESMTP
    C: EHLO client.example
    S: 250 mx.example
    C: MAIL FROM:<from@example.org>
    S: 250 2.1.0 Ok
    C: RCPT TO:<a@example.com>
    S: 250 2.1.5 Ok
    C: DATA
    S: 354 go ahead
    C~ one\r\n.\r\n
    S: 250 2.0.0 queued
    C: MAIL FROM:<from@example.org>
    S: 250 2.1.0 Ok
    C: RCPT TO:<a@example.com>
    S: 250 2.1.5 Ok
    C: DATA
    S: 354 go ahead
    C~ two\r\n.\r\n
    S: 250 2.0.0 queued
    C: QUIT
    S: 221 2.0.0 Bye
  )");
  const Run run = send_all(*peer, {"one", "two"});
  INFO(peer->error() << peer->remaining());
  CHECK(peer->finished());
  REQUIRE(run.outcomes.size() == 2);
  CHECK(run.outcomes[0].result);
  CHECK(run.outcomes[1].result);
}

TEST_CASE(
    "Sender over a PIPELINING server: every message delivered once, the outbox marks "
    "each sending before its end",
    "[sender][pipelining][outbox]") {
  TempDir dir;
  FakeSmtpServer server;
  server.settings().pipelining = true;
  server.settings().refuse_recipients_containing = "ghost";
  std::atomic<int> not_sending{0};
  server.on_accept([&](const FakeSmtpServer::Message&) {
    if (count_entries(dir.path + "/sending") == 0) ++not_sending;
  });
  SenderOptions options;
  options.connect = [&] {
    SmtpClient client(plain_options());
    client.connect(server.transport(), "mx.example");
    return client;
  };
  options.max_connections = 2;
  options.max_messages_per_connection = 7;
  options.idle_timeout = 0ms;
  options.clock = FakeClock::make();
  options.outbox = directory_outbox(dir.path);
  Sender sender(options);
  std::vector<std::future<SendOutcome>> futures;
  for (int i = 0; i < 40; ++i) {
    SmtpEnvelope envelope;
    envelope.sender = "from@example.org";
    envelope.recipients = {"a@example.com"};
    if (i % 10 == 3) envelope.recipients.push_back("ghost@example.com");
    futures.push_back(sender.submit(envelope, fmt::format("m{}", i)));
  }
  int delivered = 0;
  int partial = 0;
  for (auto& f : futures) {
    const SendOutcome o = f.get();
    delivered += o.status == SendStatus::delivered;
    partial += o.status == SendStatus::partial;
  }
  sender.close();
  CHECK(delivered == 36);
  CHECK(partial == 4);
  std::set<std::string> bodies;
  for (const auto& m : server.accepted())
    bodies.insert(m.data);
  CHECK(server.accepted().size() == 40);
  CHECK(bodies.size() == 40);
  CHECK(not_sending == 0);
  CHECK(count_entries(dir.path + "/sent") == 36);
  CHECK(count_entries(dir.path + "/failed") == 4);
  CHECK(server.connections() >= 6);  // at most 7 messages on each
}
