// MessageBuilder: chooses the structure (single part, alternative, related, mixed), the
// transfer encoding of each part, and boundaries, then streams the result.

#include <mailwire/error.hpp>
#include <mailwire/mime/builder.hpp>
#include <mailwire/mime/encoded_word.hpp>
#include <mailwire/mime/encoding.hpp>

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
    field("Content-Transfer-Encoding", "base64");
    std::string disposition = is_inline ? "inline" : "attachment";
    if (!part.filename.empty()) disposition += param("filename", part.filename);
    field("Content-Disposition", disposition);
    if (!part.content_id.empty()) field("Content-ID", "<" + part.content_id + ">");
    put("\r\n");
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
  attachments_.push_back(
      {std::string(filename), std::string(content_type), {}, std::move(bytes), {}});
  return *this;
}
MessageBuilder& MessageBuilder::attach_file(const std::string& path, std::string_view content_type,
                                            std::string_view filename) {
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
  if (!is_ascii_token(content_id) && content_id.find('@') == std::string_view::npos) {
    throw Error(Errc::usage, "mime: a Content-ID is printable ASCII without spaces");
  }
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
  if (lower.rfind("content-", 0) == 0 || lower == "mime-version" || lower == "bcc") {
    throw Error(Errc::usage, "mime: " + std::string(name) + " is set by the builder");
  }
  extra_.add(name, value);
  return *this;
}
MessageBuilder& MessageBuilder::message_id(std::string_view id) {
  if (id.find_first_of(" \t\r\n") != std::string_view::npos || id.empty()) {
    throw Error(Errc::usage, "mime: a Message-ID has no spaces or line breaks");
  }
  message_id_ = std::string(id);
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
  w.field("Message-ID", message_id_.empty() ? fmt::format("<{}.{}@{}>", std::time(nullptr),
                                                          random_token(20), domain)
                                            : message_id_);
  w.put(extra_.to_string());
  w.field("MIME-Version", "1.0");

  // The tree: mixed(alternative(text, related(html, inline...)), attachments...).
  const bool related = has_html_ && !inline_.empty();
  const bool alternative = has_text_ && has_html_;
  const bool mixed = !attachments_.empty();
  const std::string tag = random_token(24);
  const std::string b_mixed = "=_mixed_" + tag;
  const std::string b_alt = "=_alt_" + tag;
  const std::string b_rel = "=_rel_" + tag;
  // "=_" cannot occur in base64 or quoted-printable; a 7bit text part is checked.
  for (const std::string* body : {&text_, &html_}) {
    if (body->find("=_") != std::string::npos && body->find(tag) != std::string::npos) {
      throw Error(Errc::usage, "mime: boundary collision (try again)");
    }
  }
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
