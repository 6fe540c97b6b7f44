#pragma once

/// \file
/// The library version.

#include <mailwire/export.hpp>

#define MAILWIRE_VERSION_MAJOR 0
#define MAILWIRE_VERSION_MINOR 1
#define MAILWIRE_VERSION_PATCH 0

namespace mailwire {

/// "0.1.0": the version of the library actually linked.
MAILWIRE_API const char* version() noexcept;

}  // namespace mailwire
