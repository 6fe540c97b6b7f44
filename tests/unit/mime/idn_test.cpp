#include <mailwire/mime/address.hpp>
#include <mailwire/mime/idn.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

using namespace mailwire::mime;

namespace {

std::string utf8(std::u32string_view points) {
  std::string out;
  for (const char32_t c : points) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

struct Sample {
  const char* name;
  std::u32string unicode;
  std::string punycode;
};

// RFC 3492 section 7.1, code points and encodings as printed there (the upper-case letters of
// the encodings are the basic code points, which Punycode copies as they are).
const std::vector<Sample>& rfc3492_samples() {
  static const std::vector<Sample> samples = {
      {"(A) Arabic (Egyptian)",
       U"\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631"
       U"\u0628\u064A\u061F",
       "egbpdaj6bu4bxfgehfvwxn"},
      {"(B) Chinese (simplified)", U"\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587",
       "ihqwcrb4cv8a8dqg056pqjye"},
      {"(C) Chinese (traditional)", U"\u4ED6\u5011\u7232\u4EC0\u9EBD\u4E0D\u8AAA\u4E2D\u6587",
       "ihqwctvzc91f659drss3x8bo0yb"},
      {"(D) Czech", U"Pro\u010Dprost\u011Bnemluv\u00ED\u010Desky",
       "Proprostnemluvesky-uyb24dma41a"},
      {"(E) Hebrew",
       U"\u05DC\u05DE\u05D4\u05D4\u05DD\u05E4\u05E9\u05D5\u05D8\u05DC\u05D0\u05DE\u05D3\u05D1"
       U"\u05E8\u05D9\u05DD\u05E2\u05D1\u05E8\u05D9\u05EA",
       "4dbcagdahymbxekheh6e0a7fei0b"},
      {"(F) Hindi (Devanagari)",
       U"\u092F\u0939\u0932\u094B\u0917\u0939\u093F\u0928\u094D\u0926\u0940\u0915\u094D\u092F"
       U"\u094B\u0902\u0928\u0939\u0940\u0902\u092C\u094B\u0932\u0938\u0915\u0924\u0947\u0939"
       U"\u0948\u0902",
       "i1baa7eci9glrd9b2ae1bj0hfcgg6iyaf8o0a1dig0cd"},
      {"(G) Japanese (kanji and hiragana)",
       U"\u306A\u305C\u307F\u3093\u306A\u65E5\u672C\u8A9E\u3092\u8A71\u3057\u3066\u304F\u308C"
       U"\u306A\u3044\u306E\u304B",
       "n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa"},
      {"(H) Korean (Hangul syllables)",
       U"\uC138\uACC4\uC758\uBAA8\uB4E0\uC0AC\uB78C\uB4E4\uC774\uD55C\uAD6D\uC5B4\uB97C\uC774"
       U"\uD574\uD55C\uB2E4\uBA74\uC5BC\uB9C8\uB098\uC88B\uC744\uAE4C",
       "989aomsvi5e83db1d2a355cv1e0vak1dwrv93d5xbh15a0dt30a5jpsd879ccm6fea98c"},
      {"(I) Russian (Cyrillic)",
       U"\u043F\u043E\u0447\u0435\u043C\u0443\u0436\u0435\u043E\u043D\u0438\u043D\u0435\u0433"
       U"\u043E\u0432\u043E\u0440\u044F\u0442\u043F\u043E\u0440\u0443\u0441\u0441\u043A\u0438",
       "b1abfaaepdrnnbgefbadotcwatmq2g4l"},
      {"(J) Spanish", U"Porqu\u00E9nopuedensimplementehablarenEspa\u00F1ol",
       "PorqunopuedensimplementehablarenEspaol-fmd56a"},
      {"(K) Vietnamese", U"T\u1EA1isaoh\u1ECDkh\u00F4ngth\u1EC3ch\u1EC9n\u00F3iti\u1EBFngVi\u1EC7t",
       "TisaohkhngthchnitingVit-kjcr8268qyxafd2f1b9g"},
      {"(L) 3<nen>B<gumi><kinpachi><sensei>", U"3\u5E74B\u7D44\u91D1\u516B\u5148\u751F",
       "3B-ww4c5e180e575a65lsy2b"},
      {"(M) <amuro><namie>-with-SUPER-MONKEYS",
       U"\u5B89\u5BA4\u5948\u7F8E\u6075-with-SUPER-MONKEYS",
       "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"},
      {"(N) Hello-Another-Way-<sorezore><no><basho>",
       U"Hello-Another-Way-\u305D\u308C\u305E\u308C\u306E\u5834\u6240",
       "Hello-Another-Way--fc4qua05auwb3674vfr0b"},
      {"(O) <hitotsu><yane><no><shita>2",
       U"\u3072\u3068\u3064\u5C4B\u6839\u306E\u4E0B"
       U"2",
       "2-u9tlzr9756bt3uc0v"},
      {"(P) Maji<de>Koi<suru>5<byou><mae>",
       U"Maji\u3067Koi\u3059\u308B"
       U"5\u79D2\u524D",
       "MajiKoi5-783gue6qz075azm5e"},
      {"(Q) <pafii>de<runba>",
       U"\u30D1\u30D5\u30A3\u30FC"
       U"de\u30EB\u30F3\u30D0",
       "de-jg4avhby1noc0d"},
      {"(R) <sono><supiido><de>", U"\u305D\u306E\u30B9\u30D4\u30FC\u30C9\u3067", "d9juau41awczczp"},
      {"(S) -> $1.00 <-", U"-> $1.00 <-", "-> $1.00 <--"},
  };
  return samples;
}

}  // namespace

TEST_CASE("Punycode: the samples of RFC 3492 section 7.1", "[mime][idn]") {
  for (const Sample& s : rfc3492_samples()) {
    INFO(s.name);
    CHECK(punycode_encode(s.unicode) == s.punycode);
    CHECK(punycode_decode(s.punycode) == utf8(s.unicode));
    // Digits are case-insensitive; basic code points keep the case they are written in.
    CHECK(punycode_decode(lower(s.punycode)) == lower(utf8(s.unicode)));
  }
}

TEST_CASE("Punycode: edge cases of the algorithm", "[mime][idn]") {
  CHECK(punycode_encode(U"") == "");
  CHECK(punycode_decode("") == "");
  CHECK(punycode_encode(U"abc") == "abc-");  // all basic: a trailing delimiter
  CHECK(punycode_decode("abc-") == "abc");
  CHECK(punycode_encode(U"\u00FC") == "tda");
  CHECK(punycode_decode("tda") == "\xC3\xBC");
  CHECK(punycode_decode("TDA") == "\xC3\xBC");
  CHECK(punycode_encode(U"b\u00FCcher") == "bcher-kva");
  CHECK(punycode_encode(U"\U0001F600") == "e28h");  // outside the BMP
  CHECK(punycode_decode("e28h") == "\xF0\x9F\x98\x80");
  CHECK(punycode_encode(U"\U0010FFFF") == "dn32g");  // the last code point
  CHECK(punycode_decode("dn32g") == "\xF4\x8F\xBF\xBF");
}

TEST_CASE("Punycode: hostile input fails cleanly", "[mime][idn]") {
  // Not Unicode scalar values.
  CHECK_FALSE(punycode_encode(std::u32string(1, char32_t{0xD800})));
  CHECK_FALSE(punycode_encode(std::u32string(1, char32_t{0x110000})));
  CHECK_FALSE(punycode_encode(std::u32string(1, char32_t{0xFFFFFFFF})));
  // Long runs of 'z' are many small deltas (z is below the largest threshold), not a giant
  // one: they decode (as CPython's codec agrees). A run of '9' never ends its integer and
  // overflows 32 bits.
  CHECK(punycode_decode("zzzzzzzzzzzzz") ==
        "\xE8\xA1\x9E\xE9\xB3\xA5\xE7\xAE\xA5\xE7\xB3\xAA\xE7\xB8\x96");
  CHECK_FALSE(punycode_decode("zzzzzz"));
  CHECK_FALSE(punycode_decode("99999999999"));
  CHECK_FALSE(punycode_decode("a-" + std::string(60, '9')));
  CHECK_FALSE(punycode_decode(std::string(200, 'z')));
  // Deltas that land above U+10FFFF or on a surrogate; U+0080 is fine.
  CHECK_FALSE(punycode_decode("en32g"));
  CHECK_FALSE(punycode_decode("ib9b"));
  CHECK(punycode_decode("dn32g") == "\xF4\x8F\xBF\xBF");
  CHECK(punycode_decode("a-ba") == "a\xC2\x80");
  // Truncated: the last digit says more follow.
  CHECK_FALSE(punycode_decode("bcher-kv"));
  CHECK_FALSE(punycode_decode("z"));
  // Not a digit, not ASCII.
  CHECK_FALSE(punycode_decode("bcher-k=a"));
  CHECK_FALSE(
      punycode_decode("b\xC3\xBC"
                      "cher-kva"));
  CHECK_FALSE(punycode_decode("bcher-kv\xC3\xA4"));
  CHECK_FALSE(punycode_decode("-abc"));  // a delimiter first is not a basic part
  // Too long.
  CHECK_FALSE(punycode_decode(std::string(1000, 'a')));
  CHECK_FALSE(punycode_decode("xn--" + std::string(1000, 'z')));
  CHECK_FALSE(punycode_encode(std::u32string(max_punycode_length + 1, U'\u00E9')));
  CHECK_FALSE(punycode_encode(std::u32string(max_punycode_length + 1, U'a')));
  CHECK(punycode_encode(std::u32string(max_punycode_length - 1, U'a')));
}

TEST_CASE("IDN: domains to their ASCII form", "[mime][idn]") {
  CHECK(domain_to_ascii("b\xC3\xBC"
                        "cher.example") == "xn--bcher-kva.example");
  CHECK(domain_to_ascii("m\xC3\xBC"
                        "nchen.de") == "xn--mnchen-3ya.de");
  CHECK(domain_to_ascii("M\xC3\xBC"
                        "nchen.DE") == "xn--mnchen-3ya.de");  // ASCII lower-cased
  CHECK(domain_to_ascii("Example.COM") == "example.com");
  CHECK(domain_to_ascii("xn--bcher-kva.example") == "xn--bcher-kva.example");
  CHECK(domain_to_ascii("\xF0\x9F\x98\x80.example") == "xn--e28h.example");
  // Ideographic full stop, fullwidth full stop, halfwidth ideographic full stop.
  CHECK(domain_to_ascii("b\xC3\xBC"
                        "cher\xE3\x80\x82"
                        "example") == "xn--bcher-kva.example");
  CHECK(domain_to_ascii("b\xC3\xBC"
                        "cher\xEF\xBC\x8E"
                        "example") == "xn--bcher-kva.example");
  CHECK(domain_to_ascii("b\xC3\xBC"
                        "cher\xEF\xBD\xA1"
                        "example") == "xn--bcher-kva.example");
  // The sample labels of RFC 3492 as domains, lower-cased.
  for (const Sample& s : rfc3492_samples()) {
    INFO(s.name);
    const std::string label = lower(utf8(s.unicode));
    const auto ascii = domain_to_ascii(label + ".example");
    if (s.punycode.size() + 4 > max_label_octets) {
      CHECK_FALSE(ascii);  // (H) Korean: 73 octets as an A-label
      continue;
    }
    bool all_ascii = true;
    for (const char32_t c : s.unicode)
      all_ascii = all_ascii && c < 0x80;
    if (all_ascii || label.find(' ') != std::string::npos) continue;  // (S) has spaces
    CHECK(ascii == "xn--" + lower(s.punycode) + ".example");
    REQUIRE(ascii);
    CHECK(domain_to_unicode(*ascii) == label + ".example");
  }
}

TEST_CASE("IDN: domains that have no ASCII form", "[mime][idn]") {
  CHECK_FALSE(domain_to_ascii(""));
  CHECK_FALSE(domain_to_ascii("."));
  CHECK_FALSE(domain_to_ascii("a..b"));
  CHECK_FALSE(domain_to_ascii(".example"));
  CHECK_FALSE(domain_to_ascii("example."));
  CHECK_FALSE(
      domain_to_ascii("b\xC3\xBC"
                      "cher\xE3\x80\x82"));  // empty after U+3002
  CHECK_FALSE(domain_to_ascii("a b.example"));
  CHECK_FALSE(domain_to_ascii("a\r\nb.example"));
  CHECK_FALSE(domain_to_ascii(std::string("a\0b.example", 11)));
  // Invalid UTF-8: a lone continuation byte, a truncated sequence, an overlong '/', a
  // surrogate, a code point above U+10FFFF, Latin-1.
  CHECK_FALSE(domain_to_ascii("\x80.example"));
  CHECK_FALSE(domain_to_ascii("b\xC3"));
  CHECK_FALSE(domain_to_ascii("\xC0\xAF.example"));
  CHECK_FALSE(domain_to_ascii("\xED\xA0\x80.example"));
  CHECK_FALSE(domain_to_ascii("\xF4\x90\x80\x80.example"));
  CHECK_FALSE(domain_to_ascii("m\xFCnchen.de"));
  // Hyphens of a U-label (RFC 5891 4.2.3.1).
  CHECK_FALSE(
      domain_to_ascii("-b\xC3\xBC"
                      "cher.example"));
  CHECK_FALSE(
      domain_to_ascii("b\xC3\xBC"
                      "cher-.example"));
  CHECK_FALSE(
      domain_to_ascii("xn--b\xC3\xBC"
                      "cher.example"));
  // Lengths: 63 octets per label, 253 for the domain.
  const std::string label63(63, 'a');
  CHECK(domain_to_ascii(label63 + ".example") == label63 + ".example");
  CHECK_FALSE(domain_to_ascii(label63 + "a.example"));
  std::string long_u_label;  // 60 x U+00E9: over 63 octets as an A-label
  for (int i = 0; i < 60; ++i)
    long_u_label += "\xC3\xA9";
  CHECK_FALSE(domain_to_ascii(long_u_label + ".example"));
  std::string domain253;
  while (domain253.size() < 253 - 62)
    domain253 += std::string(61, 'a') + ".";
  domain253 += std::string(253 - domain253.size(), 'b');
  REQUIRE(domain253.size() == 253);
  CHECK(domain_to_ascii(domain253) == domain253);
  CHECK_FALSE(domain_to_ascii(domain253 + "b"));
  CHECK_FALSE(domain_to_ascii(domain253.substr(0, 248) + "\xC3\xA9"));  // "xn--9ca": 255
}

TEST_CASE("IDN: domains for display", "[mime][idn]") {
  CHECK(domain_to_unicode("xn--bcher-kva.example") ==
        "b\xC3\xBC"
        "cher.example");
  CHECK(domain_to_unicode("XN--BCHER-KVA.EXAMPLE") ==
        "b\xC3\xBC"
        "cher.EXAMPLE");
  CHECK(domain_to_unicode("Xn--Bcher-Kva.example") ==
        "b\xC3\xBC"
        "cher.example");
  CHECK(domain_to_unicode("xn--mnchen-3ya.de") ==
        "m\xC3\xBC"
        "nchen.de");
  CHECK(domain_to_unicode("www.example.com") == "www.example.com");
  CHECK(domain_to_unicode("") == "");
  CHECK(domain_to_unicode("example.com.") == "example.com.");
  CHECK(domain_to_unicode("a..xn--tda") == "a..\xC3\xBC");
  // Labels that fail stay as written.
  CHECK(domain_to_unicode("xn--.example") == "xn--.example");
  CHECK(domain_to_unicode("xn--zzzzzz.example") == "xn--zzzzzz.example");
  CHECK(domain_to_unicode("xn--en32g.example") == "xn--en32g.example");
  CHECK(domain_to_unicode("xn--bcher-kv.example") == "xn--bcher-kv.example");
  CHECK(domain_to_unicode("xn--abc-.example") == "xn--abc-.example");  // decodes to ASCII
  const std::string giant = "xn--" + std::string(1000, 'z');
  CHECK(domain_to_unicode(giant + ".example") == giant + ".example");
  CHECK(domain_to_unicode("xn--b\xC3\xBC"
                          "cher-kva.x") ==
        "xn--b\xC3\xBC"
        "cher-kva.x");
  CHECK(domain_to_unicode("xn--ls8h.la") == "\xF0\x9F\x92\xA9.la");
  // A label that would decode to a dot-like separator or a control character.
  const auto ideographic_stop = punycode_encode(U"a\u3002b");
  REQUIRE(ideographic_stop);
  CHECK(domain_to_unicode("xn--" + *ideographic_stop) == "xn--" + *ideographic_stop);
  CHECK(domain_to_unicode("xn--a-ba.example") == "xn--a-ba.example");  // "a" U+0080
  // A U-label must follow the rules domain_to_ascii() applies: no space, hyphens in place.
  for (const std::u32string& u : {std::u32string(U"a \u00E9"), std::u32string(U"-\u00E9"),
                                  std::u32string(U"\u00E9-"), std::u32string(U"ab--\u00E9")}) {
    const std::string a_label = "xn--" + punycode_encode(u).value();
    CHECK(domain_to_unicode(a_label) == a_label);
  }
}

TEST_CASE("IDN: random labels round trip", "[mime][idn]") {
  std::mt19937 random(20260424);
  // Ranges to draw from: ASCII letters and digits, Latin-1 and Latin Extended letters,
  // Cyrillic, Devanagari, CJK, Hangul, and emoji outside the BMP.
  const std::vector<std::pair<char32_t, char32_t>> ranges = {
      {U'a', U'z'},     {U'0', U'9'},     {0x00E0, 0x00FF}, {0x0100, 0x017F},   {0x0430, 0x044F},
      {0x0900, 0x097F}, {0x4E00, 0x9FFF}, {0xAC00, 0xD7A3}, {0x1F300, 0x1F64F}, {0x20000, 0x2A6DF},
  };
  std::uniform_int_distribution<std::size_t> pick(0, ranges.size() - 1);
  std::uniform_int_distribution<std::size_t> length(1, 20);
  int converted = 0;
  for (int round = 0; round < 2000; ++round) {
    std::u32string label;
    const std::size_t n = length(random);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& [low, high] = ranges[pick(random)];
      label +=
          static_cast<char32_t>(std::uniform_int_distribution<std::uint32_t>(low, high)(random));
    }
    INFO("round " << round << ": " << utf8(label));
    const auto encoded = punycode_encode(label);
    REQUIRE(encoded);
    CHECK(punycode_decode(*encoded) == utf8(label));
    const auto ascii = domain_to_ascii(utf8(label) + ".example");
    bool all_ascii = true;
    for (const char32_t c : label)
      all_ascii = all_ascii && c < 0x80;
    if (all_ascii) {
      CHECK(ascii == utf8(label) + ".example");
    } else if (encoded->size() + 4 <= max_label_octets) {
      REQUIRE(ascii);
      CHECK(*ascii == "xn--" + *encoded + ".example");
      CHECK(domain_to_unicode(*ascii) == utf8(label) + ".example");
      ++converted;
    } else {
      CHECK_FALSE(ascii);
    }
  }
  CHECK(converted > 1000);
}

