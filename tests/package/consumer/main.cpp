// A consumer of an installed mailwire: constructs the main types, connects nothing.
// (SmtpClient and ImapClient join this list when they exist.)

#include <mailwire/mailwire.hpp>

#include <cstdio>

int main() {
  mailwire::TlsOptions tls;
  tls.ca_file = "/nonexistent/ca.pem";
  mailwire::TcpTransport transport;
  mailwire::Pop3Options pop3_options;
  pop3_options.tls = tls;
  mailwire::Pop3Client pop3(pop3_options);
  mailwire::SaslCredentials credentials;
  credentials.user = "someone";
  const auto gmail = mailwire::ProviderSettings::by_id("gmail");
  try {
    throw mailwire::Error(mailwire::Errc::usage, "consumer: errors cross the library boundary");
  } catch (const mailwire::Error& e) {
    std::printf("mailwire %s: %s [%s]; gmail imap %s:%u; %s\n", mailwire::version(), e.what(),
                mailwire::to_string(e.kind()), gmail->imap.host.c_str(), gmail->imap.port,
                mailwire::to_string(mailwire::resolve_security(mailwire::Security::Auto, 993)));
  }
  return gmail && mailwire::resolve_security(mailwire::Security::Auto, 993) ==
                      mailwire::Security::Tls
             ? 0
             : 1;
}
