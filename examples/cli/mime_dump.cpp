// `mailwire mime dump FILE...`: one JSON document per message, in the schema of
// ../shared/tools/mime_oracle.py (see ../shared/corpus/README.md), so that
// ../shared/tools/mime_compare.py can compare the two parsers field by field.

#include "mime_dump.hpp"

#include <mailwire/error.hpp>
#include <mailwire/mime/charset.hpp>
#include <mailwire/mime/date_time.hpp>
#include <mailwire/mime/encoded_word.hpp>
#include <mailwire/mime/message.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace mailwire::cli {

std::string json_string(std::string_view s) {
  const std::string text = mime::repair_utf8(s);
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

namespace {

std::string json_opt(const std::optional<std::string>& s) {
  return s ? json_string(*s) : std::string("null");
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += digits[md[i] >> 4];
    out += digits[md[i] & 0xf];
  }
  return out;
}

std::string trim_lower(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0)
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0)
    s.remove_suffix(1);
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// CPython re-renders parameterised headers: the type as written, then '; name="value"'.
std::string rerender_parameterised(const std::string& value, bool content_type) {
  const std::size_t semi = value.find(';');
  std::string head = value.substr(0, semi);
  while (!head.empty() && std::isspace(static_cast<unsigned char>(head.back())) != 0)
    head.pop_back();
  while (!head.empty() && std::isspace(static_cast<unsigned char>(head.front())) != 0)
    head.erase(0, 1);
  if (semi == std::string::npos) return head;
  const mime::ParameterList params = content_type ? mime::ContentType::parse(value).params
                                                  : mime::ContentDisposition::parse(value).params;
  std::string out = head;
  for (std::size_t k = 0; k < params.items().size(); ++k) {
    const std::string& name = params.written_name(k);
    const std::string& v = params.items()[k].second;
    std::string quoted;
    for (const char c : v) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    out += v.empty() ? "; " + name : "; " + name + "=\"" + quoted + "\"";
  }
  return out;
}

std::string header_list(const mime::HeaderList& h) {
  std::string out = "[";
  bool first = true;
  for (const mime::HeaderField& f : h.fields()) {
    if (f.name.empty()) continue;
    if (!first) out += ", ";
    first = false;
    std::string value = mime::decode_encoded_words(f.value());
    if (mime::iequals(f.name, "Content-Type")) value = rerender_parameterised(f.value(), true);
    if (mime::iequals(f.name, "Content-Disposition")) {
      value = rerender_parameterised(f.value(), false);
    }
    out += "[" + json_string(f.name) + ", " + json_string(value) + "]";
  }
  return out + "]";
}

std::string addresses(const mime::HeaderList& h, const char* name) {
  std::string out = "[";
  bool first = true;
  for (const mime::HeaderField* f : h.all(name)) {
    for (const std::optional<mime::Mailbox>& m : mime::parse_address_list_entries(f->value())) {
      if (!first) out += ", ";
      first = false;
      // The oracle's schema shows an element that is no address as ["", "<>"] (CPython's
      // Address with neither local part nor domain).
      out += m ? "[" + json_string(m->name) + ", " + json_string(m->address()) + "]"
               : std::string(R"(["", "<>"])");
    }
  }
  return out + "]";
}

std::string node(const mime::Entity& e, const std::string& path, bool digest_parent,
                 bool with_headers) {
  std::string out = "{\"path\": " + json_string(path.empty() ? "root" : path);
  // CPython's defaults: text/plain when missing or invalid; message/rfc822 in a digest.
  std::string type = e.content_type().valid ? e.content_type().mime_type()
                     : digest_parent        ? "message/rfc822"
                                            : "text/plain";
  out += ", \"content_type\": " + json_string(type);
  std::vector<std::pair<std::string, std::string>> params = e.content_type().params.items();
  std::sort(params.begin(), params.end());
  out += ", \"params\": [";
  for (std::size_t i = 0; i < params.size(); ++i) {
    out += (i ? ", [" : "[") + json_string(params[i].first) + ", " +
           json_string(mime::decode_encoded_words(params[i].second)) + "]";
  }
  out += "]";
  const auto charset = e.content_type().param("charset");
  out += ", \"charset\": " + (charset ? json_string(trim_lower(*charset)) : std::string("null"));
  const auto cte = e.headers().get("Content-Transfer-Encoding");
  out += ", \"cte\": " + (cte ? json_string(trim_lower(*cte)) : std::string("null"));
  const auto cd = e.headers().get("Content-Disposition");
  out += ", \"disposition\": " +
         (cd ? json_string(trim_lower(std::string_view(*cd).substr(0, cd->find(';'))))
             : std::string("null"));
  out += ", \"filename\": " + json_opt(e.filename());
  if (with_headers) out += ", \"headers\": " + header_list(e.headers());
  // CPython's is_multipart(): parts were found (a multipart without any delimiter line is a
  // leaf whose body is all of it), or the entity holds a message.
  bool split = !e.children().empty();
  if (e.content_type().is_multipart() && !split) {
    split = std::none_of(e.defects().begin(), e.defects().end(),
                         [](const std::string& d) { return d.rfind("multipart without", 0) == 0; });
  }
  if (split) {
    out += ", \"children\": [";
    const bool digest = e.content_type().mime_type() == "multipart/digest";
    const bool message = e.content_type().is_message();
    for (std::size_t i = 0; i < e.children().size(); ++i) {
      const std::string child_path = (path.empty() ? "" : path + ".") + std::to_string(i + 1);
      out += (i ? ", " : "") + node(e.children()[i], child_path, digest, message);
    }
    out += "]";
  } else {
    std::string body = e.decoded_body();
    out += ", \"body_len\": " + std::to_string(body.size()) +
           ", \"body_sha256\": " + json_string(sha256_hex(body));
  }
  return out + "}";
}

