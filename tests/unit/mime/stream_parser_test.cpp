// The incremental parser reads every message as Message::parse does: the same leaves, the same
// decoded bytes, whatever the chunk size; and it keeps memory bounded on huge bodies.

#include "support/corpus.hpp"

#include <mailwire/mime/message.hpp>
#include <mailwire/mime/stream_parser.hpp>

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

using namespace mailwire::mime;

namespace {

struct Leaf {
  std::string type;
  std::string body;
  bool operator==(const Leaf& o) const { return type == o.type && body == o.body; }
};

std::ostream& operator<<(std::ostream& os, const Leaf& l) {
  return os << l.type << " (" << l.body.size() << " bytes)";
}

void walk(const Entity& e, std::vector<Leaf>& out) {
  if (!e.children().empty()) {
    for (const Entity& c : e.children())
      walk(c, out);
  } else if (!e.content_type().is_multipart()) {
    out.push_back({e.content_type().mime_type(), e.decoded_body()});
  }
}

std::vector<Leaf> in_memory(const std::string& bytes) {
  std::vector<Leaf> out;
  const Message m = Message::parse(bytes);
  walk(m.root(), out);
  return out;
}

std::vector<Leaf> streamed(const std::string& bytes, std::size_t chunk,
                           std::size_t* messages = nullptr) {
  std::vector<Leaf> out;
  StreamCallbacks cb;
  cb.on_entity = [&](const StreamEntity& e) {
    if (messages != nullptr && e.message) ++*messages;
    if (e.leaf) out.push_back({e.content_type.mime_type(), {}});
  };
  cb.on_body = [&](std::string_view d) {
    REQUIRE_FALSE(out.empty());
    out.back().body.append(d);
  };
  StreamParser p(cb);
  for (std::size_t at = 0; at < bytes.size(); at += chunk)
    p.feed(std::string_view(bytes).substr(at, chunk));
  p.finish();
  return out;
}

}  // namespace

TEST_CASE("StreamParser: structure and decoding as Message::parse, any chunk size",
          "[mime][stream]") {
  const std::vector<std::string> samples = {
      "Subject: plain\r\n\r\nline one\r\nline two\r\n",
      "Content-Type: multipart/mixed; boundary=b\r\n\r\npreamble\r\n--b\r\n"
      "Content-Type: text/plain\r\n\r\none\r\n--b\r\nContent-Transfer-Encoding: base64\r\n"
      "Content-Type: application/pdf\r\n\r\nJVBERi0x\r\nLjQK\r\n--b--\r\nepilogue\r\n",
      // nested multipart whose inner boundary is a prefix-extension of the outer one
      "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative; "
      "boundary=b2\n\n--b2\n\ninner\n--b2\nContent-Transfer-Encoding: quoted-printable\n\n"
      "Gr=C3=BC=\nn\n--b2--\n--b\n\nlast\n--b--\n",
      // the outer delimiter closes an inner multipart that never closed
      "Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/mixed; "
      "boundary=i\n\n--i\n\nunclosed inner\n--o\n\nnext\n--o--\n",
      // message/rfc822 inside a multipart, missing final boundary
      "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n"
      "Subject: inner\nContent-Type: text/html\n\n<p>x</p>\n--b\n\ntail without close\n",
      // adjacent delimiters, near misses, a header without body, no empty line after a header
      "Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n\nafter adjacent\n--bx not\n"
      "--b \n--b\nContent-Type: text/plain\n--b\nX-A: 1\nnot a field line\nbody\n--b--\n",
      // delivery-status blocks
      "Content-Type: multipart/report; boundary=r\n\n--r\n\nreport\n--r\nContent-Type: "
      "message/delivery-status\n\nReporting-MTA: dns; a\n\nFinal-Recipient: rfc822; b\n"
      "Action: failed\n\n--r--\n",
      // uuencode
      "Content-Transfer-Encoding: x-uuencode\n\nbegin 644 a.txt\n#86)C\n`\nend\n",
      // no boundary parameter, then a digest
      "Content-Type: multipart/mixed\n\nbody\n",
      "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: m1\n\nbody1\n--d--\n",
      "",
      "Subject: no body",
  };
  for (const std::string& s : samples) {
    INFO(s);
    const std::vector<Leaf> want = in_memory(s);
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7},
                                    std::size_t{64}, s.size() + 1}) {
      INFO("chunk " << chunk);
      CHECK(streamed(s, chunk) == want);
    }
  }
}

