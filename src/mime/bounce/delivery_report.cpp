// Reading delivery reports.
//
// Theory of operation. A message is tried as, in order:
//   1. an RFC 5965 complaint (a message/feedback-report part),
//   2. an RFC 3464 DSN (a message/delivery-status part, or a text part made of DSN fields),
//   3. an Amazon SES notification (its JSON in the body),
//   4. a non-standard bounce: a sender, subject or header that only bounces have, or a body
//      marker of a row of the format table (rules.cpp); its recipients, codes and text are
//      read from the report section of its text,
//   5. an RFC 3834 automatic reply (Auto-Submitted: auto-replied and the usual vacation
//      markers),
// and is otherwise an ordinary message (kind None). Every step is best effort: a field that
// cannot be read stays empty, nothing throws on malformed input, and every loop is bounded by
// the size of the input.

#include "mime/bounce/rules.hpp"
#include "mime/bounce/text.hpp"

#include <mailwire/mime/address.hpp>
#include <mailwire/mime/charset.hpp>
#include <mailwire/mime/delivery_report.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

namespace mailwire::mime {

namespace {

using bounce::find_addresses;
using bounce::icontains;
using bounce::lower;
using bounce::trim;

constexpr std::size_t kMaxDiagnostic = 600;
constexpr std::size_t kMaxRecipients = 500;
constexpr std::size_t kMaxText = 256 * 1024;

// Lines of `text` as views (without the line end).
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(at, nl - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    at = nl + 1;
  }
  return out;
}

// White space runs collapsed to one space, trimmed, valid UTF-8 (invalid bytes replaced), cut
// to at most kMaxDiagnostic bytes at a character boundary.
std::string squeeze(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
    if (out.size() >= kMaxDiagnostic) break;
  }
  out = repair_utf8(out);
  if (out.size() > kMaxDiagnostic) {
    std::size_t n = kMaxDiagnostic;
    while (n > 0 && (static_cast<unsigned char>(out[n]) & 0xC0) == 0x80)
      --n;
    out.resize(n);
  }
  return out;
}

// The value after a "type;" prefix ("dns; mx.example" -> "mx.example").
std::string after_type(std::string_view value) {
  const std::size_t semi = value.find(';');
  if (semi != std::string_view::npos) value.remove_prefix(semi + 1);
  return std::string(trim(value));
}

