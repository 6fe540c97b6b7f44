#pragma once

/// \file
/// TLS over any Transport, through OpenSSL memory BIOs.

#include <mailwire/export.hpp>
#include <mailwire/net/tls_options.hpp>
#include <mailwire/net/transport.hpp>

#include <memory>
#include <string>

namespace mailwire {

/// TLS client over any inner Transport. Implicit TLS wraps a freshly connected TcpTransport;
/// STARTTLS wraps the connection after the server's go-ahead (Stream::start_tls does that).
/// OpenSSL never sees a socket: records pass through memory buffers to the inner transport,
/// so deadlines and cancel() behave exactly as on the inner transport.
class MAILWIRE_API TlsTransport final : public Transport {
 public:
  /// Takes ownership of `inner`. `host` is what the certificate must name (and the SNI), unless
  /// options.verify_name / options.sni say otherwise. Call handshake() before anything else.
  TlsTransport(std::unique_ptr<Transport> inner, TlsOptions options, std::string host);
  /// close(): close_notify, best effort, then the inner transport is closed.
  ~TlsTransport() override;

  /// Runs the TLS handshake. Throws Error(certificate) when the peer is not trusted, naming the
  /// reason (expired, unknown issuer, host name mismatch, pin mismatch), Error(tls) for any other
  /// handshake failure (e.g. a plaintext server), Error(timeout), Error(cancelled).
  void handshake(Deadline deadline);

  std::size_t read_some(char* buffer, std::size_t size, Deadline deadline) override;
  void write_all(std::string_view bytes, Deadline deadline) override;
  /// Sends close_notify (briefly, best effort) and closes the inner transport.
  void close() noexcept override;
  bool is_encrypted() const noexcept override;
  std::optional<TlsInfo> tls_info() const override;
  void cancel() noexcept override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailwire
