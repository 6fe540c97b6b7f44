#include "dkim/canonical.hpp"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mailwire::dkim::detail {

namespace {

bool is_wsp(char c) noexcept {
  return c == ' ' || c == '\t';
}

char lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// Whether the byte at p[j] of p[0, n) stops a span that canonicalization leaves as it is: a
// CR not followed by LF, an LF not after a CR and, relaxed, an HTAB or an SP followed by white
// space or a line end. The byte after p[n - 1] is unknown: a CR or SP there stops the span.
bool stops_span(const char* p, std::size_t j, std::size_t n, bool relaxed) noexcept {
  const char c = p[j];
  const char next = j + 1 < n ? p[j + 1] : '\r';
  if (c == '\r') return j + 1 >= n || next != '\n';
  if (c == '\n') return j == 0 || p[j - 1] != '\r';
  if (!relaxed) return false;
  if (c == '\t') return true;
  return c == ' ' && (next == ' ' || next == '\t' || next == '\r' || next == '\n');
}

#if defined(__x86_64__) && defined(__GNUC__)
#define MAILWIRE_DKIM_AVX2 1
// unchanged_span's loop 32 octets at a time, for CPUs with AVX2. From p[j], j >= 1; returns
// where it stopped, or the first j with fewer than 33 octets left.
template <bool relaxed, bool copy>
__attribute__((target("avx2"))) std::size_t unchanged_avx2(const char* p, std::size_t n, char* out,
                                                           std::size_t j) noexcept {
  const __m256i cr = _mm256_set1_epi8('\r');
  const __m256i lf = _mm256_set1_epi8('\n');
  const __m256i sp = _mm256_set1_epi8(' ');
  const __m256i tab = _mm256_set1_epi8('\t');
  for (; j + 33 <= n; j += 32) {
    const __m256i prev = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + j - 1));
    const __m256i cur = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + j));
    const __m256i next = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + j + 1));
    if (copy) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + j), cur);
    const __m256i next_lf = _mm256_cmpeq_epi8(next, lf);
    __m256i stop = _mm256_or_si256(
        _mm256_andnot_si256(next_lf, _mm256_cmpeq_epi8(cur, cr)),
        _mm256_andnot_si256(_mm256_cmpeq_epi8(prev, cr), _mm256_cmpeq_epi8(cur, lf)));
    if (relaxed) {
      const __m256i next_ws = _mm256_or_si256(
          _mm256_or_si256(_mm256_cmpeq_epi8(next, sp), _mm256_cmpeq_epi8(next, tab)),
          _mm256_or_si256(_mm256_cmpeq_epi8(next, cr), next_lf));
      stop = _mm256_or_si256(
          stop, _mm256_or_si256(_mm256_cmpeq_epi8(cur, tab),
                                _mm256_and_si256(_mm256_cmpeq_epi8(cur, sp), next_ws)));
    }
    const auto mask = static_cast<std::uint32_t>(_mm256_movemask_epi8(stop));
    if (mask != 0) return j + static_cast<std::size_t>(__builtin_ctz(mask));
  }
  return j;
}

const bool has_avx2 = __builtin_cpu_supports("avx2");
#endif

// The length of the longest prefix of p[0, n) that canonicalizes to itself (p[0] is content,
// which never stops it). Sixteen octets at a time where SSE2 is there: the common case is
// long. With `copy`, the prefix is also copied to `out` as it is read (octets past it, up to
// n, may be written too).
template <bool relaxed, bool copy>
std::size_t unchanged_span(const char* p, std::size_t n, char* out = nullptr) noexcept {
  if (copy) out[0] = p[0];
  std::size_t j = 1;
#ifdef MAILWIRE_DKIM_AVX2
  if (has_avx2) {
    j = unchanged_avx2<relaxed, copy>(p, n, out, j);
    if (j + 33 <= n) return j;  // stopped
  }
#endif
#ifdef __SSE2__
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i sp = _mm_set1_epi8(' ');
  const __m128i tab = _mm_set1_epi8('\t');
  for (; j + 17 <= n; j += 16) {
    const __m128i prev = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j - 1));
    const __m128i cur = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j));
    const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j + 1));
    if (copy) _mm_storeu_si128(reinterpret_cast<__m128i*>(out + j), cur);
    const __m128i next_lf = _mm_cmpeq_epi8(next, lf);
    // A CR whose next octet is not LF, an LF whose previous octet is not CR.
    __m128i stop =
        _mm_or_si128(_mm_andnot_si128(next_lf, _mm_cmpeq_epi8(cur, cr)),
                     _mm_andnot_si128(_mm_cmpeq_epi8(prev, cr), _mm_cmpeq_epi8(cur, lf)));
    if (relaxed) {
      const __m128i next_ws =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(next, sp), _mm_cmpeq_epi8(next, tab)),
                       _mm_or_si128(_mm_cmpeq_epi8(next, cr), next_lf));
      stop = _mm_or_si128(stop, _mm_or_si128(_mm_cmpeq_epi8(cur, tab),
                                             _mm_and_si128(_mm_cmpeq_epi8(cur, sp), next_ws)));
    }
    const int mask = _mm_movemask_epi8(stop);
    if (mask != 0) return j + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  for (; j < n; ++j) {
    if (stops_span(p, j, n, relaxed)) return j;
    if (copy) out[j] = p[j];
  }
  return n;
}

