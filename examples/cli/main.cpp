// `mailwire`: the command-line tool. Dispatches to the subcommands registered by the
// <name>_command.cpp files.

#include "commands.hpp"
#include "help.hpp"

#include <mailwire/version.hpp>

#include <cstdio>
#include <cstring>
#include <string>

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
  std::fprintf(out,
               "\n`mailwire help <command>` or `mailwire <command> --help` describes a command;\n"
               "`mailwire help exit-codes` the exit codes; `man mailwire` the whole tool.\n");
}

// `mailwire help [WORD...]`: the section of docs/cli.md named by the words ("imap list").
int help_command(char** first, char** last) {
  using namespace mailwire::cli;
  if (first == last) {
    print_usage(stdout);
    return ExitOk;
  }
  if (last - first == 1 && std::strcmp(*first, "--commands") == 0) {
    // The commands this build dispatches, one per line (the docs test compares them with
    // the sections of docs/cli.md).
    for (const auto& command : commands())
      std::printf("%s\n", command.name);
    return ExitOk;
  }
  std::string topic;
  for (char** word = first; word != last; ++word)
    topic += (topic.empty() ? "" : " ") + std::string(*word);
  if (print_help(topic, stdout)) return ExitOk;
  std::fprintf(stderr, "mailwire: help: no command or topic '%s'\n", topic.c_str());
  print_usage(stderr);
  return ExitUsage;
}

// `mailwire COMMAND ... --help`: the section of the subcommand named among the arguments
// ("mailwire imap --server x list --help" is the help of "imap list"), else of the command.
bool help_requested(const mailwire::cli::Command& command, char** first, char** last) {
  bool asked = false;
  for (char** arg = first; arg != last; ++arg) {
    asked = asked || std::strcmp(*arg, "--help") == 0 || std::strcmp(*arg, "-h") == 0;
  }
  if (!asked) return false;
  for (char** arg = first; arg != last; ++arg) {
    if (**arg != '-' && mailwire::cli::print_help(std::string(command.name) + " " + *arg, stdout)) {
      return true;
    }
  }
  return mailwire::cli::print_help(command.name, stdout);
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
  if (std::strcmp(argv[1], "help") == 0) return help_command(argv + 2, argv + argc);
  for (const auto& command : commands()) {
    if (std::strcmp(argv[1], command.name) == 0) {
      if (help_requested(command, argv + 2, argv + argc)) return ExitOk;
      return command.run(Args(argv + 2, argv + argc));
    }
  }
  std::fprintf(stderr, "mailwire: unknown command '%s'\n", argv[1]);
  print_usage(stderr);
  return ExitUsage;
}
