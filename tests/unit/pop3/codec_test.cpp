#include "pop3/codec.hpp"

#include <mailwire/error.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace mailwire;
using namespace mailwire::pop3;

namespace {

// Feeds `input` split into pieces of `piece` bytes; returns the content and the bytes consumed.
std::pair<std::string, std::size_t> unstuff(std::string_view input, std::size_t piece,
                                            bool* done = nullptr) {
  MultilineDecoder decoder;
  std::string out;
  std::size_t consumed = 0;
  while (consumed < input.size() && !decoder.done()) {
    const std::string_view chunk = input.substr(consumed, piece);
    consumed += decoder.feed(chunk, [&](const char* p, std::size_t n) { out.append(p, n); });
  }
  if (done != nullptr) *done = decoder.done();
  CHECK(decoder.emitted() == out.size());
  return {out, consumed};
}

}  // namespace

TEST_CASE("POP3 status lines", "[pop3]") {
  StatusLine s;
  REQUIRE_FALSE(parse_status_line("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>", s));
  CHECK(s.kind == StatusLine::Kind::Ok);
  CHECK(s.text == "POP3 server ready <1896.697170952@dbc.mtview.ca.us>");

  REQUIRE_FALSE(parse_status_line("-ERR [IN-USE] Do you have another POP session running?", s));
  CHECK(s.kind == StatusLine::Kind::Err);
  CHECK(s.code == "IN-USE");
  CHECK(s.text == "Do you have another POP session running?");
  CHECK(is_transient_code(s.code));

  REQUIRE_FALSE(parse_status_line("-ERR [sys/perm] gone", s));
  CHECK(s.code == "SYS/PERM");
  CHECK_FALSE(is_transient_code(s.code));

  REQUIRE_FALSE(parse_status_line("+OK", s));
  CHECK(s.kind == StatusLine::Kind::Ok);
  CHECK(s.text.empty());

  REQUIRE_FALSE(parse_status_line("+ dGVzdA==", s));
  CHECK(s.kind == StatusLine::Kind::Continue);
  CHECK(s.text == "dGVzdA==");

  CHECK(parse_status_line("+OKAY", s) == make_error_code(Errc::protocol));
  CHECK(parse_status_line("* OK imap", s) == make_error_code(Errc::protocol));
  CHECK(parse_status_line("", s) == make_error_code(Errc::protocol));
  CHECK(parse_status_line("220 smtp", s) == make_error_code(Errc::protocol));
}

TEST_CASE("POP3 APOP timestamp from the greeting (RFC 1939 section 7)", "[pop3]") {
  CHECK(apop_timestamp("POP3 server ready <1896.697170952@dbc.mtview.ca.us>") ==
        "<1896.697170952@dbc.mtview.ca.us>");
  CHECK(apop_timestamp("Dovecot ready.").empty());
  CHECK(apop_timestamp("ready <no-at-sign>").empty());
  CHECK(apop_timestamp("ready <a b@c>").empty());
  CHECK(apop_timestamp("ready <unterminated@x").empty());
}

TEST_CASE("POP3 CAPA lines (RFC 2449)", "[pop3]") {
  Pop3Capabilities caps;
  for (const char* line : {"TOP", "USER", "UIDL", "SASL PLAIN login SCRAM-SHA-256", "RESP-CODES",
                           "AUTH-RESP-CODE", "PIPELINING", "STLS", "LOGIN-DELAY 900",
                           "EXPIRE NEVER", "IMPLEMENTATION Shlemazle-Plotz-v302", "X-UNKNOWN 1"}) {
    parse_capability(line, caps);
  }
  CHECK(caps.top);
  CHECK(caps.user);
  CHECK(caps.uidl);
  CHECK(caps.stls);
  CHECK(caps.pipelining);
  CHECK(caps.resp_codes);
  CHECK(caps.auth_resp_code);
  CHECK(caps.sasl == std::vector<std::string>{"PLAIN", "LOGIN", "SCRAM-SHA-256"});
  CHECK(caps.login_delay == 900);
  CHECK(caps.expire == -1);
  CHECK(caps.implementation == "Shlemazle-Plotz-v302");
  CHECK(caps.lines.size() == 12);
}

