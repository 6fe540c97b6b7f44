#pragma once

/// \file
/// IMAP responses (RFC 3501 / RFC 9051 section 7) as the wire grammar gives them: tagged,
/// untagged and continuation responses, their response codes, and the data as a tree of
/// values (atoms, numbers, strings, NIL, lists). The meaning of each kind of data (FETCH items,
/// LIST, STATUS, ...) is read from these trees by the client.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mailwire::imap {

/// One value of the IMAP grammar.
struct Value {
  enum class Kind { Atom, Number, String, Nil, List };
  Kind kind = Kind::Nil;
  std::string text;          ///< Atom: as written; String: the (literal or quoted) content
  std::uint64_t number = 0;  ///< Number
  std::vector<Value> items;  ///< List
  bool literal = false;      ///< String came as a literal ({n} or ~{n})

  bool is_atom(const char* upper_name) const;  ///< case-insensitive atom comparison
  /// Atom, number, string as text; empty for NIL and lists.
  std::string as_string() const;
};

/// A complete response.
struct Response {
  enum class Kind { Tagged, Untagged, Continuation };
  Kind kind = Kind::Untagged;
  std::string tag;                      ///< Tagged: the tag
  std::optional<std::uint32_t> number;  ///< "* 23 EXISTS": 23
  /// Tagged and status responses: OK, NO, BAD, PREAUTH, BYE (upper-case). Untagged data: the
  /// keyword (CAPABILITY, FLAGS, LIST, SEARCH, EXISTS, FETCH, ...), upper-case.
  std::string name;
  std::string code;              ///< response code atom, upper-case ("UIDVALIDITY"), or empty
  std::vector<Value> code_args;  ///< what follows the code inside [ ]
  std::string text;              ///< human-readable text (status and continuation)
  std::vector<Value> data;       ///< untagged data after the keyword

  bool is_status() const noexcept {
    return name == "OK" || name == "NO" || name == "BAD" || name == "PREAUTH" || name == "BYE";
  }
};

}  // namespace mailwire::imap
