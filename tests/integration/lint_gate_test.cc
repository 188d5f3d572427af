// Issue 3, "Gate at apply time" and the live lines of "Risk classes and lock analysis" and
// "Suppression and change-awareness": `migrate` runs the analyzer on the pending set before
// anything is applied, live-aware on PostgreSQL; `lint --url` escalates by real table sizes;
// `lint --since` reads git. Real binary, real databases, real git.
#include <fmt/format.h>

#include <cstdlib>

#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

using nlohmann::json;

constexpr int kExitLint = 7;

class LintGateTest : public EngineTest {};

bool HasRule(const json& arr, const std::string& id, const char* key = "rule_id") {
  for (const auto& f : arr) {
    if (f.value(key, "") == id) return true;
  }
  return false;
}

// "refuses to apply any with findings at or above lint.gate (default: error)": a plain
// CREATE INDEX on a table that already exists (LK101, error) is refused on PostgreSQL, with the
// finding printed like a compiler, and nothing of the run applied — not even the migration
// before it in the same run.
TEST_P(LintGateTest, RefusesErrorFindingsBeforeAnythingRuns) {
  Project p(GetParam());
  p.Write("V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Write("V2__audit.sql", "CREATE TABLE audit (id bigint PRIMARY KEY);\n");
  p.Write(
      "V3__orders_by_customer.sql",
      "-- an index for the customer page\nCREATE INDEX orders_customer ON orders (customer);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  if (!pg()) {
    // SQLite has no CONCURRENTLY and locks the whole file anyway: PostgreSQL lock rules do not
    // gate there.
    EXPECT_EQ(r.exit_code, 0) << r.All();
    EXPECT_EQ(p.LedgerRows(), 3);
    return;
  }
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.out.find("V3__orders_by_customer.sql:2:1: error[LK101]"), std::string::npos)
      << r.All();
  EXPECT_NE(r.out.find("CONCURRENTLY"), std::string::npos) << r.All();
  EXPECT_NE(r.err.find("lint gate refused"), std::string::npos) << r.All();
  EXPECT_NE(r.err.find("nothing was applied"), std::string::npos) << r.All();
  EXPECT_FALSE(p.TableExists("audit"));
  EXPECT_EQ(p.LedgerRows(), 1);
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_customer'"), "0");

  // --json carries the blocking finding and the gate that applied; --dry-run is refused too.
  auto j = p.Json({"migrate"});
  EXPECT_FALSE(j["ok"].get<bool>());
  EXPECT_EQ(j["lint"]["gate"], "error");
  EXPECT_EQ(j["lint"]["pg_version"], "15 (live)");
  EXPECT_TRUE(HasRule(j["lint"]["blocking"], "LK101")) << j.dump(2);
  EXPECT_EQ(j["error"]["code"], "lint") << j.dump(2);
  EXPECT_EQ(p.Run({"migrate", "--dry-run"}).exit_code, kExitLint);

  // The fix the finding names passes the gate.
  p.Write("V3__orders_by_customer.sql",
          "-- strata:transaction off\n"
          "CREATE INDEX CONCURRENTLY orders_customer ON orders (customer);\n");
  p.Hash();
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.LedgerRows(), 3);
}

