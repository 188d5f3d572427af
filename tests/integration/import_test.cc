// Issue 18, "Adopt an existing history": `strata import --from <tool>` on real SQLite and the
// private PostgreSQL cluster. Where the tool does not install here, its table is created exactly
// as the tool's source defines it (each cited) and filled as the tool fills it, with the
// checksums computed by an independent implementation (python3's zlib/hashlib), after the
// migrations were applied to the database. Every import is followed by `strata validate` and a
// `strata migrate` that must apply only the file added after the import.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

using nlohmann::json;

// Runs a python3 one-liner with `arg` and returns its stdout without the newline.
std::string Python(const std::string& code, const std::string& arg) {
  std::string cmd = "python3 -c '" + code + "' '" + arg + "'";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return "";
  std::string out;
  char buf[256];
  while (fgets(buf, sizeof buf, f)) out += buf;
  pclose(f);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// Flyway's ChecksumCalculator: CRC32 over the lines without terminators, as a signed int.
std::string FlywayCrc(const std::string& path) {
  return Python(
      "import sys,zlib\n"
      "d=open(sys.argv[1],\"rb\").read()\n"
      "d=d[3:] if d.startswith(b\"\\xef\\xbb\\xbf\") else d\n"
      "c=0\n"
      "for l in d.splitlines(): c=zlib.crc32(l,c)\n"
      "print(c-2**32 if c>=2**31 else c)",
      path);
}

// Liquibase 4.24+ (checksum version 9) of a formatted-SQL changeset body.
std::string LiquibaseMd5(const std::string& body_path) {
  return Python(
      "import sys,hashlib,re\n"
      "s=re.sub(r\"[ \\t\\r\\n]\",\"\",open(sys.argv[1]).read().strip())\n"
      "m=lambda x: hashlib.md5(x.encode()).hexdigest()\n"
      "print(\"9:\"+m(\"9:\"+m(s)+\":\"))",
      body_path);
}

std::string Sha1(const std::string& path) {
  return Python(
      "import sys,hashlib; print(hashlib.sha1(open(sys.argv[1],\"rb\").read()).hexdigest())", path);
}

// Import, validate, then a new migration is the only one `migrate` applies.
void ImportValidateAndContinue(const Project& p, std::vector<std::string> import_args,
                               const std::string& next_file, int expected_rows) {
  import_args.insert(import_args.begin(), "import");
  auto r = p.Run(import_args);
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.Count("strata_schema_history WHERE type = 'IMPORTED'"), expected_rows) << r.out;
  r = p.Run({"validate"});
  ASSERT_EQ(r.exit_code, 0) << "validate after import: " << r.All();
  // The next migration, in strata's layout.
  p.Write(next_file, "CREATE TABLE after_import (x integer);\n");
  p.Hash();
  r = p.Run({"--json", "migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = json::parse(r.out);
  ASSERT_EQ(j["applied"].size(), 1u) << r.out;
  EXPECT_EQ(j["applied"][0]["script"], next_file);
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
}

class ImportTest : public EngineTest {
 protected:
  // The database as the tool left it.
  static void Apply(const Project& p, const std::string& sql) { p.Exec(sql); }
};

// --- Flyway (not installable offline: flywaydb-cli downloads). Its table as
// flyway/flyway flyway-core/src/main/resources/org/flywaydb/core/internal/database/postgresql/
// createMetaDataTable.sql and .../sqlite/createMetaDataTable.sql (Flyway 10).
std::string FlywayTable(bool pg) {
  return pg ? "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL, version "
              "VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script "
              "VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL, "
              "installed_on TIMESTAMP NOT NULL DEFAULT now(), execution_time INTEGER NOT NULL, "
              "success BOOLEAN NOT NULL);"
              "ALTER TABLE flyway_schema_history ADD CONSTRAINT flyway_schema_history_pk "
              "PRIMARY KEY (installed_rank);"
              "CREATE INDEX flyway_schema_history_s_idx ON flyway_schema_history (success);"
            : "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, "
              "version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT "
              "NULL, script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT "
              "NULL, installed_on TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')), "
              "execution_time INT NOT NULL, success BOOLEAN NOT NULL);";
}

std::string FlywayRow(bool pg, int rank, const std::string& version, const std::string& desc,
                      const std::string& script, const std::string& checksum) {
  return fmt::format(
      "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, "
      "checksum, installed_by, execution_time, success) VALUES ({}, {}, '{}', 'SQL', '{}', {}, "
      "'flyway-user', 12, {});",
      rank, version.empty() ? "NULL" : "'" + version + "'", desc, script, checksum,
      pg ? "true" : "1");
}

TEST_P(ImportTest, FlywayHistoryContinuesWhereFlywayStopped) {
  Project p(GetParam());
  const auto& d = p.dir();
  d.Write("flyway/V1__create_a.sql", "CREATE TABLE a (x integer);\r\n");
  d.Write("flyway/V1_1__create_b.sql", "CREATE TABLE b (x integer);\n");
  d.Write("flyway/R__view_a.sql", "CREATE VIEW va AS SELECT x FROM a;\n");
  d.Write("flyway/V2__create_c.sql", "CREATE TABLE c (x integer);\n");
  d.Write("flyway/U1_1__undo_b.sql", "DROP TABLE b;\n");
  for (const char* s : {"CREATE TABLE a (x integer)", "CREATE TABLE b (x integer)",
                        "CREATE VIEW va AS SELECT x FROM a", "CREATE TABLE c (x integer)"}) {
    Apply(p, s);
  }
  Apply(p, FlywayTable(pg()));
  Apply(p, FlywayRow(pg(), 1, "1", "create a", "V1__create_a.sql",
                     FlywayCrc(d / "flyway/V1__create_a.sql")));
  Apply(p, FlywayRow(pg(), 2, "1.1", "create b", "V1_1__create_b.sql",
                     FlywayCrc(d / "flyway/V1_1__create_b.sql")));
  Apply(p,
        FlywayRow(pg(), 3, "", "view a", "R__view_a.sql", FlywayCrc(d / "flyway/R__view_a.sql")));
  Apply(p, FlywayRow(pg(), 4, "2", "create c", "V2__create_c.sql",
                     FlywayCrc(d / "flyway/V2__create_c.sql")));

  // --dry-run shows it all and writes nothing.
  auto r = p.Run({"--json", "import", "--from", "flyway", "--source", "flyway", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = json::parse(r.out);
  EXPECT_EQ(j["migrations"].size(), 4u);
  EXPECT_EQ(j["ledger_rows"], 4);
  EXPECT_EQ(j["table"], "flyway_schema_history");
  EXPECT_NE(j["not_carried"].dump().find("U1_1__undo_b.sql: an undo migration"), std::string::npos)
      << j["not_carried"];
  EXPECT_FALSE(std::filesystem::exists(p.MigrationPath("V1__create_a.sql")));
  EXPECT_FALSE(std::filesystem::exists(p.MigrationPath("strata.sum")));
  EXPECT_FALSE(p.TableExists("strata_schema_history"));

  ImportValidateAndContinue(p, {"--from", "flyway", "--source", "flyway"}, "V3__after.sql", 4);
  EXPECT_EQ(Slurp(p.MigrationPath("V1_1__create_b.sql")), "CREATE TABLE b (x integer);\n");
  // The row records where it came from; the old table is untouched.
  std::string reason = p.Scalar("SELECT reason FROM strata_schema_history WHERE version = '1.1'");
  auto why = json::parse(reason);
  EXPECT_EQ(why["imported_from"], "flyway");
  EXPECT_EQ(why["tool_checksum"], FlywayCrc(d / "flyway/V1_1__create_b.sql"));
  EXPECT_EQ(why["applied_by"], "flyway-user");
  EXPECT_EQ(p.Count("flyway_schema_history"), 4);
  EXPECT_EQ(p.Scalar("SELECT installed_by FROM strata_schema_history WHERE version = '2'"),
            "flyway-user");
  // `info` shows who applied what.
  auto info = p.Json({"info"});
  bool imported_shown = false;
  for (const auto& m : info["migrations"]) {
    if (m["script"] == "V1_1__create_b.sql") imported_shown = m["type"] == "IMPORTED";
  }
  EXPECT_TRUE(imported_shown) << info;
}

TEST_P(ImportTest, FlywayChecksumMismatchNamesTheFileAndWritesNothing) {
  Project p(GetParam());
  const auto& d = p.dir();
  d.Write("flyway/V1__create_a.sql", "CREATE TABLE a (x integer);\n");
  Apply(p, "CREATE TABLE a (x integer)");
  Apply(p, FlywayTable(pg()));
  Apply(p, FlywayRow(pg(), 1, "1", "create a", "V1__create_a.sql",
                     FlywayCrc(d / "flyway/V1__create_a.sql")));
  d.Write("flyway/V1__create_a.sql", "CREATE TABLE a (x bigint);\n");  // edited after it ran
  auto r = p.Run({"import", "--from", "flyway", "--source", "flyway"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("V1__create_a.sql' changed after flyway applied it"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("flyway_schema_history installed_rank 1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("flyway repair"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(p.MigrationPath("V1__create_a.sql")));
  EXPECT_FALSE(std::filesystem::exists(p.MigrationPath("strata.sum")));
  EXPECT_FALSE(p.TableExists("strata_schema_history"));
}

TEST_P(ImportTest, AGapInTheHistoryIsRefused) {
  Project p(GetParam());
  const auto& d = p.dir();
  d.Write("flyway/V1__a.sql", "CREATE TABLE a (x integer);\n");
  d.Write("flyway/V2__b.sql", "CREATE TABLE b (x integer);\n");
  d.Write("flyway/V3__c.sql", "CREATE TABLE c (x integer);\n");
  Apply(p, "CREATE TABLE a (x integer)");
  Apply(p, "CREATE TABLE c (x integer)");
  Apply(p, FlywayTable(pg()));
  Apply(p, FlywayRow(pg(), 1, "1", "a", "V1__a.sql", FlywayCrc(d / "flyway/V1__a.sql")));
  Apply(p, FlywayRow(pg(), 2, "3", "c", "V3__c.sql", FlywayCrc(d / "flyway/V3__c.sql")));
  auto r = p.Run({"import", "--from", "flyway", "--source", "flyway"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("gap in the history: flyway never applied 'flyway/V2__b.sql'"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("apply it with flyway first"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(p.MigrationPath("strata.sum")));
}

// --- golang-migrate (not packaged for Debian 12). Its table as golang-migrate/migrate v4
// database/postgres/postgres.go and database/sqlite3/sqlite3.go ensureVersionTable:
// schema_migrations (version bigint not null primary key, dirty boolean not null).
TEST_P(ImportTest, GolangMigrateUpFilesOnlyAndTheVersionReached) {
  Project p(GetParam());
  const auto& d = p.dir();
  d.Write("migrations/000001_create_a.up.sql", "CREATE TABLE a (x integer);\n");
  d.Write("migrations/000001_create_a.down.sql", "DROP TABLE a;\n");
  d.Write("migrations/000002_create_b.up.sql", "CREATE TABLE b (x integer);\n");
  d.Write("migrations/000002_create_b.down.sql", "DROP TABLE b;\n");
  Apply(p, "CREATE TABLE a (x integer)");
  Apply(p, "CREATE TABLE b (x integer)");
  Apply(p,
        "CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean "
        "not null)");
  Apply(p, pg() ? "INSERT INTO schema_migrations VALUES (2, false)"
                : "INSERT INTO schema_migrations VALUES (2, 0)");
  auto j = p.Json({"import", "--from", "golang-migrate", "--source", "migrations", "--dry-run"});
  EXPECT_EQ(j["migrations"][1]["script"], "V000002__create_b.sql");
  EXPECT_EQ(j["not_carried"].size(), 2u) << j["not_carried"];
  EXPECT_NE(j["not_carried"].dump().find("000002_create_b.down.sql: a down migration"),
            std::string::npos);
  ImportValidateAndContinue(p, {"--from", "golang-migrate", "--source", "migrations"},
                            "V000003__after.sql", 2);
}

TEST_P(ImportTest, GolangMigrateDirtyFlagStopsTheImport) {
  Project p(GetParam());
  const auto& d = p.dir();
  d.Write("migrations/1_create_a.up.sql", "CREATE TABLE a (x integer);\n");
  d.Write("migrations/2_create_b.up.sql", "CREATE TABLE b (x integer);\nCREATE TABLE q (x int);\n");
  Apply(p, "CREATE TABLE a (x integer)");
  Apply(p,
        "CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean "
        "not null)");
  Apply(p, pg() ? "INSERT INTO schema_migrations VALUES (2, true)"
                : "INSERT INTO schema_migrations VALUES (2, 1)");
  auto r = p.Run({"import", "--from", "golang-migrate", "--source", "migrations"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("schema_migrations: version 2 is dirty"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("migrations/2_create_b.up.sql"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("migrate force 2"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(p.MigrationPath("strata.sum")));
}

TEST_P(ImportTest, DuplicateVersionNamesBothFiles) {
  Project p(GetParam());
  const auto& d = p.dir();
  d.Write("migrations/1_create_a.up.sql", "CREATE TABLE a (x integer);\n");
  d.Write("migrations/001_create_b.up.sql", "CREATE TABLE b (x integer);\n");
  auto r = p.Run({"import", "--from", "golang-migrate", "--source", "migrations"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("is used by two files"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("001_create_b.up.sql"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1_create_a.up.sql"), std::string::npos) << r.err;
}

// --- dbmate, emulated (the real one: DbmateRealTool below). Table as amacneil/dbmate v2
// pkg/driver/postgres/postgres.go and pkg/driver/sqlite/sqlite.go CreateMigrationsTable:
// schema_migrations (version varchar(128) primary key).
TEST_P(ImportTest, DbmateUpSectionAndTransactionFalse) {
  Project p(GetParam());
  const auto& d = p.dir();
  d.Write("db/migrations/20240101120000_create_a.sql",
          "-- migrate:up\nCREATE TABLE a (x integer);\n\n-- migrate:down\nDROP TABLE a;\n");
  d.Write("db/migrations/20240102120000_index_a.sql",
          "-- migrate:up transaction:false\nCREATE INDEX a_x ON a (x);\n\n-- migrate:down\n");
  Apply(p, "CREATE TABLE a (x integer)");
  Apply(p, "CREATE INDEX a_x ON a (x)");
  Apply(p, "CREATE TABLE schema_migrations (version varchar(128) primary key)");
  Apply(p, "INSERT INTO schema_migrations VALUES ('20240101120000'), ('20240102120000')");
  auto j = p.Json({"import", "--from", "dbmate", "--dry-run"});
  ASSERT_EQ(j["migrations"].size(), 2u) << j;
  EXPECT_FALSE(j["migrations"][1]["transactional"]);
  EXPECT_EQ(j["not_carried"].size(), 1u) << j["not_carried"];  // one non-empty down section
  ImportValidateAndContinue(p, {"--from", "dbmate"}, "V20240103120000__after.sql", 2);
  EXPECT_EQ(Slurp(p.MigrationPath("V20240102120000__index_a.sql")),
            "-- strata:transaction off\nCREATE INDEX a_x ON a (x);\n\n");
}

// --- Diesel (not installable offline). Table as diesel-rs/diesel 2.x
// diesel_migrations/src/migration_harness.rs: __diesel_schema_migrations (version VARCHAR(50)
// PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP).
TEST_P(ImportTest, DieselVersionsKeepTheirStringOrder) {
  Project p(GetParam());
  const auto& d = p.dir();
  // Diesel compares "20260527120000" < "202605271200000000" < "20260528..." as strings; as
  // numbers the 18-digit one would come last.
  d.Write("migrations/2026-05-27-120000_a/up.sql", "CREATE TABLE a (x integer);\n");
  d.Write("migrations/2026-05-27-120000_a/down.sql", "DROP TABLE a;\n");
  d.Write("migrations/2026-05-27-120000-0000_b/up.sql", "CREATE INDEX a_x ON a (x);\n");
  d.Write("migrations/2026-05-27-120000-0000_b/metadata.toml", "run_in_transaction = false\n");
  d.Write("migrations/2026-05-28-000000_c/up.sql", "CREATE TABLE c (x integer);\n");
  Apply(p, "CREATE TABLE a (x integer)");
  Apply(p, "CREATE INDEX a_x ON a (x)");
  Apply(p, "CREATE TABLE c (x integer)");
  Apply(p,
        "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, "
        "run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)");
  Apply(p,
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('20260527120000'), "
        "('202605271200000000'), ('20260528000000')");
  auto j = p.Json({"import", "--from", "diesel", "--dry-run"});
  ASSERT_EQ(j["migrations"].size(), 3u) << j;
  EXPECT_EQ(j["migrations"][0]["script"], "V20260527120000__a.sql");
  EXPECT_EQ(j["migrations"][1]["script"], "V20260527120000.10000__b.sql");
  EXPECT_EQ(j["migrations"][2]["script"], "V20260528000000__c.sql") << j;
  ImportValidateAndContinue(p, {"--from", "diesel"}, "V20260529000000__after.sql", 3);
}

// --- Liquibase formatted SQL. DATABASECHANGELOG as liquibase/liquibase 4.x
// liquibase-standard/src/main/java/liquibase/changelog/StandardChangeLogHistoryService.java.
std::string LiquibaseTable() {
  return "CREATE TABLE DATABASECHANGELOG (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL, "
         "FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TIMESTAMP NOT NULL, ORDEREXECUTED INTEGER "
         "NOT NULL, EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35), DESCRIPTION VARCHAR(255), "
         "COMMENTS VARCHAR(255), TAG VARCHAR(255), LIQUIBASE VARCHAR(20), CONTEXTS VARCHAR(255), "
         "LABELS VARCHAR(255), DEPLOYMENT_ID VARCHAR(10))";
}

TEST_P(ImportTest, LiquibaseFormattedSqlChangesets) {
  Project p(GetParam());
  const auto& d = p.dir();
  d.Write("changelog.sql",
          "--liquibase formatted sql\n\n"
          "--changeset alice:1\nCREATE TABLE a (x integer);\n--rollback DROP TABLE a;\n\n"
          "--changeset bob:idx runInTransaction:false\n--comment: an index\nCREATE INDEX a_x ON "
          "a (x);\n");
  d.Write("body1.sql", "CREATE TABLE a (x integer);\n");
  d.Write("body2.sql", "CREATE INDEX a_x ON a (x);\n");
  Apply(p, "CREATE TABLE a (x integer)");
  Apply(p, "CREATE INDEX a_x ON a (x)");
  Apply(p, LiquibaseTable());
  Apply(p, fmt::format("INSERT INTO DATABASECHANGELOG (ID, AUTHOR, FILENAME, DATEEXECUTED, "
                       "ORDEREXECUTED, EXECTYPE, MD5SUM) VALUES ('1', 'alice', 'changelog.sql', "
                       "CURRENT_TIMESTAMP, 1, 'EXECUTED', '{}'), ('idx', 'bob', 'changelog.sql', "
                       "CURRENT_TIMESTAMP, 2, 'EXECUTED', '{}')",
                       LiquibaseMd5(d / "body1.sql"), LiquibaseMd5(d / "body2.sql")));
  auto j = p.Json({"import", "--from", "liquibase", "--dry-run"});
  ASSERT_EQ(j["migrations"].size(), 2u) << j;
  EXPECT_EQ(j["migrations"][1]["script"], "V002__bob_idx.sql");
  EXPECT_FALSE(j["migrations"][1]["transactional"]);
  EXPECT_NE(j["not_carried"].dump().find("rollback of changeset alice:1"), std::string::npos);
  ImportValidateAndContinue(p, {"--from", "liquibase"}, "V003__after.sql", 2);
}

// splitStatements:false: the changeset's body is one statement (`-- strata:split off`), and a
// changeset Liquibase had not run yet is applied by `strata migrate` as that one statement.
TEST_P(ImportTest, LiquibaseSplitStatementsFalseRunsTheBodyAsOneStatement) {
  Project p(GetParam());
  const auto& d = p.dir();
  std::string body =
      pg() ? "CREATE TABLE b (x integer);\n"
             "CREATE FUNCTION b_count() RETURNS bigint LANGUAGE plpgsql AS $$\n"
             "BEGIN\n  RETURN (SELECT count(*) FROM b);\nEND;\n$$;\n"
             "DO $$\nBEGIN\n  INSERT INTO b VALUES (1);\n  INSERT INTO b VALUES (2);\nEND;\n$$;"
           : "CREATE TABLE b (x integer);\n"
             "CREATE TRIGGER b_ins AFTER INSERT ON b BEGIN\n  UPDATE a SET x = x + 1;\nEND;\n"
             "INSERT INTO b VALUES (1);\nINSERT INTO b VALUES (2);";
  d.Write("changelog.sql",
          "--liquibase formatted sql\n\n"
          "--changeset alice:1\nCREATE TABLE a (x integer);\n\n"
          "--changeset bob:2 splitStatements:false\n" +
              body + "\n");
  d.Write("body1.sql", "CREATE TABLE a (x integer);\n");
  Apply(p, "CREATE TABLE a (x integer)");
  if (!pg()) Apply(p, "INSERT INTO a VALUES (0)");
  Apply(p, LiquibaseTable());
  Apply(p, fmt::format("INSERT INTO DATABASECHANGELOG (ID, AUTHOR, FILENAME, DATEEXECUTED, "
                       "ORDEREXECUTED, EXECTYPE, MD5SUM) VALUES ('1', 'alice', 'changelog.sql', "
                       "CURRENT_TIMESTAMP, 1, 'EXECUTED', '{}')",
                       LiquibaseMd5(d / "body1.sql")));
  auto r = p.Run({"import", "--from", "liquibase"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  std::string file = d.Read("db/migration/V002__bob_2.sql");
  EXPECT_EQ(file.rfind("-- strata:split off\n", 0), 0u) << file;
  r = p.Run({"--json", "migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = json::parse(r.out);
  ASSERT_EQ(j["applied"].size(), 1u) << r.out;
  EXPECT_EQ(j["applied"][0]["script"], "V002__bob_2.sql");
  EXPECT_EQ(j["applied"][0]["statements"], 1) << "the body is one statement";
  if (pg()) {
    EXPECT_EQ(p.Scalar("SELECT b_count()"), "2");
  } else {
    EXPECT_EQ(p.Scalar("SELECT x FROM a"), "2");
  }
  // The ledger's checksum is the file's: validate holds, and info shows no mismatch.
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
  auto info = p.Json({"info"});
  for (const auto& m : info["migrations"]) {
    EXPECT_FALSE(m.value("checksum_mismatch", false)) << m;
  }
  std::string ledger = p.Scalar("SELECT checksum FROM strata_schema_history WHERE version = '002'");
  EXPECT_FALSE(ledger.empty());
  EXPECT_NE(d.Read("db/migration/strata.sum").find("V002__bob_2.sql " + ledger), std::string::npos)
      << ledger << "\n"
      << d.Read("db/migration/strata.sum");
}

// What strata cannot carry is listed, never dropped silently: Flyway's Java migrations and
// Liquibase's XML/YAML/JSON changelogs, in --json and in the text a user reads.
TEST_P(ImportTest, JavaMigrationsAndXmlYamlChangelogsAreListedAsNotCarried) {
  Project p(GetParam());
  const auto& d = p.dir();
  d.Write("flyway/V1__create_a.sql", "CREATE TABLE a (x integer);\n");
  d.Write("flyway/V2__Backfill_a.java", "public class V2__Backfill_a {}\n");
  d.Write("flyway/V3__Seed.class", "\xca\xfe\xba\xbe");
  auto j = p.Json({"import", "--from", "flyway", "--source", "flyway", "--dry-run"});
  ASSERT_EQ(j["migrations"].size(), 1u) << j;
  std::string listed = j["not_carried"].dump();
  EXPECT_NE(listed.find("V2__Backfill_a.java: a Java migration"), std::string::npos) << listed;
  EXPECT_NE(listed.find("V3__Seed.class: a Java migration"), std::string::npos) << listed;
  auto r = p.Run({"import", "--from", "flyway", "--source", "flyway", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("V2__Backfill_a.java"), std::string::npos) << r.out;

  d.Write("db/changelog/001-tables.sql",
          "--liquibase formatted sql\n--changeset alice:1\nCREATE TABLE b (x integer);\n");
  d.Write("db/changelog/002-more.xml", "<databaseChangeLog/>\n");
  d.Write("db/changelog/003-more.yaml", "databaseChangeLog: []\n");
  j = p.Json({"import", "--from", "liquibase", "--dry-run"});
  ASSERT_EQ(j["migrations"].size(), 1u) << j;
  listed = j["not_carried"].dump();
  EXPECT_NE(listed.find("002-more.xml: a Liquibase xml changelog"), std::string::npos) << listed;
  EXPECT_NE(listed.find("003-more.yaml: a Liquibase yaml changelog"), std::string::npos) << listed;
  r = p.Run({"import", "--from", "liquibase", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("003-more.yaml"), std::string::npos) << r.out;
}

TEST_P(ImportTest, LiquibaseChangesetEditedAfterItRan) {
  Project p(GetParam());
  const auto& d = p.dir();
  d.Write("body1.sql", "CREATE TABLE a (x integer);\n");
  d.Write("changelog.sql",
          "--liquibase formatted sql\n--changeset alice:1\nCREATE TABLE a (x bigint);\n");
  Apply(p, "CREATE TABLE a (x integer)");
  Apply(p, LiquibaseTable());
  Apply(p, fmt::format("INSERT INTO DATABASECHANGELOG (ID, AUTHOR, FILENAME, DATEEXECUTED, "
                       "ORDEREXECUTED, EXECTYPE, MD5SUM) VALUES ('1', 'alice', 'changelog.sql', "
                       "CURRENT_TIMESTAMP, 1, 'EXECUTED', '{}')",
                       LiquibaseMd5(d / "body1.sql")));
  auto r = p.Run({"import", "--from", "liquibase"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("changeset 'changelog.sql:2' changed after liquibase applied it"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("liquibase clear-checksums"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(p.MigrationPath("strata.sum")));
}

// --- sqitch (Debian's package is not installed here). Registry as sqitchers/sqitch
// lib/App/Sqitch/Engine/pg.sql and sqlite.sql (registry 1.1): projects and changes; on SQLite
// the registry is its own database, sqitch.db beside the target.
TEST_P(ImportTest, SqitchPlanAndRegistry) {
  Project p(GetParam());
  const auto& d = p.dir();
  d.Write("sq/sqitch.plan",
          "%syntax-version=1.0.0\n%project=app\n\n"
          "create_a 2024-01-01T00:00:00Z Ann <ann@example.com> # a\n"
          "create_b [create_a] 2024-01-02T00:00:00Z Ann <ann@example.com> # b\n"
          "@v1 2024-01-03T00:00:00Z Ann <ann@example.com> # tag\n");
  d.Write("sq/deploy/create_a.sql", "BEGIN;\nCREATE TABLE a (x integer);\nCOMMIT;\n");
  d.Write("sq/deploy/create_b.sql", "BEGIN;\nCREATE TABLE b (x integer);\nCOMMIT;\n");
  d.Write("sq/revert/create_a.sql", "BEGIN;\nDROP TABLE a;\nCOMMIT;\n");
  Apply(p, "CREATE TABLE a (x integer)");
  Apply(p, "CREATE TABLE b (x integer)");
  std::string schema = pg() ? "sqitch." : "";
  std::string ddl = fmt::format(
      "CREATE TABLE {0}projects (project TEXT PRIMARY KEY, uri TEXT NULL UNIQUE, created_at "
      "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, creator_name TEXT NOT NULL, creator_email "
      "TEXT NOT NULL);"
      "CREATE TABLE {0}changes (change_id TEXT PRIMARY KEY, script_hash TEXT NULL, change TEXT "
      "NOT NULL, project TEXT NOT NULL REFERENCES {0}projects(project) ON UPDATE CASCADE, note "
      "TEXT NOT NULL DEFAULT '', committed_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, "
      "committer_name TEXT NOT NULL, committer_email TEXT NOT NULL, planned_at TIMESTAMP NOT "
      "NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, UNIQUE(project, "
      "script_hash));"
      "INSERT INTO {0}projects VALUES ('app', NULL, CURRENT_TIMESTAMP, 'Ann', 'ann@example.com');"
      "INSERT INTO {0}changes VALUES ('c1', '{1}', 'create_a', 'app', 'a', '2024-01-01 00:00:00',"
      " 'Ann', 'ann@example.com', '2024-01-01 00:00:00', 'Ann', 'ann@example.com');"
      "INSERT INTO {0}changes VALUES ('c2', '{2}', 'create_b', 'app', 'b', '2024-01-02 00:00:00',"
      " 'Ann', 'ann@example.com', '2024-01-02 00:00:00', 'Ann', 'ann@example.com');"
      // Another project deployed to the same registry is not this plan's history.
      "INSERT INTO {0}projects VALUES ('other', NULL, CURRENT_TIMESTAMP, 'Bo', 'bo@example.com');"
      "INSERT INTO {0}changes VALUES ('c9', NULL, 'unrelated', 'other', '', '2024-01-05 00:00:00',"
      " 'Bo', 'bo@example.com', '2024-01-05 00:00:00', 'Bo', 'bo@example.com');",
      schema, Sha1(d / "sq/deploy/create_a.sql"), Sha1(d / "sq/deploy/create_b.sql"));
  if (pg()) {
    Apply(p, "CREATE SCHEMA sqitch;" + ddl);
  } else {
    auto u = db::ParseUrl("sqlite:" + d / "sqitch.db");
    auto c = db::Connect(*u, "test");
    ASSERT_TRUE(c.ok());
    std::string rest = ddl;
    for (size_t pos; (pos = rest.find(";")) != std::string::npos; rest = rest.substr(pos + 1)) {
      ASSERT_TRUE((*c)->Exec(rest.substr(0, pos)).ok()) << rest.substr(0, pos);
    }
  }
  auto j = p.Json({"import", "--from", "sqitch", "--source", "sq", "--dry-run"});
  ASSERT_EQ(j["migrations"].size(), 2u) << j;
  EXPECT_EQ(j["migrations"][0]["script"], "V001__create_a.sql");
  EXPECT_NE(j["not_carried"].dump().find("revert/create_a.sql"), std::string::npos);
  ImportValidateAndContinue(p, {"--from", "sqitch", "--source", "sq"}, "V003__after.sql", 2);
  EXPECT_EQ(Slurp(p.MigrationPath("V002__create_b.sql")), "CREATE TABLE b (x integer);\n");
  EXPECT_EQ(p.Scalar("SELECT installed_by FROM strata_schema_history WHERE version = '001'"),
            "Ann <ann@example.com>");
}

// Without a database: the files alone, and pending ones run under strata.
TEST_P(ImportTest, FilesOnlyWithoutADatabase) {
  Project p(GetParam());
  p.dir().Write("migrations/1_a.up.sql", "CREATE TABLE a (x integer);\n");
  auto r = RunStrata({"import", "--from", "golang-migrate"}, p.dir().path());
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("files only"), std::string::npos) << r.out;
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  EXPECT_TRUE(p.TableExists("a"));
}

INSTANTIATE_TEST_SUITE_P(Dialects, ImportTest, ::testing::Values(Db::kSqlite, Db::kPostgres),
                         DbName);

// --- The real histories in ../shared/corpora, applied as their tool would, then imported.
std::string CorpusDir() {
  for (const char* c : {"../shared/corpora", "../../shared/corpora", "/work/shared/corpora"}) {
    std::string base = std::string(STRATA_SOURCE_DIR) + "/" + c;
    if (std::filesystem::exists(base)) return base;
  }
  return "";
}

// Applies the corpus's APPLY-ORDER.txt with psql as the tool would (one transaction per file,
// none for NO-TX); returns the files in order.
std::vector<std::string> ApplyOrder(const std::string& corpus, const std::string& url) {
  std::ifstream in(corpus + "/APPLY-ORDER.txt");
  std::vector<std::string> files;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    bool notx = line.find("\tNO-TX") != std::string::npos;
    std::string file = line.substr(0, line.find('\t'));
    std::string cmd = fmt::format(
        "PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 {} -d '{}' -f "
        "'{}/{}' >/dev/null",
        notx ? "" : "--single-transaction", url, corpus, file);
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    files.push_back(file);
  }
  return files;
}

class ImportCorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    STRATA_REQUIRE_POSTGRES();
    if (CorpusDir().empty()) GTEST_SKIP() << "../shared/corpora is not beside the checkout";
  }
};

TEST_F(ImportCorpusTest, KestraFlywayHistory) {
  Project p(Db::kPostgres);
  std::string corpus = CorpusDir() + "/kestra";
  auto files = ApplyOrder(corpus, p.url());
  ASSERT_EQ(files.size(), 26u);
  p.Exec(FlywayTable(true));
  int rank = 0;
  for (const auto& f : files) {
    std::string base = std::filesystem::path(f).filename();
    std::string ver = base.substr(1, base.find("__") - 1);
    std::replace(ver.begin(), ver.end(), '_', '.');
    std::string desc = base.substr(base.find("__") + 2);
    desc = desc.substr(0, desc.size() - 4);
    std::replace(desc.begin(), desc.end(), '_', ' ');
    p.Exec(FlywayRow(true, ++rank, ver, desc, base, FlywayCrc(corpus + "/" + f)));
  }
  std::string src = corpus + "/jdbc-postgres/src/main/resources/migrations/postgres";
  auto j = p.Json({"import", "--from", "flyway", "--source", src, "--dry-run"});
  ASSERT_EQ(j["migrations"].size(), 26u) << j;
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(j["migrations"][i]["script"],
              std::filesystem::path(files[i]).filename().string());  // Flyway's order exactly
  }
  ImportValidateAndContinue(p, {"--from", "flyway", "--source", src}, "V1_99__after.sql", 26);
}

TEST_F(ImportCorpusTest, CratesIoDieselHistory) {
  Project p(Db::kPostgres);
  std::string corpus = CorpusDir() + "/crates-io";
  auto files = ApplyOrder(corpus, p.url());
  ASSERT_EQ(files.size(), 285u);
  p.Exec(
      "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, "
      "run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)");
  for (const auto& f : files) {
    std::string dir = std::filesystem::path(f).parent_path().filename();
    std::string ver = dir.substr(0, dir.find('_'));
    ver.erase(std::remove(ver.begin(), ver.end(), '-'), ver.end());
    p.Exec("INSERT INTO __diesel_schema_migrations (version) VALUES ('" + ver + "')");
  }
  auto j = p.Json({"import", "--from", "diesel", "--source", corpus + "/migrations", "--dry-run"});
  ASSERT_EQ(j["migrations"].size(), 285u) << j.dump().substr(0, 2000);
  int notx = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(j["migrations"][i]["source"], corpus + "/" + files[i]) << i;  // Diesel's order
    notx += j["migrations"][i]["transactional"] ? 0 : 1;
  }
  EXPECT_EQ(notx, 7);
  EXPECT_EQ(j["not_carried"].size(), 285u + 2u) << j["not_carried"];  // down.sql + 2 stray files
  ImportValidateAndContinue(p, {"--from", "diesel", "--source", corpus + "/migrations"},
                            "V20990101000000__after.sql", 285);
}

// --- dbmate itself, when it is installed (bench/: `npm install` pins it; or on PATH).
std::string DbmateBinary() {
  for (std::string c : {std::string(STRATA_SOURCE_DIR) + "/bench/node_modules/.bin/dbmate",
                        std::string("/usr/local/bin/dbmate"), std::string("/usr/bin/dbmate")}) {
    if (access(c.c_str(), X_OK) == 0) return c;
  }
  return "";
}

TEST_P(ImportTest, DbmateRealTool) {
  std::string dbmate = DbmateBinary();
  if (dbmate.empty()) {
    GTEST_SKIP() << "dbmate is not installed: `cd bench && npm install` (dbmate 2.36.0) runs "
                    "this test with the real tool; DbmateUpSectionAndTransactionFalse covers "
                    "its table";
  }
  Project p(GetParam());
  const auto& d = p.dir();
  d.Write("db/migrations/20240101120000_create_a.sql",
          "-- migrate:up\nCREATE TABLE a (x integer);\n\n-- migrate:down\nDROP TABLE a;\n");
  d.Write("db/migrations/20240102120000_index_a.sql",
          "-- migrate:up transaction:false\nCREATE INDEX a_x ON a (x);\n\n-- migrate:down\n");
  std::string url = p.url();
  if (!p.pg())
    url = "sqlite:" + d / "test.db";
  else
    url += (url.find('?') == std::string::npos ? "?" : "&") + std::string("sslmode=disable");
  std::string cmd = fmt::format("cd '{}' && '{}' --url '{}' --no-dump-schema up >/dev/null 2>&1",
                                d.path(), dbmate, url);
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  ASSERT_TRUE(p.TableExists("schema_migrations"));
  ImportValidateAndContinue(p, {"--from", "dbmate"}, "V20240103120000__after.sql", 2);
}

// --- sqitch itself, when installed (Debian: `apt-get install sqitch libdbd-pg-perl
// libdbd-sqlite3-perl`, scripts/install-deps.sh --test).
TEST_P(ImportTest, SqitchRealTool) {
  if (access("/usr/bin/sqitch", X_OK) != 0) {
    GTEST_SKIP() << "sqitch is not installed (apt-get install sqitch libdbd-pg-perl "
                    "libdbd-sqlite3-perl): SqitchPlanAndRegistry covers its registry";
  }
  Project p(GetParam());
  const auto& d = p.dir();
  d.Write("sq/sqitch.conf", fmt::format("[core]\n\tengine = {}\n", pg() ? "pg" : "sqlite"));
  d.Write("sq/sqitch.plan",
          "%syntax-version=1.0.0\n%project=app\n\n"
          "create_a 2024-01-01T00:00:00Z Ann <ann@example.com> # a\n"
          "create_b [create_a] 2024-01-02T00:00:00Z Ann <ann@example.com> # b\n");
  d.Write("sq/deploy/create_a.sql", "BEGIN;\nCREATE TABLE a (x integer);\nCOMMIT;\n");
  d.Write("sq/deploy/create_b.sql", "BEGIN;\nCREATE TABLE b (x integer);\nCOMMIT;\n");
  d.Write("sq/revert/create_a.sql", "BEGIN;\nDROP TABLE a;\nCOMMIT;\n");
  d.Write("sq/revert/create_b.sql", "BEGIN;\nDROP TABLE b;\nCOMMIT;\n");
  std::string target =
      pg() ? "db:pg:" + p.url().substr(p.url().find("//")) : "db:sqlite:" + d / "test.db";
  std::string cmd = fmt::format(
      "cd '{}' && SQITCH_FULLNAME=Ann SQITCH_EMAIL=ann@example.com sqitch deploy '{}' "
      ">/dev/null 2>&1",
      d / "sq", target);
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  ImportValidateAndContinue(p, {"--from", "sqitch", "--source", "sq"}, "V003__after.sql", 2);
  EXPECT_EQ(p.Scalar("SELECT installed_by FROM strata_schema_history WHERE version = '002'"),
            "Ann <ann@example.com>");
}

// --- Liquibase itself, when installed (`npm install liquibase@4.28.1` in bench/ bundles it; it
// runs on Debian's Java). Its MD5SUMs check strata's computation of Liquibase's checksum.
std::string LiquibaseBinary() {
  std::string c =
      std::string(STRATA_SOURCE_DIR) + "/bench/node_modules/liquibase/dist/liquibase/liquibase";
  return access(c.c_str(), X_OK) == 0 && access("/usr/bin/java", X_OK) == 0 ? c : "";
}

TEST_P(ImportTest, LiquibaseRealTool) {
  std::string lb = LiquibaseBinary();
  if (lb.empty()) {
    GTEST_SKIP() << "Liquibase is not installed (`cd bench && npm install --no-save "
                    "liquibase@4.28.1`, and Java): LiquibaseFormattedSqlChangesets covers its "
                    "table";
  }
  if (!pg()) {
    // Its bundled sqlite-jdbc needs slf4j-api on the main classpath: Debian's libslf4j-java,
    // linked into its lib/ as ../shared/bench-kit/install-peers.sh does.
    std::string lib = std::filesystem::path(lb).parent_path() / "lib/slf4j-api.jar";
    if (access("/usr/share/java/slf4j-api.jar", R_OK) != 0) {
      GTEST_SKIP() << "Liquibase on SQLite needs Debian's libslf4j-java";
    }
    std::error_code ec;
    if (!std::filesystem::exists(lib, ec)) {
      std::filesystem::create_symlink("/usr/share/java/slf4j-api.jar", lib, ec);
    }
  }
  Project p(GetParam());
  const auto& d = p.dir();
  d.Write("changelog.sql",
          "--liquibase formatted sql\n\n"
          "--changeset alice:1\nCREATE TABLE a (x integer);\n--rollback DROP TABLE a;\n\n"
          "--changeset bob:idx runInTransaction:false\n--comment: an index\n"
          "CREATE INDEX a_x ON a (x);\n\n"
          "--changeset carol:3 splitStatements:false\nCREATE TABLE b (x integer);\n" +
              std::string(pg() ? "DO $$\nBEGIN\n  INSERT INTO b VALUES (1);\n  INSERT INTO b "
                                 "VALUES (2);\nEND;\n$$;\n"
                               : ""));  // sqlite-jdbc would run only the first statement
  std::string jdbc, user;
  if (pg()) {
    // postgres://postgres@127.0.0.1:<port>/<db>
    std::string rest = p.url().substr(p.url().find('@') + 1);
    jdbc = "jdbc:postgresql://" + rest;
    user = "--username=postgres";
  } else {
    jdbc = "jdbc:sqlite:" + d / "test.db";
  }
  std::string cmd = fmt::format(
      "cd '{}' && '{}' --changelog-file=changelog.sql --url='{}' {} --show-banner=false "
      "update >'{}' 2>&1",
      d.path(), lb, jdbc, user, d / "liquibase.log");
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd << "\n" << Slurp(d / "liquibase.log");
  ImportValidateAndContinue(p, {"--from", "liquibase"}, "V004__after.sql", 3);
  if (pg()) EXPECT_EQ(p.Count("b"), 2);
  EXPECT_EQ(p.dir().Read("db/migration/V003__carol_3.sql").rfind("-- strata:split off\n", 0), 0u);
}

}  // namespace
}  // namespace strata::testing
