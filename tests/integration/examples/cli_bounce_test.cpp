// `mailwire bounce`: one JSON document per message of files, folders and mbox files, in the
// shape of the CLI contract; exit codes for usage errors and unreadable files.

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifdef MAILWIRE_CLI
namespace {

struct Run {
  int status = -1;
  std::string out;
};

Run run(const std::string& args, bool with_stderr = true) {
  Run r;
  const std::string command =
      "'" + std::string(MAILWIRE_CLI) + "' " + args + (with_stderr ? " 2>&1" : " 2>/dev/null");
  if (std::FILE* p = ::popen(command.c_str(), "r")) {
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
      r.out.append(buf, n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  return r;
}

std::string seed(const std::string& name) {
  std::ifstream in(std::string(MAILWIRE_SOURCE_DIR) + "/fuzz/corpus/mime_delivery_report/" + name,
                   std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  REQUIRE(!s.str().empty());
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

// A temporary folder removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mailwire-bounce-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  void write(const std::string& name, const std::string& bytes) const {
    std::filesystem::create_directories((path / name).parent_path());
    std::ofstream(path / name, std::ios::binary) << bytes;
  }
};

}  // namespace

TEST_CASE("mailwire bounce: JSON Lines for files, folders and mbox messages", "[cli][bounce]") {
  TempDir dir;
  dir.write("a/dsn.eml", seed("multidsn.eml"));
  dir.write("b/arf.eml", seed("arf.eml"));
  dir.write("c/box.mbox", "From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n" + seed("qmail.eml") +
                              "\nFrom someone Mon Jan  1 00:00:00 2024\n"
                              "From: carol@example.org\nTo: dave@example.com\nSubject: hi\n\n"
                              "Lunch?\n");
  const Run r = run("bounce '" + dir.path.string() + "'", false);
  CHECK(r.status == 0);
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 4);  // folders walked in name order, the mbox split in two

  const std::string p = dir.path.string();
  CHECK(lines[0].rfind("{\"file\": \"" + p +
                           "/a/dsn.eml\", \"kind\": \"dsn\", "
                           "\"original_message_id\": \"<multi@example.com>\", \"recipients\": "
                           "[{\"address\": \"gone@example.org\", \"action\": \"failed\", "
                           "\"status\": \"5.1.1\", \"reply_code\": \"550\", \"remote_mta\": "
                           "\"mx.example.org\", \"diagnostic\": ",
                       0) == 0);
  CHECK_THAT(lines[0], Catch::Contains("\"reason\": \"user_unknown\", \"hard\": true}"));
  CHECK_THAT(lines[0], Catch::Contains("\"address\": \"fine@example.net\", \"action\": "
                                       "\"delivered\""));
  CHECK_THAT(lines[1], Catch::Contains("\"kind\": \"arf\""));
  CHECK_THAT(lines[1], Catch::Contains("\"address\": \"user@example.com\""));
  CHECK_THAT(lines[1], Catch::Contains("\"reason\": \"complaint\", \"hard\": false"));
  CHECK_THAT(lines[2], Catch::StartsWith("{\"file\": \"" + p +
                                         "/c/box.mbox#1\", \"kind\": "
                                         "\"heuristic\""));
  CHECK_THAT(lines[2], Catch::Contains("\"address\": \"nobody@example.jp\""));
  CHECK(lines[3] == "{\"file\": \"" + p +
                        "/c/box.mbox#2\", \"kind\": \"none\", \"original_message_id\": null, "
                        "\"recipients\": []}");

  // Every line is one JSON document (checked by Python's json module when it is here).
  if (std::system("python3 -c 'import json' >/dev/null 2>&1") == 0) {
    dir.write("out.jsonl", r.out);
    const std::string check =
        "python3 -c 'import json,sys\nfor l in open(sys.argv[1]): "
        "json.loads(l)' '" +
        (dir.path / "out.jsonl").string() + "'";
    CHECK(std::system(check.c_str()) == 0);
  }
}

TEST_CASE("mailwire bounce: a usage error exits 2 and an unreadable file 1", "[cli][bounce]") {
  CHECK(run("bounce").status == 2);
  CHECK(run("bounce --help").status == 0);
  TempDir dir;
  dir.write("x.eml", seed("exim.eml"));
  const Run r = run("bounce '" + (dir.path / "missing.eml").string() + "' '" +
                    (dir.path / "x.eml").string() + "'");
  CHECK(r.status == 1);
  CHECK_THAT(r.out, Catch::Contains("mailwire: bounce: cannot read"));
  CHECK_THAT(r.out, Catch::Contains("\"address\": \"nosuch@example.org\""));  // went on
}
#endif
