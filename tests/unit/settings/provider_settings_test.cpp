#include <mailwire/discovery.hpp>
#include <mailwire/error.hpp>
#include <mailwire/provider_settings.hpp>

#include <catch2/catch.hpp>

#include <map>

using namespace mailwire;

TEST_CASE("Provider presets by id and by address", "[settings]") {
  const auto gmail = ProviderSettings::by_id("Gmail");
  REQUIRE(gmail);
  CHECK(gmail->smtp.host == "smtp.gmail.com");
  CHECK(gmail->smtp.port == 465);
  CHECK(gmail->smtp.security == Security::Tls);
  CHECK(gmail->imap.port == 993);
  REQUIRE(gmail->pop3);
  CHECK(gmail->pop3->port == 995);
  CHECK(gmail->auth == AuthRecommendation::OAuth2);

  const auto m365 = ProviderSettings::for_address("Someone@Hotmail.com");
  REQUIRE(m365);
  CHECK(m365->id == "microsoft365");
  CHECK(m365->smtp.port == 587);
  CHECK(m365->smtp.security == Security::StartTls);
  CHECK(std::string(to_string(m365->auth)) == "oauth2");
  CHECK(ProviderSettings::by_id("outlook")->id == "microsoft365");

  const auto icloud = ProviderSettings::for_address("me.com");
  REQUIRE(icloud);
  CHECK_FALSE(icloud->pop3);

  CHECK_FALSE(ProviderSettings::for_address("someone@example.org"));
  CHECK_FALSE(ProviderSettings::by_id("nope"));
  for (const ProviderSettings& p : ProviderSettings::all()) {
    INFO(p.id);
    // Every preset is encrypted: implicit TLS, or STARTTLS that is required.
    for (const ServerEndpoint& e : {p.smtp, p.imap}) {
      CHECK((e.security == Security::Tls || e.security == Security::StartTls));
      CHECK(e.port != 0);
    }
  }
}

namespace {

class FakeResolver final : public SrvResolver {
 public:
  std::map<std::string, std::vector<SrvRecord>> records;
  std::vector<std::string> asked;
  std::vector<SrvRecord> lookup(const std::string& name) override {
    asked.push_back(name);
    const auto it = records.find(name);
    return it == records.end() ? std::vector<SrvRecord>{} : it->second;
  }
};

}  // namespace

TEST_CASE("RFC 6186 discovery prefers implicit TLS, then priority and weight", "[settings]") {
  FakeResolver dns;
  dns.records["_submission._tcp.example.org"] = {{10, 0, 587, "mail.example.org."}};
  dns.records["_imap._tcp.example.org"] = {{0, 0, 143, "imap.example.org."}};
  dns.records["_imaps._tcp.example.org"] = {{20, 1, 993, "backup.example.org."},
                                            {10, 5, 993, "low.example.org."},
                                            {10, 60, 993, "heavy.example.org."}};
  dns.records["_pop3s._tcp.example.org"] = {{0, 0, 0, "."}};  // explicitly not offered
  const DiscoveredSettings found = discover_settings("User@Example.ORG", dns);
  REQUIRE(found.smtp);
  CHECK(found.smtp->host == "mail.example.org");
  CHECK(found.smtp->port == 587);
  CHECK(found.smtp->security == Security::StartTls);
  REQUIRE(found.imap);
  CHECK(found.imap->host == "heavy.example.org");
  CHECK(found.imap->security == Security::Tls);
  CHECK_FALSE(found.pop3);
  CHECK(dns.asked.front() == "_submissions._tcp.example.org");
}

TEST_CASE("Discovery refuses an address without a usable domain", "[settings]") {
  FakeResolver dns;
  CHECK_THROWS_AS(discover_settings("user@", dns), Error);
  CHECK_THROWS_AS(discover_settings("user@exa mple.org", dns), Error);
  CHECK(dns.asked.empty());
}
