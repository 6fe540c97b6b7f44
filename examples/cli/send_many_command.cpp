// `mailwire send-many [connection] [--connections N] [--rate N/s|N/min|N/h]
//  [--max-per-connection N] [--retries N] [--outbox DIR] PATH...`
//
// Every .eml under PATH through one mailwire::Sender: the envelope from each file's header as
// `send --message` has it (mailwire::open_message_file), one line per message when it ends,
// a progress bar on a terminal, a summary on stderr. With --outbox the messages are first
// made durable in DIR (directory_outbox) and a later run on DIR resumes what was pending.

#include "commands.hpp"
#include "connection.hpp"
#include "dkim_options.hpp"
#include "progress.hpp"

#include <mailwire/outbox.hpp>
#include <mailwire/sender.hpp>
#include <mailwire/smtp_client.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mailwire::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* usage_text =
    "usage: mailwire send-many [connection options] [--connections N] [--rate N/s|N/min|N/h]\n"
    "           [--max-per-connection N] [--retries N] [--outbox DIR] PATH...\n"
    "       mailwire send-many [connection options] --outbox DIR      (resume)\n"
    "\n"
    "Sends every .eml file under PATH (folders walked, in name order), each with the envelope\n"
    "from its header as `send --message` does, over up to N connections (default 4), within the\n"
    "rate. Transient failures (4xx, 421, a connection lost before the end of the message) are\n"
    "retried with back-off up to --retries times (default 5); 5xx refusals are reported.\n"
    "One line per message on stdout:\n"
    "  sent FILE | partial FILE ADDR CODE... | failed FILE CODE ENHANCED TEXT | unknown FILE\n"
    "(unknown: the connection was lost after the end of the message; the server may have it;\n"
    "it is never sent again on its own). A summary on stderr. Exit 0 when every message was\n"
    "sent, 1 otherwise.\n"
    "\n"
    "--outbox DIR: each message is copied into DIR (fsync'd) before it is sent and ends in\n"
    "DIR/sent, DIR/failed or DIR/unknown with a result file; run again with the same DIR (and\n"
    "no PATH) to resume after a crash: nothing is lost, nothing sent twice outside unknown/.\n"
    "\n"
    "connection options: as for `mailwire send --help`.\n"
    "\n"
    "examples:\n"
    "  mailwire send-many --server smtp.example.com --user me --connections 8 --rate 10/s out/\n"
    "  mailwire send-many --server microsoft365 --user me@example.com --outbox spool/ batch/\n"
    "  mailwire send-many --server microsoft365 --user me@example.com --outbox spool/\n";

std::size_t parse_count(const std::string& option, const std::string& value, std::size_t min) {
  char* end = nullptr;
  const unsigned long long n = std::strtoull(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || value[0] == '-' || n < min || n > 1000000000ULL) {
    throw UsageError{option + " needs a whole number of at least " + std::to_string(min) +
                     ", not '" + value + "'"};
  }
  return static_cast<std::size_t>(n);
}

void parse_rate(const std::string& value, SenderRateLimits& limits) {
  const std::size_t slash = value.find('/');
  char* end = nullptr;
  const std::string number = value.substr(0, slash);
  const double n = std::strtod(number.c_str(), &end);
  std::string unit = slash == std::string::npos ? "" : value.substr(slash + 1);
  if (number.empty() || *end != '\0' || !(n > 0) || n > 1e9) unit.clear();
  if (unit == "s") {
    limits.messages_per_second = n;
  } else if (unit == "min") {
    limits.messages_per_minute = n;
  } else if (unit == "h") {
    limits.messages_per_hour = n;
  } else {
    throw UsageError{"--rate takes N/s, N/min or N/h, not '" + value + "'"};
  }
}

// The .eml files of PATH: a file as given; a folder walked, every .eml in name order.
void collect(const std::string& path, std::vector<std::string>& out) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(path, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().extension() == ".eml") {
        found.push_back(it->path().string());
      }
    }
    if (ec) throw Error(Errc::io, "cannot read the folder " + path + ": " + ec.message());
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  } else if (fs::is_regular_file(path, ec)) {
    out.push_back(path);
  } else {
    throw Error(Errc::io, "no such file or folder: " + path);
  }
}

