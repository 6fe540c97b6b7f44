#include "pop3/codec.hpp"

#include <mailwire/error.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mailwire::pop3 {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

template <typename T>
bool parse_number(std::string_view s, T& out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Splits off the first space-separated word.
std::string_view next_word(std::string_view& s) {
  s = trim(s);
  const std::size_t sp = s.find_first_of(" \t");
  const std::string_view word = s.substr(0, sp);
  s = sp == std::string_view::npos ? std::string_view() : s.substr(sp + 1);
  return word;
}

}  // namespace

std::error_code parse_status_line(std::string_view line, StatusLine& out) {
  out = StatusLine{};
  std::string_view rest;
  if (line.substr(0, 3) == "+OK") {
    out.kind = StatusLine::Kind::Ok;
    rest = line.substr(3);
  } else if (line.substr(0, 4) == "-ERR") {
    out.kind = StatusLine::Kind::Err;
    rest = line.substr(4);
  } else if (line == "+" || line.substr(0, 2) == "+ ") {
    out.kind = StatusLine::Kind::Continue;
    out.text = std::string(line.substr(std::min<std::size_t>(2, line.size())));
    return {};
  } else {
    return make_error_code(Errc::protocol);
  }
  // "+OKAY" is not "+OK": the status must end the word.
  if (!rest.empty() && rest.front() != ' ' && rest.front() != '\t') {
    return make_error_code(Errc::protocol);
  }
  rest = trim(rest);
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close != std::string_view::npos) {
      out.code = upper(rest.substr(1, close - 1));
      rest = trim(rest.substr(close + 1));
    }
  }
  out.text = std::string(rest);
  return {};
}

bool is_transient_code(std::string_view code) noexcept {
  return code == "IN-USE" || code == "LOGIN-DELAY" || code == "SYS/TEMP";
}

std::string_view apop_timestamp(std::string_view greeting) noexcept {
  const std::size_t open = greeting.find('<');
  if (open == std::string_view::npos) return {};
  const std::size_t close = greeting.find('>', open);
  if (close == std::string_view::npos) return {};
  const std::string_view stamp = greeting.substr(open, close - open + 1);
  // RFC 1939 says msg-id: it has an '@' and no spaces or controls.
  if (stamp.find('@') == std::string_view::npos) return {};
  for (char c : stamp) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return {};
  }
  return stamp;
}

void parse_capability(std::string_view line, Pop3Capabilities& caps) {
  caps.lines.emplace_back(line);
  std::string_view rest = line;
  const std::string name = upper(next_word(rest));
  rest = trim(rest);
  if (name == "TOP") {
    caps.top = true;
  } else if (name == "UIDL") {
    caps.uidl = true;
  } else if (name == "USER") {
    caps.user = true;
  } else if (name == "STLS") {
    caps.stls = true;
  } else if (name == "PIPELINING") {
    caps.pipelining = true;
  } else if (name == "RESP-CODES") {
    caps.resp_codes = true;
  } else if (name == "AUTH-RESP-CODE") {
    caps.auth_resp_code = true;
  } else if (name == "UTF8") {
    caps.utf8 = true;
  } else if (name == "SASL") {
    while (!rest.empty()) {
      const std::string mech = upper(next_word(rest));
      if (!mech.empty() && std::find(caps.sasl.begin(), caps.sasl.end(), mech) == caps.sasl.end()) {
        caps.sasl.push_back(mech);
      }
    }
  } else if (name == "LOGIN-DELAY") {
    int seconds = 0;
    if (parse_number(next_word(rest), seconds)) caps.login_delay = seconds;
  } else if (name == "EXPIRE") {
    const std::string_view value = next_word(rest);
    int days = 0;
    if (upper(value) == "NEVER") {
      caps.expire = -1;
    } else if (parse_number(value, days)) {
      caps.expire = days;
    }
  } else if (name == "IMPLEMENTATION") {
    caps.implementation = std::string(rest);
  }
}

std::error_code parse_stat(std::string_view text, Pop3Stat& out) {
  std::string_view rest = text;
  if (!parse_number(next_word(rest), out.count) || !parse_number(next_word(rest), out.size)) {
    return make_error_code(Errc::protocol);
  }
  return {};
}

std::error_code parse_list_entry(std::string_view line, Pop3ListEntry& out) {
  std::string_view rest = line;
  if (!parse_number(next_word(rest), out.number) || out.number == 0 ||
      !parse_number(next_word(rest), out.size)) {
    return make_error_code(Errc::protocol);
  }
  return {};
}

std::error_code parse_uidl_entry(std::string_view line, Pop3UidlEntry& out) {
  std::string_view rest = line;
  if (!parse_number(next_word(rest), out.number) || out.number == 0) {
    return make_error_code(Errc::protocol);
  }
  const std::string_view uid = next_word(rest);
  // RFC 1939: 1 to 70 characters in 0x21..0x7E. Longer ones are accepted up to a sane bound
  // (servers exceed 70) but never controls or spaces.
  if (uid.empty() || uid.size() > 512) return make_error_code(Errc::protocol);
  for (char c : uid) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e) return make_error_code(Errc::protocol);
  }
  out.uid = std::string(uid);
  return {};
}

std::error_code encode_command(std::string_view verb, std::initializer_list<std::string_view> args,
                               std::string& out, bool last_may_have_spaces) {
  std::string line(verb);
  std::size_t index = 0;
  for (const std::string_view arg : args) {
    ++index;
    const bool spaces_ok = last_may_have_spaces && index == args.size();
    if (arg.empty() || arg.size() > 4096) return make_error_code(Errc::usage);
    for (char c : arg) {
      if (c == '\r' || c == '\n' || c == '\0' || (c == ' ' && !spaces_ok)) {
        return make_error_code(Errc::usage);
      }
    }
    line += ' ';
    line += arg;
  }
  line += "\r\n";
  out = std::move(line);
  return {};
}

}  // namespace mailwire::pop3
