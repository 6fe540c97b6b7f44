// What a declared literal size costs before its bytes arrive (checklist case 46, invariant 8:
// every size a server declares is a claim, not an allocation). A replacement operator new
// records the largest single allocation while a test watches.

#include <mailwire/error.hpp>
#include <mailwire/imap/fetch_data.hpp>
#include <mailwire/imap/response_reader.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

namespace {

std::atomic<bool> watching{false};
std::atomic<std::size_t> largest{0};

void* allocate(std::size_t size) {
  if (watching.load(std::memory_order_relaxed)) {
    std::size_t seen = largest.load(std::memory_order_relaxed);
    while (size > seen && !largest.compare_exchange_weak(seen, size)) {
    }
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

// The largest single allocation made by `f`.
template <class F>
std::size_t largest_allocation(F&& f) {
  largest = 0;
  watching = true;
  f();
  watching = false;
  return largest;
}

}  // namespace

void* operator new(std::size_t size) {
  return allocate(size);
}
void* operator new[](std::size_t size) {
  return allocate(size);
}
// Every form is replaced, nothrow included (Catch uses it): an allocation by one family freed
// by another is a mismatch AddressSanitizer reports.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}

TEST_CASE("a truncated literal of 2^k declared bytes costs what arrived, not what was declared",
          "[imap][reader][hostile]") {
  // CPython gh-119511's test: declare 2^k bytes, send ten, stop. Buffered literals up to
  // max_literal (64 MiB) are accepted, larger ones are a limit error before any allocation.
  for (int k = 15; k < 64; ++k) {
    const std::uint64_t declared = std::uint64_t{1} << k;
    mailwire::imap::ResponseReader reader;
    const std::string wire = "* 1 FETCH (BODY[] {" + std::to_string(declared) + "}\r\n0123456789";
    const std::size_t peak = largest_allocation([&] { reader.feed(wire); });
    INFO("k = " << k);
    CHECK(peak < 256 * 1024);
    CHECK_FALSE(reader.has_response());
    if (declared <= reader.options().max_literal) {
      CHECK_FALSE(reader.error());
      CHECK(reader.literal_remaining() == declared - 10);
    } else {
      CHECK(reader.error() == mailwire::make_error_code(mailwire::Errc::limit));
    }
  }
}

TEST_CASE("a literal that does arrive is whole, however it was cut", "[imap][reader]") {
  const std::string body(300 * 1024, 'x');
  const std::string wire =
      "* 1 FETCH (BODY[] {" + std::to_string(body.size()) + "}\r\n" + body + ")\r\n";
  for (const std::size_t chunk : {std::size_t{1000}, std::size_t{65536}, wire.size()}) {
    mailwire::imap::ResponseReader reader;
    for (std::size_t i = 0; i < wire.size(); i += chunk)
      reader.feed(std::string_view(wire).substr(i, chunk));
    REQUIRE_FALSE(reader.error());
    REQUIRE(reader.has_response());
    const auto r = reader.pop();
    REQUIRE(r.get<mailwire::imap::FetchData>() != nullptr);
    const auto& sections = r.get<mailwire::imap::FetchData>()->sections;
    REQUIRE(sections.size() == 1);
    CHECK(sections[0].data == body);
  }
}
