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
enum class ResponseKind { Tagged, Untagged, Continuation };

/// The condition of a status response; None for data responses.
enum class Status { None, Ok, No, Bad, Bye, Preauth };

/// Untagged number responses.
struct ExistsData {
  std::uint32_t count = 0;
};
struct RecentData {
  std::uint32_t count = 0;
};
struct ExpungeData {
  std::uint32_t seq = 0;
};
/// FLAGS (7.2.6).
struct FlagsData {
  std::vector<std::string> flags;
};
/// ENABLED (RFC 5161).
struct EnabledData {
  std::vector<std::string> capabilities;
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
  ResponseKind kind = ResponseKind::Untagged;
  std::string tag;               ///< tagged responses only
  Status status = Status::None;  ///< OK/NO/BAD/BYE/PREAUTH responses
  ResponseCode code;             ///< status responses: the bracketed code, if any
  std::string text;              ///< status responses: human text; continuation: text or base64
  ResponseData data;             ///< untagged data responses

  bool is_tagged() const { return kind == ResponseKind::Tagged; }
  bool is_continuation() const { return kind == ResponseKind::Continuation; }
  /// The data as T, or nullptr when it holds something else.
  template <class T>
  const T* get() const {
    return std::get_if<T>(&data);
  }
  template <class T>
  T* get() {
    return std::get_if<T>(&data);
  }
};

}  // namespace mailwire::imap
