// Attachment names chosen by a hostile sender never escape the directory or hide a file.

#include "support/test_server.hpp"

#include <mailwire/mime/charset.hpp>
#include <mailwire/mime/file_name.hpp>

#include <catch2/catch.hpp>

#include <fstream>

using mailwire::mime::safe_file_name;
using mailwire::mime::unique_file_path;

TEST_CASE("safe_file_name: paths, hidden files, devices, controls", "[mime][security]") {
  CHECK(safe_file_name("invoice.pdf") == "invoice.pdf");
  CHECK(safe_file_name("../../.bashrc") == "bashrc");
  CHECK(safe_file_name("/etc/passwd") == "passwd");
  CHECK(safe_file_name("..\\..\\Windows\\system.ini") == "system.ini");
  CHECK(safe_file_name("..") == "attachment");
  CHECK(safe_file_name("") == "attachment");
  CHECK(safe_file_name("dir/", "x.bin") == "x.bin");
  CHECK(safe_file_name("a\r\nb\0c.txt") == "a__b");  // the string literal ends at \0
  CHECK(safe_file_name(std::string_view("a\0b.txt", 7)) == "a_b.txt");
  CHECK(safe_file_name("what?.pdf") == "what_.pdf");
  CHECK(safe_file_name("CON") == "_CON");
  CHECK(safe_file_name("com1.txt") == "_com1.txt");
  CHECK(safe_file_name("COM10.txt") == "COM10.txt");
  CHECK(safe_file_name("report. . .") == "report");
  CHECK(safe_file_name("Rechnung März.pdf") == "Rechnung März.pdf");
  CHECK(safe_file_name("bad\xff.pdf") == "bad\xEF\xBF\xBD.pdf");
}

TEST_CASE("safe_file_name: long names are cut on a character boundary, extension kept",
          "[mime][security]") {
  std::string name;
  for (int i = 0; i < 150; ++i)
    name += "\xC3\xA9";  // é, two octets
  name += ".pdf";
  const std::string safe = safe_file_name(name);
  CHECK(safe.size() <= 200);
  CHECK(safe.substr(safe.size() - 4) == ".pdf");
  CHECK(mailwire::mime::is_valid_utf8(safe));
}

TEST_CASE("unique_file_path: never overwrites an existing file", "[mime]") {
  mailwire::test::TempDir dir;
  CHECK(unique_file_path(dir.path, "a.pdf") == dir.path + "/a.pdf");
  std::ofstream(dir.path + "/a.pdf") << "x";
  CHECK(unique_file_path(dir.path, "a.pdf") == dir.path + "/a (2).pdf");
  std::ofstream(dir.path + "/a (2).pdf") << "x";
  CHECK(unique_file_path(dir.path, "a.pdf") == dir.path + "/a (3).pdf");
  std::ofstream(dir.path + "/README") << "x";
  CHECK(unique_file_path(dir.path, "README") == dir.path + "/README (2)");
}
