// 02_send_html_with_attachments: an HTML mail with a plain-text alternative, an inline logo
// and file attachments (streamed from disk, so their size does not matter).
//
//   MAILWIRE_PASSWORD=... 02_send_html_with_attachments HOST PORT FROM TO FILE... [--ca-file F]

#include <mailwire/mailwire.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
  const char* password = std::getenv("MAILWIRE_PASSWORD");
  if (argc < 5 || password == nullptr) {
    std::fprintf(stderr,
                 "usage: MAILWIRE_PASSWORD=... 02_send_html_with_attachments HOST PORT "
                 "FROM TO [FILE...] [--ca-file F]\n");
    return 2;
  }
  mailwire::SmtpOptions options;
  std::vector<const char*> files;
  for (int i = 5; i < argc; ++i) {
    if (std::strcmp(argv[i], "--ca-file") == 0 && i + 1 < argc) {
      options.tls.ca_file = argv[++i];
    } else {
      files.push_back(argv[i]);
    }
  }
  try {
    mailwire::mime::MessageBuilder message;
    message.from(argv[3])
        .to(argv[4])
        .subject("Your documents \xe2\x80\x94 caf\xc3\xa9 edition")  // encoded for you (RFC 2047)
        .text("Your documents are attached.\n")
        .html("<p><img src=\"cid:logo@example\"> Your documents are attached.</p>\n")
        .inline_part("logo@example", std::string("GIF89a\x01\x00\x01\x00\x00\x00\x00;", 14),
                     "image/gif");
    for (const char* f : files)
      message.attach_file(f);  // type guessed from the extension
    mailwire::SmtpClient smtp(options);
    smtp.connect(argv[1], static_cast<std::uint16_t>(std::atoi(argv[2])));
    smtp.login(argv[3], password);
    for (const auto& r : smtp.send(message).recipients) {
      std::printf("%s %s\n", r.address.c_str(),
                  r.accepted ? "accepted" : r.reply.to_string().c_str());
    }
    smtp.quit();
    return 0;
  } catch (const mailwire::Error& e) {
    std::fprintf(stderr, "02_send_html_with_attachments: %s\n", e.what());
    return 1;
  }
}
