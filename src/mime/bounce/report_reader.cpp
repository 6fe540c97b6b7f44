// DeliveryReportReader: the report of a message read through StreamParser in bounded memory.
//
// Theory of operation. The reader keeps only what DeliveryReport::from_message() looks at and
// writes it as a small message of its own, which from_message() then reads: the top-level
// header; each text part with its Content-Type and its decoded body (no transfer encoding any
// more), up to kMaxText bytes in all; a message/delivery-status part rebuilt from its blocks; a
// message/feedback-report part from its fields; and each attached message as a message/rfc822
// part with its header only (its body is skipped). So both paths share one reading of reports.
// A multipart in which no part was found (its boundary never occurs) is read from the first
// kMaxText bytes of the input instead, as Message would read it.

#include <mailwire/mime/delivery_report.hpp>
#include <mailwire/mime/stream_parser.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mailwire::mime {

namespace {

constexpr std::size_t kMaxText = 256 * 1024;
constexpr std::size_t kMaxHeaders = 256 * 1024;
constexpr const char* kBoundary = "=_mailwire.report.Zq7xK2vP9w";

}  // namespace

struct DeliveryReportReader::Impl {
  StreamParser parser;
  HeaderList root;                   // the top-level header
  bool root_leaf = false;            // the message is a single part
  bool root_text = false;            // ... of type text
  std::string parts;                 // the parts written so far (each opened by a delimiter line)
  std::vector<ContentType> types;    // the content type of the open entity at each depth
  std::size_t skip_from = SIZE_MAX;  // entities this deep or deeper are skipped
  std::size_t status_depth = SIZE_MAX;
  bool in_text = false;  // the current leaf's body is kept
  std::size_t text_bytes = 0;
  std::size_t header_bytes = 0;
  std::string head;  // the first kMaxText bytes of input, for a multipart with no parts

  Impl() : parser(callbacks()) {}

  StreamCallbacks callbacks() {
    StreamCallbacks cb;
    cb.on_entity = [this](const StreamEntity& e) { entity(e); };
    cb.on_body = [this](std::string_view b) { body(b); };
    cb.on_leaf_end = [this] { in_text = false; };
    return cb;
  }

  void open_part(std::string_view content_type) {
    parts += "\r\n--";
    parts += kBoundary;
    parts += "\r\nContent-Type: ";
    parts += content_type;
    parts += "\r\n\r\n";
  }

  void add_headers(const HeaderList& h) {
    const std::string s = h.to_string();
    if (header_bytes + s.size() > kMaxHeaders) return;
    header_bytes += s.size();
    parts += s;
  }

  void entity(const StreamEntity& e) {
    in_text = false;
    if (types.size() < e.depth + 1) types.resize(e.depth + 1);
    types[e.depth] = e.content_type;
    if (e.depth < skip_from) skip_from = SIZE_MAX;
    if (skip_from != SIZE_MAX) return;
    if (status_depth != SIZE_MAX && e.depth > status_depth) {  // a block of delivery status
      add_headers(e.headers);
      parts += "\r\n";
      return;
    }
    status_depth = SIZE_MAX;
    if (e.depth == 0 && e.message) {
      root = e.headers;
      root_leaf = e.leaf;
      root_text = e.content_type.type == "text";
      in_text = root_leaf && root_text;
      return;
    }
    const ContentType& t = e.content_type;
    if (t.is_message() &&
        (t.subtype == "delivery-status" || t.subtype == "global-delivery-status")) {
      open_part("message/delivery-status");
      status_depth = e.depth;
      return;
    }
    if (e.message && e.depth > 0) {
      // An attached message: its header only. A feedback report is parsed as a message too.
      const ContentType& parent = types[e.depth - 1];
      const bool feedback = parent.is_message() && parent.subtype == "feedback-report";
      open_part(feedback ? "message/feedback-report" : "message/rfc822");
      add_headers(e.headers);
      if (!feedback) parts += "\r\n";  // the header ends; the body is left out
      skip_from = e.depth + 1;
      return;
    }
    if (e.leaf && t.type == "text") {
      const auto ct = e.headers.get("Content-Type");
      open_part(ct ? *ct : std::string("text/plain"));
      in_text = true;
    }
  }

  void body(std::string_view b) {
    if (!in_text || text_bytes >= kMaxText) return;
    const std::string_view kept = b.substr(0, kMaxText - text_bytes);
    text_bytes += kept.size();
    parts.append(kept.data(), kept.size());
  }

  std::string message() const {
    std::string out;
    for (const HeaderField& f : root.fields()) {
      if (iequals(f.name, "Content-Type") || iequals(f.name, "Content-Transfer-Encoding")) continue;
      out += f.raw;
    }
    const auto ct = root.get("Content-Type");
    if (root_leaf) {
      if (ct) out += "Content-Type: " + *ct + "\r\n";
      out += "\r\n";
      out += parts;  // the root's decoded body, when it is text
      return out;
    }
    std::string type = "multipart/mixed";
    const ContentType parsed = ContentType::parse(ct ? *ct : std::string());
    if (parsed.is_multipart() && parsed.subtype == "report") {
      type = "multipart/report";
      if (const auto rt = parsed.param("report-type"))
        type += "; report-type=\"" + std::string(*rt) + "\"";
    }
    out += "Content-Type: " + type + "; boundary=\"" + kBoundary + "\"\r\n\r\n";
    out += parts;
    out += "\r\n--";
    out += kBoundary;
    out += "--\r\n";
    return out;
  }
};

DeliveryReportReader::DeliveryReportReader() : impl_(std::make_unique<Impl>()) {}
DeliveryReportReader::~DeliveryReportReader() = default;

void DeliveryReportReader::feed(std::string_view bytes) {
  Impl& m = *impl_;
  if (m.head.size() < kMaxText) m.head.append(bytes.substr(0, kMaxText - m.head.size()));
  m.parser.feed(bytes);
}

DeliveryReport DeliveryReportReader::finish() {
  Impl& m = *impl_;
  m.parser.finish();
  // A multipart whose boundary never occurs has no parts: the stream parser skips its body,
  // which Message reads as text. Its first bytes are all there is to read then.
  if (!m.root_leaf && m.parts.empty()) return DeliveryReport::from_message(Message::parse(m.head));
  return DeliveryReport::from_message(Message::parse(m.message()));
}

}  // namespace mailwire::mime
