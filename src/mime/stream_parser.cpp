// The incremental MIME parser (see stream_parser.hpp).
//
// Theory of operation. Input is kept only until its line is understood. Every multipart that
// is open has a frame holding its "--boundary"; a line that starts with "--" is checked against
// the frames from the outermost in (an outer delimiter ends every part inside it, as in
// Message::parse, which cuts the outer body first). Leaf bodies take a fast path: the bytes up
// to the next line that starts with "--" go to the decoder in one piece; the line break before
// a line is held back until that line turns out not to be a delimiter (RFC 2046 5.1.1 gives
// the line break before a delimiter to the delimiter). A line without a line break that grows
// past what any delimiter could be is passed on as data, so memory stays bounded.

#include <mailwire/mime/encoding.hpp>
#include <mailwire/mime/stream_parser.hpp>

#include "mime/parse_rules.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <vector>

namespace mailwire::mime {

namespace {

// `line` without its line break.
std::string_view content_of(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
    line.remove_suffix(1);
  return line;
}

constexpr std::size_t whitespace_allowance = 1024;  // after "--boundary--" on a delimiter line
constexpr std::size_t max_status_line = 64 * 1024;

}  // namespace

struct StreamParser::Impl {
  enum class Mode { Header, Leaf, Skip, Status };
  enum class Encoding { None, Base64, QuotedPrintable, Uuencode };
  struct Frame {
    std::string dash;  // "--" boundary
    std::size_t depth = 0;
    bool digest = false;
    bool closed = false;
    bool seen_delimiter = false;
  };

  StreamCallbacks cb;
  ParserOptions options;
  std::vector<Frame> frames;
  Mode mode = Mode::Header;
  std::size_t parts = 0;
  std::string input;      // bytes not yet consumed; input[0] starts a line unless mid_line
  bool mid_line = false;  // the first bytes of `input` continue a line handled in part
  std::ptrdiff_t adjacent_frame = -1;  // the frame whose open delimiter was the last line

  // Header state.
  std::string header;
  std::size_t line_begin = 0;  // where the last line of `header` starts
  std::size_t header_depth = 0;
  bool header_digest_child = false;
  bool header_is_message = true;
  bool header_first_line = true;

  // Leaf state.
  Encoding encoding = Encoding::None;
  Base64Decoder base64;
  QuotedPrintableDecoder qp;
  UudecodeDecoder uu;
  std::string uu_line;
  // The line breaks at the end of the leaf so far, held back: the one before a delimiter
  // belongs to it, and each enclosing multipart that ends without its final boundary takes one
  // more (as Message::parse cuts them). A bounded number; older ones are passed on.
  std::string held;
  std::vector<std::size_t> held_sizes;
  std::string out;
  std::string scratch;  // base64 output, reused

  // delivery-status state.
  std::string status_block;
  std::size_t status_depth = 0;
  struct StatusEntity {
    HeaderList headers;
    ContentType type;
    std::string cte;
    std::size_t depth;
    bool message;
  };
  std::unique_ptr<StatusEntity> status_entity;
  bool status_first = false;  // the next status line is the first line of the body
  bool status_blank = false;  // an empty line where a block starts, held back: if a delimiter
                              // follows, its line break belongs to the delimiter

  Impl(StreamCallbacks callbacks, ParserOptions o, std::size_t depth = 0, bool is_message = true,
       std::size_t parts_so_far = 0)
      : cb(std::move(callbacks)), options(std::move(o)), parts(parts_so_far) {
    start_header(depth, false, is_message);
  }

  void defect(std::string_view what) const {
    if (cb.on_defect) cb.on_defect(what);
  }

  void start_header(std::size_t depth, bool digest_child, bool is_message) {
    ++parts;
    mode = Mode::Header;
    header.clear();
    header_depth = depth;
    header_digest_child = digest_child;
    header_is_message = is_message;
    header_first_line = true;
  }

  // The longest partial line worth waiting for: one that could still be a delimiter.
  std::size_t max_partial() const {
    std::size_t longest = 0;
    for (const Frame& f : frames)
      longest = std::max(longest, f.dash.size());
    if (mode == Mode::Header) return std::max(options.max_header_bytes, longest + 4);
    if (mode == Mode::Status) return max_status_line;
    return frames.empty() ? 0 : longest + 2 + whitespace_allowance;
  }

