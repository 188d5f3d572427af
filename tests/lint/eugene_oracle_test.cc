// eugene's documented hint examples (tests/lint/eugene/, from kaaveland/eugene) as an oracle:
// every hint strata covers must be flagged in its `bad` example and not in its `good` one, by
// the strata rules docs/rules/eugene-coverage.md maps it to. The test fails when agreement is
// under 95% once the documented deliberate differences are set aside. Each example is split into
// migration files at its `-- N.sql` lines and linted as `strata lint DIR` would (each file on
// its own, earlier files applied; strata's engine lock_timeout off, as eugene expects it set in
// the file); `-- eugene: ignore E4` becomes `-- strata:allow <the rules of E4>`.
#include "lint/cases.h"
#include "lint/linter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>

namespace strata::lint {
namespace {

const std::string kDir = std::string(STRATA_SOURCE_DIR) + "/tests/lint/eugene/";

// eugene hint → strata rules that cover it (any of them flagging counts).
const std::map<std::string, std::vector<std::string>> kMap = {
    {"E1", {"CN102"}},   // validating table with a new constraint
    {"E2", {"CN107"}},   // validating table with a new NOT NULL column
    {"E3", {"CL105"}},   // add a new JSON column
    {"E4", {"LK108"}},   // running more statements after taking AccessExclusiveLock
    {"E5", {"CL104"}},   // type change requiring table rewrite
    {"E6", {"LK101"}},   // creating a new index on an existing table
    {"E7", {"CN104"}},   // creating a new unique constraint
    {"E8", {"CN106"}},   // creating a new exclusion constraint
    {"E9", {"LK106"}},   // taking dangerous lock without timeout
    {"E11", {"CL103"}},  // adding a SERIAL or GENERATED ... STORED column
    {"E15", {"CN111"}},  // missing index on the referencing side of a foreign key
};
// Documented deliberate differences (docs/rules/eugene-coverage.md says why).
const std::set<std::string> kDeliberate = {"E10", "W12", "W13", "W14"};

struct Example {
  std::string hint;
  bool bad = false;
  std::vector<LintInput> files;
};

Example Load(const std::string& hint, bool bad) {
  Example ex{hint, bad, {}};
  std::string text = testing::ReadFile(kDir + hint + (bad ? "_bad.sql" : "_good.sql"));
  static const std::regex file_re(R"(^-- (\d+)\.sql\s*$)");
  static const std::regex ignore_re(R"(^\s*-- eugene: ignore (.*)$)");
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, file_re)) {
      std::string name = "V" + m[1].str() + "__step.sql";
      ex.files.push_back({name, name, "", true, false, ""});
      continue;
    }
    if (ex.files.empty()) continue;
    if (std::regex_match(line, m, ignore_re)) {
      std::string ids;
      for (auto& h : testing::SplitComma(m[1].str())) {
        h.erase(0, h.find_first_not_of(' '));
        h.erase(h.find_last_not_of(' ') + 1);
        auto it = kMap.find(h);
        if (it == kMap.end()) continue;
        for (const auto& r : it->second) ids += (ids.empty() ? "" : ",") + r;
      }
      if (!ids.empty()) line = "-- strata:allow " + ids + " reason=\"eugene: ignore\"";
    }
    ex.files.back().text += line + "\n";
  }
  return ex;
}

TEST(EugeneOracle, AgreementOnDocumentedExamples) {
  if (!std::filesystem::exists(kDir)) GTEST_SKIP() << "no " << kDir;
  int agree = 0, total = 0;
  std::string report;
  for (const auto& e : std::filesystem::directory_iterator(kDir)) {
    std::string stem = e.path().stem().string();
    if (e.path().extension() != ".sql") continue;
    std::string hint = stem.substr(0, stem.find('_'));
    bool bad = stem.ends_with("_bad");
    if (kDeliberate.count(hint)) continue;
    auto it = kMap.find(hint);
    ASSERT_NE(it, kMap.end()) << hint << " is neither mapped nor a documented difference";
    Example ex = Load(hint, bad);
    ASSERT_FALSE(ex.files.empty()) << stem;
    LintConfig config;
    config.new_means_same_file = true;
    config.engine_lock_timeout = false;
    LintResult r = Lint(ex.files, config);
    int hits = 0;
    std::string seen;
    for (const auto& f : r.findings) {
      if (f.suppressed) continue;
      seen += " " + f.rule_id;
      for (const auto& id : it->second) hits += f.rule_id == id;
    }
    bool ok = bad ? hits > 0 : hits == 0;
    ++total;
    agree += ok;
    report += stem + (ok ? " agrees" : " DISAGREES") + " (strata:" + seen + ")\n";
  }
  ASSERT_GE(total, 18);
  double pct = 100.0 * agree / total;
  std::cout << report << "agreement " << agree << "/" << total << " = " << pct << "%\n";
  EXPECT_GE(pct, 95.0) << report;
}

// Every hint eugene documents is mapped or a documented difference, and the coverage doc lists it.
TEST(EugeneOracle, EveryHintIsCoveredOrADocumentedDifference) {
  std::string doc =
      testing::ReadFile(std::string(STRATA_SOURCE_DIR) + "/docs/rules/eugene-coverage.md");
  for (const char* h : {"E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "E11", "E15",
                        "W12", "W13", "W14"}) {
    EXPECT_TRUE(kMap.count(h) || kDeliberate.count(h)) << h;
    EXPECT_NE(doc.find(std::string("| ") + h + " |"), std::string::npos)
        << "docs/rules/eugene-coverage.md does not list " << h;
  }
}

}  // namespace
}  // namespace strata::lint
