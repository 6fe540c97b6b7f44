#include <mailwire/protocol_log.hpp>

namespace mailwire {
namespace {

std::string_view line_ending(std::string_view line) {
  if (line.size() >= 2 && line.substr(line.size() - 2) == "\r\n")
    return line.substr(line.size() - 2);
  if (!line.empty() && line.back() == '\n') return line.substr(line.size() - 1);
  return {};
}

}  // namespace

std::string redact_words(std::string_view line, std::size_t keep_words) {
  const std::string_view ending = line_ending(line);
  const std::string_view body = line.substr(0, line.size() - ending.size());
  std::size_t pos = 0;
  for (std::size_t word = 0; word < keep_words; ++word) {
    pos = body.find(' ', pos);
    if (pos == std::string_view::npos) return std::string(line);
    ++pos;
  }
  if (pos >= body.size()) return std::string(line);
  std::string out(body.substr(0, pos));
  out += "****";
  out += ending;
  return out;
}

std::string redact_line(std::string_view line) {
  std::string out = "****";
  out += line_ending(line);
  return out;
}

std::string escape_for_log(std::string_view bytes) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') {
      out += "\\r\\n\n";
      ++i;
    } else if (c == '\n') {
      out += "\\n\n";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    }
  }
  return out;
}

}  // namespace mailwire
