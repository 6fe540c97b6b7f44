// CapabilitySet: announced atoms, IMAP4rev2's implied extensions, and withheld ones.

#include <mailwire/imap/capabilities.hpp>

#include <catch2/catch.hpp>

using mailwire::imap::CapabilitySet;

TEST_CASE("CapabilitySet: IMAP4rev2 implies the extensions RFC 9051 folded in", "[imap]") {
  const CapabilitySet rev2({"IMAP4rev2", "AUTH=PLAIN"});
  for (const char* name :
       {"NAMESPACE", "UNSELECT", "UIDPLUS", "ESEARCH", "SEARCHRES", "ENABLE", "IDLE", "SASL-IR",
        "LIST-EXTENDED", "LIST-STATUS", "MOVE", "LITERAL-", "STATUS=SIZE", "move"}) {
    INFO(name);
    CHECK(rev2.has(name));
    CHECK_FALSE(rev2.announced(name));
  }
  // Only partly part of IMAP4rev2, or never: still need announcing.
  for (const char* name : {"BINARY", "SPECIAL-USE", "CONDSTORE", "QRESYNC", "LITERAL+", "X-FOO"}) {
    INFO(name);
    CHECK_FALSE(rev2.has(name));
  }
  const CapabilitySet rev1({"IMAP4rev1", "IDLE"});
  CHECK(rev1.has("IDLE"));
  CHECK_FALSE(rev1.has("MOVE"));
  CHECK_FALSE(rev1.imap4rev2());
}

TEST_CASE("CapabilitySet: without() removes announced and implied capabilities", "[imap]") {
  const CapabilitySet caps =
      CapabilitySet({"IMAP4rev2", "IDLE", "CONDSTORE"}).without({"idle", "MOVE"});
  CHECK_FALSE(caps.has("IDLE"));
  CHECK_FALSE(caps.has("MOVE"));
  CHECK(caps.has("UIDPLUS"));
  CHECK(caps.has("CONDSTORE"));
  CHECK(caps.atoms() == std::vector<std::string>{"IMAP4rev2", "CONDSTORE"});
  // Turning IMAP4rev2 off turns its implications off.
  CHECK_FALSE(CapabilitySet({"IMAP4rev2"}).without({"IMAP4REV2"}).has("MOVE"));
}