// The text of an HTML part: tags removed (those that end a line or a block become a line end,
// as the recipients of a report are read line by line), comments, styles and scripts dropped,
// the common entities decoded.
std::string strip_html(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  std::size_t i = 0;
  const auto starts = [&](std::size_t at, std::string_view w) {
    if (at + w.size() > html.size()) return false;
    for (std::size_t k = 0; k < w.size(); ++k) {
      char c = html[at + k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != w[k]) return false;
    }
    return true;
  };
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') {
      if (starts(i, "<!--")) {
        const std::size_t e = html.find("-->", i + 4);
        i = e == std::string_view::npos ? html.size() : e + 3;
        continue;
      }
      for (const char* skip : {"<style", "<script"}) {
        if (starts(i, skip)) {
          const std::string close = std::string("</") + (skip + 1);
          std::size_t e = i + 1;
          while (e < html.size() && !starts(e, close))
            ++e;
          i = e;
          break;
        }
      }
      const std::size_t e = html.find('>', i);
      if (e == std::string_view::npos) break;
      std::string_view tag = html.substr(i + 1, e - i - 1);
      std::size_t n = 0;
      if (!tag.empty() && tag[0] == '/') tag.remove_prefix(1);
      while (n < tag.size() &&
             ((tag[n] >= 'a' && tag[n] <= 'z') || (tag[n] >= 'A' && tag[n] <= 'Z') ||
              (tag[n] >= '0' && tag[n] <= '9')))
        ++n;
      const std::string name = lower(tag.substr(0, n));
      static const char* const kBreaks[] = {"br", "p",  "div", "tr",    "li", "h1", "h2",  "h3",
                                            "h4", "h5", "h6",  "table", "ul", "ol", "pre", "hr"};
      bool brk = false;
      for (const char* b : kBreaks)
        brk = brk || name == b;
      out += brk ? '\n' : ' ';
      i = e + 1;
      continue;
    }
    if (c == '&') {
      static const std::pair<const char*, const char*> kEntities[] = {
          {"&lt;", "<"},   {"&gt;", ">"},  {"&amp;", "&"}, {"&quot;", "\""},
          {"&nbsp;", " "}, {"&#64;", "@"}, {"&#39;", "'"}, {"&apos;", "'"}};
      bool done = false;
      for (const auto& [name, value] : kEntities) {
        if (starts(i, name)) {
          out += value;
          i += std::strlen(name);
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    out += c;
    ++i;
  }
  return out;
}

bool is_original_container(const Entity& e) {
  const ContentType& ct = e.content_type();
  if (!ct.is_message()) return false;
  return ct.subtype == "rfc822" || ct.subtype == "global" || ct.subtype == "partial";
}

bool is_header_copy(const Entity& e) {
  const ContentType& ct = e.content_type();
  return (ct.type == "text" && (ct.subtype == "rfc822-headers" || ct.subtype == "rfc822-header")) ||
         (ct.type == "message" && ct.subtype == "global-headers");
}

// What the reader gathers from the structure before deciding the kind.
struct Parts {
  std::string text;                  // the human-readable report text (before any copy)
  std::string full_text;             // every text part, the copy included
  const Entity* status = nullptr;    // message/delivery-status
  const Entity* feedback = nullptr;  // message/feedback-report
  const Entity* original = nullptr;  // message/rfc822 (or global)
  const Entity* header_copy = nullptr;
  std::string report_type;
};

void gather(const Entity& e, Parts& p, std::size_t depth) {
  if (depth > 64) return;
  const ContentType& ct = e.content_type();
  if (ct.is_multipart()) {
    if (ct.subtype == "report" && p.report_type.empty()) {
      if (const auto rt = ct.param("report-type")) p.report_type = lower(*rt);
    }
    for (const Entity& c : e.children())
      gather(c, p, depth + 1);
    // A multipart whose boundary never occurs: its body is all the text there is.
    if (e.children().empty() && p.full_text.size() < kMaxText) {
      p.full_text += std::string(e.body().substr(0, kMaxText));
      p.full_text += '\n';
    }
    return;
  }
  if (ct.type == "message" &&
      (ct.subtype == "delivery-status" || ct.subtype == "global-delivery-status")) {
    if (p.status == nullptr) p.status = &e;
    return;
  }
  if (ct.type == "message" && ct.subtype == "feedback-report") {
    if (p.feedback == nullptr) p.feedback = &e;
    return;
  }
  if (is_original_container(e)) {
    if (p.original == nullptr) p.original = &e;
    return;
  }
  if (is_header_copy(e)) {
    if (p.header_copy == nullptr) p.header_copy = &e;
    return;
  }
  if (ct.type == "text" && p.full_text.size() < kMaxText) {
    const ContentDisposition d = e.disposition();
    std::string t = e.text();
    if (ct.subtype == "html") {
      if (!p.full_text.empty()) return;  // the plain alternative was read already
      t = strip_html(t);
    } else if (ct.subtype != "plain" && !t.empty() && d.kind == "attachment") {
      return;
    }
    if (t.size() > kMaxText) t.resize(kMaxText);
    p.full_text += t;
    p.full_text += '\n';
  }
}

// A rule line that announces the copy of the original ("------ Original message ------",
// "==== Returned mail follows ===="): at least three '-', '=', '*' or '_' and a word of it.
bool is_copy_separator(std::string_view lowered_line) {
  std::string_view l = trim(lowered_line);
  std::size_t rule = 0;
  while (rule < l.size() && (l[rule] == '-' || l[rule] == '=' || l[rule] == '*' || l[rule] == '_'))
    ++rule;
  if (rule < 3 || l.size() > 120) return false;
  static const char* const kWords[] = {"original",        "copy of",      "returned message",
                                       "returned mail",   "header",       "enclosed",
                                       "message follows", "message body", "message text"};
  for (const char* w : kWords) {
    if (l.find(w) != std::string_view::npos) return true;
  }
  return false;
}

// Where the report's own text ends: the first separator line, or a quoted header block.
// `lowered` is `text` in lower case.
std::size_t copy_start(std::string_view text, std::string_view lowered) {
  std::size_t end = text.size();
  for (const char* const* s = bounce::kOriginalSeparators; *s != nullptr; ++s) {
    const std::size_t hit = lowered.substr(0, end).find(*s);
    if (hit == std::string_view::npos) continue;
    const std::size_t ls = lowered.rfind('\n', hit);
    end = ls == std::string_view::npos ? 0 : ls + 1;
  }
  std::size_t at = 0;
  bool after_blank = true;
  while (at < end) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view l = lowered.substr(at, nl - at);
    if (after_blank && (l.rfind("received: ", 0) == 0 || l.rfind("return-path:", 0) == 0))
      return at;
    if (is_copy_separator(l)) return at;
    after_blank = trim(l).empty();
    at = nl + 1;
  }
  return end;
}

// The quoted header block of the original message in a text bounce, if any.
HeaderList quoted_headers(std::string_view text) {
  const auto lines = lines_of(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string l = lower(lines[i].substr(0, 20));
    if (l.rfind("received:", 0) == 0 || l.rfind("return-path:", 0) == 0 ||
        l.rfind("message-id:", 0) == 0 || l.rfind("date:", 0) == 0 || l.rfind("from:", 0) == 0) {
      std::size_t j = i;
      std::string block;
      for (; j < lines.size() && !trim(lines[j]).empty() && block.size() < 64 * 1024; ++j) {
        block.append(lines[j].data(), lines[j].size());
        block += "\r\n";
      }
      HeaderList h = HeaderList::parse(block);
      if (h.find("Message-ID") != nullptr || h.find("Subject") != nullptr) return h;
    }
  }
  return {};
}