std::string date_iso(const mime::HeaderList& h) {
  const auto v = h.get("Date");
  if (!v) return "null";
  const auto d = mime::parse_date(*v);
  if (!d) return "null";
  std::tm tm{};
  gmtime_r(&d->utc, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return json_string(buf);
}

void describe(std::string_view bytes, const std::string& file, const std::string& extra) {
  const mime::Message m = mime::Message::parse_view(bytes);
  const mime::HeaderList& h = m.headers();
  std::string out = "{\"file\": " + json_string(file) + extra;
  out += ", \"headers\": " + header_list(h);
  out += ", \"from\": " + addresses(h, "From") + ", \"to\": " + addresses(h, "To") +
         ", \"cc\": " + addresses(h, "Cc");
  const auto subject = h.get("Subject");
  out += ", \"subject\": " +
         (subject ? json_string(mime::decode_encoded_words(*subject)) : std::string("null"));
  out += ", \"message_id\": " + json_opt(h.get("Message-ID"));
  out += ", \"date\": " + date_iso(h);
  out += ", \"mime\": " + node(m.root(), "", false, false);
  out += ", \"errors\": []}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

void dump_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io, "cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  const std::string bytes = std::move(s).str();
  const std::string name = std::filesystem::path(path).filename().string();
  const bool mbox =
      name.size() > 5 && (name.size() >= 5 && (name.rfind(".mbox") == name.size() - 5 ||
                                               name.find(".mbox.txt") != std::string::npos));
  if (!mbox) {
    describe(bytes, path, "");
    return;
  }
  // As the oracle splits (Python's mailbox.mbox): a BOM is skipped; every line beginning with
  // "From " starts a message and is its envelope; one empty line before the next "From " is
  // the separator; text before the first "From " is a message of its own.
  std::string_view data = bytes;
  if (data.substr(0, 3) == "\xef\xbb\xbf") data.remove_prefix(3);
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at < data.size();) {
    std::size_t end = data.find_first_of("\r\n", at);
    if (end == std::string_view::npos) {
      end = data.size();
    } else if (data[end] == '\r' && end + 1 < data.size() && data[end + 1] == '\n') {
      end += 2;
    } else {
      end += 1;
    }
    lines.push_back(data.substr(at, end - at));
    at = end;
  }
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].substr(0, 5) == "From ") starts.push_back(i);
  }
  const auto join = [&](std::size_t from, std::size_t to) {
    if (from >= to) return std::string_view();
    const char* b = lines[from].data();
    const char* e = lines[to - 1].data() + lines[to - 1].size();
    return std::string_view(b, static_cast<std::size_t>(e - b));
  };
  if (starts.empty()) {
    describe(data, path, "");
    return;
  }
  std::size_t index = 0;
  if (starts[0] != 0) {
    const std::string_view before = join(0, starts[0]);
    if (before.find_first_not_of(" \t\r\n") != std::string_view::npos) {
      describe(before, path, ", \"mbox_index\": 0, \"mbox_envelope\": null");
      ++index;
    }
  }
  for (std::size_t n = 0; n < starts.size(); ++n, ++index) {
    const std::size_t first = starts[n];
    std::size_t end = n + 1 < starts.size() ? starts[n + 1] : lines.size();
    if (n + 1 < starts.size() && end > first + 1 &&
        (lines[end - 1] == "\n" || lines[end - 1] == "\r\n" || lines[end - 1] == "\r")) {
      --end;
    }
    std::string envelope(lines[first]);
    while (!envelope.empty() && (envelope.back() == '\n' || envelope.back() == '\r'))
      envelope.pop_back();
    describe(join(first + 1, end), path,
             ", \"mbox_index\": " + std::to_string(index) +
                 ", \"mbox_envelope\": " + json_string(envelope));
  }
}

}  // namespace mailwire::cli
