#pragma once

// TLS contexts shared between connections with the same settings (see tls_transport.cpp).

#include <mailwire/net/tls_options.hpp>

#include <cstdint>

using SSL_CTX = struct ssl_ctx_st;

namespace mailwire::detail {

// A context for `options` (a new reference the caller frees): a shared one when a connection
// with the same settings made one in the last minutes, else a new one.
SSL_CTX* shared_tls_context(const TlsOptions& options);

// How many contexts were made so far in this process (for tests).
std::uint64_t tls_contexts_made() noexcept;

}  // namespace mailwire::detail
