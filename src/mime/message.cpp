// The MIME parser: one pass over an in-memory message, entities as slices of it.
//
// A header ends at the first empty line, or at the first line that is neither a field nor a
// continuation (a defect: that line starts the body, as CPython does). A multipart body is cut
// at delimiter lines: "--" boundary, optionally "--", then only whitespace, at the start of a
// line; the line break before a delimiter belongs to it; adjacent delimiter lines are one.
// Nesting and the number of parts are bounded; past the bounds a part stays a leaf and a
// defect is recorded.

#include <mailwire/error.hpp>
#include <mailwire/mime/encoded_word.hpp>
#include <mailwire/mime/encoding.hpp>
#include <mailwire/mime/message.hpp>

#include "mime/parse_rules.hpp"

#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mailwire::mime {

struct Parser {
  const ParserOptions& options;
  std::size_t parts = 0;

  void parse(Entity& e, std::string_view raw, std::size_t depth, bool digest_child) {
    ++parts;
    e.raw_ = raw;
    // Header.
    std::size_t at = 0;
    std::size_t header_end = 0;
    bool found_separator = false;
    while (at < raw.size()) {
      std::size_t nl = raw.find('\n', at);
      const std::size_t next = nl == std::string_view::npos ? raw.size() : nl + 1;
      std::string_view line = raw.substr(at, next - at);
      std::string_view content = line;
      while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) {
        content.remove_suffix(1);
      }
      if (content.empty()) {  // the empty line
        header_end = at;
        e.separator_ = line;
        at = next;
        found_separator = true;
        break;
      }
      const bool continuation = content[0] == ' ' || content[0] == '\t';
      if (!continuation && !detail::is_field_line(content)) {
        // Not a field: the body starts here (missing empty line).
        if (at > 0 || !(content.size() > 5 && content.substr(0, 5) == "From ")) {
          e.defects_.push_back("missing empty line between header and body");
          header_end = at;
          found_separator = true;
          break;
        }
      }
      if (next > options.max_header_bytes) {  // with this line the header would pass the limit
        e.defects_.push_back("header longer than the limit");
        header_end = at;
        found_separator = true;
        break;
      }
      at = next;
    }
    if (!found_separator) header_end = at = raw.size();
    e.headers_ = HeaderList::parse(raw.substr(0, header_end));
    for (std::size_t n = detail::fields_decoding_to_controls(e.headers_); n > 0; --n)
      e.defects_.push_back(detail::decoded_control_defect);
    e.body_ = raw.substr(std::min(at, raw.size()));

    if (const auto ct = e.headers_.get("Content-Type")) {
      e.content_type_ = ContentType::parse(*ct);
      if (!e.content_type_.valid) e.defects_.push_back("invalid Content-Type");
    } else if (digest_child) {
      e.content_type_ = ContentType::parse("message/rfc822");
      e.content_type_.valid = false;
    }
    e.cte_ = detail::transfer_encoding(e.headers_);

