// smtp::Transaction alone, without I/O: replies in, steps and phases out.

#include "smtp/transaction.hpp"

#include <mailwire/error.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace mailwire;
using namespace mailwire::smtp;
using detail::NextStep;

namespace {

SmtpReply reply(int code, std::string text = "Ok", std::string enhanced = {}) {
  SmtpReply r;
  r.code = code;
  r.enhanced = std::move(enhanced);
  r.lines.push_back(std::move(text));
  return r;
}

SmtpCapabilities esmtp(bool pipelining = true) {
  SmtpCapabilities caps;
  caps.esmtp = true;
  caps.pipelining = pipelining;
  caps.size_known = true;
  caps.size = 1000;
  caps.eight_bit_mime = true;
  return caps;
}

SmtpEnvelope envelope(std::vector<std::string> to) {
  SmtpEnvelope e;
  e.sender = "from@example.org";
  e.recipients = std::move(to);
  return e;
}

// The bytes of the next step, which must be a write.
std::string written(Transaction& tx) {
  const TransactionStep step = tx.next();
  REQUIRE(step.step == NextStep::write);
  return std::string(step.bytes);
}

void expect_read(Transaction& tx, bool final_reply = false) {
  const TransactionStep step = tx.next();
  REQUIRE(step.step == NextStep::read_line);
  CHECK(step.final_reply == final_reply);
}

// The last step; returns whether it closes the connection.
bool done(Transaction& tx) {
  const TransactionStep step = tx.next();
  REQUIRE(step.step == NextStep::done);
  return step.close;
}

}  // namespace

TEST_CASE("SMTP engine: pipelined, one write, replies in order, body, final reply",
          "[smtp][engine]") {
  Transaction tx(envelope({"a@example.com", "b@example.com"}), esmtp(), 10, BodyType::SevenBit, {},
                 "mx");
  CHECK(tx.phase() == Phase::none);
  CHECK(written(tx) ==
        "MAIL FROM:<from@example.org> SIZE=10\r\nRCPT TO:<a@example.com>\r\n"
        "RCPT TO:<b@example.com>\r\nDATA\r\n");
  expect_read(tx);
  CHECK(tx.phase() == Phase::envelope);
  tx.on_reply(reply(250));
  expect_read(tx);
  tx.on_reply(reply(250));
  expect_read(tx);
  tx.on_reply(reply(550, "no such user", "5.1.1"));
  expect_read(tx);
  tx.on_reply(reply(354, "go"));
  const TransactionStep body = tx.next();
  REQUIRE(body.step == NextStep::send_body);
  CHECK_FALSE(body.bdat);
  CHECK(tx.phase() == Phase::data);
  tx.on_body_sent();
  CHECK(tx.phase() == Phase::after_data);
  expect_read(tx, true);
  tx.on_reply(reply(250, "queued"));
  CHECK_FALSE(done(tx));
  CHECK(tx.error() == nullptr);
  CHECK(tx.phase() == Phase::done);
  const SmtpSendResult result = tx.take_result();
  REQUIRE(result.recipients.size() == 2);
  CHECK(result.recipients[0].accepted);
  CHECK(result.recipients[0].phase == Phase::done);
  CHECK_FALSE(result.recipients[1].accepted);
  CHECK(result.recipients[1].phase == Phase::envelope);
  CHECK(result.reply.lines[0] == "queued");
}

TEST_CASE("SMTP engine: without PIPELINING, each command waits for its reply", "[smtp][engine]") {
  Transaction tx(envelope({"a@example.com", "b@example.com"}), esmtp(false), 10, BodyType::EightBit,
                 {}, "mx");
  CHECK(written(tx) == "MAIL FROM:<from@example.org> SIZE=10 BODY=8BITMIME\r\n");
  expect_read(tx);
  tx.on_reply(reply(250));
  CHECK(written(tx) == "RCPT TO:<a@example.com>\r\n");
  expect_read(tx);
  tx.on_reply(reply(250));
  CHECK(written(tx) == "RCPT TO:<b@example.com>\r\n");
  expect_read(tx);
  tx.on_reply(reply(250));
  CHECK(written(tx) == "DATA\r\n");
  expect_read(tx);
  CHECK(tx.phase() == Phase::envelope);
  tx.on_reply(reply(354));
  REQUIRE(tx.next().step == NextStep::send_body);
  tx.on_body_sent();
  expect_read(tx, true);
  tx.on_reply(reply(250));
  CHECK_FALSE(done(tx));
  CHECK(tx.error() == nullptr);
}

