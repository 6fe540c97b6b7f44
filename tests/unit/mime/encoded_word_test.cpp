#include <mailwire/mime/charset.hpp>
#include <mailwire/mime/encoded_word.hpp>

#include <catch2/catch.hpp>

using namespace mailwire::mime;

TEST_CASE("RFC 2047 section 8 examples", "[mime][rfc2047]") {
  CHECK(decode_encoded_words("=?ISO-8859-1?Q?a?=") == "a");
  CHECK(decode_encoded_words("=?ISO-8859-1?Q?a?= b") == "a b");
  CHECK(decode_encoded_words("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=") == "ab");
  CHECK(decode_encoded_words("=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=") == "ab");
  CHECK(decode_encoded_words("=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=") == "ab");
  CHECK(decode_encoded_words("=?ISO-8859-1?Q?a_b?=") == "a b");
  CHECK(decode_encoded_words("=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=") == "a b");
  CHECK(decode_encoded_words("=?US-ASCII?Q?Keith_Moore?=") == "Keith Moore");
  CHECK(decode_encoded_words("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=") ==
        "Keld J\xc3\xb8rn Simonsen");
  CHECK(decode_encoded_words("=?ISO-8859-1?Q?Andr=E9?= Pirard") == "Andr\xc3\xa9 Pirard");
  CHECK(decode_encoded_words("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= "
                             "=?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=") ==
        "If you can read this you understand the example.");
}

