#pragma once

/// \file
/// Content-Transfer-Encodings (RFC 2045 section 6): base64, quoted-printable, and the
/// x-uuencode that old mail still carries. Decoders are streaming and lenient the way real
/// mail needs (junk in base64, bad escapes in quoted-printable are kept, not fatal); encoders
/// produce CRLF lines of at most 76 characters.

#include <mailwire/export.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mailwire::mime {

/// Streaming base64 decoder: whitespace is skipped, other bytes outside the alphabet are
/// skipped and counted as junk, and decoding stops at the padding.
class MAILWIRE_API Base64Decoder {
 public:
  /// Appends the bytes decoded from `in` to `out`.
  void feed(std::string_view in, std::string& out);
  /// The same into raw memory: `out` must have room for max_output(in.size()) bytes; returns
  /// the end of what was written.
  char* feed(std::string_view in, char* out);
  static constexpr std::size_t max_output(std::size_t input) { return (input / 4 + 2) * 3; }
  /// Flushes a trailing partial group (unpadded input).
  void finish(std::string& out);
  /// Bytes outside the alphabet and whitespace were seen.
  bool had_junk() const noexcept { return junk_ > 0; }

 private:
  std::uint32_t bits_ = 0;
  int count_ = 0;
  bool done_ = false;
  std::size_t junk_ = 0;
};

/// Streaming base64 encoder: lines of `line_length` characters ended by CRLF.
class MAILWIRE_API Base64Encoder {
 public:
  explicit Base64Encoder(std::size_t line_length = 76) : line_length_(line_length) {}
  void feed(std::string_view in, std::string& out);
  void finish(std::string& out);

 private:
  void put(char c, std::string& out);
  unsigned char pending_[3] = {};
  int count_ = 0;
  std::size_t column_ = 0;
  std::size_t line_length_;
};

/// Streaming quoted-printable decoder (RFC 2045 6.7): soft line breaks removed, =XX decoded
/// (lower-case hex accepted), a bad escape kept as it is, trailing whitespace before a line
/// break dropped, line breaks kept as they arrive.
class MAILWIRE_API QuotedPrintableDecoder {
 public:
  void feed(std::string_view in, std::string& out);
  void finish(std::string& out);
  bool had_bad_escape() const noexcept { return bad_ > 0; }

 private:
  void flush_spaces(std::string& out);
  std::string held_;    // "=", "=X", or "=\r" waiting for the next chunk
  std::string spaces_;  // whitespace that may turn out to be trailing
  std::size_t bad_ = 0;
};

/// Streaming quoted-printable encoder. In text mode, line breaks of the input (CRLF, or a bare
/// LF or CR) become CRLF; in binary mode CR and LF are encoded as =0D and =0A.
class MAILWIRE_API QuotedPrintableEncoder {
 public:
  explicit QuotedPrintableEncoder(bool binary = false) : binary_(binary) {}
  void feed(std::string_view in, std::string& out);
  void finish(std::string& out);

 private:
  void put_encoded(unsigned char c, std::string& out);
  void put_literal(char c, std::string& out);
  void end_line(std::string& out);
  void flush_pending_space(std::string& out, bool at_line_end);
  bool binary_;
  bool pending_cr_ = false;
  char pending_space_ = 0;  // a space or tab that must be encoded if the line ends after it
  std::size_t column_ = 0;
};

/// Decoder for "begin mode name" ... "end" uuencoded bodies (x-uuencode). Lines are fed one
/// at a time, with or without their line break.
class MAILWIRE_API UudecodeDecoder {
 public:
  void feed_line(std::string_view line, std::string& out);
  bool finished() const noexcept { return state_ == State::End; }
  /// The file name from the "begin" line.
  const std::string& file_name() const noexcept { return name_; }

 private:
  enum class State { Begin, Body, End };
  State state_ = State::Begin;
  std::string name_;
};

/// Whole-buffer helpers.
MAILWIRE_API std::string base64_decode(std::string_view in);
MAILWIRE_API std::string base64_encode(std::string_view in, std::size_t line_length = 76);
MAILWIRE_API std::string quoted_printable_decode(std::string_view in);
MAILWIRE_API std::string quoted_printable_encode(std::string_view in, bool binary = false);

}  // namespace mailwire::mime
