#pragma once

/// \file
/// The ENVELOPE fetch item (RFC 3501 section 7.4.2, RFC 9051 section 7.5.2).

#include <string>
#include <vector>

namespace mailwire::imap {

/// One `address` of an envelope. Strings are as the server sent them (NIL becomes empty).
/// A group is sent as a start marker (`host` empty, `mailbox` = group name) and an end
/// marker (`host` and `mailbox` empty); both are kept so the caller can rebuild groups.
/// TODO(mime): `name` may hold RFC 2047 encoded words; decode through the message model's
/// encoded-word decoder once it lands (mime/ branch) instead of a second decoder here.
struct Address {
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
};

/// The parsed ENVELOPE structure. NIL strings become empty; `*_nil` are not kept because the
/// RFC gives NIL and "" no different meaning here.
/// TODO(mime): `subject` may hold RFC 2047 encoded words and `date` is the raw RFC 5322
/// date; both are left raw for the message model to decode.
struct Envelope {
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
};

}  // namespace mailwire::imap