TEST_CASE("RFC 2047 leniency real mail needs", "[mime][rfc2047]") {
  // A UTF-8 character split across two words.
  CHECK(decode_encoded_words("=?UTF-8?B?w6k=?= =?UTF-8?B?4oKs?=") == "\xc3\xa9\xe2\x82\xac");
  CHECK(decode_encoded_words("=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?=") == "\xc3\xa9");
  // Glued to text, lower-case encoding, language suffix.
  CHECK(decode_encoded_words("Re:=?utf-8?q?caf=C3=A9?=!") == "Re:caf\xc3\xa9!");
  CHECK(decode_encoded_words("=?utf-8*fr?b?Y2Fmw6k=?=") == "caf\xc3\xa9");
  // Unknown charset: kept, with a defect.
  bool defect = false;
  CHECK(decode_encoded_words("=?x-klingon?Q?abc?=", &defect) == "abc");
  CHECK(defect);
  // Not an encoded word.
  CHECK(decode_encoded_words("=?utf-8?x?abc?=") == "=?utf-8?x?abc?=");
  CHECK(decode_encoded_words("a =? b") == "a =? b");
  // Raw 8-bit bytes: UTF-8, invalid ones replaced.
  CHECK(decode_encoded_words("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(decode_encoded_words("caf\xe9") == "caf\xef\xbf\xbd");
}

TEST_CASE("Charsets: aliases and replacement of invalid bytes", "[mime][charset]") {
  std::string out;
  REQUIRE(to_utf8("iso-8859-1", "\x93quoted\x94", out));
  CHECK(out == "\xe2\x80\x9cquoted\xe2\x80\x9d");  // decoded as windows-1252, as browsers do
  out.clear();
  REQUIRE(to_utf8("koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", out));
  CHECK(out == "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
  out.clear();
  REQUIRE(to_utf8("utf-8", "ok\xff", out));
  CHECK(out == "ok\xef\xbf\xbd");
  out.clear();
  REQUIRE(to_utf8("gb2312", "\xc4\xe3\xba\xc3", out));
  CHECK(out == "\xe4\xbd\xa0\xe5\xa5\xbd");
  out.clear();
  REQUIRE(to_utf8("utf-7", "Hi Mom -+Jjo--!", out));
  CHECK(out == "Hi Mom -\xe2\x98\xba-!");
  out.clear();
  CHECK_FALSE(to_utf8("no-such-charset", "x", out));
  CHECK(is_valid_utf8("\xe2\x82\xac"));
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));  // a surrogate
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong
}

TEST_CASE("Charsets: the output is valid UTF-8 whatever iconv accepts", "[mime][charset]") {
  // Found by fuzz_mime_encoded_word: glibc opens "UTF\x158" as UTF-8 and its decoder let the
  // F7 lead byte through, so the decoded header was not UTF-8.
  std::string out;
  REQUIRE(
      to_utf8("UTF\x15"
              "8",
              "a\xf7\xb8\xb8\xb8z", out));
  CHECK(is_valid_utf8(out));
  CHECK(out.front() == 'a');
  CHECK(out.back() == 'z');
  const std::string header = decode_encoded_words(
      "=?UTF\x15"
      "8?Q?=E2=8\xf7\xb8\xb8\xb8?=");
  CHECK(is_valid_utf8(header));
}

TEST_CASE("RFC 2047 encoding round-trips and respects the word length", "[mime][rfc2047]") {
  const std::string samples[] = {
      "Caf\xc3\xa9 cr\xc3\xa8me",
      "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5\x90\x8d "
      "\xe3\x81\xa8\xe3\x81\x8b\xe3\x81\xaa\xe3\x82\x8a\xe9\x95\xb7\xe3\x81\x84\xe3\x82\x82\xe3"
      "\x81\xae\xe3\x81\xa7\xe3\x81\x99",
      "Invoice =?not a word?= " + std::string(120, 'x') + " \xe2\x82\xac",
  };
  for (const std::string& s : samples) {
    for (const std::string& enc : {encode_header_text(s), encode_phrase(s)}) {
      INFO(enc);
      CHECK(decode_encoded_words(enc) == s);
      for (std::size_t at = 0; at < enc.size();) {
        std::size_t sp = enc.find(' ', at);
        if (sp == std::string::npos) sp = enc.size();
        CHECK(sp - at <= 75);
        at = sp + 1;
      }
    }
  }
  CHECK(encode_header_text("plain subject") == "plain subject");
}

TEST_CASE("Mailsploit: an encoded word that decodes to NUL, CR or LF cannot reach display text",
          "[mime][rfc2047][security]") {
  const std::string fffd = "\xef\xbf\xbd";
  // The Mailsploit From name: NUL and CRLF hidden in an encoded word (Q and B alike).
  bool defect = false;
  CHECK(decode_encoded_words("=?utf-8?Q?potus@whitehouse.gov=00=0D=0ABcc:x@evil.com?=", &defect) ==
        "potus@whitehouse.gov" + fffd + fffd + fffd + "Bcc:x@evil.com");
  CHECK(defect);
  defect = false;
  CHECK(decode_encoded_words("=?utf-8?B?YQBiDQpj?=", &defect) ==
        "a" + fffd + "b" + fffd + fffd + "c");
  CHECK(defect);
  // Every other C0 control and DEL too, whatever the charset that carried them.
  defect = false;
  CHECK(decode_encoded_words("=?iso-8859-1?Q?a=1Bb=7Fc=01?=", &defect) ==
        "a" + fffd + "b" + fffd + "c" + fffd);
  CHECK(defect);
  defect = false;
  CHECK(decode_encoded_words("=?utf-16be?B?AGEAAABi?=", &defect) == "a" + fffd + "b");
  CHECK(defect);
  // A NUL written as is (not encoded) is replaced the same way.
  defect = false;
  CHECK(decode_encoded_words(std::string("x\0y", 3), &defect) == "x" + fffd + "y");
  CHECK(defect);
  // White space is given as written, not re-spaced: a tab stays a tab, and a line break
  // written in the field is folding, removed with the white space after it kept (RFC 5322
  // 2.2.3); neither is a defect.
  defect = false;
  CHECK(decode_encoded_words("=?utf-8?Q?a=09b?=\tc", &defect) == "a\tb\tc");
  CHECK(decode_encoded_words("a\r\n b", &defect) == "a b");
  CHECK(decode_encoded_words("two  spaces\r\n\t a tab fold", &defect) ==
        "two  spaces\t a tab fold");
  CHECK_FALSE(defect);
  // Text without controls is untouched.
  CHECK(decode_encoded_words("=?utf-8?Q?caf=C3=A9_=E2=82=AC?=", &defect) ==
        "caf\xc3\xa9 \xe2\x82\xac");
  CHECK_FALSE(defect);
}
