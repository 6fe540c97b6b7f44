#pragma once

/// \file
/// An SMTP reply (RFC 5321 section 4.2) with its enhanced status code (RFC 3463).

#include <mailwire/export.hpp>

#include <string>
#include <vector>

namespace mailwire {

/// One complete reply, possibly multi-line.
struct MAILWIRE_API SmtpReply {
  int code = 0;                    ///< 250, 354, 451, 550, ...
  std::string enhanced;            ///< "5.1.1" when the server sent one, else empty
  std::vector<std::string> lines;  ///< the text of each line, code and enhanced code removed

  /// 2xx or 3xx: done, or go on (354 after DATA).
  bool positive() const noexcept { return code >= 200 && code < 400; }
  /// 4xx: the same command may succeed later.
  bool transient() const noexcept { return code >= 400 && code < 500; }
  /// 5xx: it will not.
  bool permanent() const noexcept { return code >= 500; }
  /// "550 5.1.1 user unknown" (lines joined with "; ").
  std::string to_string() const;
};

}  // namespace mailwire
