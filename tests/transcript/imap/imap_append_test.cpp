// ImapClient::append streamed: LITERAL+, LITERAL-, synchronising literals, refusals before and
// after the literal, APPENDLIMIT, connections lost within and after the literal, MULTIAPPEND.

#include "support/error_of.hpp"
#include "support/scripted_peer.hpp"

#include <mailwire/error.hpp>
#include <mailwire/imap_client.hpp>
#include <mailwire/message_source.hpp>
#include <mailwire/mime/builder.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

using namespace mailwire;
using namespace mailwire::test;

namespace {

ImapOptions plain_options() {
  ImapOptions options;
  options.security = Security::None;
  options.allow_plaintext_auth = true;
  return options;
}

// A message of `size` octets: a header, then lines of letters.
std::string message_of(std::size_t size) {
  std::string m = "Subject: streamed\r\n\r\n";
  while (m.size() < size)
    m += "abcdefghijklmnopqrstuvwxyz0123456789\r\n";
  m.resize(size);
  return m;
}

std::shared_ptr<ScriptedPeer> greeting(const std::string& capabilities) {
  auto peer = ScriptedPeer::make();
  peer->send("* OK [CAPABILITY " + capabilities + "] ready");
  return peer;
}

// A file holding `bytes`, removed with this object.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& bytes) {
    char name[] = "/tmp/mailwire-append-XXXXXX";
    const int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    ::close(fd);
    path = name;
    std::ofstream(path, std::ios::binary) << bytes;
  }
  ~TempFile() { std::remove(path.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};

}  // namespace

TEST_CASE("IMAP APPEND streamed: LITERAL+ sends the message at once, in chunks, with progress",
          "[imap][append]") {
  const std::string message = message_of(200 * 1024);
  auto peer = greeting("IMAP4rev1 LITERAL+ UIDPLUS");
  peer->expect("A001 APPEND Sent (\\Seen) {204800+}")
      .expect_raw(message)
      .expect("")
      .send("A001 OK [APPENDUID 7 42] stored");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  AppendMessage m = AppendMessage::from_bytes(message);
  m.flags = {"\\Seen"};
  std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
  const auto uid = client.append(
      "Sent", m, [&](std::uint64_t done, std::uint64_t total) { calls.emplace_back(done, total); });
  CHECK(uid == std::optional<std::uint32_t>(42));
  CHECK(peer->finished());
  REQUIRE(calls.size() >= 4);  // 64 KiB chunks
  CHECK(calls.back() == std::make_pair(std::uint64_t{204800}, std::uint64_t{204800}));
  for (std::size_t i = 1; i < calls.size(); ++i)
    CHECK(calls[i].first > calls[i - 1].first);
}

TEST_CASE("IMAP APPEND streamed: LITERAL- does not wait up to 4096 octets, waits above",
          "[imap][append]") {
  const std::string small = message_of(4096);
  const std::string large = message_of(4097);
  auto peer = greeting("IMAP4rev1 LITERAL-");
  peer->expect("A001 APPEND INBOX {4096+}")
      .expect_raw(small)
      .expect("")
      .send("A001 OK stored")
      .expect("A002 APPEND INBOX {4097}")
      .send("+ go ahead")
      .expect_raw(large)
      .expect("")
      .send("A002 OK stored");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  CHECK_FALSE(client.append("INBOX", AppendMessage::from_bytes(small)));
  CHECK_FALSE(client.append("INBOX", AppendMessage::from_bytes(large)));
  CHECK(peer->finished());
}

TEST_CASE("IMAP APPEND streamed: a synchronising literal waits for the continuation",
          "[imap][append]") {
  const std::string message = message_of(70000);
  auto peer = greeting("IMAP4rev1");
  peer->expect("A001 APPEND INBOX (\\Seen $Sent) \" 3-Dec-2026 10:00:00 +0000\" {70000}")
      .send("* 3 EXISTS")
      .send("+ Ready for literal data")
      .expect_raw(message)
      .expect("")
      .send("A001 OK APPEND completed");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  AppendMessage m = AppendMessage::from_bytes(message);
  m.flags = {"\\Seen", "$Sent"};
  m.internal_date = 1796292000;  // 2026-12-03 10:00:00 UTC
  CHECK_FALSE(client.append("INBOX", m));
  CHECK(peer->finished());
  CHECK(client.mailbox().exists == 3);
}

