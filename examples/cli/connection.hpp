#pragma once

// Connection options shared by `send`, `imap` and `pop3` (CLI.md "Connection options"), the
// mapping from mailwire::Error to exit codes, and small argument helpers.

#include "commands.hpp"

#include <mailwire/error.hpp>
#include <mailwire/net/security.hpp>
#include <mailwire/net/tls_options.hpp>
#include <mailwire/protocol_log.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace mailwire::cli {

/// What the connection options say.
struct Connection {
  std::string host;
  std::uint16_t port = 0;  ///< 0: by protocol and security
  Security security = Security::Auto;
  TlsOptions tls;
  std::string user;
  std::string password;      ///< from --password-env (default MAILWIRE_PASSWORD)
  std::string oauth2_token;  ///< from --oauth2-token-env
  std::string auth;          ///< forced SASL mechanism
  bool allow_plaintext_auth = false;
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  bool trace = false;
  bool server_given = false;
  std::string password_env = "MAILWIRE_PASSWORD";
  std::string oauth2_env;

  /// The port to use: the given one, or `tls_port` / `plain_port` by security.
  std::uint16_t port_or(std::uint16_t plain_port, std::uint16_t tls_port) const;
  /// A ProtocolLog printing to stderr when --trace was given.
  ProtocolLog log() const;
};

/// Thrown for bad command lines; main prints it and exits 2.
struct UsageError {
  std::string message;
};

/// Consumes one connection option at args[i] (and its value), returning true; false when
/// args[i] is not a connection option. Throws UsageError for a bad value.
bool parse_connection_option(const Args& args, std::size_t& i, Connection& c);

/// Which protocol a command speaks: decides what `--server gmail` expands to.
enum class Protocol { Smtp, Imap, Pop3 };

/// Reads environment-provided secrets, checks --server was given, and expands a provider
/// name given as --server ("gmail", "microsoft365", "icloud", "fastmail", "yahoo") into that
/// provider's host, port and security for `protocol`. Throws UsageError.
void finish_connection(Connection& c, Protocol protocol);

/// The value after args[i] (advancing i), or UsageError naming the option.
const std::string& option_value(const Args& args, std::size_t& i);

/// Prints "mailwire: <context>: <what>" and returns the exit code for the error's kind.
int report(const Error& e, const char* context);

/// Runs `body`, turning UsageError and mailwire::Error into messages and exit codes.
template <typename F>
int guarded(const char* context, F&& body) {
  try {
    return body();
  } catch (const UsageError& u) {
    std::fprintf(stderr, "mailwire: %s: %s\n", context, u.message.c_str());
    return ExitUsage;
  } catch (const Error& e) {
    return report(e, context);
  }
}

}  // namespace mailwire::cli
