#include "dkim/tag_list.hpp"

#include "detail/base64.hpp"

#include <cctype>

namespace mailwire::dkim::detail {

namespace {

constexpr std::size_t max_tags = 64;

bool is_fws(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim_fws(std::string_view s) noexcept {
  while (!s.empty() && is_fws(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_fws(s.back()))
    s.remove_suffix(1);
  return s;
}

bool is_alpha(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// tag-name = ALPHA *ALNUMPUNC; ALNUMPUNC = ALPHA / DIGIT / "_"
bool is_tag_name(std::string_view s) noexcept {
  if (s.empty() || !is_alpha(s.front())) return false;
  for (char c : s) {
    if (!is_alpha(c) && !is_digit(c) && c != '_') return false;
  }
  return true;
}

// tag-value = [ tval *( 1*(WSP / FWS) tval ) ]; tval = 1*VALCHAR; VALCHAR = %x21-3A / %x3C-7E.
// Folding inside a value must be CRLF followed by white space.
bool is_tag_value(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || c == '\t') continue;
    if (c == '\r') {
      if (i + 2 >= s.size() || s[i + 1] != '\n' || (s[i + 2] != ' ' && s[i + 2] != '\t')) {
        return false;
      }
      ++i;
      continue;
    }
    if (c < 0x21 || c > 0x7e || c == ';') return false;
  }
  return true;
}

std::vector<std::string> split_colon(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t colon = s.find(':', start);
    const std::string_view part =
        trim_fws(s.substr(start, colon == std::string_view::npos ? s.npos : colon - start));
    out.emplace_back(part);
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  return out;
}

}  // namespace

const std::string* TagList::find(std::string_view name) const noexcept {
  for (const Tag& t : tags) {
    if (t.name == name) return &t.value;
  }
  return nullptr;
}

TagList parse_tag_list(std::string_view text) {
  TagList out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t semi = text.find(';', start);
    const std::string_view spec =
        text.substr(start, semi == std::string_view::npos ? text.npos : semi - start);
    start = semi == std::string_view::npos ? text.size() + 1 : semi + 1;
    if (trim_fws(spec).empty()) {
      // Only the trailing ";" may leave an empty spec.
      if (semi == std::string_view::npos) break;
      if (trim_fws(text.substr(start)).empty()) break;
      out.error = "empty tag";
      return out;
    }
    const std::size_t eq = spec.find('=');
    if (eq == std::string_view::npos) {
      out.error = "tag without '='";
      return out;
    }
    const std::string_view name = trim_fws(spec.substr(0, eq));
    const std::string_view value = trim_fws(spec.substr(eq + 1));
    if (!is_tag_name(name)) {
      out.error = "bad tag name";
      return out;
    }
    if (!is_tag_value(value)) {
      out.error = "bad value of tag " + std::string(name);
      return out;
    }
    if (out.find(name) != nullptr) {
      out.error = "duplicate tag " + std::string(name);
      return out;
    }
    if (out.tags.size() == max_tags) {
      out.error = "too many tags";
      return out;
    }
    out.tags.push_back(Tag{std::string(name), std::string(value)});
  }
  return out;
}

std::string strip_fws(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (!is_fws(c)) out += c;
  }
  return out;
}

bool decode_base64_fws(std::string_view text, std::string& out) {
  return mailwire::detail::base64_decode(strip_fws(text), out);
}

KeyRecord parse_key_record(std::string_view text) {
  KeyRecord out;
  const TagList list = parse_tag_list(text);
  if (!list.ok()) {
    out.error = "malformed key record: " + list.error;
    return out;
  }
  // v= is optional, but when present it must be the first tag and say DKIM1.
  if (const std::string* v = list.find("v")) {
    if (list.tags.front().name != "v" || *v != "DKIM1") {
      out.error = "key record version is not DKIM1";
      return out;
    }
  }
  if (const std::string* k = list.find("k")) out.key_type = *k;
  if (const std::string* h = list.find("h")) out.hashes = split_colon(*h);
  if (const std::string* s = list.find("s")) {
    out.email_service = false;
    for (const std::string& service : split_colon(*s)) {
      if (service == "*" || service == "email") out.email_service = true;
    }
  }
  if (const std::string* t = list.find("t")) {
    for (const std::string& flag : split_colon(*t)) {
      if (flag == "y") out.testing = true;
      if (flag == "s") out.strict_identity = true;
    }
  }
  const std::string* p = list.find("p");
  if (p == nullptr) {
    out.error = "key record without p=";
    return out;
  }
  const std::string key = strip_fws(*p);
  if (key.empty()) {
    out.revoked = true;
    return out;
  }
  if (!decode_base64_fws(key, out.public_key)) {
    out.public_key.clear();
    out.error = "key record p= is not base64";
  }
  return out;
}

}  // namespace mailwire::dkim::detail
