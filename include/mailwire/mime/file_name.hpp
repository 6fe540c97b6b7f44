#pragma once

/// \file
/// Safe local file names for attachments: a hostile message chooses its attachments' names,
/// so they are never used as paths before passing through these functions.

#include <mailwire/export.hpp>

#include <string>
#include <string_view>

namespace mailwire::mime {

/// A file name that is safe to create inside a directory the caller chose. Only the last
/// path component of `name` is kept (what follows the last slash or backslash). Control
/// characters (C0 and DEL) and the characters that Windows refuses in names (less-than,
/// greater-than, colon, double quote, vertical bar, question mark, asterisk) become '_'.
/// Invalid UTF-8 becomes U+FFFD. Leading dots and spaces and trailing dots and spaces are
/// dropped (no hidden files, no "." or ".."). Windows device names (CON, NUL, COM1, ...) get a
/// leading '_'. The result is cut to at most 200 octets on a UTF-8 character boundary, keeping
/// the extension. Returns `fallback` when nothing is left.
MAILWIRE_API std::string safe_file_name(std::string_view name,
                                        std::string_view fallback = "attachment");

/// `directory` + "/" + `file_name` if no such file exists yet, else the first free of
/// "stem (2).ext", "stem (3).ext", ... (at most 10,000 tries, then Error(io)). `file_name`
/// should already be a safe_file_name(). The check and a later create are not atomic: open
/// the result with O_EXCL (or std::ios::noreplace) when another process may race.
MAILWIRE_API std::string unique_file_path(const std::string& directory, std::string_view file_name);

}  // namespace mailwire::mime
