// SmtpClient and Sender with DKIM signers: what the server receives verifies, even where the
// client changes the bytes it was given (bare LF made CRLF, dots doubled, 8-bit text written
// as quoted-printable for a server without 8BITMIME).

#include "support/dkim_keys.hpp"
#include "support/fake_smtp_server.hpp"

#include <mailwire/dkim/signer.hpp>
#include <mailwire/dkim/verifier.hpp>
#include <mailwire/mime/builder.hpp>
#include <mailwire/sender.hpp>
#include <mailwire/smtp_client.hpp>

#include <catch2/catch.hpp>

#include <future>
#include <memory>
#include <string>
#include <vector>

using namespace mailwire;
using namespace mailwire::test;

namespace {

struct Signing {
  std::shared_ptr<dkim::StaticKeyLookup> keys = std::make_shared<dkim::StaticKeyLookup>();
  std::shared_ptr<const dkim::Signer> rsa, ed;
  Signing() {
    dkim::SignerOptions o;
    o.domain = "example.org";
    o.selector = "r";
    dkim::PrivateKey rsa_key = dkim::PrivateKey::from_pem(rsa2048_pem());
    keys->add("r._domainkey.example.org", rsa_key.dns_record());
    rsa = std::make_shared<const dkim::Signer>(rsa_key, o);
    o.selector = "e";
    o.body_canonicalization = dkim::Canonicalization::Simple;
    o.header_canonicalization = dkim::Canonicalization::Simple;
    dkim::PrivateKey ed_key = dkim::PrivateKey::from_pem(ed25519_pem());
    keys->add("e._domainkey.example.org", ed_key.dns_record());
    ed = std::make_shared<const dkim::Signer>(ed_key, o);
  }
  std::vector<dkim::SignatureResult> verify(const std::string& data) const {
    dkim::VerifierOptions o;
    o.keys = keys;
    return dkim::Verifier(o).verify(data);
  }
};

// What the server got, dot-stuffing undone (as a receiving MTA stores it).
std::string unstuffed(const std::string& data) {
  std::string out;
  std::size_t pos = 0;
  while (pos < data.size()) {
    std::size_t eol = data.find("\r\n", pos);
    eol = eol == std::string::npos ? data.size() : eol + 2;
    std::string_view line(data.data() + pos, eol - pos);
    if (line.rfind("..", 0) == 0) line.remove_prefix(1);
    out += line;
    pos = eol;
  }
  return out;
}

SmtpOptions options_with(const Signing& s) {
  SmtpOptions options;
  options.security = Security::None;
  options.helo_name = "client.example";
  options.dkim = {s.rsa, s.ed};
  return options;
}

void check_all_pass(const std::vector<dkim::SignatureResult>& results) {
  REQUIRE(results.size() == 2);
  for (const auto& r : results) {
    INFO(r.selector << ": " << r.reason);
    CHECK(r.status == dkim::Status::Pass);
  }
}

}  // namespace

TEST_CASE("SMTP DKIM: a message with bare LF and leading dots verifies as received",
          "[smtp][dkim]") {
  Signing s;
  FakeSmtpServer server;
  SmtpClient client(options_with(s));
  client.connect(server.transport(), "mx.example");
  const std::string message =
      "From: a@example.org\nTo: b@example.com\nSubject: dots\n\n.leading dot\nbare LF\n..two\n";
  SmtpEnvelope envelope;
  envelope.sender = "a@example.org";
  envelope.recipients = {"b@example.com"};
  client.send(envelope, message);
  const auto accepted = server.accepted();
  REQUIRE(accepted.size() == 1);
  const std::string received = unstuffed(accepted[0].data);
  CHECK(received.rfind("DKIM-Signature: v=1; a=rsa-sha256", 0) == 0);
  check_all_pass(s.verify(received));
  // The signatures are over the CRLF form: a change of the body fails them.
  std::string changed = received;
  changed.replace(changed.find("bare LF"), 4, "BARE");
  for (const auto& r : s.verify(changed))
    CHECK(r.status == dkim::Status::Fail);
}

