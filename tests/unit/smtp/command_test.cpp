// smtp::Command: every command's exact bytes, and every refusal leaves no line behind.

#include "smtp/command.hpp"

#include <mailwire/error.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace mailwire;
using namespace mailwire::smtp;

namespace {

// A refused command: Errc::usage, a message, and nothing to send or log.
void check_refused(const Command& c) {
  CHECK(c.error() == make_error_code(Errc::usage));
  CHECK_FALSE(c.error_message().empty());
  CHECK(c.line().empty());
  CHECK(c.log_line().empty());
}

// Hostile and malformed values every string argument must refuse.
const std::string hostile[] = {
    "a@example.com\r\nRSET", "a@example.com\nRSET", "a@exam\rple.com", std::string("a\0b@x.com", 9),
    "a b@example.com",       "<a@example.com",      "a@example.com>",
};

}  // namespace

TEST_CASE("SMTP command: greetings name the client", "[smtp][command]") {
  CHECK(Command::ehlo("client.example").line() == "EHLO client.example\r\n");
  CHECK(Command::lhlo("client.example").line() == "LHLO client.example\r\n");
  CHECK(Command::helo("[192.0.2.1]").line() == "HELO [192.0.2.1]\r\n");
  CHECK(Command::ehlo("client.example").log_line() == "EHLO client.example\r\n");
  CHECK(Command::ehlo("client.example").text() == "EHLO client.example");
  CHECK_FALSE(Command::ehlo("client.example").error());
}

TEST_CASE("SMTP command: a greeting name that is empty, spaced, controlled or long is refused",
          "[smtp][command]") {
  check_refused(Command::ehlo(""));
  check_refused(Command::ehlo("client example"));
  check_refused(Command::ehlo("x\r\nMAIL FROM:<>"));
  check_refused(Command::ehlo(std::string("a\0b", 3)));
  check_refused(Command::helo("client\texample"));
  check_refused(Command::lhlo(std::string(256, 'a')));
  CHECK_FALSE(Command::ehlo(std::string(255, 'a')).error());
  check_refused(Command::ehlo("caf\xc3\xa9.example"));
}

TEST_CASE("SMTP command: MAIL FROM with every parameter", "[smtp][command]") {
  CHECK(Command::mail_from("a@example.org").line() == "MAIL FROM:<a@example.org>\r\n");
  CHECK(Command::mail_from("").line() == "MAIL FROM:<>\r\n");
  MailParameters p;
  p.size = 1234;
  p.body = BodyParameter::eight_bit;
  p.smtputf8 = true;
  p.ret = "HDRS";
  p.envid = "id+1=x";
  CHECK(Command::mail_from("j\xc3\xb6rg@example.org", p).line() ==
        "MAIL FROM:<j\xc3\xb6rg@example.org> SIZE=1234 BODY=8BITMIME SMTPUTF8 RET=HDRS "
        "ENVID=id+2B1+3Dx\r\n");
  MailParameters binary;
  binary.body = BodyParameter::binary_mime;
  binary.ret = "full";
  CHECK(Command::mail_from("a@example.org", binary).text() ==
        "MAIL FROM:<a@example.org> BODY=BINARYMIME RET=full");
  MailParameters zero;
  zero.size = 0;
  CHECK(Command::mail_from("a@example.org", zero).line() == "MAIL FROM:<a@example.org> SIZE=0\r\n");
}

TEST_CASE("SMTP command: MAIL FROM refuses a bad address or DSN parameter", "[smtp][command]") {
  for (const std::string& bad : hostile)
    check_refused(Command::mail_from(bad));
  check_refused(Command::mail_from(std::string(600, 'a') + "@example.org"));
  check_refused(Command::mail_from("@example.org"));
  check_refused(Command::mail_from("user@"));
  check_refused(Command::mail_from("nodomain"));
  CHECK_THAT(Command::mail_from("a b@example.org").error_message(),
             Catch::Equals("smtp: invalid sender address 'a b@example.org'"));
  MailParameters p;
  p.ret = "SOME";
  check_refused(Command::mail_from("a@example.org", p));
  p.ret = "FULL\r\nRSET";
  check_refused(Command::mail_from("a@example.org", p));
  p.ret = {};
  p.envid = "with space";
  check_refused(Command::mail_from("a@example.org", p));
  p.envid = "id\r\nRSET";
  check_refused(Command::mail_from("a@example.org", p));
  const std::string long_id(101, 'x');
  p.envid = long_id;
  check_refused(Command::mail_from("a@example.org", p));
  const std::string just_right(100, 'x');
  p.envid = just_right;
  CHECK_FALSE(Command::mail_from("a@example.org", p).error());
}

