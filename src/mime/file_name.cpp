// Attachment file names made safe for the local file system.

#include <mailwire/error.hpp>
#include <mailwire/mime/charset.hpp>
#include <mailwire/mime/file_name.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <string>

namespace mailwire::mime {

namespace {

constexpr std::size_t max_name_octets = 200;

bool is_device_name(std::string_view stem) {
  static constexpr std::array<std::string_view, 6> plain = {"CON", "PRN",    "AUX",
                                                            "NUL", "CLOCK$", "CONIN$"};
  std::string upper(stem);
  for (char& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (std::find(plain.begin(), plain.end(), upper) != plain.end()) return true;
  return upper.size() == 4 &&
         (upper.compare(0, 3, "COM") == 0 || upper.compare(0, 3, "LPT") == 0) && upper[3] >= '1' &&
         upper[3] <= '9';
}

// The length of the longest prefix of `s` of at most `n` octets that ends on a UTF-8
// character boundary.
std::size_t utf8_cut(std::string_view s, std::size_t n) {
  if (s.size() <= n) return s.size();
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
    --n;
  return n;
}

}  // namespace

std::string safe_file_name(std::string_view name, std::string_view fallback) {
  const std::size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out = repair_utf8(name);  // invalid bytes become U+FFFD
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || std::string_view("<>:\"|?*").find(c) != std::string_view::npos)
      c = '_';
  }
  const std::size_t first = out.find_first_not_of(". ");
  if (first == std::string::npos) return std::string(fallback);
  out.erase(0, first);
  while (!out.empty() && (out.back() == '.' || out.back() == ' '))
    out.pop_back();
  if (out.empty()) return std::string(fallback);

  const std::size_t dot = out.rfind('.');
  const std::string_view stem = std::string_view(out).substr(0, dot);
  if (is_device_name(stem)) out.insert(0, "_");

  if (out.size() > max_name_octets) {
    const std::size_t ext_at = out.rfind('.');
    std::string ext = ext_at != std::string::npos && out.size() - ext_at <= 16 ? out.substr(ext_at)
                                                                               : std::string();
    std::string_view base(out.data(), out.size() - ext.size());
    base = base.substr(0, utf8_cut(base, max_name_octets - ext.size()));
    out = std::string(base) + ext;
  }
  return out;
}

std::string unique_file_path(const std::string& directory, std::string_view file_name) {
  namespace fs = std::filesystem;
  const std::string name(file_name);
  std::string path = directory + "/" + name;
  std::error_code ec;
  if (!fs::exists(path, ec)) return path;
  const std::size_t dot = name.rfind('.');
  const bool has_ext = dot != std::string::npos && dot > 0;
  const std::string stem = has_ext ? name.substr(0, dot) : name;
  const std::string ext = has_ext ? name.substr(dot) : std::string();
  for (int i = 2; i <= 10000; ++i) {
    path = directory + "/" + stem + " (" + std::to_string(i) + ")" + ext;
    if (!fs::exists(path, ec)) return path;
  }
  throw Error(Errc::io, "no free file name for " + name + " in " + directory);
}

}  // namespace mailwire::mime
