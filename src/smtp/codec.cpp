#include "smtp/codec.hpp"

#include <mailwire/error.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace mailwire {

std::string SmtpReply::to_string() const {
  std::string out = std::to_string(code);
  if (!enhanced.empty()) out += ' ' + enhanced;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += i == 0 ? " " : "; ";
    out += lines[i];
  }
  return out;
}

namespace smtp {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// RFC 3463: class "." subject "." detail; class 2, 4 or 5; subject and detail 1-3 digits.
std::size_t enhanced_code_length(std::string_view text) {
  if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') {
    return 0;
  }
  std::size_t i = 2;
  for (int part = 0; part < 2; ++part) {
    const std::size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0)
      ++i;
    if (i == start || i - start > 3) return 0;
    if (part == 0) {
      if (i >= text.size() || text[i] != '.') return 0;
      ++i;
    }
  }
  if (i < text.size() && text[i] != ' ') return 0;
  return i;
}

}  // namespace

std::error_code ReplyParser::feed(std::string_view line, Status& status) {
  status = Status::NeedMore;
  if (line.size() < 3 || std::isdigit(static_cast<unsigned char>(line[0])) == 0 ||
      std::isdigit(static_cast<unsigned char>(line[1])) == 0 ||
      std::isdigit(static_cast<unsigned char>(line[2])) == 0 || line[0] < '2' || line[0] > '5') {
    reply_ = {};
    return make_error_code(Errc::protocol);
  }
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') {
    reply_ = {};
    return make_error_code(Errc::protocol);
  }
  const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (!reply_.lines.empty() && code != reply_.code) {
    reply_ = {};
    return make_error_code(Errc::protocol);
  }
  if (reply_.lines.size() >= max_lines_) {
    reply_ = {};
    return make_error_code(Errc::limit);
  }
  reply_.code = code;
  std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view();
  // The enhanced code of the first line applies to the reply; each line repeats it.
  if (const std::size_t n = enhanced_code_length(text); n > 0 && code / 100 == text[0] - '0') {
    if (reply_.lines.empty()) reply_.enhanced = std::string(text.substr(0, n));
    text.remove_prefix(std::min(text.size(), n + 1));
  }
  reply_.lines.emplace_back(text);
  if (line.size() == 3 || line[3] == ' ') status = Status::Done;
  return {};
}

SmtpReply ReplyParser::take() {
  SmtpReply out = std::move(reply_);
  reply_ = {};
  return out;
}

SmtpCapabilities parse_ehlo(const SmtpReply& reply) {
  SmtpCapabilities caps;
  caps.esmtp = true;
  if (reply.lines.empty()) return caps;
  caps.server_name = reply.lines[0].substr(0, reply.lines[0].find(' '));
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    const std::string& line = reply.lines[i];
    caps.lines.push_back(line);
    const std::size_t sp = line.find_first_of(" =");
    const std::string keyword = upper(std::string_view(line).substr(0, sp));
    const std::string_view params =
        sp == std::string::npos ? std::string_view() : std::string_view(line).substr(sp + 1);
    if (keyword == "STARTTLS") {
      caps.starttls = true;
    } else if (keyword == "PIPELINING") {
      caps.pipelining = true;
    } else if (keyword == "8BITMIME") {
      caps.eight_bit_mime = true;
    } else if (keyword == "SMTPUTF8") {
      caps.smtputf8 = true;
    } else if (keyword == "BINARYMIME") {
      caps.binarymime = true;
    } else if (keyword == "CHUNKING") {
      caps.chunking = true;
    } else if (keyword == "DSN") {
      caps.dsn = true;
    } else if (keyword == "ENHANCEDSTATUSCODES") {
      caps.enhanced_status_codes = true;
    } else if (keyword == "SIZE") {
      caps.size_known = true;
      std::uint64_t n = 0;
      const auto [end, ec] = std::from_chars(params.data(), params.data() + params.size(), n);
      if (ec == std::errc() && end == params.data() + params.size()) caps.size = n;
    } else if (keyword == "AUTH") {
      std::size_t at = 0;
      while (at < params.size()) {
        const std::size_t next = params.find(' ', at);
        const std::string mech = upper(
            params.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
        if (!mech.empty() &&
            std::find(caps.auth.begin(), caps.auth.end(), mech) == caps.auth.end()) {
          caps.auth.push_back(mech);
        }
        if (next == std::string_view::npos) break;
        at = next + 1;
      }
    }
  }
  return caps;
}

void DataEncoder::feed(std::string_view chunk, std::string& out) {
  out.reserve(out.size() + chunk.size() + chunk.size() / 64 + 8);
  std::size_t i = 0;
  const std::size_t n = chunk.size();
  while (i < n) {
    if (pending_cr_) {
      pending_cr_ = false;
      out += "\r\n";
      at_line_start_ = true;
      if (chunk[i] == '\n') {  // the CR LF pair split across chunks
        ++i;
        continue;
      }
    }
    if (at_line_start_ && !bdat_ && chunk[i] == '.') out += '.';
    at_line_start_ = false;
    // Copy the run up to the next CR or LF.
    std::size_t end = i;
    while (end < n && chunk[end] != '\r' && chunk[end] != '\n')
      ++end;
    out.append(chunk.data() + i, end - i);
    i = end;
    if (i == n) break;
    if (chunk[i] == '\n') {  // bare LF
      out += "\r\n";
      at_line_start_ = true;
      ++i;
    } else {  // CR: CRLF, or a bare CR; the next byte decides, maybe in the next chunk
      ++i;
      if (i == n) {
        pending_cr_ = true;
        break;
      }
      out += "\r\n";
      at_line_start_ = true;
      if (chunk[i] == '\n') ++i;
    }
  }
}

void DataEncoder::finish(std::string& out) {
  if (pending_cr_) {
    out += "\r\n";
    pending_cr_ = false;
    at_line_start_ = true;
  }
  if (!at_line_start_) out += "\r\n";
  if (!bdat_) out += ".\r\n";
  at_line_start_ = true;
}

void BodyScan::feed(std::string_view chunk) noexcept {
  for (const char c : chunk) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) eight_bit = true;
    if (u == 0) binary = true;
  }
}

}  // namespace smtp
}  // namespace mailwire
