// MessageBuilder: chooses the structure (single part, alternative, related, mixed), the
// transfer encoding of each part, and boundaries, then streams the result. Replies and
// forwards read a parsed Message and fill a builder; they never throw for what the original
// holds, since it comes from someone else.

#include <mailwire/error.hpp>
#include <mailwire/mime/builder.hpp>
#include <mailwire/mime/encoded_word.hpp>
#include <mailwire/mime/encoding.hpp>
#include <mailwire/mime/message.hpp>

#include <fmt/format.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>

namespace mailwire::mime {
namespace {

std::string random_token(std::size_t length) {
  static constexpr char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string raw(length, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(length));
  for (char& c : raw)
    c = chars[static_cast<unsigned char>(c) % 62];
  return raw;
}

// Printable ASCII without spaces: the text of a msg-id (RFC 5322 3.6.4), also for Content-ID.
bool is_msg_id_text(std::string_view s, bool brackets_allowed) {
  if (s.empty()) return false;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e) return false;
    if (!brackets_allowed && (c == '<' || c == '>')) return false;
  }
  return true;
}

// "type/subtype" with optional parameters, printable ASCII only: anything else would end the
// Content-Type field and start another one. Empty: guessed from the file name.
void check_content_type(std::string_view type) {
  for (const char c : type) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) {
      throw Error(Errc::usage, "mime: a content type is printable ASCII (no CR, LF or NUL)");
    }
  }
  if (!type.empty() && type.find('/') == std::string_view::npos) {
    throw Error(Errc::usage, fmt::format("mime: '{}' is not a type/subtype", type));
  }
}

Mailbox one_mailbox(std::string_view text, const char* field) {
  if (text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    throw Error(Errc::usage, fmt::format("mime: {} contains CR, LF or NUL", field));
  }
  bool defect = false;
  std::vector<Mailbox> list = parse_address_list(text, &defect);
  if (list.size() != 1 || list[0].domain.empty() || defect) {
    throw Error(Errc::usage, fmt::format("mime: {} '{}' is not one address", field, text));
  }
  return list[0];
}

// How a body is carried: 7bit when it is ASCII with short lines, else quoted-printable (text)
// or 8bit when allowed.
struct TextEncoding {
  bool eight_bit = false;
  bool long_lines = false;
  bool bare_cr_lf = false;
};

TextEncoding scan_text(std::string_view s) {
  TextEncoding t;
  std::size_t line = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) t.eight_bit = true;
    if (c == '\n') {
      if (i == 0 || s[i - 1] != '\r') t.bare_cr_lf = true;
      line = 0;
    } else if (c == '\r') {
      if (i + 1 >= s.size() || s[i + 1] != '\n') t.bare_cr_lf = true;
    } else if (++line > 998) {
      t.long_lines = true;
    }
  }
  return t;
}

std::string crlf(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 40);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += "\r\n";
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else if (s[i] == '\n') {
      out += "\r\n";
    } else {
      out += s[i];
    }
  }
  return out;
}

// RFC 2231 value: UTF-8''percent-encoded.
std::string rfc2231(std::string_view value) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out = "UTF-8''";
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 0xf];
    }
  }
  return out;
}

bool is_ascii_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f &&
           std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
  });
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// ; name="value" for an ASCII value, or name*=UTF-8''... (RFC 2231) for any other.
std::string param(std::string_view name, std::string_view value) {
  bool ascii = true;
  for (const char c : value)
    ascii = ascii && static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  if (ascii)
    return fmt::format("; {}={}", name, is_ascii_token(value) ? std::string(value) : quoted(value));
  return fmt::format("; {}*={}", name, rfc2231(value));
}

// Decoded names and subjects of a received message may hold anything an encoded word can
// carry; CR, LF and NUL in them would be refused by the builder (or inject header fields).
std::string without_controls(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return out;
}

