// The durable outbox (directory_outbox) and a Sender using it: where each message is on disk at
// each step, that the end of the data is written only once the message is marked sending, and
// that a new Sender on the same folder resumes what was pending and never resends what may
// have been delivered.

#include "support/fake_clock.hpp"
#include "support/fake_smtp_server.hpp"
#include "support/scripted_peer.hpp"
#include "support/test_server.hpp"

#include <mailwire/error.hpp>
#include <mailwire/outbox.hpp>
#include <mailwire/sender.hpp>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <dirent.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
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

SmtpEnvelope envelope(std::vector<std::string> to = {"a@example.com"}) {
  SmtpEnvelope e;
  e.sender = "from@example.org";
  e.recipients = std::move(to);
  return e;
}

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

SenderOptions fake_server_options(FakeSmtpServer& server, std::shared_ptr<Outbox> outbox) {
  SenderOptions o;
  o.connect = [&server] {
    SmtpClient client(plain_options());
    client.connect(server.transport(), "mx.example");
    return client;
  };
  o.max_connections = 2;
  o.idle_timeout = 0ms;
  o.clock = FakeClock::make();
  o.retry.initial_delay = 1s;
  o.retry.jitter = 0;
  o.outbox = std::move(outbox);
  return o;
}

std::set<std::string> bodies(const FakeSmtpServer& server) {
  std::set<std::string> out;
  for (const auto& m : server.accepted())
    out.insert(m.data);
  return out;
}

}  // namespace

TEST_CASE("Outbox: every message delivered ends in sent/ with its result, nothing left pending",
          "[sender][outbox]") {
  TempDir dir;
  FakeSmtpServer server;
  // When the server has the whole message, its folder must already be in sending/.
  std::atomic<int> seen_sending{0};
  std::atomic<int> not_sending{0};
  server.on_accept([&](const FakeSmtpServer::Message&) {
    if (entries(dir.path + "/sending").empty()) {
      ++not_sending;
    } else {
      ++seen_sending;
    }
  });
  std::vector<std::string> ids;
  {
    Sender sender(fake_server_options(server, directory_outbox(dir.path)));
    std::vector<std::future<SendOutcome>> futures;
    for (int i = 0; i < 6; ++i)
      futures.push_back(sender.submit(fmt::format("label {}", i), envelope(), [i] {
        return MessageSource::from_bytes(i % 2 ? "odd" : "even");
      }));
    for (auto& f : futures) {
      const SendOutcome o = f.get();
      CHECK(o.status == SendStatus::delivered);
      CHECK_FALSE(o.outbox_id.empty());
      CHECK(o.label.rfind("label ", 0) == 0);
      ids.push_back(o.outbox_id);
    }
    sender.close();
  }
  CHECK(not_sending == 0);
  CHECK(seen_sending == 6);
  CHECK(server.accepted().size() == 6);
  CHECK(entries(dir.path + "/sent").size() == 6);
  for (const char* d : {"tmp", "pending", "sending", "failed", "unknown"}) {
    INFO(d);
    CHECK(entries(dir.path + "/" + d).empty());
  }
  for (const std::string& id : ids) {
    const std::string folder = dir.path + "/sent/" + id;
    CHECK(slurp(folder + "/result").rfind("status delivered\nattempts 1\n", 0) == 0);
    CHECK(slurp(folder + "/result").find("recipient a@example.com accepted 250") !=
          std::string::npos);
    CHECK((slurp(folder + "/message") == "odd" || slurp(folder + "/message") == "even"));
  }
}

TEST_CASE("Outbox: a message is on disk before submit returns, bytes and built messages alike",
          "[sender][outbox]") {
  TempDir dir;
  SenderOptions options;
  options.connect = []() -> SmtpClient {
    throw Error(Errc::connect, "test: no server", Diagnostics::broken().with_transient());
  };
  options.max_connections = 1;
  options.retry.initial_delay = 1h;  // real clock: the message stays pending until cancelled
  options.outbox = directory_outbox(dir.path);
  Sender sender(options);
  auto f1 = sender.submit(envelope(), "bytes\r\n");
  CHECK(entries(dir.path + "/pending").size() + entries(dir.path + "/sending").size() == 1);
  mime::MessageBuilder b;
  b.from("from@example.org").to("a@example.com").subject("built").text("hello");
  auto f2 = sender.submit(b);
  const auto pending = entries(dir.path + "/pending");
  REQUIRE(pending.size() == 2);
  const std::string built = slurp(dir.path + "/pending/" + pending[1] + "/message");
  CHECK(built.find("Subject: built") != std::string::npos);
  CHECK(slurp(dir.path + "/pending/" + pending[1] + "/state").find("rcpt a@example.com") !=
        std::string::npos);
  sender.cancel();
  const SendOutcome o2 = f2.get();
  CHECK(o2.status == SendStatus::cancelled);
  CHECK_FALSE(o2.message_id.empty());
  CHECK(built.find(o2.message_id) != std::string::npos);
  CHECK(f1.get().status == SendStatus::cancelled);
  // Cancelled is not an end: both stay pending for the next Sender.
  CHECK(entries(dir.path + "/pending").size() == 2);
}

