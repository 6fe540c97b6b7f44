#include <mailwire/version.hpp>

namespace mailwire {

const char* version() noexcept {
  return "0.1.0";
}

}  // namespace mailwire
