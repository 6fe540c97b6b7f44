#pragma once

// MailStack: the real Dovecot of scripts/mailstack.sh, started once per test process in a
// temporary directory and stopped (by PID) when the process exits.
//
// Unavailable (not root, Dovecot missing): tests call MailStack::require(), which skips them
// with a warning, or fails them when MAILWIRE_REQUIRE_MAILSTACK=1 (scripts/test.sh sets it,
// so CI cannot pass by skipping).

#include <cstdint>
#include <string>
#include <vector>

namespace mailwire::test {

struct MailStack {
  std::string dir;
  std::string host = "127.0.0.1";
  std::uint16_t imap_port = 0;
  std::uint16_t imaps_port = 0;
  std::uint16_t pop3_port = 0;
  std::uint16_t pop3s_port = 0;
  std::uint16_t lmtp_port = 0;
  /// A second Dovecot on the same mailboxes, IMAP with STARTTLS, without CONDSTORE and
  /// QRESYNC (imap_capability); 0 when the stack has none.
  std::uint16_t imap_plain_port = 0;
  std::uint16_t smtp_port = 0;         ///< Postfix, port-25 style (STARTTLS offered)
  std::uint16_t submission_port = 0;   ///< Postfix, STARTTLS required, AUTH after TLS
  std::uint16_t submissions_port = 0;  ///< Postfix, implicit TLS
  std::string ca_file;
  std::string domain = "example.test";

  /// The stack of this process, or nullptr (with the reason in why_unavailable()).
  static const MailStack* get();
  static const std::string& why_unavailable();

  /// Delivers `message` to `user`'s INBOX over LMTP.
  void deliver(const std::string& user, const std::string& message) const;
  /// Empties `user`'s INBOX (files in Maildir/cur and new).
  void clear_inbox(const std::string& user) const;
  /// Messages in `user`'s INBOX on disk.
  std::size_t inbox_count(const std::string& user) const;
  /// Waits (up to 20 s) until `user`'s INBOX holds at least `count` messages; Postfix
  /// delivers asynchronously. Returns the count reached.
  std::size_t wait_for_inbox(const std::string& user, std::size_t count) const;
  /// The files of `user`'s INBOX, concatenated in name order (for content checks).
  std::string inbox_text(const std::string& user) const;
  /// Password of a user ("alice" -> "alice-pass").
  static std::string password(const std::string& user) { return user + "-pass"; }
};

}  // namespace mailwire::test

/// At the top of a test: the stack, or skip (fail under MAILWIRE_REQUIRE_MAILSTACK=1).
#define MAILWIRE_REQUIRE_STACK(var)                                                            \
  const ::mailwire::test::MailStack* var = ::mailwire::test::MailStack::get();                 \
  if (var == nullptr) {                                                                        \
    if (const char* required = std::getenv("MAILWIRE_REQUIRE_MAILSTACK");                      \
        required != nullptr && std::string(required) == "1") {                                 \
      FAIL("mail stack required but unavailable: "                                             \
           << ::mailwire::test::MailStack::why_unavailable());                                 \
    }                                                                                          \
    WARN("skipped: no mail stack (" << ::mailwire::test::MailStack::why_unavailable() << ")"); \
    return;                                                                                    \
  }
