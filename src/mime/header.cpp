#include <mailwire/error.hpp>
#include <mailwire/mime/header.hpp>

#include <algorithm>
#include <cctype>

namespace mailwire::mime {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string HeaderField::value() const {
  std::string_view v(raw);
  const std::size_t colon = v.find(':');
  v = colon == std::string_view::npos ? std::string_view() : v.substr(colon + 1);
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (c == '\r' || c == '\n') continue;  // unfolding: the line break goes, the space stays
    out += c;
  }
  std::size_t start = 0;
  while (start < out.size() && (out[start] == ' ' || out[start] == '\t'))
    ++start;
  std::size_t end = out.size();
  while (end > start && (out[end - 1] == ' ' || out[end - 1] == '\t'))
    --end;
  return out.substr(start, end - start);
}

HeaderList HeaderList::parse(std::string_view block, std::vector<std::string>* defects) {
  HeaderList list;
  std::size_t at = 0;
  while (at < block.size()) {
    // A field: its first line and every continuation line (starting with space or tab).
    std::size_t end = at;
    do {
      const std::size_t nl = block.find('\n', end);
      end = nl == std::string_view::npos ? block.size() : nl + 1;
    } while (end < block.size() && (block[end] == ' ' || block[end] == '\t'));
    const std::string_view field = block.substr(at, end - at);
    const std::size_t colon = field.find(':');
    std::string_view name =
        colon == std::string_view::npos ? std::string_view() : field.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
      name.remove_suffix(1);
    const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return u > 0x20 && u < 0x7f && c != ':';
    });
    if (valid) {
      list.fields_.push_back({std::string(name), std::string(field)});
    } else {
      if (defects != nullptr)
        defects->push_back("not a header field: " + std::string(field.substr(0, 60)));
      list.fields_.push_back({std::string(), std::string(field)});  // kept for writing back
    }
    at = end;
  }
  return list;
}

const HeaderField* HeaderList::find(std::string_view name) const noexcept {
  for (const HeaderField& f : fields_) {
    if (iequals(f.name, name)) return &f;
  }
  return nullptr;
}

std::optional<std::string> HeaderList::get(std::string_view name) const {
  const HeaderField* f = find(name);
  if (f == nullptr) return std::nullopt;
  return f->value();
}

std::vector<const HeaderField*> HeaderList::all(std::string_view name) const {
  std::vector<const HeaderField*> out;
  for (const HeaderField& f : fields_) {
    if (iequals(f.name, name)) out.push_back(&f);
  }
  return out;
}

std::string fold_field(std::string_view name, std::string_view value) {
  std::string out(name);
  out += ':';
  std::size_t column = out.size();
  std::size_t at = 0;
  bool first = true;
  // Words are separated by single spaces; a fold goes before a word that would pass 78.
  while (at <= value.size()) {
    std::size_t sp = value.find(' ', at);
    if (sp == std::string_view::npos) sp = value.size();
    const std::string_view word = value.substr(at, sp - at);
    // Fold before a word that would pass 78, the first one too (after "Name:", RFC 5322 FWS).
    if (column + 1 + word.size() > 78 && column > 0 && (!first || word.size() <= 77)) {
      out += "\r\n";
      column = 0;
    }
    out += ' ';
    out += word;
    column += 1 + word.size();
    first = false;
    at = sp + 1;
  }
  out += "\r\n";
  return out;
}

namespace {

void check_field(std::string_view name, std::string_view value) {
  const bool name_ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != ':';
  });
  if (!name_ok) throw Error(Errc::usage, "mime: '" + std::string(name) + "' is not a header name");
  if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    throw Error(Errc::usage, "mime: the value of " + std::string(name) +
                                 " contains CR, LF or NUL (header injection)");
  }
}

}  // namespace

void HeaderList::add(std::string_view name, std::string_view value) {
  check_field(name, value);
  fields_.push_back({std::string(name), fold_field(name, value)});
}

void HeaderList::set(std::string_view name, std::string_view value) {
  check_field(name, value);
  HeaderField field{std::string(name), fold_field(name, value)};
  auto first = std::find_if(fields_.begin(), fields_.end(),
                            [&](const HeaderField& f) { return iequals(f.name, name); });
  if (first == fields_.end()) {
    fields_.push_back(std::move(field));
    return;
  }
  *first = std::move(field);
  fields_.erase(std::remove_if(first + 1, fields_.end(),
                               [&](const HeaderField& f) { return iequals(f.name, name); }),
                fields_.end());
}

std::size_t HeaderList::remove(std::string_view name) {
  const std::size_t before = fields_.size();
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const HeaderField& f) { return iequals(f.name, name); }),
                fields_.end());
  return before - fields_.size();
}

std::string HeaderList::to_string() const {
  std::string out;
  for (const HeaderField& f : fields_)
    out += f.raw;
  return out;
}

}  // namespace mailwire::mime
