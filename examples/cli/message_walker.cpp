// Walking message files: folders in name order, mbox files split at their "From " lines.

#include "message_walker.hpp"

#include <mailwire/error.hpp>

#include <algorithm>
#include <cstdio>
#include <string>

namespace mailwire::cli {

std::vector<std::filesystem::path> expand_paths(const Args& args, std::size_t first) {
  std::vector<std::filesystem::path> out;
  for (std::size_t i = first; i < args.size(); ++i) {
    const std::filesystem::path p(args[i]);
    if (std::filesystem::is_directory(p)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::recursive_directory_iterator(p)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      out.insert(out.end(), files.begin(), files.end());
    } else {
      out.push_back(p);
    }
  }
  return out;
}

// A file in fixed-size chunks; an mbox is split at its "From " lines (the line itself is not
// part of the message), across chunk ends too.
void read_messages(const std::filesystem::path& path, const SinkFactory& make) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) throw Error(Errc::io, "cannot read " + path.string());
  const std::string name = path.filename().string();
  const bool mbox = name.size() > 5 && (name.find(".mbox") != std::string::npos);
  static char chunk[64 * 1024];
  if (!mbox) {
    const auto m = make(path, 0);
    for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, f.get())) > 0;)
      m->feed(std::string_view(chunk, n));
    m->finish();
    return;
  }
  std::size_t index = 0;
  std::unique_ptr<MessageSink> current;
  std::string buf;         // unprocessed bytes: at most a partial "From " line and 5 more
  bool from_line = false;  // inside a "From " line, which is skipped
  bool line_start = true;  // buf[0] starts a line
  const auto drain = [&](bool at_end) {
    std::size_t at = 0;
    while (at < buf.size()) {
      if (from_line) {
        const std::size_t nl = buf.find('\n', at);
        if (nl == std::string::npos) {
          at = buf.size();
          break;
        }
        at = nl + 1;
        from_line = false;
        current = make(path, ++index);
        continue;
      }
      std::size_t hit = std::string::npos;
      if (at == 0 && line_start && buf.compare(0, 5, "From ") == 0) {
        hit = 0;
      } else {
        const std::size_t nl_from = buf.find("\nFrom ", at);
        if (nl_from != std::string::npos) hit = nl_from + 1;
      }
      if (hit == std::string::npos) {
        // Keep the last bytes: "\nFrom " may continue in the next chunk.
        const std::size_t keep = at_end ? 0 : std::min<std::size_t>(buf.size() - at, 6);
        if (current) current->feed(std::string_view(buf).substr(at, buf.size() - at - keep));
        at = buf.size() - keep;
        break;
      }
      if (current) {
        current->feed(std::string_view(buf).substr(at, hit - at));
        current->finish();
        current.reset();
      }
      from_line = true;
      at = hit;
    }
    line_start = at == 0 ? line_start : buf[at - 1] == '\n';
    buf.erase(0, at);
  };
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, f.get())) > 0;) {
    buf.append(chunk, n);
    drain(false);
  }
  drain(true);
  if (current) current->finish();
}

}  // namespace mailwire::cli
