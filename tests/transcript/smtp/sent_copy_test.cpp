// SentCopy against scripted IMAP servers: how the Sent mailbox is found (SPECIAL-USE, else
// "Sent", created on TRYCREATE), found once, and that filing reports errors instead of
// throwing them (the message was sent: a failed copy must not look like a failed send).

#include "support/scripted_peer.hpp"

#include <mailwire/sent_copy.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <string>

using namespace mailwire;
using namespace mailwire::test;

namespace {

// A SentCopy whose connection plays `peer` (already past the greeting when it is used).
SentCopy copy_over(const std::shared_ptr<ScriptedPeer>& peer, std::string mailbox = {}) {
  SentCopyOptions options;
  options.mailbox = std::move(mailbox);
  options.connect = [peer] {
    ImapOptions imap;
    imap.security = Security::None;
    auto client = std::make_unique<ImapClient>(imap);
    client->connect(peer->transport(), "localhost");
    return client;
  };
  return SentCopy(options);
}

const std::string message = "Subject: receipt\r\n\r\nthanks\r\n";

}  // namespace

TEST_CASE("Sent copy: the mailbox the server marks as Sent (SPECIAL-USE) is found once and used",
          "[sent-copy]") {
  auto peer = ScriptedPeer::make();
  peer->send("* OK [CAPABILITY IMAP4rev1 LITERAL+ SPECIAL-USE LIST-EXTENDED UIDPLUS] ready")
      .expect_any()
      .send("* LIST (\\HasNoChildren) \"/\" INBOX")
      .send("* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"")
      .send("A001 OK listed")
      .expect("A002 APPEND \"Sent Items\" (\\Seen) {28+}")
      .expect_raw(message)
      .expect("")
      .send("A002 OK [APPENDUID 3 17] stored")
      .expect("A003 APPEND \"Sent Items\" (\\Seen) {28+}")
      .expect_raw(message)
      .expect("")
      .send("A003 OK [APPENDUID 3 18] stored");
  SentCopy copy = copy_over(peer);
  const SentCopyResult first = copy.file(AppendMessage::from_bytes(message));
  CHECK(first.filed);
  CHECK(first.mailbox == "Sent Items");
  CHECK(first.uid == std::optional<std::uint32_t>(17));
  const SentCopyResult second = copy.file(AppendMessage::from_bytes(message));
  CHECK(second.uid == std::optional<std::uint32_t>(18));
  CHECK(peer->error() == "");
  CHECK(peer->received().find("RETURN (SPECIAL-USE)") != std::string::npos);
}

TEST_CASE("Sent copy: without a special-use Sent mailbox, Sent is created on TRYCREATE",
          "[sent-copy]") {
  auto peer = ScriptedPeer::make();
  peer->send("* OK [CAPABILITY IMAP4rev1 LITERAL+] ready")
      .expect_any()
      .send("* LIST () \"/\" INBOX")
      .send("A001 OK listed")
      .expect("A002 APPEND Sent (\\Seen) {28+}")
      .expect_raw(message)
      .expect("")
      .send("A002 NO [TRYCREATE] no such mailbox")
      .expect("A003 CREATE Sent")
      .send("A003 OK created")
      .expect("A004 APPEND Sent (\\Seen) {28+}")
      .expect_raw(message)
      .expect("")
      .send("A004 OK stored");
  SentCopy copy = copy_over(peer);
  const SentCopyResult result = copy.file(AppendMessage::from_bytes(message));
  CHECK(result.filed);
  CHECK(result.mailbox == "Sent");
  CHECK_FALSE(result.uid);
  CHECK(peer->finished());
}

TEST_CASE("Sent copy: a refused copy is reported, not thrown, and a named mailbox is not created",
          "[sent-copy]") {
  auto peer = ScriptedPeer::make();
  peer->send("* OK [CAPABILITY IMAP4rev1 LITERAL+] ready")
      .expect("A001 APPEND Outbox/Sent (\\Seen) {28+}")
      .expect_raw(message)
      .expect("")
      .send("A001 NO [TRYCREATE] no such mailbox");
  SentCopy copy = copy_over(peer, "Outbox/Sent");
  const SentCopyResult result = copy.file(AppendMessage::from_bytes(message));
  CHECK_FALSE(result.filed);
  REQUIRE(result.error);
  CHECK(result.error->kind() == Errc::rejected);
  CHECK(result.error->diagnostics().response_code == "TRYCREATE");
  CHECK(peer->finished());
}
