#pragma once

/// \file
/// DKIM verification (RFC 6376 6): every DKIM-Signature field of a message checked, with a
/// result per signature (RFC 8601 2.7.1 names) and the reason; keys from DNS or the caller.

#include <mailwire/dkim/signer.hpp>
#include <mailwire/export.hpp>
#include <mailwire/message_source.hpp>
#include <mailwire/net/deadline.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire::dkim {

/// Finds the TXT records of a key (RFC 6376 3.6.2). Implementations may be called from the
/// verifying thread only.
class MAILWIRE_API KeyLookup {
 public:
  virtual ~KeyLookup();
  /// What a look-up found.
  struct Answer {
    /// The TXT records, each with its strings concatenated; empty: the name has no TXT record.
    std::vector<std::string> records;
    /// A temporary failure (timeout, server failure): the result is temperror, not permerror.
    bool temporary_failure = false;
    /// Why it failed, for the result's text.
    std::string error;
  };
  /// The TXT records at `name` ("selector._domainkey.example.com"), before `deadline`.
  virtual Answer lookup(const std::string& name, Deadline deadline) = 0;
};

/// TXT look-ups through the system resolver (glibc res_nquery, /etc/resolv.conf).
class MAILWIRE_API DnsKeyLookup : public KeyLookup {
 public:
  /// Looks `name` up; the resolver's retries are cut to fit `deadline`.
  Answer lookup(const std::string& name, Deadline deadline) override;
};

/// Keys given by the caller (tests, a key not yet published, the CLI's --key-record).
class MAILWIRE_API StaticKeyLookup : public KeyLookup {
 public:
  /// Adds the record text for `name` ("selector._domainkey.example.com", case-insensitive).
  void add(const std::string& name, std::string record);
  /// The records added for `name`; none: no record (permerror "no key").
  Answer lookup(const std::string& name, Deadline deadline) override;

 private:
  std::map<std::string, std::vector<std::string>> records_;
};

/// The outcome of one signature (RFC 8601 2.7.1).
enum class Status {
  Pass,       ///< the signature verified
  Fail,       ///< it did not: the body or a signed field changed, or the signature is wrong
  Neutral,    ///< it could not be checked: syntax errors, or over the limit of signatures
  TempError,  ///< the key could not be fetched for now (DNS failure, timeout, cancelled)
  PermError,  ///< it can never pass: no key, key revoked or too short, expired, From unsigned
};

/// Lower-case name of a status ("pass", "permerror").
MAILWIRE_API const char* to_string(Status status) noexcept;

/// Why a signature did not pass, as a stable token.
enum class Failure {
  none,                          ///< it passed
  syntax,                        ///< the DKIM-Signature field is malformed or lacks a required tag
  unsupported_version,           ///< v= is not 1
  unsupported_algorithm,         ///< a= is not rsa-sha256 or ed25519-sha256 (rsa-sha1 is refused)
  unsupported_canonicalization,  ///< c= names an unknown algorithm
  from_not_signed,               ///< h= does not include From
  identity_mismatch,             ///< i= is not at d= or a subdomain (or not d= exactly, key t=s)
  expired,                       ///< x= is in the past
  signed_in_future,              ///< t= is after now (beyond the allowed clock skew)
  too_many_signatures,           ///< over VerifierOptions::max_signatures, not checked
  body_hash_mismatch,            ///< bh= is not the hash of the body: the body changed
  bad_signature,                 ///< b= does not verify: a signed header field changed
  no_key,                        ///< no key record at selector._domainkey.domain
  key_revoked,                   ///< the key record's p= is empty
  bad_key_record,                ///< the key record is malformed, or not for e-mail
  key_type_mismatch,  ///< the key is not of the signature's algorithm, or h= excludes sha256
  key_too_short,      ///< an RSA key under VerifierOptions::min_rsa_bits (1024)
  key_too_long,       ///< an RSA key over VerifierOptions::max_rsa_bits
  dns_error,          ///< the look-up failed for now (temperror)
  cancelled,          ///< cancel() was called
  header_too_large,   ///< the header block is over 1 MiB
};

/// Stable spelling of a failure ("body-hash-mismatch").
MAILWIRE_API const char* to_string(Failure failure) noexcept;

/// The result for one DKIM-Signature field, in the order of the fields (top first).
struct SignatureResult {
  Status status = Status::Neutral;  ///< the outcome
  Failure failure = Failure::none;  ///< why it did not pass
  std::string reason;               ///< the same for people, with details; empty on pass
  std::string domain;               ///< d=
  std::string selector;             ///< s=
  std::string algorithm;            ///< a=, as written
  std::string identity;             ///< i= (default "@" + d=)
  bool testing = false;             ///< the key record says t=y (testing mode)
};

/// Limits and settings of a Verifier.
struct VerifierOptions {
  /// Signatures checked per message (top first); the rest get Neutral (too_many_signatures).
  std::size_t max_signatures = 8;
  /// RSA keys shorter than this fail with PermError (RFC 8301 requires at least 1024).
  int min_rsa_bits = 1024;
  /// RSA keys longer than this are refused (they cost time to check).
  int max_rsa_bits = 8192;
  /// Allowed clock difference for t= in the future, in seconds.
  std::int64_t clock_skew = 300;
  /// The whole look-up time for one message's keys.
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  /// Where keys come from; null: DnsKeyLookup.
  std::shared_ptr<KeyLookup> keys;
  /// The time for x= and t= (seconds since 1970); unset: now.
  std::optional<std::int64_t> now;
};

/// Verifies the DKIM signatures of messages. One call at a time per object; cancel() may be
/// called from another thread.
class MAILWIRE_API Verifier {
 public:
  /// A verifier with these options.
  explicit Verifier(VerifierOptions options = {});
  /// One result per DKIM-Signature field (none: an empty vector). Never throws on a malformed
  /// message or key record: every problem is a result. Line endings: bare CR and LF count as
  /// CRLF.
  std::vector<SignatureResult> verify(std::string_view message);
  /// The same from a source read once from its start, in bounded memory.
  std::vector<SignatureResult> verify(MessageSource& message);
  /// From any thread: the key look-ups of the running and later calls end as TempError
  /// (cancelled). A look-up already inside the resolver finishes first.
  void cancel() noexcept { cancelled_ = true; }

 private:
  VerifierOptions options_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace mailwire::dkim
