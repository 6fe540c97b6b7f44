#include <mailwire/mime/charset.hpp>

#include <mailwire/mime/content_type.hpp>
#include <mailwire/mime/encoded_word.hpp>
#include "detail/digest.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace mailwire::mime {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0)
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0)
    s.remove_suffix(1);
  return s;
}

// Skips whitespace and (nested) comments.
void skip_cfws(std::string_view s, std::size_t& i) {
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i])) != 0) {
      ++i;
    } else if (s[i] == '(') {
      int depth = 0;
      do {
        if (s[i] == '\\' && i + 1 < s.size()) {
          ++i;  // a quoted pair: the next character is literal
        } else if (s[i] == '(') {
          ++depth;
        } else if (s[i] == ')') {
          --depth;
        }
        ++i;
      } while (i < s.size() && depth > 0);
    } else {
      break;
    }
  }
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && detail::hex_value(s[i + 1]) >= 0 &&
        detail::hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(detail::hex_value(s[i + 1]) << 4 | detail::hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct Piece {
  bool encoded = false;
  std::string value;
};

}  // namespace

ParameterList ParameterList::parse(std::string_view s, bool* defect) {
  ParameterList list;
  // name -> (section -> piece), for RFC 2231 continuations; plain values kept in order.
  std::map<std::string, std::map<int, Piece>> sections;
  std::vector<std::string> order;
  std::map<std::string, std::string> spelled;  // lower-case base name -> as first written
  std::size_t i = 0;
  while (i < s.size()) {
    skip_cfws(s, i);
    if (i < s.size() && s[i] == ';') {
      ++i;
      continue;
    }
    // name
    const std::size_t name_start = i;
    while (i < s.size() && s[i] != '=' && s[i] != ';' &&
           std::isspace(static_cast<unsigned char>(s[i])) == 0)
      ++i;
    const std::string_view written = s.substr(name_start, i - name_start);
    std::string name = lower(written);
    {
      const std::string base_written(written.substr(0, written.find('*')));
      const std::string base_lower = lower(base_written);
      if (spelled.count(base_lower) == 0) spelled[base_lower] = base_written;
    }
    skip_cfws(s, i);
    if (i >= s.size() || s[i] != '=') {
      // A name without a value: kept with an empty one (as CPython does), with a defect.
      if (!name.empty()) {
        if (defect != nullptr) *defect = true;
        if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
        sections[name][-1] = {false, std::string()};
      }
      while (i < s.size() && s[i] != ';')
        ++i;
      continue;
    }
    ++i;  // '='
    skip_cfws(s, i);
    std::string value;
    bool quoted = false;
    if (i < s.size() && s[i] == '"') {
      quoted = true;
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value += s[i++];
      }
      if (i < s.size()) {
        ++i;
      } else if (defect != nullptr) {
        *defect = true;
      }
    } else {
      // A token ends at whitespace; anything after it up to the next ';' is junk (as CPython
      // reads it).
      const std::size_t start = i;
      while (i < s.size() && s[i] != ';' && std::isspace(static_cast<unsigned char>(s[i])) == 0) {
        ++i;
      }
      value = std::string(s.substr(start, i - start));
      std::size_t junk = i;
      skip_cfws(s, junk);
      if (junk < s.size() && s[junk] != ';' && defect != nullptr) *defect = true;
      while (i < s.size() && s[i] != ';')
        ++i;
    }
    if (name.empty()) continue;
    // RFC 2231: name*, name*N, name*N*.
    int section = -1;
    bool encoded = false;
    std::string base = name;
    if (const std::size_t star = name.find('*'); star != std::string::npos) {
      base = name.substr(0, star);
      std::string rest = name.substr(star + 1);
      if (!rest.empty() && rest.back() == '*') {
        encoded = true;
        rest.pop_back();
      } else if (rest.empty()) {
        encoded = true;  // "name*="
      }
      if (!rest.empty()) {
        if (rest.size() > 3 || !std::all_of(rest.begin(), rest.end(), ::isdigit)) {
          base = name;  // not a continuation after all
          encoded = false;
        } else {
          section = std::stoi(rest);
        }
      } else {
        section = 0;
      }
    }
    if (section < 0) {
      if (std::find(order.begin(), order.end(), base) == order.end()) order.push_back(base);
      auto& pieces = sections[base];
      if (pieces.count(-1) == 0)
        pieces[-1] = {false, quoted && value.find("=?") != std::string::npos
                                 ? decode_encoded_words(value)
                                 : value};
      continue;
    }
    if (std::find(order.begin(), order.end(), base) == order.end()) order.push_back(base);
    sections[base][section] = {encoded, value};
  }
  for (const std::string& name : order) {
    auto& pieces = sections[name];
    // Continuations (sections >= 0) win over a plain value of the same name.
    const bool has_sections = pieces.size() > pieces.count(-1);
    if (!has_sections) {
      list.items_.emplace_back(name, repair_utf8(pieces[-1].value));
      list.written_.push_back(spelled.count(name) != 0 ? spelled[name] : name);
      continue;
    }
    std::string charset;
    std::string bytes;
    int expected = 0;
    for (const auto& [number, piece] : pieces) {
      if (number < 0) continue;
      if (number != expected && defect != nullptr) *defect = true;  // a missing piece
      expected = number + 1;
      std::string_view v = piece.value;
      if (piece.encoded && number == 0) {
        // charset'language'value
        const std::size_t q1 = v.find('\'');
        const std::size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
        if (q2 != std::string_view::npos) {
          charset = std::string(v.substr(0, q1));
          v = v.substr(q2 + 1);
        }
      }
      bytes += piece.encoded ? percent_decode(v) : std::string(v);
    }
    std::string out;
    if (charset.empty() || !to_utf8(charset, bytes, out)) out = repair_utf8(bytes);
    list.items_.emplace_back(name, std::move(out));
    list.written_.push_back(spelled.count(name) != 0 ? spelled[name] : name);
  }
  return list;
}

std::optional<std::string_view> ParameterList::get(std::string_view name) const {
  for (const auto& [n, v] : items_) {
    if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        })) {
      return std::string_view(v);
    }
  }
  return std::nullopt;
}

ContentType ContentType::parse(std::string_view value) {
  ContentType ct;
  std::size_t i = 0;
  skip_cfws(value, i);
  const std::size_t semi = value.find(';', i);
  const std::string_view head =
      trim(value.substr(i, semi == std::string_view::npos ? semi : semi - i));
  const std::size_t slash = head.find('/');
  if (slash != std::string_view::npos) {
    const std::string type = lower(trim(head.substr(0, slash)));
    std::string subtype = lower(trim(head.substr(slash + 1)));
    if (const std::size_t sp = subtype.find_first_of(" \t("); sp != std::string::npos)
      subtype.resize(sp);
    const auto token = [](const std::string& t) {
      return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7f &&
               std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
      });
    };
    if (token(type) && token(subtype)) {
      ct.type = type;
      ct.subtype = subtype;
      ct.valid = true;
    }
  }
  if (semi != std::string_view::npos) ct.params = ParameterList::parse(value.substr(semi + 1));
  return ct;
}

ContentDisposition ContentDisposition::parse(std::string_view value) {
  ContentDisposition cd;
  const std::size_t semi = value.find(';');
  cd.kind = lower(trim(value.substr(0, semi)));
  if (semi != std::string_view::npos) cd.params = ParameterList::parse(value.substr(semi + 1));
  return cd;
}

}  // namespace mailwire::mime
