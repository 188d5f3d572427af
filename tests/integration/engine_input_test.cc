// Issue 2, "Migrations", "Failure and bad input" (files), "Ledger" and "Commands": every bad or
// unusual input strata reads, on SQLite and on PostgreSQL, through the real binary against a
// real database. Each test says which line of the issue it covers.
#include "base/sha256.h"
#include "base/text.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>

#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class InputTest : public EngineTest {};

// --- Migrations: discovery and names ------------------------------------------------------

// "version parts separated by . or _, compared numerically part by part: V1 < V1.1 < V2 < V10;
// timestamps like V20260628_0901 work"
TEST_P(InputTest, VersionsAreOrderedNumericallyPartByPart) {
  Project p(GetParam());
  // Each file records its place: n = number of rows before it.
  auto log = [](const std::string& v) {
    return "INSERT INTO applied_order (n, v) VALUES ((SELECT count(*) FROM applied_order), '" + v +
           "');\n";
  };
  p.Write("V1__one.sql", "CREATE TABLE applied_order (n integer PRIMARY KEY, v text);\n");
  p.Write("V10__ten.sql", log("10"));
  p.Write("V2__two.sql", log("2"));
  p.Write("V1.1__one_one.sql", log("1.1"));
  p.Write("V20260628_0901__stamp.sql", log("20260628.0901"));
  p.Write("V20260628_0900__stamp_before.sql", log("20260628.0900"));
  p.Hash();
  auto r = p.Run({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  std::vector<std::string> want = {"1.1", "2", "10", "20260628.0900", "20260628.0901"};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(p.Scalar("SELECT v FROM applied_order WHERE n = " + std::to_string(i)), want[i]);
  }
  // The ledger and info list them in the same order.
  auto info = p.Json({"info"});
  std::vector<std::string> versions;
  for (const auto& m : info["migrations"]) versions.push_back(m["version"].get<std::string>());
  EXPECT_EQ(versions,
            (std::vector<std::string>{"1", "1.1", "2", "10", "20260628.0900", "20260628.0901"}));
  EXPECT_EQ(p.Scalar("SELECT version FROM strata_schema_history WHERE installed_rank = 4"), "10");
}

// "A malformed name (e.g. V1_add.sql, v2__x.sql, V3__.sql) ... is an error naming the file and
// the expected form — never silently skipped"
TEST_P(InputTest, MalformedNamesAreErrorsNamingFileAndForm) {
  for (const std::string name :
       {"V1_add.sql", "v2__x.sql", "V3__.sql", "Vx__bad.sql", "R_views.sql", "V4__add.SQL"}) {
    SCOPED_TRACE(name);
    Project p(GetParam());
    p.Write("V0__ok.sql", "CREATE TABLE ok (a integer);\n");
    p.Write(name, "CREATE TABLE should_not_exist (a integer);\n");
    for (const std::string verb : {"migrate", "validate", "info", "hash"}) {
      auto r = p.Run({verb});
      EXPECT_EQ(r.exit_code, kExitValidation) << verb << ": " << r.All();
      EXPECT_NE(r.err.find(name), std::string::npos) << verb << ": " << r.All();
      EXPECT_NE(r.err.find("V<version>__<description>.sql"), std::string::npos) << r.All();
    }
    EXPECT_FALSE(p.TableExists("ok"));
    EXPECT_FALSE(p.TableExists("should_not_exist"));
  }
}

// "Other file types can be ignored by a configured pattern."
TEST_P(InputTest, IgnoredPatternsAreSkipped) {
  Project p(GetParam(), "ignore = [\"*.bak\", \"notes/*\"]\n");
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  p.Write("V1__one.sql.bak", "garbage");
  p.Write("README.md", "docs");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("one"));
}