bool has_controls(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

std::string ascii_lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The key two mailboxes are the same address by: case-insensitive, the domain as A-labels.
std::string address_key(const Mailbox& m) {
  return ascii_lower(m.local + "@" + m.domain_ascii());
}

// The "<...>" identifiers of a Message-ID, In-Reply-To or References value (RFC 5322 3.6.4),
// comments and anything else between them dropped. Identifiers with spaces or controls inside,
// or too long for one header line, are dropped too.
std::vector<std::string> msg_ids(std::string_view value) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while ((at = value.find('<', at)) != std::string_view::npos) {
    const std::size_t close = value.find('>', at);
    if (close == std::string_view::npos) break;
    const std::string_view id = value.substr(at, close + 1 - at);
    at = close + 1;
    if (id.size() <= 2 || id.size() > 900 || has_controls(id) ||
        id.substr(1).find_first_of(" <") != std::string_view::npos) {
      continue;
    }
    out.emplace_back(id);
  }
  return out;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// Strips leading prefixes: "Re:", "RE :", "Re[2]:" (for reply) or "Fwd:", "Fw:" (forward).
std::string_view strip_prefixes(std::string_view subject, bool reply) {
  const auto skip_space = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
      s.remove_prefix(1);
    return s;
  };
  subject = skip_space(subject);
  for (;;) {
    std::string_view rest = subject;
    const auto eat = [&](std::string_view word) {
      if (rest.size() < word.size() || !iequals(rest.substr(0, word.size()), word)) return false;
      rest.remove_prefix(word.size());
      return true;
    };
    if (!(reply ? eat("re") : eat("fwd") || eat("fw"))) return subject;
    if (reply && !rest.empty() && rest.front() == '[') {  // "Re[2]:"
      const std::size_t close = rest.find(']');
      if (close == std::string_view::npos ||
          rest.substr(1, close - 1).find_first_not_of("0123456789") != std::string_view::npos) {
        return subject;
      }
      rest.remove_prefix(close + 1);
    }
    rest = skip_space(rest);
    if (rest.empty() || rest.front() != ':') return subject;
    subject = skip_space(rest.substr(1));
  }
}

// Usable recipients of a received message: a domain, no control characters in the address.
void add_recipients(std::vector<Mailbox>& list, const std::vector<Mailbox>& from,
                    const std::vector<std::string>& excluded, std::vector<std::string>& seen) {
  for (const Mailbox& m : from) {
    if (m.domain.empty() || has_controls(m.local) || has_controls(m.domain)) continue;
    const std::string key = address_key(m);
    if (std::find(excluded.begin(), excluded.end(), key) != excluded.end()) continue;
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    Mailbox clean = m;
    clean.name = without_controls(m.name);
    clean.group.clear();
    list.push_back(std::move(clean));
  }
}

// The first text/plain and text/html bodies that are not attachments, depth first.
const Entity* first_body(const Message& message, std::string_view subtype) {
  for (const Entity* e : message.entities()) {
    if (!e->is_leaf() || e->content_type().type != "text" || e->content_type().subtype != subtype)
      continue;
    if (e->disposition().kind == "attachment" || e->filename()) continue;
    return e;
  }
  return nullptr;
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string display_list(const std::vector<Mailbox>& list) {
  std::string out;
  for (const Mailbox& m : list) {
    if (!out.empty()) out += ", ";
    const std::string address = m.address_unicode();
    out += m.name.empty() ? address : m.name + " <" + address + ">";
  }
  return without_controls(out);
}

// The lines of the "Forwarded message" block: (label, value) for the fields present.
std::vector<std::pair<std::string, std::string>> forwarded_fields(const Message& original) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto add = [&](const char* label, const std::string& value) {
    if (!value.empty()) out.emplace_back(label, value);
  };
  add("From", display_list(original.from()));
  add("Date", without_controls(original.headers().get("Date").value_or("")));
  add("Subject", without_controls(original.subject()));
  add("To", display_list(original.to()));
  add("Cc", display_list(original.cc()));
  return out;
}

// A file name for the forwarded message: its subject, made safe for file systems.
std::string eml_name(std::string_view subject) {
  std::string name;
  for (const char c : subject) {
    const auto u = static_cast<unsigned char>(c);
    if (name.size() >= 60 && (u & 0xC0) != 0x80) break;  // at a character boundary
    const bool unsafe =
        u < 0x20 || u == 0x7f || std::string_view("/\\:*?\"<>|").find(c) != std::string_view::npos;
    name += unsafe ? '_' : c;
  }
  while (!name.empty() && (name.back() == ' ' || name.back() == '.'))
    name.pop_back();
  return (name.empty() ? std::string("forwarded message") : name) + ".eml";
}

