// Verified by state, with evidence (issue 5), on real SQLite and a real PostgreSQL 15:
// pre/post checks around a migration (a failing post-check rolls back, or marks a
// non-transactional migration failed), the run record in strata_run written even on failure,
// `strata verify` (+ --smoke), `strata tag`, evidence packages with digest and Ed25519
// signature (+ `evidence verify`), and `strata plan` on the example project.
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <fstream>
#include <regex>

#include "evidence_fixture.h"

namespace strata::testing {
namespace {

constexpr const char* kTable =
    "create table t (id integer primary key, v integer);\n"
    "insert into t (id, v) values (1, 10), (2, 20), (3, 30);\n";

// V2 inserts a row; its post-check expects a state the insert does not produce.
constexpr const char* kBadPostCheck =
    "-- strata:pre-check as rows_before\n"
    "-- SELECT count(*) FROM t;\n"
    "insert into t (id, v) values (99, 990);\n"
    "-- strata:post-check = rows_before\n"
    "-- SELECT count(*) FROM t;\n";

TEST_P(DialectTest, FailingPostCheckRollsBackAndIsRecorded) {
  Project p(GetParam());
  p.Write("V1__t.sql", kTable);
  p.Write("V2__insert.sql", kBadPostCheck);
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitCheckFailed) << r.All();
  EXPECT_NE(r.err.find("V2__insert.sql:4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("expected = 3 (captured rows_before), got 4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("rolled back"), std::string::npos) << r.err;
  // Rolled back: no row 99, no ledger row for V2.
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM t WHERE id = 99"), "0");
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM strata_schema_history WHERE script = 'V2__insert.sql'"),
            "0");
  // The run record survived the rollback.
  EXPECT_EQ(p.Scalar("SELECT outcome FROM strata_run WHERE verb = 'migrate'"), "failed");
  EXPECT_EQ(p.Scalar("SELECT error_code FROM strata_run WHERE verb = 'migrate'"), "check-failed");
  EXPECT_EQ(p.Scalar("SELECT outcome FROM strata_run_migration WHERE script = 'V2__insert.sql'"),
            "failed");
  auto checks = nlohmann::json::parse(
      p.Scalar("SELECT checks FROM strata_run_migration WHERE script = 'V2__insert.sql'"));
  ASSERT_EQ(checks.size(), 2u) << checks.dump();
  EXPECT_EQ(checks[0]["value"], "3");
  EXPECT_EQ(checks[1]["query"], "SELECT count(*) FROM t");
  EXPECT_EQ(checks[1]["value"], "4");
  EXPECT_EQ(checks[1]["ok"], false);
  // The evidence package shows the failing query and value.
  auto ev = p.Run({"evidence", "--format", "md"});
  ASSERT_EQ(ev.exit_code, 0) << ev.All();
  EXPECT_NE(ev.out.find("| post-check | 4 | `SELECT count(*) FROM t` | = 3 (captured rows_before) "
                        "| `4` | **FAILED**"),
            std::string::npos)
      << ev.out;
}

TEST_P(DialectTest, PassingChecksCommitWithEvidence) {
  Project p(GetParam());
  p.Write("V1__t.sql", kTable);
  p.Write("V2__double.sql",
          "-- strata:pre-check = 3 as rows_before\n"
          "-- SELECT count(*) FROM t;\n"
          "update t set v = v * 2 where id <= 2;\n"
          "-- strata:post-check = rows affected\n"
          "-- SELECT count(*) FROM t WHERE v IN (20, 40);\n"
          "-- strata:post-check = rows_before\n"
          "-- SELECT count(*) FROM t;\n"
          "-- strata:post-check between 80 and 100\n"
          "-- SELECT sum(v) FROM t;\n");
  auto j = p.Json({"migrate"});
  ASSERT_EQ(j["ok"], true) << j.dump();
  auto checks = nlohmann::json::parse(
      p.Scalar("SELECT checks FROM strata_run_migration WHERE script = 'V2__double.sql'"));
  ASSERT_EQ(checks.size(), 4u);
  for (const auto& c : checks) EXPECT_EQ(c["ok"], true) << c.dump();
  EXPECT_EQ(checks[1]["expected"], "= 2 (rows affected)");
  EXPECT_EQ(p.Scalar("SELECT rows_affected FROM strata_run_migration WHERE script = "
                     "'V2__double.sql'"),
            "[2]");
  EXPECT_EQ(p.Scalar("SELECT outcome FROM strata_run"), "succeeded");
}

TEST_P(DialectTest, NonTransactionalPostCheckMarksFailedAndResumeRechecks) {
  Project p(GetParam());
  p.Write("V1__t.sql", kTable);
  p.Write("V2__nontx.sql",
          "-- strata:transaction off\n"
          "insert into t (id, v) values (99, 990);\n"
          "-- strata:post-check = 0\n"
          "-- SELECT count(*) FROM t WHERE v > 100;\n");
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitCheckFailed) << r.All();
  EXPECT_NE(r.err.find("marked failed"), std::string::npos) << r.err;
  // The statement stays applied; the ledger says the migration failed after 1 statement.
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM t WHERE id = 99"), "1");
  std::string success =
      p.Scalar("SELECT success FROM strata_schema_history WHERE script = 'V2__nontx.sql'");
  EXPECT_TRUE(success == "0" || success == "f") << success;
  EXPECT_EQ(p.Run({"migrate"}).exit_code, kExitValidation);
  // Correct the state, then --resume runs the post-checks again and completes.
  p.Exec("DELETE FROM t WHERE id = 99");
  auto again = p.Run({"migrate", "--resume"});
  EXPECT_EQ(again.exit_code, kExitOk) << again.All();
  EXPECT_EQ(p.Run({"validate"}).exit_code, kExitOk);
}

