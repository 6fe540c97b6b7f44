#include <mailwire/mime/encoding.hpp>

#include "detail/digest.hpp"

#include <array>
#include <cstring>

namespace mailwire::mime {
namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char hex_digits[] = "0123456789ABCDEF";

// 0-63: a digit; 64: whitespace; 65: '='; 66: junk.
constexpr std::array<std::uint8_t, 256> make_base64_table() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t)
    v = 66;
  for (int i = 0; i < 64; ++i)
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  t[' '] = t['\t'] = t['\r'] = t['\n'] = 64;
  t['='] = 65;
  return t;
}
constexpr auto b64 = make_base64_table();

}  // namespace

void Base64Decoder::feed(std::string_view in, std::string& out) {
  const std::size_t base = out.size();
  out.resize(base + max_output(in.size()));
  char* end = feed(in, out.data() + base);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

char* Base64Decoder::feed(std::string_view in, char* w) {
  if (done_) return w;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const auto* end = p + in.size();
  while (p < end) {
    if (count_ == 0) {
      // Fast path: whole groups of four alphabet characters (a 76-column line is 19 of them).
      while (end - p >= 4) {
        const std::uint32_t a = b64[p[0]], b = b64[p[1]], c = b64[p[2]], d = b64[p[3]];
        if ((a | b | c | d) >= 64) break;
        const std::uint32_t v = a << 18 | b << 12 | c << 6 | d;
        w[0] = static_cast<char>(v >> 16);
        w[1] = static_cast<char>(v >> 8);
        w[2] = static_cast<char>(v);
        w += 3;
        p += 4;
      }
      if (p == end) break;
    }
    const std::uint8_t v = b64[*p++];
    if (v < 64) {
      bits_ = bits_ << 6 | v;
      if (++count_ == 4) {
        w[0] = static_cast<char>(bits_ >> 16);
        w[1] = static_cast<char>(bits_ >> 8);
        w[2] = static_cast<char>(bits_);
        w += 3;
        bits_ = 0;
        count_ = 0;
      }
    } else if (v == 65) {  // padding: the data ends here
      if (count_ == 2) {
        *w++ = static_cast<char>(bits_ >> 4);
      } else if (count_ == 3) {
        *w++ = static_cast<char>(bits_ >> 10);
        *w++ = static_cast<char>(bits_ >> 2);
      } else if (count_ == 1) {
        ++junk_;
      }
      bits_ = 0;
      count_ = 0;
      done_ = true;
      return w;
    } else if (v == 66) {
      ++junk_;
    }
  }
  return w;
}

void Base64Decoder::finish(std::string& out) {
  if (count_ == 2) {
    out += static_cast<char>(bits_ >> 4);
  } else if (count_ == 3) {
    out += static_cast<char>(bits_ >> 10);
    out += static_cast<char>(bits_ >> 2);
  } else if (count_ == 1) {
    ++junk_;  // six bits cannot make a byte
  }
  bits_ = 0;
  count_ = 0;
}

void Base64Encoder::put(char c, std::string& out) {
  if (line_length_ > 0 && column_ == line_length_) {
    out += "\r\n";
    column_ = 0;
  }
  out += c;
  ++column_;
}

void Base64Encoder::feed(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size() * 4 / 3 + in.size() / 38 + 8);
  for (const char ch : in) {
    pending_[count_++] = static_cast<unsigned char>(ch);
    if (count_ == 3) {
      const std::uint32_t v = static_cast<std::uint32_t>(pending_[0]) << 16 |
                              static_cast<std::uint32_t>(pending_[1]) << 8 | pending_[2];
      put(alphabet[v >> 18], out);
      put(alphabet[(v >> 12) & 63], out);
      put(alphabet[(v >> 6) & 63], out);
      put(alphabet[v & 63], out);
      count_ = 0;
    }
  }
}