TEST_CASE("IMAP APPEND streamed: NO instead of the continuation sends not a byte of the message",
          "[imap][append]") {
  const std::string message = message_of(5000);
  auto peer = greeting("IMAP4rev1");
  peer->expect("A001 APPEND INBOX {5000}")
      .send("A001 NO [OVERQUOTA] mailbox full")
      .expect("A002 NOOP")
      .send("A002 OK");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  bool progressed = false;
  const Error e = error_of([&] {
    client.append("INBOX", AppendMessage::from_bytes(message),
                  [&](std::uint64_t, std::uint64_t) { progressed = true; });
  });
  CHECK(e.kind() == Errc::rejected);
  CHECK(e.diagnostics().response_code == "OVERQUOTA");
  CHECK(e.phase() == Phase::envelope);
  CHECK_FALSE(e.is_fatal());
  CHECK_FALSE(progressed);
  CHECK(peer->received().find("Subject") == std::string::npos);
  client.noop();  // the session goes on
  CHECK(peer->finished());
}

TEST_CASE("IMAP APPEND streamed: a message over APPENDLIMIT is refused before any byte",
          "[imap][append]") {
  SECTION("the limit of the capability") {
    auto peer = greeting("IMAP4rev1 LITERAL+ APPENDLIMIT=1000");
    ImapClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    const Error e =
        error_of([&] { client.append("INBOX", AppendMessage::from_bytes(message_of(1001))); });
    CHECK(e.kind() == Errc::rejected);
    CHECK(e.reason() == Reason::message_too_large);
    CHECK_FALSE(e.is_fatal());
    CHECK(peer->received().empty());
    CHECK(peer->finished());
  }
  SECTION("the limit of the mailbox, asked with STATUS") {
    auto peer = greeting("IMAP4rev1 LITERAL+ APPENDLIMIT");
    peer->expect("A001 STATUS Archive (APPENDLIMIT)")
        .send("* STATUS Archive (APPENDLIMIT 1000)")
        .send("A001 OK done");
    ImapClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    const Error e =
        error_of([&] { client.append("Archive", AppendMessage::from_bytes(message_of(1001))); });
    CHECK(e.reason() == Reason::message_too_large);
    CHECK(peer->received().find("APPEND Archive") == std::string::npos);
    CHECK(peer->finished());
  }
  SECTION("a mailbox whose STATUS fails: APPEND says why (TRYCREATE)") {
    const std::string message = message_of(10);
    auto peer = greeting("IMAP4rev1 LITERAL+ APPENDLIMIT");
    peer->expect("A001 STATUS Nowhere (APPENDLIMIT)")
        .send("A001 NO Mailbox doesn't exist: Nowhere")
        .expect("A002 APPEND Nowhere {10+}")
        .expect_raw(message)
        .expect("")
        .send("A002 NO [TRYCREATE] Mailbox doesn't exist: Nowhere");
    ImapClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    const Error e = error_of([&] { client.append("Nowhere", AppendMessage::from_bytes(message)); });
    CHECK(e.diagnostics().response_code == "TRYCREATE");
    CHECK(peer->finished());
  }
  SECTION("a message at the limit goes") {
    const std::string message = message_of(1000);
    auto peer = greeting("IMAP4rev1 LITERAL+ APPENDLIMIT");
    peer->expect("A001 STATUS INBOX (APPENDLIMIT)")
        .send("* STATUS INBOX (APPENDLIMIT 1000)")
        .send("A001 OK done")
        .expect("A002 APPEND INBOX {1000+}")
        .expect_raw(message)
        .expect("")
        .send("A002 OK stored");
    ImapClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    client.append("INBOX", AppendMessage::from_bytes(message));
    CHECK(peer->finished());
  }
}

TEST_CASE("IMAP APPEND streamed: NO [TRYCREATE] after the literal names the missing mailbox",
          "[imap][append]") {
  const std::string message = message_of(300);
  auto peer = greeting("IMAP4rev1 LITERAL+");
  peer->expect("A001 APPEND Nowhere {300+}")
      .expect_raw(message)
      .expect("")
      .send("A001 NO [TRYCREATE] Mailbox doesn't exist: Nowhere");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  const Error e = error_of([&] { client.append("Nowhere", AppendMessage::from_bytes(message)); });
  CHECK(e.kind() == Errc::rejected);
  CHECK(e.diagnostics().response_code == "TRYCREATE");
  CHECK(e.phase() == Phase::done);
  CHECK_FALSE(e.is_fatal());
  CHECK(peer->finished());
}

