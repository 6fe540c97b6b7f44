#pragma once

// InteropStack: Cyrus IMAP (IMAP and POP3) and Exim of scripts/interopstack.sh, started once per
// test process in a temporary directory and stopped (by PID) when the process exits, as
// MailStack does for Dovecot and Postfix.
//
// Unavailable (not root, the servers cannot be put in place): tests call
// MAILWIRE_REQUIRE_INTEROP(var), which skips them with a warning, or fails them when
// MAILWIRE_REQUIRE_MAILSTACK=1 (scripts/test.sh sets it, so CI cannot pass by skipping).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace mailwire::test {

struct InteropStack {
  std::string dir;
  std::string host = "127.0.0.1";
  std::uint16_t cyrus_imap_port = 0;        ///< Cyrus IMAP, STARTTLS (LOGINDISABLED before it)
  std::uint16_t cyrus_imaps_port = 0;       ///< Cyrus IMAP, implicit TLS
  std::uint16_t cyrus_pop3_port = 0;        ///< Cyrus POP3, STLS
  std::uint16_t cyrus_pop3s_port = 0;       ///< Cyrus POP3, implicit TLS
  std::uint16_t exim_submission_port = 0;   ///< Exim, STARTTLS, AUTH only after it
  std::uint16_t exim_submissions_port = 0;  ///< Exim, implicit TLS
  std::string exim_mail_dir;                ///< Exim's maildirs: DIR/USER/Maildir
  std::string ca_file;
  std::string domain = "example.test";

  /// The stack of this process, or nullptr (with the reason in why_unavailable()).
  static const InteropStack* get();
  static const std::string& why_unavailable();

  /// Password of a user ("alice" -> "alice-pass").
  static std::string password(const std::string& user) { return user + "-pass"; }

  /// Messages Exim delivered to `user`.
  std::size_t exim_count(const std::string& user) const;
  /// Waits (up to 20 s) until Exim delivered at least `count` messages to `user`.
  std::size_t exim_wait_for(const std::string& user, std::size_t count) const;
  /// The files Exim delivered to `user`, concatenated in name order.
  std::string exim_text(const std::string& user) const;
  /// Removes what Exim delivered to `user`.
  void exim_clear(const std::string& user) const;
};

}  // namespace mailwire::test

/// At the top of a test: the interop stack, or skip (fail under MAILWIRE_REQUIRE_MAILSTACK=1).
#define MAILWIRE_REQUIRE_INTEROP(var)                                                       \
  const ::mailwire::test::InteropStack* var = ::mailwire::test::InteropStack::get();        \
  if (var == nullptr) {                                                                     \
    if (const char* required = std::getenv("MAILWIRE_REQUIRE_MAILSTACK");                   \
        required != nullptr && std::string(required) == "1") {                              \
      FAIL("interop stack required but unavailable: "                                       \
           << ::mailwire::test::InteropStack::why_unavailable());                           \
    }                                                                                       \
    WARN("skipped: no interop stack (" << ::mailwire::test::InteropStack::why_unavailable() \
                                       << ")");                                             \
    return;                                                                                 \
  }