void Base64Encoder::finish(std::string& out) {
  if (count_ > 0) {
    const std::uint32_t v = static_cast<std::uint32_t>(pending_[0]) << 16 |
                            (count_ > 1 ? static_cast<std::uint32_t>(pending_[1]) << 8 : 0u);
    put(alphabet[v >> 18], out);
    put(alphabet[(v >> 12) & 63], out);
    put(count_ > 1 ? alphabet[(v >> 6) & 63] : '=', out);
    put('=', out);
    count_ = 0;
  }
  if (column_ > 0) out += "\r\n";
  column_ = 0;
}

void QuotedPrintableDecoder::flush_spaces(std::string& out) {
  out += spaces_;
  spaces_.clear();
}

void QuotedPrintableDecoder::feed(std::string_view in, std::string& out) {
  std::string joined;
  if (!held_.empty()) {
    joined = held_ + std::string(in);
    held_.clear();
    in = joined;
  }
  // The output never exceeds the pending spaces plus the input: write through a pointer.
  const std::size_t base = out.size();
  out.resize(base + spaces_.size() + in.size());
  char* w = out.data() + base;
  const auto flush = [&] {
    if (spaces_.empty()) return;
    std::memcpy(w, spaces_.data(), spaces_.size());
    w += spaces_.size();
    spaces_.clear();
  };
  std::size_t i = 0;
  const std::size_t n = in.size();
  while (i < n) {
    const char c = in[i];
    if (c == '=') {
      flush();          // whitespace followed by '=' is not trailing: it is content
      if (n - i < 3) {  // maybe an escape or soft break cut by the chunk boundary
        const std::string_view rest = in.substr(i);
        const bool could_be_escape =
            rest.size() == 1 ||
            (rest.size() == 2 && (detail::hex_value(rest[1]) >= 0 || rest[1] == '\r'));
        if (could_be_escape) {
          held_ = std::string(rest);
          break;
        }
      }
      const char a = i + 1 < n ? in[i + 1] : '\0';
      const char b = i + 2 < n ? in[i + 2] : '\0';
      if (a == '\r' && b == '\n') {  // soft line break
        i += 3;
        continue;
      }
      if (a == '\n') {  // soft line break with a bare LF
        i += 2;
        continue;
      }
      const int hi = detail::hex_value(a);
      const int lo = detail::hex_value(b);
      if (hi >= 0 && lo >= 0) {
        *w++ = static_cast<char>(hi << 4 | lo);
        i += 3;
      } else {
        ++bad_;
        *w++ = '=';  // RFC 2045 6.7 note (2): keep it as it is
        ++i;
      }
      continue;
    }
    if (c == ' ' || c == '\t') {
      spaces_ += c;
      ++i;
      continue;
    }
    if (c == '\r' || c == '\n') {
      spaces_.clear();  // trailing whitespace is padding added in transport
      *w++ = c;
      ++i;
      continue;
    }
    flush();
    // A run of plain characters.
    std::size_t end = i + 1;
    while (end < n && in[end] != '=' && in[end] != ' ' && in[end] != '\t' && in[end] != '\r' &&
           in[end] != '\n') {
      ++end;
    }
    std::memcpy(w, in.data() + i, end - i);
    w += end - i;
    i = end;
  }
  out.resize(static_cast<std::size_t>(w - out.data()));
}

void QuotedPrintableDecoder::finish(std::string& out) {
  if (!held_.empty()) {
    if (held_ != "=" && held_ != "=\r") ++bad_;
    if (held_.size() > 1 || held_ != "=") out += held_;  // a final "=" is a soft break
    held_.clear();
  }
  spaces_.clear();
}

void QuotedPrintableEncoder::put_literal(char c, std::string& out) {
  if (column_ + 1 > 75) {  // room for the soft break "="
    out += "=\r\n";
    column_ = 0;
  }
  out += c;
  ++column_;
}

void QuotedPrintableEncoder::put_encoded(unsigned char c, std::string& out) {
  if (column_ + 3 > 75) {
    out += "=\r\n";
    column_ = 0;
  }
  out += '=';
  out += hex_digits[c >> 4];
  out += hex_digits[c & 0xf];
  column_ += 3;
}

