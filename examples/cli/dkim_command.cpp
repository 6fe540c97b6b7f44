// `mailwire dkim sign ...` and `mailwire dkim verify ...` (DKIM, RFC 6376 / RFC 8463).

#include "commands.hpp"
#include "connection.hpp"

#include <mailwire/dkim/signer.hpp>
#include <mailwire/dkim/verifier.hpp>
#include <mailwire/error.hpp>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

namespace mailwire::cli {
namespace {

constexpr const char* usage_text =
    "usage: mailwire dkim sign --domain D --selector S --key PEM\n"
    "           [--algorithm rsa-sha256|ed25519-sha256]\n"
    "           [--canonicalization relaxed/relaxed|relaxed/simple|simple/relaxed|simple/simple]\n"
    "           [--headers NAME:NAME...] FILE\n"
    "       mailwire dkim verify [--key-record NAME=FILE]... FILE...\n"
    "\n"
    "sign: prints the message with a DKIM-Signature field added on top. The algorithm is the\n"
    "key's (an RSA key of 1024-4096 bits, or Ed25519); --algorithm checks it. Default\n"
    "canonicalization relaxed/relaxed; default signed fields: From, To, Cc, Subject, Date,\n"
    "Message-ID, MIME and List-* fields, over-signed.\n"
    "verify: one line per signature: FILE pass|fail|neutral|temperror|permerror d=DOMAIN\n"
    "s=SELECTOR a=ALGORITHM [why], or FILE none. Keys come from DNS TXT records, or for NAME\n"
    "(selector._domainkey.domain) from FILE holding the record's text. Exit 0 when every FILE\n"
    "has a passing signature, 1 otherwise.\n";

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io, "cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw Error(Errc::io, "cannot read " + path);
  return s.str();
}

dkim::Canonicalization canonicalization(const std::string& name) {
  if (name == "relaxed") return dkim::Canonicalization::Relaxed;
  if (name == "simple") return dkim::Canonicalization::Simple;
  throw UsageError{"unknown canonicalization '" + name + "'"};
}

int sign(const Args& args) {
  dkim::SignerOptions options;
  std::string key_file, algorithm, file;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--domain") {
      options.domain = option_value(args, i);
    } else if (args[i] == "--selector") {
      options.selector = option_value(args, i);
    } else if (args[i] == "--key") {
      key_file = option_value(args, i);
    } else if (args[i] == "--algorithm") {
      algorithm = option_value(args, i);
      if (algorithm != "rsa-sha256" && algorithm != "ed25519-sha256") {
        throw UsageError{"unknown algorithm '" + algorithm + "'"};
      }
    } else if (args[i] == "--canonicalization") {
      const std::string& c = option_value(args, i);
      const std::size_t slash = c.find('/');
      if (slash == std::string::npos) throw UsageError{"--canonicalization wants HEADER/BODY"};
      options.header_canonicalization = canonicalization(c.substr(0, slash));
      options.body_canonicalization = canonicalization(c.substr(slash + 1));
    } else if (args[i] == "--headers") {
      const std::string& h = option_value(args, i);
      std::size_t start = 0;
      for (;;) {
        const std::size_t colon = h.find(':', start);
        options.headers.push_back(h.substr(start, colon - start));
        if (colon == std::string::npos) break;
        start = colon + 1;
      }
    } else if (!args[i].empty() && args[i][0] == '-') {
      throw UsageError{"unexpected argument '" + args[i] + "' (see mailwire dkim --help)"};
    } else if (file.empty()) {
      file = args[i];
    } else {
      throw UsageError{"dkim sign takes one FILE"};
    }
  }
  if (options.domain.empty() || options.selector.empty() || key_file.empty() || file.empty()) {
    throw UsageError{"dkim sign needs --domain, --selector, --key and a FILE"};
  }
  dkim::PrivateKey key = [&] {
    try {
      return dkim::PrivateKey::from_pem_file(key_file);
    } catch (const Error& e) {
      if (e.kind() == Errc::usage) throw UsageError{e.what()};
      throw;
    }
  }();
  if (!algorithm.empty() && algorithm != dkim::to_string(key.algorithm())) {
    throw UsageError{"--algorithm " + algorithm + " does not fit the key (" +
                     dkim::to_string(key.algorithm()) + ")"};
  }
  std::unique_ptr<dkim::Signer> signer;
  try {
    signer = std::make_unique<dkim::Signer>(key, options);
  } catch (const Error& e) {
    if (e.kind() == Errc::usage) throw UsageError{e.what()};
    throw;
  }
  // The message is streamed twice (hashed, then copied out), never held whole in memory.
  auto source = MessageSource::from_file(file);
  std::string field = signer->sign(*source);
  // The field takes the file's line endings: LF when its first line ends in a bare LF.
  char buf[64 * 1024];
  source->rewind();
  const std::string_view first(buf, source->read(buf, sizeof buf));
  const std::size_t lf = first.find('\n');
  if (lf != std::string_view::npos && (lf == 0 || first[lf - 1] != '\r')) {
    std::string unix_field;
    for (char c : field) {
      if (c != '\r') unix_field += c;
    }
    field = std::move(unix_field);
  }
  std::fwrite(field.data(), 1, field.size(), stdout);
  source->rewind();
  for (std::size_t n; (n = source->read(buf, sizeof buf)) > 0;) {
    if (std::fwrite(buf, 1, n, stdout) != n) throw Error(Errc::io, "cannot write the output");
  }
  if (std::fflush(stdout) != 0) throw Error(Errc::io, "cannot write the output");
  return ExitOk;
}