TEST_CASE("SMTP DKIM: 8-bit text for a server without 8BITMIME is signed after encoding",
          "[smtp][dkim]") {
  Signing s;
  FakeSmtpServer server;
  server.settings().eight_bit_mime = false;
  SmtpClient client(options_with(s));
  client.connect(server.transport(), "mx.example");
  mime::MessageBuilder m;
  m.from("a@example.org").to("b@example.com").subject("caf\xc3\xa9");
  m.text("na\xc3\xafve caf\xc3\xa9 text\n");
  m.list_unsubscribe("https://example.org/u/1", "unsub@example.org");
  client.send(m);
  const auto accepted = server.accepted();
  REQUIRE(accepted.size() == 1);
  const std::string received = unstuffed(accepted[0].data);
  CHECK(received.find("quoted-printable") != std::string::npos);
  CHECK(received.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click") != std::string::npos);
  CHECK(received.find("List-Unsubscribe:List-Unsubscribe-Post") != std::string::npos);
  check_all_pass(s.verify(received));
}

TEST_CASE("Sender DKIM: messages sent through the Sender are signed", "[sender][dkim]") {
  Signing s;
  FakeSmtpServer server;
  SenderOptions options;
  options.connect = [&] {
    SmtpClient client(options_with(s));
    client.connect(server.transport(), "mx.example");
    return client;
  };
  options.max_connections = 1;
  Sender sender(options);
  mime::MessageBuilder m;
  m.from("a@example.org").to("b@example.com").subject("hello").text("hi\n");
  CHECK(sender.submit(m).get().status == SendStatus::delivered);
  sender.close();
  const auto accepted = server.accepted();
  REQUIRE(accepted.size() == 1);
  check_all_pass(s.verify(unstuffed(accepted[0].data)));
}

TEST_CASE("Sender DKIM: messages pipelined one after another are signed too", "[sender][dkim]") {
  // With PIPELINING the Sender sends the end of one message with the next one's envelope
  // (SmtpClient::send_pipelined): that path signs as send() does.
  Signing s;
  FakeSmtpServer server;
  server.settings().pipelining = true;
  SenderOptions options;
  options.connect = [&] {
    SmtpClient client(options_with(s));
    client.connect(server.transport(), "mx.example");
    return client;
  };
  options.max_connections = 1;
  Sender sender(options);
  std::vector<std::future<SendOutcome>> sent;
  for (int i = 0; i < 3; ++i) {
    SmtpEnvelope envelope;
    envelope.sender = "a@example.org";
    envelope.recipients = {"b@example.com"};
    sent.push_back(
        sender.submit(envelope, "From: a@example.org\r\nTo: b@example.com\r\nSubject: n" +
                                    std::to_string(i) + "\r\n\r\n.dot\nbare LF\r\n"));
  }
  for (auto& f : sent)
    CHECK(f.get().status == SendStatus::delivered);
  sender.close();
  const auto accepted = server.accepted();
  REQUIRE(accepted.size() == 3);
  for (const auto& m : accepted)
    check_all_pass(s.verify(unstuffed(m.data)));
}

TEST_CASE("List-Unsubscribe is written and checked", "[mime][dkim]") {
  mime::MessageBuilder m;
  m.from("a@example.org").to("b@example.com");
  m.list_unsubscribe("", "mailto:unsub@example.org?subject=stop");
  std::string text = m.to_string();
  CHECK(text.find("List-Unsubscribe: <mailto:unsub@example.org?subject=stop>\r\n") !=
        std::string::npos);
  CHECK(text.find("List-Unsubscribe-Post") == std::string::npos);
  m.list_unsubscribe("https://example.org/u?id=1");
  text = m.to_string();
  CHECK(text.find("List-Unsubscribe: <https://example.org/u?id=1>\r\n") != std::string::npos);
  CHECK(text.find("List-Unsubscribe: <mailto") == std::string::npos);
  CHECK_THROWS_AS(m.list_unsubscribe("ftp://example.org/x"), Error);
  CHECK_THROWS_AS(m.list_unsubscribe("https://example.org/\r\nBcc: x"), Error);
  CHECK_THROWS_AS(m.list_unsubscribe("", ""), Error);
}
