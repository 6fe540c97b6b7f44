#include <mailwire/error.hpp>

namespace mailwire {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mailwire"; }
  std::string message(int value) const override { return to_string(static_cast<Errc>(value)); }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

const char* to_string(Errc e) noexcept {
  switch (e) {
    case Errc::connect:
      return "connect";
    case Errc::timeout:
      return "timeout";
    case Errc::tls:
      return "tls";
    case Errc::certificate:
      return "certificate";
    case Errc::protocol:
      return "protocol";
    case Errc::auth:
      return "auth";
    case Errc::rejected:
      return "rejected";
    case Errc::limit:
      return "limit";
    case Errc::cancelled:
      return "cancelled";
    case Errc::usage:
      return "usage";
    case Errc::io:
      return "io";
  }
  return "unknown";
}

Error::Error(Errc kind, std::string message, Diagnostics diagnostics)
    : std::system_error(make_error_code(kind)),
      message_(std::move(message)),
      diagnostics_(std::move(diagnostics)) {}

Errc Error::kind() const noexcept {
  return static_cast<Errc>(code().value());
}

bool Error::is_transient() const noexcept {
  return diagnostics_.transient || kind() == Errc::timeout;
}

}  // namespace mailwire