void QuotedPrintableEncoder::flush_pending_space(std::string& out, bool at_line_end) {
  if (pending_space_ == 0) return;
  const char s = pending_space_;
  pending_space_ = 0;
  if (at_line_end) {
    put_encoded(static_cast<unsigned char>(s), out);  // trailing whitespace would be lost
  } else {
    put_literal(s, out);
  }
}

void QuotedPrintableEncoder::end_line(std::string& out) {
  flush_pending_space(out, true);
  out += "\r\n";
  column_ = 0;
}

void QuotedPrintableEncoder::feed(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size() + in.size() / 8);
  for (const char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (!binary_) {
      if (pending_cr_) {
        pending_cr_ = false;
        end_line(out);
        if (c == '\n') continue;
      }
      if (c == '\r') {
        pending_cr_ = true;
        continue;
      }
      if (c == '\n') {
        end_line(out);
        continue;
      }
    }
    if (c == ' ' || c == '\t') {
      flush_pending_space(out, false);
      pending_space_ = static_cast<char>(c);
      continue;
    }
    flush_pending_space(out, false);
    // A '.' or "From " at the start of a line survive SMTP and mbox: encode the dot.
    if ((c >= 33 && c <= 126 && c != '=' && !(c == '.' && column_ == 0))) {
      put_literal(static_cast<char>(c), out);
    } else {
      put_encoded(c, out);
    }
  }
}

void QuotedPrintableEncoder::finish(std::string& out) {
  if (pending_cr_) {
    pending_cr_ = false;
    end_line(out);
  }
  flush_pending_space(out, true);
  if (column_ > 0) {
    out += "=\r\n";  // no line break at the end of the input: a soft one keeps it so
    column_ = 0;
  }
}

void UudecodeDecoder::feed_line(std::string_view line, std::string& out) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
    line.remove_suffix(1);
  switch (state_) {
    case State::Begin:
      if (line.substr(0, 6) == "begin ") {
        const std::size_t sp = line.find(' ', 6);
        if (sp != std::string_view::npos) name_ = std::string(line.substr(sp + 1));
        state_ = State::Body;
      }
      return;
    case State::Body: {
      if (line == "end") {
        state_ = State::End;
        return;
      }
      if (line.empty()) return;
      const int length = (line[0] - 0x20) & 0x3f;
      int produced = 0;
      for (std::size_t i = 1; i + 3 < line.size() + 3 && produced < length; i += 4) {
        int v[4];
        for (int k = 0; k < 4; ++k) {
          const std::size_t at = i + static_cast<std::size_t>(k);
          v[k] = at < line.size() ? (line[at] - 0x20) & 0x3f : 0;
        }
        const char bytes[3] = {static_cast<char>(v[0] << 2 | v[1] >> 4),
                               static_cast<char>((v[1] & 0xf) << 4 | v[2] >> 2),
                               static_cast<char>((v[2] & 0x3) << 6 | v[3])};
        for (int k = 0; k < 3 && produced < length; ++k, ++produced)
          out += bytes[k];
      }
      return;
    }
    case State::End:
      return;
  }
}

std::string base64_decode(std::string_view in) {
  Base64Decoder d;
  std::string out;
  d.feed(in, out);
  d.finish(out);
  return out;
}

std::string base64_encode(std::string_view in, std::size_t line_length) {
  Base64Encoder e(line_length);
  std::string out;
  e.feed(in, out);
  e.finish(out);
  return out;
}

std::string quoted_printable_decode(std::string_view in) {
  QuotedPrintableDecoder d;
  std::string out;
  d.feed(in, out);
  d.finish(out);
  return out;
}

std::string quoted_printable_encode(std::string_view in, bool binary) {
  QuotedPrintableEncoder e(binary);
  std::string out;
  e.feed(in, out);
  e.finish(out);
  return out;
}

}  // namespace mailwire::mime
