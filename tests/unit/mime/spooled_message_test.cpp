// SpooledMessage: the parts and decoded bodies Message::parse finds, whatever the chunk size,
// whether bodies stay in memory or spill to the temporary file; large bodies spill, the memory
// held stays under its limit, the file leaves no name behind, and failures are typed errors.

#include "support/corpus.hpp"
#include "support/error_of.hpp"
#include "support/test_server.hpp"

#include <mailwire/error.hpp>
#include <mailwire/mime/encoding.hpp>
#include <mailwire/mime/message.hpp>
#include <mailwire/mime/spooled_message.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace mailwire;
using namespace mailwire::mime;
using mailwire::test::error_of;
using mailwire::test::TempDir;

namespace {

// What both parsers must agree on for one entity.
struct Seen {
  std::string type;
  bool leaf = false;
  std::string body;  // decoded, leaves only
  std::string filename;
  bool operator==(const Seen& o) const {
    return type == o.type && leaf == o.leaf && body == o.body && filename == o.filename;
  }
};

std::ostream& operator<<(std::ostream& os, const Seen& s) {
  return os << s.type << (s.leaf ? " leaf " : " ") << s.body.size() << " bytes '" << s.filename
            << "'";
}

std::vector<Seen> in_memory(const std::string& bytes) {
  std::vector<Seen> out;
  const Message m = Message::parse(bytes);
  for (const Entity* e : m.entities()) {
    out.push_back({e->content_type().mime_type(), e->is_leaf(),
                   e->is_leaf() ? e->decoded_body() : std::string(), e->filename().value_or("")});
  }
  return out;
}

SpooledMessage spooled(const std::string& bytes, std::size_t chunk, const SpoolOptions& options) {
  SpooledMessage m(options);
  for (std::size_t at = 0; at < bytes.size(); at += chunk)
    m.feed(std::string_view(bytes).substr(at, chunk));
  m.finish();
  return m;
}

std::vector<Seen> seen(const SpooledMessage& m) {
  std::vector<Seen> out;
  for (const SpooledPart& p : m.parts()) {
    out.push_back({p.content_type().mime_type(), p.is_leaf(), p.is_leaf() ? p.body() : "",
                   p.filename().value_or("")});
  }
  return out;
}

SpoolOptions all_spilled(const std::string& dir) {
  SpoolOptions o;
  o.spill_threshold = 0;
  o.memory_limit = 0;
  o.temp_dir = dir;
  return o;
}

bool empty_dir(const std::string& dir) {
  return std::filesystem::directory_iterator(dir) == std::filesystem::directory_iterator();
}

// Deterministic bytes that are not all alike.
char pattern(std::uint64_t i) {
  return static_cast<char>((i * 2654435761u) >> 13);
}

}  // namespace

TEST_CASE("SpooledMessage: the parts and bodies of Message::parse, in memory or spilled",
          "[mime][spool]") {
  TempDir dir;
  const std::vector<std::string> samples = {
      "Subject: plain\r\n\r\nline one\r\nline two\r\n",
      "Content-Type: multipart/mixed; boundary=b\r\n\r\npreamble\r\n--b\r\n"
      "Content-Type: text/plain\r\n\r\none\r\n--b\r\nContent-Transfer-Encoding: base64\r\n"
      "Content-Type: application/pdf; name=\"=?UTF-8?Q?R=C3=A9sum=C3=A9.pdf?=\"\r\n\r\n"
      "JVBERi0x\r\nLjQK\r\n--b--\r\nepilogue\r\n",
      "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n"
      "Subject: inner\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\nplain\n--c\n"
      "Content-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n<p>Gr=C3=BC=\n"
      "n</p>\n--c--\n--b\nContent-Disposition: attachment; filename*=UTF-8''a%20b.txt\n\n"
      "tail without close\n",
      "Content-Type: multipart/report; boundary=r\n\n--r\n\nreport\n--r\nContent-Type: "
      "message/delivery-status\n\nReporting-MTA: dns; a\n\nFinal-Recipient: rfc822; b\n"
      "Action: failed\n\n--r--\n",
      "Content-Transfer-Encoding: x-uuencode\n\nbegin 644 a.txt\n#86)C\n`\nend\n",
      "Content-Type: multipart/mixed\n\nbody\n",
      "",
  };
  std::mt19937 rng(20261130);
  for (const std::string& s : samples) {
    INFO(s);
    const std::vector<Seen> want = in_memory(s);
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{5}, std::size_t{1} + rng() % 200}) {
      INFO("chunk " << chunk);
      const SpooledMessage kept = spooled(s, chunk, {});
      CHECK(seen(kept) == want);
      const SpooledMessage spilled = spooled(s, chunk, all_spilled(dir.path));
      CHECK(seen(spilled) == want);
      CHECK(spilled.memory_bytes() == 0);
      for (const SpooledPart& p : spilled.parts())
        CHECK(p.spilled() == (p.is_leaf() && p.size() > 0));
    }
  }
  CHECK(empty_dir(dir.path));  // the temporary files had no name
}

