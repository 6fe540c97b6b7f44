// The delivery report reader against real reports: the 397 of tests/data/bounces (BSD
// 2-Clause, see its SOURCE.md) with sisimai's expected results, split by a fixed hash of the file
// name into a development set (two thirds, the rules were tuned on it) and a held-out set (one
// third, never looked at while tuning). Agreement per file: as many recipients, and for each the
// same status (only the class for sisimai's inferred codes, detail 900 and up) and the same hard /
// soft verdict.
//
// Where sisimai's expectation contradicts an RFC, mailwire follows the RFC
// (tests/data/bounce_known_differences.md). Two such kinds are recognised here mechanically
// (the rule was written from the development set): a report that says the user does not exist
// (RFC 3463 X.1.1, or the wording), which sisimai calls "filtered", "suspend" or "rejected"
// (soft); and a delayed message with a class 4 status (RFC 3464 "delayed", RFC 3463 4.4.7),
// which sisimai reports expired with class 5 (or, for any delay notice, with its own reason).
// Both figures are asserted: the raw agreement, and the agreement counting those documented
// differences.

#include "support/corpus.hpp"

#include <mailwire/mime/delivery_report.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace mailwire;
using namespace mailwire::mime;

namespace {

struct Expected {
  std::string status;
  std::string reason;  // sisimai's
  bool hard = false;
};

std::filesystem::path bounces_dir() {
  return std::filesystem::path(MAILWIRE_SOURCE_DIR) / "tests" / "data" / "bounces";
}

std::map<std::string, std::vector<Expected>> expectations() {
  std::map<std::string, std::vector<Expected>> out;
  std::ifstream in(bounces_dir() / "expected.tsv");
  std::string line;
  std::getline(in, line);  // the column names
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream s(line);
    for (std::string c; std::getline(s, c, '\t');)
      cols.push_back(c);
    if (cols.size() < 6) continue;
    out[cols[0]].push_back({cols[2], cols[4], cols[5] == "true"});
  }
  return out;
}

// FNV-1a of the name: one file in three, fixed before any tuning, is held out.
bool held_out(const std::string& name) {
  std::uint32_t h = 2166136261u;
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h % 3 == 0;
}

bool same_status(const std::string& expected, const std::string& got) {
  if (expected.empty()) return got.empty();
  const std::size_t last = expected.rfind('.');
  if (last != std::string::npos && std::stoi(expected.substr(last + 1)) >= 900)
    return !got.empty() && got[0] == expected[0];
  return expected == got;
}

bool agrees(const Expected& e, const ReportRecipient& got) {
  return same_status(e.status, got.status) && e.hard == got.hard;
}

// A disagreement of a kind listed in bounce_known_differences.md, where mailwire follows the
// RFC.
bool documented_difference(const Expected& e, const ReportRecipient& got) {
  if (!e.hard && got.hard && got.reason == BounceReason::UserUnknown &&
      (e.reason == "filtered" || e.reason == "suspend" || e.reason == "rejected") &&
      same_status(e.status, got.status))
    return true;
  // A delay: transient (class 4) for mailwire, permanent for sisimai.
  return (e.reason == "expired" || got.action == "delayed") && e.status.rfind("5.", 0) == 0 &&
         got.status.rfind("4.", 0) == 0 && e.hard == got.hard;
}

struct Score {
  std::size_t files = 0, agree = 0, documented = 0;
  std::vector<std::string> disagree;
  std::vector<std::string> stream_differs;
};

Score score(bool held) {
  Score s;
  for (const auto& [name, expected] : expectations()) {
    if (held_out(name) != held) continue;
    ++s.files;
    const std::string bytes = test::file_bytes(bounces_dir() / "eml" / name);
    const DeliveryReport r = DeliveryReport::from_bytes(bytes);
    // The streaming reader agrees with the whole-message one.
    DeliveryReportReader reader;
    for (std::size_t at = 0; at < bytes.size(); at += 1000)
      reader.feed(std::string_view(bytes).substr(at, 1000));
    const DeliveryReport streamed = reader.finish();
    if (streamed.kind != r.kind || streamed.recipients.size() != r.recipients.size())
      s.stream_differs.push_back(name);
    bool ok = r.recipients.size() == expected.size();
    bool doc = ok;
    for (std::size_t i = 0; doc && i < expected.size(); ++i) {
      const bool same = agrees(expected[i], r.recipients[i]);
      ok = ok && same;
      doc = same || documented_difference(expected[i], r.recipients[i]);
    }
    if (ok) {
      ++s.agree;
    } else if (doc) {
      ++s.documented;
    } else {
      s.disagree.push_back(name);
    }
  }
  return s;
}

}  // namespace

TEST_CASE("Real reports held out from tuning agree with sisimai but for documented RFC cases",
          "[bounce][corpus]") {
  if (!std::filesystem::exists(bounces_dir() / "expected.tsv")) {
    WARN("no tests/data/bounces folder: skipped");
    return;
  }
  const Score held = score(true);
  const Score dev = score(false);
  std::string list;
  for (const std::string& n : held.disagree)
    list += n + " ";
  INFO("held out: " << held.agree << "/" << held.files << " agree, " << held.documented
                    << " more differ as documented; development: " << dev.agree << "/" << dev.files
                    << " agree, " << dev.documented
                    << " more as documented; held out disagreeing: " << list);
  REQUIRE(held.files > 100);
  // Measured when the rules were last changed: held out 120/144 (83.3 %) raw, 133/144
  // (92.4 %) with the documented differences; development 232/253 (91.7 %) and 251/253
  // (99.2 %). (Before the second round of general rules: held out 118/144 and 131/144,
  // development 230/253 and 246/253.) The floors sit just below, so a loss of one file fails.
  CHECK(held.agree * 100 >= held.files * 83);
  CHECK((held.agree + held.documented) * 100 >= held.files * 92);
  CHECK(dev.agree * 100 >= dev.files * 91);
  CHECK(held.stream_differs.empty());
  CHECK(dev.stream_differs.empty());
  CHECK((dev.agree + dev.documented) * 100 >= dev.files * 98);
}

TEST_CASE("No ordinary message of the shared corpus is taken for a report", "[bounce][corpus]") {
  const auto files = test::corpus_files();
  if (files.empty()) {
    WARN("no shared corpus: skipped");
    return;
  }
  // The corpus files that are reports (read by hand).
  const std::set<std::string> reports = {
      "delivery-status-no-blank-line.txt",
      "delivery-status.anonymized.eml",
      "delivery-status.txt",
      "delivery-status2.txt",
      "delivery-status-multiple-blank-lines.txt",
      "bounce.txt",
      "feedback-report.txt",
      "msg_16.txt",  // CPython's: a DSN
  };
  std::size_t checked = 0;
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    if (reports.count(name) != 0) continue;
    if (path.extension() != ".eml" && path.extension() != ".txt" && path.extension() != ".msg")
      continue;
    const Message m = Message::parse(test::file_bytes(path));
    const DeliveryReport r = DeliveryReport::from_message(m);
    INFO(path.string());
    CHECK(r.kind == ReportKind::None);
    ++checked;
  }
  CHECK(checked > 50);
}
