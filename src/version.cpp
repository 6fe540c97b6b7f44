#include <mailwire/version.hpp>

namespace mailwire {

#define MAILWIRE_STRINGIFY_(x) #x
#define MAILWIRE_STRINGIFY(x) MAILWIRE_STRINGIFY_(x)

const char* version() noexcept {
  // The macros of the header this library was built with; CMakeLists.txt checks that they
  // agree with the project's version.
  return MAILWIRE_STRINGIFY(MAILWIRE_VERSION_MAJOR) "." MAILWIRE_STRINGIFY(
      MAILWIRE_VERSION_MINOR) "." MAILWIRE_STRINGIFY(MAILWIRE_VERSION_PATCH);
}

}  // namespace mailwire