  // The frame `content` is a delimiter line of (and whether it closes), or -1.
  // `used` is set to the length of the delimiter line within `line`: it ends after LF, CRLF,
  // or a bare CR (as in Message::parse); what follows a bare CR starts the next line.
  std::ptrdiff_t delimiter_of(std::string_view line, bool& close, std::size_t& used) const {
    if (line.size() < 2 || line[0] != '-' || line[1] != '-') return -1;
    for (std::size_t k = 0; k < frames.size(); ++k) {
      const Frame& f = frames[k];
      if (f.closed || line.compare(0, f.dash.size(), f.dash) != 0) continue;
      std::size_t i = f.dash.size();
      close = line.compare(i, 2, "--") == 0;
      if (close) i += 2;
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
        ++i;
      if (i < line.size() && line[i] != '\r' && line[i] != '\n') continue;  // a near miss
      if (i < line.size() && line[i] == '\r') ++i;
      if (i < line.size() && line[i] == '\n') ++i;
      used = i;
      return static_cast<std::ptrdiff_t>(k);
    }
    return -1;
  }

  // --- leaves ---

  void begin_leaf(std::string_view cte) {
    mode = Mode::Leaf;
    encoding = cte == "base64"             ? Encoding::Base64
               : cte == "quoted-printable" ? Encoding::QuotedPrintable
               : detail::is_uuencode(cte)  ? Encoding::Uuencode
                                           : Encoding::None;
    base64 = Base64Decoder();
    qp = QuotedPrintableDecoder();
    uu = UudecodeDecoder();
    uu_line.clear();
    held.clear();
    held_sizes.clear();
  }

  void emit(std::string_view decoded) const {
    if (!decoded.empty() && cb.on_body) cb.on_body(decoded);
  }

  void decode(std::string_view bytes) {
    if (bytes.empty()) return;
    switch (encoding) {
      case Encoding::None:
        emit(bytes);
        return;
      case Encoding::Base64: {
        const std::size_t room = Base64Decoder::max_output(bytes.size());
        if (scratch.size() < room) scratch.resize(room);
        const char* end = base64.feed(bytes, scratch.data());
        emit(std::string_view(scratch.data(), static_cast<std::size_t>(end - scratch.data())));
        return;
      }
      case Encoding::QuotedPrintable:
        out.clear();
        qp.feed(bytes, out);
        emit(out);
        return;
      case Encoding::Uuencode:
        // Whole lines: the line breaks split them.
        for (;;) {
          const std::size_t nl = bytes.find('\n');
          if (nl == std::string_view::npos) {
            uu_line.append(bytes);
            if (uu_line.size() > 64 * 1024) uu_line.clear();  // no uuencoded line is that long
            return;
          }
          uu_line.append(bytes.substr(0, nl));
          out.clear();
          uu.feed_line(uu_line, out);
          emit(out);
          uu_line.clear();
          bytes.remove_prefix(nl + 1);
        }
    }
  }

  // Bytes of the current leaf that end at a line end (or in the middle of a long line): the
  // line breaks at their end are held back, the rest is decoded.
  void leaf_bytes(std::string_view bytes) {
    // Line breaks at the end, last first: LF or CRLF, or a bare CR (Message::parse strips
    // one of these per multipart that ends there).
    std::size_t end = bytes.size();
    std::size_t sizes[64];
    std::size_t units = 0;
    while (end > 0 && units < 64) {
      const std::size_t before = end;
      if (bytes[end - 1] == '\n') {
        --end;
        if (end > 0 && bytes[end - 1] == '\r') --end;
      } else if (bytes[end - 1] == '\r') {
        --end;
      } else {
        break;
      }
      sizes[units++] = before - end;
    }
    if (end > 0) {
      release_held(held_sizes.size());
      decode(bytes.substr(0, end));
    }
    held.append(bytes.substr(end));
    for (std::size_t u = units; u > 0; --u)
      held_sizes.push_back(sizes[u - 1]);
    if (held_sizes.size() > 64) release_held(held_sizes.size() - 64);
  }

  // Decodes the oldest `n` held line breaks.
  void release_held(std::size_t n) {
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < n; ++i)
      bytes += held_sizes[i];
    decode(std::string_view(held).substr(0, bytes));
    held.erase(0, bytes);
    held_sizes.erase(held_sizes.begin(), held_sizes.begin() + static_cast<std::ptrdiff_t>(n));
  }

