// `mailwire mime build [message options]`, `mailwire mime dump PATH...` and
// `mailwire mime stat PATH...`

#include "commands.hpp"
#include "connection.hpp"
#include "help.hpp"
#include "message_options.hpp"
#include "message_walker.hpp"
#include "mime_dump.hpp"

#include <mailwire/mime/content_type.hpp>
#include <mailwire/mime/date_time.hpp>
#include <mailwire/mime/encoded_word.hpp>
#include <mailwire/mime/message.hpp>
#include <mailwire/mime/stream_parser.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace mailwire::cli {
namespace {

// The work list of the MIME parse benchmark (docs/cli.md, `mime stat`), for the message and each
// nested one.
struct Stat {
  std::uint64_t messages = 0, leaves = 0, decoded = 0, in_bytes = 0, addrs = 0, subj_bytes = 0;
  std::uint64_t misc = 0;  // keeps the work from being optimised away
  double seconds = 0;
};

// One message through the incremental parser: the work list for the message and each nested
// one (Subject decoded, From/To/Cc parsed, Date parsed) and for each leaf (type, charset, file
// name, the body decoded). Only a header block and a line of input are held at a time.
class MessageStat {
 public:
  explicit MessageStat(Stat& s) : s_(s), parser_(callbacks()) {}
  void feed(std::string_view bytes) {
    const auto t0 = std::chrono::steady_clock::now();
    parser_.feed(bytes);
    s_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    s_.in_bytes += bytes.size();
  }
  void finish() {
    const auto t0 = std::chrono::steady_clock::now();
    parser_.finish();
    s_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

 private:
  mime::StreamCallbacks callbacks() {
    mime::StreamCallbacks cb;
    cb.on_entity = [this](const mime::StreamEntity& e) { entity(e); };
    cb.on_body = [this](std::string_view decoded) { s_.decoded += decoded.size(); };
    return cb;
  }
  void entity(const mime::StreamEntity& e) {
    const mime::HeaderList& h = e.headers;
    if (e.message) {
      ++s_.messages;
      if (const auto subject = h.get("Subject"))
        s_.subj_bytes += mime::decode_encoded_words(*subject).size();
      for (const char* name : {"From", "To", "Cc"}) {
        for (const mime::HeaderField* f : h.all(name)) {
          for (const mime::Mailbox& box : mime::parse_address_list(f->value())) {
            ++s_.addrs;
            s_.misc += box.name.size() + box.address().size();
          }
        }
      }
      if (const auto date = h.get("Date")) {
        if (const auto d = mime::parse_date(*date))
          s_.misc += static_cast<std::uint64_t>(d->utc & 1);
      }
    }
    if (const auto charset = e.content_type.param("charset")) s_.misc += charset->size();
    if (!e.leaf) return;
    ++s_.leaves;
    if (const auto cd = h.get("Content-Disposition")) {
      if (const auto name = mime::ContentDisposition::parse(*cd).filename())
        s_.misc += name->size();
    } else if (const auto name = e.content_type.param("name")) {
      s_.misc += name->size();
    }
    s_.misc += e.transfer_encoding.size();
  }

  Stat& s_;
  mime::StreamParser parser_;
};

// Sinks for read_messages(): each message through its own MessageStat.
class StatSink : public MessageSink {
 public:
  explicit StatSink(Stat& s) : m_(s) {}
  void feed(std::string_view bytes) override { m_.feed(bytes); }
  void finish() override { m_.finish(); }

 private:
  MessageStat m_;
};

void stat_file(const std::filesystem::path& path, Stat& s) {
  read_messages(path, [&s](const std::filesystem::path&, std::size_t) {
    return std::make_unique<StatSink>(s);
  });
}

// A PATH of `mime stat` and `mime dump`: a file is itself; a folder, the regular files under
// it, recursively, in name order.
std::vector<std::filesystem::path> files_of(const std::string& path) {
  const std::filesystem::path p(path);
  std::error_code ec;
  if (!std::filesystem::is_directory(p, ec)) return {p};
  std::vector<std::filesystem::path> files;
  for (std::filesystem::recursive_directory_iterator it(p, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) throw Error(Errc::io, "cannot read the folder " + path + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

int stat_command(const Args& args) {
  if (args.size() < 2) throw UsageError{"mime stat needs at least one PATH"};
  Stat s;
  for (const auto& f : expand_paths(args, 1))
    stat_file(f, s);
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
    if (args.empty()) {
      print_help("mime", stderr);
      return ExitUsage;
    }
    if (args[0] == "stat") return stat_command(args);
    if (args[0] == "dump") {
      if (args.size() < 2) throw UsageError{"mime dump needs at least one PATH"};
      for (std::size_t i = 1; i < args.size(); ++i) {
        for (const auto& file : files_of(args[i]))
          dump_file(file.string());
      }
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

const Registrar registrar{
    {"mime", "build and parse messages (mime build, mime dump, mime stat)", run}};

}  // namespace
}  // namespace mailwire::cli