class Writer {
 public:
  Writer(const ByteSink& sink, const WriteOptions& options) : sink_(sink), options_(options) {}

  void put(std::string_view s) { sink_(s); }

  void field(std::string_view name, std::string_view value) { put(fold_field(name, value)); }

  void text_part(std::string_view type, std::string_view body) {
    const TextEncoding t = scan_text(body);
    const std::string normal = crlf(body);
    std::string cte = "7bit";
    if (t.long_lines || (t.eight_bit && !options_.eight_bit)) {
      cte = "quoted-printable";
    } else if (t.eight_bit) {
      cte = "8bit";
    }
    field("Content-Type", fmt::format("{}; charset=utf-8", type));
    field("Content-Transfer-Encoding", cte);
    put("\r\n");
    if (cte == "quoted-printable") {
      put(quoted_printable_encode(normal));
    } else {
      put(normal);
      if (!normal.empty() && normal.back() != '\n') put("\r\n");
    }
  }

  void binary_part(const MessageBuilder::Part& part, bool is_inline) {
    const std::string type =
        part.content_type.empty() ? guess_content_type(part.filename) : part.content_type;
    std::string content_type = type;
    if (!part.filename.empty()) {
      bool ascii = true;
      for (const char c : part.filename)
        ascii = ascii && static_cast<unsigned char>(c) < 0x80;
      // Old clients read name= (RFC 2047-encoded when needed); new ones filename*= (RFC 2231).
      content_type += ascii ? param("name", part.filename)
                            : "; name=" + quoted(encode_header_text(part.filename));
    }
    field("Content-Type", content_type);
    field("Content-Transfer-Encoding", part.verbatim ? verbatim_encoding(part.bytes) : "base64");
    std::string disposition = is_inline ? "inline" : "attachment";
    if (!part.filename.empty()) disposition += param("filename", part.filename);
    field("Content-Disposition", disposition);
    if (!part.content_id.empty()) field("Content-ID", "<" + part.content_id + ">");
    put("\r\n");
    if (part.verbatim) {
      put(part.bytes);
      return;
    }
    Base64Encoder encoder;
    std::string out;
    if (part.path.empty()) {
      for (std::size_t at = 0; at < part.bytes.size(); at += 48 * 1024) {
        out.clear();
        encoder.feed(std::string_view(part.bytes).substr(at, 48 * 1024), out);
        put(out);
      }
    } else {
      std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(part.path.c_str(), "rb"),
                                                           std::fclose);
      if (!file) throw Error(Errc::io, "mime: cannot read " + part.path);
      char buf[48 * 1024];
      for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, file.get())) > 0;) {
        out.clear();
        encoder.feed(std::string_view(buf, n), out);
        put(out);
      }
      if (std::ferror(file.get()) != 0) throw Error(Errc::io, "mime: error reading " + part.path);
    }
    out.clear();
    encoder.finish(out);
    put(out);
  }

 private:
  // A message/rfc822 body is never encoded (RFC 2046 5.2.1); the label says what it holds.
  static const char* verbatim_encoding(std::string_view bytes) {
    const TextEncoding t = scan_text(bytes);
    if (t.long_lines || bytes.find('\0') != std::string_view::npos) return "binary";
    return t.eight_bit ? "8bit" : "7bit";
  }

  const ByteSink& sink_;
  const WriteOptions& options_;
};

}  // namespace

