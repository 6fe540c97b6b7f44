// The session bootstrap's pure parts: the default port table and the STARTTLS rule.

#include "net/session_bootstrap.hpp"

#include <catch2/catch.hpp>

using namespace mailwire;
using namespace mailwire::detail;

TEST_CASE("Default ports: one table for the four protocols", "[net][bootstrap]") {
  CHECK(default_ports(MailProtocol::Smtp).plain == 587);
  CHECK(default_ports(MailProtocol::Smtp).tls == 465);
  CHECK(default_ports(MailProtocol::Lmtp).plain == 24);
  CHECK(default_ports(MailProtocol::Imap).plain == 143);
  CHECK(default_ports(MailProtocol::Imap).tls == 993);
  CHECK(default_ports(MailProtocol::Pop3).plain == 110);
  CHECK(default_ports(MailProtocol::Pop3).tls == 995);
}

TEST_CASE("Endpoints: port 0 is the default port, Auto resolves the same way for all",
          "[net][bootstrap]") {
  struct Row {
    MailProtocol protocol;
    Security security;
    std::uint16_t port;
    std::uint16_t want_port;
    Security want_security;
  };
  const Row rows[] = {
      {MailProtocol::Smtp, Security::Auto, 0, 587, Security::StartTls},
      {MailProtocol::Smtp, Security::Tls, 0, 465, Security::Tls},
      {MailProtocol::Smtp, Security::Auto, 465, 465, Security::Tls},
      {MailProtocol::Smtp, Security::None, 0, 587, Security::None},
      {MailProtocol::Lmtp, Security::Auto, 0, 24, Security::StartTls},
      {MailProtocol::Lmtp, Security::Tls, 0, 24, Security::Tls},
      {MailProtocol::Imap, Security::Auto, 0, 143, Security::StartTls},
      {MailProtocol::Imap, Security::Tls, 0, 993, Security::Tls},
      {MailProtocol::Imap, Security::Auto, 993, 993, Security::Tls},
      {MailProtocol::Imap, Security::StartTlsIfAvailable, 0, 143, Security::StartTlsIfAvailable},
      {MailProtocol::Pop3, Security::Auto, 0, 110, Security::StartTls},
      {MailProtocol::Pop3, Security::Tls, 0, 995, Security::Tls},
      {MailProtocol::Pop3, Security::Auto, 995, 995, Security::Tls},
      {MailProtocol::Pop3, Security::Auto, 2110, 2110, Security::StartTls},
  };
  for (const Row& row : rows) {
    INFO("port " << row.port << ", security " << to_string(row.security));
    const Endpoint e = resolve_endpoint(row.protocol, row.security, row.port);
    CHECK(e.port == row.want_port);
    CHECK(e.security == row.want_security);
  }
  CHECK(security_for_given_transport(Security::Auto) == Security::StartTls);
  CHECK(security_for_given_transport(Security::None) == Security::None);
}

TEST_CASE("STARTTLS decision: one rule for the three clients", "[net][bootstrap][security]") {
  using D = StartTlsDecision;
  using O = StartTlsOffer;
  SECTION("required") {
    CHECK(decide_starttls(Security::StartTls, false, O::Offered, false) == D::Upgrade);
    CHECK(decide_starttls(Security::StartTls, false, O::NotOffered, false) == D::Unavailable);
    CHECK(decide_starttls(Security::StartTls, false, O::Unknown, false) == D::Upgrade);
    CHECK(decide_starttls(Security::StartTls, false, O::Offered, true) == D::Preauth);
  }
  SECTION("if available") {
    CHECK(decide_starttls(Security::StartTlsIfAvailable, false, O::Offered, false) == D::Upgrade);
    CHECK(decide_starttls(Security::StartTlsIfAvailable, false, O::NotOffered, false) == D::None);
    CHECK(decide_starttls(Security::StartTlsIfAvailable, false, O::Unknown, false) == D::None);
    CHECK(decide_starttls(Security::StartTlsIfAvailable, false, O::Offered, true) == D::None);
  }
  SECTION("no STARTTLS wanted, or encrypted already") {
    for (const Security s : {Security::None, Security::Tls}) {
      CHECK(decide_starttls(s, false, O::Offered, false) == D::None);
      CHECK(decide_starttls(s, false, O::NotOffered, true) == D::None);
    }
    CHECK(decide_starttls(Security::StartTls, true, O::NotOffered, false) == D::None);
    CHECK(decide_starttls(Security::StartTls, true, O::Offered, true) == D::None);
  }
}