// The blocks of a delivery-status body, each a HeaderList. Tolerates a missing blank line
// between blocks (a new Final-Recipient or Original-Recipient after a Final-Recipient starts
// a new block) and lines that are not fields.
std::vector<HeaderList> status_blocks(std::string_view body) {
  std::vector<HeaderList> out;
  std::string block;
  bool has_final = false, has_original = false;
  const auto flush = [&] {
    if (!trim(block).empty()) out.push_back(HeaderList::parse(block));
    block.clear();
    has_final = has_original = false;
  };
  for (std::string_view line : lines_of(body)) {
    if (out.size() > kMaxRecipients) break;
    if (trim(line).empty()) {
      flush();
      continue;
    }
    const std::string l = lower(line.substr(0, 20));
    const bool final = l.rfind("final-recipient:", 0) == 0;
    const bool original = l.rfind("original-recipient:", 0) == 0;
    // Final-Recipient and Original-Recipient come in either order, once per block.
    if ((final && has_final) || (original && has_original)) flush();
    if (final) has_final = true;
    if (original) has_original = true;
    block.append(line.data(), line.size());
    block += "\r\n";
  }
  flush();
  return out;
}

bool looks_like_status_fields(std::string_view text) {
  return icontains(text, "\nfinal-recipient:") || icontains(text, "\noriginal-recipient:") ||
         bounce::lower(text.substr(0, 16)).rfind("final-recipient:", 0) == 0;
}

std::string header_address(const HeaderList& h, const char* name) {
  const auto v = h.get(name);
  if (!v) return {};
  return bounce::address_in(*v);
}

// The segment of `text` about `address`: from the line where it first appears to the line
// where the next recipient appears.
struct Segment {
  std::size_t begin = 0, end = 0;
};

// Addresses that are not recipients: the bounce's own sender and addressee, the original
// sender.
struct Exclusions {
  std::set<std::string> addresses;
  bool excluded(const std::string& a) const {
    const std::string l = lower(a);
    if (addresses.count(l) != 0) return true;
    const std::string local = l.substr(0, l.find('@'));
    return local == "mailer-daemon" || local == "mail-daemon" || local == "mailer_daemon" ||
           local == "mdaemon";
  }
  void add_from(const HeaderList& h, const char* name) {
    for (const HeaderField* f : h.all(name)) {
      for (const auto& found : find_addresses(f->value()))
        addresses.insert(lower(found.address));
    }
  }
};

bool daemon_sender(const Message& m) {
  for (const HeaderField* f : m.headers().all("From")) {
    const std::string v = lower(f->value());
    if (v.find("mailer-daemon") != std::string::npos ||
        v.find("mailer_daemon") != std::string::npos ||
        v.find("mail-daemon") != std::string::npos || v.find("postmaster") != std::string::npos ||
        v.find("mail delivery") != std::string::npos || v.find("mdaemon") != std::string::npos ||
        v.find("post_master") != std::string::npos)
      return true;
  }
  return false;
}

bool bounce_subject(std::string_view subject) {
  static const char* const kSubjects[] = {
      "undeliver",
      "undelivered",
      "delivery status notification",
      "returned mail",
      "mail delivery",
      "delivery failure",
      "failure notice",
      "delivery failed",
      "could not be delivered",
      "non-delivery",
      "nondeliverable",
      "not delivered",
      "mail system error",
      "delivery problem",
      "returned to sender",
      "delivery notification",
      "mail error",
      "warning: message",
      "delayed mail",
      "delivery report",
      "message delivery has failed",
      "notification de non-remise",
      "unzustellbar",
      "non remis",
      "non recapitabile",
      "no se puede entregar",
      "não é possível entregar",
      "onbestelbaar",
      "mail failure",
      "delivery delayed",
      "could not send message",
      "delivery has failed",
      "unable to deliver",
      "failed mail",
      "nondelivery",
      "non delivery",
      "delivery error",
      "mail returned",
      "returned message",
  };
  const std::string l = lower(subject);
  for (const char* s : kSubjects) {
    if (l.find(s) != std::string::npos) return true;
  }
  return false;
}

void set_original(DeliveryReport& r, const Parts& p, std::string_view text_copy) {
  if (p.original != nullptr && !p.original->children().empty()) {
    r.original_headers = p.original->children().front().headers();
  } else if (p.original != nullptr) {
    r.original_headers = HeaderList::parse(p.original->decoded_body().substr(0, 64 * 1024));
  } else if (p.header_copy != nullptr) {
    r.original_headers = HeaderList::parse(p.header_copy->text().substr(0, 64 * 1024));
  } else if (!text_copy.empty()) {
    r.original_headers = quoted_headers(text_copy);
  }
  if (const auto id = r.original_headers.get("Message-ID")) {
    r.original_message_id = std::string(trim(*id));
  }
}

// The white space a line starts with.
std::size_t indent_of(std::string_view text, std::size_t b) {
  std::size_t n = 0;
  while (b + n < text.size() && (text[b + n] == ' ' || text[b + n] == '\t'))
    ++n;
  return n;
}

// The line starting at `b` and the lines after it that are indented deeper (they continue
// it), up to `limit` (where the next recipient's line starts).
std::string_view own_lines(std::string_view text, std::size_t b,
                           std::size_t limit = std::string_view::npos) {
  if (limit < text.size()) text = text.substr(0, limit);
  const std::size_t first = indent_of(text, b);
  std::size_t e = text.find('\n', b);
  while (e != std::string_view::npos && e + 1 < text.size() && indent_of(text, e + 1) > first &&
         indent_of(text, e + 1) > 0)
    e = text.find('\n', e + 1);
  if (e == std::string_view::npos) e = text.size();
  return text.substr(b, e - b);
}

