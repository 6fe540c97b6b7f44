// `mailwire mime build [message options]` and `mailwire mime stat PATH...`

#include "commands.hpp"
#include "connection.hpp"
#include "message_options.hpp"
#include "mime_dump.hpp"

#include <mailwire/mime/date_time.hpp>
#include <mailwire/mime/encoded_word.hpp>
#include <mailwire/mime/message.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace mailwire::cli {
namespace {

// The work list of ../shared/bench (README "MIME parse"), for the message and each nested one.
struct Stat {
  std::uint64_t messages = 0, leaves = 0, decoded = 0, in_bytes = 0, addrs = 0, subj_bytes = 0;
  std::uint64_t misc = 0;  // keeps the work from being optimised away
  double seconds = 0;
};

void walk(const mime::Entity& e, Stat& s);

void message(const mime::Entity& m, Stat& s) {
  ++s.messages;
  const mime::HeaderList& h = m.headers();
  if (const auto subject = h.get("Subject"))
    s.subj_bytes += mime::decode_encoded_words(*subject).size();
  for (const char* name : {"From", "To", "Cc"}) {
    for (const mime::HeaderField* f : h.all(name)) {
      for (const mime::Mailbox& box : mime::parse_address_list(f->value())) {
        ++s.addrs;
        s.misc += box.name.size() + box.address().size();
      }
    }
  }
  if (const auto date = h.get("Date")) {
    if (const auto d = mime::parse_date(*date)) s.misc += static_cast<std::uint64_t>(d->utc & 1);
  }
  walk(m, s);
}

void walk(const mime::Entity& e, Stat& s) {
  if (const auto charset = e.content_type().param("charset")) s.misc += charset->size();
  if (e.content_type().is_multipart()) {
    for (const mime::Entity& c : e.children())
      walk(c, s);
    return;
  }
  if (e.content_type().is_message() && !e.children().empty()) {
    message(e.children()[0], s);
    return;
  }
  ++s.leaves;
  if (const auto name = e.filename()) s.misc += name->size();
  s.misc += e.transfer_encoding().size();
  e.decode_body([&](std::string_view chunk) { s.decoded += chunk.size(); });
}

void parse_one(std::string_view bytes, Stat& s) {
  const auto t0 = std::chrono::steady_clock::now();
  const mime::Message m = mime::Message::parse_view(bytes);
  message(m.root(), s);
  s.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  s.in_bytes += bytes.size();
}

// Reads a file in fixed-size chunks; an mbox is split at its "From " lines.
void stat_file(const std::filesystem::path& path, Stat& s) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) throw Error(Errc::io, "cannot read " + path.string());
  std::string bytes;
  char chunk[64 * 1024];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, f.get())) > 0;)
    bytes.append(chunk, n);
  const std::string name = path.filename().string();
  const bool mbox = name.size() > 5 && (name.find(".mbox") != std::string::npos);
  if (!mbox) {
    parse_one(bytes, s);
    return;
  }
  std::size_t at = bytes.compare(0, 5, "From ") == 0 ? 0 : bytes.find("\nFrom ");
  while (at != std::string::npos && at < bytes.size()) {
    if (bytes[at] == '\n') ++at;
    const std::size_t body = bytes.find('\n', at);
    if (body == std::string::npos) break;
    std::size_t next = bytes.find("\nFrom ", body);
    const std::size_t end = next == std::string::npos ? bytes.size() : next + 1;
    parse_one(std::string_view(bytes).substr(body + 1, end - body - 1), s);
    at = next;
  }
}

int stat_command(const Args& args) {
  if (args.size() < 2) throw UsageError{"mime stat needs at least one PATH"};
  Stat s;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::filesystem::path p(args[i]);
    if (std::filesystem::is_directory(p)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::recursive_directory_iterator(p)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files)
        stat_file(f, s);
    } else {
      stat_file(p, s);
    }
  }
  std::printf(
      "mailwire messages=%llu leaves=%llu decoded_bytes=%llu in_bytes=%llu seconds=%.4f "
      "MBps=%.1f addrs=%llu subj_bytes=%llu\n",
      static_cast<unsigned long long>(s.messages), static_cast<unsigned long long>(s.leaves),
      static_cast<unsigned long long>(s.decoded), static_cast<unsigned long long>(s.in_bytes),
      s.seconds, s.seconds > 0 ? static_cast<double>(s.in_bytes) / s.seconds / 1e6 : 0.0,
      static_cast<unsigned long long>(s.addrs), static_cast<unsigned long long>(s.subj_bytes));
  return s.misc == 0xffffffffffffffffULL ? ExitPartial : ExitOk;
}

int run(const Args& args) {
  return guarded("mime", [&]() -> int {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
      std::printf(
          "usage: mailwire mime build [message options]   writes the message to stdout\n"
          "%s",
          message_options_help);
      return args.empty() ? ExitUsage : ExitOk;
    }
    if (args[0] == "stat") return stat_command(args);
    if (args[0] == "dump") {
      if (args.size() < 2) throw UsageError{"mime dump needs at least one FILE"};
      for (std::size_t i = 1; i < args.size(); ++i)
        dump_file(args[i]);
      return ExitOk;
    }
    if (args[0] != "build") throw UsageError{"unknown mime command '" + args[0] + "'"};
    MessageOptions m;
    for (std::size_t i = 1; i < args.size(); ++i) {
      if (!parse_message_option(args, i, m) || !m.message_file.empty()) {
        throw UsageError{"unexpected argument '" + args[i] + "'"};
      }
    }
    const mime::MessageBuilder b = build_message(m);
    b.write([](std::string_view chunk) { std::fwrite(chunk.data(), 1, chunk.size(), stdout); });
    return ExitOk;
  });
}

const Registrar registrar{{"mime", "build and parse messages (mime build, mime stat)", run}};

}  // namespace
}  // namespace mailwire::cli
