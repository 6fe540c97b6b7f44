#include <mailwire/error.hpp>
#include <mailwire/maildir.hpp>

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace mailwire;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    std::string tmpl = "/tmp/mailwire-maildir-XXXXXX";
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

std::string slurp(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("Maildir delivers into new/ with unique names and tags", "[maildir]") {
  TempDir dir;
  Maildir maildir(dir.path + "/Mail");
  const std::string a = maildir.deliver_bytes("Subject: a\r\n\r\nbody a\r\n", "abc123");
  const std::string b = maildir.deliver([](const ByteSink& sink) {
    sink("Subject: b\r\n");
    sink("\r\n");
    sink(std::string(200 * 1024, 'x'));  // larger than the write buffer
  });
  CHECK(a != b);
  CHECK(slurp(dir.path + "/Mail/new/" + a) == "Subject: a\r\n\r\nbody a\r\n");
  CHECK(slurp(dir.path + "/Mail/new/" + b).size() == 14 + 200 * 1024);
  CHECK(maildir.new_messages().size() == 2);
  CHECK(maildir.tags() == std::vector<std::string>{"abc123"});
  struct stat st {};
  REQUIRE(::stat((dir.path + "/Mail/tmp").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("Maildir leaves nothing in new/ when the writer fails", "[maildir]") {
  TempDir dir;
  Maildir maildir(dir.path + "/Mail");
  CHECK_THROWS_AS(maildir.deliver([](const ByteSink& sink) {
    sink("partial");
    throw Error(Errc::connect, "server went away");
  }),
                  Error);
  Maildir reopened(dir.path + "/Mail", false);
  CHECK(reopened.new_messages().empty());
  CHECK(system(("test -z \"$(ls -A '" + dir.path + "/Mail/tmp')\"").c_str()) == 0);
}

TEST_CASE("Maildir refuses bad tags and missing directories", "[maildir]") {
  TempDir dir;
  Maildir maildir(dir.path + "/Mail");
  try {
    maildir.deliver_bytes("x", "a/b");
    FAIL("a tag with a slash was accepted");
  } catch (const Error& e) {
    CHECK(e.kind() == Errc::usage);
  }
  try {
    Maildir missing(dir.path + "/absent", false);
    FAIL("a missing Maildir was opened");
  } catch (const Error& e) {
    CHECK(e.kind() == Errc::io);
  }
}