// True when text[from, to) holds only what separates the items of a list of addresses.
bool only_separators(std::string_view text, std::size_t from, std::size_t to) {
  if (from > to || to > text.size()) return false;
  std::string_view between = text.substr(from, to - from);
  bool separator = false;  // "a@x <b@x>" is one mailbox, written oddly
  while (!between.empty()) {
    const char c = between.front();
    if (c == ',' || c == ';') {
      separator = true;
      between.remove_prefix(1);
    } else if (c == ' ' || c == '\t' || c == '<' || c == '>' || c == '"') {
      between.remove_prefix(1);
    } else if (between.size() >= 4 && lower(between.substr(0, 4)) == "and ") {
      separator = true;
      between.remove_prefix(4);
    } else {
      return false;
    }
  }
  return separator;
}

// The line around an offset of a text, for offsets that only grow: one pass over the text
// however many offsets are asked about.
struct LineFinder {
  std::string_view text;
  std::size_t begin = 0, end = std::string_view::npos;
  // The start of the line holding `offset` and the offset of its line end.
  std::pair<std::size_t, std::size_t> at(std::size_t offset) {
    if (end == std::string_view::npos) end = std::min(text.find('\n'), text.size());
    while (offset > end && end < text.size()) {
      begin = end + 1;
      end = std::min(text.find('\n', begin), text.size());
    }
    return {begin, end};
  }
};

