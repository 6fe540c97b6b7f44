#include <mailwire/error.hpp>
#include <mailwire/imap/data.hpp>
#include <mailwire/mime/content_type.hpp>
#include <mailwire/mime/encoded_word.hpp>

#include "imap/reader.hpp"

#include <cctype>

namespace mailwire::imap {
namespace {

std::error_code bad() {
  return make_error_code(Errc::protocol);
}

std::string upper(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// nstring: a string or NIL.
std::string nstring(const Value& v) {
  return v.kind == Value::Kind::String || v.kind == Value::Kind::Atom ? v.text : std::string();
}

bool addresses(const Value& v, std::vector<Address>& out) {
  if (v.kind == Value::Kind::Nil) return true;
  if (v.kind != Value::Kind::List) return false;
  for (const Value& a : v.items) {
    if (a.kind != Value::Kind::List || a.items.size() != 4) return false;
    Address addr;
    addr.name = mime::decode_encoded_words(nstring(a.items[0]));
    addr.mailbox = nstring(a.items[2]);
    addr.host = nstring(a.items[3]);
    // Group syntax (RFC 3501 7.4.2): host NIL marks the start/end of a group: skip.
    if (a.items[3].kind == Value::Kind::Nil) continue;
    out.push_back(std::move(addr));
  }
  return true;
}

bool envelope(const Value& v, Envelope& e) {
  if (v.kind != Value::Kind::List || v.items.size() < 10) return false;
  const auto& i = v.items;
  e.date = nstring(i[0]);
  e.subject = mime::decode_encoded_words(nstring(i[1]));
  e.in_reply_to = nstring(i[8]);
  e.message_id = nstring(i[9]);
  return addresses(i[2], e.from) && addresses(i[3], e.sender) && addresses(i[4], e.reply_to) &&
         addresses(i[5], e.to) && addresses(i[6], e.cc) && addresses(i[7], e.bcc);
}

void params(const Value& v, std::vector<std::pair<std::string, std::string>>& out) {
  if (v.kind != Value::Kind::List) return;
  for (std::size_t k = 0; k + 1 < v.items.size(); k += 2) {
    out.emplace_back(lower(nstring(v.items[k])), nstring(v.items[k + 1]));
  }
}

void disposition(const Value& v, BodyStructure& b) {
  if (v.kind != Value::Kind::List || v.items.empty()) return;
  b.disposition = lower(nstring(v.items[0]));
  if (v.items.size() > 1) params(v.items[1], b.disposition_params);
}

bool body(const Value& v, const std::string& section, BodyStructure& b, std::size_t depth) {
  if (v.kind != Value::Kind::List || v.items.empty() || depth > 100) return false;
  b.section = section;
  const auto& i = v.items;
  if (i[0].kind == Value::Kind::List) {  // multipart: parts, then the subtype
    b.type = "multipart";
    std::size_t k = 0;
    for (; k < i.size() && i[k].kind == Value::Kind::List; ++k) {
      BodyStructure part;
      const std::string sub = (section.empty() ? "" : section + ".") + std::to_string(k + 1);
      if (!body(i[k], sub, part, depth + 1)) return false;
      b.parts.push_back(std::move(part));
    }
    if (k < i.size()) b.subtype = lower(nstring(i[k++]));
    if (k < i.size()) params(i[k++], b.params);
    if (k < i.size()) disposition(i[k++], b);
    return true;
  }
  if (i.size() < 7) return false;
  b.type = lower(nstring(i[0]));
  b.subtype = lower(nstring(i[1]));
  params(i[2], b.params);
  b.id = nstring(i[3]);
  b.description = nstring(i[4]);
  b.encoding = lower(nstring(i[5]));
  b.size = i[6].kind == Value::Kind::Number ? i[6].number : 0;
  std::size_t k = 7;
  if (b.type == "message" && (b.subtype == "rfc822" || b.subtype == "global") && i.size() >= 10) {
    // envelope, body, lines
    BodyStructure inner;
    const std::string sub = section.empty() ? "1" : section;
    if (!body(i[8], sub, inner, depth + 1)) return false;
    b.parts.push_back(std::move(inner));
    b.lines = i[9].kind == Value::Kind::Number ? i[9].number : 0;
    k = 10;
  } else if (b.type == "text" && i.size() >= 8) {
    b.lines = i[7].kind == Value::Kind::Number ? i[7].number : 0;
    k = 8;
  }
  // Extension data: md5, disposition, language, location.
  if (k + 1 < i.size()) disposition(i[k + 1], b);
  return true;
}

}  // namespace

std::string BodyStructure::param(const std::string& name) const {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return {};
}

std::string BodyStructure::filename() const {
  // Servers give the raw parameter; decode RFC 2231 / 2047 through the MIME model.
  for (const auto* list : {&disposition_params, &params}) {
    std::string text;
    for (const auto& [n, v] : *list) {
      text += "; " + n + "=\"";
      for (const char c : v) {
        if (c == '"' || c == '\\') text += '\\';
        text += c;
      }
      text += "\"";
    }
    const mime::ParameterList parsed = mime::ParameterList::parse(text);
    const char* key = list == &disposition_params ? "filename" : "name";
    if (const auto v = parsed.get(key)) return mime::decode_encoded_words(*v);
  }
  return {};
}

std::error_code parse_fetch(const Response& r, FetchData& out) {
  out = {};
  if (r.kind != Response::Kind::Untagged || r.name != "FETCH" || !r.number || r.data.size() != 1 ||
      r.data[0].kind != Value::Kind::List) {
    return bad();
  }
  out.sequence = *r.number;
  const auto& items = r.data[0].items;
  for (std::size_t k = 0; k + 1 < items.size(); k += 2) {
    const Value& key = items[k];
    const Value& value = items[k + 1];
    if (key.kind != Value::Kind::Atom) return bad();
    const std::string name = upper(key.text);
    if (name == "UID") {
      if (value.kind != Value::Kind::Number || value.number > 0xffffffffULL) return bad();
      out.uid = static_cast<std::uint32_t>(value.number);
    } else if (name == "FLAGS") {
      if (value.kind != Value::Kind::List) return bad();
      std::vector<std::string> flags;
      for (const Value& f : value.items)
        flags.push_back(f.text);
      out.flags = std::move(flags);
    } else if (name == "RFC822.SIZE") {
      if (value.kind != Value::Kind::Number) return bad();
      out.size = value.number;
    } else if (name == "INTERNALDATE") {
      out.internal_date = nstring(value);
    } else if (name == "MODSEQ") {
      if (value.kind != Value::Kind::List || value.items.empty()) return bad();
      out.modseq = value.items[0].number;
    } else if (name == "ENVELOPE") {
      Envelope e;
      if (!envelope(value, e)) return bad();
      out.envelope = std::move(e);
    } else if (name == "BODYSTRUCTURE" || name == "BODY") {
      BodyStructure b;
      if (!body(value, "", b, 0)) return bad();
      out.body = std::move(b);
    } else if (name.rfind("BODY[", 0) == 0 || name.rfind("BINARY[", 0) == 0 ||
               name.rfind("RFC822", 0) == 0) {
      const std::size_t open = name.find('[');
      const std::size_t close = name.rfind(']');
      const std::string section = open == std::string::npos || close == std::string::npos
                                      ? name
                                      : key.text.substr(open + 1, close - open - 1);
      out.sections.emplace_back(section, nstring(value));
    }
    // Unknown items are skipped: servers add their own (X-GM-MSGID, ...).
  }
  return {};
}

std::error_code parse_list(const Response& r, bool utf8, ListData& out) {
  out = {};
  if ((r.name != "LIST" && r.name != "LSUB") || r.data.size() < 3 ||
      r.data[0].kind != Value::Kind::List) {
    return bad();
  }
  for (const Value& a : r.data[0].items)
    out.attributes.push_back(a.text);
  out.delimiter = nstring(r.data[1]);
  const std::string raw = r.data[2].as_string();
  if (utf8 || !decode_mailbox_utf7(raw, out.name)) out.name = raw;
  return {};
}

std::optional<std::uint64_t> StatusData::get(const std::string& name) const {
  for (const auto& [n, v] : items) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::error_code parse_status(const Response& r, bool utf8, StatusData& out) {
  out = {};
  if (r.name != "STATUS" || r.data.size() != 2 || r.data[1].kind != Value::Kind::List) return bad();
  const std::string raw = r.data[0].as_string();
  if (utf8 || !decode_mailbox_utf7(raw, out.mailbox)) out.mailbox = raw;
  const auto& items = r.data[1].items;
  for (std::size_t k = 0; k + 1 < items.size(); k += 2) {
    if (items[k + 1].kind != Value::Kind::Number) return bad();
    out.items.emplace_back(upper(items[k].text), items[k + 1].number);
  }
  return {};
}

std::error_code parse_search(const Response& r, std::vector<std::uint32_t>& out) {
  if (r.name != "SEARCH") return bad();
  for (const Value& v : r.data) {
    if (v.kind == Value::Kind::List) continue;  // (MODSEQ n) at the end
    if (v.kind != Value::Kind::Number || v.number > 0xffffffffULL) return bad();
    out.push_back(static_cast<std::uint32_t>(v.number));
  }
  return {};
}

std::vector<std::string> parse_capabilities(const std::vector<Value>& values) {
  std::vector<std::string> out;
  for (const Value& v : values) {
    if (v.kind == Value::Kind::Atom) out.push_back(upper(v.text));
  }
  return out;
}

}  // namespace mailwire::imap
