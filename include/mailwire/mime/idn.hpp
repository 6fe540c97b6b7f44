#pragma once

/// \file
/// Internationalized domain names: Punycode (RFC 3492) and the conversion of a domain between
/// its U-label form ("bücher.example") and its A-label form ("xn--bcher-kva.example") of
/// IDNA 2008 (RFC 5890, RFC 5891), for addresses sent to a server without SMTPUTF8.
///
/// Not applied: Unicode normalisation (NFC) and the UTS #46 mapping (case folding of non-ASCII
/// letters, width mapping, disallowed code points). Only ASCII letters are lower-cased; a
/// domain should be given in the form its owner registered.

#include <mailwire/export.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mailwire::mime {

/// The longest label of a domain name, in octets of its ASCII form (RFC 1034 section 3.1).
inline constexpr std::size_t max_label_octets = 63;
/// The longest domain name, in octets of its ASCII form without a trailing dot (RFC 1034 3.1).
inline constexpr std::size_t max_domain_octets = 253;
/// The longest Punycode string, and the most code points of a string to encode, that
/// punycode_encode() and punycode_decode() accept: room for every example of RFC 3492 section
/// 7.1 (one is 69 characters), yet a bound on the work of hostile input. Labels of a domain
/// are held to max_label_octets.
inline constexpr std::size_t max_punycode_length = 256;

/// Punycode of one label (RFC 3492 section 6.3): the basic code points in order, a '-' when
/// there is any, then the deltas; lower-case digits. Returns nullopt for a code point that is
/// not a Unicode scalar value (a surrogate, or above U+10FFFF), for more code points or a
/// longer result than max_punycode_length, or on arithmetic overflow. Never throws.
MAILWIRE_API std::optional<std::string> punycode_encode(std::u32string_view label);

/// Decodes Punycode (RFC 3492 section 6.2) to UTF-8; digits in either case, basic code points
/// kept as written. Returns nullopt for input longer than max_punycode_length, a byte that is
/// not ASCII, a character that is not a digit where a digit is due, a truncated delta, an
/// overflow, or a decoded code point that is basic, a surrogate or above U+10FFFF. Never throws.
MAILWIRE_API std::optional<std::string> punycode_decode(std::string_view punycode);

/// A UTF-8 domain in ASCII form (RFC 5891 section 4): labels split at '.', U+3002, U+FF0E and
/// U+FF61 and joined with '.'; ASCII labels lower-cased, every other label lower-cased in its
/// ASCII letters and written "xn--" + Punycode. Returns nullopt for invalid UTF-8, an empty
/// label (a trailing dot too), a control character or space, a non-ASCII label that begins
/// or ends with '-' or has "--" in its third and fourth positions (RFC 5891 4.2.3.1), a label
/// over 63 octets or a domain over 253 octets in ASCII form. NFC and UTS #46 mapping are not
/// applied (see the file comment). Never throws.
MAILWIRE_API std::optional<std::string> domain_to_ascii(std::string_view utf8_domain);

/// A domain for display: every label "xn--..." (prefix in either case) decoded to its U-label
/// in UTF-8. A label stays as written when it is longer than 63 octets, does not decode, is not
/// the A-label its U-label encodes to (RFC 5891 section 5.4), or when the U-label is ASCII only
/// or breaks a rule domain_to_ascii() applies (no control character, space or dot-like
/// separator, which could make one label look like several; the hyphen rules). So for a
/// domain `a` that domain_to_ascii() returned, domain_to_ascii(domain_to_unicode(a)) == a.
/// Never throws.
MAILWIRE_API std::string domain_to_unicode(std::string_view ascii_domain);

}  // namespace mailwire::mime
