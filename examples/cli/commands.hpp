#pragma once

// The `mailwire` tool's subcommands (see shared CLI.md). Each lives in its own file,
// <name>_command.cpp, and returns the process exit code of the contract.

#include <string>
#include <vector>

namespace mailwire::cli {

/// Exit codes of the CLI contract.
enum Exit : int {
  ExitOk = 0,
  ExitPartial = 1,
  ExitUsage = 2,
  ExitConnect = 3,
  ExitTls = 4,
  ExitAuth = 5,
  ExitRefused = 6,
  ExitProtocol = 7,
  ExitTimeout = 8,
  ExitIo = 9,
};

using Args = std::vector<std::string>;

/// A subcommand: its name, a one-line summary for `mailwire --help`, and its entry point,
/// which receives the arguments after the subcommand name.
struct Command {
  const char* name;
  const char* summary;
  int (*run)(const Args& args);
};

/// Registers a subcommand at static-initialisation time: `static Registrar r{{"mime", ..., run}};`
struct Registrar {
  explicit Registrar(Command command);
};

/// Every registered subcommand, in registration order.
const std::vector<Command>& commands();

}  // namespace mailwire::cli
