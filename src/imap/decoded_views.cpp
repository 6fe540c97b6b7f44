// Decoded views of what IMAP servers send raw: envelope texts and dates (RFC 2047, RFC 5322),
// INTERNALDATE, BODYSTRUCTURE parameters (RFC 2231) and the attachments they describe. All the
// decoding is the message model's; this file only feeds it IMAP's strings.

#include <mailwire/imap/body_structure.hpp>
#include <mailwire/imap/envelope.hpp>
#include <mailwire/imap/fetch_data.hpp>
#include <mailwire/mime/content_type.hpp>
#include <mailwire/mime/date_time.hpp>
#include <mailwire/mime/encoded_word.hpp>

#include <cctype>

namespace mailwire::imap {
namespace {

std::optional<std::chrono::system_clock::time_point> to_time_point(
    const std::optional<mime::DateTime>& d) {
  if (!d) return std::nullopt;
  return std::chrono::system_clock::from_time_t(d->utc);
}

// A value for display: no C0 control or DEL (each becomes U+FFFD, as decode_encoded_words
// does for what an encoded word decodes to). ParameterList already gave valid UTF-8.
std::string without_controls(std::string_view s, bool& changed) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += "\xEF\xBF\xBD";
      changed = true;
    } else {
      out += c;
    }
  }
  return out;
}

// A parameter name usable inside "; name=value": the servers' strings may hold anything.
bool plain_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '=' || c == ';' || c == '"' || c == '(' || c == ')' ||
        c == '\\')
      return false;
  }
  return true;
}

}  // namespace

std::string Address::decoded_name(bool* defect) const {
  return mime::decode_encoded_words(name, defect);
}

std::string Envelope::decoded_subject(bool* defect) const {
  return mime::decode_encoded_words(subject, defect);
}

std::optional<std::chrono::system_clock::time_point> Envelope::parsed_date() const {
  if (date.empty()) return std::nullopt;
  return to_time_point(mime::parse_date(date));
}

std::optional<std::chrono::system_clock::time_point> FetchData::parsed_internal_date() const {
  if (!internal_date) return std::nullopt;
  // date-time = date-day-fixed "-" date-month "-" date-year SP time SP zone: the dashes of the
  // date become spaces, and the message model's date parser reads the rest.
  const std::string& s = *internal_date;
  const std::size_t space = s.find(' ', s.find_first_not_of(' '));
  if (space == std::string::npos) return std::nullopt;
  std::string text = s;
  int dashes = 0;
  for (std::size_t i = 0; i < space; ++i) {
    if (text[i] == '-') {
      text[i] = ' ';
      ++dashes;
    }
  }
  if (dashes != 2) return std::nullopt;
  return to_time_point(mime::parse_date(text));
}

std::vector<std::pair<std::string, std::string>> decoded_params(const BodyParams& params) {
  // The parameters as a MIME parameter list ("; name=\"value\""), so that the message model
  // decodes them: RFC 2231 continuations and charsets (filename*0*=UTF-8''...), and the
  // encoded words real mail puts in quoted names.
  std::string text;
  for (const auto& [key, value] : params) {
    if (!plain_name(key)) continue;
    text += "; " + key + "=\"";
    for (const char c : value) {
      if (c == '"' || c == '\\') text += '\\';
      text += c;
    }
    text += '"';
  }
  const auto list = mime::ParameterList::parse(text);
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(list.items().size());
  bool changed = false;
  for (const auto& [name, value] : list.items())
    out.emplace_back(name, without_controls(value, changed));
  return out;
}

namespace {

std::optional<std::string> decoded_param(const BodyParams& params, std::string_view name) {
  for (auto& [n, v] : decoded_params(params)) {
    if (n == name) return std::move(v);
  }
  return std::nullopt;
}

bool is_attachment(const BodyStructure& part) {
  if (part.disposition && part.disposition->type == "attachment") return true;
  return !part.file_name().empty();
}

}  // namespace

std::string BodyStructure::file_name() const {
  if (disposition) {
    if (auto name = decoded_param(disposition->params, "filename")) return *name;
  }
  if (auto name = decoded_param(params, "name")) return *name;
  return {};
}

std::vector<Attachment> attachments(const BodyStructure& body) {
  std::vector<Attachment> out;
  std::string skip;  // the section of an attached message: its parts are not listed
  for_each_part(body, [&](const std::string& section, const BodyStructure& part) {
    if (!skip.empty() && section.compare(0, skip.size(), skip) == 0) return;
    if (part.is_multipart() || !is_attachment(part)) return;
    Attachment a;
    a.section = section.empty() ? "1" : section;
    a.mime_type = part.type + "/" + part.subtype;
    a.file_name = part.file_name();
    a.size = part.size;
    if (part.disposition) a.disposition = part.disposition->type;
    a.encoding = part.encoding;
    out.push_back(std::move(a));
    if (part.is_message()) skip = section + ".";
  });
  return out;
}

std::vector<Attachment> FetchData::attachments() const {
  if (!body_structure) return {};
  return imap::attachments(*body_structure);
}

}  // namespace mailwire::imap
