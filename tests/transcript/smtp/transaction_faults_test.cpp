// A fault at every step of a transaction (the model: Boost.MySQL's check_network_errors).
// Each representative transaction is a correct script; for every server step k the
// connection is closed, reset or stalled instead of the k-th reply, and, separately, the
// server answers "421 4.3.2 shutting down" there. Each time the error must say what a
// connection pool needs: its kind, whether a retry is safe (transient) and how far the
// message got (phase), and the client must be honestly broken (every later call fails
// with Error(usage, "not connected"), never a hang, never a crash).

#include "support/error_of.hpp"
#include "support/scripted_peer.hpp"

#include <mailwire/error.hpp>
#include <mailwire/smtp_client.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace mailwire;
using namespace mailwire::test;

namespace {

struct Transcript {
  const char* name;
  bool lmtp;
  std::string hello;        // greeting and EHLO / LHLO, never faulted
  std::string transaction;  // the steps of one send
  std::vector<std::string> recipients;
  std::string body;
  // Per server step of `transaction`: the phase of an error when the connection is lost
  // there, and when the server answers 421 there.
  std::vector<Phase> lost;
  std::vector<Phase> closing;
};

std::vector<Transcript> transcripts() {
  const Phase E = Phase::envelope;
  const Phase A = Phase::after_data;
  const Phase F = Phase::done;
  return {
      {"pipelined, 2 recipients, DATA in the batch",
       false,
       R"(
         S: 220 mx.example ESMTP
         C: EHLO client.example
         S: 250-mx.example
         S: 250-PIPELINING
         S: 250 SIZE 1000
       )",
       R"(
         C~ MAIL FROM:<from@example.org> SIZE=1\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n
         S: 250 2.1.0 Ok
         S: 250 2.1.5 Ok
         S: 250 2.1.5 Ok
         S: 354 go
         C~ x\r\n.\r\n
         S: 250 2.0.0 queued
       )",
       {"a@example.com", "b@example.com"},
       "x",
       {E, E, E, E, A},
       {E, E, E, E, F}},
      {"unpipelined, one command at a time",
       false,
       R"(
         S: 220 mx.example ESMTP
         C: EHLO client.example
         S: 250 mx.example
       )",
       R"(
         C: MAIL FROM:<from@example.org>
         S: 250 Ok
         C: RCPT TO:<a@example.com>
         S: 250 Ok
         C: DATA
         S: 354 go
         C~ x\r\n.\r\n
         S: 250 Ok
       )",
       {"a@example.com"},
       "x",
       {E, E, E, A},
       {E, E, E, F}},
      {"BDAT with a binary body",
       false,
       R"(
         S: 220 mx.example ESMTP
         C: EHLO client.example
         S: 250-mx.example
         S: 250-CHUNKING
         S: 250 BINARYMIME
       )",
       R"(
         C: MAIL FROM:<from@example.org> BODY=BINARYMIME
         S: 250 Ok
         C: RCPT TO:<a@example.com>
         S: 250 Ok
         C~ BDAT 4 LAST\r\na\x00b\n
         S: 250 Ok: 4 bytes
       )",
       {"a@example.com"},
       std::string("a\0b\n", 4),
       {E, E, A},
       {E, E, F}},
      {"LMTP, 2 recipients",
       true,
       R"(
         S: 220 lmtp ready
         C: LHLO client.example
         S: 250-lmtp
         S: 250 PIPELINING
       )",
       R"(
         C~ MAIL FROM:<from@example.org>\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n
         S: 250 Ok
         S: 250 Ok
         S: 250 Ok
         S: 354 go
         C~ x\r\n.\r\n
         S: 250 2.0.0 <a@example.com> Saved
         S: 250 2.0.0 <b@example.com> Saved
       )",
       {"a@example.com", "b@example.com"},
       "x",
       {E, E, E, E, A, A},
       {E, E, E, E, A, F}},
  };
}

SmtpOptions options_for(const Transcript& t) {
  SmtpOptions options;
  options.security = Security::None;
  options.helo_name = "client.example";
  options.lmtp = t.lmtp;
  return options;
}

