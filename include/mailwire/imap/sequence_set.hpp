#pragma once

/// \file
/// IMAP sequence sets and UID sets (RFC 3501 section 9 `sequence-set`, RFC 9051 `uid-set`).

#include <mailwire/export.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire::imap {

/// One range of a sequence set; `star` (0) stands for `*`, the largest number in use.
struct SequenceRange {
  static constexpr std::uint32_t star = 0;  ///< stands for `*` (0 is no valid number)
  std::uint32_t first = 1;                  ///< the lower end; `star` only for the range `*` alone
  std::uint32_t last = 1;                   ///< equal to `first` for a single number

  /// Same ends.
  friend bool operator==(const SequenceRange& a, const SequenceRange& b) {
    return a.first == b.first && a.last == b.last;
  }
};

/// A set of message sequence numbers or UIDs such as `1:4,7,10:*`. Ranges are kept sorted,
/// with adjacent and overlapping ones merged (`1,2,3,5` becomes `1:3,5`); `*` sorts above
/// every number.
class MAILWIRE_API SequenceSet {
 public:
  /// The empty set (not valid on the wire: Command refuses it).
  SequenceSet() = default;
  /// A set of the given numbers, sorted and compacted into ranges. Zero is ignored.
  static SequenceSet from_numbers(std::vector<std::uint32_t> numbers);
  /// `first:last`, in either order (`4:2` is `2:4`); either may be SequenceRange::star.
  static SequenceSet range(std::uint32_t first, std::uint32_t last);
  /// `1:*`.
  static SequenceSet all();
  /// Parses `sequence-set` (RFC 3501 section 9); nullopt when malformed or a number is 0.
  static std::optional<SequenceSet> parse(std::string_view text);

  /// Adds one number; 0 (SequenceRange::star) adds `*`.
  SequenceSet& add(std::uint32_t n) { return add(n, n); }
  /// Adds `first:last`, in either order; 0 (SequenceRange::star) stands for `*`.
  SequenceSet& add(std::uint32_t first, std::uint32_t last);

  /// True when the set holds nothing.
  bool empty() const noexcept { return ranges_.empty(); }
  /// The ranges, sorted and merged.
  const std::vector<SequenceRange>& ranges() const noexcept { return ranges_; }
  /// True when `n` is in the set (`*` ranges count as unbounded above).
  bool contains(std::uint32_t n) const noexcept;
  /// The numbers of the set in order, or nullopt when it holds `*` or more than `limit` numbers.
  std::optional<std::vector<std::uint32_t>> numbers(std::size_t limit = 1000000) const;

  /// Compact wire form (`1:3,5,9:*`); empty string for an empty set (never valid on the wire).
  std::string to_string() const;

  /// Same numbers (sets are kept normalised, so equal sets have equal ranges).
  friend bool operator==(const SequenceSet& a, const SequenceSet& b) {
    return a.ranges_ == b.ranges_;
  }

 private:
  void normalise();
  std::vector<SequenceRange> ranges_;
};

}  // namespace mailwire::imap
