// squawk's own rule cases (../shared/corpora/squawk-rules/squawk-rule-cases.jsonl) as an
// oracle: for every squawk rule strata covers, strata must flag the `error` and `fix` cases
// and pass the `ok` cases. Agreement is reported per rule; the test fails when the overall
// agreement is below 95% (or any rule's below 75%) once the deliberate differences listed in
// docs/lint-corpus-review.md (kDeliberate below) are set aside.
#include "lint/linter.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <set>

namespace strata::lint {
namespace {

const std::string kCases =
    std::string(STRATA_SOURCE_DIR) + "/../shared/corpora/squawk-rules/squawk-rule-cases.jsonl";

// squawk rule → strata rules that cover it (any of them flagging counts).
const std::map<std::string, std::vector<std::string>> kMap = {
    {"AddingFieldWithDefault", {"CL101"}},
    {"AddingForeignKeyConstraint", {"CN101"}},
    {"AddingNotNullableField", {"CN107"}},
    {"AddingRequiredField", {"CL102"}},
    {"AddingSerialPrimaryKeyField", {"CN105"}},
    {"BanAlterDomainWithAddConstraint", {"CN109"}},
    {"BanCharField", {"TY101"}},
    {"BanConcurrentIndexCreationInTransaction", {"LK103"}},
    {"BanCreateDomainWithConstraint", {"CN110"}},
    {"BanDropColumn", {"BC104"}},
    {"BanDropDatabase", {"BC108"}},
    {"BanDropNotNull", {"CN108"}},
    {"BanDropTable", {"BC105"}},
    {"BanDuplicateColumnAssignments", {"ST104"}},
    {"BanTruncateCascade", {"BC107"}},
    {"BanUncommittedTransaction", {"TX101"}},
    {"ChangingColumnType", {"CL104"}},
    {"ConstraintMissingNotValid", {"CN102", "CN101", "CN103"}},
    {"DisallowedUniqueConstraint", {"CN104"}},
    {"IdentifierTooLong", {"ST101"}},
    {"PreferBigintOverInt", {"TY102"}},
    {"PreferBigintOverSmallint", {"TY103"}},
    {"PreferIdentity", {"TY104"}},
    {"PreferRepack", {"LK109"}},
    {"PreferRobustStmts", {"ST102"}},
    {"PreferTextField", {"TY105"}},
    {"PreferTimestampTz", {"TY106"}},
    {"RenamingColumn", {"BC101"}},
    {"RenamingTable", {"BC102"}},
    {"RequireConcurrentIndexCreation", {"LK101"}},
    {"RequireConcurrentIndexDeletion", {"LK102"}},
    {"RequireConcurrentPartitionDetach", {"LK105"}},
    {"RequireConcurrentReindex", {"LK104"}},
    {"RequireEnumValueOrdering", {"ST105"}},
    {"RequireLockTimeout", {"LK106"}},
    {"RequireStatementTimeout", {"LK107"}},
    {"RequireTableSchema", {"ST103"}},
    {"RequireTimeoutSettings", {"LK106", "LK107"}},
    {"TransactionNesting", {"TX102"}},
};

// Cases where strata is deliberately different, "rule/test#n" → reason. Each one is listed in
// docs/lint-corpus-review.md.
const std::map<std::string, std::string> kDeliberate = {
    {"BanConcurrentIndexCreationInTransaction/assuming_in_transaction_ok#1",
     "strata's engine refuses CONCURRENTLY in a transactional file even when it is the only "
     "statement"},
    {"BanConcurrentIndexCreationInTransaction/squawk_disable_assume_in_transaction_overrides#1",
     "squawk-only directive; strata's is -- strata:transaction off"},
    {"TransactionNesting/squawk_disable_assume_in_transaction_ok#1",
     "squawk-only directive; strata's is -- strata:transaction off"},
    {"PreferRepack/cluster_below_pg19_ok#1",
     "strata flags CLUSTER on every version: pg_repack is the online path before REPACK"},
    {"PreferRepack/vacuum_full_below_pg19_ok#1",
     "strata flags VACUUM FULL on every version: pg_repack is the online path"},
    {"RequireStatementTimeout/err_only_statement_timeout_rule_enabled#1",
     "statement_timeout only before scans/rewrites of existing tables"},
    {"RequireTimeoutSettings/err_missing_statement_timeout#1",
     "statement_timeout only before scans/rewrites of existing tables"},
    {"RequireTimeoutSettings/fix_add_statement_timeout_only#1",
     "statement_timeout only before scans/rewrites of existing tables"},
    {"RequireTimeoutSettings/err_other_ddl_operations#1",
     "no lock_timeout demanded for CREATE TYPE (no table lock queue)"},
    {"RequireTimeoutSettings/err_comment_on_explains_lock_impact#1",
     "no lock_timeout demanded for COMMENT ON"},
    {"RequireTimeoutSettings/err_vacuum_full_false_uses_non_full_lock#1",
     "plain VACUUM takes SHARE UPDATE EXCLUSIVE: blocks no reads or writes"},
    {"RequireTimeoutSettings/err_lock_access_share_uses_correct_article#1",
     "LOCK ... ACCESS SHARE blocks no reads or writes"},
    {"RequireTimeoutSettings/fix_multiple_ddl_statements#1",
     "statement_timeout only before scans/rewrites of existing tables"},
    {"PreferRobustStmts/enable_row_level_security_err#1",
     "opt-in rule; strata does not ask for a transaction around RLS toggles"},
    {"PreferRobustStmts/enable_row_level_security_without_exists_check_err#1", "as above"},
    {"PreferRobustStmts/disable_row_level_security_err#1", "as above"},
    {"PreferRobustStmts/alter_column_set_not_null#1",
     "SET NOT NULL is idempotent; re-running it succeeds"},
};

struct Tally {
  int agree = 0;
  int total = 0;
  std::vector<std::string> misses;
};

TEST(SquawkOracle, AgreementPerRule) {
  std::ifstream in(kCases);
  // The corpora live beside the checkout (../shared/corpora); a clone elsewhere has none.
  if (!in) GTEST_SKIP() << "squawk cases not found at " << kCases;
  std::map<std::string, Tally> per_rule;
  std::map<std::string, int> seen_test;
  std::string line;
  int deliberate = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    std::string rule = j["rule"];
    auto it = kMap.find(rule);
    if (it == kMap.end()) continue;
    std::string key = rule + "/" + std::string(j["test"]) + "#" +
                      std::to_string(++seen_test[rule + "/" + std::string(j["test"])]);
    bool expect_flag = j["expect"] != "ok";
    LintConfig config;
    config.engine_lock_timeout = false;
    config.engine_statement_timeout = false;
    config.default_transactional = j.value("assume_in_transaction", false);
    config.enabled = {"prefer-robust-stmts", "require-table-schema"};
    if (j.contains("pg_version")) {
      std::string v = j["pg_version"].is_string() ? std::string(j["pg_version"])
                                                  : std::to_string(int(j["pg_version"]));
      config.pg_version = std::stoi(v);
    }
    LintInput input{"case.sql", "V1__case.sql", j["sql"], true, false, ""};
    LintResult r = Lint({input}, config);
    bool flagged = false;
    for (const auto& f : r.findings) {
      for (const auto& id : it->second) flagged = flagged || f.rule_id == id;
    }
    if (kDeliberate.count(key)) {
      ++deliberate;
      continue;
    }
    Tally& t = per_rule[rule];
    ++t.total;
    if (flagged == expect_flag) {
      ++t.agree;
    } else {
      t.misses.push_back(
          key +
          (expect_flag ? " (squawk flags, strata does not)" : " (strata flags, squawk does not)") +
          ": " + std::string(j["sql"]).substr(0, 160));
    }
  }
  int agree = 0, total = 0;
  std::string report;
  for (const auto& [rule, t] : per_rule) {
    agree += t.agree;
    total += t.total;
    report += rule + ": " + std::to_string(t.agree) + "/" + std::to_string(t.total) + "\n";
    for (const auto& m : t.misses) report += "    " + m + "\n";
  }
  double pct = total ? 100.0 * agree / total : 0;
  std::cout << report << "overall: " << agree << "/" << total << " (" << pct << "%), " << deliberate
            << " deliberate differences set aside\n";
  EXPECT_GE(pct, 95.0) << report;
  // Per rule: small rules have 1-3 cases, so one miss is 50-66%; require 75% per rule and
  // list every miss above.
  for (const auto& [rule, t] : per_rule) {
    EXPECT_GE(100.0 * t.agree / t.total, 75.0) << rule << " agreement below 75%";
  }
}

}  // namespace
}  // namespace strata::lint