TEST_CASE("SpooledMessage: every corpus message as Message::parse reads it",
          "[mime][spool][corpus]") {
  const auto files = mailwire::test::corpus_files();
  if (files.empty()) {
    WARN("../shared/corpus is not here; skipped");
    return;
  }
  TempDir dir;
  SpoolOptions small;  // spills every leaf past 1 KiB, and past 16 KiB held in all
  small.spill_threshold = 1024;
  small.memory_limit = 16 * 1024;
  small.temp_dir = dir.path;
  std::size_t count = 0;
  std::size_t same = 0;
  std::mt19937 rng(20261130);
  for (const auto& path : files) {
    const std::string bytes = mailwire::test::file_bytes(path);
    const std::size_t chunk = 1 + rng() % 4000;
    INFO(path.string() << " chunk " << chunk);
    const SpooledMessage m = spooled(bytes, chunk, small);
    const bool ok = seen(m) == in_memory(bytes);
    CHECK(ok);
    CHECK(m.memory_bytes() <= small.memory_limit);
    same += ok ? 1u : 0u;
    ++count;
  }
  CHECK(count > 200);
  CHECK(same == count);
}

TEST_CASE("SpooledMessage: a 64 MiB attachment spills, the structure and the text stay in memory",
          "[mime][spool]") {
  TempDir dir;
  SpoolOptions options;
  options.temp_dir = dir.path;
  SpooledMessage m(options);
  m.feed(
      "From: a@example.org\r\nSubject: invoice\r\nContent-Type: multipart/mixed; boundary=zz\r\n"
      "\r\n--zz\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nSee attached, Gr\xfc\xdf"
      "e\r\n--zz\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
      "filename=big.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n");
  const std::uint64_t size = 64u << 20;
  Base64Encoder encoder;
  std::string plain;
  std::string encoded;
  for (std::uint64_t at = 0; at < size; at += plain.size()) {
    plain.clear();
    for (std::uint64_t i = at; i < std::min<std::uint64_t>(size, at + 48 * 1024); ++i)
      plain += pattern(i);
    encoded.clear();
    encoder.feed(plain, encoded);
    m.feed(encoded);  // 64 KiB at a time
  }
  encoded.clear();
  encoder.finish(encoded);
  m.feed(encoded + "--zz--\r\n");
  m.finish();

  REQUIRE(m.parts().size() == 3);
  CHECK(m.root().content_type().mime_type() == "multipart/mixed");
  CHECK(m.root().headers().get("Subject") == std::optional<std::string>("invoice"));
  const SpooledPart& text = m.parts()[1];
  CHECK_FALSE(text.spilled());
  CHECK(text.text() ==
        "See attached, Gr\xc3\xbc\xc3\x9f"
        "e");
  CHECK(text.parent() == std::optional<std::size_t>(0));
  REQUIRE(m.attachments().size() == 1);
  const SpooledPart& pdf = *m.attachments().front();
  CHECK(pdf.filename() == std::optional<std::string>("big.pdf"));
  CHECK(pdf.spilled());
  CHECK(pdf.size() == size);
  CHECK(m.memory_bytes() < options.spill_threshold);
  CHECK(empty_dir(dir.path));
  // Read back in chunks of at most 64 KiB, byte for byte.
  std::uint64_t at = 0;
  std::uint64_t wrong = 0;
  std::size_t largest = 0;
  pdf.read_body([&](std::string_view chunk) {
    largest = std::max(largest, chunk.size());
    for (const char c : chunk)
      wrong += c != pattern(at++) ? 1u : 0u;
  });
  CHECK(at == size);
  CHECK(wrong == 0);
  CHECK(largest <= 64 * 1024);
}

