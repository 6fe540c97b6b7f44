// `mailwire mime build [message options]`

#include "commands.hpp"
#include "connection.hpp"
#include "message_options.hpp"

#include <cstdio>

namespace mailwire::cli {
namespace {

int run(const Args& args) {
  return guarded("mime", [&]() -> int {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
      std::printf(
          "usage: mailwire mime build [message options]   writes the message to stdout\n"
          "%s",
          message_options_help);
      return args.empty() ? ExitUsage : ExitOk;
    }
    if (args[0] != "build") throw UsageError{"unknown mime command '" + args[0] + "'"};
    MessageOptions m;
    for (std::size_t i = 1; i < args.size(); ++i) {
      if (!parse_message_option(args, i, m) || !m.message_file.empty()) {
        throw UsageError{"unexpected argument '" + args[i] + "'"};
      }
    }
    const mime::MessageBuilder b = build_message(m);
    b.write([](std::string_view chunk) { std::fwrite(chunk.data(), 1, chunk.size(), stdout); });
    return ExitOk;
  });
}

const Registrar registrar{{"mime", "build messages (mime build)", run}};

}  // namespace
}  // namespace mailwire::cli
