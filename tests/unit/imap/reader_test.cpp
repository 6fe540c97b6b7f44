// Response assembly: lines and literals from raw bytes or a line reader, streaming of large
// literals, limits and hostile input.

#include <mailwire/error.hpp>
#include <mailwire/imap/response_reader.hpp>

#include "imap/response_parser.hpp"
#include "imap_test_util.hpp"
#include "support/imap_describe.hpp"

#include <random>

using namespace mailwire::imap;
using mailwire::Errc;

TEST_CASE("reader assembles responses from bytes split anywhere", "[imap][reader]") {
  const std::string body = "Subject: x\r\n\r\nhello {5}\r\n";  // looks like a literal inside
  const std::string wire = "* OK [CAPABILITY IMAP4rev1] ready\r\n* 1 FETCH (BODY[] {" +
                           std::to_string(body.size()) + "}\r\n" + body +
                           " UID 3)\r\nA001 OK done\r\n";
  for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{7}, wire.size()}) {
    ResponseReader reader;
    for (std::size_t i = 0; i < wire.size(); i += chunk) {
      std::string_view piece = std::string_view(wire).substr(i, chunk);
      CHECK(reader.feed(piece) == piece.size());
    }
    REQUIRE_FALSE(reader.error());
    REQUIRE(reader.has_response());
    CHECK(reader.pop().code.kind == ResponseCodeKind::Capability);
    REQUIRE(reader.has_response());
    Response f = reader.pop();
    REQUIRE(f.get<FetchData>());
    CHECK(f.get<FetchData>()->sections.at(0).data == body);
    CHECK(*f.get<FetchData>()->uid == 3);
    REQUIRE(reader.has_response());
    CHECK(reader.pop().tag == "A001");
    CHECK_FALSE(reader.has_response());
  }
}

TEST_CASE("reader driven by lines and literal reads", "[imap][reader]") {
  ResponseReader reader;
  reader.on_line("* 4 FETCH (BODY[TEXT] {11}");
  CHECK(reader.literal_remaining() == 11);
  CHECK(reader.on_literal("hello ") == 6);
  CHECK(reader.on_literal("world and more") == 5);
  CHECK(reader.literal_remaining() == 0);
  CHECK_FALSE(reader.has_response());
  reader.on_line(" BODY[HEADER] {0}");
  CHECK(reader.literal_remaining() == 0);
  reader.on_line(")");
  REQUIRE(reader.has_response());
  Response r = reader.pop();
  CHECK(r.get<FetchData>()->find_section("TEXT")->data == "hello world");
  CHECK(r.get<FetchData>()->find_section("HEADER")->data.empty());
  // Bare LF line endings (feed) are accepted too.
  reader.feed("* 5 EXISTS\n");
  CHECK(reader.pop().get<ExistsData>()->count == 5);
}

