// SaslExchange: see exchange.hpp for the theory of operation.

#include "sasl/exchange.hpp"

#include <mailwire/protocol_log.hpp>

#include "detail/base64.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace mailwire::sasl {

namespace {

// RFC 4954 4 allows a client this many challenges before it gives up on a server that never
// ends the exchange; the three protocols share the bound.
constexpr int max_challenges = 16;

bool is_token_mechanism(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return upper == "XOAUTH2" || upper == "OAUTHBEARER";
}

// "SCRAM-SHA-256-PLUS": a mechanism with channel binding.
bool is_plus(std::string_view name) {
  if (name.size() < 5) return false;
  std::string tail(name.substr(name.size() - 5));
  std::transform(tail.begin(), tail.end(), tail.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return tail == "-PLUS";
}

}  // namespace

SaslProfile smtp_profile() noexcept {
  SaslProfile p;
  p.protocol = "smtp";
  p.verb = "AUTH";
  p.max_initial_line = 12288;
  p.plaintext_action = "to authenticate";
  p.mechanism_kind = "AUTH";
  p.names_forced_mechanism = true;
  return p;
}

SaslProfile imap_profile(bool sasl_ir) noexcept {
  SaslProfile p;
  p.protocol = "imap";
  p.verb = "AUTHENTICATE";
  p.max_initial_line = sasl_ir ? unlimited : 0;
  p.plaintext_action = "to authenticate";
  p.mechanism_kind = "SASL";
  p.names_forced_mechanism = false;
  return p;
}

SaslProfile pop3_profile() noexcept {
  SaslProfile p;
  p.protocol = "pop3";
  p.verb = "AUTH";
  p.max_initial_line = 255;
  p.plaintext_action = "AUTH";
  p.mechanism_kind = "SASL";
  p.names_forced_mechanism = true;
  return p;
}

SaslExchange::SaslExchange(const SaslProfile& profile, const SaslCredentials& credentials,
                           SaslSetup setup)
    : profile_(profile), credentials_(credentials), setup_(std::move(setup)) {}

SaslStep SaslExchange::failed(Errc kind, std::string message, Diagnostics diagnostics) const {
  SaslStep step;
  step.kind = SaslStep::Kind::Failed;
  step.error = kind;
  step.message = std::move(message);
  step.diagnostics = std::move(diagnostics);
  return step;
}

SaslStep SaslExchange::start() {
  if (!setup_.encrypted && !setup_.allow_plaintext) {
    return failed(Errc::usage,
                  fmt::format("{}: refusing {} over an unencrypted connection to {} (use TLS, or "
                              "set allow_plaintext_auth)",
                              profile_.protocol, profile_.plaintext_action, setup_.host),
                  Diagnostics::usable(Reason::plaintext_auth_refused));
  }
  if (!setup_.forced.empty() && !is_known_sasl_mechanism(setup_.forced)) {
    return failed(Errc::usage,
                  fmt::format("{}: mailwire does not implement the SASL mechanism {} (it has "
                              "SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS, SCRAM-SHA-256, SCRAM-SHA-1, "
                              "PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER, EXTERNAL)",
                              profile_.protocol, setup_.forced),
                  Diagnostics::usable(Reason::no_common_mechanism));
  }
  const std::string& cb_type = credentials_.channel_binding;
  if (!cb_type.empty() && cb_type != "tls-exporter" && cb_type != "tls-unique" &&
      cb_type != "tls-server-end-point") {
    return failed(Errc::usage,
                  fmt::format("{}: unknown channel-binding type \"{}\" (tls-exporter, "
                              "tls-unique or tls-server-end-point)",
                              profile_.protocol, cb_type),
                  Diagnostics::usable());
  }
  if (setup_.tls) binding_ = sasl_channel_binding(*setup_.tls, cb_type);
  for (const std::string& m : setup_.offered) {
    if (is_plus(m)) binding_.server_offered_plus = true;
  }
  if (is_plus(setup_.forced) && binding_.type.empty()) {
    return failed(
        Errc::usage,
        fmt::format("{}: {} needs a channel binding{}, which this connection does not give{}",
                    profile_.protocol, setup_.forced, cb_type.empty() ? "" : " of type " + cb_type,
                    setup_.tls ? "" : " (it is not TLS)"),
        Diagnostics::usable(Reason::no_common_mechanism));
  }
  const auto chosen =
      choose_sasl_mechanism(setup_.offered, credentials_, setup_.forced, !binding_.type.empty());
  if (chosen) {
    mechanism_ = make_sasl_mechanism(*chosen, credentials_, binding_);
  } else if (!setup_.forced.empty() && !setup_.offer_known) {
    // No list: trust the caller.
    mechanism_ = make_sasl_mechanism(setup_.forced, credentials_, binding_);
  }
  if (!mechanism_) {
    std::string offered;
    for (const std::string& m : setup_.offered)
      offered += (offered.empty() ? "" : " ") + m;
    const bool name_it = profile_.names_forced_mechanism && !setup_.forced.empty();
    return failed(
        Errc::auth,
        fmt::format("{}: no usable {} mechanism{} (the server offers: {})", profile_.protocol,
                    profile_.mechanism_kind, name_it ? " " + setup_.forced : std::string(),
                    offered.empty() ? "none" : offered),
        Diagnostics::usable(Reason::no_common_mechanism));
  }
  name_ = mechanism_->name();
  shown_ = fmt::format("{} {}", profile_.verb, name_);
  return command();
}

SaslStep SaslExchange::command() {
  challenges_ = 0;
  cancelling_ = false;
  SaslStep step;
  step.kind = SaslStep::Kind::Command;
  step.line = shown_;
  if (mechanism_->client_first() && profile_.max_initial_line > 0) {
    const std::string initial = mechanism_->initial_response();
    // RFC 4954 4, RFC 4959, RFC 5034 4: an empty initial response is "=".
    const std::string encoded = initial.empty() ? "=" : detail::base64_encode(initial);
    if (step.line.size() + 1 + encoded.size() + 2 <= profile_.max_initial_line) {
      step.line += ' ' + encoded;
    } else {
      // Too long for the command line: the response answers the server's empty challenge.
      // initial_response() has moved the mechanism on; a new one starts from the beginning.
      mechanism_ = make_sasl_mechanism(name_, credentials_, binding_);
    }
  }
  step.line += "\r\n";
  step.log_as = setup_.redact ? redact_words(step.line, 2) : step.line;
  return step;
}

SaslStep SaslExchange::cancel(std::string why, std::string_view reply) {
  cancelling_ = true;
  after_cancel_ = failed(Errc::auth, fmt::format("{}: {}: {}", profile_.protocol, shown_, why),
                         Diagnostics::usable(Reason::bad_challenge)
                             .with_command(shown_)
                             .with_reply(std::string(reply)));
  SaslStep step;
  step.kind = SaslStep::Kind::Send;
  step.line = "*\r\n";  // RFC 4954 4, RFC 3501 6.2.2, RFC 5034 4: "*" cancels the exchange
  step.log_as = step.line;
  return step;
}

SaslStep SaslExchange::on_challenge(std::string_view text, std::string_view reply) {
  if (cancelling_) return after_cancel_;
  std::string challenge;
  const bool decoded = detail::base64_decode(text, challenge);
  if (!decoded) return cancel("the server's challenge is not base64", reply);
  if (challenges_++ >= max_challenges) return cancel("too many challenges", reply);
  std::string response;
  if (mechanism_->respond(challenge, response)) {
    if (mechanism_->failure() == Reason::server_not_verified) {
      // The server does not know the password: it is not who it claims to be. Nothing more
      // goes to it, not even "*".
      return failed(Errc::auth,
                    fmt::format("{}: {}: {}", profile_.protocol, shown_, mechanism_->reason()),
                    Diagnostics::broken(Reason::server_not_verified)
                        .with_command(shown_)
                        .with_reply(std::string(reply)));
    }
    return cancel(mechanism_->reason(), reply);
  }
  SaslStep step;
  step.kind = SaslStep::Kind::Send;
  step.line = detail::base64_encode(response) + "\r\n";
  step.log_as = setup_.redact ? redact_line(step.line) : step.line;
  return step;
}

SaslStep SaslExchange::on_success(std::string_view reply) {
  if (cancelling_) return after_cancel_;
  if (mechanism_->verify_success({})) {
    return failed(Errc::auth,
                  fmt::format("{}: {}: {}", profile_.protocol, shown_, mechanism_->reason()),
                  Diagnostics::broken(mechanism_->failure() == Reason::unspecified
                                          ? Reason::server_not_verified
                                          : mechanism_->failure())
                      .with_command(shown_)
                      .with_reply(std::string(reply)));
  }
  SaslStep step;
  step.kind = SaslStep::Kind::Done;
  return step;
}

SaslStep SaslExchange::on_refused(bool credentials, std::string_view reply) {
  if (cancelling_) return after_cancel_;
  // An expired OAuth 2 token: ask the caller once for a fresh one and try once more.
  if (credentials && !refreshed_ && is_token_mechanism(name_) &&
      credentials_.refresh_oauth2_token && !credentials_.oauth2_token.empty()) {
    refreshed_ = true;
    std::string fresh = credentials_.refresh_oauth2_token();
    if (!fresh.empty() && fresh != credentials_.oauth2_token) {
      credentials_.oauth2_token = std::move(fresh);
      credentials_.refresh_oauth2_token = nullptr;
      mechanism_ = make_sasl_mechanism(name_, credentials_, binding_);
      if (mechanism_) return command();
    }
  }
  // SCRAM-*-PLUS with tls-exporter refused (the credentials, not a temporary failure): the
  // server may bind to tls-unique only, as Cyrus IMAP 3.6 does even on TLS 1.3 (it refuses
  // after the proof, like a wrong password, so the two cannot be told apart: a wrong password
  // is then refused twice). One more try with that binding, unless the caller chose one:
  // still bound to this connection, no downgrade.
  if (credentials && !rebound_ && binding_.type == "tls-exporter" && is_plus(name_) &&
      credentials_.channel_binding.empty() && setup_.tls &&
      !setup_.tls->channel_bindings.tls_unique.empty()) {
    rebound_ = true;
    binding_.type = "tls-unique";
    binding_.data = setup_.tls->channel_bindings.tls_unique;
    mechanism_ = make_sasl_mechanism(name_, credentials_, binding_);
    if (mechanism_) return command();
  }
  (void)reply;
  SaslStep step;
  step.kind = SaslStep::Kind::Refused;
  if (mechanism_) step.message = mechanism_->reason();
  return step;
}

}  // namespace mailwire::sasl
