#include <mailwire/mime/encoding.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

using namespace mailwire::mime;

namespace {

std::string data(const std::string& name) {
  std::ifstream in(std::string(MAILWIRE_SOURCE_DIR) + "/tests/data/mime/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  REQUIRE_FALSE(s.str().empty());
  return s.str();
}

template <typename Decoder>
std::string decode_in_pieces(std::string_view in, std::size_t piece) {
  Decoder d;
  std::string out;
  for (std::size_t at = 0; at < in.size(); at += piece)
    d.feed(in.substr(at, piece), out);
  d.finish(out);
  return out;
}

}  // namespace

TEST_CASE("base64: RFC 4648 vectors, both ways", "[mime][encoding]") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    CHECK(base64_decode(encoded) == plain);
    CHECK(base64_encode(plain, 0) ==
          (std::string(encoded).empty() ? "" : std::string(encoded) + "\r\n"));
  }
}

TEST_CASE("base64: tolerant of whitespace, junk and missing padding", "[mime][encoding]") {
  CHECK(base64_decode("Zm9v\r\nYmFy\r\n") == "foobar");
  CHECK(base64_decode(" Zm 9v\tYm\nFy ") == "foobar");
  Base64Decoder d;
  std::string out;
  d.feed("Zm9v!!YmFy", out);
  d.finish(out);
  CHECK(out == "foobar");
  CHECK(d.had_junk());
  CHECK(base64_decode("Zm9vYg") == "foob");           // no padding
  CHECK(base64_decode("Zm9vYg==garbage") == "foob");  // after the padding: ignored
}

TEST_CASE("base64: a photo at every chunk size (MimeKit vector)", "[mime][encoding]") {
  const std::string b64 = data("photo.b64");
  const std::string jpg = data("photo.jpg");
  for (const std::size_t piece :
       {std::size_t{1}, std::size_t{3}, std::size_t{77}, std::size_t{4096}, std::size_t{1} << 20}) {
    CHECK(decode_in_pieces<Base64Decoder>(b64, piece) == jpg);
  }
  const std::string encoded = base64_encode(jpg);
  CHECK(base64_decode(encoded) == jpg);
  std::size_t longest = 0;
  for (std::size_t at = 0; at < encoded.size();) {
    const std::size_t nl = encoded.find("\r\n", at);
    longest = std::max(longest, nl - at);
    at = nl + 2;
  }
  CHECK(longest == 76);
}

TEST_CASE("quoted-printable: decoding (MimeKit vector, RFC 2045 rules)", "[mime][encoding]") {
  const std::string qp = data("wikipedia.qp");
  const std::string txt = data("wikipedia.txt");
  for (const std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{5},
                                  std::size_t{64}, std::size_t{100000}}) {
    INFO("piece " << piece);
    const std::string got = decode_in_pieces<QuotedPrintableDecoder>(qp, piece);
    // The vector's line ends may differ (LF vs CRLF); compare without CR.
    std::string a = got, b = txt;
    a.erase(std::remove(a.begin(), a.end(), '\r'), a.end());
    b.erase(std::remove(b.begin(), b.end(), '\r'), b.end());
    CHECK(a == b);
  }
  CHECK(quoted_printable_decode("a=3Db=3db") == "a=b=b");
  CHECK(quoted_printable_decode("soft=\r\nbreak") == "softbreak");
  CHECK(quoted_printable_decode("soft=\nbreak") == "softbreak");
  CHECK(quoted_printable_decode("trailing   \r\nx") == "trailing\r\nx");
  QuotedPrintableDecoder d;
  std::string out;
  d.feed("bad =ZZ escape and =4", out);
  d.finish(out);
  CHECK(out == "bad =ZZ escape and =4");
  CHECK(d.had_bad_escape());
}

TEST_CASE("quoted-printable: encoding round-trips and keeps lines short", "[mime][encoding]") {
  const std::string samples[] = {
      "plain ascii line\r\nsecond line\r\n",
      "caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9\xe2\x80\x94 " + std::string(200, 'x') + "\r\n",
      "trailing space \r\ntrailing tab\t\r\nequals = sign\r\n.dot start\r\nFrom here\r\n",
      "no final newline",
  };
  for (const std::string& s : samples) {
    const std::string enc = quoted_printable_encode(s);
    INFO(enc);
    CHECK(quoted_printable_decode(enc) == s);
    for (std::size_t at = 0; at < enc.size();) {
      const std::size_t nl = enc.find("\r\n", at);
      CHECK(nl - at <= 76);
      CHECK(enc[nl - 1] != ' ');
      CHECK(enc[nl - 1] != '\t');
      at = nl + 2;
    }
  }
  const std::string binary("a\r\nb\0c\xff", 7);
  CHECK(quoted_printable_decode(quoted_printable_encode(binary, true)) == binary);
  CHECK(quoted_printable_encode("LF only\nline\n") == "LF only\r\nline\r\n");
}

TEST_CASE("x-uuencode: a photo (MimeKit vector)", "[mime][encoding]") {
  const std::string uu = data("photo.uu");
  UudecodeDecoder d;
  std::string out;
  std::istringstream lines(uu);
  for (std::string line; std::getline(lines, line);)
    d.feed_line(line, out);
  CHECK(d.finished());
  CHECK(d.file_name() == "photo.jpg");
  CHECK(out == data("photo.jpg"));
}

TEST_CASE("decoders: the checklist's hostile inputs decode tolerantly and in bounds",
          "[mime][encoding][security]") {
  // Case 63 (Mutt CVE-2018-14359): padding alone, extra padding, a 10 kB line; QP with a soft
  // break cut after its CR, and a final '='.
  CHECK(base64_decode("====").empty());
  CHECK(base64_decode("Zm9v====") == "foo");
  std::string bytes;
  for (int i = 0; i < 7500; ++i)
    bytes += static_cast<char>(i * 7);
  const std::string line = base64_encode(bytes, 0);  // one line of 10,000 characters
  CHECK(line.size() >= 10000);
  CHECK(base64_decode(line) == bytes);
  const std::string cut = quoted_printable_decode("a=\r");
  CHECK(cut.rfind('a', 0) == 0);
  CHECK(cut.size() <= 3);
  const std::string last = quoted_printable_decode("abc=");
  CHECK(last.rfind("abc", 0) == 0);
  CHECK(last.size() <= 4);
}
