#pragma once

/// \file
/// Typed SEARCH criteria (RFC 3501 section 6.4.4, RFC 9051 section 6.4.4, RFC 4731 ESEARCH,
/// RFC 7162 MODSEQ).

#include <mailwire/export.hpp>
#include <mailwire/imap/command.hpp>
#include <mailwire/imap/sequence_set.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mailwire::imap {

/// A calendar date for SINCE/BEFORE/ON (sent as d-Mon-yyyy, e.g. 1-Feb-2024).
struct SearchDate {
  int year = 1970;
  int month = 1;  ///< 1..12
  int day = 1;    ///< 1..31
};

/// One search key or a combination of keys. Build with the static functions:
/// `SearchKey::all_of({SearchKey::unseen(), SearchKey::from("billing@example.com"),
///                     SearchKey::since({2024, 1, 1})})`.
class MAILWIRE_API SearchKey {
 public:
  static SearchKey all();
  static SearchKey seen();
  static SearchKey unseen();
  static SearchKey answered();
  static SearchKey unanswered();
  static SearchKey flagged();
  static SearchKey unflagged();
  static SearchKey deleted();
  static SearchKey undeleted();
  static SearchKey draft();
  static SearchKey undraft();
  /// RECENT, NEW and OLD exist in IMAP4rev1 only (removed by RFC 9051).
  static SearchKey recent();
  static SearchKey new_messages();
  static SearchKey old();
  static SearchKey from(std::string text);
  static SearchKey to(std::string text);
  static SearchKey cc(std::string text);
  static SearchKey bcc(std::string text);
  static SearchKey subject(std::string text);
  static SearchKey text(std::string text);
  static SearchKey body(std::string text);
  static SearchKey header(std::string field, std::string text);
  static SearchKey keyword(std::string flag);
  static SearchKey unkeyword(std::string flag);
  static SearchKey since(SearchDate date);
  static SearchKey before(SearchDate date);
  static SearchKey on(SearchDate date);
  static SearchKey sent_since(SearchDate date);
  static SearchKey sent_before(SearchDate date);
  static SearchKey sent_on(SearchDate date);
  static SearchKey larger(std::uint64_t size);
  static SearchKey smaller(std::uint64_t size);
  static SearchKey uid(SequenceSet set);
  static SearchKey seq(SequenceSet set);
  static SearchKey modseq(std::uint64_t value);
  /// NOT key.
  static SearchKey negate(SearchKey key);
  /// OR a b.
  static SearchKey either(SearchKey a, SearchKey b);
  /// All keys must match (AND); nested in parentheses where needed.
  static SearchKey all_of(std::vector<SearchKey> keys);

  /// True when a string argument holds non-ASCII bytes (needs CHARSET UTF-8).
  bool needs_utf8() const;
  /// Appends this key's arguments to `command` (`top_level` omits parentheses for AND).
  void encode(Command& command, bool top_level = true) const;

 private:
  enum class Kind { Flag, String, String2, Date, Number, Set, Not, Or, And };
  Kind kind_ = Kind::Flag;
  std::string name_;
  std::string a_, b_;
  SearchDate date_{};
  std::uint64_t number_ = 0;
  SequenceSet set_;
  std::vector<SearchKey> children_;
};

/// How a SEARCH command is formed.
struct SearchOptions {
  bool uid = false;  ///< UID SEARCH
  /// ESEARCH return options ("MIN", "MAX", "COUNT", "ALL"); empty for a plain SEARCH.
  std::vector<std::string> return_options;
  /// UTF8=ACCEPT is enabled: CHARSET is not sent (RFC 6855 section 3).
  bool utf8_enabled = false;
};

/// `[UID] SEARCH [RETURN (...)] [CHARSET UTF-8] key`. CHARSET UTF-8 is added only when a
/// string argument is not ASCII.
MAILWIRE_API Command make_search_command(const SearchKey& key, const SearchOptions& options = {});

/// d-Mon-yyyy ("1-Feb-2024"); empty when the date is out of range.
MAILWIRE_API std::string format_search_date(const SearchDate& date);

}  // namespace mailwire::imap