    if (depth >= options.max_depth) {
      if (e.content_type_.is_multipart() || e.content_type_.is_message()) {
        e.defects_.push_back("nesting deeper than the limit");
      }
      return;
    }
    if (e.content_type_.is_multipart()) {
      split_multipart(e, depth);
    } else if (e.content_type_.is_message() && e.content_type_.subtype == "delivery-status") {
      if (parts >= options.max_parts) {
        e.defects_.push_back("more parts than the limit");
        return;
      }
      // Prose where RFC 3464 wants fields ("The message could not be delivered..."): a leaf
      // whose body is the text, rather than blocks of header-less entities.
      const std::string_view first = e.body_.substr(0, e.body_.find('\n'));
      const std::string_view content = first.substr(0, first.find_last_not_of('\r') + 1);
      if (!content.empty() && !detail::is_field_line(content)) {
        e.defects_.push_back(detail::status_prose_defect);
        return;
      }
      split_status_blocks(e, depth);
    } else if (e.content_type_.is_message()) {
      // message/rfc822, message/global and the rest: the body is a message (as CPython and
      // MimeKit read it, whatever the transfer encoding says).
      if (parts >= options.max_parts) {
        e.defects_.push_back("more parts than the limit");
        return;
      }
      e.children_.emplace_back();
      parse(e.children_.back(), e.body_, depth + 1, false);
    }
  }

  // RFC 3464: a message/delivery-status body is blocks of header fields separated by empty
  // lines; each becomes a child whose header is the block (and whose body is empty).
  void split_status_blocks(Entity& e, std::size_t depth) {
    const std::string_view body = e.body_;
    const auto blank_at = [&](std::size_t p) {
      return p < body.size() &&
             (body[p] == '\n' || (body[p] == '\r' && p + 1 < body.size() && body[p + 1] == '\n'));
    };
    const auto line_end = [&](std::size_t p) {
      const std::size_t nl = body.find('\n', p);
      return nl == std::string_view::npos ? body.size() : nl + 1;
    };
    std::size_t at = 0;
    while (at < body.size() && parts < options.max_parts) {
      // A block runs to the next empty line (which separates it from the next block); an
      // empty line where a block should start is an empty block, as CPython reads it.
      std::size_t end = at;
      if (blank_at(at)) {
        end = line_end(at);
      } else {
        while (end < body.size() && !blank_at(end))
          end = line_end(end);
      }
      e.children_.emplace_back();
      Entity& block = e.children_.back();
      if (blank_at(at)) {
        ++parts;
        block.raw_ = body.substr(at, end - at);
        block.separator_ = block.raw_;
        block.body_ = body.substr(end, 0);
      } else {
        // The line break before the empty line belongs to the separator (as for boundaries).
        std::size_t stop = end;
        if (stop > at && body[stop - 1] == '\n') --stop;
        if (stop > at && body[stop - 1] == '\r') --stop;
        parse(block, body.substr(at, stop - at), depth + 1, false);
      }
      at = blank_at(at) ? end : (end < body.size() ? line_end(end) : end);
    }
  }

  void split_multipart(Entity& e, std::size_t depth) {
    const auto boundary = e.content_type_.param("boundary");
    if (!boundary) {
      e.defects_.push_back("multipart without a boundary");
      return;
    }
    const std::string dash = "--" + std::string(*boundary);
    const std::string_view body = e.body_;
    const bool digest = e.content_type_.subtype == "digest";
    // Delimiter lines: (start, after) offsets; close marks the final one.
    struct Delimiter {
      std::size_t start;  // where the line break before it begins (or the line itself at 0)
      std::size_t after;  // first byte after the delimiter line
      bool close;
    };
    std::vector<Delimiter> delimiters;
    std::size_t pos = 0;
    while ((pos = body.find(dash, pos)) != std::string_view::npos) {
      if (pos > 0 && body[pos - 1] != '\n') {
        pos += dash.size();
        continue;
      }
      std::size_t i = pos + dash.size();
      bool close = false;
      if (body.compare(i, 2, "--") == 0) {
        close = true;
        i += 2;
      }
      while (i < body.size() && (body[i] == ' ' || body[i] == '\t'))
        ++i;
      if (i < body.size() && body[i] != '\r' && body[i] != '\n') {
        pos += dash.size();  // near miss: "--boundaryX" is not a delimiter
        continue;
      }
      if (i < body.size() && body[i] == '\r') ++i;
      if (i < body.size() && body[i] == '\n') ++i;
      // A delimiter line right after another one repeats it: RFC 2046 5.1.1 puts a CRLF
      // before and after each delimiter, so no body part (not even an empty one) lies
      // between two adjacent delimiter lines. They form one delimiter, as CPython reads them.
      if (!close && !delimiters.empty() && !delimiters.back().close &&
          delimiters.back().after == pos) {
        delimiters.back().after = i;
        pos = i;
        continue;
      }
      std::size_t start = pos;
      if (start > 0 && body[start - 1] == '\n') {
        --start;
        if (start > 0 && body[start - 1] == '\r') --start;
      }
      delimiters.push_back({start, i, close});
      if (close) break;
      pos = i;
    }
    if (delimiters.empty()) {
      e.defects_.push_back("multipart without any boundary line");
      e.preamble_ = body;
      return;
    }
    e.preamble_ = body.substr(0, delimiters[0].start);
    for (std::size_t k = 0; k < delimiters.size(); ++k) {
      if (delimiters[k].close) {
        e.epilogue_ = body.substr(delimiters[k].after);
        break;
      }
      const std::size_t begin = delimiters[k].after;
      std::size_t end = k + 1 < delimiters.size() ? delimiters[k + 1].start : body.size();
      if (k + 1 == delimiters.size()) {
        e.defects_.push_back("missing final boundary");
        // The last line break belongs to the boundary that never came.
        if (end > begin && body[end - 1] == '\n') --end;
        if (end > begin && body[end - 1] == '\r') --end;
      }
      if (parts >= options.max_parts) {
        e.defects_.push_back("more parts than the limit");
        break;
      }
      e.children_.emplace_back();
      parse(e.children_.back(), body.substr(begin, end >= begin ? end - begin : 0), depth + 1,
            digest);
    }
  }
};

ContentDisposition Entity::disposition() const {
  return detail::disposition_of(headers_);
}

