// SmtpClient against a real Exim 4.96 (scripts/interopstack.sh): submission with STARTTLS and
// AUTH only after it, implicit TLS, every SASL mechanism Exim offers, an attachment delivered
// byte-identical.

#include "support/interop_stack.hpp"

#include <mailwire/error.hpp>
#include <mailwire/mime/builder.hpp>
#include <mailwire/smtp_client.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace mailwire;
using namespace mailwire::test;

namespace {

SmtpOptions smtp_options(const InteropStack& stack) {
  SmtpOptions options;
  options.tls.ca_file = stack.ca_file;
  options.helo_name = "client.example";
  return options;
}

SaslCredentials alice() {
  SaslCredentials c;
  c.user = "alice";
  c.password = InteropStack::password("alice");
  return c;
}

SmtpEnvelope to_bob() {
  SmtpEnvelope e;
  e.sender = "alice@example.test";
  e.recipients = {"bob@example.test"};
  return e;
}

}  // namespace

TEST_CASE("Exim submission: STARTTLS, AUTH only after it, every mechanism it offers",
          "[smtp][exim][interop]") {
  MAILWIRE_REQUIRE_INTEROP(stack);
  stack->exim_clear("bob");
  std::size_t sent = 0;
  for (const char* mechanism : {"PLAIN", "LOGIN", "CRAM-MD5"}) {
    INFO(mechanism);
    SmtpClient client(smtp_options(*stack));
    client.connect("localhost", stack->exim_submission_port);
    CHECK(client.is_encrypted());
    CHECK(client.tls_info()->verified);
    client.authenticate(alice(), mechanism);
    client.send(to_bob(), std::string("Subject: ") + mechanism + "\r\n\r\nx\r\n");
    client.quit();
    ++sent;
  }
  {
    // Unforced: PLAIN over TLS beats CRAM-MD5; SCRAM-PLUS is not offered, nothing breaks.
    SmtpClient client(smtp_options(*stack));
    client.connect("localhost", stack->exim_submission_port);
    client.authenticate(alice());
    client.send(to_bob(), "Subject: unforced\r\n\r\nx\r\n");
    client.quit();
    ++sent;
  }
  {
    SmtpClient client(smtp_options(*stack));
    client.connect("localhost", stack->exim_submission_port);
    SaslCredentials wrong = alice();
    wrong.password = "wrong";
    try {
      client.authenticate(wrong, "PLAIN");
      FAIL("authenticated with a wrong password");
    } catch (const Error& e) {
      CHECK(e.kind() == Errc::auth);
    }
    // A mechanism Exim does not offer, forced: refused before anything is sent.
    try {
      client.authenticate(alice(), "SCRAM-SHA-256");
      FAIL("authenticated with a mechanism the server lacks");
    } catch (const Error& e) {
      CHECK(e.kind() == Errc::auth);
      CHECK(e.reason() == Reason::no_common_mechanism);
    }
  }
  CHECK(stack->exim_wait_for("bob", sent) == sent);
}

TEST_CASE("Exim: implicit TLS, an attachment arrives byte-identical", "[smtp][exim][interop]") {
  MAILWIRE_REQUIRE_INTEROP(stack);
  stack->exim_clear("bob");
  std::string pdf = "%PDF-1.4\n";
  for (int i = 0; i < 400000; ++i)
    pdf += static_cast<char>(i * 13 % 256);
  mime::MessageBuilder b;
  b.from("alice@example.test")
      .to("bob@example.test")
      .subject("Exim attachment")
      .text("see attached\n.\n..\n")
      .attach("report.pdf", pdf, "application/pdf");
  const std::string message = b.to_string();

  SmtpOptions options = smtp_options(*stack);
  options.security = Security::Tls;
  SmtpClient client(options);
  client.connect("localhost", stack->exim_submissions_port);
  CHECK(client.tls_info()->verified);
  client.authenticate(alice());
  client.send(to_bob(), message);
  client.quit();
  REQUIRE(stack->exim_wait_for("bob", 1) == 1);
  // Exim puts its Received header in front; the rest is what was sent, dots unstuffed.
  const std::string delivered = stack->exim_text("bob");
  REQUIRE(delivered.size() >= message.size());
  CHECK(delivered.compare(delivered.size() - message.size(), message.size(), message) == 0);
}
