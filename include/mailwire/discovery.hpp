#pragma once

/// \file
/// Finding a domain's mail servers from DNS SRV records (RFC 6186, RFC 8314).

#include <mailwire/export.hpp>
#include <mailwire/provider_settings.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire {

/// One SRV record (RFC 2782).
struct SrvRecord {
  std::uint16_t priority = 0;  ///< lower is tried first
  std::uint16_t weight = 0;    ///< among equal priorities, higher is preferred
  std::uint16_t port = 0;      ///< TCP port of the service on `target`
  std::string target;          ///< "." means "no such service here"
};

/// Looks up SRV records; tests replace it, SystemSrvResolver asks the C resolver.
class MAILWIRE_API SrvResolver {
 public:
  virtual ~SrvResolver();
  /// The records of `name` ("_imaps._tcp.example.com"); empty when there are none.
  /// Throws Error(connect) when the resolver fails (not for "no such name").
  virtual std::vector<SrvRecord> lookup(const std::string& name) = 0;
};

/// SRV look-ups through glibc's resolver (res_nquery), as configured in /etc/resolv.conf.
class MAILWIRE_API SystemSrvResolver final : public SrvResolver {
 public:
  std::vector<SrvRecord> lookup(const std::string& name) override;
};

/// What discovery found; each service is absent when the domain does not publish it.
struct DiscoveredSettings {
  std::optional<ServerEndpoint> smtp;  ///< _submissions._tcp (465, TLS) or _submission._tcp
  std::optional<ServerEndpoint> imap;  ///< _imaps._tcp (993) or _imap._tcp (STARTTLS)
  std::optional<ServerEndpoint> pop3;  ///< _pop3s._tcp (995) or _pop3._tcp (STARTTLS)
};

/// Discovers the servers of the domain of `address` (or of a bare domain): for each service
/// the implicit-TLS record is preferred (RFC 8314 section 5.1), then the STARTTLS one; among
/// records the lowest priority wins, then the highest weight. A target of "." means the
/// service is not offered. Never returns a plaintext-only endpoint: STARTTLS is required.
MAILWIRE_API DiscoveredSettings discover_settings(std::string_view address, SrvResolver& resolver);

}  // namespace mailwire
