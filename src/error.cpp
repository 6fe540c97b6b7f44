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

const char* to_string(Reason reason) noexcept {
  switch (reason) {
    case Reason::unspecified:
      return "unspecified";
    case Reason::connection_lost:
      return "connection-lost";
    case Reason::not_tls:
      return "not-tls";
    case Reason::starttls_unavailable:
      return "starttls-unavailable";
    case Reason::starttls_refused:
      return "starttls-refused";
    case Reason::response_injection:
      return "response-injection";
    case Reason::preauth_without_tls:
      return "preauth-without-tls";
    case Reason::greeting_refused:
      return "greeting-refused";
    case Reason::malformed_reply:
      return "malformed-reply";
    case Reason::reply_too_large:
      return "reply-too-large";
    case Reason::plaintext_auth_refused:
      return "plaintext-auth-refused";
    case Reason::no_common_mechanism:
      return "no-common-mechanism";
    case Reason::credentials_refused:
      return "credentials-refused";
    case Reason::bad_challenge:
      return "bad-challenge";
    case Reason::server_not_verified:
      return "server-not-verified";
    case Reason::command_refused:
      return "command-refused";
    case Reason::recipient_refused:
      return "recipient-refused";
    case Reason::message_too_large:
      return "message-too-large";
    case Reason::extension_missing:
      return "extension-missing";
    case Reason::delivery_unknown:
      return "delivery-unknown";
    case Reason::invalid_argument:
      return "invalid-argument";
    case Reason::not_connected:
      return "not-connected";
  }
  return "unknown";
}

const char* to_string(Phase phase) noexcept {
  switch (phase) {
    case Phase::none:
      return "none";
    case Phase::envelope:
      return "envelope";
    case Phase::data:
      return "data";
    case Phase::after_data:
      return "after-data";
    case Phase::done:
      return "done";
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
  return diagnostics_.transient || kind() == Errc::timeout || kind() == Errc::connect ||
         (kind() == Errc::tls && diagnostics_.reason == Reason::connection_lost);
}

bool Error::is_safe_to_retry() const noexcept {
  return is_transient() && diagnostics_.phase != Phase::after_data;
}

}  // namespace mailwire