TEST_CASE("SMTP engine: plans that fail before any byte", "[smtp][engine]") {
  const auto failed = [](const Transaction& tx) {
    CHECK(tx.phase() == Phase::none);
    REQUIRE(tx.error() != nullptr);
    CHECK_FALSE(tx.error()->diagnostics.fatal);
    CHECK(tx.error()->diagnostics.phase == Phase::none);
    return *tx.error();
  };
  SECTION("too large for SIZE") {
    Transaction tx(envelope({"a@example.com"}), esmtp(), 2000, BodyType::SevenBit, {}, "mx");
    CHECK_FALSE(done(tx));
    const TransactionError e = failed(tx);
    CHECK(e.kind == Errc::rejected);
    CHECK(e.diagnostics.reason == Reason::message_too_large);
    CHECK(e.message == "smtp: the message (2000 bytes) exceeds mx's SIZE limit of 1000 bytes");
  }
  SECTION("a non-ASCII local part without SMTPUTF8") {
    Transaction tx(envelope({"j\xc3\xb6rg@example.com"}), esmtp(), 1, BodyType::SevenBit, {}, "mx");
    CHECK_FALSE(done(tx));
    CHECK(failed(tx).diagnostics.reason == Reason::extension_missing);
  }
  SECTION("8-bit without 8BITMIME") {
    SmtpCapabilities caps = esmtp();
    caps.eight_bit_mime = false;
    Transaction tx(envelope({"a@example.com"}), caps, 1, BodyType::EightBit, {}, "mx");
    CHECK_FALSE(done(tx));
    CHECK(failed(tx).diagnostics.reason == Reason::extension_missing);
  }
  SECTION("binary without BINARYMIME and CHUNKING") {
    SmtpCapabilities caps = esmtp();
    caps.binarymime = true;
    Transaction tx(envelope({"a@example.com"}), caps, 1, BodyType::Binary, {}, "mx");
    CHECK_FALSE(done(tx));
    CHECK(failed(tx).kind == Errc::rejected);
  }
  SECTION("caller mistakes") {
    Transaction tx(envelope({"a@example.com\r\nRSET"}), esmtp(), 1, BodyType::SevenBit, {}, "mx");
    CHECK_FALSE(done(tx));
    const TransactionError e = failed(tx);
    CHECK(e.kind == Errc::usage);
    CHECK(e.diagnostics.reason == Reason::invalid_argument);
    CHECK(Transaction::check_envelope(envelope({}))->message == "smtp: no recipients");
    SmtpEnvelope dsn = envelope({"a@example.com"});
    dsn.dsn_notify = "SOMETIMES";
    CHECK(Transaction::check_envelope(dsn)->kind == Errc::usage);
    CHECK_FALSE(Transaction::check_envelope(envelope({"a@example.com"})));
  }
}

TEST_CASE("SMTP engine: a domain that is not ASCII goes as A-labels without SMTPUTF8",
          "[smtp][engine]") {
  Transaction tx(envelope({"user@m\xc3\xbcnchen.example"}), esmtp(), 1, BodyType::SevenBit, {},
                 "mx");
  CHECK(written(tx) ==
        "MAIL FROM:<from@example.org> SIZE=1\r\nRCPT TO:<user@xn--mnchen-3ya.example>\r\n"
        "DATA\r\n");
}

TEST_CASE("SMTP engine: every recipient refused: RSET, then the refusal, usable",
          "[smtp][engine]") {
  Transaction tx(envelope({"bad@example.com"}), esmtp(), 1, BodyType::SevenBit, {}, "mx");
  written(tx);
  tx.on_reply(reply(250));
  tx.on_reply(reply(450, "busy", "4.2.1"));
  tx.on_reply(reply(554, "no valid recipients"));
  CHECK(written(tx) == "RSET\r\n");
  expect_read(tx);
  tx.on_reply(reply(250));
  CHECK_FALSE(done(tx));
  REQUIRE(tx.error() != nullptr);
  const TransactionError& e = *tx.error();
  CHECK(e.kind == Errc::rejected);
  CHECK(e.message == "smtp: RCPT TO:<bad@example.com> rejected: 450 4.2.1 busy");
  CHECK(e.diagnostics.reason == Reason::recipient_refused);
  CHECK(e.diagnostics.phase == Phase::envelope);
  CHECK(e.diagnostics.transient);
  CHECK_FALSE(e.diagnostics.fatal);
  CHECK(e.diagnostics.command == "RCPT TO:<bad@example.com>");
}