SmtpEnvelope envelope_for(const Transcript& t) {
  SmtpEnvelope e;
  e.sender = "from@example.org";
  e.recipients = t.recipients;
  return e;
}

// After a fatal error: closed, and every later call says so at once.
void check_broken(SmtpClient& client, const ScriptedPeer& peer, const Transcript& t) {
  CHECK(peer.client_closed());
  const Error noop = error_of([&] { client.noop(); });
  CHECK(noop.kind() == Errc::usage);
  CHECK(noop.reason() == Reason::not_connected);
  CHECK_THAT(noop.what(), Catch::Contains("not connected"));
  const Error again = error_of([&] { client.send(envelope_for(t), t.body); });
  CHECK(again.kind() == Errc::usage);
  CHECK(again.phase() == Phase::none);
  CHECK(peer.error().empty());
}

}  // namespace

TEST_CASE("SMTP faults: the correct transcripts pass, twice on one connection", "[smtp][faults]") {
  for (const Transcript& t : transcripts()) {
    INFO(t.name);
    auto peer =
        ScriptedPeer::parse(t.hello + t.transaction + t.transaction + "C: NOOP\nS: 250 Ok\n");
    SmtpClient client(options_for(t));
    client.connect(peer->transport(), "localhost");
    for (int round = 0; round < 2; ++round) {
      const SmtpSendResult result = client.send(envelope_for(t), t.body);
      CHECK(result.all_accepted());
      for (const SmtpRecipientResult& r : result.recipients)
        CHECK(r.phase == Phase::done);
    }
    client.noop();
    CHECK(peer->finished());
    REQUIRE(count_steps(t.transaction, ScriptSide::Server) == t.lost.size());
    REQUIRE(t.closing.size() == t.lost.size());
  }
}

TEST_CASE("SMTP faults: the connection lost at every server step", "[smtp][faults]") {
  for (const Transcript& t : transcripts()) {
    for (const char* fault : {"!close", "!reset", "!stall"}) {
      for (std::size_t k = 0; k < t.lost.size(); ++k) {
        INFO(t.name << ": " << fault << " at server step " << k);
        auto peer =
            ScriptedPeer::parse(t.hello + fault_at(t.transaction, ScriptSide::Server, k, fault));
        SmtpClient client(options_for(t));
        client.connect(peer->transport(), "localhost");
        const Error e = error_of([&] { client.send(envelope_for(t), t.body); });
        CHECK(e.kind() == (fault == std::string("!stall") ? Errc::timeout : Errc::connect));
        CHECK(e.is_fatal());
        CHECK(e.is_transient());
        CHECK(e.phase() == t.lost[k]);
        if (t.lost[k] == Phase::after_data) {
          CHECK(e.reason() == Reason::delivery_unknown);
          CHECK_THAT(e.what(), Catch::Contains("delivery status unknown"));
        } else {
          CHECK(e.reason() == Reason::connection_lost);
        }
        check_broken(client, *peer, t);
      }
    }
  }
}

TEST_CASE("SMTP faults: 421 shutting down at every server step", "[smtp][faults]") {
  for (const Transcript& t : transcripts()) {
    for (std::size_t k = 0; k < t.closing.size(); ++k) {
      INFO(t.name << ": 421 at server step " << k);
      auto peer = ScriptedPeer::parse(
          t.hello + fault_at(t.transaction, ScriptSide::Server, k, "S: 421 4.3.2 shutting down"));
      SmtpClient client(options_for(t));
      client.connect(peer->transport(), "localhost");
      const bool last_lmtp_reply = t.lmtp && k + 1 == t.closing.size();
      if (last_lmtp_reply) {
        // The first recipient has the message: partial success is data, and the
        // connection is closed all the same.
        const SmtpSendResult r = client.send(envelope_for(t), t.body);
        CHECK(r.recipients[0].accepted);
        CHECK_FALSE(r.recipients[1].accepted);
        CHECK(r.recipients[1].reply.code == 421);
        CHECK(r.recipients[1].phase == Phase::done);
      } else {
        const Error e = error_of([&] { client.send(envelope_for(t), t.body); });
        CHECK(e.kind() == Errc::rejected);
        CHECK(e.diagnostics().reply_code == 421);
        CHECK(e.diagnostics().enhanced_code == "4.3.2");
        CHECK(e.is_fatal());
        CHECK(e.is_transient());
        CHECK(e.phase() == t.closing[k]);
      }
      check_broken(client, *peer, t);
    }
  }
}