// Reads recipients from a report section of text.
std::vector<ReportRecipient> read_text_recipients(std::string_view section, const Exclusions& ex,
                                                  bounce::Recipients style) {
  std::vector<ReportRecipient> out;
  std::vector<std::pair<std::string, std::size_t>> found;  // address, line start
  std::set<std::string> seen;
  std::size_t last_line = std::string_view::npos, last_end = 0;
  LineFinder lines{section};
  for (const auto& a : find_addresses(section)) {
    if (found.size() >= kMaxRecipients) break;
    const std::string l = lower(a.address);
    if (ex.excluded(l) || seen.count(l) != 0) continue;
    // The line it is on: skip header-like lines of the quoted message and message ids.
    const auto [ls, le] = lines.at(a.offset);
    // One recipient per line ("<a@x>: ... said: 550 <a2@x> ..." names a once), but for a list
    // ("a@x, b@x and c@x").
    if (ls == last_line && found.size() > 0 && !only_separators(section, last_end, a.offset))
      continue;
    const std::string full_line = lower(section.substr(ls, std::min<std::size_t>(le - ls, 300)));
    std::string_view lt = trim(full_line);
    while (!lt.empty() && (lt.front() == '>' || lt.front() == ' ' || lt.front() == '|'))
      lt.remove_prefix(1);
    if (l.rfind("postmaster@", 0) == 0 && (full_line.find("contact") != std::string::npos ||
                                           full_line.find("send mail to") != std::string::npos ||
                                           full_line.find("assistance") != std::string::npos))
      continue;
    // "please contact helpdesk@example.net": an address to write to, not a recipient.
    {
      // (The end of the line before the address only: a line may be long.)
      const std::size_t from = a.offset - ls > 160 ? a.offset - 160 : ls;
      const std::string lead = lower(section.substr(from, a.offset - from));
      static const char* const kContact[] = {
          "please contact",   "contact us at",        "send mail to",
          "send an email to", "please write to",      "please reply to",
          "for assistance",   "for more information", "questions"};
      bool contact = false;
      for (const char* c : kContact)
        contact = contact || lead.find(c) != std::string::npos;
      if (contact) continue;
      // "<news@x>: Sender address rejected", "<news@x>... Sender ok": the sender.
      const std::size_t after = a.offset + a.address.size();
      const std::string tail = lower(section.substr(after, std::min<std::size_t>(le - after, 12)));
      if (!tail.empty() && tail[0] == '>' && tail.find("sender") != std::string::npos) continue;
      // "(expanded from <list@x>)": the alias the sender wrote, not where delivery failed.
      const std::size_t expanded = lead.rfind("expanded from");
      if (expanded != std::string::npos && expanded + 20 >= lead.size()) continue;
    }
    if (lt.rfind("from:", 0) == 0 || lt.rfind("reply-to:", 0) == 0 || lt.rfind("sender:", 0) == 0 ||
        lt.rfind("message-id", 0) == 0 || lt.rfind("return-path", 0) == 0 ||
        lt.rfind("to:", 0) == 0 || lt.rfind("received:", 0) == 0 ||
        lt.rfind("envelope-from", 0) == 0 || lt.rfind("cc:", 0) == 0 || lt.rfind("bcc:", 0) == 0 ||
        lt.rfind("in-reply-to:", 0) == 0 || lt.rfind("references:", 0) == 0 ||
        lt.rfind("list-", 0) == 0)
      continue;
    // "from sender@example.com [192.0.2.1]": where the original came from.
    if (lt.rfind("from ", 0) == 0 && trim(lt.substr(5)).rfind(lower(a.address), 0) == 0) continue;
    const std::string before =
        lower(section.substr(a.offset >= 12 ? a.offset - 12 : 0, a.offset >= 12 ? 12 : a.offset));
    if (before.find("mail from:") != std::string::npos || before.find("=") != std::string::npos ||
        before.find("id <") != std::string::npos || before.find("/") != std::string::npos ||
        before.find("from <") != std::string::npos)
      continue;
    seen.insert(l);
    last_line = ls;
    last_end = a.offset + a.address.size();
    found.emplace_back(a.address, ls);
    if (style == bounce::Recipients::FirstOnly) break;
  }
  // Every line that names a recipient, with the recipient it names (the first on the line):
  // a report may name each recipient again further on (a transcript, a section of details).
  std::vector<std::pair<std::size_t, std::size_t>> named;  // line start, recipient
  if (found.size() > 1) {
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < found.size(); ++i)
      index.emplace(lower(found[i].first), i);
    std::size_t last = std::string_view::npos;
    LineFinder again{section};
    for (const auto& a : find_addresses(section)) {
      const auto it = index.find(lower(a.address));
      if (it == index.end()) continue;
      const std::size_t ls = again.at(a.offset).first;
      if (ls == last) continue;
      last = ls;
      named.emplace_back(ls, it->second);
    }
  }
  std::vector<std::string> texts;  // the lines about each recipient
  for (std::size_t i = 0; i < found.size(); ++i) {
    const std::size_t b = found[i].second;
    // Up to the line of the next recipient (recipients listed on one line share the lines
    // after it).
    std::size_t e = section.size();
    for (std::size_t j = i + 1; j < found.size(); ++j) {
      if (found[j].second > b) {
        e = found[j].second;
        break;
      }
    }
    // Up to the next line that names another recipient.
    for (const auto& [line, who] : named) {
      if (line > b && who != i) {
        e = std::min(e, line);
        break;
      }
    }
    std::string_view seg = section.substr(b, e - b);
    // For one recipient the whole section speaks about it (the wording may come first).
    if (found.size() == 1) seg = section;
    // Its own line (with the indented lines that continue it) when that says why.
    const std::string_view own = own_lines(section, b, e);
    if (found.size() > 1 && bounce::reason_from_text(own) != BounceReason::Other) seg = own;
    std::string text(seg);
    // With several recipients, the other places that name this one, each up to the next line
    // that names another: when the first says no code, a later one may ("Diagnostic
    // information for administrators", a session transcript).
    if (found.size() > 1 && bounce::find_status(seg).empty()) {
      for (std::size_t k = 0; k < named.size(); ++k) {
        // Past its first lines; a run of lines naming it is one place.
        if (named[k].second != i || named[k].first < e) continue;
        if (k > 0 && named[k - 1].second == i && named[k - 1].first >= e) continue;
        std::size_t end = section.size();
        for (std::size_t n = k + 1; n < named.size(); ++n) {
          if (named[n].second != i) {
            end = named[n].first;
            break;
          }
        }
        text += '\n';
        text.append(section.substr(named[k].first, end - named[k].first));
        if (text.size() > 4 * kMaxDiagnostic) break;
      }
    }
    texts.push_back(std::move(text));
  }
  // Recipients listed one under the other share the reason given after the last of them
  // ("alice@x\nbob@x\n\nError: 550 5.1.1 ..."): a recipient whose lines say nothing takes
  // those of the next recipient that says something.
  std::vector<bool> says_nothing(texts.size(), false);
  if (found.size() > 1) {
    for (std::size_t i = 0; i < texts.size(); ++i)
      says_nothing[i] = bounce::find_status(texts[i]).empty() &&
                        bounce::find_reply_code(texts[i]).empty() &&
                        bounce::reason_from_text(texts[i]) == BounceReason::Other;
  }
  for (std::size_t i = 0; i < found.size(); ++i) {
    ReportRecipient r;
    r.address = found[i].first;
    std::string text = texts[i];
    if (says_nothing[i]) {
      for (std::size_t j = i + 1; j < found.size(); ++j) {
        if (says_nothing[j]) continue;
        text += '\n';
        text.append(texts[j], 0, 4 * kMaxDiagnostic);
        break;
      }
    }
    r.diagnostic = squeeze(text);
    out.push_back(std::move(r));
  }
  return out;
}

// Amazon SES notifications: the JSON object in the body, read by looking for its keys.
std::string json_string_after(std::string_view s, std::string_view key, std::size_t from = 0) {
  const std::string k = "\"" + std::string(key) + "\"";
  std::size_t at = s.find(k, from);
  if (at == std::string_view::npos) return {};
  at = s.find(':', at + k.size());
  if (at == std::string_view::npos) return {};
  ++at;
  while (at < s.size() && (s[at] == ' ' || s[at] == '\n' || s[at] == '\r'))
    ++at;
  if (at >= s.size() || s[at] != '"') return {};
  std::string out;
  for (++at; at < s.size() && s[at] != '"' && out.size() < kMaxDiagnostic; ++at) {
    if (s[at] == '\\' && at + 1 < s.size()) ++at;
    out += s[at];
  }
  return out;
}