int verify(const Args& args) {
  auto keys = std::make_shared<dkim::StaticKeyLookup>();
  std::vector<std::string> files;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--key-record") {
      const std::string& v = option_value(args, i);
      const std::size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0) throw UsageError{"--key-record wants NAME=FILE"};
      std::string text = read_all(v.substr(eq + 1));
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
      keys->add(v.substr(0, eq), text);
    } else if (!args[i].empty() && args[i][0] == '-') {
      throw UsageError{"unexpected argument '" + args[i] + "' (see mailwire dkim --help)"};
    } else {
      files.push_back(args[i]);
    }
  }
  if (files.empty()) throw UsageError{"dkim verify needs a FILE"};
  // Names given with --key-record are answered locally; the others go to DNS.
  struct Both : dkim::KeyLookup {
    std::shared_ptr<dkim::StaticKeyLookup> local;
    dkim::DnsKeyLookup dns;
    Answer lookup(const std::string& name, Deadline deadline) override {
      Answer a = local->lookup(name, deadline);
      return a.records.empty() ? dns.lookup(name, deadline) : a;
    }
  };
  auto both = std::make_shared<Both>();
  both->local = keys;
  dkim::VerifierOptions options;
  options.keys = both;
  dkim::Verifier verifier(options);
  bool all_pass = true;
  for (const std::string& file : files) {
    std::unique_ptr<MessageSource> source;
    try {
      source = MessageSource::from_file(file);
    } catch (const Error& e) {
      std::fprintf(stderr, "mailwire: dkim: %s\n", e.what());
      all_pass = false;
      continue;
    }
    const auto results = verifier.verify(*source);
    if (results.empty()) std::printf("%s none\n", file.c_str());
    bool pass = false;
    for (const dkim::SignatureResult& r : results) {
      pass = pass || r.status == dkim::Status::Pass;
      std::printf("%s %s d=%s s=%s a=%s%s%s\n", file.c_str(), dkim::to_string(r.status),
                  r.domain.c_str(), r.selector.c_str(), r.algorithm.c_str(),
                  r.reason.empty() ? "" : " ", r.reason.c_str());
    }
    all_pass = all_pass && pass;
  }
  std::fflush(stdout);
  return all_pass ? ExitOk : ExitPartial;
}

int run(const Args& args) {
  return guarded("dkim", [&]() -> int {
    if (args.empty()) throw UsageError{"dkim needs sign or verify (see mailwire dkim --help)"};
    if (args[0] == "--help" || args[0] == "-h") {
      std::fputs(usage_text, stdout);
      return ExitOk;
    }
    for (const std::string& a : args) {
      if (a == "--help" || a == "-h") {
        std::fputs(usage_text, stdout);
        return ExitOk;
      }
    }
    if (args[0] == "sign") return sign(args);
    if (args[0] == "verify") return verify(args);
    throw UsageError{"unknown dkim command '" + args[0] + "'"};
  });
}

const Registrar registrar{{"dkim", "sign a message or verify its DKIM signatures", run}};

}  // namespace
}  // namespace mailwire::cli
