// `mailwire dkim sign|verify` (files, exit codes, usage errors) and `mailwire send --dkim-*`
// through the real Postfix: the message fetched from Dovecot over IMAP still verifies, with
// the headers the servers added above it.

#include "support/dkim_keys.hpp"
#include "support/mail_stack.hpp"

#include <mailwire/dkim/signer.hpp>
#include <mailwire/dkim/verifier.hpp>
#include <mailwire/imap_client.hpp>

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace mailwire;
using namespace mailwire::test;

#ifdef MAILWIRE_CLI
namespace {

struct Run {
  int status = -1;
  std::string out;
};

Run run(const std::string& args, bool with_stderr = true) {
  Run r;
  const std::string command = "MAILWIRE_PASSWORD=alice-pass '" + std::string(MAILWIRE_CLI) + "' " +
                              args + (with_stderr ? " 2>&1" : " 2>/dev/null");
  if (std::FILE* p = ::popen(command.c_str(), "r")) {
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
      r.out.append(buf, n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  return r;
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A folder for the test's files, removed at the end.
struct TempDir {
  std::string path;
  TempDir() {
    char name[] = "/tmp/mailwire-dkim-XXXXXX";
    REQUIRE(::mkdtemp(name) != nullptr);
    path = name;
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

const char* const message =
    "From: Alice <alice@example.test>\n"
    "To: bob@example.test\n"
    "Subject: signed by the tool\n"
    "Date: Thu, 03 Dec 2026 16:00:00 +0000\n"
    "Message-ID: <cli-dkim@example.test>\n"
    "\n"
    "Hello Bob.  \n"
    "\n";

}  // namespace

TEST_CASE("mailwire dkim: sign then verify, both algorithms, changes fail", "[dkim][cli]") {
  TempDir dir;
  const std::string rsa = dir.path + "/rsa.pem", ed = dir.path + "/ed.pem";
  write(rsa, rsa2048_pem());
  write(ed, ed25519_pem());
  write(dir.path + "/rsa.txt", dkim::PrivateKey::from_pem(rsa2048_pem()).dns_record() + "\n");
  write(dir.path + "/ed.txt", dkim::PrivateKey::from_pem(ed25519_pem()).dns_record());
  const std::string m = dir.path + "/m.eml";
  write(m, message);
  const std::string records = " --key-record rsa._domainkey.example.test=" + dir.path +
                              "/rsa.txt --key-record ed._domainkey.example.test=" + dir.path +
                              "/ed.txt ";

  const Run signed_rsa = run("dkim sign --domain example.test --selector rsa --key " + rsa +
                                 " --canonicalization simple/simple --headers From:To:Subject " + m,
                             false);
  REQUIRE(signed_rsa.status == 0);
  CHECK_THAT(signed_rsa.out, Catch::StartsWith("DKIM-Signature: v=1; a=rsa-sha256; "
                                               "c=simple/simple; d=example.test; s=rsa;"));
  CHECK_THAT(signed_rsa.out, Catch::EndsWith(message));
  // The field takes the file's line endings (LF here).
  CHECK(signed_rsa.out.find('\r') == std::string::npos);
  write(dir.path + "/rsa.eml", signed_rsa.out);
  const std::string a = dir.path + "/rsa.eml";

  const Run signed_ed = run("dkim sign --domain example.test --selector ed --key " + ed +
                                " --algorithm ed25519-sha256 " + a,
                            false);
  REQUIRE(signed_ed.status == 0);
  const std::string both = dir.path + "/both.eml";
  write(both, signed_ed.out);

  const Run ok = run("dkim verify" + records + both);
  INFO(ok.out);
  CHECK(ok.status == 0);
  CHECK(ok.out == both + " pass d=example.test s=ed a=ed25519-sha256\n" + both +
                      " pass d=example.test s=rsa a=rsa-sha256\n");

  std::string changed = signed_ed.out;
  changed.replace(changed.find("Hello"), 5, "HELLO");
  const std::string bad = dir.path + "/bad.eml";
  write(bad, changed);
  const Run fail = run("dkim verify" + records + bad + " " + m);
  INFO(fail.out);
  CHECK(fail.status == 1);
  CHECK_THAT(fail.out, Catch::Contains(bad + " fail d=example.test s=ed a=ed25519-sha256 body "
                                             "hash mismatch"));
  CHECK_THAT(fail.out, Catch::Contains(m + " none\n"));

  // An unknown selector (no --key-record for it, and no DNS answer here) is not a pass.
  const Run unknown =
      run("dkim verify --key-record ed._domainkey.example.test=" + dir.path + "/ed.txt " + a);
  CHECK(unknown.status == 1);

  // Usage errors: exit 2.
  CHECK(run("dkim sign --domain example.test --selector s " + m).status == 2);
  CHECK(run("dkim sign --domain example.test --selector s --key " + ed +
            " --algorithm rsa-sha256 " + m)
            .status == 2);
  CHECK(run("dkim sign --domain example.test --selector s --key " + ed +
            " --canonicalization loose/simple " + m)
            .status == 2);
  CHECK(run("dkim sign --domain 'bad domain' --selector s --key " + ed + " " + m).status == 2);
  CHECK(run("dkim sign --domain example.test --selector s --key " + m + " " + m).status == 2);
  CHECK(run("dkim verify").status == 2);
  CHECK(run("dkim frobnicate").status == 2);
  CHECK(run("send --server localhost:1 --dkim-domain example.test --from a@example.test --to "
            "b@example.test --text hi")
            .status == 2);
  CHECK(run("dkim sign --domain example.test --selector s --key " + dir.path + "/none.pem " + m)
            .status == 9);
}

TEST_CASE("mailwire send --dkim-*: the message from Dovecot still verifies",
          "[dkim][smtp][postfix][cli]") {
  MAILWIRE_REQUIRE_STACK(stack);
  if (stack->submission_port == 0) FAIL("no Postfix in the stack");
  stack->clear_inbox("bob");
  TempDir dir;
  const std::string ed = dir.path + "/ed.pem", rsa = dir.path + "/rsa.pem";
  write(ed, ed25519_pem());
  write(rsa, rsa2048_pem());
  const std::string connection = "--server localhost:" + std::to_string(stack->submission_port) +
                                 " --ca-file " + stack->ca_file + " --user alice";
  const Run sent =
      run("send " + connection + " --dkim-domain example.test --dkim-selector mw --dkim-key " + ed +
          " --from alice@example.test --to bob@example.test --subject 'Signed "
          "invoice' --text 'Invoice attached.   ' --attach " +
          rsa);
  INFO(sent.out);
  REQUIRE(sent.status == 0);
  REQUIRE(stack->wait_for_inbox("bob", 1) == 1);

  ImapOptions options;
  options.tls.ca_file = stack->ca_file;
  ImapClient client(options);
  client.connect("localhost", stack->imap_port);
  client.login("bob", MailStack::password("bob"));
  client.select("INBOX");
  const auto uids = client.uid_search("ALL");
  REQUIRE(uids.size() == 1);
  std::string fetched;
  client.fetch_section(uids[0], "", [&](std::string_view c) { fetched.append(c); });
  client.logout();
  // Postfix and Dovecot added fields above the signature.
  CHECK(fetched.rfind("DKIM-Signature", 0) != 0);
  CHECK_THAT(fetched, Catch::Contains("Received: "));

  auto keys = std::make_shared<dkim::StaticKeyLookup>();
  keys->add("mw._domainkey.example.test", dkim::PrivateKey::from_pem(ed25519_pem()).dns_record());
  dkim::VerifierOptions vo;
  vo.keys = keys;
  const auto results = dkim::Verifier(vo).verify(fetched);
  REQUIRE(results.size() == 1);
  INFO(results[0].reason);
  CHECK(results[0].status == dkim::Status::Pass);
  CHECK(results[0].domain == "example.test");
}
#endif
