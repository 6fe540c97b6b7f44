#pragma once

#include <string>

namespace mailwire::cli {

/// Prints one JSON document per message of `path` (an mbox gives several).
void dump_file(const std::string& path);

}  // namespace mailwire::cli
