// MessageSource: bytes, files and a caller's read callback, read in chunks.

#include "support/error_of.hpp"

#include <mailwire/error.hpp>
#include <mailwire/message_source.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace mailwire;
using namespace mailwire::test;

namespace {

std::string read_all(MessageSource& source, std::size_t chunk) {
  std::string out;
  std::string buffer(chunk, '\0');
  for (std::size_t n; (n = source.read(&buffer[0], buffer.size())) > 0;)
    out.append(buffer, 0, n);
  return out;
}

}  // namespace

TEST_CASE("MessageSource from bytes: read in chunks, rewound, read again", "[message_source]") {
  const std::string text = "Subject: x\r\n\r\nbody\r\n";
  auto source = MessageSource::from_bytes(text);
  CHECK(source->size() == text.size());
  CHECK(read_all(*source, 3) == text);
  source->rewind();
  CHECK(read_all(*source, 1000) == text);
}

TEST_CASE("MessageSource from a callback: its size as given, read once only", "[message_source]") {
  const std::string text(10000, 'm');
  std::size_t at = 0;
  auto source = MessageSource::from_callback(text.size(), [&](char* buffer, std::size_t capacity) {
    const std::size_t n = std::min(capacity, text.size() - at);
    text.copy(buffer, n, at);
    at += n;
    return n;
  });
  CHECK(source->size() == 10000);
  source->rewind();  // nothing read yet: allowed
  CHECK(read_all(*source, 4096) == text);
  CHECK(error_of([&] { source->rewind(); }).kind() == Errc::usage);
}

TEST_CASE("MessageSource from a file that does not exist is Error(io)", "[message_source]") {
  CHECK(error_of([] { MessageSource::from_file("/nonexistent/message.eml"); }).kind() == Errc::io);
}
