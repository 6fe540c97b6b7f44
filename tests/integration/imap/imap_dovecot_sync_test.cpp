// ImapClient's extensions against the real Dovecot: CONDSTORE and QRESYNC resynchronisation,
// mailbox events from another session's changes, ESEARCH, LIST-EXTENDED with SPECIAL-USE and
// LIST-STATUS, COPYUID, EXPUNGE, APPEND with a date, BINARY parts and the decode-here
// fallback, and MOVE plus its COPY/UID EXPUNGE fallback leaving other \Deleted mail alone.

#include "support/mail_stack.hpp"

#include <mailwire/error.hpp>
#include <mailwire/imap_client.hpp>
#include <mailwire/mime/builder.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>
#include <algorithm>
#include <string>

using namespace mailwire;
using namespace mailwire::test;

namespace {

ImapClient logged_in(const MailStack& stack, const std::string& user,
                     std::vector<std::string> disabled = {}) {
  ImapOptions options;
  options.tls.ca_file = stack.ca_file;
  options.disabled_capabilities = std::move(disabled);
  ImapClient client(options);
  client.connect("localhost", stack.imap_port);
  client.login(user, MailStack::password(user));
  return client;
}

std::string unique(const std::string& stem) {
  static int n = 0;
  return stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

std::string note(const std::string& subject) {
  return "From: a@example.test\r\nTo: bob@example.test\r\nSubject: " + subject + "\r\n\r\n" +
         subject + "\r\n";
}

}  // namespace

TEST_CASE("Dovecot IMAP: CONDSTORE and QRESYNC see what another session changed",
          "[imap][dovecot][condstore]") {
  MAILWIRE_REQUIRE_STACK(stack);
  const std::string box = unique("Sync");
  ImapClient a = logged_in(*stack, "bob");
  a.create(box);
  std::vector<std::uint32_t> uids;
  for (int i = 0; i < 4; ++i)
    uids.push_back(*a.append(box, note("m" + std::to_string(i))));

  SelectOptions condstore;
  condstore.condstore = true;
  const MailboxInfo& first = a.select(box, condstore);
  REQUIRE(first.highest_modseq);
  const std::uint32_t validity = first.uid_validity;
  const std::uint64_t modseq = *first.highest_modseq;
  a.logout();

  {  // Another session: flag one, expunge another.
    ImapClient b = logged_in(*stack, "bob");
    b.select(box);
    b.uid_store_flags({uids[1]}, {"\\Flagged"});
    b.uid_store_flags({uids[2]}, {"\\Deleted"});
    b.uid_expunge({uids[2]});
    b.logout();
  }

  ImapClient c = logged_in(*stack, "bob");
  SelectOptions resync;
  resync.qresync = SelectOptions::QResync{validity, modseq, {}};
  const MailboxInfo& again = c.select(box, resync);
  CHECK(again.vanished.contains(uids[2]));
  CHECK_FALSE(again.vanished.contains(uids[1]));
  REQUIRE(again.changed.size() == 1);
  CHECK(again.changed[0].uid == uids[1]);
  REQUIRE(again.changed[0].flags);
  CHECK(std::find(again.changed[0].flags->begin(), again.changed[0].flags->end(), "\\Flagged") !=
        again.changed[0].flags->end());
  CHECK(*again.highest_modseq > modseq);

  // FETCH CHANGEDSINCE: only the flagged one changed since the old modseq.
  std::vector<std::uint32_t> changed;
  imap::FetchOptions fo;
  fo.uid = true;
  fo.changed_since = modseq;
  c.fetch(imap::SequenceSet::all(), {imap::FetchItem::uid(), imap::FetchItem::flags()}, fo,
          [&](const imap::FetchData& f) { changed.push_back(*f.uid); });
  CHECK(changed == std::vector<std::uint32_t>{uids[1]});

  // STORE UNCHANGEDSINCE with the stale modseq: the changed message is left alone.
  imap::StoreOptions so;
  so.uid = true;
  so.unchanged_since = modseq;
  const StoreResult r = c.store(imap::SequenceSet::from_numbers({uids[0], uids[1]}),
                                imap::StoreMode::Add, {"$Checked"}, so);
  CHECK(r.modified.contains(uids[1]));
  CHECK_FALSE(r.modified.contains(uids[0]));
  c.unselect();
  c.delete_mailbox(box);
  c.logout();
}

TEST_CASE("Dovecot IMAP: events of another session's changes arrive with NOOP",
          "[imap][dovecot][events]") {
  MAILWIRE_REQUIRE_STACK(stack);
  const std::string box = unique("Events");
  ImapClient a = logged_in(*stack, "bob");
  a.create(box);
  const auto first = a.append(box, note("one"));
  a.select(box);
  std::vector<MailboxEvent> events;
  a.on_mailbox_event([&](const MailboxEvent& e) { events.push_back(e); });
  {
    ImapClient b = logged_in(*stack, "bob");
    b.append(box, note("two"));
    b.select(box);
    b.uid_store_flags({*first}, {"\\Seen"});
    b.logout();
  }
  a.noop();
  const auto has = [&](MailboxEvent::Kind k) {
    return std::any_of(events.begin(), events.end(),
                       [&](const MailboxEvent& e) { return e.kind == k; });
  };
  CHECK(has(MailboxEvent::Kind::Exists));
  CHECK(has(MailboxEvent::Kind::Flags));
  CHECK(a.mailbox().exists == 2);
  a.unselect();
  a.delete_mailbox(box);
  a.logout();
}

TEST_CASE("Dovecot IMAP: ESEARCH, LIST-EXTENDED, LSUB, COPYUID, EXPUNGE, APPEND date",
          "[imap][dovecot]") {
  MAILWIRE_REQUIRE_STACK(stack);
  const std::string box = unique("Ext");
  const std::string copy = box + "-copy";
  ImapClient c = logged_in(*stack, "bob");
  CHECK(c.has_capability("ESEARCH"));
  c.create(box);
  c.create(copy);
  c.subscribe(box);
  const std::time_t when = 1767225600;  // 1 Jan 2026 00:00:00 UTC
  const auto u1 = c.append(box, note("Grüße aus Köln"), {}, when);
  const auto u2 = c.append(box, note("plain"), {"\\Seen"});
  REQUIRE(u1);
  REQUIRE(u2);

  ListOptions lo;
  lo.status_items = "MESSAGES UNSEEN";
  lo.return_options = {"SUBSCRIBED"};
  const auto entries = c.list_extended("", {box, "Sent"}, lo);
  const auto mine = std::find_if(entries.begin(), entries.end(),
                                 [&](const ListEntry& e) { return e.mailbox.mailbox == box; });
  REQUIRE(mine != entries.end());
  REQUIRE(mine->status);
  CHECK(mine->status->messages == 2u);
  CHECK(mine->status->unseen == 1u);
  CHECK(mine->mailbox.has("\\Subscribed"));
  ListOptions special;
  special.select = {"SPECIAL-USE"};
  const auto specials = c.list_extended("", {"*"}, special);
  CHECK(std::any_of(specials.begin(), specials.end(),
                    [](const ListEntry& e) { return e.mailbox.has("\\Sent"); }));
  const auto subscribed = c.lsub("", box);
  CHECK(subscribed.size() == 1);

  c.select(box);
  const SearchResult found = c.search(imap::SearchKey::subject("Köln"));
  CHECK(found.numbers == std::vector<std::uint32_t>{*u1});
  const SearchResult all = c.search(imap::SearchKey::all());
  CHECK(all.count == 2);
  CHECK(all.min == *u1);
  CHECK(all.max == *u2);

  std::optional<std::string> date;
  imap::FetchOptions fo;
  fo.uid = true;
  c.fetch(imap::SequenceSet().add(*u1), {imap::FetchItem::internal_date()}, fo,
          [&](const imap::FetchData& f) { date = f.internal_date; });
  REQUIRE(date);
  // date-day-fixed is " 1" or "01" depending on the server.
  CHECK_THAT(*date, Catch::EndsWith("1-Jan-2026 00:00:00 +0000"));

  const auto copied = c.uid_copy({*u1, *u2}, copy);
  CHECK(copied.size() == 2);
  c.uid_store_flags({*u1}, {"\\Deleted"});
  CHECK(c.expunge().size() == 1);
  CHECK(c.mailbox().exists == 1);
  CHECK(c.status(copy).messages == 2u);
  c.unselect();
  c.delete_mailbox(box);
  c.delete_mailbox(copy);
  c.logout();
}

TEST_CASE("Dovecot IMAP: a PDF part arrives as its original bytes, with BINARY and without",
          "[imap][dovecot][fetch]") {
  MAILWIRE_REQUIRE_STACK(stack);
  std::string pdf = "%PDF-1.7\n";
  for (int i = 0; i < 300000; ++i)
    pdf += static_cast<char>(i * 31 % 256);
  mime::MessageBuilder b;
  b.from("billing@shop.example").to("bob@example.test").subject("binary").text("see PDF\n");
  b.attach("big.pdf", pdf, "application/pdf");
  const std::string box = unique("Binary");
  for (const bool binary : {true, false}) {
    INFO(binary);
    ImapClient c = logged_in(
        *stack, "bob", binary ? std::vector<std::string>{} : std::vector<std::string>{"BINARY"});
    CHECK(c.has_capability("BINARY") == binary);
    c.create(box);
    const auto uid = c.append(box, b.to_string());
    c.select(box);
    std::string got;
    std::uint64_t received = 0;
    const auto n = c.fetch_part(
        *uid, "2", "base64", [&](std::string_view chunk) { got.append(chunk); },
        [&](std::uint64_t done, std::uint64_t) { received = done; });
    CHECK(got.size() == pdf.size());
    CHECK(got == pdf);
    CHECK(n == pdf.size());
    CHECK(received > 0);
    c.unselect();
    c.delete_mailbox(box);
    c.logout();
  }
}

TEST_CASE("Dovecot IMAP: MOVE and its fallback leave other deleted-flagged messages alone",
          "[imap][dovecot][move]") {
  MAILWIRE_REQUIRE_STACK(stack);
  for (const bool fallback : {false, true}) {
    INFO(fallback);
    const std::string box = unique("Move");
    const std::string target = box + "-to";
    ImapClient c = logged_in(
        *stack, "bob", fallback ? std::vector<std::string>{"MOVE"} : std::vector<std::string>{});
    CHECK(c.has_capability("MOVE") == !fallback);
    c.create(box);
    c.create(target);
    const auto marked = c.append(box, note("marked by another client"), {"\\Deleted"});
    const auto moving = c.append(box, note("moving"));
    const auto staying = c.append(box, note("staying"));
    c.select(box);
    c.uid_move({*moving}, target);
    const SearchResult left = c.search(imap::SearchKey::all());
    CHECK(left.numbers == std::vector<std::uint32_t>{*marked, *staying});
    CHECK(c.status(target).messages == 1u);
    c.unselect();
    c.delete_mailbox(box);
    c.delete_mailbox(target);
    c.logout();
  }
}