TEST_CASE("SMTP command: RCPT TO with NOTIFY and ORCPT", "[smtp][command]") {
  CHECK(Command::rcpt_to("a@example.com").line() == "RCPT TO:<a@example.com>\r\n");
  CHECK(Command::rcpt_to("Postmaster").line() == "RCPT TO:<Postmaster>\r\n");
  RcptParameters p;
  p.notify = "FAILURE,DELAY";
  p.orcpt = "a+b=c@example.com";
  CHECK(Command::rcpt_to("a+b=c@example.com", p).line() ==
        "RCPT TO:<a+b=c@example.com> NOTIFY=FAILURE,DELAY ORCPT=rfc822;a+2Bb+3Dc@example.com\r\n");
  RcptParameters never;
  never.notify = "never";
  CHECK(Command::rcpt_to("a@example.com", never).line() ==
        "RCPT TO:<a@example.com> NOTIFY=never\r\n");
}

TEST_CASE("SMTP command: RCPT TO refuses a bad address or DSN parameter", "[smtp][command]") {
  for (const std::string& bad : hostile)
    check_refused(Command::rcpt_to(bad));
  check_refused(Command::rcpt_to(""));
  check_refused(Command::rcpt_to(std::string(513, 'a')));
  CHECK_THAT(Command::rcpt_to("a@example.com>\r\nRCPT TO:<evil@example.com").error_message(),
             Catch::StartsWith("smtp: invalid recipient address 'a@example.com>"));
  for (const char* notify :
       {"SOMETIMES", "SUCCESS,", ",FAILURE", "NEVER,DELAY", "SUCCESS FAILURE", "DELAY\r\nRSET"}) {
    RcptParameters p;
    p.notify = notify;
    check_refused(Command::rcpt_to("a@example.com", p));
  }
  RcptParameters utf8;
  utf8.orcpt = "j\xc3\xb6rg@example.com";
  check_refused(Command::rcpt_to("a@example.com", utf8));
  RcptParameters broken;
  broken.orcpt = "a@example.com\r\n";
  check_refused(Command::rcpt_to("a@example.com", broken));
}

TEST_CASE("SMTP command: the verbs without arguments, and BDAT", "[smtp][command]") {
  CHECK(Command::data().line() == "DATA\r\n");
  CHECK(Command::rset().line() == "RSET\r\n");
  CHECK(Command::noop().line() == "NOOP\r\n");
  CHECK(Command::quit().line() == "QUIT\r\n");
  CHECK(Command::starttls().line() == "STARTTLS\r\n");
  CHECK(Command::bdat(4, false).line() == "BDAT 4\r\n");
  CHECK(Command::bdat(0, true).line() == "BDAT 0 LAST\r\n");
  CHECK(Command::bdat(18446744073709551615ULL, true).line() ==
        "BDAT 18446744073709551615 LAST\r\n");
}

TEST_CASE("SMTP command: the first refusal sticks", "[smtp][command]") {
  MailParameters p;
  p.ret = "SOME";
  p.envid = "bad id";
  const Command c = Command::mail_from("bad address", p);
  CHECK_THAT(c.error_message(), Catch::Contains("sender address"));
  const Command d = Command::mail_from("a@example.org", p);
  CHECK_THAT(d.error_message(), Catch::Contains("RET"));
}

TEST_CASE("SMTP command: a quoted local part cannot carry CR, LF, NUL or DEL", "[smtp][command]") {
  // Case 23 (MimeKit GHSA-g7hc-96xr-gvvx): RFC 5321 qtextSMTP has no controls, quotes or not.
  const std::string quoted[] = {"\"a\r\nRSET\"@example.com", "\"a\nRSET\"@example.com",
                                "\"a\rb\"@example.com", std::string("\"a\0b\"@example.com", 17),
                                "\"a\x7f\"@example.com"};
  for (const std::string& bad : quoted) {
    check_refused(Command::mail_from(bad));
    check_refused(Command::rcpt_to(bad));
  }
}
