#pragma once

// error_of(f): runs f, which must throw a mailwire::Error, and returns that error (the test
// fails when f returns normally), so that a test can check its kind and text.

#include <mailwire/error.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>

namespace mailwire::test {

template <typename F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  FAIL("no mailwire::Error thrown");
  throw std::logic_error("unreachable");
}

}  // namespace mailwire::test