std::string reply_text(const SmtpReply& reply) {
  std::string text;
  for (std::size_t i = 0; i < reply.lines.size(); ++i)
    text += (i ? " " : "") + reply.lines[i];
  return text;
}

// Prints one line per message, keeps the counts and the progress bar, and bounds how many
// messages are in the Sender at once (so memory stays flat however many files there are).
class Report {
 public:
  Report(std::size_t window, std::size_t total)
      : window_(window), total_(total), bar_("sending", 1, "messages") {}

  // Waits until fewer than `window` messages are in flight, then counts one more.
  void admit() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return in_flight_ < static_cast<long long>(window_); });
    ++in_flight_;
  }
  // A message that could not even be submitted (unreadable, no envelope).
  void local_failure(const std::string& file, const std::string& why) {
    std::lock_guard<std::mutex> lock(mutex_);
    bar_.clear();
    std::printf("failed %s - - %s\n", file.c_str(), why.c_str());
    ++failed_;
    ++done_;
    bar_.update(done_, total_);
    --in_flight_;
    cv_.notify_all();
  }
  void ended(const SendOutcome& o) {
    std::lock_guard<std::mutex> lock(mutex_);
    bar_.clear();
    const char* file = o.label.c_str();
    switch (o.status) {
      case SendStatus::delivered:
        std::printf("sent %s\n", file);
        ++sent_;
        break;
      case SendStatus::partial: {
        std::string refused;
        for (const auto& r : o.recipients) {
          if (!r.accepted) refused += " " + r.address + " " + std::to_string(r.reply.code);
        }
        std::printf("partial %s%s\n", file, refused.c_str());
        ++partial_;
        break;
      }
      case SendStatus::unknown:
        std::printf("unknown %s\n", file);
        ++unknown_;
        break;
      case SendStatus::failed:
      case SendStatus::cancelled: {
        SmtpReply reply;
        for (const auto& r : o.recipients) {
          if (!r.accepted && r.reply.code != 0) {
            reply = r.reply;
            break;
          }
        }
        std::string text = reply_text(reply);
        if (reply.code == 0) {
          text = o.last_error ? o.last_error->what() : to_string(o.status);
        }
        std::printf("failed %s %s %s %s\n", file,
                    reply.code == 0 ? "-" : std::to_string(reply.code).c_str(),
                    reply.enhanced.empty() ? "-" : reply.enhanced.c_str(), text.c_str());
        ++failed_;
        break;
      }
    }
    ++done_;
    bar_.update(done_, total_);
    --in_flight_;
    cv_.notify_all();
  }
  // Messages already in the Sender (resumed): counted without waiting.
  void add_resumed(std::size_t n) {
    std::lock_guard<std::mutex> lock(mutex_);
    total_ += n;
    in_flight_ += static_cast<long long>(n);
  }
  bool all_sent() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return partial_ == 0 && failed_ == 0 && unknown_ == 0;
  }
  void summary(std::chrono::steady_clock::duration took, const SenderStats& stats) {
    std::lock_guard<std::mutex> lock(mutex_);
    bar_.clear();
    std::fflush(stdout);
    const double seconds = std::chrono::duration<double>(took).count();
    std::fprintf(stderr,
                 "send-many: %zu sent, %zu partial, %zu failed, %zu unknown; %llu retries, %llu "
                 "connections; %.1f s, %.1f msgs/s\n",
                 sent_, partial_, failed_, unknown_, static_cast<unsigned long long>(stats.retries),
                 static_cast<unsigned long long>(stats.connections_opened), seconds,
                 seconds > 0 ? static_cast<double>(done_) / seconds : 0.0);
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::size_t window_;
  std::size_t total_;
  long long in_flight_ = 0;  // below 0 for a moment when a resumed message ends at once
  std::size_t done_ = 0;
  std::size_t sent_ = 0, partial_ = 0, failed_ = 0, unknown_ = 0;
  ProgressBar bar_;
};