TEST_CASE("IDN: mailbox helpers", "[mime][idn][address]") {
  const auto m = parse_mailbox(
      "J\xC3\xB6rg <j\xC3\xB6rg@B\xC3\xBC"
      "cher.example>");
  REQUIRE(m);
  CHECK(m->domain ==
        "B\xC3\xBC"
        "cher.example");  // parsing unchanged
  CHECK(m->address() ==
        "j\xC3\xB6rg@B\xC3\xBC"
        "cher.example");
  CHECK(m->domain_ascii() == "xn--bcher-kva.example");
  CHECK(m->address_ascii() == "j\xC3\xB6rg@xn--bcher-kva.example");  // local part stays
  const auto a = parse_mailbox("info@xn--mnchen-3ya.de");
  REQUIRE(a);
  CHECK(a->address_unicode() ==
        "info@m\xC3\xBC"
        "nchen.de");
  CHECK(a->address_ascii() == "info@xn--mnchen-3ya.de");
  const auto literal = parse_mailbox("postmaster@[192.0.2.1]");
  REQUIRE(literal);
  CHECK(literal->domain_ascii() == "[192.0.2.1]");
  CHECK(literal->address_ascii() == "postmaster@[192.0.2.1]");
  CHECK(literal->address_unicode() == "postmaster@[192.0.2.1]");
  Mailbox bad;
  bad.local = "x";
  bad.domain = "a..b";
  CHECK(bad.domain_ascii() == "a..b");  // no ASCII form: as written
  Mailbox local_only;
  local_only.local = "postmaster";
  CHECK(local_only.address_ascii() == "postmaster");
  CHECK(local_only.address_unicode() == "postmaster");
}
