// `mailwire pop3 [connection] list | fetch --maildir DIR [--delete] [--state FILE]`

#include "commands.hpp"
#include "connection.hpp"
#include "progress.hpp"

#include <mailwire/maildir.hpp>
#include <mailwire/pop3_client.hpp>
#include <mailwire/pop3_download.hpp>

#include <cstdio>
#include <map>
#include <memory>

namespace mailwire::cli {
namespace {

Pop3Client open_session(Connection& c) {
  Pop3Options options;
  options.security = c.security;
  options.tls = c.tls;
  options.timeout = c.timeout;
  options.allow_plaintext_auth = c.allow_plaintext_auth;
  options.log = c.log();
  Pop3Client client(options);
  client.connect(c.host, c.port);
  if (!c.user.empty()) {
    SaslCredentials credentials;
    credentials.user = c.user;
    credentials.password = c.password;
    credentials.oauth2_token = c.oauth2_token;
    if (!c.oauth2_token.empty()) {
      client.authenticate(credentials, c.auth);
    } else if (c.auth.empty()) {
      client.login(c.user, c.password);
    } else if (c.auth == "USER") {
      client.user_pass(c.user, c.password);
    } else if (c.auth == "APOP") {
      client.apop(c.user, c.password);
    } else {
      client.authenticate(credentials, c.auth);
    }
  }
  return client;
}

int run(const Args& args) {
  return guarded("pop3", [&]() -> int {
    Connection c;
    std::string action;
    std::string maildir;
    std::string state;
    bool remove = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (parse_connection_option(args, i, c)) continue;
      if (args[i] == "--maildir") {
        maildir = option_value(args, i);
      } else if (args[i] == "--state") {
        state = option_value(args, i);
      } else if (args[i] == "--delete") {
        remove = true;
      } else if (action.empty() && (args[i] == "list" || args[i] == "fetch")) {
        action = args[i];
      } else {
        throw UsageError{"unexpected argument '" + args[i] + "' (see mailwire pop3 --help)"};
      }
    }
    if (action.empty()) throw UsageError{"list or fetch? (see mailwire pop3 --help)"};
    if (action == "fetch" && maildir.empty()) throw UsageError{"fetch needs --maildir DIR"};
    finish_connection(c, Protocol::Pop3);
    Pop3Client client = open_session(c);

    if (action == "list") {
      std::map<std::uint32_t, std::string> uids;
      try {
        for (auto& e : client.uidl())
          uids[e.number] = e.uid;
      } catch (const Error& e) {
        if (e.kind() != Errc::rejected) throw;
      }
      for (const auto& entry : client.list()) {
        const auto uid = uids.find(entry.number);
        std::printf("%u %llu %s\n", entry.number, static_cast<unsigned long long>(entry.size),
                    uid == uids.end() ? "-" : uid->second.c_str());
      }
      client.quit();
      return ExitOk;
    }

    Maildir box(maildir);
    Pop3DownloadOptions options;
    options.delete_after = remove;
    options.state_file = state;
    std::unique_ptr<ProgressBar> bar;
    options.progress = [&bar](std::uint64_t done, std::uint64_t total) {
      if (!bar) bar = std::make_unique<ProgressBar>("downloading");
      bar->update(done, total);
    };
    options.on_message = [&bar](const Pop3DownloadEvent& event) {
      bar.reset();
      if (event.action == Pop3DownloadEvent::Action::Downloaded) {
        std::printf("downloaded %u %s %s\n", event.number, event.uid.c_str(), event.file.c_str());
      } else {
        std::printf("known %u %s\n", event.number, event.uid.c_str());
      }
      std::fflush(stdout);
    };
    const Pop3DownloadResult result = download_to_maildir(client, box, options);
    std::fprintf(stderr, "mailwire: pop3: %zu on server, %zu downloaded, %zu known, %zu deleted\n",
                 result.on_server, result.downloaded, result.known, result.deleted);
    return ExitOk;
  });
}

const Registrar registrar{{"pop3", "list or download a POP3 maildrop (into a Maildir)", run}};

}  // namespace
}  // namespace mailwire::cli