TEST_CASE("SMTP engine: MAIL refused after a 354 to the batched DATA: hang up", "[smtp][engine]") {
  Transaction tx(envelope({"a@example.com"}), esmtp(), 1, BodyType::SevenBit, {}, "mx");
  written(tx);
  tx.on_reply(reply(550, "sender refused"));
  tx.on_reply(reply(250));
  tx.on_reply(reply(354));
  CHECK(done(tx));
  REQUIRE(tx.error() != nullptr);
  CHECK(tx.error()->diagnostics.fatal);
  CHECK(tx.error()->diagnostics.reason == Reason::command_refused);
  CHECK(tx.error()->message ==
        "smtp: MAIL FROM:<from@example.org> SIZE=1 refused: 550 sender refused");
}

TEST_CASE("SMTP engine: 421 means the server is closing: hang up at once", "[smtp][engine]") {
  Transaction tx(envelope({"a@example.com", "b@example.com"}), esmtp(), 1, BodyType::SevenBit, {},
                 "mx");
  written(tx);
  tx.on_reply(reply(250));
  tx.on_reply(reply(421, "shutting down", "4.3.2"));
  CHECK(done(tx));  // no RSET, no more reads
  REQUIRE(tx.error() != nullptr);
  CHECK(tx.error()->kind == Errc::rejected);
  CHECK(tx.error()->diagnostics.fatal);
  CHECK(tx.error()->diagnostics.transient);
  CHECK(tx.error()->diagnostics.phase == Phase::envelope);
}

TEST_CASE("SMTP engine: a broken connection, before and after the end of the data",
          "[smtp][engine]") {
  Transaction tx(envelope({"a@example.com"}), esmtp(), 1, BodyType::SevenBit, {}, "mx");
  written(tx);
  tx.on_reply(reply(250));
  tx.on_reply(reply(250));
  tx.on_reply(reply(354));
  REQUIRE(tx.next().step == NextStep::send_body);
  SECTION("in the body: retry is safe") {
    tx.on_error(Errc::connect, "connection reset");
    CHECK(done(tx));
    const TransactionError& e = *tx.error();
    CHECK(e.kind == Errc::connect);
    CHECK(e.message == "connection reset");
    CHECK(e.diagnostics.phase == Phase::data);
    CHECK(e.diagnostics.reason == Reason::connection_lost);
    CHECK(e.diagnostics.transient);
    CHECK(e.diagnostics.fatal);
  }
  SECTION("after the final dot: delivery status unknown") {
    tx.on_body_sent();
    expect_read(tx, true);
    tx.on_error(Errc::timeout, "timed out");
    CHECK(done(tx));
    const TransactionError& e = *tx.error();
    CHECK(e.kind == Errc::timeout);
    CHECK(e.message == "smtp: timed out after the end of the message: delivery status unknown");
    CHECK(e.diagnostics.phase == Phase::after_data);
    CHECK(e.diagnostics.reason == Reason::delivery_unknown);
    CHECK(e.diagnostics.transient);
    CHECK(e.diagnostics.fatal);
  }
  SECTION("a refused message, then the connection breaks during RSET") {
    tx.on_body_sent();
    tx.next();
    tx.on_reply(reply(554, "spam", "5.7.1"));
    CHECK(tx.phase() == Phase::done);
    CHECK(written(tx) == "RSET\r\n");
    tx.on_error(Errc::connect, "the server closed the connection");
    CHECK(done(tx));
    const TransactionError& e = *tx.error();
    CHECK(e.kind == Errc::rejected);
    CHECK(e.diagnostics.reply_code == 554);
    CHECK(e.diagnostics.phase == Phase::done);
    CHECK(e.diagnostics.fatal);
    CHECK_FALSE(e.diagnostics.transient);
  }
}

