#pragma once

/// \file
/// The library version.

#include <mailwire/export.hpp>

/// Major version of the headers compiled against (incompatible API changes).
#define MAILWIRE_VERSION_MAJOR 0
/// Minor version of the headers compiled against (additions).
#define MAILWIRE_VERSION_MINOR 1
/// Patch version of the headers compiled against (fixes).
#define MAILWIRE_VERSION_PATCH 0

namespace mailwire {

/// "0.1.0": the version of the library actually linked, which may differ from the
/// MAILWIRE_VERSION_* macros of the headers a program was compiled with (shared builds).
MAILWIRE_API const char* version() noexcept;

}  // namespace mailwire
