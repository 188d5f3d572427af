// Audited corrections on real SQLite and PostgreSQL: seed 001 §24's correction of quote
// revisions stuck in CONFIGURED (issue 6, "Evidence that it works").
#include <gtest/gtest.h>

#include <set>

#include "seed/seed_fixture.h"

namespace strata::testing {
namespace {

const char* kId = "CORR-2026-07-QUOTE-STATE-001";
const char* kFile = "db/corrections/CORR-2026-07-QUOTE-STATE-001.toml";
// Revisions the fixtures leave stuck in CONFIGURED with a price snapshot (the third CONFIGURED
// revision has none and must not be touched).
const std::set<std::string> kStuck = {"20000000-0000-4000-8000-000000000001",
                                      "20000000-0000-4000-8000-000000000002"};

// The current image of a quote_revision row, as JSON, the way strata captures it.
nlohmann::json Image(const SeedProject& p, const std::string& id) {
  std::string sql =
      p.pg() ? "SELECT CAST(to_jsonb(quote_revision) AS TEXT) FROM quote_revision WHERE id = $1"
             : "SELECT json_object('id', id, 'quote_id', quote_id, 'revision_no', revision_no, "
               "'state', state, 'contract_term_months', contract_term_months, "
               "'catalog_snapshot_hash', catalog_snapshot_hash, 'configuration_snapshot_hash', "
               "configuration_snapshot_hash, 'price_snapshot_hash', price_snapshot_hash, "
               "'created_at', created_at, 'created_by', created_by, 'version', version) FROM "
               "quote_revision WHERE id = $1";
  return nlohmann::json::parse(p.Scalar(sql, {id}));
}

class CorrectTest : public SeedTest {
 protected:
  void Prepare(SeedProject& p) {
    p.Migrate();
    auto r = p.Run({"seed", "apply", "--env", "local"});
    ASSERT_EQ(r.exit_code, kExitOk) << r.All();
  }
};

TEST_P(CorrectTest, AuditRowsMatchTheChangedRowsAndRevertRestoresTheBeforeImages) {
  SeedProject p(GetParam());
  ASSERT_NO_FATAL_FAILURE(Prepare(p));
  std::map<std::string, nlohmann::json> before;
  for (const auto& id : kStuck) before[id] = Image(p, id);
  auto untouched = Image(p, "20000000-0000-4000-8000-000000000003");

  int code = -1;
  auto plan = p.Json({"correct", "plan", kId}, &code);
  ASSERT_EQ(code, kExitOk) << plan.dump(2);
  EXPECT_EQ(plan["count"], 2);
  EXPECT_TRUE(plan["in_range"].get<bool>());
  ASSERT_EQ(plan["sample"].size(), 2u);
  for (const auto& s : plan["sample"]) {
    EXPECT_EQ(s["before"]["state"], "CONFIGURED");
    EXPECT_EQ(s["after"]["state"], "PRICED");
  }
  EXPECT_EQ(p.Count("quote_revision WHERE state = 'PRICED'"), 1) << "plan changed data";

  auto apply = p.Json({"correct", "apply", kId}, &code);
  ASSERT_EQ(code, kExitOk) << apply.dump(2);
  std::string run = apply["run_id"].get<std::string>();
  // One audit row per changed row, and nothing else.
  auto audit = p.Rows(
      "SELECT target_id, CAST(before_value AS TEXT), CAST(after_value AS TEXT), "
      "correction_id, target_table, reason, approved_by FROM "
      "strata_correction_audit WHERE run_id = $1 ORDER BY target_id",
      {run});
  ASSERT_EQ(audit.size(), kStuck.size());
  std::set<std::string> audited;
  for (const auto& a : audit) {
    audited.insert(a[0]);
    EXPECT_EQ(nlohmann::json::parse(a[1]), before[a[0]]) << "before image of " << a[0];
    EXPECT_EQ(nlohmann::json::parse(a[2]), Image(p, a[0])) << "after image of " << a[0];
    EXPECT_EQ(nlohmann::json::parse(a[2])["state"], "PRICED");
    EXPECT_EQ(a[3], kId);
    EXPECT_EQ(a[4], "quote_revision");
    EXPECT_EQ(a[6], "commercial-ops-lead");
  }
  EXPECT_EQ(audited, kStuck);
  EXPECT_EQ(Image(p, "20000000-0000-4000-8000-000000000003"), untouched);
  // The run record and the ledger row.
  EXPECT_EQ(p.Scalar("SELECT outcome FROM strata_correction_run WHERE run_id = $1", {run}),
            "applied");
  EXPECT_EQ(p.Count("strata_schema_history WHERE type = 'CORRECTION'"), 1);
  EXPECT_EQ(p.Run({"validate"}).exit_code, kExitOk);
  // The evidence run record (strata_run) links to it.
  std::string evidence_run = apply["evidence_run_id"].get<std::string>();
  EXPECT_EQ(p.Rows("SELECT verb, outcome FROM strata_run WHERE run_id = $1", {evidence_run}),
            (std::vector<std::vector<std::string>>{{"correct apply", "succeeded"}}));
  EXPECT_EQ(p.Scalar("SELECT evidence_run FROM strata_correction_run WHERE run_id = $1", {run}),
            evidence_run);

  // It applies once.
  auto again = p.Run({"correct", "apply", kId});
  EXPECT_EQ(again.exit_code, kExitRefused) << again.All();
  EXPECT_NE(again.err.find("correct revert"), std::string::npos) << again.All();

  auto revert = p.Json({"correct", "revert", kId}, &code);
  ASSERT_EQ(code, kExitOk) << revert.dump(2);
  EXPECT_EQ(revert["reverts_run"], run);
  for (const auto& id : kStuck) {
    EXPECT_EQ(Image(p, id), before[id]) << "revert did not restore " << id;
  }
  // The revert is itself audited: one row per restored row, before = the correction's after.
  std::string revert_run = revert["run_id"].get<std::string>();
  auto raudit = p.Rows(
      "SELECT target_id, CAST(after_value AS TEXT) FROM strata_correction_audit "
      "WHERE run_id = $1 AND kind = 'revert' ORDER BY target_id",
      {revert_run});
  ASSERT_EQ(raudit.size(), kStuck.size());
  for (const auto& a : raudit) EXPECT_EQ(nlohmann::json::parse(a[1]), before[a[0]]);
  EXPECT_EQ(p.Count("strata_schema_history WHERE type = 'CORRECTION'"), 2);
  EXPECT_EQ(p.Run({"correct", "revert", kId}).exit_code, kExitRefused) << "nothing left to revert";
}

// Issue 17: "expected range -5..50 is empty" and "`table` is missing" for a name with a quote:
// each error says what is wrong with the value given.
TEST_P(CorrectTest, InvalidRangesAndNamesSayWhatIsWrong) {
  SeedProject p(GetParam());
  ASSERT_NO_FATAL_FAILURE(Prepare(p));
  p.Edit(kFile, "min_rows = 1", "min_rows = -5");
  auto r = p.Run({"correct", "plan", kId});
  EXPECT_NE(r.exit_code, 0) << r.All();
  EXPECT_NE(r.err.find("expect.min_rows = -5 is negative"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("is empty"), std::string::npos) << r.err;
  p.Edit(kFile, "min_rows = -5", "min_rows = 60");
  r = p.Run({"correct", "plan", kId});
  EXPECT_NE(r.err.find("expect.max_rows = 50 is below expect.min_rows = 60"), std::string::npos)
      << r.err;
  p.Edit(kFile, "min_rows = 60", "min_rows = 1");
  p.Edit(kFile, "table = \"quote_revision\"", "table = \"quote\\\"revision\"");
  r = p.Run({"correct", "plan", kId});
  EXPECT_NE(r.err.find("table = \"quote\"revision\" is not a plain SQL identifier"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("is missing"), std::string::npos) << r.err;
}

TEST_P(CorrectTest, CountOutsideTheExpectedRangeRollsBackAndIsRecorded) {
  SeedProject p(GetParam());
  ASSERT_NO_FATAL_FAILURE(Prepare(p));
  p.Edit(kFile, "max_rows = 50", "max_rows = 1");
  int code = -1;
  auto plan = p.Json({"correct", "plan", kId}, &code);
  EXPECT_EQ(code, kExitCheckFailed) << plan.dump(2);
  EXPECT_FALSE(plan["in_range"].get<bool>());
  auto r = p.Run({"correct", "apply", kId});
  EXPECT_EQ(r.exit_code, kExitCheckFailed) << r.All();
  EXPECT_NE(r.err.find("2 row(s)"), std::string::npos) << r.All();
  EXPECT_NE(r.err.find("rolled back"), std::string::npos) << r.All();
  EXPECT_EQ(p.Count("quote_revision WHERE state = 'CONFIGURED'"), 3) << "rows changed";
  EXPECT_EQ(p.Count("strata_correction_audit"), 0);
  EXPECT_EQ(p.Count("strata_correction_run WHERE outcome = 'rolled-back'"), 1);
  EXPECT_EQ(p.Count("strata_run WHERE verb = 'correct apply' AND outcome = 'failed' AND "
                    "error_code = 'check-failed'"),
            1);
  EXPECT_EQ(p.Count("strata_schema_history WHERE type = 'CORRECTION'"), 0);
}

TEST_P(CorrectTest, RevertRefusesToOverwriteALaterChange) {
  SeedProject p(GetParam());
  ASSERT_NO_FATAL_FAILURE(Prepare(p));
  ASSERT_EQ(p.Run({"correct", "apply", kId}).exit_code, kExitOk);
  auto c = p.Connect();
  ASSERT_TRUE(c->Exec("UPDATE quote_revision SET state = 'APPROVED' WHERE id = "
                      "'20000000-0000-4000-8000-000000000001'")
                  .ok());
  auto r = p.Run({"correct", "revert", kId});
  EXPECT_EQ(r.exit_code, kExitRefused) << r.All();
  EXPECT_NE(r.err.find("changed since"), std::string::npos) << r.All();
  EXPECT_EQ(p.Scalar("SELECT state FROM quote_revision WHERE id = "
                     "'20000000-0000-4000-8000-000000000002'"),
            "PRICED")
      << "a refused revert changed a row";
  EXPECT_EQ(p.Count("strata_correction_audit WHERE kind = 'revert'"), 0);
}

// Issue 14: a correction's `where` is spliced into strata's statements; text that would end
// them and run another statement is refused before anything runs, by plan and by apply.
TEST_P(CorrectTest, WhereThatEndsTheStatementIsRefusedAndTheCanarySurvives) {
  SeedProject p(GetParam());
  ASSERT_NO_FATAL_FAILURE(Prepare(p));
  auto c = p.Connect();
  ASSERT_TRUE(c->Exec("CREATE TABLE canary (n integer)").ok());
  const std::string original =
      "where = \"state = 'CONFIGURED' and price_snapshot_hash is not null\"";
  const std::vector<std::string> attempts = {
      // The example: close strata's parenthesis, drop a table, reopen one.
      "where = \"state='BROKEN') ; DROP TABLE canary; SELECT (1\"",
      // The same without the parentheses.
      "where = \"1 = 1; DROP TABLE canary\"",
      // Leaving the parentheses without a `;`: (state = 'X') OR (true) ORDER BY ...
      "where = \"state = 'X') OR (true\"",
  };
  std::string current = original;
  for (const auto& where : attempts) {
    p.Edit(kFile, current, where);
    current = where;
    for (const char* verb : {"plan", "apply"}) {
      auto r = p.Run({"correct", verb, kId});
      EXPECT_EQ(r.exit_code, 2) << where << "\n" << r.All();  // kConfig
      EXPECT_NE(r.err.find(std::string(kFile) + ":9"), std::string::npos) << r.All();
      EXPECT_NE(r.err.find("expected exactly one boolean expression"), std::string::npos)
          << r.All();
      auto canary = c->TableExists("", "canary");
      EXPECT_TRUE(canary.ok() && *canary) << verb << " " << where;
    }
  }
  EXPECT_EQ(p.Count("quote_revision WHERE state = 'PRICED'"), 1)
      << "a refused correction changed data";
  EXPECT_EQ(p.Count("strata_schema_history WHERE type = 'CORRECTION'"), 0);
}

// Issue 14: `correct plan` runs read-only and rolls back. A predicate with a side-effect-free
// function runs; one whose function writes is stopped by the database (PostgreSQL: a READ ONLY
// transaction), and one holding a data-modifying statement is refused before it runs.
TEST_P(CorrectTest, PlanRunsReadOnly) {
  SeedProject p(GetParam());
  ASSERT_NO_FATAL_FAILURE(Prepare(p));
  auto c = p.Connect();
  ASSERT_TRUE(c->Exec("CREATE TABLE canary (n integer)").ok());
  const std::string original =
      "where = \"state = 'CONFIGURED' and price_snapshot_hash is not null\"";
  std::string ok_where =
      p.pg()
          ? "where = \"id in (select id from quote_revision where state = 'CONFIGURED' and "
            "price_snapshot_hash is not null) and (select pg_catalog.set_config('strata.x', 'y', "
            "false)) is not null\""
          : "where = \"id in (select id from quote_revision where state = 'CONFIGURED' and "
            "price_snapshot_hash is not null) and abs(-1) = 1\"";
  p.Edit(kFile, original, ok_where);
  int code = -1;
  auto plan = p.Json({"correct", "plan", kId}, &code);
  EXPECT_EQ(code, kExitOk) << plan.dump(2);
  EXPECT_EQ(plan["count"], 2);

  std::string current = ok_where;
  auto set_where = [&](const std::string& w) {
    p.Edit(kFile, current, w);
    current = w;
  };
  set_where(
      "where = \"id in (with d as (insert into canary values (1) returning 'x') select * from "
      "d)\"");
  auto r = p.Run({"correct", "plan", kId});
  EXPECT_EQ(r.exit_code, 2) << r.All();
  EXPECT_NE(r.err.find("data-modifying"), std::string::npos) << r.All();
  if (p.pg()) {
    ASSERT_TRUE(c->Exec("CREATE FUNCTION canary_bump() RETURNS boolean LANGUAGE sql VOLATILE AS "
                        "'INSERT INTO canary VALUES (1) RETURNING true'")
                    .ok());
    set_where("where = \"canary_bump()\"");
    r = p.Run({"correct", "plan", kId});
    EXPECT_NE(r.exit_code, kExitOk) << r.All();
    EXPECT_NE(r.err.find("read-only transaction"), std::string::npos) << r.All();
  }
  EXPECT_EQ(p.Count("canary"), 0) << "plan wrote";
  EXPECT_EQ(p.Count("quote_revision WHERE state = 'PRICED'"), 1) << "plan changed data";
  // The connection plan used was left writable and nothing is left open: apply still works.
  set_where(original);
  EXPECT_EQ(p.Run({"correct", "apply", kId}).exit_code, kExitOk);
  EXPECT_EQ(p.Count("quote_revision WHERE state = 'PRICED'"), 3);
}

INSTANTIATE_TEST_SUITE_P(Dialects, CorrectTest,
                         ::testing::Values(SeedDb::kSqlite, SeedDb::kPostgres), SeedDbName);

}  // namespace
}  // namespace strata::testing
