// `mailwire send` against the real Postfix: output lines, exit codes, the message delivered.

#include "support/mail_stack.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>

using namespace mailwire::test;

#ifdef MAILWIRE_CLI
namespace {

struct Run {
  int status = -1;
  std::string out;
};

Run run(const std::string& args) {
  Run r;
  const std::string command =
      "MAILWIRE_PASSWORD=alice-pass '" + std::string(MAILWIRE_CLI) + "' " + args + " 2>&1";
  if (std::FILE* p = ::popen(command.c_str(), "r")) {
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
      r.out.append(buf, n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  return r;
}

}  // namespace

TEST_CASE("mailwire send: HTML with an attachment over submission, per-recipient lines",
          "[smtp][postfix][cli]") {
  MAILWIRE_REQUIRE_STACK(stack);
  if (stack->submission_port == 0) FAIL("no Postfix in the stack");
  stack->clear_inbox("bob");
  const std::string html = stack->dir + "/mail.html";
  const std::string pdf = stack->dir + "/invoice.pdf";
  std::ofstream(html) << "<p>Your invoice is attached.</p>\n";
  std::ofstream(pdf, std::ios::binary) << "%PDF-1.4\n" << std::string(3000, '\x01') << "\n%%EOF\n";
  const std::string connection = "--server localhost:" + std::to_string(stack->submission_port) +
                                 " --ca-file " + stack->ca_file + " --user alice";
  const Run ok = run("send " + connection +
                     " --from alice@example.test --to bob@example.test --subject 'Invoice 0042' "
                     "--text 'See attached.' --html-file " +
                     html + " --attach " + pdf);
  INFO(ok.out);
  CHECK(ok.status == 0);
  CHECK_THAT(ok.out, Catch::StartsWith("bob@example.test accepted 250 2.0.0"));
  REQUIRE(stack->wait_for_inbox("bob", 1) == 1);
  const std::string stored = stack->inbox_text("bob");
  CHECK_THAT(stored, Catch::Contains("filename=invoice.pdf"));
  CHECK_THAT(stored, Catch::Contains("multipart/alternative"));

  const Run partial = run("send " + connection +
                          " --from alice@example.test --to bob@example.test --to "
                          "ghost@example.test --text hi");
  INFO(partial.out);
  CHECK(partial.status == 1);
  CHECK_THAT(partial.out, Catch::Contains("ghost@example.test rejected 550 5.1.1"));

  const Run bad = run("send " + connection + " --from alice@example.test --text hi");
  CHECK(bad.status == 2);
  const Run plain = run("send --server localhost:" + std::to_string(stack->smtp_port) +
                        " --security none --user alice --from alice@example.test --to "
                        "bob@example.test --text hi");
  CHECK(plain.status == 2);  // credentials over plaintext refused
  const Run tls_required =
      run("send --server localhost:" + std::to_string(stack->submissions_port) + " --ca-file " +
          stack->ca_file +
          " --timeout 3 --from a@example.test "
          "--to bob@example.test --text hi");
  CHECK(tls_required.status == 8);  // no greeting: the server waits for a TLS handshake
  CHECK_THAT(tls_required.out, Catch::Contains("--security tls"));
  // The hints follow the error's reason (Reason::plaintext_auth_refused, Reason::not_tls),
  // not the words of its message.
  CHECK_THAT(plain.out, Catch::Contains("hint: use --security tls or starttls"));
  const Run wrong_tls = run("send --server localhost:" + std::to_string(stack->submission_port) +
                            " --security tls --ca-file " + stack->ca_file +
                            " --timeout 5 --from a@example.test --to bob@example.test --text hi");
  CHECK(wrong_tls.status == 4);
  CHECK_THAT(wrong_tls.out, Catch::Contains("hint: this port speaks plaintext first"));
}
#endif
