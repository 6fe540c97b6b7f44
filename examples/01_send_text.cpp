// 01_send_text: the shortest useful program: send a plain text mail over submission.
//
//   MAILWIRE_PASSWORD=secret 01_send_text smtp.example.com 587 me@example.com you@example.org
//   (with the local test stack: add --ca-file DIR/pki/ca.pem)

#include <mailwire/mailwire.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  const char* password = std::getenv("MAILWIRE_PASSWORD");
  if (argc < 5 || password == nullptr) {
    std::fprintf(stderr,
                 "usage: MAILWIRE_PASSWORD=... 01_send_text HOST PORT FROM TO [--ca-file F]\n");
    return 2;
  }
  mailwire::SmtpOptions options;  // Auto: TLS on 465, STARTTLS required on 587
  if (argc > 6 && std::strcmp(argv[5], "--ca-file") == 0) options.tls.ca_file = argv[6];
  try {
    mailwire::SmtpClient smtp(options);
    smtp.connect(argv[1], static_cast<std::uint16_t>(std::atoi(argv[2])));
    smtp.login(argv[3], password);  // the strongest mechanism both sides have
    mailwire::mime::MessageBuilder message;
    message.from(argv[3]).to(argv[4]).subject("Hello from mailwire").text("It works.\n");
    const mailwire::SmtpSendResult result = smtp.send(message);
    std::printf("%s\n", result.reply.to_string().c_str());  // "250 2.0.0 Ok: queued as ..."
    smtp.quit();
    return 0;
  } catch (const mailwire::Error& e) {
    std::fprintf(stderr, "01_send_text: %s\n", e.what());
    return 1;
  }
}