TEST_CASE("SpooledMessage: many small leaves stay under the memory limit", "[mime][spool]") {
  TempDir dir;
  SpoolOptions options;
  options.memory_limit = 50 * 1000;
  options.temp_dir = dir.path;
  std::string message = "Content-Type: multipart/mixed; boundary=b\n\n";
  for (int i = 0; i < 40; ++i)
    message +=
        "--b\nX-Part: " + std::to_string(i) + "\n\n" + std::string(9999, char('a' + i % 26)) + "\n";
  message += "--b--\n";
  const SpooledMessage m = spooled(message, 4096, options);
  REQUIRE(m.parts().size() == 41);
  CHECK(m.memory_bytes() <= options.memory_limit);
  std::size_t spilled = 0;
  for (std::size_t i = 1; i < m.parts().size(); ++i) {
    const SpooledPart& p = m.parts()[i];
    CHECK(p.body() == std::string(9999, char('a' + (i - 1) % 26)));
    CHECK(p.parent() == std::optional<std::size_t>(0));
    spilled += p.spilled() ? 1u : 0u;
  }
  CHECK(spilled == 35);  // 5 leaves of 9,999 bytes fit in 50,000
}

TEST_CASE("SpooledMessage: parents, nested messages and defects", "[mime][spool]") {
  const SpooledMessage m = spooled(
      "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n"
      "Subject: inner\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\nplain\n--c--\n"
      "--b\n\nlast, unclosed\n",
      3, {});
  // multipart/mixed, message/rfc822, its message (multipart/alternative), "plain", "last"
  REQUIRE(m.parts().size() == 5);
  const std::vector<std::optional<std::size_t>> parents = {std::nullopt, 0, 1, 2, 0};
  for (std::size_t i = 0; i < parents.size(); ++i) {
    INFO(i);
    CHECK(m.parts()[i].parent() == parents[i]);
  }
  CHECK(m.parts()[2].is_message());
  CHECK(m.parts()[2].depth() == 2);
  CHECK(m.parts()[2].headers().get("Subject") == std::optional<std::string>("inner"));
  CHECK(m.parts()[3].body() == "plain");
  CHECK(m.parts()[4].body() == "last, unclosed");  // as CPython: the last line break goes too
  CHECK_FALSE(m.defects().empty());                // the missing final boundary
}

TEST_CASE("SpooledMessage: failures are typed errors", "[mime][spool]") {
  TempDir dir;
  SECTION("no temporary file can be made: Error(io) naming the folder, at the first spill") {
    SpoolOptions options = all_spilled(dir.path + "/missing");
    SpooledMessage m(options);
    m.feed("Subject: x\n\n");  // nothing to spill yet
    const Error e = error_of([&] { m.feed("body\n"); });
    CHECK(e.kind() == Errc::io);
    CHECK_THAT(e.what(), Catch::Contains("missing"));
  }
  SECTION("feed() after finish(), finish() twice: Error(usage)") {
    SpooledMessage m;
    m.feed("Subject: x\n\nbody\n");
    m.finish();
    CHECK(error_of([&] { m.feed("more"); }).kind() == Errc::usage);
    CHECK(error_of([&] { m.finish(); }).kind() == Errc::usage);
    SpooledMessage moved = std::move(m);
    CHECK(moved.parts().size() == 1);
    CHECK(m.parts().empty());  // NOLINT(bugprone-use-after-move): defined as empty
  }
  SECTION("parse_file: a missing file is Error(io); an existing one parses") {
    CHECK(error_of([&] { SpooledMessage::parse_file(dir.path + "/none.eml"); }).kind() == Errc::io);
    const std::string path = dir.path + "/m.eml";
    std::ofstream(path, std::ios::binary) << "Subject: file\r\n\r\nfrom a file\r\n";
    const SpooledMessage m = SpooledMessage::parse_file(path);
    REQUIRE(m.parts().size() == 1);
    CHECK(m.root().body() == "from a file\r\n");
  }
  SECTION("root() of an empty message: Error(usage)") {
    SpooledMessage m;
    CHECK(error_of([&] { m.root(); }).kind() == Errc::usage);
  }
}
