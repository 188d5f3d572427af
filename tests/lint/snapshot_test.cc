// Every rule's bad cases, rendered as a user sees them (position, severity, id, message, the
// quoted source line, the fix and the rule name), compared with the committed snapshot in
// tests/lint/snapshots/<rule>.txt: a change of wording shows up in review as a diff of that file,
// as squawk's snapshot tests do. After an intended change, regenerate with
//   STRATA_UPDATE_SNAPSHOTS=1 build/tests/snapshot_test
// and review the diff.
#include "lint/cases.h"
#include "lint/registry.h"
#include "lint/render.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace strata::lint {
namespace {

const std::string kRulesDir = std::string(STRATA_SOURCE_DIR) + "/src/lint/rules/";
const std::string kSnapshotDir = std::string(STRATA_SOURCE_DIR) + "/tests/lint/snapshots/";

// The findings of `rule` in each bad case of its .test file, rendered as `strata lint` prints
// them.
std::string Render(const RuleInfo& rule) {
  std::string out;
  auto cases = testing::ParseCases(testing::ReadFile(kRulesDir + std::string(rule.name) + ".test"));
  for (const auto& c : cases) {
    if (!c.bad) continue;
    LintResult res = testing::RunCase(c);
    LintResult only;
    for (const auto& f : res.findings) {
      if (f.rule_id == rule.id) only.findings.push_back(f);
    }
    // The findings, without the run's summary line (counts of this filtered result).
    std::string text = RenderText(only, Severity::kError);
    if (size_t summary = text.rfind('\n', text.size() - 2); summary != std::string::npos) {
      text.resize(summary + 1);
    } else {
      text.clear();
    }
    std::string_view title = c.title;
    while (!title.empty() && title.front() == ' ') title.remove_prefix(1);
    out += "== " + std::string(title) + "\n" + text;
  }
  return out;
}

TEST(LintSnapshots, EveryRulesFindingsReadAsCommitted) {
  const bool update = std::getenv("STRATA_UPDATE_SNAPSHOTS") != nullptr;
  int compared = 0;
  for (const auto& r : AllRules()) {
    const std::string path = kSnapshotDir + std::string(r.name) + ".txt";
    const std::string got = Render(r);
    if (update) {
      std::filesystem::create_directories(kSnapshotDir);
      std::ofstream(path, std::ios::binary) << got;
      continue;
    }
    ASSERT_TRUE(std::filesystem::exists(path))
        << path << " is missing: run STRATA_UPDATE_SNAPSHOTS=1 build/tests/snapshot_test and "
        << "commit the file after reviewing it";
    EXPECT_EQ(testing::ReadFile(path), got)
        << r.name << ": the rendered findings changed; if intended, regenerate with "
        << "STRATA_UPDATE_SNAPSHOTS=1 build/tests/snapshot_test and review the diff";
    ++compared;
  }
  if (!update) EXPECT_EQ(compared, static_cast<int>(AllRules().size()));
}

// A snapshot of a rule that no longer exists would never be compared again.
TEST(LintSnapshots, NoSnapshotWithoutARule) {
  for (const auto& e : std::filesystem::directory_iterator(kSnapshotDir)) {
    EXPECT_NE(FindRule(e.path().stem().string()), nullptr) << e.path() << " has no rule";
  }
}

}  // namespace
}  // namespace strata::lint