TEST_CASE("IMAP APPEND streamed: NO [TOOBIG] is a message too large (RFC 7889)", "[imap][append]") {
  const std::string message = message_of(300);
  auto peer = greeting("IMAP4rev1 LITERAL+");
  peer->expect("A001 APPEND INBOX {300+}")
      .expect_raw(message)
      .expect("")
      .send("A001 NO [TOOBIG] Message too large");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  const Error e = error_of([&] { client.append("INBOX", AppendMessage::from_bytes(message)); });
  CHECK(e.kind() == Errc::rejected);
  CHECK(e.reason() == Reason::message_too_large);
  CHECK(e.phase() == Phase::done);
  CHECK(peer->finished());
}

TEST_CASE("IMAP APPEND streamed: a connection lost within the literal did not append",
          "[imap][append]") {
  const std::string message = message_of(200 * 1024);
  auto peer = greeting("IMAP4rev1 LITERAL+");
  peer->expect("A001 APPEND INBOX {204800+}").expect_raw(message.substr(0, 64 * 1024)).reset();
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  const Error e = error_of([&] { client.append("INBOX", AppendMessage::from_bytes(message)); });
  CHECK(e.kind() == Errc::connect);
  CHECK(e.phase() == Phase::data);
  CHECK(e.reason() == Reason::connection_lost);
  CHECK(e.is_fatal());
  CHECK_THAT(e.what(), Catch::Contains("did not complete") && Catch::Contains("65536 of 204800"));
  CHECK(peer->finished());
  CHECK(error_of([&] { client.noop(); }).kind() == Errc::usage);  // closed: connect again
}

TEST_CASE("IMAP APPEND streamed: a connection lost after the literal may have stored it",
          "[imap][append]") {
  const std::string message = message_of(1000);
  auto peer = greeting("IMAP4rev1 LITERAL+");
  peer->expect("A001 APPEND INBOX {1000+}").expect_raw(message).expect("").close();
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  const Error e = error_of([&] { client.append("INBOX", AppendMessage::from_bytes(message)); });
  CHECK(e.phase() == Phase::after_data);
  CHECK(e.reason() == Reason::delivery_unknown);
  CHECK(e.is_fatal());
  CHECK_THAT(e.what(), Catch::Contains("may have been stored"));
  CHECK(peer->finished());
}

TEST_CASE("IMAP APPEND streamed: a source shorter than it said fails within the literal",
          "[imap][append]") {
  auto peer = greeting("IMAP4rev1 LITERAL+");
  peer->expect("A001 APPEND INBOX {100+}");  // the 60 octets wait in the buffer, never sent
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  bool given = false;
  auto source = MessageSource::from_callback(100, [&](char* buffer, std::size_t capacity) {
    if (given) return std::size_t{0};
    given = true;
    const std::size_t n = std::min<std::size_t>(60, capacity);
    std::fill_n(buffer, n, 'x');
    return n;
  });
  const Error e = error_of([&] { client.append("INBOX", AppendMessage::from_source(*source)); });
  CHECK(e.kind() == Errc::io);
  CHECK(e.phase() == Phase::data);
  CHECK(e.is_fatal());
  CHECK(peer->finished());
}

TEST_CASE("IMAP APPEND streamed: cancel() within the literal stops it", "[imap][append]") {
  const std::string message = message_of(200 * 1024);
  auto peer = greeting("IMAP4rev1 LITERAL+");
  peer->expect("A001 APPEND INBOX {204800+}").expect_raw(message.substr(0, 64 * 1024));
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  const Error e = error_of([&] {
    client.append("INBOX", AppendMessage::from_bytes(message),
                  [&](std::uint64_t, std::uint64_t) { client.cancel(); });
  });
  CHECK(e.kind() == Errc::cancelled);
  CHECK(e.phase() == Phase::data);
  CHECK(peer->finished());
}

