#pragma once

/// \file
/// A server's capability set (RFC 3501 section 7.2.1).

#include <mailwire/export.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace mailwire::imap {

/// Capabilities as announced, compared case-insensitively (RFC 3501 section 9: atoms are
/// case-insensitive). Keeps the server's spelling and order.
class MAILWIRE_API CapabilitySet {
 public:
  /// No capabilities (not yet known).
  CapabilitySet() = default;
  /// The capabilities as announced (a CAPABILITY response or response code).
  explicit CapabilitySet(std::vector<std::string> atoms) : atoms_(std::move(atoms)) {}

  /// True when `name` ("IDLE", "AUTH=PLAIN", "LITERAL+") was announced.
  bool has(std::string_view name) const noexcept;
  /// The SASL mechanisms of `AUTH=` capabilities, upper-cased, in announced order.
  std::vector<std::string> auth_mechanisms() const;
  /// IMAP4rev2 (RFC 9051) announced.
  bool imap4rev2() const noexcept { return has("IMAP4rev2"); }

  /// Every capability as announced, in the server's spelling and order.
  const std::vector<std::string>& atoms() const noexcept { return atoms_; }
  /// True when nothing was announced (or nothing is known yet).
  bool empty() const noexcept { return atoms_.empty(); }

 private:
  std::vector<std::string> atoms_;
};

}  // namespace mailwire::imap
