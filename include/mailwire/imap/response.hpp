#pragma once

/// \file
/// A parsed server response (RFC 3501 section 7, RFC 9051 section 7): tagged, untagged or
/// continuation, with its typed data.

#include <mailwire/imap/capabilities.hpp>
#include <mailwire/imap/fetch_data.hpp>
#include <mailwire/imap/mailbox_data.hpp>
#include <mailwire/imap/response_code.hpp>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace mailwire::imap {

/// What kind of line a response is.
enum class ResponseKind {
  Tagged,       ///< `A001 OK ...`: completes the command with that tag
  Untagged,     ///< `* ...`: data or an untagged status (OK, NO, BAD, BYE, PREAUTH)
  Continuation  ///< `+ ...`: the server waits for more of the command
};

/// The condition of a status response; None for data responses.
enum class Status {
  None,    ///< not a status response (data or continuation)
  Ok,      ///< OK: success (tagged) or information (untagged)
  No,      ///< NO: the command failed
  Bad,     ///< BAD: protocol error (unknown command, syntax)
  Bye,     ///< BYE: the server closes the connection (untagged only)
  Preauth  ///< PREAUTH: greeting of an already authenticated session (untagged only)
};

/// `* n EXISTS` (RFC 3501 section 7.3.1): the number of messages in the mailbox.
struct ExistsData {
  std::uint32_t count = 0;  ///< messages in the mailbox
};
/// `* n RECENT` (RFC 3501 section 7.3.2; IMAP4rev1 only).
struct RecentData {
  std::uint32_t count = 0;  ///< messages with the `\Recent` flag
};
/// `* n EXPUNGE` (RFC 3501 section 7.4.1): a message was removed; later sequence numbers
/// drop by one.
struct ExpungeData {
  std::uint32_t seq = 0;  ///< message sequence number of the removed message
};
/// FLAGS (RFC 3501 section 7.2.6): the flags defined in the selected mailbox.
struct FlagsData {
  std::vector<std::string> flags;  ///< as sent (`\Seen`, `$Forwarded`)
};
/// ENABLED (RFC 5161): the extensions an ENABLE command turned on.
struct EnabledData {
  std::vector<std::string> capabilities;  ///< capability names as sent
};
/// An untagged response this parser does not know, kept as its raw first line.
struct UnknownData {
  std::string name;  ///< the keyword, upper-cased ("XLIST" etc.)
  std::string raw;   ///< the response text after "* " (literals not included)
};

/// The typed data of an untagged response (monostate for status responses and the like).
using ResponseData =
    std::variant<std::monostate, CapabilitySet, EnabledData, FlagsData, ExistsData, RecentData,
                 ExpungeData, FetchData, SearchData, ESearchData, VanishedData, ListData,
                 StatusData, NamespaceData, QuotaData, QuotaRootData, IdData, UnknownData>;

/// One complete response.
struct Response {
  ResponseKind kind = ResponseKind::Untagged;  ///< tagged, untagged or continuation
  std::string tag;                             ///< tagged responses only
  Status status = Status::None;                ///< OK/NO/BAD/BYE/PREAUTH responses
  ResponseCode code;                           ///< status responses: the bracketed code, if any
  std::string text;   ///< status responses: human text; continuation: text or base64
  ResponseData data;  ///< untagged data responses

  /// True for a tagged response (the completion of a command).
  bool is_tagged() const { return kind == ResponseKind::Tagged; }
  /// True for a continuation request (`+`).
  bool is_continuation() const { return kind == ResponseKind::Continuation; }
  /// The data as T, or nullptr when it holds something else.
  template <class T>
  const T* get() const {
    return std::get_if<T>(&data);
  }
  /// The data as T, or nullptr when it holds something else (mutable, e.g. to move from).
  template <class T>
  T* get() {
    return std::get_if<T>(&data);
  }
};

}  // namespace mailwire::imap
