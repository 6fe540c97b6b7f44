// 00_tls_probe: connect to a mail server with implicit TLS (or plain TCP), print what TLS
// negotiated and the server's greeting. The transport layer on its own, in 60 lines.
//
//   00_tls_probe HOST PORT [--ca-file FILE] [--insecure] [--plain]

#include <mailwire/mailwire.hpp>

#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: 00_tls_probe HOST PORT [--ca-file FILE] [--insecure] [--plain]\n");
    return 2;
  }
  const std::string host = argv[1];
  const auto port = static_cast<std::uint16_t>(std::stoi(argv[2]));
  mailwire::TlsOptions tls;
  bool plain = false;
  for (int i = 3; i < argc; ++i) {
    if (std::strcmp(argv[i], "--ca-file") == 0 && i + 1 < argc) {
      tls.ca_file = argv[++i];
    } else if (std::strcmp(argv[i], "--insecure") == 0) {
      tls.insecure = true;
    } else if (std::strcmp(argv[i], "--plain") == 0) {
      plain = true;
    }
  }
  try {
    const auto deadline = mailwire::deadline_after(std::chrono::seconds(10));
    std::unique_ptr<mailwire::Transport> transport = mailwire::TcpTransport::open(host, port);
    if (!plain) {
      auto wrapped = std::make_unique<mailwire::TlsTransport>(std::move(transport), tls, host);
      wrapped->handshake(deadline);
      const auto info = wrapped->tls_info();
      std::printf(
          "protocol:  %s\ncipher:    %s\nsubject:   %s\nissuer:    %s\n"
          "verified:  %s\npublic key sha256: %s\n",
          info->protocol.c_str(), info->cipher.c_str(), info->peer_subject.c_str(),
          info->peer_issuer.c_str(), info->verified ? "yes" : "no",
          info->peer_pubkey_sha256.c_str());
      transport = std::move(wrapped);
    }
    mailwire::Stream stream(std::move(transport));
    const std::string_view greeting = stream.read_line(deadline);
    std::printf("greeting:  %.*s\n", static_cast<int>(greeting.size()), greeting.data());
    return 0;
  } catch (const mailwire::Error& e) {
    std::fprintf(stderr, "00_tls_probe: %s [%s]\n", e.what(), mailwire::to_string(e.kind()));
    return 1;
  }
}