TEST_CASE("SMTP faults: the connection reset while the body is written", "[smtp][faults]") {
  for (const Transcript& t : transcripts()) {
    if (t.body.find('\0') != std::string::npos) continue;  // BDAT: see the server steps
    // The client step that carries the body and its final dot.
    const std::size_t steps = count_steps(t.transaction, ScriptSide::Client);
    INFO(t.name);
    auto peer = ScriptedPeer::parse(
        t.hello + fault_at(t.transaction, ScriptSide::Client, steps - 1, "!reset"));
    SmtpClient client(options_for(t));
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.send(envelope_for(t), t.body); });
    CHECK(e.kind() == Errc::connect);
    CHECK(e.is_fatal());
    CHECK(e.is_transient());
    CHECK(e.phase() == Phase::data);
    CHECK(e.reason() == Reason::connection_lost);
    check_broken(client, *peer, t);
  }
}

TEST_CASE("SMTP faults: a refusal leaves the client usable for the next message",
          "[smtp][faults]") {
  auto peer = ScriptedPeer::parse(R"(
    S: 220 mx.example ESMTP
    C: EHLO client.example
    S: 250 mx.example
    C: MAIL FROM:<from@example.org>
    S: 451 4.3.0 try again later
    C: RSET
    S: 250 Ok
    C: MAIL FROM:<from@example.org>
    S: 250 Ok
    C: RCPT TO:<a@example.com>
    S: 250 Ok
    C: DATA
    S: 354 go
    C~ x\r\n.\r\n
    S: 554 5.7.1 spam
    C: RSET
    !close
  )");
  SmtpOptions options;
  options.security = Security::None;
  options.helo_name = "client.example";
  SmtpClient client(options);
  client.connect(peer->transport(), "localhost");
  SmtpEnvelope e;
  e.sender = "from@example.org";
  e.recipients = {"a@example.com"};
  const Error first = error_of([&] { client.send(e, "x"); });
  CHECK(first.kind() == Errc::rejected);
  CHECK(first.reason() == Reason::command_refused);
  CHECK(first.phase() == Phase::envelope);
  CHECK(first.is_transient());
  CHECK_FALSE(first.is_fatal());
  // The second message is refused after its end, and the connection breaks during the RSET
  // that follows: the refusal stays the error, and the client knows it is broken.
  const Error second = error_of([&] { client.send(e, "x"); });
  CHECK(second.kind() == Errc::rejected);
  CHECK(second.diagnostics().reply_code == 554);
  CHECK(second.phase() == Phase::done);
  CHECK_FALSE(second.is_transient());
  CHECK(second.is_fatal());
  CHECK(error_of([&] { client.noop(); }).reason() == Reason::not_connected);
  CHECK(peer->finished());
}

TEST_CASE("SMTP faults: a line that is not a reply at every server step", "[smtp][faults]") {
  for (const Transcript& t : transcripts()) {
    for (std::size_t k = 0; k < t.lost.size(); ++k) {
      INFO(t.name << ": garbage at server step " << k);
      auto peer = ScriptedPeer::parse(
          t.hello + fault_at(t.transaction, ScriptSide::Server, k, "S: hello, I am not SMTP"));
      SmtpClient client(options_for(t));
      client.connect(peer->transport(), "localhost");
      const Error e = error_of([&] { client.send(envelope_for(t), t.body); });
      CHECK(e.kind() == Errc::protocol);
      CHECK(e.reason() == Reason::malformed_reply);
      CHECK(e.is_fatal());
      CHECK_FALSE(e.is_transient());
      CHECK(e.phase() == t.lost[k]);
      CHECK(e.diagnostics().server_reply == "hello, I am not SMTP");
      check_broken(client, *peer, t);
    }
  }
}
