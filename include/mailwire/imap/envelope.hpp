#pragma once

/// \file
/// The ENVELOPE fetch item (RFC 3501 section 7.4.2, RFC 9051 section 7.5.2).

#include <mailwire/export.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace mailwire::imap {

/// One `address` of an envelope. Strings are as the server sent them (NIL becomes empty).
/// A group is sent as a start marker (`host` empty, `mailbox` = group name) and an end
/// marker (`host` and `mailbox` empty); both are kept so the caller can rebuild groups.
/// `name` is raw; decoded_name() is the text to display.
struct MAILWIRE_API Address {
  std::string name;     ///< display name, raw (possibly RFC 2047 encoded)
  std::string adl;      ///< source route, obsolete
  std::string mailbox;  ///< local part, or the group name of a group start marker
  std::string host;     ///< domain; empty for group markers

  /// True for the start marker of a group (`mailbox` is the group's name).
  bool is_group_start() const { return host.empty() && !mailbox.empty(); }
  /// True for the end marker of a group.
  bool is_group_end() const { return host.empty() && mailbox.empty(); }
  /// `mailbox@host`, or just `mailbox` when there is no host.
  std::string address() const { return host.empty() ? mailbox : mailbox + "@" + host; }
  /// The display name decoded to UTF-8 (RFC 2047 encoded words in any charset iconv knows,
  /// through mime::decode_encoded_words): invalid bytes become U+FFFD, a word in an unknown
  /// charset stays as written, and no C0 control or DEL survives (the Mailsploit fix).
  /// Empty for NIL. `defect`, when given, is set when something had to be repaired.
  std::string decoded_name(bool* defect = nullptr) const;
};

/// The parsed ENVELOPE structure. NIL strings become empty; `*_nil` are not kept because the
/// RFC gives NIL and "" no different meaning here. Strings are raw as the server sent them;
/// decoded_subject() and parsed_date() are the decoded views.
struct MAILWIRE_API Envelope {
  std::string date;               ///< Date header, raw ("Wed, 17 Jul 1996 02:23:25 -0700")
  std::string subject;            ///< Subject header, raw (possibly RFC 2047 encoded)
  std::vector<Address> from;      ///< From addresses
  std::vector<Address> sender;    ///< Sender (servers repeat From when absent)
  std::vector<Address> reply_to;  ///< Reply-To (servers repeat From when absent)
  std::vector<Address> to;        ///< To addresses
  std::vector<Address> cc;        ///< Cc addresses
  std::vector<Address> bcc;       ///< Bcc addresses
  std::string in_reply_to;        ///< In-Reply-To header, raw ("<id@host>")
  std::string message_id;         ///< Message-ID header, raw, angle brackets included

  /// The subject decoded to UTF-8, as Address::decoded_name() decodes (RFC 2047, repaired, no
  /// control characters). `defect`, when given, is set when something had to be repaired.
  std::string decoded_subject(bool* defect = nullptr) const;
  /// The Date header as a point in time (RFC 5322 section 3.3 with the obsolete and broken
  /// forms mime::parse_date() reads); nullopt when it is absent or not a date.
  std::optional<std::chrono::system_clock::time_point> parsed_date() const;
};

}  // namespace mailwire::imap
