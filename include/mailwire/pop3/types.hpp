#pragma once

/// \file
/// What a POP3 server tells about itself and its maildrop (RFC 1939, RFC 2449).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mailwire {

/// The server's capabilities from CAPA (RFC 2449). Empty before CAPA, and reset by STLS.
struct Pop3Capabilities {
  bool known = false;              ///< CAPA succeeded
  bool top = false;                ///< TOP
  bool uidl = false;               ///< UIDL
  bool user = false;               ///< USER/PASS
  bool stls = false;               ///< STLS (RFC 2595)
  bool pipelining = false;         ///< PIPELINING
  bool resp_codes = false;         ///< RESP-CODES
  bool auth_resp_code = false;     ///< AUTH-RESP-CODE (RFC 3206)
  bool utf8 = false;               ///< UTF8 (RFC 6856)
  std::vector<std::string> sasl;   ///< SASL mechanisms, upper-case
  std::optional<int> login_delay;  ///< LOGIN-DELAY seconds
  std::optional<int> expire;       ///< EXPIRE days (-1 for NEVER)
  std::string implementation;      ///< IMPLEMENTATION text
  std::vector<std::string> lines;  ///< every capability line as sent
};

/// STAT: messages in the maildrop and their total size in octets.
struct Pop3Stat {
  std::uint32_t count = 0;  ///< messages, not counting those marked deleted
  std::uint64_t size = 0;   ///< their total size in octets, as the server counts it
};

/// One LIST line: message number and size in octets.
struct Pop3ListEntry {
  std::uint32_t number = 0;  ///< message number in this session, from 1
  std::uint64_t size = 0;    ///< size in octets (CRLF line ends, as the server counts it)
};

/// One UIDL line: message number and its unique id (1-70 printable characters).
struct Pop3UidlEntry {
  std::uint32_t number = 0;  ///< message number in this session, from 1
  /// Unique id, stable across sessions: printable ASCII without spaces (0x21-0x7E); up to
  /// 512 characters are accepted, as servers exceed RFC 1939's 70.
  std::string uid;
};

}  // namespace mailwire
