// Theory of operation: the reader alternates between two states. Expecting a line, it
// appends the line to the response being assembled; a line ending in `{n}` or `~{n}`
// announces a literal, and the reader then expects exactly n bytes (buffered into the
// literal, or passed to a caller's sink when the literal is large), then another line. A
// line without an announcement completes the response, which is parsed and queued. Every
// size is checked before memory is taken, so hostile input costs at most the limits; and a
// literal's buffer grows with the bytes that arrive, never with the size announced.

#include <mailwire/imap/response_reader.hpp>

#include "imap/response_parser.hpp"
#include "imap/wire_decoder.hpp"

#include <algorithm>
#include <vector>

namespace mailwire::imap {

using detail::RawLiteral;
using detail::RawResponse;

// The most a literal's buffer takes before its bytes arrive.
constexpr std::uint64_t first_block = 16 * 1024;

struct ResponseReader::Impl {
  ResponseReaderOptions options;
  RawResponse raw;
  std::uint64_t buffered = 0;  // bytes held by raw (text + literals)
  std::uint64_t literal_remaining = 0;
  LiteralSink sink;             // set while streaming the current literal
  std::string partial;          // feed(): an unfinished line
  std::vector<Response> ready;  // ready[head..] wait to be popped
  std::size_t head = 0;
  detail::ReuseCache reuse;  // what recycle() gave back
  std::error_code error;
  std::string message;

  void fail(Errc kind, std::string text) {
    if (error) return;
    error = make_error_code(kind);
    message = "imap: " + std::move(text);
    raw = RawResponse{};
    partial.clear();
    partial.shrink_to_fit();
    literal_remaining = 0;
    sink = nullptr;
  }

  // Best effort: `* <n> FETCH (... NAME[section]<origin> {size}` → seq and item. Only
  // informs the sink hook; the parser checks the grammar later.
  static void describe_fetch_item(std::string_view text, LiteralInfo& info) {
    if (text.size() < 2 || text.substr(0, 2) != "* ") return;
    std::size_t i = 2;
    std::uint64_t seq = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && seq <= UINT32_MAX) {
      seq = seq * 10 + static_cast<std::uint64_t>(text[i] - '0');
      ++i;
    }
    if (i == 2 || seq > UINT32_MAX || !detail::iequals(text.substr(i, 7), " FETCH ")) return;
    info.fetch_seq = static_cast<std::uint32_t>(seq);
    std::size_t end = text.rfind('{');
    if (end == std::string_view::npos) return;
    if (end > 0 && text[end - 1] == '~') --end;
    while (end > 0 && text[end - 1] == ' ')
      --end;
    std::size_t start = end;
    if (start > 0 && text[start - 1] == '>') {
      start = text.rfind('<', start - 1);
      if (start == std::string_view::npos) return;
    }
    if (start > 0 && text[start - 1] == ']') {
      start = text.rfind('[', start - 1);
      if (start == std::string_view::npos) return;
    }
    while (start > 0 && text[start - 1] != ' ' && text[start - 1] != '(')
      --start;
    info.fetch_item = text.substr(start, end - start);
  }

