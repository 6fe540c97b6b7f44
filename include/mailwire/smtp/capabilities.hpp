#pragma once

/// \file
/// What an SMTP server offers in its EHLO reply (RFC 5321 section 4.1.1.1 and extensions).

#include <cstdint>
#include <string>
#include <vector>

namespace mailwire {

/// The extensions an SMTP server advertised in its last EHLO (or LHLO) reply
/// (SmtpClient::capabilities()). All false after a HELO fallback.
struct SmtpCapabilities {
  bool esmtp = false;                  ///< EHLO worked (false after a HELO fallback)
  std::string server_name;             ///< the domain in the first EHLO line
  bool starttls = false;               ///< RFC 3207
  bool pipelining = false;             ///< RFC 2920
  bool eight_bit_mime = false;         ///< RFC 6152
  bool smtputf8 = false;               ///< RFC 6531
  bool binarymime = false;             ///< RFC 3030
  bool chunking = false;               ///< RFC 3030 (BDAT)
  bool dsn = false;                    ///< RFC 3461
  bool enhanced_status_codes = false;  ///< RFC 2034
  bool size_known = false;             ///< SIZE was advertised
  std::uint64_t size = 0;              ///< SIZE limit; 0 = no fixed limit
  std::vector<std::string> auth;       ///< SASL mechanisms, upper-case (AUTH and the old AUTH=)
  std::vector<std::string> lines;      ///< every extension line as sent
};

}  // namespace mailwire