TEST_CASE("Outbox: a new Sender resumes pending messages and reports one found sending as unknown",
          "[sender][outbox]") {
  TempDir dir;
  std::string sending_id;
  {
    auto outbox = directory_outbox(dir.path);
    for (const char* body : {"first", "second", "third"}) {
      auto source = MessageSource::from_bytes(body);
      const std::string id = outbox->put(envelope({"a@example.com", "b@example.com"}), *source,
                                         std::string("file%\n") + body);
      if (std::string(body) == "second") {
        outbox->mark_sending(id, 1);
        sending_id = id;
      }
    }
  }  // the "process" ends here, two pending and one sending
  REQUIRE(entries(dir.path + "/pending").size() == 2);
  REQUIRE(entries(dir.path + "/sending").size() == 1);
  FakeSmtpServer server;
  Sender sender(fake_server_options(server, directory_outbox(dir.path)));
  std::vector<std::string> called;
  std::mutex called_mutex;
  auto futures = sender.resume([&](const SendOutcome& o) {
    std::lock_guard<std::mutex> lock(called_mutex);
    called.push_back(o.label);
  });
  REQUIRE(futures.size() == 3);
  const SendOutcome first = futures[0].get();
  const SendOutcome second = futures[1].get();
  const SendOutcome third = futures[2].get();
  sender.close();
  CHECK(first.status == SendStatus::delivered);
  CHECK(first.label == "file%\nfirst");
  CHECK(second.status == SendStatus::unknown);
  CHECK(second.outbox_id == sending_id);
  REQUIRE(second.recipients.size() == 2);
  CHECK(second.recipients[1].phase == Phase::after_data);
  CHECK(third.status == SendStatus::delivered);
  CHECK(bodies(server) == std::set<std::string>{"first\r\n", "third\r\n"});
  CHECK(server.accepted().size() == 2);
  CHECK(called.size() == 3);
  CHECK(entries(dir.path + "/sent").size() == 2);
  CHECK(entries(dir.path + "/unknown") == std::vector<std::string>{sending_id});
  CHECK(slurp(dir.path + "/unknown/" + sending_id + "/result").rfind("status unknown", 0) == 0);
  CHECK(entries(dir.path + "/pending").empty());
  CHECK(entries(dir.path + "/sending").empty());
}

TEST_CASE("Outbox: resume() twice is a usage error, not every message queued twice",
          "[sender][outbox]") {
  TempDir dir;
  {
    auto outbox = directory_outbox(dir.path);
    auto source = MessageSource::from_bytes("once");
    outbox->put(envelope(), *source, "once");
  }
  FakeSmtpServer server;
  Sender sender(fake_server_options(server, directory_outbox(dir.path)));
  auto futures = sender.resume();
  REQUIRE(futures.size() == 1);
  try {
    sender.resume();
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.kind() == Errc::usage);
  }
  CHECK(futures[0].get().status == SendStatus::delivered);
  sender.close();
  CHECK(server.accepted().size() == 1);
}