std::optional<std::string> Entity::filename() const {
  return detail::filename_of(headers_, content_type_);
}

void Entity::decode_body(const ByteSink& sink) const {
  constexpr std::size_t chunk = 64 * 1024;
  std::string out;
  if (cte_ == "base64") {
    Base64Decoder d;
    std::unique_ptr<char[]> buffer(new char[Base64Decoder::max_output(chunk)]);
    for (std::size_t at = 0; at < body_.size(); at += chunk) {
      const char* end = d.feed(body_.substr(at, chunk), buffer.get());
      if (end != buffer.get()) {
        sink(std::string_view(buffer.get(), static_cast<std::size_t>(end - buffer.get())));
      }
    }
    out.clear();
    d.finish(out);
    if (!out.empty()) sink(out);
  } else if (cte_ == "quoted-printable") {
    QuotedPrintableDecoder d;
    for (std::size_t at = 0; at < body_.size(); at += chunk) {
      out.clear();
      d.feed(body_.substr(at, chunk), out);
      if (!out.empty()) sink(out);
    }
    out.clear();
    d.finish(out);
    if (!out.empty()) sink(out);
  } else if (detail::is_uuencode(cte_)) {
    UudecodeDecoder d;
    std::size_t at = 0;
    while (at < body_.size()) {
      std::size_t nl = body_.find('\n', at);
      if (nl == std::string_view::npos) nl = body_.size();
      out.clear();
      d.feed_line(body_.substr(at, nl - at), out);
      if (!out.empty()) sink(out);
      at = nl + 1;
    }
  } else if (!body_.empty()) {
    sink(body_);
  }
}

std::string Entity::decoded_body() const {
  std::string out;
  decode_body([&](std::string_view c) { out.append(c); });
  return out;
}

std::string Entity::text() const {
  return detail::text_as_utf8(decoded_body(), content_type_);
}

void Entity::write(const ByteSink& sink) const {
  const std::string header = headers_.to_string();
  if (!header.empty()) sink(header);
  if (!separator_.empty()) sink(separator_);
  if (children_.empty()) {
    if (!body_.empty()) sink(body_);
    return;
  }
  // The bytes between the children are slices of this body: write them around each child.
  const char* cursor = body_.data();
  for (const Entity& child : children_) {
    const char* begin = child.raw_.data();
    if (begin > cursor) sink(std::string_view(cursor, static_cast<std::size_t>(begin - cursor)));
    child.write(sink);
    cursor = begin + child.raw_.size();
  }
  const char* end = body_.data() + body_.size();
  if (end > cursor) sink(std::string_view(cursor, static_cast<std::size_t>(end - cursor)));
}

Message Message::parse(std::string bytes, const ParserOptions& options) {
  auto owned = std::make_shared<const std::string>(std::move(bytes));
  Message m = parse_view(*owned, options);
  m.owned_ = std::move(owned);
  return m;
}

Message Message::parse_view(std::string_view bytes, const ParserOptions& options) {
  Message m;
  m.data_ = bytes;
  Parser parser{options};
  parser.parse(m.root_, m.data_, 0, false);
  return m;
}

Message Message::parse_file(const std::string& path, const ParserOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io, "mime: cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return parse(std::move(s).str(), options);
}

std::string Message::subject() const {
  const auto s = root_.headers().get("Subject");
  return s ? decode_encoded_words(*s) : std::string();
}

namespace {

std::vector<Mailbox> addresses(const HeaderList& h, const char* name) {
  std::vector<Mailbox> out;
  for (const HeaderField* f : h.all(name)) {
    for (Mailbox& m : parse_address_list(f->value()))
      out.push_back(std::move(m));
  }
  return out;
}

void collect(const Entity& e, std::vector<const Entity*>& out) {
  out.push_back(&e);
  for (const Entity& c : e.children())
    collect(c, out);
}

}  // namespace

std::vector<Mailbox> Message::from() const {
  return addresses(root_.headers(), "From");
}
std::vector<Mailbox> Message::to() const {
  return addresses(root_.headers(), "To");
}
std::vector<Mailbox> Message::cc() const {
  return addresses(root_.headers(), "Cc");
}

std::vector<const Entity*> Message::entities() const {
  std::vector<const Entity*> out;
  collect(root_, out);
  return out;
}

std::vector<const Entity*> Message::attachments() const {
  std::vector<const Entity*> out;
  for (const Entity* e : entities()) {
    if (e->is_leaf() && detail::is_attachment(e->headers(), e->content_type())) out.push_back(e);
  }
  return out;
}

}  // namespace mailwire::mime