// "a duplicate version ... is an error naming the file"
TEST_P(InputTest, DuplicateVersionNamesBothFiles) {
  Project p(GetParam());
  p.Write("V1__first.sql", "CREATE TABLE first (a integer);\n");
  p.Write("V001__second.sql", "CREATE TABLE second (a integer);\n");
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("V1__first.sql"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("V001__second.sql"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("duplicate-version"), std::string::npos) << r.err;
  EXPECT_FALSE(p.TableExists("first"));
  // 1 and 1.0 are the same version too.
  p.Remove("V001__second.sql");
  p.Write("V1.0__third.sql", "SELECT 1;\n");
  r = p.Run({"validate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("V1.0__third.sql"), std::string::npos) << r.err;
}

// "a non-UTF-8 file ... is an error naming the file"
TEST_P(InputTest, NonUtf8FileIsAnErrorWithLine) {
  Project p(GetParam());
  p.Write("V1__latin1.sql", "CREATE TABLE t (a text);\nINSERT INTO t VALUES ('caf\xe9');\n");
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("V1__latin1.sql:2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("UTF-8"), std::string::npos) << r.err;
  EXPECT_FALSE(p.TableExists("t"));
}

// "an unreadable file is an error naming the file"
TEST_P(InputTest, UnreadableFileIsAnError) {
  Project p(GetParam());
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  // A dangling symlink cannot be read by anyone, root included.
  fs::create_symlink(p.dir() / "nowhere.sql", p.MigrationPath("V2__dangling.sql"));
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 1) << r.All();  // kIo
  EXPECT_NE(r.err.find("V2__dangling.sql"), std::string::npos) << r.err;
  EXPECT_FALSE(p.TableExists("one"));
  fs::remove(p.MigrationPath("V2__dangling.sql"));

  std::string path = p.Write("V3__secret.sql", "CREATE TABLE three (a integer);\n");
  ASSERT_EQ(chmod(path.c_str(), 0), 0);
  if (std::ifstream(path).good()) {
    chmod(path.c_str(), 0644);
    GTEST_SKIP() << "running as root: chmod 000 does not stop this process reading " << path
                 << " (the dangling-symlink case above covered the unreadable path)";
  }
  r = p.Run({"migrate"});
  chmod(path.c_str(), 0644);
  EXPECT_EQ(r.exit_code, 1) << r.All();
  EXPECT_NE(r.err.find("V3__secret.sql"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("permission"), std::string::npos) << r.err;
}

// --- Migrations: checksum, sum file -------------------------------------------------------

// "Checksum: SHA-256 of the content with line endings normalised and a UTF-8 BOM removed, so a
// CRLF checkout does not look like an edit." Plus the edge files of "Failure and bad input".
TEST_P(InputTest, CrlfBomAndNoTrailingNewlineFilesApplyAndKeepTheirChecksum) {
  Project p(GetParam());
  const std::string lf = "CREATE TABLE crlf (a integer);\nINSERT INTO crlf VALUES (1);\n";
  std::string crlf = "CREATE TABLE crlf (a integer);\r\nINSERT INTO crlf VALUES (1);\r\n";
  p.Write("V1__crlf.sql", crlf);
  p.Write("V2__bom.sql",
          "\xEF\xBB\xBF"
          "CREATE TABLE bom (a integer);\n");
  p.Write("V3__no_newline.sql",
          "CREATE TABLE no_newline (a integer);\nINSERT INTO no_newline "
          "VALUES (7)");
  p.Write("V4__empty.sql", "");
  p.Write("V5__only_comments.sql", "-- nothing to do here\n/* really */\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.Count("crlf"), 1);
  EXPECT_TRUE(p.TableExists("bom"));
  EXPECT_EQ(p.Scalar("SELECT a FROM no_newline"), "7");
  auto info = p.Json({"info"});
  ASSERT_EQ(info["migrations"].size(), 5u) << info.dump(2);
  for (const auto& m : info["migrations"]) EXPECT_EQ(m["state"], "applied") << m.dump();
  // The CRLF file's checksum is the LF twin's.
  EXPECT_EQ(info["migrations"][0]["checksum"], base::Sha256Hex(lf));
  EXPECT_EQ(info["migrations"][1]["checksum"], base::Sha256Hex("CREATE TABLE bom (a integer);\n"));
  // A checkout that converts line endings or drops the BOM is not an edit: validate stays
  // quiet and strata.sum still matches.
  p.Write("V1__crlf.sql", lf);
  p.Write("V2__bom.sql", "CREATE TABLE bom (a integer);\n");
  r = p.Run({"validate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.LedgerRows(), 5);
}

// "20 MB file" (generated here, not committed).
TEST_P(InputTest, TwentyMegabyteFileApplies) {
  Project p(GetParam());
  std::string text = "CREATE TABLE big (id integer PRIMARY KEY, payload text);\n";
  text.reserve(21 << 20);
  const std::string payload(80, 'x');
  int id = 0;
  int statements = 0;
  while (text.size() < (20u << 20)) {
    text += "INSERT INTO big (id, payload) VALUES\n";
    for (int i = 0; i < 1000; ++i) {
      text += "(" + std::to_string(++id) + ", '" + payload + "')" + (i == 999 ? ";\n" : ",\n");
    }
    ++statements;
  }
  ASSERT_GE(text.size(), 20u << 20);
  p.Write("V1__big.sql", text);
  p.Hash();
  auto start = NowMs();
  auto r = p.Run({"--json", "migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out.substr(0, 2000);
  EXPECT_EQ(p.Count("big"), id);
  auto j = json::parse(r.out);
  EXPECT_EQ(j["applied"][0]["statements"], statements + 1);
  // Validate re-reads and re-checksums it.
  r = p.Run({"validate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  RecordProperty("twenty_mb_ms", static_cast<int>(NowMs() - start));
}

// "a $$ body containing semicolons" (PostgreSQL), and the SQLite equivalent: a trigger body.
TEST_P(InputTest, BodiesWithSemicolonsStayOneStatement) {
  Project p(GetParam());
  if (pg()) {
    p.Write("V1__function.sql",
            "CREATE TABLE audit (n integer);\n"
            "CREATE FUNCTION bump() RETURNS integer LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "  INSERT INTO audit VALUES (1);\n"
            "  INSERT INTO audit VALUES (2);\n"
            "  RETURN (SELECT count(*) FROM audit);\n"
            "END;\n"
            "$$;\n"
            "CREATE FUNCTION tagged() RETURNS text LANGUAGE sql AS $body$ SELECT 'a;b;c' $body$;\n"
            "DO $$ BEGIN PERFORM bump(); END $$;\n"
            "INSERT INTO audit SELECT length(tagged());\n"
            "/* outer /* nested; */ still a comment; */\n"
            "INSERT INTO audit SELECT length(E'it\\'s; fine') - 10;\n");
  } else {
    p.Write("V1__function.sql",
            "CREATE TABLE audit (n integer);\n"
            "CREATE TABLE src (a integer);\n"
            "CREATE TRIGGER src_audit AFTER INSERT ON src BEGIN\n"
            "  INSERT INTO audit VALUES (1);\n"
            "  INSERT INTO audit VALUES (2);\n"
            "END;\n"
            "INSERT INTO src VALUES (1);\n"
            "INSERT INTO audit SELECT length('a;b;c');\n");
  }
  p.Hash();
  auto r = p.Run({"--json", "migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.Count("audit"), pg() ? 4 : 3);
  EXPECT_EQ(p.Scalar("SELECT max(n) FROM audit"), "5");
  auto j = json::parse(r.out);
  EXPECT_EQ(j["applied"][0]["statements"], pg() ? 6 : 5);
}

// "A directory sum file (strata.sum ...) that migrate and validate check ...; strata hash
// rewrites it."
TEST_P(InputTest, SumFileMissingOrStaleIsRefusedAndHashFixesIt) {
  Project p(GetParam());
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  for (const std::string verb : {"migrate", "validate"}) {
    auto r = p.Run({verb});
    EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
    EXPECT_NE(r.All().find("strata.sum"), std::string::npos) << r.All();
    EXPECT_NE(r.All().find("strata hash"), std::string::npos) << r.All();
  }
  EXPECT_FALSE(p.TableExists("one"));
  p.Hash();
  EXPECT_EQ(p.Run({"migrate"}).exit_code, 0);
  // A second branch adds a migration without rehashing: refused, naming the file.
  p.Write("V2__two.sql", "CREATE TABLE two (a integer);\n");
  for (const std::string verb : {"migrate", "validate"}) {
    auto r = p.Run({verb});
    EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
    EXPECT_NE(r.All().find("added: V2__two.sql"), std::string::npos) << r.All();
  }
  EXPECT_FALSE(p.TableExists("two"));
  // A hand edit of the cumulative line is caught too.
  p.Hash();
  std::string sum = p.dir().Read("db/migration/strata.sum");
  sum[15] = sum[15] == 'a' ? 'b' : 'a';
  p.dir().Write("db/migration/strata.sum", sum);
  EXPECT_EQ(p.Run({"migrate"}).exit_code, kExitValidation);
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("two"));
  // require_sum = false turns the check off.
  Project q(GetParam(), "[migrate]\nrequire_sum = false\n");
  q.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  EXPECT_EQ(q.Run({"migrate"}).exit_code, 0);
}

// --- Directives and placeholders -----------------------------------------------------------

// "An unknown strata: directive is an error (typo protection)."
TEST_P(InputTest, UnknownDirectiveIsAnError) {
  Project p(GetParam());
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  p.Write("V2__typo.sql", "-- strata:transation off\nCREATE TABLE two (a integer);\n");
  p.Hash();
  for (const std::string verb : {"migrate", "validate"}) {
    auto r = p.Run({verb});
    EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
    EXPECT_NE(r.All().find("V2__typo.sql:1"), std::string::npos) << r.All();
    EXPECT_NE(r.All().find("strata:transation"), std::string::npos) << r.All();
    EXPECT_NE(r.All().find("did you mean `-- strata:transaction`"), std::string::npos) << r.All();
  }
  // Nothing ran, not even the good V1: everything is prepared before anything runs.
  EXPECT_FALSE(p.TableExists("one"));
  // A bad argument of a known directive is an error too.
  p.Write("V2__typo.sql", "-- strata:lock-timeout soon\nCREATE TABLE two (a integer);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("needs a duration"), std::string::npos) << r.err;
}

// "Placeholders ${name} replaced only for names declared in config; an undeclared placeholder
// is an error."
TEST_P(InputTest, UndeclaredPlaceholderIsAnError) {
  Project p(GetParam(), "[placeholders]\nowner = \"app_owner\"\n");
  p.Write("V1__one.sql", "CREATE TABLE one (a text);\nINSERT INTO one VALUES ('${owner}');\n");
  p.Write("V2__two.sql", "CREATE TABLE two (a text);\n\nINSERT INTO two VALUES ('${ownr}');\n");
  p.Hash();
  for (const std::string verb : {"migrate", "validate"}) {
    auto r = p.Run({verb});
    EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
    EXPECT_NE(r.All().find("V2__two.sql:3"), std::string::npos) << r.All();
    EXPECT_NE(r.All().find("${ownr}"), std::string::npos) << r.All();
  }
  EXPECT_FALSE(p.TableExists("one"));
  p.Write("V2__two.sql", "CREATE TABLE two (a text);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.Scalar("SELECT a FROM one"), "app_owner");
}

// "Values never logged if marked secret." (--dry-run, errors, --json, --log-json, the ledger)
// Checked in any letter case: PostgreSQL folds an unquoted identifier to lower case before
// echoing it in its error message.
TEST_P(InputTest, SecretPlaceholderIsNeverPrinted) {
  const std::string secret = "s3cr3tTokenValue";
  auto leaks = [&](const std::string& text) {
    return base::ToLower(text).find(base::ToLower(secret)) != std::string::npos;
  };
  Project p(GetParam(), "[placeholders]\nlabel = \"visible_label\"\napi_token = { value = \"" +
                            secret + "\", secret = true }\n");
  p.Write("V1__one.sql",
          "CREATE TABLE cfg (k text, v text);\n"
          "INSERT INTO cfg VALUES ('${label}', '${api_token}');\n");
  p.Hash();
  auto dry = p.Run({"migrate", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.All();
  EXPECT_FALSE(leaks(dry.All())) << dry.All();
  EXPECT_NE(dry.out.find("<secret:api_token>"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("visible_label"), std::string::npos) << dry.out;
  auto dry_json = p.Run({"--json", "migrate", "--dry-run"});
  EXPECT_FALSE(leaks(dry_json.All())) << dry_json.All();

  auto r = p.Run({"--json", "--log-json", "migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_FALSE(leaks(r.All())) << r.All();
  EXPECT_EQ(p.Scalar("SELECT v FROM cfg"), secret);  // the database did get the value

  // Error paths: the database echoes the value back in its message (an unknown column).
  p.Write("V2__fails.sql", "CREATE TABLE ok_before (a integer);\nSELECT ${api_token};\n");
  p.Write("V3__fails_notx.sql", "-- strata:transaction off\nSELECT ${api_token};\n");
  p.Hash();
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
  EXPECT_FALSE(leaks(r.All())) << r.All();
  EXPECT_NE(r.err.find("V2__fails.sql:2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("SELECT <secret:api_token>"), std::string::npos) << r.err;
  r = p.Run({"--json", "--log-json", "migrate"});
  EXPECT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
  EXPECT_FALSE(leaks(r.All())) << r.All();
  EXPECT_EQ(json::parse(r.out)["error"]["line"], 2) << r.out;
  // A non-transactional failure also writes the error into the ledger row.
  p.Write("V2__fails.sql", "CREATE TABLE ok_before (a integer);\n");
  p.Hash();
  r = p.Run({"--log-json", "migrate"});
  EXPECT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
  EXPECT_FALSE(leaks(r.All())) << r.All();
  EXPECT_NE(r.err.find("V3__fails_notx.sql:2"), std::string::npos) << r.err;
  for (const std::string verb : {"info", "validate"}) {
    auto v = p.Run({"--json", verb});
    EXPECT_FALSE(leaks(v.All())) << v.All();
    v = p.Run({verb});
    EXPECT_FALSE(leaks(v.All())) << v.All();
  }
  // The ledger (the failed row's reason included) never holds it.
  auto c = p.Connect();
  auto rows = c->Query("SELECT * FROM strata_schema_history");
  ASSERT_TRUE(rows.ok());
  for (const auto& row : rows->rows) {
    for (const auto& v : row) EXPECT_FALSE(v && leaks(*v)) << *v;
  }
  EXPECT_EQ(p.Count("strata_schema_history WHERE success = " + std::string(pg() ? "false" : "0")),
            1);
}

// --- Statements that cannot run in a migration ----------------------------------------------

// "On PostgreSQL, a statement that cannot run inside a transaction (CREATE/DROP INDEX
// CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM, ...) found in a transactional migration is
// refused before anything runs, with the fix." SQLite: VACUUM.
TEST_P(InputTest, NonTransactionalStatementInTransactionalFileIsRefusedBeforeAnythingRuns) {
  Project p(GetParam());
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  std::vector<std::string> bad = {"VACUUM"};
  if (pg()) {
    bad = {"CREATE INDEX CONCURRENTLY one_a ON one (a)",
           "create unique index concurrently one_a ON one (a)", "DROP INDEX CONCURRENTLY one_a",
           "REINDEX TABLE CONCURRENTLY one", "VACUUM one"};
  }
  for (const auto& stmt : bad) {
    SCOPED_TRACE(stmt);
    p.Write("V2__bad.sql", "CREATE TABLE two (a integer);\n-- the slow part\n" + stmt + ";\n");
    p.Hash();
    auto r = p.Run({"migrate"});
    EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
    EXPECT_NE(r.err.find("not-transactional"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("V2__bad.sql:3"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("-- strata:transaction off"), std::string::npos) << r.err;
    EXPECT_FALSE(p.TableExists("one"));
    EXPECT_FALSE(p.TableExists("two"));
    auto v = p.Run({"validate"});
    EXPECT_EQ(v.exit_code, kExitValidation) << v.All();
  }
  // With the directive it runs.
  p.Write("V2__bad.sql", "-- strata:transaction off\n" + bad[0] + ";\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
}

// "BEGIN/COMMIT inside a migration refused" (strata owns the transaction).
TEST_P(InputTest, TransactionControlInsideMigrationIsRefused) {
  for (const std::string stmt : {"BEGIN", "COMMIT", "ROLLBACK", "START TRANSACTION", "END"}) {
    SCOPED_TRACE(stmt);
    Project p(GetParam());
    p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
    p.Write("V2__tx.sql", stmt + ";\nCREATE TABLE two (a integer);\nCOMMIT;\n");
    p.Hash();
    auto r = p.Run({"migrate"});
    EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
    EXPECT_NE(r.err.find("V2__tx.sql:1"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("transaction control"), std::string::npos) << r.err;
    EXPECT_FALSE(p.TableExists("one"));
    EXPECT_FALSE(p.TableExists("two"));
  }
  // The same in a non-transactional file.
  Project p(GetParam());
  p.Write("V1__tx.sql", "-- strata:transaction off\nCREATE TABLE a (x integer);\nBEGIN;\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("V1__tx.sql:3"), std::string::npos) << r.err;
  EXPECT_FALSE(p.TableExists("a"));
}

// --- States, info, validate ----------------------------------------------------------------

// "info: every migration with its state ... --json gives {"migrations":[{"version",
// "description","type","script","state","checksum","installed_on"}...]}"; missing and future.
TEST_P(InputTest, InfoJsonShowsMissingFutureAndPendingStates) {
  Project p(GetParam());
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  p.Write("V2__two.sql", "CREATE TABLE two (a integer);\n");
  p.Write("V3__three.sql", "CREATE TABLE three (a integer);\n");
  p.Write("V4__four.sql", "CREATE TABLE four (a integer);\n");
  p.Write("R__view.sql", "CREATE VIEW v AS SELECT a FROM one;\n");
  p.Hash();
  p.Exec("SELECT 1");  // the database exists: read-only verbs never create one (issue 17)
  auto info = p.Json({"info"});
  ASSERT_EQ(info["migrations"].size(), 5u) << info.dump(2);
  for (const auto& m : info["migrations"]) {
    EXPECT_EQ(m["state"], "pending");
    EXPECT_TRUE(m["installed_on"].is_null());
  }
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Remove("V2__two.sql");
  p.Remove("V4__four.sql");
  p.Write("V5__five.sql", "CREATE TABLE five (a integer);\n");
  p.Hash();
  info = p.Json({"info"});
  ASSERT_TRUE(info["migrations"].is_array()) << info.dump(2);
  std::map<std::string, json> by_script;
  for (const auto& m : info["migrations"]) {
    for (const char* key :
         {"version", "description", "type", "script", "state", "checksum", "installed_on"}) {
      EXPECT_TRUE(m.contains(key)) << key << " missing in " << m.dump();
    }
    by_script[m["script"].get<std::string>()] = m;
  }
  EXPECT_EQ(by_script["V1__one.sql"]["state"], "applied");
  EXPECT_EQ(by_script["V1__one.sql"]["version"], "1");
  EXPECT_EQ(by_script["V1__one.sql"]["description"], "one");
  EXPECT_EQ(by_script["V1__one.sql"]["type"], "SQL");
  EXPECT_EQ(by_script["V1__one.sql"]["checksum"],
            base::Sha256Hex("CREATE TABLE one (a integer);\n"));
  EXPECT_TRUE(by_script["V1__one.sql"]["installed_on"].is_string());
  EXPECT_EQ(by_script["V2__two.sql"]["state"], "missing");
  EXPECT_EQ(by_script["V4__four.sql"]["state"], "missing") << "V5 is above it: not future";
  EXPECT_EQ(by_script["R__view.sql"]["type"], "REPEATABLE");
  EXPECT_TRUE(by_script["R__view.sql"]["version"].is_null());
  EXPECT_EQ(by_script["V5__five.sql"]["state"], "pending");
}

// Same as above, the exact states.
TEST_P(InputTest, MissingAndFutureMigrations) {
  Project p(GetParam());
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  p.Write("V2__two.sql", "CREATE TABLE two (a integer);\n");
  p.Write("V3__three.sql", "CREATE TABLE three (a integer);\n");
  p.Write("V4__four.sql", "CREATE TABLE four (a integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  // An older checkout: V4 is applied but has no file and nothing after it (future); V2 was
  // deleted although V3 is still here (missing).
  p.Remove("V2__two.sql");
  p.Remove("V4__four.sql");
  p.Hash();
  auto info = p.Json({"info"});
  std::map<std::string, std::string> state;
  for (const auto& m : info["migrations"]) state[m["script"]] = m["state"];
  EXPECT_EQ(state["V1__one.sql"], "applied");
  EXPECT_EQ(state["V2__two.sql"], "missing");
  EXPECT_EQ(state["V3__three.sql"], "applied");
  EXPECT_EQ(state["V4__four.sql"], "future");
  // validate: missing is an error that says to restore the file; future is one too, unless
  // accepted (an older application version deployed on purpose).
  auto v = p.Run({"validate"});
  EXPECT_EQ(v.exit_code, kExitValidation) << v.All();
  EXPECT_NE(v.All().find("V2__two.sql"), std::string::npos) << v.All();
  EXPECT_NE(v.All().find("restore the file"), std::string::npos) << v.All();
  EXPECT_NE(v.All().find("error[future]"), std::string::npos) << v.All();
  v = p.Run({"validate", "--ignore", "future"});
  EXPECT_EQ(v.exit_code, kExitValidation) << v.All();
  EXPECT_EQ(v.All().find("V4__four.sql"), std::string::npos) << v.All();
  EXPECT_EQ(p.Run({"migrate"}).exit_code, kExitValidation);
  p.Write("V2__two.sql", "CREATE TABLE two (a integer);\n");
  p.Hash();
  v = p.Run({"validate", "--ignore", "future"});
  EXPECT_EQ(v.exit_code, 0) << v.All();
  auto m = p.Run({"migrate"});
  EXPECT_EQ(m.exit_code, 0) << m.All();
  EXPECT_NE(m.All().find("V4__four.sql"), std::string::npos) << "future warned: " << m.All();
}

// "out-of-order (pending but older than the latest applied)": validate/migrate refuse unless
// migrate.out_of_order = true.
TEST_P(InputTest, OutOfOrderPendingIsRefusedUnlessAllowed) {
  Project p(GetParam());
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  p.Write("V3__three.sql", "CREATE TABLE three (a integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Write("V2__two.sql", "CREATE TABLE two (a integer);\n");
  p.Hash();
  auto info = p.Json({"info"});
  std::map<std::string, std::string> state;
  for (const auto& m : info["migrations"]) state[m["script"]] = m["state"];
  EXPECT_EQ(state["V2__two.sql"], "out-of-order");
  for (const std::string verb : {"validate", "migrate"}) {
    auto r = p.Run({verb});
    EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
    EXPECT_NE(r.All().find("V2__two.sql"), std::string::npos) << r.All();
    EXPECT_NE(r.All().find("out_of_order"), std::string::npos) << r.All();
  }
  EXPECT_FALSE(p.TableExists("two"));
  p.WriteToml("[migrate]\nout_of_order = true\n");
  auto v = p.Run({"validate"});
  EXPECT_EQ(v.exit_code, 0) << v.All();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("two"));
  info = p.Json({"info"});
  for (const auto& m : info["migrations"]) EXPECT_EQ(m["state"], "applied") << m.dump();
}

// "Repeatable migrations run after pending versioned ones, in name order, and again whenever
// their checksum changes." (state outdated before the re-run)
TEST_P(InputTest, RepeatableRunsAfterVersionedAndAgainWhenChanged) {
  Project p(GetParam());
  // R__a sorts before every V file by name, but needs the table V2 creates.
  p.Write("R__a_view.sql",
          "DROP VIEW IF EXISTS a_view;\nCREATE VIEW a_view AS SELECT 1 AS x "
          "FROM two;\n");
  p.Write("R__b_view.sql",
          "DROP VIEW IF EXISTS b_view;\nCREATE VIEW b_view AS SELECT x FROM "
          "a_view;\n");
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  p.Write("V2__two.sql", "CREATE TABLE two (a integer);\nINSERT INTO two VALUES (1);\n");
  p.Hash();
  auto r = p.Run({"--json", "migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = json::parse(r.out);
  std::vector<std::string> order;
  for (const auto& a : j["applied"]) order.push_back(a["script"]);
  EXPECT_EQ(order, (std::vector<std::string>{"V1__one.sql", "V2__two.sql", "R__a_view.sql",
                                             "R__b_view.sql"}));
  EXPECT_EQ(p.Scalar("SELECT x FROM b_view"), "1");
  // Unchanged: nothing runs again.
  r = p.Run({"--json", "migrate"});
  EXPECT_EQ(json::parse(r.out)["applied"].size(), 0u) << r.out;
  // Changed: outdated, then re-run.
  p.Write("R__a_view.sql",
          "DROP VIEW IF EXISTS b_view;\nDROP VIEW IF EXISTS a_view;\n"
          "CREATE VIEW a_view AS SELECT 2 AS x FROM two;\n");
  p.Hash();
  auto info = p.Json({"info"});
  std::map<std::string, std::string> state;
  for (const auto& m : info["migrations"]) state[m["script"]] = m["state"];
  EXPECT_EQ(state["R__a_view.sql"], "outdated");
  EXPECT_EQ(state["R__b_view.sql"], "applied");
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0) << "an outdated repeatable is not an error";
  r = p.Run({"--json", "migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  j = json::parse(r.out);
  ASSERT_EQ(j["applied"].size(), 1u) << r.out;
  EXPECT_EQ(j["applied"][0]["script"], "R__a_view.sql");
  EXPECT_EQ(p.Scalar("SELECT x FROM a_view"), "2");
  EXPECT_EQ(p.Count("strata_schema_history WHERE type = 'REPEATABLE'"), 3);
  info = p.Json({"info"});
  for (const auto& m : info["migrations"]) EXPECT_EQ(m["state"], "applied") << m.dump();
}

// "migrate [--target <version>]"
TEST_P(InputTest, TargetStopsAtVersion) {
  Project p(GetParam());
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  p.Write("V1.5__one_half.sql", "CREATE TABLE one_half (a integer);\n");
  p.Write("V2__two.sql", "CREATE TABLE two (a integer);\n");
  p.Write("V3__three.sql", "CREATE TABLE three (a integer);\n");
  p.Hash();
  auto r = p.Run({"migrate", "--target", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("two"));
  EXPECT_FALSE(p.TableExists("three"));
  auto info = p.Json({"info"});
  std::map<std::string, std::string> state;
  for (const auto& m : info["migrations"]) state[m["script"]] = m["state"];
  EXPECT_EQ(state["V1.5__one_half.sql"], "applied");
  EXPECT_EQ(state["V3__three.sql"], "pending");
  r = p.Run({"migrate", "--target", "x.y"});
  EXPECT_EQ(r.exit_code, kExitUsage) << r.All();
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("three"));
}

// "--dry-run prints exactly the SQL that would run (placeholders expanded, directives
// resolved) and changes nothing."
TEST_P(InputTest, DryRunPrintsExpandedSqlAndChangesNothing) {
  Project p(GetParam(), "[placeholders]\nschema_owner = \"owner_role_42\"\n");
  p.Write("V1__one.sql", "CREATE TABLE one (a text DEFAULT '${schema_owner}');\n");
  p.Write("V2__two.sql",
          "-- strata:transaction off\n-- strata:lock-timeout 3s\n"
          "CREATE TABLE two (a integer);\n");
  p.Hash();
  auto r = p.Run({"migrate", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("CREATE TABLE one (a text DEFAULT 'owner_role_42')"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("${schema_owner}"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CREATE TABLE two (a integer)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("transaction off"), std::string::npos) << r.out;
  if (pg()) {
    EXPECT_NE(r.out.find("lock_timeout = '3000ms'"), std::string::npos) << r.out;
  }
  auto j = p.Json({"migrate", "--dry-run"});
  EXPECT_NE(j["dry_run_sql"].get<std::string>().find("owner_role_42"), std::string::npos);
  EXPECT_FALSE(p.TableExists("one"));
  EXPECT_FALSE(p.TableExists("strata_schema_history"));
  // After a real run, a dry run has nothing to print and still changes nothing.
  ASSERT_EQ(p.Run({"migrate", "--target", "1"}).exit_code, 0);
  r = p.Run({"migrate", "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(r.out.find("CREATE TABLE one"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CREATE TABLE two"), std::string::npos) << r.out;
  EXPECT_FALSE(p.TableExists("two"));
  EXPECT_EQ(p.LedgerRows(), 1);
}

// "baseline --version <v>: adopt an existing database ... migrate on a non-empty database
// without a ledger refuses and points to baseline (never guesses)."
TEST_P(InputTest, BaselineAdoptsANonEmptyDatabase) {
  Project p(GetParam());
  p.Exec("CREATE TABLE legacy (a integer)");
  p.Write("V1__legacy.sql", "CREATE TABLE legacy (a integer);\n");
  p.Write("V2__legacy_more.sql", "ALTER TABLE legacy ADD COLUMN b integer;\n");
  p.Write("V3__new.sql", "CREATE TABLE new_table (a integer);\n");
  p.Hash();
  p.Exec("ALTER TABLE legacy ADD COLUMN b integer");
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("strata baseline"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("needs-baseline"), std::string::npos) << r.err;
  EXPECT_FALSE(p.TableExists("new_table"));
  EXPECT_FALSE(p.TableExists("strata_schema_history"));
  r = p.Run({"baseline", "--version", "2", "--description", "adopted from prod"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto info = p.Json({"info"});
  std::map<std::string, std::string> state;
  for (const auto& m : info["migrations"]) state[m["script"]] = m["state"];
  EXPECT_EQ(state["V1__legacy.sql"], "below-baseline");
  EXPECT_EQ(state["V3__new.sql"], "pending");
  r = p.Run({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("new_table"));
  EXPECT_EQ(p.Count("strata_schema_history WHERE type = 'BASELINE'"), 1);
  EXPECT_EQ(p.Count("strata_schema_history WHERE type = 'SQL'"), 1);
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
  // A second baseline is refused.
  r = p.Run({"baseline", "--version", "3"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  r = p.Run({"baseline", "--version", "two"});
  EXPECT_EQ(r.exit_code, kExitUsage) << r.All();
}

// The embedded default: a SQLite database strata creates is in write-ahead-log mode (one fsync
// per commit instead of four, same durability); a database another program created keeps the
// journal mode that program chose, because the mode is a persistent property of the file.
TEST(InputSqlite, NewDatabaseIsWalAndAnExistingOneKeepsItsJournalMode) {
  Project fresh(Db::kSqlite);
  fresh.Write("V1__t.sql", "CREATE TABLE t (a integer);\n");
  fresh.Hash();
  auto r = fresh.Run({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(fresh.Scalar("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(fresh.Scalar("PRAGMA synchronous"), "2");  // FULL: a commit is durable

  Project existing(Db::kSqlite);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((existing.dir() / "test.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 7", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  existing.Write("V1__t.sql", "CREATE TABLE t (a integer);\n");
  existing.Hash();
  r = existing.Run({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(existing.Scalar("PRAGMA journal_mode"), "delete");
  EXPECT_EQ(existing.Scalar("PRAGMA user_version"), "7");
  EXPECT_TRUE(existing.TableExists("t"));
}

// A COPY ... FROM STDIN file run on SQLite: SQLite only says "syntax error"; strata says why.
TEST(InputSqlite, CopyFromStdinIsExplainedAsPostgresOnly) {
  Project p(Db::kSqlite);
  p.Write("V1__t.sql", "CREATE TABLE t (a integer);\nCOPY t (a) FROM STDIN;\n1\n\\.\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
  EXPECT_NE(r.err.find("V1__t.sql:2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("COPY is PostgreSQL's"), std::string::npos) << r.err;
  EXPECT_FALSE(p.TableExists("t"));
}

// "Passwords are never printed: every URL in any output or error is redacted."
TEST(InputPostgres, PasswordInUrlIsNeverPrinted) {
  STRATA_REQUIRE_POSTGRES();
  const std::string password = "Pa55wordNeverShown";
  Project p(Db::kPostgres);
  std::string url = p.url();
  std::string with_pw = "postgres://strata_user:" + password + "@" + url.substr(url.find('@') + 1);
  PgCluster::Query(p.url(), "CREATE ROLE strata_user LOGIN SUPERUSER PASSWORD '" + password + "'");
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  p.Write("V2__bad.sql", "SELECT * FROM no_such_table;\n");
  p.Hash();
  auto run_url = [&](const std::string& u, std::vector<std::string> args, int want_exit) {
    std::vector<std::string> full = {"--url", u};
    full.insert(full.end(), args.begin(), args.end());
    auto r = RunStrata(full, p.dir().path());
    EXPECT_EQ(r.exit_code, want_exit) << r.All();
    EXPECT_EQ(r.All().find(password), std::string::npos) << r.All();
    return r;
  };
  auto run = [&](std::vector<std::string> args, int want_exit) {
    return run_url(with_pw, std::move(args), want_exit);
  };
  run({"migrate"}, kExitMigrationFailed);
  run({"--json", "--log-json", "migrate"}, kExitMigrationFailed);
  auto r = run({"--json", "info"}, 0);
  EXPECT_NE(r.out.find("postgres://strata_user:***@"), std::string::npos) << r.out;
  run({"info"}, 0);
  run({"validate"}, kExitValidation);  // V2 is pending: the summary names the target
  run({"--json", "validate"}, kExitValidation);
  run({"--json", "migrate", "--dry-run"}, 0);
  run({"--lock-wait", "x", "migrate"}, kExitUsage);
  EXPECT_EQ(PgCluster::Query(p.url(), "SELECT installed_by FROM strata_schema_history"),
            "strata_user");
  // Connection errors: a database that does not exist, a port nobody listens on, a password
  // in the query string, an unsupported scheme, a CLI usage error; also through STRATA_URL /
  // DATABASE_URL.
  std::string base = with_pw.substr(0, with_pw.rfind('/'));
  r = run_url(base + "/no_such_db", {"info"}, kExitConnection);
  EXPECT_NE(r.All().find("no_such_db"), std::string::npos) << r.All();
  EXPECT_NE(r.All().find("strata_user:***@"), std::string::npos) << r.All();
  r = run_url("postgres://u:" + password + "@127.0.0.1:1/db", {"migrate"}, kExitConnection);
  EXPECT_NE(r.All().find("u:***@"), std::string::npos) << r.All();
  run_url("postgresql://u:" + password + "@127.0.0.1:1/db?sslmode=disable", {"--json", "validate"},
          kExitConnection);
  run_url("postgres://127.0.0.1:1/db?password=" + password, {"info"}, kExitConnection);
  run_url("postgres://127.0.0.1:1/db?user=u&password=" + password, {"--json", "migrate"},
          kExitConnection);
  run_url("mysql://u:" + password + "@h/db", {"info"}, kExitUsage);
  run({"migrate", "--no-such-flag"}, kExitUsage);
  run({"--json", "migrate", "--no-such-flag"}, kExitUsage);
  for (const char* var : {"STRATA_URL", "DATABASE_URL"}) {
    auto e = RunStrata({"--json", "info"}, p.dir().path(),
                       {{var, "postgres://u:" + password + "@127.0.0.1:1/db"}});
    EXPECT_EQ(e.exit_code, kExitConnection) << e.All();
    EXPECT_EQ(e.All().find(password), std::string::npos) << e.All();
  }
}

// "Global: --url (sqlite:<path>, sqlite::memory:, postgres://...), --locations, --config
// strata.toml, env STRATA_URL then DATABASE_URL." "Discovery in one or more locations."
// "Commands (every one also speaks --json)". "No verb drops a whole schema".
TEST_P(InputTest, GlobalFlagsEnvironmentAndJsonOnEveryVerb) {
  Project p(GetParam());
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  p.dir().Write("db/more/V2__two.sql", "CREATE TABLE two (a integer);\n");
  p.dir().Write("db/more/R__view.sql",
                "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT a FROM "
                "two;\n");
  // --locations (comma-separated) overrides strata.toml; strata hash writes one sum per location.
  auto h = p.Run({"--locations", "db/migration,db/more", "hash"});
  ASSERT_EQ(h.exit_code, 0) << h.All();
  EXPECT_TRUE(std::filesystem::exists(p.dir() / "db/more/strata.sum"));
  auto r = p.Run({"--locations", "db/migration,db/more", "--json", "migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(json::parse(r.out)["applied"].size(), 3u) << r.out;
  EXPECT_TRUE(p.TableExists("two"));
  // Every verb speaks --json, on success and on failure.
  for (const auto& args : std::vector<std::vector<std::string>>{{"info"},
                                                                {"validate"},
                                                                {"hash"},
                                                                {"migrate"},
                                                                {"migrate", "--dry-run"},
                                                                {"repair", "--reason", "nothing"},
                                                                {"baseline", "--version", "1"},
                                                                {"migrate", "--target", "nope"},
                                                                {"migrate", "--no-such-flag"},
                                                                {"clean"}}) {
    std::vector<std::string> full = {"--locations", "db/migration,db/more", "--json"};
    full.insert(full.end(), args.begin(), args.end());
    auto j = p.Run(full);
    auto parsed = json::parse(j.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << args[0] << ": " << j.All();
    EXPECT_TRUE(parsed.contains("ok")) << j.out;
    EXPECT_EQ(parsed.value("ok", false), j.exit_code == 0) << j.out;
  }
  // There is no verb that drops a schema.
  for (const std::string verb : {"clean", "drop", "reset"}) {
    EXPECT_EQ(p.Run({verb}).exit_code, kExitUsage);
  }
  // validate: exit 0 prints nothing alarming.
  auto v = p.Run({"--locations", "db/migration,db/more", "validate"});
  EXPECT_EQ(v.exit_code, 0) << v.All();
  EXPECT_NE(v.out.find(": ok"), std::string::npos) << v.out;
  EXPECT_EQ(v.All().find("error"), std::string::npos) << v.All();
  EXPECT_EQ(v.All().find("warning"), std::string::npos) << v.All();
  EXPECT_TRUE(v.err.empty()) << v.err;

  // --config: a strata.toml elsewhere, with paths relative to it; STRATA_URL wins over
  // DATABASE_URL; --url wins over both.
  Project q(GetParam());
  q.dir().Write("conf/strata.toml", "locations = [\"../db/migration\"]\n");
  q.Write("V1__one.sql", "CREATE TABLE from_config (a integer);\n");
  ASSERT_EQ(RunStrata({"--config", "conf/strata.toml", "hash"}, q.dir().path()).exit_code, 0);
  Project other(GetParam());
  auto e = RunStrata({"--config", "conf/strata.toml", "migrate"}, q.dir().path(),
                     {{"STRATA_URL", q.url()}, {"DATABASE_URL", other.url()}});
  ASSERT_EQ(e.exit_code, 0) << e.All();
  EXPECT_TRUE(q.TableExists("from_config"));
  EXPECT_FALSE(other.TableExists("from_config"));
  e = RunStrata({"--config", "conf/strata.toml", "migrate"}, q.dir().path(),
                {{"DATABASE_URL", other.url()}});
  ASSERT_EQ(e.exit_code, 0) << e.All();
  EXPECT_TRUE(other.TableExists("from_config"));
  e = RunStrata({"--config", "conf/missing.toml", "info"}, q.dir().path());
  EXPECT_EQ(e.exit_code, kExitUsage) << e.All();
  EXPECT_NE(e.err.find("conf/missing.toml"), std::string::npos) << e.err;
  // sqlite::memory: works end to end (nothing persists).
  e = RunStrata({"--config", "conf/strata.toml", "--url", "sqlite::memory:", "--json", "migrate"},
                q.dir().path());
  EXPECT_EQ(e.exit_code, 0) << e.All();
}

// "Table strata_schema_history (name configurable, optional schema)".
TEST_P(InputTest, LedgerTableAndSchemaAreConfigurable) {
  Project p(GetParam(), pg() ? "[ledger]\ntable = \"deploy_history\"\nschema = \"ops\"\n"
                             : "[ledger]\ntable = \"deploy_history\"\n");
  p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_FALSE(p.TableExists("strata_schema_history"));
  EXPECT_EQ(p.Count(pg() ? "ops.deploy_history" : "deploy_history"), 1);
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
  EXPECT_EQ(p.Json({"info"})["migrations"][0]["state"], "applied");
  EXPECT_EQ(p.Run({"migrate"}).exit_code, 0);
  EXPECT_EQ(p.Count(pg() ? "ops.deploy_history" : "deploy_history"), 1);
}

// "migrate on a non-empty database without a ledger refuses and points to baseline" — also
// when the ledger lives in its own (empty) schema: the objects that count are the ones the
// migrations would collide with.
TEST(InputPostgres, NonEmptyDatabaseNeedsBaselineWhenLedgerHasItsOwnSchema) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres, "[ledger]\nschema = \"ops\"\n");
  p.Exec("CREATE TABLE legacy (a integer)");
  p.Write("V1__legacy.sql", "CREATE TABLE legacy (a integer);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("strata baseline"), std::string::npos) << r.err;
  ASSERT_EQ(p.Run({"baseline", "--version", "1"}).exit_code, 0);
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.Count("ops.strata_schema_history"), 1);
}

// PostgreSQL `COPY ... FROM STDIN` with the rows inline (pg_dump's format, which Flyway runs
// too): the rows go through the copy protocol inside the migration's transaction, `;` in the
// data is data, \N is NULL, the count is in rows_affected, and --dry-run prints the rows.
TEST(InputPostgres, CopyFromStdinWithInlineRows) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres);
  p.Write("V1__reason_codes.sql",
          "CREATE TABLE reason_code (code text PRIMARY KEY, label text, rank integer);\n"
          "COPY reason_code (code, label, rank) FROM stdin;\n"
          "PRICE\tPrice too high; competitor cheaper\t1\n"
          "TERM\tContract term\t2\n"
          "OTHER\t\\N\t3\n"
          "\\.\n"
          "INSERT INTO reason_code VALUES ('LATE', 'Late delivery', 4);\n");
  p.Hash();
  auto dry = p.Run({"migrate", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.All();
  EXPECT_NE(dry.out.find("TERM\tContract term\t2\nOTHER\t\\N\t3\n\\.\n"), std::string::npos)
      << dry.out;
  EXPECT_FALSE(p.TableExists("reason_code"));

  auto j = p.Json({"migrate"});
  ASSERT_TRUE(j["ok"].get<bool>()) << j.dump(2);
  EXPECT_EQ(j["applied"][0]["rows_affected"], json::parse("[0, 3, 1]")) << j.dump(2);
  EXPECT_EQ(p.Count("reason_code"), 4);
  EXPECT_EQ(p.Scalar("SELECT label FROM reason_code WHERE code = 'PRICE'"),
            "Price too high; competitor cheaper");
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM reason_code WHERE code = 'OTHER' AND label IS NULL"),
            "1");

  // A bad row fails the migration with the data line named; nothing of the file remains.
  p.Write("V2__more_codes.sql",
          "CREATE TABLE channel (code text PRIMARY KEY, weight integer);\n"
          "COPY channel FROM stdin;\n"
          "WEB\t1\n"
          "SHOP\tmany\n"
          "\\.\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
  EXPECT_NE(r.err.find("V2__more_codes.sql:2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 2"), std::string::npos) << r.err;  // COPY channel, line 2
  EXPECT_NE(r.err.find("22P02"), std::string::npos) << r.err;
  EXPECT_FALSE(p.TableExists("channel"));

  // The same file without a transaction: the COPY is a statement like the others.
  p.Write("V2__more_codes.sql",
          "-- strata:transaction off\n"
          "CREATE TABLE channel (code text PRIMARY KEY, weight integer);\n"
          "COPY channel FROM stdin;\n"
          "WEB\t1\n"
          "SHOP\t2\n"
          "\\.\n");
  p.Hash();
  r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p.Count("channel"), 2);
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Dialects, InputTest, ::testing::Values(Db::kSqlite, Db::kPostgres),
                         DbName);

}  // namespace
}  // namespace strata::testing