  // Recognises `{n}` / `~{n}` at the end of a line. Returns false when there is none.
  static bool literal_announcement(std::string_view line, std::uint64_t& n, bool& binary,
                                   bool& overflow) {
    overflow = false;
    if (line.empty() || line.back() != '}') return false;
    std::size_t i = line.size() - 1;
    std::size_t digits_end = i;
    while (i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9')
      --i;
    if (i == digits_end || i == 0 || line[i - 1] != '{') return false;
    std::uint64_t v = 0;
    for (std::size_t k = i; k < digits_end; ++k) {
      auto d = static_cast<std::uint64_t>(line[k] - '0');
      if (v > (UINT64_MAX - d) / 10) {
        overflow = true;
        return true;
      }
      v = v * 10 + d;
    }
    n = v;
    binary = i >= 2 && line[i - 2] == '~';
    return true;
  }

  void line(std::string_view text) {
    if (error) return;
    if (literal_remaining > 0) return fail(Errc::protocol, "line received while a literal is due");
    if (text.size() > options.max_line) return fail(Errc::limit, "line too long");
    buffered += text.size();
    if (buffered > options.max_response) return fail(Errc::limit, "response too large");
    std::uint64_t n = 0;
    bool binary = false;
    bool overflow = false;
    if (!literal_announcement(text, n, binary, overflow)) {
      if (raw.text.empty()) return complete(text);  // one line, the whole response: no copy
      raw.text.append(text);
      return complete(raw.text);
    }
    raw.text.append(text);
    if (overflow) return fail(Errc::limit, "literal size too large");
    if (raw.literals.size() >= options.max_literals) {
      return fail(Errc::limit, "too many literals in one response");
    }
    RawLiteral lit;
    lit.offset = raw.text.size();
    lit.size = n;
    lit.binary = binary;
    if (n >= options.stream_threshold && options.literal_sink) {
      LiteralInfo info;
      info.size = n;
      info.binary = binary;
      info.context = raw.text;
      describe_fetch_item(raw.text, info);
      sink = options.literal_sink(info);
      lit.streamed = static_cast<bool>(sink);
    }
    if (!lit.streamed) {
      if (n > options.max_literal) return fail(Errc::limit, "literal too large");
      if (buffered + n > options.max_response) return fail(Errc::limit, "response too large");
      buffered += n;
      // The size is the server's claim: memory grows with the bytes that arrive (checklist
      // case 46), from a first block no larger than what a small literal needs.
      lit.data.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(n, first_block)));
    }
    raw.literals.push_back(std::move(lit));
    literal_remaining = n;
  }

  std::size_t literal(std::string_view bytes) {
    if (error || literal_remaining == 0) return 0;
    std::size_t k = bytes.size() < literal_remaining ? bytes.size()
                                                     : static_cast<std::size_t>(literal_remaining);
    std::string_view chunk = bytes.substr(0, k);
    if (sink) {
      sink(chunk);
    } else {
      raw.literals.back().data.append(chunk);
    }
    literal_remaining -= k;
    if (literal_remaining == 0) sink = nullptr;
    return k;
  }

  void complete(std::string_view text) {
    detail::ParserSettings settings;
    settings.limits.max_depth = options.max_depth;
    settings.limits.max_items = options.max_items;
    settings.utf8 = options.utf8;
    settings.reuse = &reuse;
    Response response;
    std::string why;
    std::error_code ec = detail::parse_raw_response(raw, text, settings, response, why);
    // The buffers stay for the next response unless a large one grew them.
    if (raw.text.capacity() > 64 * 1024) raw.text = std::string();
    raw.text.clear();
    raw.literals.clear();
    buffered = 0;
    if (ec) {
      fail(ec == Errc::limit ? Errc::limit : Errc::protocol, why.substr(why.find(' ') + 1));
      return;
    }
    ready.push_back(std::move(response));
  }

  std::size_t feed(std::string_view bytes) {
    std::size_t used = 0;
    while (used < bytes.size() && !error) {
      std::string_view rest = bytes.substr(used);
      if (literal_remaining > 0) {
        used += literal(rest);
        continue;
      }
      std::size_t lf = rest.find('\n');
      if (lf == std::string_view::npos) {
        if (partial.size() + rest.size() > options.max_line + 1) {
          fail(Errc::limit, "line too long");
          return used;
        }
        partial.append(rest);
        return bytes.size();
      }
      used += lf + 1;
      std::string_view piece = rest.substr(0, lf);
      if (partial.empty()) {
        if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
        line(piece);
      } else {
        if (partial.size() + piece.size() > options.max_line + 1) {
          fail(Errc::limit, "line too long");
          return used;
        }
        partial.append(piece);
        if (!partial.empty() && partial.back() == '\r') partial.pop_back();
        line(partial);  // (a failure inside has cleared it already)
        partial.clear();
      }
    }
    return used;
  }
};

ResponseReader::ResponseReader(ResponseReaderOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}
ResponseReader::~ResponseReader() = default;
ResponseReader::ResponseReader(ResponseReader&&) noexcept = default;
ResponseReader& ResponseReader::operator=(ResponseReader&&) noexcept = default;

std::size_t ResponseReader::feed(std::string_view bytes) {
  return impl_->feed(bytes);
}
void ResponseReader::on_line(std::string_view line) {
  impl_->line(line);
}
std::size_t ResponseReader::on_literal(std::string_view bytes) {
  return impl_->literal(bytes);
}
std::uint64_t ResponseReader::literal_remaining() const noexcept {
  return impl_->literal_remaining;
}
bool ResponseReader::has_response() const noexcept {
  return impl_->head < impl_->ready.size();
}
Response ResponseReader::pop() {
  Impl& s = *impl_;
  Response r = std::move(s.ready[s.head++]);
  if (s.head == s.ready.size()) {
    s.ready.clear();
    s.head = 0;
  }
  return r;
}
void ResponseReader::recycle(Response&& used) noexcept {
  impl_->reuse.take_from(used);
}
std::error_code ResponseReader::error() const noexcept {
  return impl_->error;
}
const std::string& ResponseReader::error_message() const noexcept {
  return impl_->message;
}
void ResponseReader::set_utf8(bool on) noexcept {
  impl_->options.utf8 = on;
}
ResponseReaderOptions& ResponseReader::options() noexcept {
  return impl_->options;
}

std::error_code parse_response(std::string_view wire, Response& out, std::string* message,
                               const ResponseReaderOptions& options) {
  ResponseReader reader(options);
  reader.feed(wire);
  if (!wire.empty() && wire.back() != '\n') reader.feed("\r\n");
  if (reader.error()) {
    if (message != nullptr) *message = reader.error_message();
    return reader.error();
  }
  if (!reader.has_response()) {
    if (message != nullptr) *message = "imap: incomplete response";
    return make_error_code(Errc::protocol);
  }
  out = reader.pop();
  return {};
}

}  // namespace mailwire::imap