TEST_CASE("IMAP APPEND streamed: MULTIAPPEND sends several messages in one command",
          "[imap][append]") {
  const std::string one = message_of(500);
  const std::string two = message_of(700);
  auto peer = greeting("IMAP4rev1 LITERAL+ MULTIAPPEND UIDPLUS");
  peer->expect("A001 APPEND Archive (\\Seen) {500+}")
      .expect_raw(one)
      .expect_raw(" {700+}\r\n")
      .expect_raw(two)
      .expect("")
      .send("A001 OK [APPENDUID 9 21:22] stored");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  std::vector<AppendMessage> messages{AppendMessage::from_bytes(one),
                                      AppendMessage::from_bytes(two)};
  messages[0].flags = {"\\Seen"};
  std::uint64_t last = 0;
  const auto uids =
      client.append("Archive", messages, [&](std::uint64_t done, std::uint64_t total) {
        CHECK(total == 1200);
        last = done;
      });
  CHECK(uids == std::vector<std::uint32_t>{21, 22});
  CHECK(last == 1200);
  CHECK(peer->finished());
}

TEST_CASE("IMAP APPEND streamed: MULTIAPPEND with synchronising literals waits before each",
          "[imap][append]") {
  const std::string one = message_of(500);
  const std::string two = message_of(700);
  auto peer = greeting("IMAP4rev1 MULTIAPPEND");
  peer->expect("A001 APPEND Archive {500}")
      .send("+ go")
      .expect_raw(one)
      .expect_raw(" {700}\r\n")
      .send("+ go")
      .expect_raw(two)
      .expect("")
      .send("A001 OK stored");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  const auto uids =
      client.append("Archive", {AppendMessage::from_bytes(one), AppendMessage::from_bytes(two)});
  CHECK(uids.empty());  // no APPENDUID
  CHECK(peer->finished());
}

TEST_CASE("IMAP APPEND streamed: without MULTIAPPEND, one APPEND per message", "[imap][append]") {
  const std::string one = message_of(500);
  const std::string two = message_of(700);
  auto peer = greeting("IMAP4rev1 LITERAL+ UIDPLUS");
  peer->expect("A001 APPEND Archive {500+}")
      .expect_raw(one)
      .expect("")
      .send("A001 OK [APPENDUID 9 21] stored")
      .expect("A002 APPEND Archive {700+}")
      .expect_raw(two)
      .expect("")
      .send("A002 OK [APPENDUID 9 22] stored");
  ImapClient client(plain_options());
  client.connect(peer->transport(), "localhost");
  const auto uids =
      client.append("Archive", {AppendMessage::from_bytes(one), AppendMessage::from_bytes(two)});
  CHECK(uids == std::vector<std::uint32_t>{21, 22});
  CHECK(peer->finished());
}

TEST_CASE("IMAP APPEND streamed: from a file and from a builder, the same bytes",
          "[imap][append]") {
  mime::MessageBuilder builder;
  builder.from("Alice <alice@example.com>")
      .to("bob@example.com")
      .subject("Sent copy")
      .text("Hello Bob,\nthe figures are attached.\n")
      .message_id("<fixed.1@example.com>")
      .date(1796292000);
  const std::string bytes = builder.to_string();
  TempFile file(bytes);
  std::string wire[3];
  const auto run = [&](const AppendMessage& m) {
    auto peer = greeting("IMAP4rev1 LITERAL+");
    peer->expect("A001 APPEND Sent {" + std::to_string(bytes.size()) + "+}")
        .expect_raw(bytes)
        .expect("")
        .send("A001 OK stored");
    ImapClient client(plain_options());
    client.connect(peer->transport(), "localhost");
    client.append("Sent", m);
    CHECK(peer->finished());
    return peer->received();
  };
  wire[0] = run(AppendMessage::from_file(file.path));
  wire[1] = run(AppendMessage::from_builder(builder));
  auto source = MessageSource::from_bytes(bytes);
  wire[2] = run(AppendMessage::from_source(*source));
  CHECK(wire[0] == wire[1]);
  CHECK(wire[0] == wire[2]);
}

TEST_CASE("IMAP APPEND streamed: a builder with a file attachment, never whole in memory",
          "[imap][append]") {
  TempFile attachment(message_of(150 * 1024));
  mime::MessageBuilder builder;
  builder.from("alice@example.com").to("bob@example.com").subject("big").text("see attached");
  builder.attach_file(attachment.path, "application/octet-stream", "data.bin");
  const AppendMessage m = AppendMessage::from_builder(builder);
  CHECK(m.size > 150 * 1024 * 4 / 3);
  // The size counted first is the size sent: the boundaries differ between two writes, not
  // their length.
  std::uint64_t written = 0;
  m.write([&](std::string_view chunk) { written += chunk.size(); });
  CHECK(written == m.size);
}
