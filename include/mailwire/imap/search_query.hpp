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

/// A calendar date for SINCE/BEFORE/ON (sent as d-Mon-yyyy, e.g. 1-Feb-2024). Only the
/// ranges are checked (year 1..9999, month 1..12, day 1..31), not the month's length; a date
/// out of range makes the command's error() Errc::usage.
struct SearchDate {
  int year = 1970;  ///< 1..9999
  int month = 1;    ///< 1..12
  int day = 1;      ///< 1..31
};

/// One search key or a combination of keys. Build with the static functions:
/// `SearchKey::all_of({SearchKey::unseen(), SearchKey::from("billing@example.com"),
///                     SearchKey::since({2024, 1, 1})})`.
/// Invalid arguments are found when the key is encoded into a Command (see encode()): they
/// make the command's error() Errc::usage.
///
/// String arguments are substrings matched case-insensitively by the server; they are sent as
/// atom, quoted string or literal as needed, and text that is not ASCII makes
/// make_search_command() add CHARSET UTF-8. Dates compare without time and time zone: the
/// internal date (when the server received the message) for SINCE/BEFORE/ON, the Date header
/// for the SENT* keys.
class MAILWIRE_API SearchKey {
 public:
  /// ALL: every message.
  static SearchKey all();
  /// SEEN: messages with the \\Seen flag.
  static SearchKey seen();
  /// UNSEEN: messages without \\Seen.
  static SearchKey unseen();
  /// ANSWERED: messages with \\Answered.
  static SearchKey answered();
  /// UNANSWERED: messages without \\Answered.
  static SearchKey unanswered();
  /// FLAGGED: messages with \\Flagged.
  static SearchKey flagged();
  /// UNFLAGGED: messages without \\Flagged.
  static SearchKey unflagged();
  /// DELETED: messages with \\Deleted.
  static SearchKey deleted();
  /// UNDELETED: messages without \\Deleted.
  static SearchKey undeleted();
  /// DRAFT: messages with \\Draft.
  static SearchKey draft();
  /// UNDRAFT: messages without \\Draft.
  static SearchKey undraft();
  /// RECENT: messages with \\Recent. RECENT, NEW and OLD exist in IMAP4rev1 only (removed by
  /// RFC 9051).
  static SearchKey recent();
  /// NEW: recent and unseen messages (IMAP4rev1 only).
  static SearchKey new_messages();
  /// OLD: messages without \\Recent (IMAP4rev1 only).
  static SearchKey old();
  /// FROM text: the From header contains `text`.
  static SearchKey from(std::string text);
  /// TO text: the To header contains `text`.
  static SearchKey to(std::string text);
  /// CC text: the Cc header contains `text`.
  static SearchKey cc(std::string text);
  /// BCC text: the Bcc header contains `text`.
  static SearchKey bcc(std::string text);
  /// SUBJECT text: the Subject header contains `text`.
  static SearchKey subject(std::string text);
  /// TEXT text: the header or the body contains `text`.
  static SearchKey text(std::string text);
  /// BODY text: the body contains `text`.
  static SearchKey body(std::string text);
  /// HEADER field text: header field `field` contains `text`; an empty `text` matches every
  /// message that has the field.
  static SearchKey header(std::string field, std::string text);
  /// KEYWORD flag: messages with the keyword `flag` (an atom such as "$Forwarded"; an empty
  /// or invalid one is a usage error, and so is a system flag such as "\\Seen": use seen()).
  static SearchKey keyword(std::string flag);
  /// UNKEYWORD flag: messages without the keyword `flag`.
  static SearchKey unkeyword(std::string flag);
  /// SINCE date: internal date on or after `date`.
  static SearchKey since(SearchDate date);
  /// BEFORE date: internal date before `date`.
  static SearchKey before(SearchDate date);
  /// ON date: internal date on `date`.
  static SearchKey on(SearchDate date);
  /// SENTSINCE date: Date header on or after `date`.
  static SearchKey sent_since(SearchDate date);
  /// SENTBEFORE date: Date header before `date`.
  static SearchKey sent_before(SearchDate date);
  /// SENTON date: Date header on `date`.
  static SearchKey sent_on(SearchDate date);
  /// LARGER n: RFC822.SIZE larger than `size` octets.
  static SearchKey larger(std::uint64_t size);
  /// SMALLER n: RFC822.SIZE smaller than `size` octets.
  static SearchKey smaller(std::uint64_t size);
  /// UID set: messages whose UID is in `set` (an empty set is a usage error).
  static SearchKey uid(SequenceSet set);
  /// A sequence set: messages whose sequence number is in `set` (an empty set is a usage
  /// error).
  static SearchKey seq(SequenceSet set);
  /// MODSEQ n: messages with a mod-sequence of at least `value` (RFC 7162 CONDSTORE).
  static SearchKey modseq(std::uint64_t value);
  /// NOT key.
  static SearchKey negate(SearchKey key);
  /// OR a b.
  static SearchKey either(SearchKey a, SearchKey b);
  /// All keys must match (AND); nested in parentheses where needed. One key is returned as
  /// it is; an empty list is ALL.
  static SearchKey all_of(std::vector<SearchKey> keys);

  /// True when a string argument holds non-ASCII bytes (needs CHARSET UTF-8).
  bool needs_utf8() const;
  /// Appends this key's arguments to `command` (`top_level` omits parentheses for AND). An
  /// invalid argument (date out of range, empty set, bad keyword, CR, LF or NUL in a string)
  /// is recorded as the command's error() (Errc::usage).
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
  /// ESEARCH return options ("MIN", "MAX", "COUNT", "ALL"; RFC 4731), each an atom; empty for
  /// a plain SEARCH. The answer is then an ESearchData.
  std::vector<std::string> return_options;
  /// UTF8=ACCEPT is enabled: CHARSET is not sent (RFC 6855 section 3).
  bool utf8_enabled = false;
};

/// `[UID] SEARCH [RETURN (...)] [CHARSET UTF-8] key`. CHARSET UTF-8 is added only when a
/// string argument is not ASCII and SearchOptions::utf8_enabled is false. Invalid arguments
/// make the command's error() Errc::usage.
MAILWIRE_API Command make_search_command(const SearchKey& key, const SearchOptions& options = {});

/// d-Mon-yyyy ("1-Feb-2024"); empty when the date is out of range (see SearchDate).
MAILWIRE_API std::string format_search_date(const SearchDate& date);

}  // namespace mailwire::imap
