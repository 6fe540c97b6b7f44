#include <mailwire/provider_settings.hpp>

#include <algorithm>
#include <cctype>

namespace mailwire {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<ProviderSettings> make_table() {
  using S = Security;
  std::vector<ProviderSettings> t;
  t.push_back({"gmail",
               "Gmail",
               {"gmail.com", "googlemail.com"},
               {"smtp.gmail.com", 465, S::Tls},
               {"imap.gmail.com", 993, S::Tls},
               ServerEndpoint{"pop.gmail.com", 995, S::Tls},
               AuthRecommendation::OAuth2,
               "OAuth 2 (XOAUTH2) with the https://mail.google.com/ scope; an app password "
               "works for accounts with 2-step verification"});
  t.push_back({"microsoft365",
               "Microsoft 365 / Outlook.com",
               {"outlook.com", "hotmail.com", "live.com", "msn.com", "outlook.de", "hotmail.co.uk",
                "hotmail.fr", "live.co.uk"},
               {"smtp.office365.com", 587, S::StartTls},
               {"outlook.office365.com", 993, S::Tls},
               ServerEndpoint{"outlook.office365.com", 995, S::Tls},
               AuthRecommendation::OAuth2,
               "basic authentication is disabled: use OAuth 2 (XOAUTH2); SMTP AUTH must be "
               "enabled for the mailbox"});
  t.push_back({"icloud",
               "iCloud Mail",
               {"icloud.com", "me.com", "mac.com"},
               {"smtp.mail.me.com", 587, S::StartTls},
               {"imap.mail.me.com", 993, S::Tls},
               std::nullopt,
               AuthRecommendation::AppPassword,
               "needs an app-specific password; no POP3"});
  t.push_back({"fastmail",
               "Fastmail",
               {"fastmail.com", "fastmail.fm", "messagingengine.com"},
               {"smtp.fastmail.com", 465, S::Tls},
               {"imap.fastmail.com", 993, S::Tls},
               ServerEndpoint{"pop.fastmail.com", 995, S::Tls},
               AuthRecommendation::AppPassword,
               "needs an app password"});
  t.push_back({"yahoo",
               "Yahoo Mail",
               {"yahoo.com", "ymail.com", "rocketmail.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de"},
               {"smtp.mail.yahoo.com", 465, S::Tls},
               {"imap.mail.yahoo.com", 993, S::Tls},
               ServerEndpoint{"pop.mail.yahoo.com", 995, S::Tls},
               AuthRecommendation::AppPassword,
               "needs an app password (or OAuth 2)"});
  return t;
}

}  // namespace

const std::vector<ProviderSettings>& ProviderSettings::all() {
  static const std::vector<ProviderSettings> table = make_table();
  return table;
}

std::optional<ProviderSettings> ProviderSettings::by_id(std::string_view id) {
  std::string key = lower(id);
  if (key == "google") key = "gmail";
  if (key == "outlook" || key == "office365" || key == "m365" || key == "hotmail") {
    key = "microsoft365";
  }
  for (const ProviderSettings& p : all()) {
    if (p.id == key) return p;
  }
  return std::nullopt;
}

std::optional<ProviderSettings> ProviderSettings::for_address(std::string_view address) {
  const std::size_t at = address.rfind('@');
  std::string domain = lower(at == std::string_view::npos ? address : address.substr(at + 1));
  while (!domain.empty() && (domain.back() == '.' || domain.back() == '>'))
    domain.pop_back();
  for (const ProviderSettings& p : all()) {
    if (std::find(p.domains.begin(), p.domains.end(), domain) != p.domains.end()) return p;
  }
  return std::nullopt;
}

const char* to_string(AuthRecommendation auth) noexcept {
  switch (auth) {
    case AuthRecommendation::Password:
      return "password";
    case AuthRecommendation::AppPassword:
      return "app-password";
    case AuthRecommendation::OAuth2:
      return "oauth2";
  }
  return "password";
}

}  // namespace mailwire
