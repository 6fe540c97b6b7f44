#pragma once

/// \file
/// Addresses (RFC 5322 section 3.4, with the obsolete forms of 4.4 and UTF-8 of RFC 6532).

#include <mailwire/export.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire::mime {

/// One mailbox: "Display Name <local@domain>".
struct MAILWIRE_API Mailbox {
  std::string name;    ///< display name, decoded to UTF-8 (RFC 2047); empty when absent
  std::string local;   ///< local part as written (a quoted one keeps its quotes)
  std::string domain;  ///< domain, or a domain literal "[192.0.2.1]"; empty when absent
  /// The group it was listed in ("undisclosed-recipients"), if any; a group without a name
  /// gives " " (one space).
  std::string group;

  /// "local@domain" (just "local" without a domain).
  std::string address() const;
  /// The domain in ASCII form, its non-ASCII labels as A-labels ("xn--bcher-kva.example",
  /// RFC 5891; see domain_to_ascii() in idn.hpp, which lower-cases it). A domain literal, an
  /// empty domain, or one that cannot be converted (invalid UTF-8, a label too long) is
  /// returned as written.
  std::string domain_ascii() const;
  /// "local@" + domain_ascii(): the address for a server without SMTPUTF8 (RFC 6531). Only
  /// the domain has an ASCII form; a local part that is not ASCII stays as it is and still
  /// needs SMTPUTF8.
  std::string address_ascii() const;
  /// "local@domain" with the domain's A-labels decoded to UTF-8 for display (see
  /// domain_to_unicode() in idn.hpp); labels that do not decode stay as written.
  std::string address_unicode() const;
  /// For a header: the name quoted or encoded (RFC 2047) as needed, then `<address()>`; just
  /// address() without a name. The address itself is not converted (no A-labels).
  std::string to_header() const;
};

/// Parses an address list (From, To, Cc, Bcc, Reply-To, ...) leniently: groups are flattened
/// into their members (each remembers its group), comments are skipped (also after a bare
/// address: a comment is not a name), routes are dropped, encoded words in
/// names are decoded (an encoded word is one word, whatever specials it holds). A list element
/// (up to the next ',') that is no address — `a@b@c`, a route outside `<>`, `<>`, encoded
/// words alone — is skipped as a whole and sets `*defect`, and so is text after an address in
/// its element (`a@b c` is `a@b`): garbage never becomes a mailbox. Words with specials before
/// a "<" are an unquoted name (`a@b <c@d>` is `c@d` named "a@b"). A bare word is a mailbox
/// with an empty domain (a defect too); empty elements and comments alone give nothing.
/// Invalid UTF-8 in the address becomes U+FFFD. Input past 100000 tokens is ignored (a
/// defect). `*defect` is set to whether a defect was found, when `defect` is not null. Linear
/// time; never throws.
MAILWIRE_API std::vector<Mailbox> parse_address_list(std::string_view value,
                                                     bool* defect = nullptr);

/// As parse_address_list, but an element of the list that is no address (the text up to the
/// next ',' — `a@b@c`, `@route:x`, `<>`, encoded words alone) stays in its place as
/// std::nullopt instead of being skipped.
MAILWIRE_API std::vector<std::optional<Mailbox>> parse_address_list_entries(std::string_view value,
                                                                            bool* defect = nullptr);

/// The first mailbox of `value` as parse_address_list() finds it (defects ignored; it may
/// lack a domain), or nullopt when there is none.
MAILWIRE_API std::optional<Mailbox> parse_mailbox(std::string_view value);

/// Mailboxes as Mailbox::to_header() writes them, joined with ", ", for a header value (not
/// folded).
MAILWIRE_API std::string format_address_list(const std::vector<Mailbox>& mailboxes);

}  // namespace mailwire::mime