std::string guess_content_type(std::string_view filename) {
  const std::size_t dot = filename.rfind('.');
  std::string ext = dot == std::string_view::npos ? "" : std::string(filename.substr(dot + 1));
  for (char& c : ext)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::pair<const char*, const char*> table[] = {
      {"pdf", "application/pdf"},
      {"txt", "text/plain"},
      {"csv", "text/csv"},
      {"htm", "text/html"},
      {"html", "text/html"},
      {"xml", "application/xml"},
      {"json", "application/json"},
      {"ics", "text/calendar"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"svg", "image/svg+xml"},
      {"zip", "application/zip"},
      {"gz", "application/gzip"},
      {"tar", "application/x-tar"},
      {"eml", "message/rfc822"},
      {"doc", "application/msword"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"xls", "application/vnd.ms-excel"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"ppt", "application/vnd.ms-powerpoint"},
      {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
      {"odt", "application/vnd.oasis.opendocument.text"},
      {"mp3", "audio/mpeg"},
      {"mp4", "video/mp4"},
  };
  for (const auto& [e, type] : table) {
    if (ext == e) return type;
  }
  return "application/octet-stream";
}

std::string format_date(std::time_t when, bool local) {
  std::tm tm{};
  if (local) {
    localtime_r(&when, &tm);
  } else {
    gmtime_r(&when, &tm);
  }
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const long offset = local ? tm.tm_gmtoff / 60 : 0;
  return fmt::format("{}, {} {} {} {:02}:{:02}:{:02} {}{:02}{:02}", days[tm.tm_wday], tm.tm_mday,
                     months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     offset < 0 ? '-' : '+', std::labs(offset) / 60, std::labs(offset) % 60);
}

MessageBuilder::MessageBuilder() = default;

MessageBuilder MessageBuilder::reply(const Message& original, bool reply_all,
                                     std::string_view self) {
  if (self.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    throw Error(Errc::usage, "mime: the own addresses contain CR, LF or NUL");
  }
  std::vector<std::string> excluded;
  for (const Mailbox& m : parse_address_list(self))
    excluded.push_back(address_key(m));
  const HeaderList& h = original.headers();

  MessageBuilder b;
  std::vector<Mailbox> author;
  for (const HeaderField* f : h.all("Reply-To")) {
    for (Mailbox& m : parse_address_list(f->value()))
      author.push_back(std::move(m));
  }
  if (std::none_of(author.begin(), author.end(),
                   [](const Mailbox& m) { return !m.domain.empty(); })) {
    author = original.from();
  }
  std::vector<std::string> seen;
  add_recipients(b.to_, author, excluded, seen);
  // Replying to one's own message: to whom it went.
  const bool own_message =
      b.to_.empty() && std::any_of(author.begin(), author.end(), [&](const Mailbox& m) {
        return !m.domain.empty() &&
               std::find(excluded.begin(), excluded.end(), address_key(m)) != excluded.end();
      });
  if (reply_all || own_message) add_recipients(b.to_, original.to(), excluded, seen);
  if (reply_all) add_recipients(b.cc_, original.cc(), excluded, seen);

  const std::string subject = without_controls(original.subject());
  const std::string_view topic = strip_prefixes(subject, true);
  b.subject_ = topic.empty() ? "Re:" : "Re: " + std::string(topic);

  const auto ids = [&](std::string_view name) {
    const std::optional<std::string> value = h.get(name);
    return value ? msg_ids(*value) : std::vector<std::string>();
  };
  const std::vector<std::string> message_id = ids("Message-ID");
  std::vector<std::string> references = ids("References");
  if (references.empty()) {
    std::vector<std::string> in_reply_to = ids("In-Reply-To");
    if (in_reply_to.size() == 1) references = std::move(in_reply_to);
  }
  if (!message_id.empty()) {
    b.extra_.set("In-Reply-To", message_id.front());
    if (references.empty() || references.back() != message_id.front()) {
      references.push_back(message_id.front());
    }
  }
  if (!references.empty()) b.extra_.set("References", join(references, " "));
  return b;
}

MessageBuilder MessageBuilder::forward(const Message& original, bool inline_forward,
                                       std::string_view note_utf8) {
  MessageBuilder b;
  const std::string subject = without_controls(original.subject());
  std::string_view shown = subject;
  while (!shown.empty() && (shown.front() == ' ' || shown.front() == '\t'))
    shown.remove_prefix(1);
  while (!shown.empty() && (shown.back() == ' ' || shown.back() == '\t'))
    shown.remove_suffix(1);
  const bool forwarded = strip_prefixes(shown, false).size() != shown.size();
  b.subject_ = forwarded       ? std::string(shown)
               : shown.empty() ? "Fwd:"
                               : "Fwd: " + std::string(shown);

  if (!inline_forward) {
    Part part;
    part.filename = eml_name(shown);
    part.content_type = "message/rfc822";
    part.bytes = std::string(original.raw());
    if (scan_text(part.bytes).bare_cr_lf) part.bytes = crlf(part.bytes);
    part.verbatim = true;
    b.attachments_.push_back(std::move(part));
    if (!note_utf8.empty()) b.text(note_utf8);
    return b;
  }

  const std::vector<std::pair<std::string, std::string>> fields = forwarded_fields(original);
  const Entity* plain = first_body(original, "plain");
  const Entity* html = first_body(original, "html");
  if (plain != nullptr || html == nullptr) {
    std::string text;
    if (!note_utf8.empty()) text = std::string(note_utf8) + "\n\n";
    text += "---------- Forwarded message ----------\n";
    for (const auto& [label, value] : fields)
      text += label + ": " + value + "\n";
    text += "\n";
    if (plain != nullptr) text += plain->text();
    b.text(text);
  }
  if (html != nullptr) {
    std::string block = "<div>";
    if (!note_utf8.empty()) {
      std::string note = html_escape(note_utf8);
      for (std::size_t at = 0; (at = note.find('\n', at)) != std::string::npos; at += 5)
        note.replace(at, 1, "<br>\n");
      block += "<p>" + note + "</p>";
    }
    block += "<p>---------- Forwarded message ----------<br>\n";
    for (const auto& [label, value] : fields)
      block += label + ": " + html_escape(value) + "<br>\n";
    block += "</p></div>\n";
    b.html(block + html->text());
  }
  for (const Entity* attachment : original.attachments()) {
    if (attachment == plain || attachment == html) continue;
    const std::string name = without_controls(attachment->filename().value_or("attachment"));
    const ContentType& type = attachment->content_type();
    // A leaf message/* (left unparsed past a limit) would need an encoding it may not have.
    b.attach(name, attachment->decoded_body(),
             type.is_message() ? "application/octet-stream" : type.mime_type());
  }
  return b;
}

MessageBuilder& MessageBuilder::from(std::string_view m) {
  from_ = {one_mailbox(m, "From")};
  return *this;
}
MessageBuilder& MessageBuilder::to(std::string_view m) {
  to_.push_back(one_mailbox(m, "To"));
  return *this;
}
MessageBuilder& MessageBuilder::cc(std::string_view m) {
  cc_.push_back(one_mailbox(m, "Cc"));
  return *this;
}
MessageBuilder& MessageBuilder::bcc(std::string_view m) {
  bcc_.push_back(one_mailbox(m, "Bcc"));
  return *this;
}
MessageBuilder& MessageBuilder::reply_to(std::string_view m) {
  reply_to_.push_back(one_mailbox(m, "Reply-To"));
  return *this;
}
MessageBuilder& MessageBuilder::subject(std::string_view utf8) {
  if (utf8.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    throw Error(Errc::usage, "mime: the subject contains CR, LF or NUL");
  }
  subject_ = std::string(utf8);
  return *this;
}
MessageBuilder& MessageBuilder::text(std::string_view utf8) {
  text_ = std::string(utf8);
  has_text_ = true;
  return *this;
}
MessageBuilder& MessageBuilder::html(std::string_view utf8) {
  html_ = std::string(utf8);
  has_html_ = true;
  return *this;
}
MessageBuilder& MessageBuilder::attach(std::string_view filename, std::string bytes,
                                       std::string_view content_type) {
  check_content_type(content_type);
  attachments_.push_back(
      {std::string(filename), std::string(content_type), {}, std::move(bytes), {}});
  return *this;
}
MessageBuilder& MessageBuilder::attach_file(const std::string& path, std::string_view content_type,
                                            std::string_view filename) {
  check_content_type(content_type);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) throw Error(Errc::io, "mime: cannot read " + path);
  std::string name(filename);
  if (name.empty())
    name = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  attachments_.push_back({name, std::string(content_type), {}, {}, path});
  return *this;
}
MessageBuilder& MessageBuilder::inline_part(std::string_view content_id, std::string bytes,
                                            std::string_view content_type) {
  if (!is_msg_id_text(content_id, false)) {
    throw Error(Errc::usage, "mime: a Content-ID is printable ASCII without spaces or <>");
  }
  check_content_type(content_type);
  inline_.push_back({{}, std::string(content_type), std::string(content_id), std::move(bytes), {}});
  return *this;
}
MessageBuilder& MessageBuilder::in_reply_to(std::string_view message_id,
                                            std::string_view references) {
  extra_.set("In-Reply-To", message_id);
  extra_.set("References", references.empty()
                               ? std::string(message_id)
                               : std::string(references) + " " + std::string(message_id));
  return *this;
}
MessageBuilder& MessageBuilder::header(std::string_view name, std::string_view value) {
  std::string lower(name);
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Fields the builder writes itself: a second one would break RFC 5322 3.6 (one each).
  static const char* const own[] = {"mime-version", "bcc", "subject",  "date",      "from",
                                    "to",           "cc",  "reply-to", "message-id"};
  if (lower.rfind("content-", 0) == 0 ||
      std::find(std::begin(own), std::end(own), lower) != std::end(own)) {
    throw Error(Errc::usage, "mime: " + std::string(name) + " is set by the builder");
  }
  extra_.add(name, value);
  return *this;
}
MessageBuilder& MessageBuilder::list_unsubscribe(std::string_view url, std::string_view mailto) {
  const auto bad = [](std::string_view v) {
    return v.find_first_of(std::string_view(" \t\r\n\0<>,", 9)) != std::string_view::npos;
  };
  if ((url.empty() && mailto.empty()) || bad(url) || bad(mailto)) {
    throw Error(Errc::usage,
                "mime: List-Unsubscribe needs a URL or an address without spaces, "
                "CR, LF, '<', '>' or ','");
  }
  const bool https = url.rfind("https://", 0) == 0;
  if (!url.empty() && !https && url.rfind("http://", 0) != 0) {
    throw Error(Errc::usage, "mime: the List-Unsubscribe URL is not http(s)");
  }
  std::string value;
  if (!url.empty()) value = "<" + std::string(url) + ">";
  if (!mailto.empty()) {
    if (!value.empty()) value += ", ";
    value += mailto.rfind("mailto:", 0) == 0 ? "<" + std::string(mailto) + ">"
                                             : "<mailto:" + std::string(mailto) + ">";
  }
  extra_.remove("List-Unsubscribe");
  extra_.remove("List-Unsubscribe-Post");
  extra_.add("List-Unsubscribe", value);
  if (https) extra_.add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
  return *this;
}
MessageBuilder& MessageBuilder::message_id(std::string_view id) {
  if (!is_msg_id_text(id, true)) {
    throw Error(Errc::usage, "mime: a Message-ID is printable ASCII without spaces");
  }
  message_id_.value = std::string(id);
  message_id_.given = true;
  return *this;
}
MessageBuilder& MessageBuilder::new_message_id() noexcept {
  message_id_.value.clear();
  message_id_.given = false;
  return *this;
}

