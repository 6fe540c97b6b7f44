// 03_send_with_oauth2: Gmail and Microsoft 365 want OAuth 2, not passwords. The access token
// comes from your OAuth flow (here: the environment); mailwire speaks XOAUTH2 / OAUTHBEARER.
//
//   MAILWIRE_OAUTH2_TOKEN=ya29... 03_send_with_oauth2 gmail me@gmail.com you@example.org
//   MAILWIRE_OAUTH2_TOKEN=eyJ0... 03_send_with_oauth2 microsoft365 me@contoso.com you@example.org

#include <mailwire/mailwire.hpp>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  const char* token = std::getenv("MAILWIRE_OAUTH2_TOKEN");
  if (argc < 4 || token == nullptr) {
    std::fprintf(stderr, "usage: MAILWIRE_OAUTH2_TOKEN=... 03_send_with_oauth2 PROVIDER FROM TO\n");
    return 2;
  }
  const auto provider = mailwire::ProviderSettings::by_id(argv[1]);
  if (!provider) {
    std::fprintf(stderr, "03_send_with_oauth2: unknown provider '%s' (gmail, microsoft365, ...)\n",
                 argv[1]);
    return 2;
  }
  mailwire::SmtpOptions options;
  options.security = provider->smtp.security;  // 465 TLS for Gmail, 587 STARTTLS for Microsoft
  mailwire::SaslCredentials credentials;
  credentials.user = argv[2];
  credentials.oauth2_token = token;
  // Called if the server refuses the token (expired): return a fresh one, or "" to give up.
  credentials.refresh_oauth2_token = [] {
    const char* fresh = std::getenv("MAILWIRE_OAUTH2_TOKEN_REFRESHED");
    return std::string(fresh != nullptr ? fresh : "");
  };
  try {
    mailwire::SmtpClient smtp(options);
    smtp.connect(provider->smtp.host, provider->smtp.port);
    smtp.authenticate(credentials);  // OAUTHBEARER or XOAUTH2, whichever the server offers
    mailwire::mime::MessageBuilder message;
    message.from(argv[2]).to(argv[3]).subject("Sent with OAuth 2").text("No password involved.\n");
    std::printf("%s\n", smtp.send(message).reply.to_string().c_str());
    smtp.quit();
    return 0;
  } catch (const mailwire::Error& e) {
    std::fprintf(stderr, "03_send_with_oauth2: %s\n", e.what());
    return 1;
  }
}