TEST_CASE("POP3 STAT, LIST and UIDL lines", "[pop3]") {
  Pop3Stat stat;
  REQUIRE_FALSE(parse_stat("2 320", stat));
  CHECK(stat.count == 2);
  CHECK(stat.size == 320);
  CHECK(parse_stat("2", stat));
  CHECK(parse_stat("two 320", stat));
  CHECK(parse_stat("-1 320", stat));

  Pop3ListEntry entry;
  REQUIRE_FALSE(parse_list_entry("1 120", entry));
  CHECK(entry.number == 1);
  CHECK(entry.size == 120);
  CHECK(parse_list_entry("0 120", entry));
  CHECK(parse_list_entry("1", entry));
  CHECK(parse_list_entry("99999999999999999999 1", entry));

  Pop3UidlEntry uidl;
  REQUIRE_FALSE(parse_uidl_entry("1 whqtswO00WBw418f9t5JxYwZ", uidl));
  CHECK(uidl.number == 1);
  CHECK(uidl.uid == "whqtswO00WBw418f9t5JxYwZ");
  CHECK(parse_uidl_entry("1", uidl));
  CHECK(parse_uidl_entry("1 " + std::string(600, 'a'), uidl));
  CHECK(parse_uidl_entry(std::string("1 a\x01") + "b", uidl));
}

TEST_CASE("POP3 commands refuse CR, LF, NUL and stray spaces before any byte", "[pop3]") {
  std::string out;
  REQUIRE_FALSE(encode_command("USER", {"alice"}, out));
  CHECK(out == "USER alice\r\n");
  REQUIRE_FALSE(encode_command("PASS", {"pass with spaces"}, out, true));
  CHECK(out == "PASS pass with spaces\r\n");
  out = "untouched";
  CHECK(encode_command("USER", {"alice\r\nDELE 1"}, out) == make_error_code(Errc::usage));
  CHECK(encode_command("USER", {"al ice"}, out) == make_error_code(Errc::usage));
  CHECK(encode_command("PASS", {"x\ny"}, out, true) == make_error_code(Errc::usage));
  CHECK(encode_command("PASS", {std::string("x\0y", 3)}, out, true) ==
        make_error_code(Errc::usage));
  CHECK(encode_command("USER", {""}, out) == make_error_code(Errc::usage));
  CHECK(out == "untouched");
}

TEST_CASE("POP3 multi-line bodies are dot-unstuffed at any chunk boundary", "[pop3]") {
  const std::string wire =
      "Subject: x\r\n"
      "\r\n"
      "..leading dot\r\n"
      "...two dots\r\n"
      ".\r\n"
      "NEXT";
  const std::string content =
      "Subject: x\r\n"
      "\r\n"
      ".leading dot\r\n"
      "..two dots\r\n";
  for (std::size_t piece = 1; piece <= wire.size(); ++piece) {
    INFO("piece size " << piece);
    bool done = false;
    const auto [out, consumed] = unstuff(wire, piece, &done);
    CHECK(done);
    CHECK(out == content);
    CHECK(wire.substr(consumed) == "NEXT");
  }
}

TEST_CASE("POP3 multi-line edge cases", "[pop3]") {
  bool done = false;
  CHECK(unstuff(".\r\n", 1, &done).first.empty());
  CHECK(done);
  // A server using bare LF.
  CHECK(unstuff("a\n.\n", 2, &done).first == "a\n");
  CHECK(done);
  // A dot followed by a CR that is content, not the terminator.
  CHECK(unstuff(".\rx\r\n.\r\n", 1, &done).first == "\rx\r\n");
  CHECK(done);
  // ". " is not the terminator; the dot is removed as RFC 1939 says.
  CHECK(unstuff(". x\r\n.\r\n", 3, &done).first == " x\r\n");
  // Not finished: no terminator yet.
  CHECK(unstuff("line\r\n.", 4, &done).first == "line\r\n");
  CHECK_FALSE(done);
  // A "." inside a line is content.
  CHECK(unstuff("a.\r\nb\r\n.\r\n", 1, &done).first == "a.\r\nb\r\n");
}
