#include <mailwire/net/transport.hpp>

namespace mailwire {

Transport::~Transport() = default;

}  // namespace mailwire
