#pragma once

#include <string>
#include <string_view>

namespace mailwire::cli {

/// Prints one JSON document per message of `path` (an mbox gives several).
void dump_file(const std::string& path);

/// `s` as a JSON string literal (invalid UTF-8 repaired, controls escaped).
std::string json_string(std::string_view s);

}  // namespace mailwire::cli
