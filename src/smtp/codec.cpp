#include "smtp/codec.hpp"

#include <mailwire/error.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

namespace {

// Whether p[j] stops a run that is already in wire form: a CR not followed by LF (or last),
// an LF not after a CR, and (with dots) a dot at the start of a line. p[first] is not
// checked for a dot (the caller stuffed it) nor against the octet before it.
bool stops_wire(const char* p, std::size_t j, std::size_t first, std::size_t n,
                bool dots) noexcept {
  const char c = p[j];
  if (c == '\r') return j + 1 == n || p[j + 1] != '\n';
  if (c == '\n') return j == first || p[j - 1] != '\r';
  return dots && c == '.' && j > first && p[j - 1] == '\n';
}

// The end of the run from p[i] that goes on the wire as it is (sixteen octets at a time where
// SSE2 is there: a well-formed message is one run).
std::size_t wire_run(const char* p, std::size_t i, std::size_t n, bool dots) noexcept {
  if (stops_wire(p, i, i, n, dots)) return i;
  std::size_t j = i + 1;
#ifdef __SSE2__
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i dot = _mm_set1_epi8(dots ? '.' : '\r');
  for (; j + 17 <= n; j += 16) {
    const __m128i prev = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j - 1));
    const __m128i cur = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j));
    const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j + 1));
    const __m128i prev_lf = _mm_cmpeq_epi8(prev, lf);
    __m128i stop =
        _mm_or_si128(_mm_andnot_si128(_mm_cmpeq_epi8(next, lf), _mm_cmpeq_epi8(cur, cr)),
                     _mm_andnot_si128(_mm_cmpeq_epi8(prev, cr), _mm_cmpeq_epi8(cur, lf)));
    if (dots) stop = _mm_or_si128(stop, _mm_and_si128(_mm_cmpeq_epi8(cur, dot), prev_lf));
    const int mask = _mm_movemask_epi8(stop);
    if (mask != 0) return j + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  for (; j < n; ++j) {
    if (stops_wire(p, j, i, n, dots)) return j;
  }
  return n;
}

}  // namespace

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
    // Copy the run that needs no change in one go (CRLF line ends, no dot starting a line).
    const std::size_t end = wire_run(chunk.data(), i, n, !bdat_);
    if (end > i) {
      out.append(chunk.data() + i, end - i);
      at_line_start_ = chunk[end - 1] == '\n';  // an LF in the run ends a CRLF
      i = end;
    }
    if (i == n) break;
    if (chunk[i] == '.') continue;  // at the start of a line: stuffed above
    if (chunk[i] == '\n') {         // bare LF
      out += "\r\n";
      at_line_start_ = true;
      ++i;
    } else {  // a bare CR; or a CR the next chunk decides about
      ++i;
      if (i == n) {
        pending_cr_ = true;
        break;
      }
      out += "\r\n";
      at_line_start_ = true;
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