bool read_ses(std::string_view body, DeliveryReport& r) {
  const std::size_t type_at = body.find("\"notificationType\"");
  if (type_at == std::string_view::npos) return false;
  const std::string type = lower(json_string_after(body, "notificationType"));
  std::string array_key;
  if (type == "bounce") array_key = "\"bouncedRecipients\"";
  if (type == "complaint") array_key = "\"complainedRecipients\"";
  if (type == "delivery") array_key = "\"recipients\"";
  if (array_key.empty()) return false;
  std::size_t at = body.find(array_key);
  if (at == std::string_view::npos) return false;
  const std::size_t end = body.find(']', at);
  const std::string_view arr =
      body.substr(at, end == std::string_view::npos ? body.size() - at : end - at);
  r.kind = type == "complaint" ? ReportKind::Arf : ReportKind::Dsn;
  r.format = "amazon-ses";
  if (type == "complaint") {
    r.feedback_type = json_string_after(body, "complaintFeedbackType");
    if (r.feedback_type.empty()) r.feedback_type = "abuse";
  }
  const std::string smtp = json_string_after(body, "smtpResponse");
  for (const auto& a : find_addresses(arr)) {
    if (r.recipients.size() >= kMaxRecipients) break;
    ReportRecipient rr;
    rr.address = a.address;
    if (type == "complaint") {
      rr.reason = BounceReason::Complaint;
      r.recipients.push_back(rr);
      continue;
    }
    if (type == "delivery") {
      rr.action = "delivered";
      rr.diagnostic = smtp;
      rr.reply_code = bounce::find_reply_code(smtp);
      rr.status = bounce::find_status(smtp);
    } else {
      rr.action = json_string_after(arr, "action", a.offset);
      rr.status = bounce::find_status(json_string_after(arr, "status", a.offset));
      rr.diagnostic = json_string_after(arr, "diagnosticCode", a.offset);
      rr.diagnostic = squeeze(after_type(rr.diagnostic));
    }
    bounce::complete_recipient(rr, rr.diagnostic);
    r.recipients.push_back(std::move(rr));
  }
  return true;
}

bool is_auto_reply(const Message& m) {
  const HeaderList& h = m.headers();
  if (const auto v = h.get("Auto-Submitted")) {
    if (icontains(*v, "auto-replied")) return true;
  }
  if (h.find("X-Autoreply") != nullptr || h.find("X-Autorespond") != nullptr ||
      h.find("X-Autoresponder") != nullptr || h.find("X-Mail-Autoreply") != nullptr ||
      h.find("X-Vacation") != nullptr)
    return true;
  if (const auto v = h.get("X-Autogenerated")) {
    if (icontains(*v, "reply")) return true;
  }
  if (const auto v = h.get("Precedence")) {
    if (icontains(*v, "auto_reply") || icontains(*v, "auto-reply")) return true;
  }
  if (const auto v = h.get("X-Auto-Response")) return true;
  const std::string s = lower(m.subject());
  static const char* const kSubjects[] = {"auto:",
                                          "automatic reply",
                                          "autoreply",
                                          "auto-reply",
                                          "auto reply",
                                          "out of office",
                                          "out of the office",
                                          "vacation",
                                          "away from",
                                          "abwesenheit",
                                          "auto response",
                                          "réponse automatique",
                                          "respuesta automática",
                                          "risposta automatica",
                                          "resposta automática",
                                          "automatisch antwoord"};
  for (const char* k : kSubjects) {
    if (s.find(k) != std::string::npos) return true;
  }
  return false;
}

void read_dsn(const Message& m, const Parts& p, const std::string& prose, DeliveryReport& r) {
  r.kind = ReportKind::Dsn;
  const std::string body = p.status != nullptr ? p.status->text() : prose;
  const auto blocks = status_blocks(body);
  bool first = true;
  for (const HeaderList& b : blocks) {
    const bool is_recipient =
        b.find("Final-Recipient") != nullptr || b.find("Original-Recipient") != nullptr;
    if (!is_recipient) {
      if (first && r.reporting_mta.empty()) {
        if (const auto v = b.get("Reporting-MTA")) r.reporting_mta = after_type(*v);
      }
      first = false;
      continue;
    }
    first = false;
    if (r.recipients.size() >= kMaxRecipients) break;
    ReportRecipient rr;
    rr.address = header_address(b, "Final-Recipient");
    rr.original_address = header_address(b, "Original-Recipient");
    if (rr.address.empty()) rr.address = rr.original_address;
    if (const auto v = b.get("Action")) rr.action = lower(trim(*v));
    if (const auto v = b.get("Status")) rr.status = bounce::find_status(*v);
    if (const auto v = b.get("Remote-MTA")) rr.remote_mta = after_type(*v);
    if (const auto v = b.get("Diagnostic-Code")) rr.diagnostic = squeeze(after_type(*v));
    if (rr.address.empty()) continue;  // e.g. cut off after "rfc822;"
    r.recipients.push_back(std::move(rr));
  }
  (void)m;
}

}  // namespace

