// `mailwire send [connection] [message options] | --message FILE.eml`

#include "commands.hpp"
#include "connection.hpp"
#include "dkim_options.hpp"
#include "message_options.hpp"
#include "progress.hpp"

#include <mailwire/smtp_client.hpp>

#include <cstdio>
#include <memory>

namespace mailwire::cli {
namespace {

int print_results(const SmtpSendResult& result) {
  for (const auto& r : result.recipients) {
    const SmtpReply& reply = r.accepted && result.reply.code != 0 ? result.reply : r.reply;
    std::string text;
    for (std::size_t i = 0; i < reply.lines.size(); ++i)
      text += (i ? " " : "") + reply.lines[i];
    std::printf("%s %s %d %s %s\n", r.address.c_str(), r.accepted ? "accepted" : "rejected",
                reply.code, reply.enhanced.empty() ? "-" : reply.enhanced.c_str(), text.c_str());
  }
  return result.all_accepted() ? ExitOk : ExitPartial;
}

int run(const Args& args) {
  return guarded("send", [&]() -> int {
    Connection c;
    MessageOptions m;
    DkimOptions dkim_options;
    bool lmtp = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (args[i] == "--lmtp") {
        lmtp = true;
        continue;
      }
      if (parse_connection_option(args, i, c) || parse_message_option(args, i, m) ||
          parse_dkim_option(args, i, dkim_options)) {
        continue;
      }
      throw UsageError{"unexpected argument '" + args[i] + "' (see mailwire send --help)"};
    }
    if (!m.message_file.empty() && m.any_content()) {
      throw UsageError{"--message cannot be combined with --text, --html-file or --attach"};
    }
    finish_connection(c, Protocol::Smtp);
    const auto signer = make_dkim_signer(dkim_options);
    std::unique_ptr<mime::MessageBuilder> built;
    if (m.message_file.empty()) built = std::make_unique<mime::MessageBuilder>(build_message(m));

    SmtpOptions options;
    options.security = c.security;
    options.tls = c.tls;
    options.timeout = c.timeout;
    options.allow_plaintext_auth = c.allow_plaintext_auth;
    options.log = c.log();
    options.lmtp = lmtp;
    if (signer) options.dkim.push_back(signer);
    SmtpClient client(options);
    client.connect(c.host, c.port);
    if (!c.user.empty()) {
      SaslCredentials credentials;
      credentials.user = c.user;
      credentials.password = c.password;
      credentials.oauth2_token = c.oauth2_token;
      client.authenticate(credentials, c.auth);
    }
    SmtpSendOptions send_options;
    ProgressBar bar("sending");
    send_options.progress = [&bar](std::uint64_t done, std::uint64_t total) {
      bar.update(done, total);
    };
    SmtpSendResult result;
    try {
      if (built) {
        result = client.send(*built, send_options);
      } else if (!m.from.empty() || !m.to.empty() || !m.cc.empty() || !m.bcc.empty()) {
        SmtpEnvelope envelope;
        envelope.sender = m.from;
        for (const auto* list : {&m.to, &m.cc, &m.bcc}) {
          for (const auto& a : *list) {
            const auto mailbox = mime::parse_mailbox(a);
            envelope.recipients.push_back(mailbox ? mailbox->address() : a);
          }
        }
        if (const auto sender = mime::parse_mailbox(m.from)) envelope.sender = sender->address();
        result = client.send_file(m.message_file, &envelope, send_options);
      } else {
        result = client.send_file(m.message_file, nullptr, send_options);
      }
    } catch (const Error& e) {
      if (e.kind() == Errc::rejected && e.diagnostics().reply_code != 0) {
        std::printf("%s\n", e.what());
      }
      client.quit();
      throw;
    }
    client.quit();
    return print_results(result);
  });
}

const Registrar registrar{{"send", "send a message over SMTP (or LMTP)", run}};

}  // namespace
}  // namespace mailwire::cli