TEST_P(DialectTest, PreCheckFailureRunsNothing) {
  Project p(GetParam());
  p.Write("V1__t.sql", kTable);
  p.Write("V2__guarded.sql",
          "-- strata:pre-check = 0\n"
          "-- SELECT count(*) FROM t WHERE v IS NOT NULL;\n"
          "delete from t;\n");
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitCheckFailed) << r.All();
  EXPECT_NE(r.err.find("V2__guarded.sql:1"), std::string::npos) << r.err;
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM t"), "3");
}

TEST_P(DialectTest, VerifyRerunsPostChecksAndSmoke) {
  Project p(GetParam(),
            "[smoke.no_negative]\n"
            "description = \"no negative values\"\n"
            "query = \"SELECT count(*) FROM t WHERE v < 0\"\n"
            "expect = \"= 0\"\n");
  p.Write("V1__t.sql", std::string(kTable) +
                           "-- strata:post-check = 0\n-- SELECT count(*) FROM t WHERE v IS NULL;\n"
                           "-- strata:post-check = rows affected\n-- SELECT count(*) FROM t;\n");
  ASSERT_EQ(p.Run({"migrate"}).exit_code, kExitOk);
  auto ok = p.Json({"verify", "--smoke"});
  EXPECT_EQ(ok["ok"], true) << ok.dump();
  EXPECT_EQ(ok["passed"], 2);
  EXPECT_EQ(ok["skipped"], 1);  // `= rows affected` belongs to the run that applied it
  // Data drifts: both the post-check and the smoke query now fail.
  p.Exec("INSERT INTO t (id, v) VALUES (7, NULL), (8, -1)");
  auto bad = p.Run({"verify", "--smoke"});
  EXPECT_EQ(bad.exit_code, kExitCheckFailed) << bad.All();
  EXPECT_NE(bad.out.find("FAILED  db/migration/V1__t.sql:3 post-check: expected = 0, got 1"),
            std::string::npos)
      << bad.out;
  EXPECT_NE(bad.out.find("smoke `no_negative`: expected = 0, got 1"), std::string::npos) << bad.out;
  // Each verification is a run in the evidence ledger, with its results.
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM strata_run WHERE verb = 'verify'"), "2");
  EXPECT_EQ(p.Scalar("SELECT outcome FROM strata_run WHERE verb = 'verify' AND outcome = "
                     "'failed'"),
            "failed");
  auto detail = nlohmann::json::parse(
      p.Scalar("SELECT detail FROM strata_run WHERE verb = 'verify' AND outcome = 'failed'"));
  EXPECT_EQ(detail["smoke"][0]["value"], "1");
}