const char* to_string(ReportKind kind) noexcept {
  switch (kind) {
    case ReportKind::Dsn:
      return "dsn";
    case ReportKind::Arf:
      return "arf";
    case ReportKind::AutoReply:
      return "auto-reply";
    case ReportKind::Heuristic:
      return "heuristic";
    case ReportKind::None:
      break;
  }
  return "none";
}

const char* to_string(BounceReason reason) noexcept {
  switch (reason) {
    case BounceReason::UserUnknown:
      return "user_unknown";
    case BounceReason::MailboxFull:
      return "mailbox_full";
    case BounceReason::HostUnknown:
      return "host_unknown";
    case BounceReason::Expired:
      return "expired";
    case BounceReason::Rejected:
      return "rejected";
    case BounceReason::Blocked:
      return "blocked";
    case BounceReason::Spam:
      return "spam";
    case BounceReason::Policy:
      return "policy";
    case BounceReason::AuthFailure:
      return "auth_failure";
    case BounceReason::TooLarge:
      return "too_large";
    case BounceReason::RelayDenied:
      return "relay_denied";
    case BounceReason::Network:
      return "network";
    case BounceReason::System:
      return "system";
    case BounceReason::Complaint:
      return "complaint";
    case BounceReason::AutoReply:
      return "auto_reply";
    case BounceReason::Delivered:
      return "delivered";
    case BounceReason::Other:
      break;
  }
  return "other";
}

DeliveryReport DeliveryReport::from_bytes(std::string_view bytes) {
  return from_message(Message::parse_view(bytes));
}

