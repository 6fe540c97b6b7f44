#pragma once

#include <mailwire/imap/response_reader.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace imap_test {

// Parses one complete response (CRLF added when missing); fails the test on error.
inline mailwire::imap::Response parse_ok(
    const std::string& wire, const mailwire::imap::ResponseReaderOptions& options = {}) {
  mailwire::imap::Response r;
  std::string message;
  std::error_code ec = mailwire::imap::parse_response(wire, r, &message, options);
  INFO(wire);
  INFO(message);
  REQUIRE_FALSE(ec);
  return r;
}

inline std::error_code parse_error(const std::string& wire,
                                   const mailwire::imap::ResponseReaderOptions& options = {}) {
  mailwire::imap::Response r;
  std::string message;
  std::error_code ec = mailwire::imap::parse_response(wire, r, &message, options);
  if (ec) CHECK_FALSE(message.empty());
  return ec;
}

}  // namespace imap_test
