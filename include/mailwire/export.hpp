#pragma once

/// \file
/// Symbol visibility. Static builds need nothing; a shared build (BUILD_SHARED_LIBS=ON) is
/// compiled with hidden visibility and exports only what carries MAILWIRE_API.

#if defined(MAILWIRE_SHARED)
#if defined(_WIN32)
#if defined(MAILWIRE_BUILDING)
#define MAILWIRE_API __declspec(dllexport)
#else
#define MAILWIRE_API __declspec(dllimport)
#endif
#else
#define MAILWIRE_API __attribute__((visibility("default")))
#endif
#else
/// Marks a class or function as part of the library's ABI: exported from (or, on Windows,
/// imported from) a shared mailwire, empty in a static build.
#define MAILWIRE_API
#endif