namespace {

// FETCH responses of rich and poor shapes: every field set, every field empty, nesting.
const std::vector<std::string>& fetch_shapes() {
  static const std::vector<std::string> wires = {
      R"W(* 1 FETCH (UID 7 FLAGS (\Seen $Work \Flagged) ENVELOPE ("Mon, 7 Feb 1994 21:52:25 -0800" "a subject long enough to leave the small string buffer" (("Fred Foobar" NIL "foobar" "blurdybloop.example")) (("Fred Foobar" NIL "foobar" "blurdybloop.example")) (("Fred Foobar" NIL "foobar" "blurdybloop.example")) ((NIL NIL "imap" "cac.washington.example")("B" NIL "b" "b.example")) ((NIL NIL "minutes" "CNRI.Reston.VA.example")) NIL "<reply@x>" "<B27397-0100000@cac.washington.example>") BODYSTRUCTURE (("text" "plain" ("charset" "utf-8" "format" "flowed") "<id@x>" "a description" "quoted-printable" 1152 23 "md5sum" ("inline" ("x" "y")) ("en" "de") "http://loc.example/" "ext1" (1 2))("message" "rfc822" ("name" "fwd.eml") NIL NIL "7bit" 900 ("Tue, 8 Feb 1994 10:00:00 +0000" "inner" (("I" NIL "i" "inner.example")) NIL NIL ((NIL NIL "t" "t.example")) NIL NIL NIL "<inner@x>") ("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 500 10 NIL ("attachment" ("filename" "page.html"))) 40 NIL ("attachment" ("filename" "fwd.eml")) NIL NIL)("application" "pdf" ("name" "invoice-2024-000123.pdf") NIL NIL "base64" 4554 NIL ("attachment" ("filename" "invoice-2024-000123.pdf" "size" "3360")) NIL NIL) "mixed" ("boundary" "----=_Part_0_123456789.1700000000000") ("inline" NIL) ("fr") "loc")))W",
      R"W(* 2 FETCH (UID 8 ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 0 0)))W",
      R"W(* 3 FETCH (UID 9 FLAGS () BODYSTRUCTURE (("text" "plain" NIL NIL NIL "7bit" 1 1)("text" "html" NIL NIL NIL "7bit" 2 1) "alternative")))W",
      R"W(* 4 FETCH (FLAGS (\Answered) ENVELOPE ("d" "s" ((NIL NIL "grp" NIL)("A" NIL "a" "a.example")(NIL NIL NIL NIL)) NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE ("message" "rfc822" NIL NIL NIL "7bit" 10 ("d" "s" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("a" "b") NIL NIL "7bit" 1 1) 2)))W",
      R"W(* 5 FETCH (UID 10))W",
      R"W(* 6 FETCH (UID 11 FLAGS (\Seen $Work \Flagged \Deleted) ENVELOPE ("Mon, 7 Feb 1994 21:52:25 -0800" "again" (("Fred Foobar" NIL "foobar" "blurdybloop.example")) NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE ("application" "octet-stream" ("name" "x.bin") NIL NIL "base64" 6 NIL "attachment" NIL NIL)))W",
  };
  return wires;
}

}  // namespace

TEST_CASE("a recycled response leaves nothing of itself in the next one", "[imap][reader]") {
  // Rich and poor shapes in turn: every field a recycled response held must be reset or
  // overwritten when the next one is parsed into its memory.
  const std::vector<std::string>& wires = fetch_shapes();
  std::vector<std::string> fresh;
  for (const auto& w : wires)
    fresh.push_back(imap_test::describe(*imap_test::parse_ok(w).get<FetchData>()));
  // Every order of two, so each shape is parsed into the memory of each other shape.
  for (std::size_t a = 0; a < wires.size(); ++a) {
    for (std::size_t b = 0; b < wires.size(); ++b) {
      ResponseReader reader;
      reader.feed(wires[a] + "\r\n");
      REQUIRE(reader.has_response());
      Response first = reader.pop();
      REQUIRE(imap_test::describe(*first.get<FetchData>()) == fresh[a]);
      reader.recycle(std::move(first));
      reader.feed(wires[b] + "\r\n");
      REQUIRE(reader.has_response());
      INFO("after " << a << ": " << b);
      CHECK(imap_test::describe(*reader.pop().get<FetchData>()) == fresh[b]);
    }
  }
}