TEST_CASE("Outbox: a resumed message goes only to the recipients an earlier attempt left",
          "[sender][outbox]") {
  TempDir dir;
  {
    auto outbox = directory_outbox(dir.path);
    auto source = MessageSource::from_bytes("partly sent");
    const std::string id =
        outbox->put(envelope({"a@example.com", "b@example.com", "c@example.com"}), *source, "x");
    outbox->mark_sending(id, 1);
    SendOutcome so_far;
    so_far.attempts = 1;
    so_far.recipients.resize(3);
    so_far.recipients[0].address = "a@example.com";
    so_far.recipients[0].accepted = true;
    so_far.recipients[0].phase = Phase::done;
    so_far.recipients[0].reply.code = 250;
    so_far.recipients[1].address = "b@example.com";
    so_far.recipients[1].phase = Phase::none;  // 450: still to send
    so_far.recipients[2].address = "c@example.com";
    so_far.recipients[2].phase = Phase::envelope;  // 550: refused for good
    so_far.recipients[2].reply.code = 550;
    so_far.recipients[2].reply.enhanced = "5.1.1";
    so_far.recipients[2].reply.lines = {"no such user"};
    outbox->mark_pending(id, so_far, std::chrono::system_clock::now());
  }
  REQUIRE(entries(dir.path + "/pending").size() == 1);
  FakeSmtpServer server;
  Sender sender(fake_server_options(server, directory_outbox(dir.path)));
  auto futures = sender.resume();
  REQUIRE(futures.size() == 1);
  const SendOutcome o = futures[0].get();
  sender.close();
  const auto accepted = server.accepted();
  REQUIRE(accepted.size() == 1);
  CHECK(accepted[0].recipients == std::vector<std::string>{"b@example.com"});
  CHECK(o.status == SendStatus::partial);
  CHECK(o.attempts == 2);
  REQUIRE(o.recipients.size() == 3);
  CHECK(o.recipients[0].accepted);
  CHECK(o.recipients[1].accepted);
  CHECK_FALSE(o.recipients[2].accepted);
  CHECK(o.recipients[2].reply.code == 550);
  CHECK(o.recipients[2].reply.enhanced == "5.1.1");
  REQUIRE(entries(dir.path + "/failed").size() == 1);
  const std::string result =
      slurp(dir.path + "/failed/" + entries(dir.path + "/failed")[0] + "/result");
  CHECK(result.find("recipient c@example.com refused 550 5.1.1 no such user") != std::string::npos);
}

TEST_CASE("Outbox: a connection lost after the final dot ends in unknown/, never resent",
          "[sender][outbox]") {
  TempDir dir;
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
    C~ msg\r\n.\r\n
    !reset
  )");
  std::atomic<int> connections{0};
  SenderOptions options;
  options.connect = [&] {
    if (connections++ > 0) throw Error(Errc::usage, "test: one connection only");
    SmtpClient client(plain_options());
    client.connect(peer->transport(), "mx.example");
    return client;
  };
  options.max_connections = 1;
  options.idle_timeout = 0ms;
  options.clock = FakeClock::make();
  options.outbox = directory_outbox(dir.path);
  std::string id;
  {
    Sender sender(options);
    const SendOutcome o = sender.submit(envelope(), "msg").get();
    CHECK(o.status == SendStatus::unknown);
    id = o.outbox_id;
    sender.close();
  }
  CHECK(connections == 1);
  CHECK(entries(dir.path + "/unknown") == std::vector<std::string>{id});
  CHECK(entries(dir.path + "/pending").empty());
  CHECK(entries(dir.path + "/sending").empty());
  // A new Sender finds nothing to do.
  options.outbox.reset();
  options.outbox = directory_outbox(dir.path);
  Sender again(options);
  CHECK(again.resume().empty());
}

TEST_CASE("Outbox: a 451 after the data goes back to pending, then delivered on the retry",
          "[sender][outbox]") {
  TempDir dir;
  FakeSmtpServer server;
  server.settings().transient_failures = 1;
  Sender sender(fake_server_options(server, directory_outbox(dir.path)));
  const SendOutcome o = sender.submit(envelope(), "retried").get();
  sender.close();
  CHECK(o.status == SendStatus::delivered);
  CHECK(o.attempts == 2);
  CHECK(server.accepted().size() == 1);
  CHECK(entries(dir.path + "/sent") == std::vector<std::string>{o.outbox_id});
  CHECK(slurp(dir.path + "/sent/" + o.outbox_id + "/result")
            .rfind("status delivered\nattempts 2", 0) == 0);
}

TEST_CASE("Outbox: a second process on the same folder is refused, a put cut short is dropped",
          "[sender][outbox]") {
  TempDir dir;
  {
    auto first = directory_outbox(dir.path);
    const Error e = [&] {
      try {
        directory_outbox(dir.path);
      } catch (const Error& error) {
        return error;
      }
      return Error(Errc::io, "no error");
    }();
    CHECK(e.kind() == Errc::usage);
  }
  // A put that a crash cut short leaves a folder in tmp/: the next open removes it.
  REQUIRE(::mkdir((dir.path + "/tmp/123.cut").c_str(), 0700) == 0);
  std::ofstream(dir.path + "/tmp/123.cut/message") << "half";
  auto outbox = directory_outbox(dir.path);
  CHECK(entries(dir.path + "/tmp").empty());
  CHECK(outbox->resume().empty());
}

TEST_CASE("Outbox: resume without an outbox is a usage error", "[sender][outbox]") {
  FakeSmtpServer server;
  Sender sender(fake_server_options(server, nullptr));
  try {
    sender.resume();
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.kind() == Errc::usage);
  }
}
