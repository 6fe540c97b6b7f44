#pragma once

/// \file
/// A server's capability set (RFC 3501 section 7.2.1).

#include <mailwire/export.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace mailwire::imap {

/// Capabilities as announced, compared case-insensitively (RFC 3501 section 9: atoms are
/// case-insensitive). Keeps the server's spelling and order. A server that announces IMAP4rev2
/// has the extensions RFC 9051 made part of the base protocol (appendix E): has() answers for
/// them too, so no caller checks "X or IMAP4rev2" on its own.
class MAILWIRE_API CapabilitySet {
 public:
  /// No capabilities (not yet known).
  CapabilitySet() = default;
  /// The capabilities as announced (a CAPABILITY response or response code).
  explicit CapabilitySet(std::vector<std::string> atoms) : atoms_(std::move(atoms)) {}

  /// True when `name` ("IDLE", "AUTH=PLAIN", "LITERAL+") was announced, or is implied by an
  /// announced IMAP4rev2 (see implied_by_imap4rev2()), and was not withheld (without()).
  bool has(std::string_view name) const noexcept;
  /// True when `name` itself was announced (no implication).
  bool announced(std::string_view name) const noexcept;
  /// The extensions RFC 9051 (appendix E) folded into IMAP4rev2: NAMESPACE, UNSELECT, UIDPLUS,
  /// ESEARCH, SEARCHRES, ENABLE, IDLE, SASL-IR, LIST-EXTENDED, LIST-STATUS, MOVE, LITERAL- and
  /// STATUS=SIZE. BINARY and SPECIAL-USE, only partly folded in, are not implied.
  static bool implied_by_imap4rev2(std::string_view name) noexcept;
  /// This set less `names` (case-insensitive): not announced, and not implied either. For
  /// capabilities the caller turned off (ImapOptions::disabled_capabilities).
  CapabilitySet without(const std::vector<std::string>& names) const;
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
  std::vector<std::string> withheld_;
};

}  // namespace mailwire::imap