TEST_CASE("StreamParser: every corpus message as Message::parse reads it",
          "[mime][stream][corpus]") {
  const auto files = mailwire::test::corpus_files();
  if (files.empty()) {
    WARN("../shared/corpus is not here; skipped");
    return;
  }
  std::size_t count = 0;
  std::size_t same = 0;
  std::mt19937 rng(20261129);
  for (const auto& path : files) {
    const std::string bytes = mailwire::test::file_bytes(path);
    const std::vector<Leaf> want = in_memory(bytes);
    const std::size_t chunk = 1 + rng() % 700;
    INFO(path.string() << " chunk " << chunk);
    const auto got = streamed(bytes, chunk);
    CHECK(got == want);
    same += got == want ? 1u : 0u;
    ++count;
  }
  CHECK(count > 200);
  CHECK(same == count);
}

TEST_CASE("StreamParser: a huge base64 attachment passes in bounded memory", "[mime][stream]") {
  // 64 MiB decoded, fed in 64 KiB chunks; the parser keeps at most a line or so of input.
  const std::string head =
      "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\n"
      "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  const std::string line = std::string(76, 'A') + "\r\n";  // 57 zero bytes per line
  std::uint64_t decoded = 0;
  std::size_t leaves = 0;
  StreamCallbacks cb;
  cb.on_entity = [&](const StreamEntity& e) { leaves += e.leaf ? 1u : 0u; };
  cb.on_body = [&](std::string_view d) { decoded += d.size(); };
  StreamParser p(cb);
  p.feed(head);
  std::string chunk;
  for (int i = 0; i < 862; ++i)  // 862 * 76 lines * 57 bytes ≈ 3.7 MB per... scaled below
    chunk += line;
  const std::size_t lines_per_chunk = 862;
  const std::size_t chunks = (64u << 20) / (lines_per_chunk * 57) + 1;
  for (std::size_t i = 0; i < chunks; ++i)
    p.feed(chunk);
  p.feed("\r\n--zz--\r\n");
  p.finish();
  CHECK(leaves == 1);
  CHECK(decoded == chunks * lines_per_chunk * 57);
}

TEST_CASE("StreamParser: a delivery-status part at the part limit is a leaf with its whole body",
          "[mime][stream]") {
  // Found by fuzz/mime_stream_fuzz.cpp: the stream parser reported it as an empty leaf, while
  // Message::parse keeps the body (as for message/rfc822 past the limit).
  const std::string report =
      "Content-Type: multipart/report; boundary=r\n\n--r\nContent-Type: "
      "message/delivery-status\n\nReporting-MTA: dns; a\n\nFinal-Recipient: rfc822; b\n--r--\n";
  ParserOptions options;
  options.max_parts = 2;  // the report and its one part
  const Message m = Message::parse(report, options);
  REQUIRE(m.root().children().size() == 1);
  const Entity& status = m.root().children().front();
  CHECK(status.is_leaf());
  CHECK(status.decoded_body() == "Reporting-MTA: dns; a\n\nFinal-Recipient: rfc822; b");
  CHECK(status.defects() == std::vector<std::string>{"more parts than the limit"});

  std::string body;
  std::vector<bool> leaves;
  std::vector<std::string> defects;
  StreamCallbacks cb;
  cb.on_entity = [&](const StreamEntity& e) { leaves.push_back(e.leaf); };
  cb.on_body = [&](std::string_view d) { body.append(d); };
  cb.on_defect = [&](std::string_view d) { defects.emplace_back(d); };
  StreamParser p(cb, options);
  for (const char c : report)
    p.feed(std::string_view(&c, 1));
  p.finish();
  CHECK(leaves == std::vector<bool>{false, true});
  CHECK(body == status.decoded_body());
  CHECK(defects == std::vector<std::string>{"more parts than the limit"});
}

TEST_CASE("StreamParser: hostile input stays bounded and deterministic",
          "[mime][stream][security]") {
  SECTION("a line without end inside a multipart is passed on, not buffered") {
    std::uint64_t decoded = 0;
    StreamCallbacks cb;
    cb.on_body = [&](std::string_view d) { decoded += d.size(); };
    StreamParser p(cb);
    p.feed("Content-Type: multipart/mixed; boundary=b\n\n--b\n\n");
    const std::string junk(1 << 20, 'x');
    for (int i = 0; i < 64; ++i)
      p.feed(junk);
    p.finish();
    CHECK(decoded == 64u << 20);
  }
  SECTION("100,000 nested multiparts stop at the depth limit") {
    std::string deep;
    for (int i = 0; i < 100000; ++i)
      deep += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" +
              std::to_string(i) + "\n";
    std::size_t defects = 0;
    StreamCallbacks cb;
    cb.on_defect = [&](std::string_view) { ++defects; };
    StreamParser p(cb);
    p.feed(deep);
    p.finish();
    CHECK(defects > 0);
    CHECK(streamed(deep, 4096) == in_memory(deep));
  }
}
