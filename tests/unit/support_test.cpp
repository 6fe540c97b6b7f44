// The scripted peer itself: it must catch a client that deviates from the script.

#include "support/scripted_peer.hpp"

#include <mailwire/error.hpp>

#include <catch2/catch.hpp>

using namespace mailwire;
using namespace mailwire::test;

TEST_CASE("ScriptedPeer checks the client's exact bytes", "[support]") {
  auto peer = ScriptedPeer::parse("S: hello\nC: ONE\nC~ TW\\x4f\\r\\n\nS: bye\n");
  auto t = peer->transport();
  char buf[64];
  CHECK(std::string(buf, t->read_some(buf, sizeof buf, no_deadline)) == "hello\r\n");
  t->write_all("ON", no_deadline);  // a prefix: fine so far
  t->write_all("E\r\nTWO\r\n", no_deadline);
  CHECK(std::string(buf, t->read_some(buf, sizeof buf, no_deadline)) == "bye\r\n");
  CHECK(t->read_some(buf, sizeof buf, no_deadline) == 0);
  CHECK(peer->finished());
  CHECK(peer->received() == "ONE\r\nTWO\r\n");
}

TEST_CASE("ScriptedPeer reports a wrong command and a client that reads too early", "[support]") {
  auto peer = ScriptedPeer::parse("C: EHLO a\nS: 250 ok\n");
  auto t = peer->transport();
  CHECK_THROWS_AS(t->write_all("HELO a\r\n", no_deadline), ScriptError);
  CHECK_THAT(peer->error(), Catch::Contains("EHLO a"));
  CHECK_FALSE(peer->finished());

  auto early = ScriptedPeer::parse("C: EHLO a\n");
  auto t2 = early->transport();
  char buf[8];
  CHECK_THROWS_AS(t2->read_some(buf, sizeof buf, no_deadline), ScriptError);
}

TEST_CASE("ScriptedPeer segments and faults", "[support]") {
  auto peer = ScriptedPeer::make();
  peer->split_send("abcdef", {2, 4}).close();
  auto t = peer->transport();
  char buf[64];
  CHECK(t->read_some(buf, sizeof buf, no_deadline) == 2);
  CHECK(t->read_some(buf, 1, no_deadline) == 1);
  CHECK(t->read_some(buf, sizeof buf, no_deadline) == 1);
  CHECK(t->read_some(buf, sizeof buf, no_deadline) == 2);
  CHECK(t->read_some(buf, sizeof buf, no_deadline) == 0);
  CHECK(t->read_some(buf, sizeof buf, no_deadline) == 0);
  CHECK(peer->finished());

  auto reset = ScriptedPeer::parse("!reset\n");
  auto t2 = reset->transport();
  CHECK_THROWS_AS(t2->read_some(buf, sizeof buf, no_deadline), Error);
  CHECK_THROWS_AS(t2->write_all("x", no_deadline), Error);
}