TEST_P(DialectTest, HeaderErrorsStopTheRunBeforeAnythingRuns) {
  Project p(GetParam());
  p.Write("V1__t.sql",
          "-- strata:intent\n-- Business capability: x\n-- Colour: blue\n" + std::string(kTable));
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.err.find("V1__t.sql:3: error[directive]: unknown intent key `Colour`"),
            std::string::npos)
      << r.err;
  p.Write("V1__t.sql",
          "-- strata:intent\n-- Business capability: x\n-- Risk class: breaking-ddl\n"
          "-- Recovery direction: roll-forward\n" +
              std::string(kTable));
  auto r2 = p.Run({"migrate"});
  EXPECT_EQ(r2.exit_code, kExitValidation) << r2.All();
  EXPECT_NE(r2.err.find("missing `Schema/data object affected:`"), std::string::npos) << r2.err;
}

INSTANTIATE_TEST_SUITE_P(Db, DialectTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         DialectName);

// An Ed25519 key pair written as PEM files.
void WriteKeyPair(const std::string& priv, const std::string& pub) {
  EVP_PKEY* key = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
  ASSERT_TRUE(ctx && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_keygen(ctx, &key) == 1);
  FILE* f = std::fopen(priv.c_str(), "w");
  ASSERT_EQ(PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  std::fclose(f);
  f = std::fopen(pub.c_str(), "w");
  ASSERT_EQ(PEM_write_PUBKEY(f, key), 1);
  std::fclose(f);
  EVP_PKEY_free(key);
  EVP_PKEY_CTX_free(ctx);
}

TEST(Evidence, TagReleaseSignVerifyAndTamper) {
  Project p(Dialect::kSqlite);
  p.Write("V1__t.sql", kTable);
  ASSERT_EQ(p.Run({"migrate"}).exit_code, kExitOk);
  ASSERT_EQ(p.Run({"tag", "A", "--note", "expand"}).exit_code, kExitOk);
  EXPECT_EQ(p.Run({"tag", "A"}).exit_code, kExitValidation);  // tags are immutable
  p.Write("V2__more.sql", "insert into t (id, v) values (4, 40);\n");
  ASSERT_EQ(p.Run({"migrate"}).exit_code, kExitOk);
  ASSERT_EQ(p.Run({"tag", "B"}).exit_code, kExitOk);

  std::string priv = p.dir() / "key.pem", pub = p.dir() / "pub.pem";
  std::string other_priv = p.dir() / "other.pem", other_pub = p.dir() / "other_pub.pem";
  WriteKeyPair(priv, pub);
  WriteKeyPair(other_priv, other_pub);

  for (std::string format : {"md", "json"}) {
    std::string out = p.dir() / ("B." + format);
    auto r =
        p.Run({"evidence", "--release", "B", "--format", format, "--sign-key", priv, "-o", out});
    ASSERT_EQ(r.exit_code, kExitOk) << r.All();
    std::string text;
    {
      std::ifstream in(out);
      text.assign(std::istreambuf_iterator<char>(in), {});
    }
    // Release B holds V2 only (V1 belongs to release A).
    EXPECT_NE(text.find("V2__more.sql"), std::string::npos) << format;
    EXPECT_EQ(text.find("V1__t.sql"), std::string::npos) << format;
    auto ok = p.Json({"evidence", "verify", out, "--public-key", pub});
    EXPECT_EQ(ok["ok"], true) << ok.dump();
    EXPECT_EQ(ok["digest_ok"], true);
    EXPECT_EQ(ok["signature_ok"], true);
    EXPECT_EQ(ok["key_pinned"], true);
    // Another operator's key: refused.
    EXPECT_EQ(p.Run({"evidence", "verify", out, "--public-key", other_pub}).exit_code,
              kExitValidation);
    // One changed byte in the content: refused.
    std::string tampered = text;
    size_t at = tampered.find("V2__more.sql");
    tampered[at + 1] = '3';
    std::string bad = p.dir() / ("bad." + format);
    std::ofstream(bad) << tampered;
    auto v = p.Run({"evidence", "verify", bad});
    EXPECT_EQ(v.exit_code, kExitValidation) << v.All();
    EXPECT_NE(v.err.find("changed after it was sealed"), std::string::npos) << v.err;
  }
  EXPECT_EQ(p.Run({"evidence", "--release", "Z"}).exit_code, 2);
}

// "`tag D` succeeds although release D's migrations were never applied; `tag` counts seed rows
// as applied migrations": a release of the manifest is tagged only when its migrations are
// applied, and the count is of migrations.
TEST(Evidence, TagOfAManifestReleaseNeedsItsMigrationsApplied) {
  Project p(Dialect::kSqlite);
  p.Write("V1__t.sql", kTable);
  p.Write("V2__more.sql", "insert into t (id, v) values (4, 40);\n");
  p.dir().Write("db/releases.toml",
                "[[release]]\nname = \"C\"\nmigrations = [\"1\", \"2\"]\n"
                "[[release]]\nname = \"D\"\nmigrations = [\"3\", \"R__view.sql\"]\n");
  ASSERT_EQ(p.Run({"migrate"}).exit_code, kExitOk);
  // A repair row is in the ledger too; it is not a migration.
  p.Write("V2__more.sql", "-- four\ninsert into t (id, v) values (4, 40);\n");
  ASSERT_EQ(p.Run({"repair", "--accept-checksum", "2", "--reason", "comment"}).exit_code, kExitOk);
  auto r = p.Run({"tag", "D"});
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(
      r.err.find("release `D` lists 2 migration(s) that are not applied here: 3, R__view.sql"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("releases.toml:"), std::string::npos) << r.err;
  r = p.Run({"--json", "tag", "C"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.All();
  EXPECT_EQ(nlohmann::json::parse(r.out)["applied"], 2) << r.out;
  p.Write("V3__d.sql", "insert into t (id, v) values (5, 50);\n");
  p.Write("R__view.sql", "drop view if exists tv;\ncreate view tv as select id from t;\n");
  ASSERT_EQ(p.Run({"migrate"}).exit_code, kExitOk);
  r = p.Run({"--json", "tag", "D"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.All();
  EXPECT_EQ(nlohmann::json::parse(r.out)["applied"], 4) << r.out;
  // A name the manifest does not know marks a point in time, as before.
  EXPECT_EQ(p.Run({"tag", "hotfix-1"}).exit_code, kExitOk);
}

TEST(Evidence, SecretsNeverReachTheLedgerOrPackage) {
  Project p(Dialect::kSqlite,
            "[placeholders]\napi_token = { value = \"s3cr3t-t0ken-value\", secret = true }\n");
  p.Write("V1__t.sql",
          "create table cfg (k text, v text);\n"
          "insert into cfg values ('token', '${api_token}');\n"
          "-- strata:post-check = 'nothing'\n"
          "-- SELECT v FROM cfg WHERE k = 'token';\n");
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitCheckFailed) << r.All();
  EXPECT_EQ(r.All().find("s3cr3t-t0ken-value"), std::string::npos) << r.All();
  std::string checks = p.Scalar("SELECT checks FROM strata_run_migration");
  EXPECT_EQ(checks.find("s3cr3t"), std::string::npos) << checks;
  auto ev = p.Run({"evidence", "--format", "json"});
  EXPECT_EQ(ev.exit_code, 0) << ev.All();
  EXPECT_EQ(ev.out.find("s3cr3t-t0ken-value"), std::string::npos);
}

// Replaces what differs between runs (times, ids, durations, hashes of the environment).
std::string Normalise(std::string s, const Project& p) {
  s = std::regex_replace(s, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z)"), "<time>");
  s = std::regex_replace(s, std::regex(R"(r\d{8}T\d{9}Z-[0-9a-f]{8})"), "<run>");
  s = std::regex_replace(s, std::regex(R"(Duration \d+ ms)"), "Duration <ms> ms");
  s = std::regex_replace(s, std::regex(R"(sha256 `[0-9a-f]{16}`)"), "sha256 `<config>`");
  s = std::regex_replace(s, std::regex(R"(head `[0-9a-f]{16}`)"), "head `<hash>`");
  s = std::regex_replace(s, std::regex(R"(sha256:[0-9a-f]{64})"), "sha256:<digest>");
  s = std::regex_replace(s, std::regex(R"(OS user `[^`]*`, database user `[^`]*`, host `[^`]*`)"),
                         "OS user `<user>`, database user `<user>`, host `<host>`");
  std::string url = p.url();
  for (size_t at; (at = s.find(url)) != std::string::npos;) s.replace(at, url.size(), "<url>");
  return s;
}

// `evidence --format md` of a run: readable and complete (what, when, mechanism, result,
// verification). Set STRATA_UPDATE_GOLDEN=1 to rewrite the golden file.
TEST(Evidence, MarkdownGolden) {
  Project p(Dialect::kSqlite);
  p.Write("V1__t.sql", kTable);
  p.Write("V2__double.sql",
          "-- strata:intent\n"
          "-- Business capability: double the first two values\n"
          "-- Schema/data object affected: t.v\n"
          "-- Risk class: dml-correction\n"
          "-- Application version dependency: none\n"
          "-- Expected production effect: 2 rows updated\n"
          "-- User-visible effect: none\n"
          "-- Recovery direction: roll-forward; halve them in a new migration\n"
          "-- Expected rows: between 1 and 5\n"
          "--\n"
          "-- strata:pre-check as rows_before\n"
          "-- SELECT count(*) FROM t;\n"
          "update t set v = v * 2 where id <= 2;\n"
          "-- strata:post-check = rows affected\n"
          "-- SELECT count(*) FROM t WHERE v IN (20, 40);\n"
          "-- strata:post-check = rows_before\n"
          "-- SELECT count(*) FROM t;\n");
  auto j = p.Json({"migrate"});
  ASSERT_EQ(j["ok"], true) << j.dump();
  std::string run_id = p.Scalar(
      "SELECT run_id FROM strata_run WHERE verb = 'migrate' AND "
      "outcome = 'succeeded' ORDER BY started_at DESC");
  auto r = p.Run({"evidence", "--run", run_id, "--format", "md"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  std::string got = Normalise(r.out, p);
  std::string path = std::string(STRATA_SOURCE_DIR) + "/tests/evidence/golden/run.md";
  if (std::getenv("STRATA_UPDATE_GOLDEN")) std::ofstream(path) << got;
  std::ifstream in(path);
  std::string want((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(got, want) << "golden differs; rerun with STRATA_UPDATE_GOLDEN=1 if intended";
}

// The example project: `plan --all` renders the contract-term sequence's four releases in
// order; on both databases `migrate` applies it and release C's checks hold.
TEST(Plan, ExampleProjectRendersFourReleases) {
  TempDir dir;
  std::filesystem::copy(std::string(STRATA_SOURCE_DIR) + "/examples/quote-service", dir.path(),
                        std::filesystem::copy_options::recursive);
  for (const auto& f : std::filesystem::directory_iterator(dir.path())) {
    if (f.path().filename().string().rfind("quote.db", 0) == 0) std::filesystem::remove(f.path());
  }
  auto r = RunStrata({"plan", "--all"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.All();
  size_t a = r.out.find("# Runbook: release A"), b = r.out.find("# Runbook: release B"),
         c = r.out.find("# Runbook: release C"), d = r.out.find("# Runbook: release D");
  ASSERT_NE(a, std::string::npos) << r.out;
  ASSERT_NE(d, std::string::npos) << r.out;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_LT(c, d);
  EXPECT_NE(r.out.find("Deployment order: **app-before-migration**"), std::string::npos);
  EXPECT_NE(r.out.find("| after V011 (contract) | fails | works | not required because "
                       "quote-service 1.14 is retired before release D |"),
            std::string::npos)
      << r.out.substr(d);
  EXPECT_NE(r.out.find("## Stop criteria"), std::string::npos);
  auto j = nlohmann::json::parse(RunStrata({"plan", "--all", "--format", "json"}, dir.path()).out);
  ASSERT_GE(j["releases"].size(), 4u) << j.dump();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(j["releases"][i]["name"], std::string(1, 'A' + i));
  EXPECT_EQ(j["releases"][3]["migrations"][0]["effect"], "contract");
  EXPECT_EQ(j["releases"][0]["order"], "migration-before-app");

  // The example still migrates (release C's checks hold on an empty database) and verifies.
  auto m = RunStrata({"migrate"}, dir.path());
  ASSERT_EQ(m.exit_code, 0) << m.All();
  EXPECT_EQ(RunStrata({"verify"}, dir.path()).exit_code, 0);
  if (!PgCluster::Available()) return;
  std::string url = PgCluster::Get().CreateDatabase("example");
  auto pm = RunStrata({"--url", url, "migrate"}, dir.path());
  ASSERT_EQ(pm.exit_code, 0) << pm.All();
  // Release D, when due: the staged contract applies on PostgreSQL with its checks.
  auto d_run =
      RunStrata({"--url", url, "--locations", "db/migration,db/release-d", "migrate"}, dir.path());
  EXPECT_NE(d_run.All().find("V011"), std::string::npos) << d_run.All();
  auto v = RunStrata({"--url", url, "--json", "verify"}, dir.path());
  EXPECT_EQ(v.exit_code, 0) << v.All();
}

}  // namespace
}  // namespace strata::testing

namespace strata::testing {
namespace {

// Issue 20: the evidence package records the drift verdict against the committed schema file,
// so a column dropped by hand is on the record, not only in `strata drift`'s output.
TEST(Evidence, RecordsTheDriftVerdict) {
  Project p(Dialect::kSqlite, "[schema]\nfile = \"db/schema.sql\"\n");
  p.Write("V1__t.sql", kTable);
  ASSERT_EQ(p.Run({"migrate"}).exit_code, kExitOk);  // writes db/schema.sql
  std::string js = p.dir() / "e.json";
  ASSERT_EQ(p.Run({"evidence", "--format", "json", "-o", js}).exit_code, kExitOk);
  std::ifstream jin(js);
  auto pkg = nlohmann::json::parse(jin);
  EXPECT_EQ(pkg["content"]["drift"]["verdict"], "none") << pkg["content"].dump(1);
  EXPECT_GT(pkg["content"]["drift"]["compared"].get<int>(), 0);
  p.Exec("CREATE TABLE by_hand (id integer)");
  std::string out = p.dir() / "e.md";
  ASSERT_EQ(p.Run({"evidence", "-o", out}).exit_code, kExitOk);
  std::ifstream in(out);
  std::string md((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(md.find("- Drift against `db/schema.sql`: **1 difference(s)**"), std::string::npos)
      << md;
  EXPECT_NE(md.find("  - extra table by_hand"), std::string::npos) << md;
}

}  // namespace
}  // namespace strata::testing