// The CRLFs that end span[0, size) (which starts with content): they may be the empty lines
// that end the body, so they are held back. Shortens `size` by them; returns how many.
std::uint64_t take_line_ends(const char* span, std::size_t& size) noexcept {
  std::uint64_t line_ends = 0;
  while (size >= 3 && span[size - 2] == '\r' && span[size - 1] == '\n') {
    size -= 2;
    ++line_ends;
  }
  return line_ends;
}

// relaxed, from content at p[0]: copies the canonical form of p[0, n) to `out` for as long as
// only white space needs changing (a run of it before CRLF is dropped, one before content
// becomes one SP), and stops at the first bare CR or LF, or at white space it cannot settle
// (at the end of p). Returns the octets of p read; `written` gets the octets of out written.
// Octets of out past `written`, up to n, may be overwritten: out has room for n.
std::size_t relaxed_span(const char* p, std::size_t n, char* out, std::size_t& written) noexcept {
  std::size_t j = 0;
  std::size_t o = 0;
  while (j < n) {
    const std::size_t run = unchanged_span<true, true>(p + j, n - j, out + o);
    o += run;
    j += run;
    if (j == n || !is_wsp(p[j])) break;
    std::size_t e = j + 1;
    while (e < n && is_wsp(p[e]))
      ++e;
    if (e + 1 < n && p[e] == '\r' && p[e + 1] == '\n') {
      // White space at the end of a line: dropped. The CRLF is copied, and what follows it
      // settled by the next turn (if content; else it stops there).
      out[o++] = '\r';
      out[o++] = '\n';
      j = e + 2;
      if (j == n || p[j] == '\r' || p[j] == '\n' || is_wsp(p[j])) break;
    } else if (e < n && p[e] != '\r' && p[e] != '\n') {
      out[o++] = ' ';  // between content: one SP
      j = e;
    } else {
      break;  // at the end, or before a bare line end: the caller settles it
    }
  }
  written = o;
  return j;
}

constexpr std::size_t out_buffer = 64 * 1024;
constexpr std::size_t direct_hash = 4 * 1024;

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
    : relaxed_(relaxed), limit_(limit), out_(new char[2 * out_buffer + 64]) {}

void BodyHasher::hash_buffered() {
  sha_.update(std::string_view(out_.get(), used_));
  used_ = 0;
}

void BodyHasher::emit(const char* data, std::size_t size) {
  std::size_t take = size;
  if (limit_) {
    const std::uint64_t room = produced_ >= *limit_ ? 0 : *limit_ - produced_;
    take = static_cast<std::size_t>(std::min<std::uint64_t>(room, size));
  }
  produced_ += size;
  if (take == 0) return;
  if (take >= direct_hash) {  // large: hashed where it lies, after what is buffered
    hash_buffered();
    sha_.update(std::string_view(data, take));
    return;
  }
  if (used_ + take > out_buffer) hash_buffered();
  std::memcpy(out_.get() + used_, data, take);
  used_ += take;
}

void BodyHasher::flush_pending() {
  if (!limit_ && used_ + 2 * pending_crlf_ + 1 <= out_buffer) {  // the common case
    for (; pending_crlf_ > 0; --pending_crlf_) {
      out_[used_++] = '\r';
      out_[used_++] = '\n';
      produced_ += 2;
    }
    if (pending_wsp_) {
      out_[used_++] = ' ';
      ++produced_;
    }
  } else {
    for (; pending_crlf_ > 0; --pending_crlf_)
      emit("\r\n", 2);
    if (pending_wsp_) emit(" ", 1);
  }
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
      if (*p == '\n') ++p;
      continue;
    }
    const char c = *p;
    if (c == '\r') {
      if (p + 1 == end) {
        pending_cr_ = true;  // its LF may come with the next bytes
        ++p;
        continue;
      }
      ++pending_crlf_;
      pending_wsp_ = false;
      p += p[1] == '\n' ? 2 : 1;
    } else if (c == '\n') {  // a bare LF: a line end all the same
      ++pending_crlf_;
      pending_wsp_ = false;
      ++p;
    } else if (relaxed_ && is_wsp(c)) {
      // relaxed: a run of white space is one SP if content follows on the line, else nothing.
      pending_wsp_ = true;
      do {
        ++p;
      } while (p < end && is_wsp(*p));
    } else {
      // Content, and what follows it unchanged (line ends included): hashed as it is, but for
      // the line ends it ends with, which may be the empty lines that end the body.
      // (At most 64 KiB at a time, so that the bytes are still in cache when they are hashed.)
      const std::size_t room = std::min<std::size_t>(static_cast<std::size_t>(end - p), out_buffer);
      if (relaxed_ && !limit_) {
        // relaxed: spans are short (white space ends them); they are copied to the buffer,
        // with their white space settled as they are read.
        flush_pending();
        if (used_ > out_buffer) hash_buffered();
        char* const o = out_.get() + used_;
        std::size_t w = 0;
        const std::size_t n = relaxed_span(p, room, o, w);
        pending_crlf_ = take_line_ends(o, w);
        used_ += w;
        produced_ += w;
        p += n;
        continue;
      }
      const std::size_t n =
          relaxed_ ? unchanged_span<true, false>(p, room) : unchanged_span<false, false>(p, room);
      std::size_t keep = n;
      const std::uint64_t line_ends = take_line_ends(p, keep);
      flush_pending();
      emit(p, keep);
      pending_crlf_ = line_ends;
      p += n;
    }
  }
}

std::string BodyHasher::finish() {
  if (pending_cr_) {
    pending_cr_ = false;
    ++pending_crlf_;
  }
  if (any_content_ || !relaxed_) emit("\r\n", 2);
  hash_buffered();
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
