// Issue 17, "Rough edges a new user hits in the first hour" (reports, drivers, config,
// backfill progress, seed state): each test reproduces one item with the real binary on SQLite
// and, where the item concerns it, the private PostgreSQL cluster.
#include <fmt/ranges.h>

#include <filesystem>

#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class FirstHourEdgesTest : public EngineTest {};

// "`info` on a mistyped SQLite path silently creates an empty database and reports everything
// pending": no read-only verb creates a database; the error names the path and the next step.
TEST(FirstHourEdgesSqlite, ReadOnlyVerbsNeverCreateADatabase) {
  TempDir dir;
  dir.Write("strata.toml", "locations = [\"db/migration\"]\n");
  dir.Write("db/migration/V1__a.sql", "CREATE TABLE a (x integer);\n");
  ASSERT_EQ(RunStrata({"hash"}, dir.path()).exit_code, 0);
  const std::string missing = dir / "tset.db";
  const std::vector<std::vector<std::string>> verbs = {
      {"info"},
      {"validate"},
      {"verify"},
      {"evidence"},
      {"lint"},
      {"seed", "status", "--env", "local"},
      {"seed", "diff", "--env", "local"},
      {"repair", "--reason", "x"},
      {"backfill", "status"},
  };
  for (const auto& v : verbs) {
    std::vector<std::string> args = {"--url", "sqlite:" + missing};
    args.insert(args.end(), v.begin(), v.end());
    auto r = RunStrata(args, dir.path());
    std::string what = fmt::format("{}", fmt::join(v, " "));
    EXPECT_FALSE(fs::exists(missing)) << what << " created the database: " << r.All();
    EXPECT_EQ(r.exit_code, kExitConnection) << what << ": " << r.All();
    EXPECT_NE(r.err.find("tset.db does not exist"), std::string::npos) << what << ": " << r.err;
    EXPECT_NE(r.err.find("next: "), std::string::npos) << what << ": " << r.err;
    fs::remove(missing);
  }
  // The previews of what migrate would do see the empty database it would create; nothing
  // is created.
  for (const auto& v : {std::vector<std::string>{"migrate", "--dry-run"}, {"plan"}}) {
    std::vector<std::string> args = {"--url", "sqlite:" + missing};
    args.insert(args.end(), v.begin(), v.end());
    auto r = RunStrata(args, dir.path());
    EXPECT_EQ(r.exit_code, 0) << v[0] << ": " << r.All();
    EXPECT_NE(r.out.find("V1__a.sql"), std::string::npos) << v[0] << ": " << r.out;
    EXPECT_FALSE(fs::exists(missing)) << v[0] << " created the database";
  }
  auto info = RunStrata({"--url", "sqlite:" + missing, "info"}, dir.path());
  EXPECT_NE(info.err.find("`strata migrate` creates a new database"), std::string::npos)
      << info.err;
  // The verbs that build a schema still create it.
  auto r = RunStrata({"--url", "sqlite:" + missing, "migrate"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(fs::exists(missing));
  r = RunStrata({"--url", "sqlite:" + missing, "info"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.All();
}

// "Pointing `ledger.table` at another tool's table (flyway_schema_history) gives a raw SQL
// error with exit 4": the table is recognised by its columns, the message names the tool and
// `strata import`, and the exit code is a configuration one.
TEST_P(FirstHourEdgesTest, LedgerTableOfAnotherToolIsRecognised) {
  struct Tool {
    std::string table, ddl, name, from;
  };
  const std::vector<Tool> tools = {
      {"flyway_schema_history",
       "CREATE TABLE flyway_schema_history (installed_rank integer PRIMARY KEY, version "
       "varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL, script "
       "varchar(1000) NOT NULL, checksum integer, installed_by varchar(100) NOT NULL, "
       "installed_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time integer NOT "
       "NULL, success boolean NOT NULL)",
       "Flyway", "flyway"},
      {"databasechangelog",
       "CREATE TABLE databasechangelog (id varchar(255) NOT NULL, author varchar(255) NOT NULL, "
       "filename varchar(255) NOT NULL, dateexecuted timestamp NOT NULL, orderexecuted integer "
       "NOT NULL, exectype varchar(10) NOT NULL, md5sum varchar(35), description varchar(255), "
       "comments varchar(255), tag varchar(255), liquibase varchar(20), contexts varchar(255), "
       "labels varchar(255), deployment_id varchar(10))",
       "Liquibase", "liquibase"},
      {"schema_migrations",
       "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT "
       "NULL)",
       "golang-migrate", "golang-migrate"},
      {"__diesel_schema_migrations",
       "CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY NOT NULL, run_on "
       "timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP)",
       "Diesel", "diesel"},
  };
  for (const auto& t : tools) {
    SCOPED_TRACE(t.name);
    Project p(GetParam(), "[ledger]\ntable = \"" + t.table + "\"\n");
    p.Write("V1__a.sql", "CREATE TABLE a (x integer);\n");
    p.Hash();
    p.Exec(t.ddl);
    for (const auto& verb : {std::vector<std::string>{"info"}, {"migrate"}, {"validate"}}) {
      auto r = p.Run(verb);
      EXPECT_EQ(r.exit_code, 2) << verb[0] << ": " << r.All();
      EXPECT_NE(r.err.find("is not a strata ledger; it looks like " + t.name + "'s history table"),
                std::string::npos)
          << verb[0] << ": " << r.err;
      EXPECT_NE(r.err.find("strata import --from " + t.from), std::string::npos) << r.err;
      EXPECT_EQ(r.err.find("SQLSTATE"), std::string::npos) << r.err;
    }
    EXPECT_FALSE(p.TableExists("a")) << "migrate ran with a foreign ledger";
    auto j = p.Json({"info"});
    EXPECT_EQ(j["error"]["code"], "config") << j.dump(2);
  }
}

// "On a terminal, `migrate` lists every migration twice (progress on stderr and the summary on
// stdout) with different times": one list, one time.
TEST_P(FirstHourEdgesTest, MigrateOnATerminalListsEachMigrationOnce) {
  Project p(GetParam());
  p.Write("V1__first.sql", "CREATE TABLE a (x integer);\n");
  p.Write("V2__second.sql", "CREATE TABLE b (x integer);\nCREATE TABLE c (x integer);\n");
  p.Write("V3__third.sql", "CREATE TABLE d (x integer);\n");
  p.Hash();
  auto r = RunStrataOnTty({"--url", p.url(), "migrate"}, p.dir().path());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto count = [&](const std::string& needle) {
    int n = 0;
    for (size_t at = 0; (at = r.out.find(needle, at)) != std::string::npos; at += needle.size())
      ++n;
    return n;
  };
  for (const char* script : {"V1__first.sql", "V2__second.sql", "V3__third.sql"}) {
    EXPECT_EQ(count(script), 1) << script << " listed more than once:\n" << r.out;
  }
  EXPECT_EQ(count("done in"), 3) << r.out;
  EXPECT_EQ(count(" ms"), 0) << "a second time for the same migration:\n" << r.out;
  EXPECT_NE(r.out.find("3 migration(s) applied"), std::string::npos) << r.out;
  // Not on a terminal: the summary lists them (nothing else does).
  p.Write("V4__fourth.sql", "CREATE TABLE e (x integer);\n");
  p.Hash();
  auto piped = p.Run({"migrate"});
  ASSERT_EQ(piped.exit_code, 0) << piped.All();
  EXPECT_NE(piped.out.find("applied V4__fourth.sql"), std::string::npos) << piped.out;
}

// "A failure inside a DO block shows only `1:1 ... DO $$`": PostgreSQL's inner statement and
// PL/pgSQL line are kept. "SQLite errors show `SQLSTATE SQLITE_ERROR`": SQLite's own code name.
TEST_P(FirstHourEdgesTest, DatabaseErrorsSayWhereInsideTheStatement) {
  Project p(GetParam(), "[migrate]\nlint_gate = false\n");
  if (pg()) {
    p.Write("V1__do.sql",
            "DO $$\nBEGIN\n  PERFORM 1;\n  INSERT INTO missing_table VALUES (1);\nEND\n$$;\n");
    p.Hash();
    auto r = p.Run({"migrate"});
    EXPECT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
    EXPECT_NE(r.err.find("INSERT INTO missing_table VALUES (1)"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("line 4"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("SQLSTATE 42P01"), std::string::npos) << r.err;
    return;
  }
  p.Write("V1__t.sql", "CREATE TABLE t (a integer NOT NULL);\n");
  p.Write("V2__null.sql", "INSERT INTO t VALUES (NULL);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
  EXPECT_NE(r.err.find("NOT NULL constraint failed: t.a (SQLITE_CONSTRAINT_NOTNULL)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("SQLSTATE SQLITE"), std::string::npos) << r.err;
  p.Write("V2__null.sql", "INSERT INTO nowhere VALUES (1);\n");
  p.Hash();
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
  EXPECT_NE(r.err.find("no such table: nowhere"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(SQLite result code SQLITE_ERROR)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("SQLSTATE SQLITE"), std::string::npos) << r.err;
}

// "A secret placeholder whose environment variable is unset makes hash, lint, info, validate
// and plan exit 2": only running SQL needs the value.
TEST_P(FirstHourEdgesTest, UnsetSecretIsNeededOnlyToRunSql) {
  Project p(GetParam(),
            "[placeholders]\ntoken = { env = \"STRATA_TEST_NEVER_SET_TOKEN\", secret = true }\n");
  p.Write("V1__a.sql", "CREATE TABLE a (x text);\n");
  p.Write("V2__b.sql", "INSERT INTO a VALUES ('${token}');\n");
  p.Hash();
  for (const auto& verb :
       {std::vector<std::string>{"hash"}, {"lint"}, {"info"}, {"plan"}, {"validate"}}) {
    auto r = p.Run(verb);
    EXPECT_NE(r.exit_code, kExitUsage) << verb[0] << ": " << r.All();
    EXPECT_EQ(r.err.find("is not set"), std::string::npos) << verb[0] << ": " << r.All();
  }
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("V2__b.sql:1:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("STRATA_TEST_NEVER_SET_TOKEN, which is not set"), std::string::npos)
      << r.err;
  EXPECT_FALSE(p.TableExists("a")) << "migrate started although V2 cannot run";
  // Validating and previewing need no value either: the pending files are checked, and the
  // preview shows where the value goes.
  r = p.Run({"validate", "--ignore", "pending"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  r = p.Run({"migrate", "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("<unset:STRATA_TEST_NEVER_SET_TOKEN>"), std::string::npos) << r.out;
  r = p.Run({"migrate"}, {{"STRATA_TEST_NEVER_SET_TOKEN", "s3cr3t-value"}});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(r.All().find("s3cr3t-value"), std::string::npos);
}

// "JSON shapes differ between verbs (lint has no ok/error; --rules/--explain have none)": one
// envelope for every --json (docs/json.md): `ok` (exit code 0) and `error` (null, or an object
// with every key).
TEST_P(FirstHourEdgesTest, EveryJsonOutputHasTheEnvelope) {
  Project p(GetParam());
  p.Write("V1__a.sql", "CREATE TABLE a (x integer);\n");
  p.Write("V2__b.sql", "ALTER TABLE a ADD COLUMN y integer NOT NULL DEFAULT 0;\n");
  p.Hash();
  const std::vector<std::vector<std::string>> verbs = {
      {"hash"},
      {"info"},
      {"validate"},
      {"migrate", "--dry-run"},
      {"migrate"},
      {"migrate"},
      {"info"},
      {"validate"},
      {"repair", "--reason", "nothing to do"},
      {"baseline", "--version", "1"},
      {"lint"},
      {"lint", "--rules"},
      {"lint", "--explain", "PO101"},
      {"lint", "--explain", "no-such-rule"},
      {"plan"},
      {"verify"},
      {"evidence"},
      {"seed", "status", "--env", "local"},
      {"seed", "plan", "--env", "local"},
      {"seed", "diff", "--env", "local"},
      {"seed", "apply", "--env", "local"},
      {"seed", "status"},
      {"backfill", "status"},
      {"backfill", "plan", "no_such_job"},
      {"correct", "plan", "no_such_correction"},
      {"info", "--no-such-flag"},
  };
  for (const auto& v : verbs) {
    std::vector<std::string> args = {"--json"};
    args.insert(args.end(), v.begin(), v.end());
    auto r = p.Run(args);
    std::string what = fmt::format("{}", fmt::join(v, " "));
    auto j = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(j.is_object()) << what << ": not a JSON object: " << r.All();
    ASSERT_TRUE(j.contains("ok") && j["ok"].is_boolean()) << what << ": " << r.out;
    EXPECT_EQ(j["ok"].get<bool>(), r.exit_code == 0) << what << ": " << r.All();
    ASSERT_TRUE(j.contains("error")) << what << ": " << r.out;
    if (r.exit_code == 0) {
      EXPECT_TRUE(j["error"].is_null()) << what << ": " << r.out;
      continue;
    }
    ASSERT_TRUE(j["error"].is_object()) << what << ": " << r.out;
    for (const char* k :
         {"code", "exit_code", "message", "hint", "file", "line", "column", "sqlstate"}) {
      EXPECT_TRUE(j["error"].contains(k)) << what << ": no error." << k << ": " << r.out;
    }
    EXPECT_EQ(j["error"]["exit_code"], r.exit_code) << what << ": " << r.out;
  }
  // lint with a finding at the gate: not ok, error.code "lint", the findings kept.
  p.Write("V3__c.sql", "CREATE INDEX a_x ON a (x);\n");
  p.Hash();
  auto r = p.Run({"--json", "lint", "--fail-on", "info"});
  auto j = json::parse(r.out, nullptr, false);
  if (r.exit_code == 7) {
    EXPECT_EQ(j["ok"], false) << r.out;
    EXPECT_EQ(j["error"]["code"], "lint") << r.out;
    EXPECT_TRUE(j.contains("findings")) << r.out;
  }
}

INSTANTIATE_TEST_SUITE_P(Dialects, FirstHourEdgesTest,
                         ::testing::Values(Db::kSqlite, Db::kPostgres), DbName);

// "validate prints `validated 0 migration(s) against : ok` and then exits 3": nothing says
// "ok" unless the verdict is ok, and the summary names the target.
TEST_P(FirstHourEdgesTest, ValidateSaysOkOnlyWhenItIsOk) {
  Project p(GetParam());
  p.Write("V1__a.sql", "CREATE TABLE a (x integer);\n");
  p.Hash();
  p.Write("create_b.sql", "CREATE TABLE b (x integer);\n");
  auto r = p.Run({"validate"});
  EXPECT_NE(r.exit_code, 0) << r.All();
  EXPECT_EQ(r.out.find("ok"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("create_b.sql"), std::string::npos) << r.err;
  p.Remove("create_b.sql");
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Write("V2__b.sql", "CREATE TABLE b (x integer);\n");
  r = p.Run({"validate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_EQ(r.out.find(": ok"), std::string::npos) << r.out;
  EXPECT_NE(
      r.out.find("problem(s) found validating " + (pg() ? std::string("postgres") : "sqlite:")),
      std::string::npos)
      << r.out;
}

// "a pending migration after a deploy is a validate failure, as in Flyway (with `[validate]
// ignore` for pre-deploy checks); a future migration is reported and configurable".
TEST_P(FirstHourEdgesTest, PendingAndFutureFailValidateUnlessAccepted) {
  Project p(GetParam());
  p.Write("V1__a.sql", "CREATE TABLE a (x integer);\n");
  p.Write("V2__b.sql", "CREATE TABLE b (x integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  ASSERT_EQ(p.Run({"validate"}).exit_code, 0);
  p.Write("V3__c.sql", "CREATE TABLE c (x integer);\n");
  p.Hash();
  auto r = p.Run({"validate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.out.find("error[pending]: migration 3 (V3__c.sql) is not applied"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("--ignore pending"), std::string::npos) << r.out;
  r = p.Run({"validate", "--ignore", "pending"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find(": ok"), std::string::npos) << r.out;
  // The same from strata.toml; an unknown state there is an error naming the accepted ones.
  p.WriteToml("[validate]\nignore = [\"pending\"]\n");
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
  p.WriteToml("[validate]\nignore = [\"pendng\"]\n");
  r = p.Run({"validate"});
  EXPECT_EQ(r.exit_code, kExitUsage) << r.All();
  EXPECT_NE(r.err.find("unknown state `pendng`"), std::string::npos) << r.err;
  p.WriteToml("");
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  // An older checkout (the file of the newest applied version is not here).
  p.Remove("V3__c.sql");
  p.Hash();
  r = p.Run({"validate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.out.find("error[future]: version 3 (V3__c.sql) is applied"), std::string::npos)
      << r.out;
  r = p.Run({"validate", "--ignore", "future"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  r = p.Run({"validate", "--ignore", "sideways"});
  EXPECT_EQ(r.exit_code, kExitUsage) << r.All();
}

// "`repair --accept-checksum` leaves strata.sum stale and the next hint blames another
// branch": the sum follows the accepted edit, and only it.
TEST_P(FirstHourEdgesTest, AcceptedChecksumUpdatesTheSumFile) {
  Project p(GetParam());
  p.Write("V1__a.sql", "CREATE TABLE a (x integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Write("V1__a.sql", "-- the table of a\nCREATE TABLE a (x integer);\n");
  ASSERT_EQ(p.Run({"validate"}).exit_code, kExitValidation);
  auto r = p.Run({"repair", "--accept-checksum", "1", "--reason", "comment only"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("updated "), std::string::npos) << r.out;
  r = p.Run({"validate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  // An unreviewed new file beside the accepted edit keeps the sum as it was.
  p.Write("V1__a.sql", "-- the table of a (again)\nCREATE TABLE a (x integer);\n");
  p.Write("V2__b.sql", "CREATE TABLE b (x integer);\n");
  r = p.Run({"repair", "--accept-checksum", "1", "--reason", "comment only"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("strata.sum was not updated"), std::string::npos) << r.out;
  r = p.Run({"validate", "--ignore", "pending"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.All().find("V2__b.sql"), std::string::npos) << r.All();
}

// "`evidence --since yesterday` and `--since 2026-13-45` produce an empty package with exit
// 0": a time that is not one is an error; dates, date-times and durations select runs.
TEST_P(FirstHourEdgesTest, EvidenceSinceNeedsARealTime) {
  Project p(GetParam());
  p.Write("V1__a.sql", "CREATE TABLE a (x integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  for (const char* bad : {"yesterday", "2026-13-45", "2026-02-30", "2026-12-06T25:00"}) {
    auto r = p.Run({"evidence", "--since", bad});
    EXPECT_EQ(r.exit_code, kExitUsage) << bad << ": " << r.All();
    EXPECT_NE(r.err.find(std::string("--since `") + bad + "`"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("ISO-8601"), std::string::npos) << r.err;
  }
  for (const char* good : {"2000-01-01", "2000-01-01T00:00:00Z", "2000-01-01 01:00+01:00", "1h"}) {
    auto r = p.Run({"--json", "evidence", "--since", good});
    ASSERT_EQ(r.exit_code, 0) << good << ": " << r.All();
    EXPECT_GT(json::parse(r.out)["runs"].get<int>(), 0) << good << ": " << r.out.substr(0, 400);
  }
  auto r = p.Run({"--json", "evidence", "--since", "2999-01-01"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(json::parse(r.out)["runs"].get<int>(), 0) << r.out.substr(0, 400);
}

}  // namespace
}  // namespace strata::testing