TEST_CASE("the FETCH fast path and the general grammar agree", "[imap][reader]") {
  // The fast path takes a strict subset (quoted strings, literals, NIL, numbers, single
  // spaces) and must give exactly what the general grammar gives, or leave the item to it.
  // Each input is parsed both ways, with the default limits and with tight ones.
  std::vector<std::string> wires = fetch_shapes();
  const std::vector<std::string> edges = {
      // the shape Dovecot sends, with a subject and a display name as literals
      "* 1 FETCH (ENVELOPE (\"d\" {5}\r\nh\xC3\xA9llo ((\"A\" NIL \"a\" \"x\")) NIL NIL "
      "(({3}\r\nB\"b NIL \"b\" \"y\")) NIL NIL NIL \"<m>\"))",
      "* 1 FETCH (ENVELOPE (\"d\" ~{2}\r\nab NIL NIL NIL NIL NIL NIL NIL NIL))",  // binary literal
      "* 1 FETCH (ENVELOPE (\"d\"  \"two spaces\" NIL NIL NIL NIL NIL NIL NIL NIL))",
      "* 1 FETCH (ENVELOPE ( \"d\" \"s\" NIL NIL NIL NIL NIL NIL NIL NIL ))",
      "* 1 FETCH (ENVELOPE (\"d\" \"s\" nil NIL Nil NIL NIL NIL NIL NIL))",
      "* 1 FETCH (ENVELOPE (\"d\" \"an \\\"escaped\\\" \\\\ subject\" NIL NIL NIL NIL NIL NIL NIL "
      "NIL))",
      "* 1 FETCH (ENVELOPE (\"d\" \"s\" () NIL NIL NIL NIL NIL NIL NIL))",
      "* 1 FETCH (ENVELOPE (\"d\" \"s\" ((\"A\" NIL \"a\" \"x\") (\"B\" NIL \"b\" \"y\")) NIL NIL "
      "NIL NIL NIL NIL NIL))",
      "* 1 FETCH (ENVELOPE (\"d\" \"s\" ((\"A\" NIL a \"x\")) NIL NIL NIL NIL NIL NIL NIL))",
      "* 1 FETCH (ENVELOPE (\"d\" \"s\" NIL NIL NIL NIL NIL NIL NIL))",          // one field short
      "* 1 FETCH (ENVELOPE (\"d\" \"s\" NIL NIL NIL NIL NIL NIL NIL NIL NIL))",  // one too many
      "* 1 FETCH (ENVELOPE (\"d\" \"s\" NIL NIL NIL NIL NIL NIL NIL \"unterminated))",
      "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 12 "
      "1))",
      "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" \"12\" 1))",
      "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" -12 1))",
      "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 99999999999999999999 1))",
      "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 999999999999999999 1))",
      "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 12))",  // no line count
      "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 12  3))",
      "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" () NIL NIL \"7bit\" 12 1))",
      "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" \"lone\" NIL NIL \"7bit\" 12 1))",
      "* 1 FETCH (BODYSTRUCTURE (text plain NIL NIL NIL 7bit 12 1))",  // atoms
      "* 1 FETCH (BODYSTRUCTURE (\"image\" \"png\" NIL NIL NIL \"base64\" 9 NIL \"attachment\" NIL "
      "NIL))",
      "* 1 FETCH (BODYSTRUCTURE (\"image\" \"png\" NIL NIL NIL \"base64\" 9 NIL (\"ATTACHMENT\") "
      "\"en\" NIL))",
      "* 1 FETCH (BODYSTRUCTURE (\"image\" \"png\" NIL NIL NIL \"base64\" 9 NIL (\"inline\" NIL) "
      "(\"en\" \"de\") \"loc\" \"x\" (1 (2))))",
      "* 1 FETCH (BODYSTRUCTURE (\"image\" \"png\" NIL NIL NIL \"base64\" 9 NIL (\"inline\" NIL) "
      "() NIL))",
      "* 1 FETCH (BODYSTRUCTURE (\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 9))",  // no envelope
      "* 1 FETCH (BODYSTRUCTURE (\"message\" \"global\" NIL NIL NIL \"8bit\" 9 (NIL NIL NIL NIL "
      "NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" NIL NIL NIL \"8bit\" 1 1) 3))",
      "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) (\"text\" \"html\" "
      "NIL NIL NIL \"7bit\" 1 1) \"alternative\"))",
      "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)\"mixed\"))",
      "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) \"mixed\" ))",
      "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) \"MIXED\" "
      "(\"boundary\" {3}\r\nb\"x) NIL NIL NIL))",
      "* 1 FETCH (BODYSTRUCTURE ((((((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) \"a\") \"b\") "
      "\"c\") \"d\") \"e\"))",
      "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 12 1)",  // unbalanced
      "* 1 FETCH (BODY (\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 12 1) UID 4)",
      // more items than the tight limit allows, in each kind of list the fast path counts
      "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"a\" \"1\" \"b\" \"2\" \"c\" \"3\" \"d\" "
      "\"4\") NIL NIL \"7bit\" 1 1))",
      "* 1 FETCH (BODYSTRUCTURE (\"image\" \"png\" NIL NIL NIL \"base64\" 9 NIL (\"inline\" (\"a\" "
      "\"1\" \"b\" \"2\" \"c\" \"3\" \"d\" \"4\")) NIL NIL))",
      "* 1 FETCH (BODYSTRUCTURE (\"image\" \"png\" NIL NIL NIL \"base64\" 9 NIL NIL (\"a\" \"b\" "
      "\"c\" \"d\" \"e\") NIL))",
      "* 1 FETCH (ENVELOPE (\"d\" \"s\" ((NIL NIL \"a\" \"x\")(NIL NIL \"b\" \"x\")(NIL NIL \"c\" "
      "\"x\")(NIL NIL \"d\" \"x\")(NIL NIL \"e\" \"x\")) NIL NIL NIL NIL NIL NIL NIL))",
      "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"text\" \"plain\" "
      "NIL NIL NIL \"7bit\" 1 1)(\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"text\" \"plain\" "
      "NIL NIL NIL \"7bit\" 1 1) \"mixed\"))",
  };
  wires.insert(wires.end(), edges.begin(), edges.end());
  // A large literal, which the fast path leaves to the general grammar (it would copy it).
  wires.push_back("* 1 FETCH (ENVELOPE (\"d\" {5000}\r\n" + std::string(5000, 's') +
                  " NIL NIL NIL NIL NIL NIL NIL NIL))");
  struct FastPath {  // restored however the test ends
    ~FastPath() { mailwire::imap::detail::set_fetch_fast_path(true); }
  } restore;
  const auto parse = [](const std::string& wire, const ResponseReaderOptions& options) {
    ResponseReader reader(options);
    reader.feed(wire + "\r\n");
    std::string out = reader.error() ? "error " + reader.error_message() : "";
    while (reader.has_response())
      out += imap_test::describe(reader.pop()) + "\n";
    return out;
  };
  std::vector<ResponseReaderOptions> limits(3);
  limits[1].max_depth = 3;
  limits[2].max_items = 5;
  for (const auto& wire : wires) {
    for (const auto& options : limits) {
      mailwire::imap::detail::set_fetch_fast_path(false);
      const std::string general = parse(wire, options);
      mailwire::imap::detail::set_fetch_fast_path(true);
      INFO(wire << "\nmax_depth " << options.max_depth << ", max_items " << options.max_items);
      CHECK(parse(wire, options) == general);
    }
  }
}

