#include <mailwire/imap/search_query.hpp>

namespace mailwire::imap {
namespace {

bool non_ascii(const std::string& s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

}  // namespace

std::string format_search_date(const SearchDate& date) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31 || date.year < 1 ||
      date.year > 9999) {
    return {};
  }
  return std::to_string(date.day) + "-" + kMonths[date.month - 1] + "-" + std::to_string(date.year);
}

#define MAILWIRE_FLAG_KEY(fn, word) \
  SearchKey SearchKey::fn() {       \
    SearchKey k;                    \
    k.kind_ = Kind::Flag;           \
    k.name_ = word;                 \
    return k;                       \
  }
MAILWIRE_FLAG_KEY(all, "ALL")
MAILWIRE_FLAG_KEY(seen, "SEEN")
MAILWIRE_FLAG_KEY(unseen, "UNSEEN")
MAILWIRE_FLAG_KEY(answered, "ANSWERED")
MAILWIRE_FLAG_KEY(unanswered, "UNANSWERED")
MAILWIRE_FLAG_KEY(flagged, "FLAGGED")
MAILWIRE_FLAG_KEY(unflagged, "UNFLAGGED")
MAILWIRE_FLAG_KEY(deleted, "DELETED")
MAILWIRE_FLAG_KEY(undeleted, "UNDELETED")
MAILWIRE_FLAG_KEY(draft, "DRAFT")
MAILWIRE_FLAG_KEY(undraft, "UNDRAFT")
MAILWIRE_FLAG_KEY(recent, "RECENT")
MAILWIRE_FLAG_KEY(new_messages, "NEW")
MAILWIRE_FLAG_KEY(old, "OLD")
#undef MAILWIRE_FLAG_KEY

#define MAILWIRE_STRING_KEY(fn, word)      \
  SearchKey SearchKey::fn(std::string s) { \
    SearchKey k;                           \
    k.kind_ = Kind::String;                \
    k.name_ = word;                        \
    k.a_ = std::move(s);                   \
    return k;                              \
  }
MAILWIRE_STRING_KEY(from, "FROM")
MAILWIRE_STRING_KEY(to, "TO")
MAILWIRE_STRING_KEY(cc, "CC")
MAILWIRE_STRING_KEY(bcc, "BCC")
MAILWIRE_STRING_KEY(subject, "SUBJECT")
MAILWIRE_STRING_KEY(text, "TEXT")
MAILWIRE_STRING_KEY(body, "BODY")
#undef MAILWIRE_STRING_KEY

#define MAILWIRE_DATE_KEY(fn, word)       \
  SearchKey SearchKey::fn(SearchDate d) { \
    SearchKey k;                          \
    k.kind_ = Kind::Date;                 \
    k.name_ = word;                       \
    k.date_ = d;                          \
    return k;                             \
  }
MAILWIRE_DATE_KEY(since, "SINCE")
MAILWIRE_DATE_KEY(before, "BEFORE")
MAILWIRE_DATE_KEY(on, "ON")
MAILWIRE_DATE_KEY(sent_since, "SENTSINCE")
MAILWIRE_DATE_KEY(sent_before, "SENTBEFORE")
MAILWIRE_DATE_KEY(sent_on, "SENTON")
#undef MAILWIRE_DATE_KEY

SearchKey SearchKey::header(std::string field, std::string text) {
  SearchKey k;
  k.kind_ = Kind::String2;
  k.name_ = "HEADER";
  k.a_ = std::move(field);
  k.b_ = std::move(text);
  return k;
}

SearchKey SearchKey::keyword(std::string flag) {
  SearchKey k;
  k.kind_ = Kind::Flag;
  k.name_ = "KEYWORD";
  k.a_ = std::move(flag);
  return k;
}

SearchKey SearchKey::unkeyword(std::string flag) {
  SearchKey k = keyword(std::move(flag));
  k.name_ = "UNKEYWORD";
  return k;
}

