#pragma once

/// \file
/// How a client secures its connection.

#include <mailwire/export.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace mailwire {

/// The TLS policy of a connection. The default, Auto, is safe: it never sends anything in
/// plaintext that it could have protected, and never silently falls back.
enum class Security {
  /// By port: 465, 993 and 995 are implicit TLS (Tls); any other port is StartTls, *required*.
  Auto,
  /// Implicit TLS: the TLS handshake starts right after connect (SMTPS 465, IMAPS 993, POP3S 995).
  Tls,
  /// STARTTLS / STLS is required: if the server does not offer it or refuses it, the client
  /// fails with Errc::tls before sending credentials or mail.
  StartTls,
  /// Opportunistic STARTTLS: upgrade when offered, continue in plaintext otherwise. An active
  /// attacker can strip the offer. Only for port-25 relaying between MTAs.
  StartTlsIfAvailable,
  /// No TLS at all. Everything, including credentials if allowed, crosses the network in clear.
  None,
};

/// Resolves Security::Auto for `port`; other values are returned unchanged.
MAILWIRE_API Security resolve_security(Security security, std::uint16_t port) noexcept;

/// "auto", "tls", "starttls", "starttls-if-available", "none".
MAILWIRE_API const char* to_string(Security security) noexcept;

/// Parses the names produced by to_string(Security).
MAILWIRE_API std::optional<Security> parse_security(std::string_view name) noexcept;

}  // namespace mailwire
