#include "connection.hpp"

#include <mailwire/net/security.hpp>
#include <mailwire/provider_settings.hpp>

#include <cstdio>
#include <cstdlib>

namespace mailwire::cli {

std::uint16_t Connection::port_or(std::uint16_t plain_port, std::uint16_t tls_port) const {
  if (port != 0) return port;
  return security == Security::Tls ? tls_port : plain_port;
}

ProtocolLog Connection::log() const {
  if (!trace) return {};
  return [](LogDirection direction, std::string_view bytes) {
    const char* prefix = direction == LogDirection::Client   ? "C: "
                         : direction == LogDirection::Server ? "S: "
                                                             : "* ";
    std::string text(bytes);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
      text.pop_back();
    std::size_t start = 0;
    do {
      const std::size_t nl = text.find('\n', start);
      std::string line = text.substr(start, nl == std::string::npos ? nl : nl - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::fprintf(stderr, "%s%s\n", prefix, escape_for_log(line).c_str());
      start = nl == std::string::npos ? text.size() : nl + 1;
    } while (start < text.size());
  };
}

const std::string& option_value(const Args& args, std::size_t& i) {
  if (i + 1 >= args.size()) throw UsageError{args[i] + " needs a value"};
  return args[++i];
}

bool parse_connection_option(const Args& args, std::size_t& i, Connection& c) {
  const std::string& arg = args[i];
  if (arg == "--server") {
    const std::string& value = option_value(args, i);
    c.server_given = true;
    // HOST, HOST:PORT, [V6]:PORT or [V6].
    std::string host = value;
    std::string port;
    if (!host.empty() && host.front() == '[') {
      const std::size_t close = host.find(']');
      if (close == std::string::npos) throw UsageError{"--server: unbalanced '['"};
      if (close + 1 < host.size()) {
        if (host[close + 1] != ':') throw UsageError{"--server: expected ':' after ']'"};
        port = host.substr(close + 2);
      }
      host = host.substr(1, close - 1);
    } else if (host.find(':') != std::string::npos && host.find(':') == host.rfind(':')) {
      port = host.substr(host.find(':') + 1);
      host = host.substr(0, host.find(':'));
    }
    if (host.empty()) throw UsageError{"--server: empty host"};
    if (!port.empty()) {
      char* end = nullptr;
      const long n = std::strtol(port.c_str(), &end, 10);
      if (*end != '\0' || n <= 0 || n > 65535)
        throw UsageError{"--server: bad port '" + port + "'"};
      c.port = static_cast<std::uint16_t>(n);
    }
    c.host = host;
  } else if (arg == "--security") {
    const auto s = parse_security(option_value(args, i));
    if (!s) {
      throw UsageError{"--security must be auto, tls, starttls, starttls-if-available or none"};
    }
    c.security = *s;
  } else if (arg == "--ca-file") {
    c.tls.ca_file = option_value(args, i);
  } else if (arg == "--insecure") {
    c.tls.insecure = true;
  } else if (arg == "--user") {
    c.user = option_value(args, i);
  } else if (arg == "--password-env") {
    c.password_env = option_value(args, i);
  } else if (arg == "--oauth2-token-env") {
    c.oauth2_env = option_value(args, i);
  } else if (arg == "--auth") {
    c.auth = option_value(args, i);
  } else if (arg == "--allow-plaintext-auth") {
    c.allow_plaintext_auth = true;
  } else if (arg == "--timeout") {
    const std::string& value = option_value(args, i);
    char* end = nullptr;
    const double seconds = std::strtod(value.c_str(), &end);
    if (*end != '\0' || !(seconds > 0) || seconds > 86400) {
      throw UsageError{"--timeout needs a number of seconds"};
    }
    c.timeout = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  } else if (arg == "--trace") {
    c.trace = true;
  } else {
    return false;
  }
  return true;
}

namespace {
// What report() needs for its hints, copied: the Connection itself lives inside the command's
// lambda and is gone when guarded() reports the error (a pointer to it dangled).
std::optional<Connection> g_connection;

bool contains(const std::string& text, const char* needle) {
  return text.find(needle) != std::string::npos;
}

// A next step for the user, when the failure suggests one: chosen by the error's stable reason
// (mailwire::Reason), and for provider advice by what the server itself said.
std::string hint_for(const Error& e) {
  const Diagnostics& d = e.diagnostics();
  const std::string server = d.enhanced_code + " " + d.server_reply + " " + e.what();
  const Connection* c = g_connection ? &*g_connection : nullptr;
  const bool starttls =
      c != nullptr && (c->security == Security::StartTls || c->security == Security::Auto);
  switch (e.reason()) {
    case Reason::not_tls:
      return "this port speaks plaintext first: try --security starttls (ports 587, 143, 110)";
    case Reason::starttls_unavailable:
      return "the server offers no STARTTLS: use its implicit-TLS port with --security tls";
    case Reason::plaintext_auth_refused:
      return "use --security tls or starttls; --allow-plaintext-auth only if you accept "
             "that the password crosses the network in clear";
    default:
      break;
  }
  switch (e.kind()) {
    case Errc::timeout:
      if (starttls) {
        return "if the server expects TLS from its first byte (ports 465, 993, 995), try "
               "--security tls";
      }
      return "the server did not answer in time; check the host and port, or raise --timeout";
    case Errc::certificate:
      return "for a server with its own CA pass --ca-file FILE; --insecure only for a "
             "throwaway test";
    case Errc::auth:
      if (d.enhanced_code == "5.7.139" || contains(server, "asic authentication is disabled") ||
          contains(server, "BasicAuthBlocked")) {
        return "Microsoft 365 no longer accepts passwords: use OAuth 2 with --oauth2-token-env VAR";
      }
      if (c != nullptr && (contains(c->host, "gmail") || contains(c->host, "google")) &&
          (d.enhanced_code == "5.7.8" || contains(server, "5.7.8") ||
           contains(server, "Application-specific password"))) {
        return "Gmail wants an app password or OAuth 2 (--oauth2-token-env VAR)";
      }
      return {};
    default:
      return {};
  }
}

}  // namespace

void finish_connection(Connection& c, Protocol protocol) {
  if (!c.server_given) throw UsageError{"--server HOST[:PORT] is required"};
  // A name without a dot is a provider preset when we know it ("--server gmail").
  if (c.host.find('.') == std::string::npos && c.host.find(':') == std::string::npos) {
    if (const auto provider = ProviderSettings::by_id(c.host)) {
      std::optional<ServerEndpoint> endpoint;
      switch (protocol) {
        case Protocol::Smtp:
          endpoint = provider->smtp;
          break;
        case Protocol::Imap:
          endpoint = provider->imap;
          break;
        case Protocol::Pop3:
          endpoint = provider->pop3;
          break;
      }
      if (!endpoint) throw UsageError{provider->name + " has no server for this protocol"};
      c.host = endpoint->host;
      if (c.port == 0) c.port = endpoint->port;
      if (c.security == Security::Auto) c.security = endpoint->security;
      if (c.trace) {
        std::fprintf(stderr, "* %s: %s:%u (%s); recommended login: %s\n", provider->name.c_str(),
                     c.host.c_str(), c.port, to_string(c.security), to_string(provider->auth));
      }
    }
  }
  g_connection = c;  // host and security as resolved; no secrets (read below)
  if (const char* p = std::getenv(c.password_env.c_str())) c.password = p;
  if (!c.oauth2_env.empty()) {
    const char* token = std::getenv(c.oauth2_env.c_str());
    if (token == nullptr || *token == '\0') {
      throw UsageError{"--oauth2-token-env: " + c.oauth2_env + " is not set"};
    }
    c.oauth2_token = token;
  }
  if (!c.user.empty() && c.password.empty() && c.oauth2_token.empty()) {
    throw UsageError{"--user needs a password in $" + c.password_env +
                     " (or --oauth2-token-env VAR)"};
  }
}

int report(const Error& e, const char* context) {
  std::fprintf(stderr, "mailwire: %s: %s\n", context, e.what());
  if (const std::string hint = hint_for(e); !hint.empty()) {
    std::fprintf(stderr, "mailwire: hint: %s\n", hint.c_str());
  }
  switch (e.kind()) {
    case Errc::connect:
      return ExitConnect;
    case Errc::tls:
    case Errc::certificate:
      return ExitTls;
    case Errc::auth:
      return ExitAuth;
    case Errc::rejected:
      return ExitRefused;
    case Errc::protocol:
    case Errc::limit:
      return ExitProtocol;
    case Errc::timeout:
      return ExitTimeout;
    case Errc::io:
      return ExitIo;
    case Errc::usage:
      return ExitUsage;
    case Errc::cancelled:
      return ExitConnect;
  }
  return ExitProtocol;
}

}  // namespace mailwire::cli
