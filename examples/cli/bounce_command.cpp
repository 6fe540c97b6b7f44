// `mailwire bounce PATH...`: one JSON document per message, the delivery report read from it.

#include "commands.hpp"
#include "connection.hpp"
#include "message_walker.hpp"
#include "mime_dump.hpp"

#include <mailwire/mime/delivery_report.hpp>

#include <cstdio>
#include <string>

namespace mailwire::cli {
namespace {

std::string json_or_null(const std::string& s) {
  return s.empty() ? "null" : json_string(s);
}

// One message's bytes through the streaming reader (memory bounded whatever the size), then
// its report printed as a JSON line.
class BounceSink : public MessageSink {
 public:
  explicit BounceSink(std::string file) : file_(std::move(file)) {}
  void feed(std::string_view bytes) override { reader_.feed(bytes); }
  void finish() override {
    const mime::DeliveryReport r = reader_.finish();
    std::string out = "{\"file\": " + json_string(file_) + ", \"kind\": \"" +
                      mime::to_string(r.kind) +
                      "\", \"original_message_id\": " + json_or_null(r.original_message_id) +
                      ", \"recipients\": [";
    bool first = true;
    for (const mime::ReportRecipient& x : r.recipients) {
      if (!first) out += ", ";
      first = false;
      out += "{\"address\": " + json_string(x.address) + ", \"action\": " + json_or_null(x.action) +
             ", \"status\": " + json_or_null(x.status) +
             ", \"reply_code\": " + json_or_null(x.reply_code) +
             ", \"remote_mta\": " + json_or_null(x.remote_mta) +
             ", \"diagnostic\": " + json_or_null(x.diagnostic) + ", \"reason\": \"" +
             mime::to_string(x.reason) + "\", \"hard\": " + (x.hard ? "true" : "false") + "}";
    }
    out += "]}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
  }

 private:
  std::string file_;
  mime::DeliveryReportReader reader_;
};

int run(const Args& args) {
  return guarded("bounce", [&]() -> int {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
      std::printf(
          "usage: mailwire bounce PATH...\n\n"
          "Reads delivery reports: RFC 3464 DSNs, RFC 5965 ARF complaints, RFC 3834\n"
          "auto-replies and the non-standard bounces of common servers. Files are read,\n"
          "folders walked, .mbox files split. One JSON document per message (JSON Lines):\n"
          "  {\"file\": F, \"kind\": \"dsn\"|\"arf\"|\"auto-reply\"|\"heuristic\"|\"none\",\n"
          "   \"original_message_id\": .., \"recipients\": [{\"address\": A, \"action\": ..,\n"
          "   \"status\": \"5.1.1\", \"reply_code\": \"550\", \"remote_mta\": .., \"diagnostic\": "
          "..,\n"
          "   \"reason\": R, \"hard\": true}]}\n"
          "A message of an mbox is named FILE#N (N from 1). `hard` says that the address\n"
          "should not be mailed again.\n\n"
          "example:\n"
          "  mailwire bounce ~/Maildir/.Bounces/cur | jq -r 'select(.recipients[].hard)'\n");
      return args.empty() ? ExitUsage : ExitOk;
    }
    int status = ExitOk;
    for (const auto& path : expand_paths(args, 0)) {
      try {
        read_messages(path, [](const std::filesystem::path& p, std::size_t index) {
          std::string name = p.string();
          if (index > 0) name += "#" + std::to_string(index);
          return std::make_unique<BounceSink>(std::move(name));
        });
      } catch (const Error& e) {
        report(e, "bounce");
        status = ExitPartial;
      }
    }
    std::fflush(stdout);
    return status;
  });
}

const Registrar registrar{
    {"bounce", "read bounces, complaints and auto-replies (JSON Lines)", run}};

}  // namespace
}  // namespace mailwire::cli