TEST_CASE("SMTP engine: BDAT, and a chunk refused mid-way", "[smtp][engine]") {
  SmtpCapabilities caps = esmtp(false);
  caps.binarymime = caps.chunking = true;
  Transaction tx(envelope({"a@example.com"}), caps, 4, BodyType::Binary, {}, "mx");
  CHECK(written(tx) == "MAIL FROM:<from@example.org> SIZE=4 BODY=BINARYMIME\r\n");
  tx.next();
  tx.on_reply(reply(250));
  CHECK(written(tx) == "RCPT TO:<a@example.com>\r\n");
  tx.next();
  tx.on_reply(reply(250));
  const TransactionStep body = tx.next();
  REQUIRE(body.step == NextStep::send_body);
  CHECK(body.bdat);
  CHECK(tx.on_chunk_reply(reply(250)));
  SECTION("all chunks accepted") {
    tx.on_body_sent();
    expect_read(tx, true);
    tx.on_reply(reply(250));
    CHECK_FALSE(done(tx));
    CHECK(tx.error() == nullptr);
  }
  SECTION("refused mid-way") {
    CHECK_FALSE(tx.on_chunk_reply(reply(552, "too much", "5.3.4")));
    tx.on_body_sent();  // ignored: the body was not finished
    CHECK(done(tx));
    CHECK(tx.error()->diagnostics.fatal);
    CHECK(tx.error()->diagnostics.phase == Phase::data);
    CHECK(tx.error()->message == "smtp: BDAT refused: 552 5.3.4 too much");
  }
}

TEST_CASE("SMTP engine: abort on a rejected recipient keeps DATA out of the batch",
          "[smtp][engine]") {
  TransactionOptions options;
  options.abort_on_rejected_recipient = true;
  Transaction tx(envelope({"a@example.com", "b@example.com"}), esmtp(), 1, BodyType::SevenBit,
                 options, "mx");
  CHECK(written(tx) ==
        "MAIL FROM:<from@example.org> SIZE=1\r\nRCPT TO:<a@example.com>\r\n"
        "RCPT TO:<b@example.com>\r\n");
  tx.on_reply(reply(250));
  tx.on_reply(reply(250));
  SECTION("one refused: RSET") {
    tx.on_reply(reply(550, "no"));
    CHECK(written(tx) == "RSET\r\n");
    tx.on_reply(reply(250));
    CHECK_FALSE(done(tx));
    CHECK_THAT(tx.error()->message, Catch::Contains("message not sent"));
  }
  SECTION("all accepted: DATA alone") {
    tx.on_reply(reply(250));
    CHECK(written(tx) == "DATA\r\n");
  }
}

TEST_CASE("SMTP engine: LMTP, one reply per accepted recipient", "[smtp][engine][lmtp]") {
  TransactionOptions options;
  options.lmtp = true;
  SmtpCapabilities caps = esmtp();
  caps.size_known = false;
  Transaction tx(envelope({"a@example.com", "x@example.com", "b@example.com"}), caps, 1,
                 BodyType::SevenBit, options, "lmtp");
  written(tx);
  tx.on_reply(reply(250));
  tx.on_reply(reply(250));
  tx.on_reply(reply(550, "unknown"));
  tx.on_reply(reply(250));
  tx.on_reply(reply(354));
  REQUIRE(tx.next().step == NextStep::send_body);
  tx.on_body_sent();
  expect_read(tx, true);
  SECTION("both answer") {
    tx.on_reply(reply(250, "a saved"));
    CHECK(tx.phase() == Phase::after_data);
    expect_read(tx, true);
    tx.on_reply(reply(452, "b full", "4.2.2"));
    CHECK_FALSE(done(tx));
    CHECK(tx.error() == nullptr);
    CHECK(tx.phase() == Phase::done);
    const SmtpSendResult& r = tx.result();
    CHECK(r.recipients[0].accepted);
    CHECK(r.recipients[0].phase == Phase::done);
    CHECK(r.recipients[1].phase == Phase::envelope);
    CHECK_FALSE(r.recipients[2].accepted);
    CHECK(r.recipients[2].reply.code == 452);
  }
  SECTION("421 instead of the first reply: the second recipient's fate is unknown") {
    tx.on_reply(reply(421, "shutting down", "4.3.2"));
    CHECK(done(tx));
    REQUIRE(tx.error() != nullptr);  // nobody has it for sure
    CHECK(tx.error()->diagnostics.fatal);
    CHECK(tx.error()->diagnostics.reason == Reason::delivery_unknown);
    CHECK(tx.error()->diagnostics.phase == Phase::after_data);
    CHECK(tx.result().recipients[0].phase == Phase::done);
    CHECK_FALSE(tx.result().recipients[2].accepted);
    CHECK(tx.result().recipients[2].phase == Phase::after_data);
  }
  SECTION("421 instead of the second reply: the first has it, hang up") {
    tx.on_reply(reply(250, "a saved"));
    tx.on_reply(reply(421, "shutting down", "4.3.2"));
    CHECK(done(tx));
    CHECK(tx.error() == nullptr);
    CHECK(tx.result().accepted() == 1);
    CHECK(tx.result().recipients[2].phase == Phase::done);
  }
}
