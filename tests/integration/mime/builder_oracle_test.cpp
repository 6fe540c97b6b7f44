// Messages from MessageBuilder, read back by an independent parser (CPython's email package):
// the structure, names and decoded bodies must come out as they went in.

#include "support/test_server.hpp"

#include <mailwire/mime/builder.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <random>

using namespace mailwire;
using namespace mailwire::mime;

namespace {

std::string run_python(const std::string& script, const std::string& file) {
  const std::string command = "python3 -c '" + script + "' '" + file + "' 2>&1";
  std::string out;
  if (std::FILE* p = ::popen(command.c_str(), "r")) {
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
      out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

// Prints: subject|to|for each leaf: type;filename;sha256-of-decoded, defects count.
const std::string describe = R"PY(
import sys, email, email.policy, hashlib
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
parts = []
defects = len(m.defects)
for p in m.walk():
    defects += len(p.defects)
    if not p.is_multipart():
        parts.append("%s;%s;%s" % (p.get_content_type(), p.get_filename(), hashlib.sha256(p.get_payload(decode=True)).hexdigest()[:16]))
print("%s|%s|%s|%d" % (m["subject"], m["to"], ",".join(parts), defects), end="")
)PY";

std::string sha16(const std::string& bytes) {
  const std::string file = "/tmp/mailwire-sha-input";
  std::ofstream(file, std::ios::binary) << bytes;
  std::string out = run_python(
      R"PY(import sys,hashlib; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest()[:16], end=""))PY",
      file);
  std::remove(file.c_str());
  return out;
}

}  // namespace

TEST_CASE("Builder output parses identically in CPython's email package (seeded)",
          "[mime][builder][oracle]") {
  test::TempDir dir;
  std::mt19937 random(20261124);
  const std::string subjects[] = {"plain", "caf\xc3\xa9 cr\xc3\xa8me", "\xe6\x97\xa5\xe6\x9c\xac",
                                  "long " + std::string(150, 'y')};
  const std::string names[] = {"a.pdf", "R\xc3\xa9sum\xc3\xa9.pdf", "photo.png", "data.bin"};
  for (int round = 0; round < 12; ++round) {
    MessageBuilder b;
    const std::string subject = subjects[random() % 4];
    b.from("Sender <s@example.com>").to("Bob <bob@example.com>").subject(subject);
    std::string expected;
    const std::string text =
        "text " + std::to_string(round) + "\n" + (round % 3 == 0 ? "caf\xc3\xa9\n" : "");
    b.text(text);
    std::string crlf_text;
    for (const char c : text)
      crlf_text += c == '\n' ? std::string("\r\n") : std::string(1, c);
    expected += "text/plain;None;" + sha16(crlf_text);
    if (round % 2 == 1) {
      b.html("<b>html</b>\n");
      expected += ",text/html;None;" + sha16("<b>html</b>\r\n");
    }
    const int attachments = round % 3;
    for (int i = 0; i < attachments; ++i) {
      std::string bytes(static_cast<std::size_t>(random() % 5000), '\0');
      for (char& c : bytes)
        c = static_cast<char>(random() & 0xff);
      const std::string& name = names[random() % 4];
      b.attach(name, bytes);
      expected += "," + guess_content_type(name) + ";" + name + ";" + sha16(bytes);
    }
    WriteOptions options;
    options.eight_bit = round % 4 == 0;
    const std::string file = dir.path + "/m" + std::to_string(round) + ".eml";
    std::ofstream(file, std::ios::binary) << b.to_string(options);
    INFO(file);
    CHECK(run_python(describe, file) == subject + "|Bob <bob@example.com>|" + expected + "|0");
  }
}
