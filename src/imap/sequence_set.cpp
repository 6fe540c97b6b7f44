#include <mailwire/imap/sequence_set.hpp>

#include <algorithm>
#include <limits>

namespace mailwire::imap {
namespace {

// `*` sorts above every number.
std::uint64_t key(std::uint32_t n) {
  return n == SequenceRange::star ? std::uint64_t{1} << 32 : n;
}

void append_number(std::string& out, std::uint32_t n) {
  if (n == SequenceRange::star) {
    out.push_back('*');
  } else {
    out += std::to_string(n);
  }
}

}  // namespace

SequenceSet SequenceSet::from_numbers(std::vector<std::uint32_t> numbers) {
  SequenceSet set;
  for (std::uint32_t n : numbers) {
    if (n != 0) set.ranges_.push_back({n, n});
  }
  set.normalise();
  return set;
}

SequenceSet SequenceSet::range(std::uint32_t first, std::uint32_t last) {
  SequenceSet set;
  set.add(first, last);
  return set;
}

SequenceSet SequenceSet::all() {
  return range(1, SequenceRange::star);
}

SequenceSet& SequenceSet::add(std::uint32_t first, std::uint32_t last) {
  if (key(first) > key(last)) std::swap(first, last);  // RFC 3501: 4:2 means 2:4
  ranges_.push_back({first, last});
  normalise();
  return *this;
}

void SequenceSet::normalise() {
  std::sort(ranges_.begin(), ranges_.end(), [](const SequenceRange& a, const SequenceRange& b) {
    return key(a.first) < key(b.first);
  });
  std::vector<SequenceRange> merged;
  for (const SequenceRange& r : ranges_) {
    if (!merged.empty() && key(r.first) <= key(merged.back().last) + 1) {
      if (key(r.last) > key(merged.back().last)) merged.back().last = r.last;
    } else {
      merged.push_back(r);
    }
  }
  ranges_ = std::move(merged);
}

bool SequenceSet::contains(std::uint32_t n) const noexcept {
  for (const SequenceRange& r : ranges_) {
    if (key(n) >= key(r.first) && key(n) <= key(r.last)) return true;
  }
  return false;
}

std::optional<std::vector<std::uint32_t>> SequenceSet::numbers(std::size_t limit) const {
  std::vector<std::uint32_t> out;
  for (const SequenceRange& r : ranges_) {
    if (r.first == SequenceRange::star || r.last == SequenceRange::star) return std::nullopt;
    if (r.last - r.first >= limit - out.size()) return std::nullopt;
    for (std::uint64_t n = r.first; n <= r.last; ++n)
      out.push_back(static_cast<std::uint32_t>(n));
  }
  return out;
}

std::string SequenceSet::to_string() const {
  std::string out;
  for (const SequenceRange& r : ranges_) {
    if (!out.empty()) out.push_back(',');
    append_number(out, r.first);
    if (r.last != r.first) {
      out.push_back(':');
      append_number(out, r.last);
    }
  }
  return out;
}

std::optional<SequenceSet> SequenceSet::parse(std::string_view text) {
  SequenceSet set;
  std::size_t i = 0;
  auto seq_number = [&](std::uint32_t& out) {
    if (i < text.size() && text[i] == '*') {
      ++i;
      out = SequenceRange::star;
      return true;
    }
    std::uint64_t v = 0;
    std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      v = v * 10 + static_cast<std::uint64_t>(text[i] - '0');
      if (v > std::numeric_limits<std::uint32_t>::max()) return false;
      ++i;
    }
    if (i == start || v == 0) return false;
    out = static_cast<std::uint32_t>(v);
    return true;
  };
  if (text.empty()) return std::nullopt;
  while (true) {
    std::uint32_t a = 0;
    std::uint32_t b = 0;
    if (!seq_number(a)) return std::nullopt;
    b = a;
    if (i < text.size() && text[i] == ':') {
      ++i;
      if (!seq_number(b)) return std::nullopt;
    }
    if (key(a) > key(b)) std::swap(a, b);
    set.ranges_.push_back({a, b});
    if (i == text.size()) break;
    if (text[i] != ',') return std::nullopt;
    ++i;
  }
  set.normalise();
  return set;
}

}  // namespace mailwire::imap
