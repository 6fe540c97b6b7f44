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
  // Out-of-line members of plain structs: exported from a shared library too (a struct
  // without MAILWIRE_API hides them, and a program using them fails to link).
  const mailwire::SmtpReply reply;
  const mailwire::SmtpSendResult sent;
  const mailwire::SendOutcome outcome;
  const mailwire::imap::BodyStructure part;
  const mailwire::imap::ListData mailbox;
  const mailwire::imap::FetchData fetched;
  const std::size_t members =
      reply.to_string().size() + sent.accepted() + outcome.accepted() + part.file_name().size() +
      (mailbox.has("\\Sent") ? 1 : 0) + (fetched.find_section("1") != nullptr ? 1 : 0) +
      mailwire::AppendMessage::from_bytes("Subject: x\r\n\r\n").size +
      static_cast<std::size_t>(
          mailwire::SenderRateLimits::for_provider("gmail").recipients_per_day);
  try {
    throw mailwire::Error(mailwire::Errc::usage, "consumer: errors cross the library boundary");
  } catch (const mailwire::Error& e) {
    std::printf("mailwire %s: %s [%s]; gmail imap %s:%u; %s; %zu\n", mailwire::version(), e.what(),
                mailwire::to_string(e.kind()), gmail->imap.host.c_str(), gmail->imap.port,
                mailwire::to_string(mailwire::resolve_security(mailwire::Security::Auto, 993)),
                members);
  }
  return gmail && mailwire::resolve_security(mailwire::Security::Auto, 993) ==
                      mailwire::Security::Tls
             ? 0
             : 1;
}
