#include "dkim/canonical.hpp"

#include <algorithm>
#include <cstring>

namespace mailwire::dkim::detail {

namespace {

bool is_wsp(char c) noexcept {
  return c == ' ' || c == '\t';
}

char lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// Body byte classes: 0 ordinary, 1 CR, 2 LF, 3 SP / HTAB.
struct ByteClasses {
  unsigned char of[256] = {};
  ByteClasses() {
    of[static_cast<unsigned char>('\r')] = 1;
    of[static_cast<unsigned char>('\n')] = 2;
    of[static_cast<unsigned char>(' ')] = 3;
    of[static_cast<unsigned char>('\t')] = 3;
  }
};
const ByteClasses classes;

constexpr std::size_t out_buffer = 64 * 1024;

}  // namespace

void LineEndings::feed(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size() + 16);
  std::size_t i = 0;
  if (pending_cr_ && !in.empty()) {
    pending_cr_ = false;
    out += "\r\n";
    if (in.front() == '\n') i = 1;
  }
  while (i < in.size()) {
    // Copy the run up to the next CR or LF in one go.
    std::size_t j = i;
    while (j < in.size() && in[j] != '\r' && in[j] != '\n')
      ++j;
    out.append(in.data() + i, j - i);
    if (j == in.size()) break;
    if (in[j] == '\n') {
      out += "\r\n";
      i = j + 1;
    } else if (j + 1 == in.size()) {
      pending_cr_ = true;  // its LF may come in the next chunk
      i = j + 1;
    } else {
      out += "\r\n";
      i = in[j + 1] == '\n' ? j + 2 : j + 1;
    }
  }
}

void LineEndings::finish(std::string& out) {
  if (pending_cr_) out += "\r\n";
  pending_cr_ = false;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::vector<RawField> split_fields(std::string_view header) {
  std::vector<RawField> out;
  std::size_t pos = 0;
  bool in_field = false;  // the current line continues a field we keep
  std::size_t field_start = 0;
  std::string_view name;
  const auto close = [&](std::size_t end) {
    if (in_field) out.push_back(RawField{name, header.substr(field_start, end - field_start)});
    in_field = false;
  };
  while (pos < header.size()) {
    std::size_t eol = header.find("\r\n", pos);
    const std::size_t next = eol == std::string_view::npos ? header.size() : eol + 2;
    if (!is_wsp(header[pos])) {
      close(pos);
      const std::string_view line = header.substr(pos, next - pos);
      const std::size_t colon = line.find(':');
      if (colon != std::string_view::npos && colon > 0) {
        std::string_view n = line.substr(0, colon);
        while (!n.empty() && is_wsp(n.back()))
          n.remove_suffix(1);
        if (!n.empty()) {
          in_field = true;
          field_start = pos;
          name = n;
        }
      }
    }
    pos = next;
  }
  close(header.size());
  return out;
}

std::string relaxed_header(std::string_view field) {
  std::string out;
  const std::size_t colon = field.find(':');
  std::string_view name = field.substr(0, colon);
  while (!name.empty() && is_wsp(name.back()))
    name.remove_suffix(1);
  out.reserve(field.size() + 2);
  for (char c : name)
    out += lower(c);
  out += ':';
  if (colon == std::string_view::npos) return out + "\r\n";
  bool space = false;
  bool started = false;
  for (char c : field.substr(colon + 1)) {
    if (c == '\r' || c == '\n') continue;  // unfolding
    if (is_wsp(c)) {
      space = true;
      continue;
    }
    if (space && started) out += ' ';
    space = false;
    started = true;
    out += c;
  }
  out += "\r\n";
  return out;
}

std::string without_b_value(std::string_view field) {
  std::string out(field);
  const std::size_t colon = out.find(':');
  if (colon == std::string::npos) return out;
  std::size_t pos = colon + 1;
  while (pos <= out.size()) {
    std::size_t semi = out.find(';', pos);
    if (semi == std::string::npos) semi = out.size();
    std::size_t i = pos;
    while (i < semi && (is_wsp(out[i]) || out[i] == '\r' || out[i] == '\n'))
      ++i;
    if (i < semi && out[i] == 'b') {
      std::size_t j = i + 1;
      while (j < semi && (is_wsp(out[j]) || out[j] == '\r' || out[j] == '\n'))
        ++j;
      if (j < semi && out[j] == '=') {
        // Keep a line ending that ends the field.
        std::size_t end = semi;
        if (semi == out.size() && end >= 2 && out.compare(end - 2, 2, "\r\n") == 0) end -= 2;
        if (end > j + 1) out.erase(j + 1, end - (j + 1));
        return out;
      }
    }
    pos = semi + 1;
  }
  return out;
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) {
    throw std::bad_alloc();
  }
}

void Sha256::update(std::string_view bytes) {
  if (!bytes.empty()) EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size());
}

std::string Sha256::final() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_.get(), md, &len);
  return std::string(reinterpret_cast<const char*>(md), len);
}