TEST_CASE("a recycled response's parts the caller kept are not reused", "[imap][reader]") {
  const std::string rich =
      R"W(* 1 FETCH (ENVELOPE ("d" "kept subject" NIL NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE ("text" "plain" NIL NIL NIL "7bit" 1 1)))W";
  const std::string other =
      R"W(* 2 FETCH (ENVELOPE ("e" "other subject" NIL NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE ("image" "png" NIL NIL NIL "base64" 2)))W";
  ResponseReader reader;
  reader.feed(rich + "\r\n");
  Response first = reader.pop();
  std::shared_ptr<Envelope> kept_envelope = first.get<FetchData>()->envelope;
  std::shared_ptr<BodyStructure> kept_body = first.get<FetchData>()->body_structure;
  reader.recycle(std::move(first));
  reader.feed(other + "\r\n");
  Response second = reader.pop();
  CHECK(second.get<FetchData>()->envelope->subject == "other subject");
  CHECK(second.get<FetchData>()->body_structure->type == "image");
  CHECK(kept_envelope->subject == "kept subject");
  CHECK(kept_body->type == "text");
  CHECK(second.get<FetchData>()->envelope != kept_envelope);
}

TEST_CASE("large literals stream to a sink with bounded memory", "[imap][reader]") {
  ResponseReaderOptions options;
  options.stream_threshold = 1024 * 1024;
  options.max_literal = 64 * 1024;  // buffering it would fail: proves it is streamed
  std::uint64_t received = 0;
  std::uint64_t checksum = 0;
  std::string seen_context;
  std::string seen_item;
  std::uint32_t seen_seq = 0;
  options.literal_sink = [&](const LiteralInfo& info) -> LiteralSink {
    seen_context.assign(info.context);
    seen_item.assign(info.fetch_item);
    seen_seq = info.fetch_seq;
    return [&](std::string_view chunk) {
      received += chunk.size();
      for (char c : chunk)
        checksum += static_cast<unsigned char>(c);
    };
  };
  ResponseReader reader(options);
  const std::uint64_t size = 8ull * 1024 * 1024;
  reader.feed("* 7 FETCH (UID 70 BODY[] {" + std::to_string(size) + "}\r\n");
  std::string chunk(64 * 1024, 'x');
  for (std::uint64_t sent = 0; sent < size; sent += chunk.size()) {
    CHECK(reader.feed(chunk) == chunk.size());
  }
  reader.feed(" FLAGS (\\Seen))\r\n");
  REQUIRE_FALSE(reader.error());
  REQUIRE(reader.has_response());
  Response r = reader.pop();
  const SectionData* s = r.get<FetchData>()->find_section("");
  REQUIRE(s);
  CHECK(s->streamed);
  CHECK(s->size == size);
  CHECK(s->data.empty());
  CHECK(received == size);
  CHECK(checksum == size * 'x');
  CHECK(seen_context == "* 7 FETCH (UID 70 BODY[] {8388608}");
  CHECK(seen_item == "BODY[]");
  CHECK(seen_seq == 7);
}