  // Ends the leaf; the last `strip` held line breaks are not part of it.
  void end_leaf(std::size_t strip) {
    release_held(held_sizes.size() - std::min(strip, held_sizes.size()));
    held.clear();
    held_sizes.clear();
    out.clear();
    if (encoding == Encoding::Base64) base64.finish(out);
    if (encoding == Encoding::QuotedPrintable) qp.finish(out);
    if (encoding == Encoding::Uuencode && !uu_line.empty()) uu.feed_line(uu_line, out);
    uu_line.clear();
    emit(out);
    if (cb.on_leaf_end) cb.on_leaf_end();
    mode = Mode::Skip;
  }

  // --- headers ---

  void complete_header() {
    const HeaderList headers = HeaderList::parse(header);
    header.clear();
    for (std::size_t n = detail::fields_decoding_to_controls(headers); n > 0; --n)
      defect(detail::decoded_control_defect);
    ContentType type;
    if (const auto ct = headers.get("Content-Type")) {
      type = ContentType::parse(*ct);
      if (!type.valid) defect("invalid Content-Type");
    } else if (header_digest_child) {
      type = ContentType::parse("message/rfc822");
      type.valid = false;
    }
    const std::string cte = detail::transfer_encoding(headers);
    const std::size_t depth = header_depth;
    const bool too_deep = depth >= options.max_depth;
    if (too_deep && (type.is_multipart() || type.is_message()))
      defect("nesting deeper than the limit");
    const bool multipart = type.is_multipart() && !too_deep;
    // Past the part limit a message/* part is not split: a leaf holding its whole body.
    const bool status = !too_deep && type.is_message() && type.subtype == "delivery-status" &&
                        parts < options.max_parts;
    const bool nested = !too_deep && type.is_message() && type.subtype != "delivery-status" &&
                        parts < options.max_parts;
    if (!too_deep && type.is_message() && !status && !nested) defect("more parts than the limit");
    const bool leaf = !type.is_multipart() && !status && !nested;
    if (status) {
      // Reported with its first block: without any block (an empty body) it is a leaf.
      status_entity = std::make_unique<StatusEntity>(
          StatusEntity{headers, type, cte, depth, header_is_message});
    } else if (cb.on_entity) {
      cb.on_entity(StreamEntity{headers, type, cte, depth, header_is_message, leaf});
    }
    if (multipart) {
      const auto boundary = type.param("boundary");
      if (!boundary) {
        defect("multipart without a boundary");
        mode = Mode::Skip;
        return;
      }
      frames.push_back({"--" + std::string(*boundary), depth, type.subtype == "digest"});
      mode = Mode::Skip;  // the preamble
    } else if (type.is_multipart()) {
      mode = Mode::Skip;  // too deep: not split, not a leaf (as Message::parse leaves it)
    } else if (status) {
      mode = Mode::Status;
      status_block.clear();
      status_blank = false;
      status_first = true;
      status_depth = depth + 1;
    } else if (nested) {
      start_header(depth + 1, false, true);
    } else {
      begin_leaf(cte);
    }
  }

  // `delimiter_ok`: false for what follows a bare CR after a delimiter (a line for the part,
  // but not at a line start that could hold a delimiter: Message::parse wants an LF first).
  void header_line(std::string_view line, bool line_start, bool delimiter_ok) {
    if (!line_start) {  // the rest of a long line
      if (header.size() + line.size() > options.max_header_bytes) {
        header_too_long(line, delimiter_ok);
        return;
      }
      header.append(line);
      return;
    }
    const std::string_view content = content_of(line);
    if (content.empty()) {
      complete_header();  // the empty line is the separator
      return;
    }
    const bool continuation = content[0] == ' ' || content[0] == '\t';
    const bool from_line =
        header_first_line && content.size() > 5 && content.substr(0, 5) == "From ";
    if (!continuation && !detail::is_field_line(content) && !from_line) {
      defect("missing empty line between header and body");
      complete_header();
      handle_line(line, true, delimiter_ok);  // this line starts the body
      return;
    }
    line_begin = header.size();
    if (header.size() + line.size() > options.max_header_bytes) {
      header_too_long(line, delimiter_ok);
      return;
    }
    header.append(line);
    header_first_line = false;
  }

