// `mailwire`: the command-line tool. Dispatches to the subcommands registered by the
// <name>_command.cpp files.

#include "commands.hpp"

#include <mailwire/version.hpp>

#include <cstdio>
#include <cstring>

namespace mailwire::cli {

static std::vector<Command>& registry() {
  static std::vector<Command> list;
  return list;
}

Registrar::Registrar(Command command) {
  registry().push_back(command);
}

const std::vector<Command>& commands() {
  return registry();
}

}  // namespace mailwire::cli

namespace {

void print_usage(std::FILE* out) {
  std::fprintf(out, "usage: mailwire <command> [options]\n\ncommands:\n");
  for (const auto& command : mailwire::cli::commands()) {
    std::fprintf(out, "  %-9s %s\n", command.name, command.summary);
  }
  std::fprintf(out, "\n`mailwire <command> --help` describes a command.\n");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mailwire::cli;
  if (argc < 2) {
    print_usage(stderr);
    return ExitUsage;
  }
  if (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    print_usage(stdout);
    return ExitOk;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::printf("mailwire %s\n", mailwire::version());
    return ExitOk;
  }
  for (const auto& command : commands()) {
    if (std::strcmp(argv[1], command.name) == 0) {
      return command.run(Args(argv + 2, argv + argc));
    }
  }
  std::fprintf(stderr, "mailwire: unknown command '%s'\n", argv[1]);
  print_usage(stderr);
  return ExitUsage;
}
