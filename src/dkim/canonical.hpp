#pragma once
// DKIM canonicalization (RFC 6376 3.4) and the streaming pieces that read a message once, in
// bounded memory: line endings made CRLF, the header block split off, the body canonicalized
// and hashed as it goes.

#include <openssl/evp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire::dkim::detail {

/// Bare CR and bare LF become CRLF, as the SMTP client sends them (smtp::DataEncoder); a
/// signature over the normalized bytes is one over what the receiver gets.
class LineEndings {
 public:
  /// Appends the normalized form of `in` to `out`.
  void feed(std::string_view in, std::string& out);
  /// A CR left at the end becomes CRLF.
  void finish(std::string& out);
  /// Whether a CR is held back (its LF may follow), forgetting it.
  bool take_pending_cr() noexcept {
    const bool was = pending_cr_;
    pending_cr_ = false;
    return was;
  }

 private:
  bool pending_cr_ = false;
};

/// One header field with its raw bytes (name, colon, value, folding, final CRLF).
struct RawField {
  std::string_view name;   ///< as written, without trailing white space
  std::string_view bytes;  ///< the whole field, CRLF included
};

/// Splits a CRLF header block (without the empty line) into fields. Bytes before the first
/// field that are continuation lines are ignored, as are lines without a colon.
std::vector<RawField> split_fields(std::string_view header);

/// relaxed header canonicalization of one field: "name:value\r\n", lower-case name, unfolded,
/// white space runs as one SP, none at the ends of the value.
std::string relaxed_header(std::string_view field);

/// `field` with the value of its b= tag made empty (RFC 6376 3.7), for hashing the
/// DKIM-Signature field itself.
std::string without_b_value(std::string_view field);

/// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b) noexcept;

/// Owns an EVP_MD_CTX doing SHA-256.
class Sha256 {
 public:
  Sha256();
  /// Adds bytes.
  void update(std::string_view bytes);
  /// The digest (32 bytes); the object must not be updated afterwards.
  std::string final();

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

/// The canonical body (simple or relaxed) of CRLF input fed in chunks of any size, hashed with
/// SHA-256 as it goes, up to an optional length limit (l=). Memory is constant.
class BodyHasher {
 public:
  /// `relaxed`: relaxed canonicalization; `limit`: hash only that many canonical octets.
  BodyHasher(bool relaxed, std::optional<std::uint64_t> limit);
  /// Canonicalizes and hashes more CRLF body bytes.
  void feed(std::string_view bytes);
  /// Ends the body; returns the digest.
  std::string finish();
  /// Canonical octets produced (before the limit cut).
  std::uint64_t canonical_length() const noexcept { return produced_; }

 private:
  void emit(const char* data, std::size_t size);
  void hash_buffered();
  void flush_pending();

  bool relaxed_;
  std::optional<std::uint64_t> limit_;
  Sha256 sha_;
  std::uint64_t produced_ = 0;
  std::uint64_t pending_crlf_ = 0;  // line ends not yet emitted (they may be trailing)
  bool pending_wsp_ = false;        // relaxed: white space seen, emitted only before content
  bool pending_cr_ = false;         // a CR whose LF has not been seen yet
  bool any_content_ = false;        // simple: a line was emitted
  std::unique_ptr<char[]> out_;     // output buffer for emit(), hashed when full
  std::size_t used_ = 0;            // octets in out_
};

/// Reads a message through LineEndings, keeps its header block (up to `max_header` octets)
/// and streams its body into BodyHashers.
class MessageReader {
 public:
  explicit MessageReader(std::size_t max_header = 1024 * 1024) : max_header_(max_header) {}
  /// The hashers that receive the body (added before the body starts, e.g. from on_header).
  void add_body_hasher(BodyHasher* hasher) { hashers_.push_back(hasher); }
  /// Called once when the header block is complete, before any body byte is hashed.
  std::function<void(const std::string& header)> on_header;
  /// More message bytes.
  void feed(std::string_view bytes);
  /// The end of the message.
  void finish();
  /// The header block, CRLF line endings, without the empty line that ends it.
  const std::string& header() const noexcept { return header_; }
  /// The header block passed max_header: header() is cut and the result unreliable.
  bool header_too_large() const noexcept { return too_large_; }

 private:
  void take(std::string_view normalized);
  void header_done();

  std::size_t max_header_;
  LineEndings endings_;
  std::vector<BodyHasher*> hashers_;
  std::string header_;
  std::string scratch_;
  bool in_body_ = false;
  bool too_large_ = false;
};

}  // namespace mailwire::dkim::detail
