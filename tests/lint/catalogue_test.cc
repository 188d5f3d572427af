// The rule catalogue: every rule in rules.def has a doc with the required sections, a .cc, and a
// .test with at least one bad and one good case; every bad case is flagged by its rule and no
// good case is; ids and names are unique and well-formed.
#include "lint/cases.h"
#include "lint/registry.h"
#include "lint/render.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

namespace strata::lint {
namespace {

const std::string kRulesDir = std::string(STRATA_SOURCE_DIR) + "/src/lint/rules/";

std::string Describe(const LintResult& r) {
  std::string s;
  for (const auto& f : r.findings) {
    s += "  " + f.file + ":" + std::to_string(f.line) + ": " + f.rule_id + " " + f.rule_name +
         (f.suppressed ? " (suppressed)" : "") + ": " + f.message + "\n";
  }
  return s.empty() ? "  (no findings)\n" : s;
}

TEST(Catalogue, IdsAndNamesAreUniqueAndWellFormed) {
  std::set<std::string> ids, names;
  std::regex id_re("^(SY|LK|CN|CL|BC|DM|TX|TY|ST|PO|ID|SQ)[0-9]{3}$");
  std::regex name_re("^[a-z0-9]+(-[a-z0-9]+)*$");
  for (const auto& r : AllRules()) {
    EXPECT_TRUE(ids.insert(std::string(r.id)).second) << "duplicate id " << r.id;
    EXPECT_TRUE(names.insert(std::string(r.name)).second) << "duplicate name " << r.name;
    EXPECT_TRUE(std::regex_match(std::string(r.id), id_re)) << r.id;
    EXPECT_TRUE(std::regex_match(std::string(r.name), name_re)) << r.name;
    EXPECT_FALSE(r.summary.empty()) << r.name;
  }
  EXPECT_GE(AllRules().size(), 60u);
}

TEST(Catalogue, EveryRuleHasDocCodeAndCases) {
  for (const auto& r : AllRules()) {
    std::string base = kRulesDir + std::string(r.name);
    EXPECT_TRUE(std::filesystem::exists(base + ".cc")) << r.name << ": missing .cc";
    std::string doc(RuleDoc(r));
    EXPECT_FALSE(doc.empty()) << r.name << ": missing embedded .md";
    for (const char* section :
         {"## Problem", "## Lock", "## Rewrite or scan", "## Safe recipe", "## Bad", "## Good"}) {
      EXPECT_NE(doc.find(section), std::string::npos) << r.name << ".md lacks " << section;
    }
    EXPECT_EQ(doc.rfind("# " + std::string(r.id) + " " + std::string(r.name), 0), 0u)
        << r.name << ".md must start with `# <id> <name>`";
    auto cases = testing::ParseCases(testing::ReadFile(base + ".test"));
    int bad = 0, good = 0;
    for (const auto& c : cases) (c.bad ? bad : good)++;
    EXPECT_GE(bad, 1) << r.name << ".test has no bad case";
    EXPECT_GE(good, 1) << r.name << ".test has no good case";
  }
}

TEST(Catalogue, NoOrphanRuleFiles) {
  for (const auto& e : std::filesystem::directory_iterator(kRulesDir)) {
    std::string stem = e.path().stem().string();
    if (stem == "helpers" || stem == "identifier_helpers") continue;
    EXPECT_NE(FindRule(stem), nullptr) << e.path() << " has no rules.def entry";
  }
}

TEST(Catalogue, BadCasesAreFlaggedAndGoodCasesAreNot) {
  int checked = 0;
  for (const auto& r : AllRules()) {
    auto cases = testing::ParseCases(testing::ReadFile(kRulesDir + std::string(r.name) + ".test"));
    for (const auto& c : cases) {
      LintResult res = testing::RunCase(c);
      int hits = 0;
      for (const auto& f : res.findings) {
        if (f.rule_id == r.id && !f.suppressed) ++hits;
      }
      if (c.bad) {
        EXPECT_GT(hits, 0) << r.name << ".test:" << c.line << " bad case not flagged:" << c.title
                           << "\n"
                           << Describe(res);
      } else {
        EXPECT_EQ(hits, 0) << r.name << ".test:" << c.line << " good case flagged:" << c.title
                           << "\n"
                           << Describe(res);
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 150);
}

TEST(Catalogue, EveryRuleIsListed) {
  std::string list = RenderRuleList();
  for (const auto& r : AllRules()) EXPECT_NE(list.find(std::string(r.id)), std::string::npos);
}

// Every current squawk rule (sbdchd/squawk @ 5125ddf, crates/squawk_linter/src/rules) is covered
// by a strata rule (rules.def's squawk column) or is a documented difference, and
// docs/rules/squawk-coverage.md lists it.
TEST(Catalogue, EverySquawkRuleIsCovered) {
  const char* squawk[] = {"adding-field-with-default",
                          "adding-foreign-key-constraint",
                          "adding-not-nullable-field",
                          "adding-required-field",
                          "adding-serial-primary-key-field",
                          "ban-alter-domain-with-add-constraint",
                          "ban-char-field",
                          "ban-concurrent-index-creation-in-transaction",
                          "ban-create-domain-with-constraint",
                          "ban-drop-column",
                          "ban-drop-database",
                          "ban-drop-not-null",
                          "ban-drop-table",
                          "ban-duplicate-column-assignments",
                          "ban-truncate-cascade",
                          "ban-uncommitted-transaction",
                          "changing-column-type",
                          "constraint-missing-not-valid",
                          "disallowed-unique-constraint",
                          "identifier-too-long",
                          "prefer-bigint-over-int",
                          "prefer-bigint-over-smallint",
                          "prefer-identity",
                          "prefer-repack",
                          "prefer-robust-stmts",
                          "prefer-text-field",
                          "prefer-timestamptz",
                          "renaming-column",
                          "renaming-table",
                          "require-concurrent-index-creation",
                          "require-concurrent-index-deletion",
                          "require-concurrent-partition-detach",
                          "require-concurrent-reindex",
                          "require-enum-value-ordering",
                          "require-lock-timeout",
                          "require-statement-timeout",
                          "require-table-schema",
                          "require-timeout-settings",
                          "transaction-nesting",
                          "unused-ignore"};
  // Deliberate differences (docs/rules/squawk-coverage.md says why).
  const std::set<std::string> differences = {"require-timeout-settings"};
  std::set<std::string> mapped;
  for (const auto& r : AllRules()) {
    std::string list(r.squawk);
    size_t start = 0;
    while (start < list.size()) {
      size_t comma = list.find(',', start);
      std::string one = list.substr(start, comma == std::string::npos ? comma : comma - start);
      while (!one.empty() && one.front() == ' ') one.erase(0, 1);
      if (!one.empty()) mapped.insert(one);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  std::string doc =
      testing::ReadFile(std::string(STRATA_SOURCE_DIR) + "/docs/rules/squawk-coverage.md");
  for (const char* s : squawk) {
    EXPECT_TRUE(mapped.count(s) || differences.count(s))
        << "squawk rule " << s << " is not covered";
    EXPECT_NE(doc.find(std::string("| `") + s + "` |"), std::string::npos)
        << "docs/rules/squawk-coverage.md does not list " << s;
  }
}

}  // namespace
}  // namespace strata::lint