TEST_CASE("a sink may decline and small literals never reach it", "[imap][reader]") {
  ResponseReaderOptions options;
  options.stream_threshold = 4;
  int asked = 0;
  std::vector<std::string> items;
  options.literal_sink = [&](const LiteralInfo& info) -> LiteralSink {
    ++asked;
    items.emplace_back(info.fetch_item);
    return {};
  };
  ResponseReader reader(options);
  reader.feed(
      "* 1 FETCH (BODY[1] {3}\r\nabc BODY[2] {5}\r\nhello BINARY[1.2]<512> ~{4}\r\nabcd"
      " BODY[HEADER.FIELDS (A B)] {4}\r\nA: x)\r\n");
  REQUIRE(reader.has_response());
  Response r = reader.pop();
  CHECK(asked == 3);
  CHECK(items ==
        std::vector<std::string>{"BODY[2]", "BINARY[1.2]<512>", "BODY[HEADER.FIELDS (A B)]"});
  CHECK(r.get<FetchData>()->find_section("2")->data == "hello");
  CHECK_FALSE(r.get<FetchData>()->find_section("2")->streamed);
}

TEST_CASE("limits turn hostile input into Errc::limit", "[imap][reader][hostile]") {
  SECTION("line too long, without ever seeing LF") {
    ResponseReaderOptions options;
    options.max_line = 1000;
    ResponseReader reader(options);
    std::string junk(600, 'a');
    reader.feed(junk);
    reader.feed(junk);
    CHECK(reader.error() == Errc::limit);
    CHECK_FALSE(reader.error_message().empty());
    // Further input is ignored.
    CHECK(reader.feed("* 1 EXISTS\r\n") == 0);
    CHECK_FALSE(reader.has_response());
  }
  SECTION("literal too large is refused before any allocation") {
    ResponseReader reader;
    reader.feed("* 1 FETCH (BODY[] {99999999999999}\r\n");
    CHECK(reader.error() == Errc::limit);
    ResponseReader reader2;
    reader2.feed("* 1 FETCH (BODY[] {999999999999999999999999999}\r\n");
    CHECK(reader2.error() == Errc::limit);
  }
  SECTION("literal sizes that are not sizes, or overflow, fail before any allocation") {
    for (const char* size : {"{18446744073709551615}", "{18446744073709551616}", "{-1}",
                             "{4294967296}", "{}", "{+5}", "{ 5}", "~{99999999999999}"}) {
      INFO(size);
      ResponseReader reader;
      reader.feed(std::string("* 1 FETCH (BODY[] ") + size + "\r\n");
      CHECK(reader.error());
      CHECK_FALSE(reader.has_response());
    }
  }
  SECTION("a zero-size literal and a truncated one") {
    ResponseReader reader;
    reader.feed("* 1 FETCH (BODY[] {0}\r\n)\r\n");
    REQUIRE(reader.has_response());
    CHECK_FALSE(reader.error());
    ResponseReader cut;
    cut.feed("* 1 FETCH (BODY[] {10}\r\nabc");
    CHECK_FALSE(cut.has_response());
    CHECK(cut.literal_remaining() == 7);
  }
  SECTION("many small literals exceed the response size") {
    ResponseReaderOptions options;
    options.max_response = 10000;
    ResponseReader reader(options);
    reader.feed("* 1 FETCH (X {2000}\r\n");
    for (int i = 0; i < 10 && !reader.error(); ++i) {
      reader.feed(std::string(2000, 'a') + " X {2000}\r\n");
    }
    CHECK(reader.error() == Errc::limit);
  }
  SECTION("too many literals") {
    ResponseReaderOptions options;
    options.max_literals = 3;
    ResponseReader reader(options);
    reader.feed("* ID (\"a\" {1}\r\nb \"c\" {1}\r\nd \"e\" {1}\r\nf \"g\" {1}\r\n");
    CHECK(reader.error() == Errc::limit);
  }
  SECTION("nesting depth") {
    std::string deep = "* 1 FETCH (X-Y ";
    for (int i = 0; i < 100000; ++i)
      deep += '(';
    CHECK(imap_test::parse_error(deep) == Errc::limit);
    std::string body = "* 1 FETCH (BODYSTRUCTURE ";
    for (int i = 0; i < 100000; ++i)
      body += '(';
    CHECK(imap_test::parse_error(body) == Errc::limit);
  }
  SECTION("item count") {
    ResponseReaderOptions options;
    options.max_items = 100;
    std::string many = "* SEARCH";
    for (int i = 1; i < 200; ++i)
      many += " " + std::to_string(i);
    CHECK(imap_test::parse_error(many, options) == Errc::limit);
  }
}