SearchKey SearchKey::larger(std::uint64_t size) {
  SearchKey k;
  k.kind_ = Kind::Number;
  k.name_ = "LARGER";
  k.number_ = size;
  return k;
}

SearchKey SearchKey::smaller(std::uint64_t size) {
  SearchKey k = larger(size);
  k.name_ = "SMALLER";
  return k;
}

SearchKey SearchKey::modseq(std::uint64_t value) {
  SearchKey k = larger(value);
  k.name_ = "MODSEQ";
  return k;
}

SearchKey SearchKey::uid(SequenceSet set) {
  SearchKey k;
  k.kind_ = Kind::Set;
  k.name_ = "UID";
  k.set_ = std::move(set);
  return k;
}

SearchKey SearchKey::seq(SequenceSet set) {
  SearchKey k = uid(std::move(set));
  k.name_.clear();
  return k;
}

SearchKey SearchKey::negate(SearchKey key) {
  SearchKey k;
  k.kind_ = Kind::Not;
  k.children_.push_back(std::move(key));
  return k;
}

SearchKey SearchKey::either(SearchKey a, SearchKey b) {
  SearchKey k;
  k.kind_ = Kind::Or;
  k.children_.push_back(std::move(a));
  k.children_.push_back(std::move(b));
  return k;
}

SearchKey SearchKey::all_of(std::vector<SearchKey> keys) {
  if (keys.size() == 1) return std::move(keys.front());
  SearchKey k;
  k.kind_ = Kind::And;
  k.children_ = std::move(keys);
  return k;
}

bool SearchKey::needs_utf8() const {
  if (non_ascii(a_) || non_ascii(b_)) return true;
  for (const SearchKey& c : children_) {
    if (c.needs_utf8()) return true;
  }
  return false;
}

void SearchKey::encode(Command& command, bool top_level) const {
  switch (kind_) {
    case Kind::Flag:
      command.atom(name_);
      if (name_ == "KEYWORD" || name_ == "UNKEYWORD") {
        // flag-keyword is an atom (RFC 9051 9): "\\Seen" has a search key of its own.
        if (is_atom(a_)) {
          command.atom(a_);
        } else {
          command.mark_invalid(
              a_.empty() || a_.front() != '\\'
                  ? "invalid keyword"
                  : "a system flag is no keyword: use SearchKey::seen() and its kin");
        }
      } else if (!a_.empty()) {
        command.atom(a_);
      }
      break;
    case Kind::String:
      command.atom(name_).astring(a_);
      break;
    case Kind::String2:
      command.atom(name_).astring(a_).astring(b_);
      break;
    case Kind::Date: {
      std::string d = format_search_date(date_);
      command.atom(name_);
      if (d.empty()) {
        command.mark_invalid("invalid search date");
      } else {
        command.atom(d);
      }
      break;
    }
    case Kind::Number:
      command.atom(name_).number(number_);
      break;
    case Kind::Set:
      if (!name_.empty()) command.atom(name_);
      command.sequence_set(set_);
      break;
    case Kind::Not:
      command.atom("NOT");
      children_[0].encode(command, false);
      break;
    case Kind::Or:
      command.atom("OR");
      children_[0].encode(command, false);
      children_[1].encode(command, false);
      break;
    case Kind::And:
      if (children_.empty()) {
        command.atom("ALL");
        break;
      }
      if (!top_level) command.open_list();
      for (const SearchKey& c : children_)
        c.encode(command, false);
      if (!top_level) command.close_list();
      break;
  }
}

Command make_search_command(const SearchKey& key, const SearchOptions& options) {
  Command command(options.uid ? "UID SEARCH" : "SEARCH");
  if (!options.return_options.empty()) {
    command.atom("RETURN").open_list();
    for (const std::string& r : options.return_options)
      command.atom(r);
    command.close_list();
  }
  if (!options.utf8_enabled && key.needs_utf8()) command.atom("CHARSET").atom("UTF-8");
  key.encode(command, true);
  return command;
}

}  // namespace mailwire::imap