MessageBuilder& MessageBuilder::date(std::time_t when) {
  date_ = when;
  has_date_ = true;
  return *this;
}

bool MessageBuilder::streams_files() const noexcept {
  return std::any_of(attachments_.begin(), attachments_.end(),
                     [](const Part& p) { return !p.path.empty(); });
}

std::string MessageBuilder::envelope_sender() const {
  return from_.empty() ? std::string() : from_[0].address();
}

std::vector<std::string> MessageBuilder::envelope_recipients() const {
  std::vector<std::string> out;
  for (const auto* list : {&to_, &cc_, &bcc_}) {
    for (const Mailbox& m : *list)
      out.push_back(m.address());
  }
  return out;
}

bool MessageBuilder::needs_smtputf8() const {
  for (const auto* list : {&from_, &to_, &cc_, &bcc_, &reply_to_}) {
    for (const Mailbox& m : *list) {
      for (const char c : m.address()) {
        if (static_cast<unsigned char>(c) >= 0x80) return true;
      }
    }
  }
  return false;
}

void MessageBuilder::write(const ByteSink& sink, const WriteOptions& options) const {
  if (from_.empty()) throw Error(Errc::usage, "mime: a message needs a From address");
  Writer w(sink, options);
  const auto addresses = [&](const char* name, const std::vector<Mailbox>& list) {
    if (list.empty()) return;
    std::string value;
    for (const Mailbox& m : list) {
      if (!value.empty()) value += ", ";
      value += options.smtputf8 && !m.name.empty() ? quoted(m.name) + " <" + m.address() + ">"
                                                   : m.to_header();
    }
    w.field(name, value);
  };
  w.field("Date", format_date(has_date_ ? date_ : std::time(nullptr), !has_date_));
  addresses("From", from_);
  addresses("To", to_);
  addresses("Cc", cc_);
  addresses("Reply-To", reply_to_);
  if (!subject_.empty()) {
    w.field("Subject", options.smtputf8 ? subject_ : encode_header_text(subject_));
  }
  const std::string domain = from_[0].domain.empty() ? "localhost" : from_[0].domain;
  // Generated on the first write and kept: every later write of this builder carries the same
  // Message-ID, and the caller can read it (to log it, or to thread a reply). A copy generates
  // its own (MessageIdSlot).
  if (message_id_.value.empty())
    message_id_.value = fmt::format("<{}.{}@{}>", std::time(nullptr), random_token(20), domain);
  w.field("Message-ID", message_id_.value);
  w.put(extra_.to_string());
  w.field("MIME-Version", "1.0");

  // The tree: mixed(alternative(text, related(html, inline...)), attachments...).
  const bool related = has_html_ && !inline_.empty();
  const bool alternative = has_text_ && has_html_;
  const bool mixed = !attachments_.empty();
  // "=_" cannot occur in base64 or quoted-printable; 7bit text parts and forwarded messages,
  // written as they are, are checked.
  const auto collides = [&](const std::string& tag) {
    for (const std::string* body : {&text_, &html_}) {
      if (body->find(tag) != std::string::npos) return true;
    }
    return std::any_of(attachments_.begin(), attachments_.end(), [&](const Part& p) {
      return p.verbatim && p.bytes.find(tag) != std::string::npos;
    });
  };
  std::string tag = random_token(24);
  for (int tries = 0; collides(tag); ++tries) {
    if (tries == 8) throw Error(Errc::usage, "mime: boundary collision (try again)");
    tag = random_token(24);
  }
  const std::string b_mixed = "=_mixed_" + tag;
  const std::string b_alt = "=_alt_" + tag;
  const std::string b_rel = "=_rel_" + tag;
  const auto open = [&](const std::string& type, const std::string& boundary) {
    w.field("Content-Type", fmt::format("multipart/{}; boundary=\"{}\"", type, boundary));
    w.put("\r\n");
  };
  const auto delimiter = [&](const std::string& boundary) { w.put("\r\n--" + boundary + "\r\n"); };
  const auto close = [&](const std::string& boundary) { w.put("\r\n--" + boundary + "--\r\n"); };

  const auto html_block = [&] {
    if (!related) {
      w.text_part("text/html", html_);
      return;
    }
    open("related", b_rel);
    w.put("--" + b_rel + "\r\n");
    w.text_part("text/html", html_);
    for (const Part& p : inline_) {
      delimiter(b_rel);
      w.binary_part(p, true);
    }
    close(b_rel);
  };
  const auto body_block = [&] {
    if (alternative) {
      open("alternative", b_alt);
      w.put("--" + b_alt + "\r\n");
      w.text_part("text/plain", text_);
      delimiter(b_alt);
      html_block();
      close(b_alt);
    } else if (has_html_) {
      html_block();
    } else {
      w.text_part("text/plain", text_);
    }
  };
  if (!mixed) {
    body_block();
    return;
  }
  open("mixed", b_mixed);
  w.put("--" + b_mixed + "\r\n");
  body_block();
  for (const Part& p : attachments_) {
    delimiter(b_mixed);
    w.binary_part(p, false);
  }
  close(b_mixed);
}

std::string MessageBuilder::to_string(const WriteOptions& options) const {
  std::string out;
  write([&](std::string_view chunk) { out.append(chunk); }, options);
  return out;
}

}  // namespace mailwire::mime
