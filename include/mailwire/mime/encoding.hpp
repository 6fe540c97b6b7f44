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
  /// Room that feed(in, char*) needs for `input` bytes of input, whatever was fed before.
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
  /// `line_length` characters per line (76, the RFC 2045 maximum, by default); 0 for one line.
  explicit Base64Encoder(std::size_t line_length = 76) : line_length_(line_length) {}
  /// Appends the encoding of `in` to `out`; up to 2 bytes wait for the next call.
  void feed(std::string_view in, std::string& out);
  /// Appends the last group, padded with "=", and ends the last line with CRLF (nothing for
  /// empty input). The encoder can then start a new encoding.
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
  /// Appends the bytes decoded from `in` to `out`; an escape or whitespace cut by the end of
  /// `in` waits for the next call.
  void feed(std::string_view in, std::string& out);
  /// Ends the input: a held incomplete escape is written as it is (and counted as bad), held
  /// trailing whitespace is dropped.
  void finish(std::string& out);
  /// An "=" not followed by two hex digits or a line break was seen (and kept as text).
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
  /// Text mode by default; `binary` for content whose CR and LF bytes must survive as such.
  explicit QuotedPrintableEncoder(bool binary = false) : binary_(binary) {}
  /// Appends the encoding of `in` to `out`: lines of at most 76 characters (soft breaks "="),
  /// "=", controls, bytes >= 0x80, whitespace at a line end and a "." starting a line
  /// encoded as =XX. A CR at the end of `in` waits for the next call (it may start a CRLF).
  void feed(std::string_view in, std::string& out);
  /// Ends the input; input that did not end with a line break ends with a soft break "=" CRLF.
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
  /// Appends the bytes decoded from one line to `out`. Lines before "begin" and after "end"
  /// are ignored; malformed lines decode leniently, never throw.
  void feed_line(std::string_view line, std::string& out);
  /// The "end" line was seen.
  bool finished() const noexcept { return state_ == State::End; }
  /// The file name from the "begin" line.
  const std::string& file_name() const noexcept { return name_; }

 private:
  enum class State { Begin, Body, End };
  State state_ = State::Begin;
  std::string name_;
};

/// Whole-buffer Base64Decoder: `in` decoded, leniently (never throws).
MAILWIRE_API std::string base64_decode(std::string_view in);
/// Whole-buffer Base64Encoder: CRLF-terminated lines of `line_length` characters.
MAILWIRE_API std::string base64_encode(std::string_view in, std::size_t line_length = 76);
/// Whole-buffer QuotedPrintableDecoder: `in` decoded, leniently (never throws).
MAILWIRE_API std::string quoted_printable_decode(std::string_view in);
/// Whole-buffer QuotedPrintableEncoder, in text or `binary` mode.
MAILWIRE_API std::string quoted_printable_encode(std::string_view in, bool binary = false);

}  // namespace mailwire::mime