int run(const Args& args) {
  return guarded("send-many", [&]() -> int {
    Connection c;
    SenderOptions options;
    options.max_connections = 4;
    options.retry.max_attempts = 1 + 5;  // --retries 5: five retries after the first attempt
    std::string outbox_dir;
    DkimOptions dkim_options;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a == "--help" || a == "-h") {
        std::fputs(usage_text, stdout);
        return ExitOk;
      }
      if (a == "--connections") {
        options.max_connections = parse_count(a, option_value(args, i), 1);
      } else if (a == "--rate") {
        parse_rate(option_value(args, i), options.limits);
      } else if (a == "--max-per-connection") {
        options.max_messages_per_connection = parse_count(a, option_value(args, i), 1);
      } else if (a == "--retries") {
        options.retry.max_attempts = static_cast<int>(parse_count(a, option_value(args, i), 0)) + 1;
      } else if (a == "--outbox") {
        outbox_dir = option_value(args, i);
      } else if (parse_connection_option(args, i, c) || parse_dkim_option(args, i, dkim_options)) {
        // Each message is signed by the SmtpClient that sends it (SmtpOptions::dkim).
      } else if (!a.empty() && a[0] == '-' && a != "-") {
        throw UsageError{"unexpected argument '" + a + "' (see mailwire send-many --help)"};
      } else {
        paths.push_back(a);
      }
    }
    if (paths.empty() && outbox_dir.empty()) {
      throw UsageError{"no PATH (and no --outbox DIR to resume; see mailwire send-many --help)"};
    }
    finish_connection(c, Protocol::Smtp);
    std::vector<std::string> files;
    for (const std::string& p : paths)
      collect(p, files);

    options.host = c.host;
    options.port = c.port;
    options.smtp.security = c.security;
    options.smtp.tls = c.tls;
    options.smtp.timeout = c.timeout;
    options.smtp.allow_plaintext_auth = c.allow_plaintext_auth;
    options.smtp.log = c.log();
    if (const auto signer = make_dkim_signer(dkim_options)) options.smtp.dkim.push_back(signer);
    if (!c.user.empty()) {
      SaslCredentials credentials;
      credentials.user = c.user;
      credentials.password = c.password;
      credentials.oauth2_token = c.oauth2_token;
      options.credentials = credentials;
    }
    if (!outbox_dir.empty()) options.outbox = directory_outbox(outbox_dir);

    // At most this many messages in the Sender at once: enough to keep every connection busy.
    Report report(std::max<std::size_t>(64, options.max_connections * 16), files.size());
    const auto start = std::chrono::steady_clock::now();
    Sender sender(options);
    const auto ended = [&report](const SendOutcome& o) { report.ended(o); };
    if (options.outbox) {
      // Resumed messages are not bounded by the window: they are on disk already.
      std::vector<std::future<SendOutcome>> resumed =
          sender.resume([&report](const SendOutcome& o) { report.ended(o); });
      report.add_resumed(resumed.size());
    }
    const auto submit_file = [&](const std::string& file) {
      report.admit();
      try {
        SmtpMessageFile prepared = open_message_file(file);
        auto first = std::make_shared<std::unique_ptr<MessageSource>>(std::move(prepared.source));
        const SmtpEnvelope envelope = prepared.envelope;
        sender.submit(
            file, std::move(prepared.envelope),
            [file, envelope, first]() -> std::unique_ptr<MessageSource> {
              if (*first) return std::move(*first);  // the one opened to read the header
              return open_message_file(file, &envelope).source;
            },
            ended);
      } catch (const Error& e) {
        if (e.kind() != Errc::usage && e.kind() != Errc::io) throw;
        report.local_failure(file, e.what());
      }
    };
    for (const std::string& file : files)
      submit_file(file);
    sender.close();
    report.summary(std::chrono::steady_clock::now() - start, sender.stats());
    return report.all_sent() ? ExitOk : ExitPartial;
  });
}

const Registrar registrar{
    {"send-many", "send many .eml files over a pool of SMTP connections (durable outbox)", run}};

}  // namespace
}  // namespace mailwire::cli
