// Name resolution with a deadline: see resolve.hpp.

#include "net/resolve.hpp"

#include <mailwire/error.hpp>

#include <fmt/format.h>

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <mutex>
#include <thread>

namespace mailwire::detail {

namespace {

std::atomic<ResolveFunction> resolver{&::getaddrinfo};

// What the lookup thread and the waiting caller share; the last one to let go frees it.
struct Lookup {
  std::mutex mutex;
  bool done = false;
  int rc = 0;
  int error_number = 0;
  addrinfo* result = nullptr;
  int done_fd = -1;
  ~Lookup() {
    if (result != nullptr) freeaddrinfo(result);
    if (done_fd >= 0) ::close(done_fd);
  }
};

[[noreturn]] void resolution_failed(const std::string& host, int rc, int error_number) {
  throw Error(Errc::connect,
              fmt::format("connect: cannot resolve {}: {}", host,
                          rc == EAI_SYSTEM ? std::strerror(error_number) : gai_strerror(rc)));
}

}  // namespace

void set_resolver_for_tests(ResolveFunction resolve) noexcept {
  resolver = resolve != nullptr ? resolve : &::getaddrinfo;
}

AddrinfoList resolve(const std::string& name, const std::string& service, const addrinfo& hints,
                     Deadline deadline, int cancel_fd, const std::string& host_for_errors) {
  // An address literal needs no lookup and no thread.
  addrinfo numeric = hints;
  numeric.ai_flags |= AI_NUMERICHOST;
  addrinfo* found = nullptr;
  if (::getaddrinfo(name.c_str(), service.c_str(), &numeric, &found) == 0)
    return AddrinfoList(found, freeaddrinfo);

  auto lookup = std::make_shared<Lookup>();
  lookup->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (lookup->done_fd < 0) throw Error(Errc::io, "eventfd: " + std::string(std::strerror(errno)));
  const ResolveFunction resolve_function = resolver.load();
  std::thread([lookup, name, service, hints, resolve_function] {
    addrinfo* result = nullptr;
    const int rc = resolve_function(name.c_str(), service.c_str(), &hints, &result);
    const int error_number = errno;
    const std::lock_guard<std::mutex> lock(lookup->mutex);
    lookup->rc = rc;
    lookup->error_number = error_number;
    lookup->result = result;
    lookup->done = true;
    const std::uint64_t one = 1;
    (void)!::write(lookup->done_fd, &one, sizeof one);
  }).detach();

  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    pollfd fds[2] = {{lookup->done_fd, POLLIN, 0}, {cancel_fd, POLLIN, 0}};
    const int timeout = static_cast<int>(std::min<long long>(left.count() + 1, INT_MAX));
    const int n = ::poll(fds, cancel_fd >= 0 ? 2 : 1, timeout);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(Errc::io, "poll: " + std::string(std::strerror(errno)));
    if (n > 0 && cancel_fd >= 0 && (fds[1].revents & POLLIN) != 0)
      throw Error(Errc::cancelled, "connect: cancelled while resolving " + host_for_errors);
    if (n > 0 && (fds[0].revents & POLLIN) != 0) break;
  }
  const std::lock_guard<std::mutex> lock(lookup->mutex);
  if (!lookup->done) {
    // The thread still holds `lookup` and frees the result when it ends.
    throw Error(Errc::timeout,
                fmt::format("connect: timed out resolving {} (the resolver did not answer)",
                            host_for_errors));
  }
  if (lookup->rc != 0) resolution_failed(host_for_errors, lookup->rc, lookup->error_number);
  AddrinfoList list(lookup->result, freeaddrinfo);
  lookup->result = nullptr;
  return list;
}

}  // namespace mailwire::detail