TEST_CASE("mutated responses never crash the reader", "[imap][reader][hostile]") {
  const std::vector<std::string> seeds = {
      "* 12 FETCH (FLAGS (\\Seen) UID 4 ENVELOPE (\"d\" \"s\" ((\"n\" NIL \"m\" \"h\")) NIL NIL "
      "NIL NIL NIL NIL \"<id>\") BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL "
      "NIL \"7bit\" 1 1 NIL NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 3 (NIL NIL "
      "NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) 1) "
      "\"mixed\") BODY[1] {3}\r\nabc)\r\n",
      "* LIST (\\HasNoChildren) \"/\" \"a&AOQ-b\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n",
      "A1 OK [COPYUID 1 1:3 4:6] done\r\n* ESEARCH (TAG \"A\") UID ALL 1:3,5 MIN 1\r\n",
      "* NAMESPACE ((\"\" \"/\")) NIL ((\"#s\" \".\"))\r\n* STATUS a (MESSAGES 1)\r\n",
  };
  std::mt19937 rng(12345);
  const char alphabet[] = "(){}[]<>\" \\~*+0123456789NILnil\r\n";
  for (int round = 0; round < 3000; ++round) {
    std::string s = seeds[static_cast<std::size_t>(round) % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t pos = rng() % s.size();
      switch (rng() % 3) {
        case 0:
          s[pos] = alphabet[rng() % (sizeof alphabet - 1)];
          break;
        case 1:
          s.erase(pos, 1 + rng() % 5);
          break;
        default:
          s.insert(pos, 1, alphabet[rng() % (sizeof alphabet - 1)]);
          break;
      }
      if (s.empty()) s = "x";
    }
    ResponseReaderOptions options;
    options.max_literal = 1 << 20;
    ResponseReader reader(options);
    reader.feed(s);
    while (reader.has_response())
      reader.pop();
    SUCCEED();
  }
}

TEST_CASE("a zero-size literal and an empty quoted body are empty data",
          "[imap][reader][hostile]") {
  // Case 47 (curl CVE-2017-1000257): {0} has no sentinel meaning; "" is the same empty body.
  for (const std::string& wire : {std::string("* 1 FETCH (UID 5 BODY[] {0}\r\n)\r\n"),
                                  std::string("* 1 FETCH (UID 5 BODY[] \"\")\r\n")}) {
    INFO(wire);
    ResponseReader reader;
    CHECK(reader.feed(wire) == wire.size());
    REQUIRE_FALSE(reader.error());
    REQUIRE(reader.has_response());
    const Response r = reader.pop();
    const auto* f = r.get<FetchData>();
    REQUIRE(f != nullptr);
    CHECK(f->uid == 5u);
    REQUIRE(f->sections.size() == 1);
    CHECK(f->sections[0].data.empty());
    CHECK(f->sections[0].size == 0);
    CHECK_FALSE(f->sections[0].nil);
  }
}
