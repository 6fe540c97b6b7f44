#pragma once

// Name resolution bounded by a deadline and cancellable: getaddrinfo() itself cannot be
// interrupted, so it runs on a short-lived thread while the caller waits on an eventfd, its
// cancel eventfd and the deadline. A lookup the caller gave up on finishes in the background
// and frees its own result. Not installed.

#include <mailwire/net/deadline.hpp>

#include <netdb.h>

#include <memory>
#include <string>

namespace mailwire::detail {

/// The resolver: getaddrinfo by default; tests replace it (e.g. with one that never answers).
using ResolveFunction = int (*)(const char* node, const char* service, const addrinfo* hints,
                                addrinfo** result);
void set_resolver_for_tests(ResolveFunction resolve) noexcept;

using AddrinfoList = std::unique_ptr<addrinfo, void (*)(addrinfo*)>;

/// Resolves `name`: numeric addresses at once, names on a helper thread. Throws
/// Error(connect) when the name does not resolve, Error(timeout) at `deadline`,
/// Error(cancelled) when `cancel_fd` (an eventfd) becomes readable.
AddrinfoList resolve(const std::string& name, const std::string& service, const addrinfo& hints,
                     Deadline deadline, int cancel_fd, const std::string& host_for_errors);

}  // namespace mailwire::detail