BodyHasher::BodyHasher(bool relaxed, std::optional<std::uint64_t> limit)
    : relaxed_(relaxed), limit_(limit) {
  out_.reserve(out_buffer);
}

void BodyHasher::emit(const char* data, std::size_t size) {
  std::size_t take = size;
  if (limit_) {
    const std::uint64_t room = produced_ >= *limit_ ? 0 : *limit_ - produced_;
    take = static_cast<std::size_t>(std::min<std::uint64_t>(room, size));
  }
  produced_ += size;
  if (take == 0) return;
  if (out_.size() + take > out_buffer) {
    sha_.update(out_);
    out_.clear();
    if (take >= out_buffer) {
      sha_.update(std::string_view(data, take));
      return;
    }
  }
  out_.append(data, take);
}

void BodyHasher::flush_pending() {
  for (; pending_crlf_ > 0; --pending_crlf_)
    emit("\r\n", 2);
  if (pending_wsp_) emit(" ", 1);
  pending_wsp_ = false;
  any_content_ = true;
}

void BodyHasher::feed(std::string_view bytes) {
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  while (p < end) {
    if (pending_cr_) {
      // CRLF, or a bare CR: a line end either way (as LineEndings and the SMTP client have it).
      pending_cr_ = false;
      ++pending_crlf_;
      pending_wsp_ = false;
      if (*p == '\n') {
        ++p;
        continue;
      }
    }
    const unsigned char cls = classes.of[static_cast<unsigned char>(*p)];
    if (cls == 1) {
      pending_cr_ = true;
      ++p;
    } else if (cls == 2) {  // a bare LF: a line end all the same
      ++pending_crlf_;
      pending_wsp_ = false;
      ++p;
    } else if (cls == 3 && relaxed_) {
      pending_wsp_ = true;
      ++p;
    } else {
      const char* q = p + 1;
      if (!relaxed_) {
        // simple: the run ends at the next CR or LF (memchr is vectorized).
        const auto* cr =
            static_cast<const char*>(std::memchr(q, '\r', static_cast<std::size_t>(end - q)));
        if (cr == nullptr) cr = end;
        const auto* lf =
            static_cast<const char*>(std::memchr(q, '\n', static_cast<std::size_t>(cr - q)));
        q = lf != nullptr ? lf : cr;
      }
      // The run of content: up to a line end (or, relaxed, white space other than one SP
      // between words, which relaxed canonicalization keeps as it is).
      while (q < end) {
        const unsigned char c = classes.of[static_cast<unsigned char>(*q)];
        if (c == 0) {
          ++q;
        } else if (c == 3 && (!relaxed_ || (*q == ' ' && q + 1 < end &&
                                            classes.of[static_cast<unsigned char>(q[1])] == 0))) {
          q += relaxed_ ? 2 : 1;
        } else {
          break;
        }
      }
      flush_pending();
      emit(p, static_cast<std::size_t>(q - p));
      p = q;
    }
  }
}

std::string BodyHasher::finish() {
  if (pending_cr_) {
    pending_cr_ = false;
    ++pending_crlf_;
  }
  if (any_content_ || !relaxed_) emit("\r\n", 2);
  sha_.update(out_);
  out_.clear();
  return sha_.final();
}

void MessageReader::feed(std::string_view bytes) {
  if (in_body_) {
    // The body hashers count bare CR and LF as line ends themselves: no copy.
    for (BodyHasher* h : hashers_)
      h->feed(bytes);
    return;
  }
  scratch_.clear();
  endings_.feed(bytes, scratch_);
  take(scratch_);
  if (in_body_ && endings_.take_pending_cr()) {
    for (BodyHasher* h : hashers_)
      h->feed("\r");
  }
}

void MessageReader::finish() {
  scratch_.clear();
  if (!in_body_) endings_.finish(scratch_);
  take(scratch_);
  if (!in_body_) header_done();  // all header, no empty line: the body is empty
}

void MessageReader::header_done() {
  in_body_ = true;
  if (on_header) on_header(header_);
}

void MessageReader::take(std::string_view normalized) {
  if (normalized.empty()) return;
  if (in_body_) {
    for (BodyHasher* h : hashers_)
      h->feed(normalized);
    return;
  }
  const std::size_t old = header_.size();
  header_.append(normalized);
  std::size_t split = std::string::npos;
  std::size_t body_start = 0;
  if (header_.compare(0, 2, "\r\n") == 0) {  // no header at all
    split = 0;
    body_start = 2;
  } else {
    const std::size_t from = old >= 3 ? old - 3 : 0;
    const std::size_t found = header_.find("\r\n\r\n", from);
    if (found != std::string::npos) {
      split = found + 2;
      body_start = found + 4;
    }
  }
  if (split == std::string::npos) {
    if (header_.size() > max_header_) {
      too_large_ = true;
      header_.resize(max_header_);
      header_done();
    }
    return;
  }
  const std::string rest = header_.substr(body_start);
  header_.resize(split);
  header_done();
  for (BodyHasher* h : hashers_)
    h->feed(rest);
}

}  // namespace mailwire::dkim::detail