DeliveryReport DeliveryReport::from_message(const Message& m) {
  DeliveryReport r;
  Parts p;
  gather(m.root(), p, 0);
  const std::string lfull = lower(p.full_text);
  const std::size_t cut = copy_start(p.full_text, lfull);
  p.text = p.full_text.substr(0, cut);
  const std::string_view text_copy = std::string_view(p.full_text).substr(cut);
  const std::string subject = m.subject();

  Exclusions ex;
  ex.add_from(m.headers(), "From");
  ex.add_from(m.headers(), "To");
  ex.add_from(m.headers(), "Return-Path");
  // The report's own delivery: to the original sender.
  ex.add_from(m.headers(), "Delivered-To");

  // 1. Complaints.
  if (p.feedback != nullptr || p.report_type == "feedback-report") {
    r.kind = ReportKind::Arf;
    set_original(r, p, text_copy);
    HeaderList fields;
    if (p.feedback != nullptr) fields = HeaderList::parse(p.feedback->text().substr(0, 64 * 1024));
    if (const auto v = fields.get("Feedback-Type")) r.feedback_type = lower(trim(*v));
    if (const auto v = fields.get("Reporting-MTA")) r.reporting_mta = after_type(*v);
    std::vector<std::string> rcpts;
    for (const HeaderField* f : fields.all("Original-Rcpt-To")) {
      const std::string a = bounce::address_in(f->value());
      if (!a.empty()) rcpts.push_back(a);
    }
    for (const HeaderField* f : fields.all("Removal-Recipient")) {
      const std::string a = bounce::address_in(f->value());
      if (!a.empty() && rcpts.empty()) rcpts.push_back(a);
    }
    if (rcpts.empty()) {
      // Microsoft's complaint reports mark the original's recipient in its header.
      for (const HeaderField* f : r.original_headers.all("X-HmXmrOriginalRecipient")) {
        const std::string a = bounce::address_in(f->value());
        if (!a.empty()) rcpts.push_back(a);
      }
    }
    if (rcpts.empty()) {
      for (const HeaderField* f : r.original_headers.all("To")) {
        for (const auto& a : find_addresses(f->value()))
          rcpts.push_back(a.address);
      }
    }
    // A complaint is about one message someone received: when the report does not say who,
    // an entry with an empty address stands for that complainant.
    if (rcpts.empty()) rcpts.emplace_back();
    for (const std::string& a : rcpts) {
      if (r.recipients.size() >= kMaxRecipients) break;
      ReportRecipient rr;
      rr.address = a;
      rr.reason = BounceReason::Complaint;
      if (const auto v = fields.get("Source-IP")) rr.remote_mta = std::string(trim(*v));
      r.recipients.push_back(std::move(rr));
    }
    return r;
  }

  // 2. Delivery status notifications.
  if (p.status != nullptr ||
      (looks_like_status_fields(p.full_text) && (daemon_sender(m) || bounce_subject(subject)))) {
    read_dsn(m, p, p.full_text, r);
    set_original(r, p, text_copy);
    if (r.recipients.empty()) {
      // A DSN without usable per-recipient fields: read its prose.
      r.recipients = read_text_recipients(p.text, ex, bounce::Recipients::Addresses);
    }
    const std::string text_lower = lower(p.text);
    for (ReportRecipient& rr : r.recipients) {
      const std::string& context = p.text;
      if (rr.diagnostic.empty()) {
        // The prose may say more about this recipient than the fields do.
        // The paragraph of the prose that names the recipient.
        const std::size_t at = text_lower.find(lower(rr.address));
        if (at != std::string::npos) {
          const std::size_t ls = p.text.rfind('\n', at);
          const std::size_t b = ls == std::string::npos ? 0 : ls + 1;
          rr.diagnostic = squeeze(own_lines(p.text, b));
        }
      }
      bounce::complete_recipient(rr, context);
    }
    return r;
  }

  // 3. Amazon SES notifications.
  if (p.full_text.find("\"notificationType\"") != std::string::npos) {
    if (read_ses(p.full_text, r)) return r;
    r = DeliveryReport{};
  }

  // 4. Non-standard bounces.
  const bounce::FormatRule* rule = nullptr;
  for (std::size_t i = 0; i < bounce::kFormatRuleCount; ++i) {
    const bounce::FormatRule& fr = bounce::kFormatRules[i];
    if (*fr.marker == '\0') continue;
    bool hit = false;
    switch (fr.where) {
      case bounce::Where::Body:
        hit = lfull.find(fr.marker) != std::string::npos;
        break;
      case bounce::Where::Subject:
        hit = icontains(subject, fr.marker);
        break;
      case bounce::Where::From: {
        const auto f = m.headers().get("From");
        hit = f && icontains(*f, fr.marker);
        break;
      }
      case bounce::Where::Header:
        hit = m.headers().find(fr.marker) != nullptr;
        break;
    }
    if (hit) {
      rule = &fr;
      break;
    }
  }
  const bool bounce_like = daemon_sender(m) || bounce_subject(subject) ||
                           m.headers().find("X-Failed-Recipients") != nullptr ||
                           p.report_type == "delivery-status";
  if (rule == nullptr && bounce_like) rule = &bounce::kFormatRules[bounce::kFormatRuleCount - 1];
  if (rule != nullptr && (bounce_like || std::string_view(rule->name) != "generic")) {
    r.kind = ReportKind::Heuristic;
    r.format = rule->name;
    set_original(r, p, text_copy);
    ex.add_from(r.original_headers, "From");
    ex.add_from(r.original_headers, "Return-Path");
    // The section about the recipients: after the rule's opening line, before its closing
    // line (which may lie past the generic cut) or the generic cut.
    std::size_t sb = 0, se = p.text.size();
    if (rule->begin != nullptr) {
      const std::size_t b = lfull.find(rule->begin);
      if (b != std::string::npos && b < se) sb = b;
    }
    if (rule->end != nullptr) {
      const std::size_t e = lfull.find(rule->end, sb);
      if (e != std::string::npos) se = e;
    }
    const std::string_view section = std::string_view(p.full_text).substr(sb, se - sb);
    if (const auto failed = m.headers().get("X-Failed-Recipients")) {
      for (std::string_view item : lines_of(*failed)) {
        std::size_t at = 0;
        while (at <= item.size() && r.recipients.size() < kMaxRecipients) {
          std::size_t comma = item.find(',', at);
          if (comma == std::string_view::npos) comma = item.size();
          const std::string a = bounce::address_in(item.substr(at, comma - at));
          if (!a.empty()) {
            ReportRecipient rr;
            rr.address = a;
            r.recipients.push_back(std::move(rr));
          }
          at = comma + 1;
        }
      }
      // Their text: the lines about each in the section, as the text reader splits it.
      std::map<std::string, std::string> by_address;
      if (r.recipients.size() > 1) {
        for (ReportRecipient& t : read_text_recipients(section, ex, bounce::Recipients::Addresses))
          by_address.emplace(lower(t.address), std::move(t.diagnostic));
      }
      for (ReportRecipient& rr : r.recipients) {
        const auto it = by_address.find(lower(rr.address));
        rr.diagnostic = it != by_address.end() ? it->second : squeeze(section);
      }
    } else {
      r.recipients = read_text_recipients(section, ex, rule->recipients);
    }
    if (r.recipients.empty()) {
      // Nothing named: the original message's addressee.
      for (const HeaderField* f : r.original_headers.all("To")) {
        for (const auto& a : find_addresses(f->value())) {
          ReportRecipient rr;
          rr.address = a.address;
          rr.diagnostic = squeeze(section);
          r.recipients.push_back(std::move(rr));
          break;
        }
        break;
      }
    }
    if (r.recipients.empty()) {
      // Nor a copy: the subject may name it ("DELIVERY FAILURE: User ann (ann@x) not listed").
      for (ReportRecipient& rr : read_text_recipients(subject, ex, bounce::Recipients::FirstOnly)) {
        rr.diagnostic = squeeze(subject + "\n" + std::string(section));
        r.recipients.push_back(std::move(rr));
      }
    }
    for (ReportRecipient& rr : r.recipients)
      bounce::complete_recipient(rr, section);
    return r;
  }

  // 5. Automatic replies.
  if (is_auto_reply(m)) {
    r.kind = ReportKind::AutoReply;
    for (const Mailbox& box : m.from()) {
      if (box.local.empty()) continue;
      ReportRecipient rr;
      rr.address = box.address();
      rr.reason = BounceReason::AutoReply;
      rr.diagnostic = squeeze(subject);
      r.recipients.push_back(std::move(rr));
      break;
    }
    return r;
  }
  return r;
}

}  // namespace mailwire::mime
