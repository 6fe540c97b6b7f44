// SentCopy: one IMAP connection, opened on the first copy and kept, behind a mutex. The
// mailbox is found once: the caller's name, else the one the server marks \Sent, else "Sent"
// (created when an APPEND to it says TRYCREATE).

#include <mailwire/sent_copy.hpp>

#include <fmt/format.h>

#include <utility>

namespace mailwire {
namespace {

bool is_trycreate(const Error& e) {
  return e.kind() == Errc::rejected && e.diagnostics().response_code == "TRYCREATE";
}

}  // namespace

SentCopy::SentCopy(SentCopyOptions options) : options_(std::move(options)) {}

SentCopy::~SentCopy() {
  close();
}

std::string SentCopy::mailbox() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return mailbox_;
}

void SentCopy::close() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  if (client_) client_->logout();
  client_.reset();
}

ImapClient& SentCopy::client() {
  if (client_) return *client_;
  if (options_.connect) {
    client_ = options_.connect();
    if (!client_) throw Error(Errc::usage, "sent copy: the connect function made no client");
    return *client_;
  }
  if (options_.host.empty()) throw Error(Errc::usage, "sent copy: no IMAP server given");
  auto client = std::make_unique<ImapClient>(options_.imap);
  client->connect(options_.host, options_.port);
  client->authenticate(options_.credentials);
  client_ = std::move(client);
  return *client_;
}

std::string SentCopy::resolve_mailbox(ImapClient& client) {
  if (!options_.mailbox.empty()) return options_.mailbox;
  if (!mailbox_.empty()) return mailbox_;
  std::string found;
  if (client.has_capability("SPECIAL-USE") || client.has_capability("LIST-EXTENDED")) {
    ListOptions list;
    if (client.has_capability("SPECIAL-USE")) list.return_options = {"SPECIAL-USE"};
    for (const ListEntry& e : client.list_extended("", {"*"}, list)) {
      if (e.mailbox.has("\\Sent")) {
        found = e.mailbox.mailbox;
        break;
      }
    }
  } else {
    for (const imap::ListData& d : client.list("", "*")) {
      if (d.has("\\Sent")) {
        found = d.mailbox;
        break;
      }
    }
  }
  return found.empty() ? std::string("Sent") : found;
}

SentCopyResult SentCopy::file(AppendMessage message) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  SentCopyResult result;
  message.flags = options_.flags;
  bool created = false;
  for (int attempt = 0; attempt < 3; ++attempt) {
    try {
      ImapClient& imap = client();
      if (mailbox_.empty()) mailbox_ = resolve_mailbox(imap);
      result.mailbox = mailbox_;
      result.uid = imap.append(mailbox_, message);
      result.filed = true;
      result.error.reset();
      return result;
    } catch (const Error& e) {
      result.error = e;
      if (is_trycreate(e) && !created && options_.mailbox.empty()) {
        // No Sent mailbox yet: make the usual one, then file again.
        created = true;
        try {
          client_->create(mailbox_);
          continue;
        } catch (const Error& create_error) {
          result.error = create_error;
          return result;
        }
      }
      if (e.is_fatal()) client_.reset();
      // A connection that broke before any byte of the message went out is replaced once;
      // after that the copy may be stored, and sending it again could file it twice.
      const bool nothing_sent = e.phase() == Phase::none || e.phase() == Phase::envelope;
      if (!(e.is_fatal() && nothing_sent && e.kind() == Errc::connect) || attempt > 0) {
        return result;
      }
    } catch (const std::exception& e) {
      client_.reset();
      result.error = Error(Errc::io, fmt::format("sent copy: {}", e.what()));
      return result;
    }
  }
  return result;
}

}  // namespace mailwire