  // The line that would take the header past max_header_bytes (even the last one, however
  // long) is no part of it: the header ends before it, and it starts the body, as
  // Message::parse reads it. `piece`: what arrived of the line beyond what `header` holds.
  void header_too_long(std::string_view piece, bool delimiter_ok) {
    defect("header longer than the limit");
    const std::string start = header.substr(line_begin);
    header.resize(line_begin);
    complete_header();
    if (start.empty()) {
      handle_line(piece, true, delimiter_ok);
    } else {
      handle_line(start, true, delimiter_ok);
      handle_line(piece, false, delimiter_ok);
    }
  }

  // --- delivery-status blocks (RFC 3464): header-only entities between empty lines ---

  void emit_status_block(std::string_view block) {
    if (parts >= options.max_parts) {
      report_status_entity(true);
      mode = Mode::Skip;
      return;
    }
    report_status_entity(false);
    // Each block is an entity of its own, read as Message::parse reads it (its header, then a
    // body when a line is no field): a parser for just the block, sharing the part count.
    if (!block.empty() && block.back() == '\n') block.remove_suffix(1);
    if (!block.empty() && block.back() == '\r') block.remove_suffix(1);
    Impl sub(cb, options, status_depth, false, parts);
    sub.process(block, true);
    sub.end_inside(-1);
    parts = sub.parts;
  }

  void status_line(std::string_view line, bool line_start) {
    if (status_first && line_start) {
      status_first = false;
      const std::string_view content = content_of(line);
      if (!content.empty() && !detail::is_field_line(content) && status_entity) {
        // Prose where RFC 3464 wants fields (as Message::parse reads it): the entity is a leaf
        // and this text its body, not blocks of header-less entities.
        defect(detail::status_prose_defect);
        if (cb.on_entity) {
          const StatusEntity& st = *status_entity;
          cb.on_entity(StreamEntity{st.headers, st.type, st.cte, st.depth, st.message, true});
        }
        begin_leaf(status_entity->cte);
        status_entity.reset();
        leaf_bytes(line);
        return;
      }
    }
    if (status_blank) {  // the held-back empty line was a line: an empty block
      status_blank = false;
      emit_status_block({});
      if (mode != Mode::Status) return;
    }
    if (line_start && (line == "\n" || line == "\r\n")) {  // as RFC 3464 blocks are split
      if (status_block.empty()) {
        status_blank = true;
      } else {
        emit_status_block(status_block);  // the empty line ends the block
        status_block.clear();
      }
      return;
    }
    status_block.append(line);
    if (status_block.size() > options.max_header_bytes) {
      defect("header longer than the limit");
      emit_status_block(status_block);
      status_block.clear();
    }
  }

  // Reports the delivery-status entity itself, once: before its first block, or as a leaf.
  void report_status_entity(bool leaf) {
    if (!status_entity) return;
    const StatusEntity& s = *status_entity;
    if (cb.on_entity)
      cb.on_entity(StreamEntity{s.headers, s.type, s.cte, s.depth, s.message, leaf});
    if (leaf && cb.on_leaf_end) cb.on_leaf_end();
    status_entity.reset();
  }

  void end_status() {
    if (status_blank) emit_status_block({});  // no delimiter took it: it was an empty block
    status_blank = false;
    if (!status_block.empty()) emit_status_block(status_block);
    status_block.clear();
    status_blank = false;
    report_status_entity(true);  // no block came
    mode = Mode::Skip;
  }

  // --- structure ---

  // Ends whatever is open inside frame `k` (or everything, for k = -1 at the end of input).
  void end_inside(std::ptrdiff_t k) {
    while (mode == Mode::Header) {
      complete_header();  // a header without a body
      if (mode == Mode::Leaf) end_leaf(0);
    }
    // One line break for the delimiter (k >= 0), one for each multipart inside frame `k`
    // that ends here without its final boundary.
    std::size_t strip = k >= 0 ? 1 : 0;
    for (std::size_t i = static_cast<std::size_t>(k + 1); i < frames.size(); ++i)
      strip += !frames[i].closed && frames[i].seen_delimiter ? 1u : 0u;
    if (mode == Mode::Leaf) end_leaf(strip);
    if (mode == Mode::Status) {
      if (status_blank && strip > 0) {  // the held-back empty line was that line break
        status_blank = false;
        --strip;
      }
      for (; strip > 0 && !status_block.empty(); --strip) {
        if (status_block.back() == '\n') {
          status_block.pop_back();
          if (!status_block.empty() && status_block.back() == '\r') status_block.pop_back();
        } else if (status_block.back() == '\r') {
          status_block.pop_back();
        } else {
          break;
        }
      }
      end_status();
    }
    while (static_cast<std::ptrdiff_t>(frames.size()) > k + 1) {
      if (!frames.back().seen_delimiter) {
        defect("multipart without any boundary line");
      } else if (!frames.back().closed) {
        defect("missing final boundary");
      }
      frames.pop_back();
    }
    mode = Mode::Skip;
  }