// "tables created earlier in the same set are new": indexing a table created by a pending
// migration of the same run needs no CONCURRENTLY, so the gate lets it through.
TEST_P(LintGateTest, TablesCreatedInThePendingSetAreNew) {
  Project p(GetParam());
  p.Write("V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint);\n");
  p.Write("V2__orders_by_customer.sql", "CREATE INDEX orders_customer ON orders (customer);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.LedgerRows(), 2);
}

// Dialect-neutral rules gate on SQLite too: DELETE without WHERE (DM101) is refused on both,
// and the rows stay.
TEST_P(LintGateTest, DeleteWithoutWhereIsRefusedOnBothDatabases) {
  Project p(GetParam());
  p.Write("V1__codes.sql",
          "CREATE TABLE codes (code text PRIMARY KEY);\nINSERT INTO codes VALUES ('A'), ('B');\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Write("V2__reset_codes.sql", "DELETE FROM codes;\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.out.find("V2__reset_codes.sql:1:1: error[DM101]"), std::string::npos) << r.All();
  EXPECT_EQ(p.Count("codes"), 2);
  EXPECT_EQ(p.LedgerRows(), 1);
}

// "unless suppressed. Accepted suppressions, with their reasons, are recorded in the ledger
// beside the migration": the allowed migration applies, the ledger row's reason (covered by
// the hash chain) names the rule and the reason, `info` and `migrate --json` show it.
TEST_P(LintGateTest, AcceptedSuppressionIsRecordedInTheLedger) {
  Project p(GetParam());
  p.Write("V1__codes.sql",
          "CREATE TABLE codes (code text PRIMARY KEY);\nINSERT INTO codes VALUES ('A'), ('B');\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Write("V2__reset_codes.sql",
          "-- strata:allow delete-without-where reason=\"demo tenant reset, ticket OPS-12\"\n"
          "DELETE FROM codes;\n");
  p.Hash();
  auto j = p.Json({"migrate"});
  ASSERT_TRUE(j["ok"].get<bool>()) << j.dump(2);
  ASSERT_EQ(j["lint"]["accepted"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["lint"]["accepted"][0]["script"], "V2__reset_codes.sql");
  EXPECT_EQ(j["lint"]["accepted"][0]["reason"], "demo tenant reset, ticket OPS-12");
  EXPECT_EQ(j["lint"]["accepted"][0]["suppressed"], 1);
  ASSERT_EQ(j["applied"].size(), 1u);
  EXPECT_EQ(j["applied"][0]["lint_allowed"][0],
            "delete-without-where at line 1: demo tenant reset, ticket OPS-12");
  EXPECT_EQ(p.Count("codes"), 0);

  std::string reason =
      p.Scalar("SELECT reason FROM strata_schema_history WHERE script = 'V2__reset_codes.sql'");
  EXPECT_EQ(reason,
            "lint allowed delete-without-where at line 1: demo tenant reset, ticket OPS-12");
  auto info = p.Json({"info"});
  bool seen = false;
  for (const auto& m : info["migrations"]) {
    if (m["script"] == "V2__reset_codes.sql") {
      seen = true;
      EXPECT_EQ(m.value("note", ""), reason);
    }
  }
  EXPECT_TRUE(seen) << info.dump(2);
  // The note is part of the hash chain: editing it by hand is detected.
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
  p.Exec(
      "UPDATE strata_schema_history SET reason = 'nothing to see' WHERE script = "
      "'V2__reset_codes.sql'");
  auto v = p.Run({"validate"});
  EXPECT_EQ(v.exit_code, kExitValidation) << v.All();
}

// "a suppression without a reason ... is itself a finding": it does not open the gate.
TEST_P(LintGateTest, SuppressionWithoutReasonDoesNotOpenTheGate) {
  Project p(GetParam());
  p.Write("V1__codes.sql", "CREATE TABLE codes (code text PRIMARY KEY);\n");
  p.Write("V2__reset_codes.sql", "-- strata:allow delete-without-where\nDELETE FROM codes;\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.out.find("SY102"), std::string::npos) << r.All();
  EXPECT_FALSE(p.TableExists("codes"));
}

// `[lint] gate` moves the threshold; `[migrate] lint_gate = false` turns the gate off (and the
// --json report says so).
TEST_P(LintGateTest, GateThresholdAndSwitchComeFromConfig) {
  {
    Project p(GetParam(), "[lint]\ngate = \"warning\"\n");
    p.Write("V1__vague.sql", "CREATE TABLE fine (id bigint PRIMARY KEY);\n");
    p.Write("V2__fix.sql", "CREATE TABLE fine2 (id bigint PRIMARY KEY);\n");  // ST106, warning
    p.Hash();
    auto j = p.Json({"migrate"});
    EXPECT_FALSE(j["ok"].get<bool>()) << j.dump(2);
    EXPECT_EQ(j["lint"]["gate"], "warning");
    EXPECT_TRUE(HasRule(j["lint"]["blocking"], "ST106")) << j.dump(2);
    EXPECT_FALSE(p.TableExists("fine"));
  }
  {
    Project p(GetParam(), "[migrate]\nlint_gate = false\n");
    p.Write("V1__codes.sql", "CREATE TABLE codes (code text PRIMARY KEY);\nDELETE FROM codes;\n");
    p.Hash();
    auto j = p.Json({"migrate"});
    EXPECT_TRUE(j["ok"].get<bool>()) << j.dump(2);
    EXPECT_EQ(j["lint"]["ran"], false);
    EXPECT_EQ(j["lint"]["skipped"], "[migrate] lint_gate = false");
    EXPECT_TRUE(p.TableExists("codes"));
  }
}

// "Live-aware: with --url, read row estimates and sizes (pg_class) ... a rule that depends on
// table size escalates above a configurable threshold ... and the report shows the size":
// SET NOT NULL (CN107, a warning) on a table above [lint] large_rows is an error in
// `lint --url` and blocks `migrate`; below the threshold it stays a warning.
TEST_P(LintGateTest, LiveSizesEscalateInLintAndInTheGate) {
  if (!pg()) GTEST_SKIP() << "table sizes are read from PostgreSQL's pg_class";
  Project p(GetParam(), "[lint]\nlarge_rows = 5000\n");
  p.Write("V1__events.sql",
          "CREATE TABLE events (id bigint PRIMARY KEY, kind text);\n"
          "CREATE TABLE small (id bigint PRIMARY KEY, kind text);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Exec("INSERT INTO events SELECT g, 'k' FROM generate_series(1, 20000) g");
  p.Exec("INSERT INTO small SELECT g, 'k' FROM generate_series(1, 10) g");
  p.Exec("ANALYZE events");
  p.Exec("ANALYZE small");
  p.Write("V2__small_kind_required.sql", "ALTER TABLE small ALTER COLUMN kind SET NOT NULL;\n");
  p.Write("V3__events_kind_required.sql", "ALTER TABLE events ALTER COLUMN kind SET NOT NULL;\n");
  p.Hash();

  // Static (the two files alone, so the tables are not "new"): both are warnings.
  auto stat = json::parse(
      RunStrata({"lint", "--format", "json", p.MigrationPath("V2__small_kind_required.sql"),
                 p.MigrationPath("V3__events_kind_required.sql")},
                p.dir().path())
          .out);
  int warnings = 0;
  for (const auto& f : stat["findings"]) {
    if (f["rule"] == "CN107") {
      EXPECT_EQ(f["severity"], "warning");
      ++warnings;
    }
  }
  EXPECT_EQ(warnings, 2) << stat.dump(2);

  // Live: the large one is an error and shows its size; the version is the server's.
  auto lr = p.Run({"lint", "--format", "json"});
  EXPECT_EQ(lr.exit_code, kExitLint) << lr.All();
  auto live = json::parse(lr.out);
  EXPECT_TRUE(live["live"].get<bool>());
  EXPECT_EQ(live["pg_version_source"], "live");
  int escalated = 0;
  for (const auto& f : live["findings"]) {
    if (f["rule"] != "CN107") continue;
    bool big = f["file"].get<std::string>().find("events") != std::string::npos;
    EXPECT_EQ(f["severity"], big ? "error" : "warning") << f.dump();
    if (big) {
      ++escalated;
      EXPECT_NE(f.value("size", "").find("20,000"), std::string::npos) << f.dump();
    }
  }
  EXPECT_EQ(escalated, 1);

  // The gate reads the same sizes: V2 (small) would pass, V3 (large) blocks the whole run.
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.out.find("V3__events_kind_required.sql:1:1: error[CN107]"), std::string::npos)
      << r.All();
  EXPECT_NE(r.out.find("20,000"), std::string::npos) << r.All();
  EXPECT_EQ(p.Scalar("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'small'::regclass "
                     "AND attname = 'kind'"),
            "f");
}

// "--since <git-ref>: lint only migrations added or changed since the ref, and flag any
// already-applied migration (per git history ...) whose content changed."
TEST_P(LintGateTest, SinceLintsOnlyChangesAndFlagsEditedMergedFiles) {
  if (pg()) GTEST_SKIP() << "needs no database; run once";
  if (std::system("git --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "git not installed";
  Project p(GetParam());
  p.Write("V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint);\n");
  p.Write("V2__notes.sql", "CREATE TABLE notes (id bigint PRIMARY KEY);\n");
  p.Write("V3__reset.sql", "DELETE FROM orders;\n");  // an old finding, already merged
  std::string dir = p.dir().path();
  auto git = [&](const std::string& args) {
    std::string cmd = "git -C '" + dir + "' -c user.email=t@example.com -c user.name=t " + args +
                      " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  };
  git("init -q");
  git("add -A");
  git("commit -q -m base");
  git("tag base");
  // After the ref: a new risky file and an edit of a merged one.
  p.Write("V4__orders_by_customer.sql", "CREATE INDEX orders_customer ON orders (customer);\n");
  p.Write("V2__notes.sql", "CREATE TABLE notes (id bigint PRIMARY KEY, body text);\n");

  auto r = RunStrata({"lint", "--since", "base", "--format", "json"}, dir);
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  auto j = json::parse(r.out);
  EXPECT_TRUE(HasRule(j["findings"], "LK101", "rule")) << j.dump(2);   // V4: orders is not new
  EXPECT_TRUE(HasRule(j["findings"], "SY106", "rule")) << j.dump(2);   // V2 edited after merge
  EXPECT_FALSE(HasRule(j["findings"], "DM101", "rule")) << j.dump(2);  // V3 unchanged: not linted
  for (const auto& f : j["findings"]) {
    if (f["rule"] == "SY106") {
      EXPECT_NE(f["file"].get<std::string>().find("V2__notes.sql"), std::string::npos);
    }
  }
  // An unknown ref is a usage error naming it.
  auto bad = RunStrata({"lint", "--since", "no-such-ref"}, dir);
  EXPECT_EQ(bad.exit_code, kExitUsage) << bad.All();
  EXPECT_NE(bad.err.find("no-such-ref"), std::string::npos) << bad.All();
}

// Issue 17: "A bulk UPDATE on a table above large_rows is only a warning and runs inside the
// migration ... refuse it in the gate on a live large table and point to `strata backfill`."
// The volume is the live one: the table's row estimate without WHERE, the planner's estimate
// for a WHERE that selects most rows; a selective WHERE and an empty table pass.
TEST_P(LintGateTest, BulkDmlOnALargeLiveTableIsRefusedAndPointsToBackfill) {
  if (!pg()) GTEST_SKIP() << "row estimates are read from PostgreSQL's catalog and planner";
  Project p(GetParam(), "[lint]\nlarge_rows = 1000\n");
  p.Write("V1__item.sql",
          "CREATE TABLE item (id bigint PRIMARY KEY, v integer);\n"
          "CREATE TABLE fresh (id bigint PRIMARY KEY, v integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  // An empty table: the same statement passes.
  p.Write("V2__fresh_v.sql", "UPDATE fresh SET v = 0 WHERE v IS NULL;\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  p.Exec("INSERT INTO item SELECT g, NULL FROM generate_series(1, 20000) g");
  p.Exec("ANALYZE item");
  p.Write("V3__item_v.sql", "UPDATE item SET v = 0 WHERE v IS NULL;\n");
  p.Hash();
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.out.find("V3__item_v.sql:1:1: error[DM105]"), std::string::npos) << r.All();
  EXPECT_NE(r.out.find("planner's estimate"), std::string::npos) << r.All();
  EXPECT_NE(r.out.find("strata backfill run"), std::string::npos) << r.All();
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM item WHERE v IS NULL"), "20000");
  // `lint --url` says the same.
  auto lr = p.Run({"lint", "--format", "json"});
  EXPECT_EQ(lr.exit_code, kExitLint) << lr.All();
  EXPECT_NE(lr.out.find("DM105"), std::string::npos) << lr.All();
  // A DELETE without WHERE: the table's estimate.
  p.Write("V3__item_v.sql", "DELETE FROM item;\n");
  p.Hash();
  auto j = p.Json({"migrate"});
  EXPECT_TRUE(HasRule(j["lint"]["blocking"], "DM105")) << j.dump(2);
  // A selective WHERE passes.
  p.Write("V3__item_v.sql", "UPDATE item SET v = 0 WHERE id = 5;\n");
  p.Hash();
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM item WHERE v = 0"), "1");
}

// Issue 17: "a class's lifecycle gates are checked where strata can check them (a post-check
// exists for a data change; a breaking change has a release entry with surfaces), not only
// printed": refused by the gate with the next step, accepted once the gate is met.
TEST_P(LintGateTest, RiskClassGatesAreCheckedBeforeApplying) {
  Project p(GetParam());
  auto legacy_code = [&] {
    return p.Scalar(p.pg() ? "SELECT count(*) FROM information_schema.columns WHERE table_name "
                             "= 'quote' AND column_name = 'legacy_code'"
                           : "SELECT count(*) FROM pragma_table_info('quote') WHERE name = "
                             "'legacy_code'") == "1";
  };
  p.Write("V1__quote.sql",
          "CREATE TABLE quote (id bigint PRIMARY KEY, state text, legacy_code text);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  const std::string header =
      "-- strata:intent\n"
      "-- Business capability: quote states\n"
      "-- Schema/data object affected: quote\n"
      "-- Application version dependency: none\n"
      "-- Expected production effect: a few rows\n"
      "-- User-visible effect: none\n"
      "-- Risk class: {}\n"
      "-- Recovery direction: roll-forward\n";
  p.Write("V2__lower_states.sql",
          fmt::format(fmt::runtime(header), "dml-correction") +
              "UPDATE quote SET state = lower(state) WHERE state <> lower(state);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.out.find("V2__lower_states.sql:1:1: error[PO106]"), std::string::npos) << r.All();
  EXPECT_NE(r.out.find("strata:post-check"), std::string::npos) << r.All();
  p.Write("V2__lower_states.sql",
          fmt::format(fmt::runtime(header), "dml-correction") +
              "--\n-- strata:post-check = 0\n-- SELECT count(*) FROM quote WHERE state <> "
              "lower(state);\n"
              "UPDATE quote SET state = lower(state) WHERE state <> lower(state);\n");
  p.Hash();
  r = p.Run({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();

  // A breaking change: no release names it.
  p.Write("V3__drop_legacy.sql",
          fmt::format(fmt::runtime(header), "breaking-ddl") +
              "-- strata:allow ban-drop-column reason=\"the app stopped reading it in 2.3\"\n"
              "ALTER TABLE quote DROP COLUMN legacy_code;\n");
  p.Hash();
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.out.find("error[PO106]"), std::string::npos) << r.All();
  EXPECT_NE(r.out.find("db/releases.toml"), std::string::npos) << r.All();
  // Listed without surfaces: still refused.
  p.dir().Write("db/releases.toml",
                "[[release]]\nname = \"D\"\ntitle = \"contract\"\nmigrations = [\"3\"]\n");
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.out.find("states no compatibility surface"), std::string::npos) << r.All();
  EXPECT_TRUE(legacy_code());
  // With its surfaces: applied.
  p.dir().Write("db/releases.toml",
                "[[release]]\nname = \"D\"\ntitle = \"contract\"\nmigrations = [\"3\"]\n"
                "[release.surfaces]\napi = \"passed: the field left the API in 2.3\"\n");
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_FALSE(legacy_code());
}

// Issue 17: "A fixture-looking INSERT into a table that has a seed package (or a test-only
// package) inside a versioned migration is a finding", pointing to `strata seed`: a warning in
// `lint` and in the gate's report, refused where the project makes it an error.
TEST_P(LintGateTest, FixtureInsertIntoASeededTableIsAFinding) {
  Project p(GetParam(), "[lint.severity]\nfixture-insert-into-seeded-table = \"error\"\n");
  p.dir().Write("db/seed/test-only/demo-reasons/manifest.toml",
                "package = \"demo-reasons\"\nclass = \"test-only\"\nowner = \"qa\"\n"
                "[[tables]]\ntable = \"reason\"\nkey = [\"code\"]\n");
  p.dir().Write("db/seed/test-only/demo-reasons/reason.csv", "code\nA\n");
  p.Write("V1__reason.sql", "CREATE TABLE reason (code text PRIMARY KEY);\n");
  p.Write("V2__reason_rows.sql", "INSERT INTO reason (code) VALUES ('A'), ('B');\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.out.find("V2__reason_rows.sql:1:1: error[DM106]"), std::string::npos) << r.All();
  EXPECT_NE(r.out.find("demo-reasons"), std::string::npos) << r.All();
  EXPECT_NE(r.out.find("strata seed apply"), std::string::npos) << r.All();
  EXPECT_FALSE(p.TableExists("reason"));
  // By default a warning: reported by lint, not refused.
  p.WriteToml("");
  auto lint = p.Run({"lint", "--format", "json", "db/migration"});
  EXPECT_EQ(lint.exit_code, 0) << lint.All();
  auto j = json::parse(lint.out);
  bool found = false;
  for (const auto& f : j["findings"]) {
    if (f["rule"] != "DM106") continue;
    found = true;
    EXPECT_EQ(f["severity"], "warning") << f.dump();
    EXPECT_NE(f["message"].get<std::string>().find("seed package `demo-reasons` (test-only)"),
              std::string::npos)
        << f.dump();
  }
  EXPECT_TRUE(found) << lint.out;
  // Rows derived from the database are a data migration, not a fixture.
  p.WriteToml("[lint.severity]\nfixture-insert-into-seeded-table = \"error\"\n");
  p.Write("V2__reason_rows.sql", "INSERT INTO reason (code) SELECT 'X' WHERE false;\n");
  p.Hash();
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
}

// Issue 16, "SQLite linted as SQLite": `strata lint` and the gate of `migrate` read a SQLite
// project the same way — with SQLite itself. Valid SQLite that PostgreSQL's grammar refuses
// (AUTOINCREMENT, WITHOUT ROWID) passes both; a column no migration created is shown at its
// file:line:col; a statement SQLite's parser refuses is refused by both before anything runs.
TEST_P(LintGateTest, SqliteLintAndGateAgree) {
  if (pg()) GTEST_SKIP() << "SQLite's own checks";
  Project p(GetParam());
  p.Write("V1__counters.sql",
          "CREATE TABLE counters (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER NOT NULL);\n"
          "CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;\n");
  p.Hash();
  auto l = RunStrata({"lint", "--dialect", "sqlite", "db/migration"}, p.dir().path());
  EXPECT_EQ(l.exit_code, 0) << l.All();
  EXPECT_EQ(l.out.find("SY101"), std::string::npos) << l.All();
  auto r = p.Run({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.LedgerRows(), 1);

  // A column no migration created: SQLite's "no column named" at its line, a warning (SQ105).
  p.Write("V2__count.sql", "-- count per key\nINSERT INTO counters (n, kv_key) VALUES (1, 'a');\n");
  p.Hash();
  l = p.Run({"lint"});  // the dialect comes from the URL
  EXPECT_EQ(l.exit_code, 0) << l.All();
  EXPECT_NE(l.out.find("V2__count.sql:2:1: warning[SQ105]"), std::string::npos) << l.All();
  EXPECT_NE(l.out.find("kv_key"), std::string::npos) << l.All();
  // A statement SQLite's parser refuses: both refuse it before anything runs.
  p.Write("V2__count.sql", "-- count per key\nINSERT INTO counters (n) VALUES (1),;\n");
  p.Hash();
  l = p.Run({"lint"});
  EXPECT_EQ(l.exit_code, kExitLint) << l.All();
  EXPECT_NE(l.out.find("V2__count.sql:2:"), std::string::npos) << l.All();
  EXPECT_NE(l.out.find("error[SQ101]"), std::string::npos) << l.All();
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.out.find("V2__count.sql:2:"), std::string::npos) << r.All();
  EXPECT_NE(r.out.find("error[SQ101]"), std::string::npos) << r.All();
  EXPECT_EQ(p.LedgerRows(), 1);
}

INSTANTIATE_TEST_SUITE_P(Db, LintGateTest, ::testing::Values(Db::kSqlite, Db::kPostgres), DbName);

}  // namespace
}  // namespace strata::testing
