#include "imap/command.hpp"

#include <mailwire/error.hpp>

#include <catch2/catch.hpp>

using namespace mailwire;
using namespace mailwire::imap;

TEST_CASE("IMAP commands: atom, quoted string or literal per argument", "[imap]") {
  EncodedCommand c;
  REQUIRE_FALSE(CommandBuilder("A001", "LOGIN", LiteralMode::Synchronising)
                    .astring("alice")
                    .secret()
                    .astring("pa ss\"word")
                    .finish(c));
  REQUIRE(c.segments.size() == 1);
  CHECK(c.segments[0] == "A001 LOGIN alice \"pa ss\\\"word\"\r\n");
  CHECK(c.log == "A001 LOGIN alice \"****\"\r\n");

  // 8-bit text needs a literal; a synchronising one splits the command.
  REQUIRE_FALSE(CommandBuilder("A002", "LOGIN", LiteralMode::Synchronising)
                    .astring("j\xc3\xb6rg")
                    .astring("x")
                    .finish(c));
  REQUIRE(c.segments.size() == 2);
  CHECK(c.segments[0] == "A002 LOGIN {5}\r\n");
  CHECK(c.segments[1] == "j\xc3\xb6rg x\r\n");
  CHECK(c.wait_before == std::vector<bool>{false, true});

  REQUIRE_FALSE(CommandBuilder("A003", "LOGIN", LiteralMode::NonSynchronising)
                    .astring("j\xc3\xb6rg")
                    .astring("x")
                    .finish(c));
  CHECK(c.segments[0] == "A003 LOGIN {5+}\r\n");
  CHECK(c.wait_before == std::vector<bool>{false, false});

  // LITERAL-: non-synchronising only up to 4096 octets.
  REQUIRE_FALSE(CommandBuilder("A004", "APPEND", LiteralMode::NonSyncUpTo4096)
                    .mailbox("INBOX", false)
                    .string(std::string(5000, 'x') + "\xff")
                    .finish(c));
  CHECK(c.segments[0] == "A004 APPEND INBOX {5001}\r\n");
  CHECK(c.wait_before.back());

  // NIL and empty strings are quoted, never atoms.
  REQUIRE_FALSE(
      CommandBuilder("A005", "X", LiteralMode::Synchronising).astring("NIL").astring("").finish(c));
  CHECK(c.segments[0] == "A005 X \"NIL\" \"\"\r\n");
}

TEST_CASE("IMAP commands: mailbox names and sequence sets", "[imap]") {
  EncodedCommand c;
  REQUIRE_FALSE(
      CommandBuilder("A1", "SELECT", LiteralMode::Synchronising).mailbox("inbox", false).finish(c));
  CHECK(c.segments[0] == "A1 SELECT INBOX\r\n");
  REQUIRE_FALSE(CommandBuilder("A2", "SELECT", LiteralMode::Synchronising)
                    .mailbox("Entw\xc3\xbcrfe", false)
                    .finish(c));
  CHECK(c.segments[0] == "A2 SELECT Entw&APw-rfe\r\n");
  REQUIRE_FALSE(CommandBuilder("A3", "SELECT", LiteralMode::NonSynchronising)
                    .mailbox("Entw\xc3\xbcrfe", true)
                    .finish(c));
  CHECK(c.segments[0] == "A3 SELECT {9+}\r\n");
  REQUIRE_FALSE(CommandBuilder("A4", "CREATE", LiteralMode::Synchronising)
                    .mailbox("Invoices 2026", false)
                    .finish(c));
  CHECK(c.segments[0] == "A4 CREATE \"Invoices 2026\"\r\n");
  CHECK(sequence_set({5, 1, 2, 3, 9, 10, 3}) == "1:3,5,9:10");
  CHECK(sequence_set({}).empty());
}

TEST_CASE("IMAP commands refuse CR, LF and NUL before producing anything", "[imap][security]") {
  EncodedCommand c;
  CHECK(CommandBuilder("A1", "LOGIN", LiteralMode::Synchronising)
            .astring("alice\r\nA2 DELETE INBOX")
            .astring("x")
            .finish(c) == make_error_code(Errc::usage));
  CHECK(CommandBuilder("A1", "SELECT", LiteralMode::NonSynchronising)
            .mailbox(std::string("a\0b", 3), true)
            .finish(c) == make_error_code(Errc::usage));
  CHECK(CommandBuilder("A1", "SEARCH", LiteralMode::Synchronising)
            .atom("SUBJECT")
            .string("x\ny")
            .finish(c) == make_error_code(Errc::usage));
  CHECK(CommandBuilder("A1", "FETCH", LiteralMode::Synchronising)
            .raw("1:* (FLAGS)\r\nA2 X")
            .finish(c) == make_error_code(Errc::usage));
  CHECK(CommandBuilder("A 1", "NOOP", LiteralMode::Synchronising).finish(c) ==
        make_error_code(Errc::usage));
  CHECK(
      CommandBuilder("A1", "STORE", LiteralMode::Synchronising).atom("+FLAGS (\\Seen)").finish(c) ==
      make_error_code(Errc::usage));  // not an atom: spaces and parentheses
}
