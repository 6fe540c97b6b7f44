// ImapClient against a real Dovecot (scripts/mailstack.sh).

#include "support/mail_stack.hpp"

#include <mailwire/error.hpp>
#include <mailwire/imap_client.hpp>
#include <mailwire/mime/builder.hpp>
#include <mailwire/mime/message.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>
#include <algorithm>

using namespace mailwire;
using namespace mailwire::test;

namespace {

ImapOptions options_for(const MailStack& stack) {
  ImapOptions options;
  options.tls.ca_file = stack.ca_file;
  return options;
}

std::string invoice_message(const std::string& number, const std::string& pdf) {
  mime::MessageBuilder b;
  b.from("Billing <billing@shop.example>")
      .to("alice@example.test")
      .subject("Invoice " + number)
      .text("Your invoice is attached.\n")
      .attach("invoice-" + number + ".pdf", pdf, "application/pdf");
  return b.to_string();
}

}  // namespace

TEST_CASE("Dovecot IMAP: STARTTLS, login, append, search, fetch byte-exact, move",
          "[imap][dovecot]") {
  MAILWIRE_REQUIRE_STACK(stack);
  stack->clear_inbox("alice");
  ImapClient client(options_for(*stack));
  client.connect("localhost", stack->imap_port);
  CHECK(client.is_encrypted());
  CHECK_FALSE(client.has_capability("LOGINDISABLED"));
  client.login("alice", MailStack::password("alice"));

  const auto boxes = client.list("", "*");
  CHECK(
      std::any_of(boxes.begin(), boxes.end(), [](const auto& b) { return b.mailbox == "INBOX"; }));
  CHECK(std::any_of(boxes.begin(), boxes.end(),
                    [](const auto& b) { return b.mailbox == "Sent" && b.has("\\Sent"); }));

  std::string pdf = "%PDF-1.4\n";
  for (int i = 0; i < 200000; ++i)
    pdf += static_cast<char>(i * 7 % 251);
  const std::string message = invoice_message("0042", pdf);
  const auto uid = client.append("INBOX", message, {"\\Seen"});
  REQUIRE(uid);
  client.append("INBOX", invoice_message("0043", "%PDF small"));

  const MailboxInfo& box = client.select("INBOX");
  CHECK(box.exists == 2);
  CHECK(box.uid_validity != 0);
  CHECK_FALSE(box.read_only);

  const auto found = client.uid_search("SUBJECT", {"Invoice 0042"});
  REQUIRE(found == std::vector<std::uint32_t>{*uid});
  CHECK(client.uid_search("UNSEEN").size() == 1);

  // The whole message, streamed: byte for byte what was appended.
  std::string fetched;
  const std::uint64_t size =
      client.fetch_section(*uid, "", [&](std::string_view c) { fetched.append(c); });
  CHECK(size == message.size());
  CHECK(fetched == message);

  // BODYSTRUCTURE finds the attachment; its section decodes to the original PDF.
  const auto meta = client.uid_fetch({*uid}, "(UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE)");
  REQUIRE(meta.size() == 1);
  REQUIRE(meta[0].envelope);
  CHECK(meta[0].envelope->subject == "Invoice 0042");
  REQUIRE(meta[0].body_structure);
  std::string section;
  imap::for_each_part(*meta[0].body_structure,
                      [&](const std::string& s, const imap::BodyStructure& part) {
                        if (part.subtype == "pdf") section = s;
                      });
  CHECK(section == "2");
  REQUIRE_FALSE(section.empty());
  std::string encoded;
  client.fetch_section(*uid, section, [&](std::string_view c) { encoded.append(c); });
  const mime::Message wrapped =
      mime::Message::parse("Content-Transfer-Encoding: base64\r\n\r\n" + encoded);
  CHECK(wrapped.root().decoded_body() == pdf);

  // Move to Invoices: MOVE (Dovecot has it).
  client.uid_move({*uid}, "Invoices");
  CHECK(client.status("Invoices").messages == 1u);
  client.logout();
}

TEST_CASE("Dovecot IMAP: implicit TLS, wrong password, missing mailbox", "[imap][dovecot]") {
  MAILWIRE_REQUIRE_STACK(stack);
  ImapOptions options = options_for(*stack);
  options.security = Security::Tls;
  ImapClient client(options);
  client.connect("localhost", stack->imaps_port);
  CHECK(client.tls_info()->verified);
  try {
    client.login("alice", "wrong");
    FAIL("logged in with a wrong password");
  } catch (const Error& e) {
    CHECK(e.kind() == Errc::auth);
  }
  client.login("alice", MailStack::password("alice"));
  try {
    client.select("No Such Box");
    FAIL("selected a missing mailbox");
  } catch (const Error& e) {
    CHECK(e.kind() == Errc::rejected);
    CHECK_FALSE(e.is_fatal());
  }
  client.noop();  // the session is still usable
  client.logout();
}

TEST_CASE("Dovecot IMAP: mailbox management, ID, NAMESPACE, UID EXPUNGE, UNSELECT",
          "[imap][dovecot]") {
  MAILWIRE_REQUIRE_STACK(stack);
  ImapClient client(options_for(*stack));
  client.connect("localhost", stack->imap_port);
  client.login("bob", MailStack::password("bob"));
  const auto server_id = client.id();
  CHECK(std::any_of(server_id.begin(), server_id.end(),
                    [](const auto& f) { return f.first == "name" && f.second == "Dovecot"; }));
  const imap::NamespaceData ns = client.namespaces();
  CHECK_FALSE(ns.personal.empty());

  // A non-ASCII name goes out in modified UTF-7 and comes back decoded.
  const std::string name = "Entw\xc3\xbcrfe " + std::to_string(::getpid());
  client.create(name);
  client.subscribe(name);
  const auto listed = client.list("", "*");
  CHECK(
      std::any_of(listed.begin(), listed.end(), [&](const auto& b) { return b.mailbox == name; }));
  client.rename(name, name + " old");
  client.unsubscribe(name + " old");

  // UID EXPUNGE removes exactly the UIDs given, even with another message marked \Deleted.
  const auto keep = client.append(name + " old", "Subject: keep\r\n\r\nk\r\n");
  const auto drop = client.append(name + " old", "Subject: drop\r\n\r\nd\r\n");
  REQUIRE(keep);
  REQUIRE(drop);
  client.select(name + " old");
  client.uid_store_flags({*keep, *drop}, {"\\Deleted"});
  client.uid_expunge({*drop});
  CHECK(client.uid_search("ALL") == std::vector<std::uint32_t>{*keep});
  client.unselect();
  CHECK(client.mailbox().name.empty());
  client.delete_mailbox(name + " old");
  CHECK_THROWS_AS(client.status(name + " old"), Error);
  client.logout();
}
