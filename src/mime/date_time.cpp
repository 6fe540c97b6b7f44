#include <mailwire/mime/date_time.hpp>

#include <cctype>
#include <cstring>
#include <string>

namespace mailwire::mime {
namespace {

bool iequal_prefix(std::string_view word, const char* name) {
  const std::size_t n = std::strlen(name);
  if (word.size() < 3 || word.size() > n) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(word[i])) != name[i]) return false;
  }
  return true;
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

}  // namespace

std::optional<DateTime> parse_date(std::string_view v) {
  // Tokens: words and numbers; punctuation (',' ':') and comments separate them.
  std::string tokens[16];
  int count = 0;
  std::size_t i = 0;
  while (i < v.size() && count < 16) {
    const char c = v[i];
    if (c == '(') {
      int depth = 0;
      do {
        if (v[i] == '(') ++depth;
        if (v[i] == ')') --depth;
        ++i;
      } while (i < v.size() && depth > 0);
      continue;
    }
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-') {
      std::string t(1, c);
      ++i;
      while (i < v.size() && std::isalnum(static_cast<unsigned char>(v[i])) != 0)
        t += v[i++];
      tokens[count++] = t;
      if (i < v.size() && v[i] == ':') tokens[count - 1] += ':';  // mark time pieces
      continue;
    }
    ++i;
  }
  static const char* months[] = {"january",   "february", "march",    "april",
                                 "may",       "june",     "july",     "august",
                                 "september", "october",  "november", "december"};
  int day = -1, month = -1, hour = -1, minute = -1, second = 0, zone = 0;
  long long year = -1;
  bool zone_seen = false;
  for (int k = 0; k < count; ++k) {
    std::string t = tokens[k];
    const bool time_piece = !t.empty() && t.back() == ':';
    if (time_piece) t.pop_back();
    if (std::isalpha(static_cast<unsigned char>(t[0])) != 0) {
      for (int mo = 0; mo < 12 && month < 0; ++mo) {
        if (iequal_prefix(t, months[mo])) month = mo + 1;
      }
      if (month >= 0 && iequal_prefix(t, months[month - 1])) continue;
      std::string z;
      for (const char c : t)
        z += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      static const std::pair<const char*, int> zones[] = {
          {"UT", 0},        {"UTC", 0},       {"GMT", 0},       {"Z", 0},
          {"EST", -5 * 60}, {"EDT", -4 * 60}, {"CST", -6 * 60}, {"CDT", -5 * 60},
          {"MST", -7 * 60}, {"MDT", -6 * 60}, {"PST", -8 * 60}, {"PDT", -7 * 60}};
      for (const auto& [name, off] : zones) {
        if (z == name && hour >= 0) {
          zone = off;
          zone_seen = true;
        }
      }
      continue;  // day names, military zones (-0000), noise
    }
    const auto digits = [](std::string_view d) {
      return !d.empty() && d.find_first_not_of("0123456789") == std::string_view::npos;
    };
    if ((t[0] == '+' || t[0] == '-') && t.size() == 5 && hour >= 0 && digits(t.substr(1))) {
      const int hh = std::stoi(t.substr(1, 2));
      const int mm = std::stoi(t.substr(3, 2));
      zone = (t[0] == '-' ? -1 : 1) * (hh * 60 + mm);
      zone_seen = true;
      continue;
    }
    if (t[0] == '+' || t[0] == '-') continue;
    std::size_t lead = 0;
    while (lead < t.size() && std::isdigit(static_cast<unsigned char>(t[lead])) != 0)
      ++lead;
    if (lead == 0 || lead > 9) return std::nullopt;
    t.resize(lead);  // "1st" -> "1"
    const long long n = std::stoll(t);
    if (time_piece || (hour >= 0 && minute < 0)) {
      if (hour < 0) {
        hour = static_cast<int>(n);
      } else if (minute < 0) {
        minute = static_cast<int>(n);
      } else {
        second = static_cast<int>(n);
      }
      continue;
    }
    if (hour >= 0 && minute >= 0 && second == 0 && k > 0 && !tokens[k - 1].empty() &&
        tokens[k - 1].back() == ':') {
      second = static_cast<int>(n);
      continue;
    }
    if (day < 0 && month < 0 && t.size() <= 2) {
      day = static_cast<int>(n);
    } else if (day < 0 && t.size() <= 2) {
      day = static_cast<int>(n);
    } else if (year < 0) {
      year = n;
      if (t.size() <= 2)
        year += n < 50 ? 2000 : 1900;  // RFC 5322 4.3
      else if (t.size() == 3)
        year += 1900;
    }
  }
  (void)zone_seen;
  if (day < 1 || day > 31 || month < 1 || year < 1000 || year > 9999 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 60) {
    return std::nullopt;
  }
  DateTime out;
  out.offset_minutes = zone;
  const long long days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  out.utc = static_cast<std::time_t>(days * 86400 + hour * 3600 + minute * 60 + second -
                                     static_cast<long long>(zone) * 60);
  return out;
}

}  // namespace mailwire::mime