  void delimiter(std::ptrdiff_t k, bool close) {
    if (!close && adjacent_frame == k) return;  // adjacent delimiter lines are one
    end_inside(k);
    Frame& frame = frames[static_cast<std::size_t>(k)];
    frame.seen_delimiter = true;
    adjacent_frame = -1;
    if (close) {
      frame.closed = true;  // the epilogue follows
      return;
    }
    if (parts >= options.max_parts) {
      defect("more parts than the limit");
      frame.closed = true;
      return;
    }
    start_header(frame.depth + 1, frame.digest, false);
    adjacent_frame = k;
  }

  // One line (with its line break, when it has one). `line_start`: it begins at a line
  // start (not the rest of a line passed on in part).
  void handle_line(std::string_view line, bool line_start, bool delimiter_ok = true) {
    if (line_start && delimiter_ok && !frames.empty()) {
      bool close = false;
      std::size_t used = 0;
      const std::ptrdiff_t k = delimiter_of(line, close, used);
      if (k >= 0) {
        delimiter(k, close);
        if (used < line.size()) handle_line(line.substr(used), true, false);
        return;
      }
    }
    adjacent_frame = -1;
    switch (mode) {
      case Mode::Header:
        header_line(line, line_start, delimiter_ok);
        return;
      case Mode::Leaf:
        leaf_bytes(line);
        return;
      case Mode::Status:
        status_line(line, line_start);
        return;
      case Mode::Skip:
        return;
    }
  }

  // Leaf bytes up to the next line that could be a delimiter, in one piece. Returns the bytes
  // consumed from `data` (which starts at a line start).
  std::size_t leaf_fast(std::string_view data) {
    if (frames.empty()) {  // no delimiter can come: every byte is body
      leaf_bytes(data);
      return data.size();
    }
    if (data.compare(0, 2, "--") == 0) return 0;
    const std::size_t hit = data.find("\n--");
    std::size_t end = hit == std::string_view::npos ? hit : hit + 1;
    if (end == std::string_view::npos) {
      const std::size_t last = data.rfind('\n');
      if (last == std::string_view::npos) return 0;
      end = last + 1;
    }
    leaf_bytes(data.substr(0, end));  // whole lines
    return end;
  }

  // Consumes what it can of `data`; returns how much.
  std::size_t process(std::string_view data, bool at_end) {
    std::size_t at = 0;
    while (at < data.size()) {
      const std::string_view rest = data.substr(at);
      if (mode == Mode::Leaf && encoding != Encoding::Uuencode && !mid_line) {
        const std::size_t n = leaf_fast(rest);
        if (n > 0) {
          at += n;
          continue;
        }
      }
      if (mode == Mode::Skip && frames.empty() && !mid_line) {
        at = data.size();  // nothing can follow a finished structure but more of it
        break;
      }
      const std::size_t nl = rest.find('\n');
      if (nl == std::string_view::npos) {
        if (!at_end && rest.size() <= max_partial()) break;  // wait for the rest of the line
        handle_line(rest, !mid_line);
        mid_line = !at_end;
        at = data.size();
        break;
      }
      handle_line(rest.substr(0, nl + 1), !mid_line);
      mid_line = false;
      at += nl + 1;
    }
    return at;
  }
};

StreamParser::StreamParser(StreamCallbacks callbacks, ParserOptions options)
    : impl_(std::make_unique<Impl>(std::move(callbacks), std::move(options))) {}

StreamParser::~StreamParser() = default;

void StreamParser::feed(std::string_view bytes) {
  Impl& m = *impl_;
  if (m.input.empty()) {  // straight from the caller's bytes; only a partial line is kept
    const std::size_t used = m.process(bytes, false);
    m.input.assign(bytes.substr(used));
    return;
  }
  m.input.append(bytes);
  const std::size_t used = m.process(m.input, false);
  m.input.erase(0, used);
}

void StreamParser::finish() {
  Impl& m = *impl_;
  m.process(m.input, true);
  m.input.clear();
  m.end_inside(-1);
}

}  // namespace mailwire::mime
