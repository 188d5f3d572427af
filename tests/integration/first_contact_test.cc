// First contact (issue 18): `strata init`, `strata new`, Flyway-style callbacks, settings from
// the environment, and the README's getting-started commands, run as a user runs them: the
// real binary, real SQLite, the private PostgreSQL cluster.
#include "config/config.h"

#include <regex>

#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kExitConfig = 2;

std::string EmptySum() {
  // strata.sum v1 <sha256 of nothing>
  return "strata.sum v1 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n";
}

std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    out.push_back(fs::relative(e.path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---------------------------------------------------------------------------------- init

TEST(Init, WritesACommentedTomlThatParsesAndAnEmptySum) {
  TempDir d;
  auto r = RunStrata({"init"}, d.path());
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("strata new"), std::string::npos) << r.out;
  std::string toml = d.Read("strata.toml");
  EXPECT_NE(toml.find("# "), std::string::npos);
  auto parsed = config::Parse(toml, d / "strata.toml", d.path());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->url, "sqlite:strata.db");
  // Every commented-out key parses too once uncommented.
  std::string uncommented = std::regex_replace(
      toml, std::regex(R"(^# (\[?[a-z_]+\]?( = .*)?)$)", std::regex::multiline), "$1");
  EXPECT_NE(uncommented, toml);
  auto all = config::Parse(uncommented, d / "strata.toml", d.path());
  EXPECT_TRUE(all.ok()) << all.status().ToString() << "\n" << uncommented;
  EXPECT_EQ(d.Read("db/migration/strata.sum"), EmptySum());
  // The project it made works: migrate on it succeeds (nothing to apply).
  auto migrate = RunStrata({"migrate"}, d.path());
  EXPECT_EQ(migrate.exit_code, 0) << migrate.All();
}

// Issue 17 ("lint and the gate disagree on SQLite projects"): the project `strata init` makes
// names SQLite in strata.toml, so `strata lint` reads its migrations as SQLite, as the gate of
// `migrate` does: valid SQLite that PostgreSQL's grammar refuses passes both.
TEST(Init, LintAndTheGateJudgeAnInitProjectAsSqlite) {
  TempDir d;
  ASSERT_EQ(RunStrata({"init"}, d.path()).exit_code, 0);
  d.Write("db/migration/V001__counters.sql",
          "CREATE TABLE counters (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER NOT NULL);\n");
  ASSERT_EQ(RunStrata({"hash"}, d.path()).exit_code, 0);
  auto lint = RunStrata({"lint"}, d.path());
  EXPECT_EQ(lint.exit_code, 0) << lint.All();
  EXPECT_EQ(lint.out.find("SY101"), std::string::npos) << lint.All();
  auto migrate = RunStrata({"migrate"}, d.path());
  EXPECT_EQ(migrate.exit_code, 0) << migrate.All();
}

TEST(Init, PostgresWithAPasswordInTheUrlKeepsThePasswordOutOfTheFile) {
  TempDir d;
  auto r =
      RunStrata({"--json", "init", "--dialect", "postgres", "--url",
                 "postgres://app:s3cret-pw@db.internal:5432/shop?sslmode=require", "--dir", "proj"},
                d.path());
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(r.All().find("s3cret-pw"), std::string::npos) << r.All();
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["dialect"], "postgres");
  EXPECT_TRUE(j["password_dropped"].get<bool>());
  EXPECT_FALSE(j["next_steps"].empty());
  std::string toml = d.Read("proj/strata.toml");
  EXPECT_EQ(toml.find("s3cret-pw"), std::string::npos);
  EXPECT_NE(toml.find("url = \"postgres://app@db.internal:5432/shop?sslmode=require\""),
            std::string::npos)
      << toml;
  EXPECT_NE(toml.find("\npg_version = 15"), std::string::npos);
  EXPECT_TRUE(config::Parse(toml, d / "proj/strata.toml", d / "proj").ok());
}

TEST(Init, NeverOverwritesAnExistingStrataToml) {
  TempDir d;
  const std::string unrelated = "[tool.poetry]\nname = \"shop\"\n";
  d.Write("strata.toml", unrelated);
  auto r = RunStrata({"init"}, d.path());
  EXPECT_EQ(r.exit_code, kExitUsage) << r.All();
  EXPECT_NE(r.err.find("strata.toml already exists"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--dir"), std::string::npos) << r.err;  // the next step
  EXPECT_EQ(d.Read("strata.toml"), unrelated);
  EXPECT_FALSE(fs::exists(d / "db"));  // nothing written

  TempDir p;
  ASSERT_EQ(RunStrata({"init"}, p.path()).exit_code, 0);
  std::string before = p.Read("strata.toml");
  auto again = RunStrata({"init"}, p.path());
  EXPECT_EQ(again.exit_code, kExitUsage);
  EXPECT_NE(again.err.find("already a strata project"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("strata new"), std::string::npos) << again.err;
  EXPECT_EQ(p.Read("strata.toml"), before);
}

TEST(Init, DetectsOtherToolsAndProposesTheImport) {
  TempDir d;
  d.Write("flyway.conf", "flyway.url=jdbc:postgresql://localhost/app\n");
  d.Write("go/migrations/000001_create_users.up.sql", "create table users(id int);\n");
  d.Write("go/migrations/000001_create_users.down.sql", "drop table users;\n");
  d.Write("db/migrations/20240101000000_init.sql",
          "-- migrate:up\ncreate table a(id int);\n"
          "-- migrate:down\ndrop table a;\n");
  d.Write("rust/migrations/2024-01-01-000000_create_posts/up.sql", "create table posts();\n");
  d.Write("lb/changelog.sql", "--liquibase formatted sql\n--changeset bob:1\ncreate table b();\n");
  d.Write("sq/sqitch.plan", "%project=shop\n");
  auto r = RunStrata({"--json", "init"}, d.path());
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = nlohmann::json::parse(r.out);
  std::vector<std::string> tools;
  for (const auto& t : j["detected"]) {
    tools.push_back(t["tool"]);
    EXPECT_EQ(t["import_command"], "strata import --from " + t["tool"].get<std::string>());
  }
  EXPECT_EQ(tools, (std::vector<std::string>{"flyway", "golang-migrate", "dbmate", "diesel",
                                             "liquibase", "sqitch"}));
  EXPECT_EQ(j["next_steps"][0], "strata import --from flyway");
  TempDir dbmate;
  dbmate.Write("db/migrations/20240101000000_init.sql", "-- migrate:up\ncreate table a(id int);\n");
  auto text = RunStrata({"init"}, dbmate.path());
  EXPECT_NE(text.out.find("found a dbmate history here (db/migrations/20240101000000_init.sql): "
                          "bring it along with `strata import --from dbmate`"),
            std::string::npos)
      << text.out;
}

// ----------------------------------------------------------------------------------- new

struct NewCase {
  std::vector<std::string> existing;  // versioned file names already there
  std::string expect;                 // regex of the new file name
};

TEST(New, NextVersionInTheProjectsOwnScheme) {
  const std::vector<NewCase> cases = {
      {{}, R"(V001__add_email\.sql)"},
      {{"V0006__a.sql", "V0007__b.sql"}, R"(V0008__add_email\.sql)"},
      {{"V9__a.sql"}, R"(V10__add_email\.sql)"},
      {{"V1.2__a.sql"}, R"(V1\.3__add_email\.sql)"},
      {{"V20200101120000__a.sql"}, R"(V20\d{12}__add_email\.sql)"},
      {{"V20200101_1200__a.sql"}, R"(V20\d{6}_\d{4}__add_email\.sql)"},
      // A newest timestamp ahead of the clock: still strictly greater.
      {{"V21991231235959__a.sql"}, R"(V21991231235960__add_email\.sql)"},
  };
  for (const auto& c : cases) {
    TempDir d;
    ASSERT_EQ(RunStrata({"init"}, d.path()).exit_code, 0);
    for (const auto& f : c.existing) d.Write("db/migration/" + f, "select 1;\n");
    ASSERT_EQ(RunStrata({"hash"}, d.path()).exit_code, 0);
    auto r = RunStrata({"--json", "new", "Add email!"}, d.path());
    ASSERT_EQ(r.exit_code, 0) << r.All();
    auto j = nlohmann::json::parse(r.out);
    std::string script = j["script"];
    EXPECT_TRUE(std::regex_match(script, std::regex(c.expect))) << script;
    if (script.starts_with("V20") && c.existing.size() == 1 && c.existing[0][1] == '2' &&
        c.existing[0].find("2199") == std::string::npos) {
      EXPECT_GT(script.substr(1, 4), "2024");  // today's, not the old one's
    }
    EXPECT_TRUE(fs::exists(d / ("db/migration/" + script)));
    EXPECT_EQ(j["path"], "db/migration/" + script);
  }
}

TEST(New, WritesTheIntentTemplateAndUpdatesStrataSum) {
  TempDir d;
  ASSERT_EQ(RunStrata({"init"}, d.path()).exit_code, 0);
  auto r = RunStrata({"new", "add email to customer"}, d.path());
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "db/migration/V001__add_email_to_customer.sql");
  std::string body = d.Read("db/migration/V001__add_email_to_customer.sql");
  EXPECT_EQ(body.rfind("-- strata:intent\n-- Business capability: add email to customer\n", 0), 0u)
      << body;
  for (auto key : {"Risk class:", "Recovery direction:", "Expected production effect:"}) {
    EXPECT_NE(body.find(key), std::string::npos) << key;
  }
  EXPECT_EQ(body.find("strata:transaction"), std::string::npos);
  // strata.sum holds the new file: `strata hash` would write the same bytes.
  std::string sum = d.Read("db/migration/strata.sum");
  EXPECT_NE(sum, EmptySum());
  ASSERT_EQ(RunStrata({"hash"}, d.path()).exit_code, 0);
  EXPECT_EQ(d.Read("db/migration/strata.sum"), sum);

  auto nt = RunStrata({"new", "--no-transaction", "index customer email"}, d.path());
  ASSERT_EQ(nt.exit_code, 0) << nt.All();
  std::string nbody = d.Read("db/migration/V002__index_customer_email.sql");
  EXPECT_EQ(nbody.rfind("-- strata:transaction off\n", 0), 0u) << nbody;
  auto rep = RunStrata({"new", "--repeatable", "customer views"}, d.path());
  ASSERT_EQ(rep.exit_code, 0) << rep.All();
  EXPECT_TRUE(fs::exists(d / "db/migration/R__customer_views.sql"));
  auto dup = RunStrata({"new", "--repeatable", "customer views"}, d.path());
  EXPECT_NE(dup.exit_code, 0);
  sum = d.Read("db/migration/strata.sum");
  ASSERT_EQ(RunStrata({"hash"}, d.path()).exit_code, 0);
  EXPECT_EQ(d.Read("db/migration/strata.sum"), sum);
}

TEST(New, KeepsAnEditedFileReportedInStrataSum) {
  TempDir d;
  ASSERT_EQ(RunStrata({"init"}, d.path()).exit_code, 0);
  d.Write("db/migration/V1__a.sql", "select 1;\n");
  ASSERT_EQ(RunStrata({"hash"}, d.path()).exit_code, 0);
  d.Write("db/migration/V1__a.sql", "select 2;\n");  // edited after hash
  auto r = RunStrata({"new", "b"}, d.path());
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("warning:"), std::string::npos) << r.out;
  auto check = RunStrata({"migrate"}, d.path());
  EXPECT_NE(check.All().find("changed: V1__a.sql"), std::string::npos) << check.All();
  EXPECT_EQ(check.All().find("added: V2__b.sql"), std::string::npos) << check.All();
}

TEST(New, BadDescriptionsAreRefusedAndNothingIsWritten) {
  TempDir d;
  ASSERT_EQ(RunStrata({"init"}, d.path()).exit_code, 0);
  const auto files = Files(d.path());
  const std::string sum = d.Read("db/migration/strata.sum");
  struct Bad {
    std::string description;
    std::string says;
  };
  for (const auto& b : std::vector<Bad>{{"", "empty"},
                                        {"   ", "empty"},
                                        {std::string(300, 'a'), "the limit is 100"},
                                        {"!!! ???", "no letters or digits"},
                                        {"two\nlines", "several lines"}}) {
    auto r = RunStrata({"new", b.description}, d.path());
    EXPECT_EQ(r.exit_code, kExitUsage) << b.description << ": " << r.All();
    EXPECT_NE(r.err.find(b.says), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("next:"), std::string::npos) << r.err;
  }
  EXPECT_EQ(Files(d.path()), files);
  EXPECT_EQ(d.Read("db/migration/strata.sum"), sum);
  // Outside a project: says to run init.
  TempDir empty;
  auto r = RunStrata({"new", "x"}, empty.path());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("strata init"), std::string::npos) << r.err;
}

// ----------------------------------------------------------------------------- callbacks

class Callbacks : public EngineTest {};

TEST_P(Callbacks, RunAroundTheRunAndEachMigrationWithPlaceholdersAndAreRecorded) {
  Project p(GetParam(), "[placeholders]\nwho = \"toml\"\n");
  p.Write("beforeMigrate.sql",
          "create table if not exists cb_log(n integer, event text);\n"
          "insert into cb_log values ((select count(*) from cb_log), 'before');\n");
  p.Write("beforeEachMigrate__log.sql",
          "insert into cb_log values ((select count(*) from cb_log), 'each ${who}');\n");
  p.Write("afterEachMigrate.sql",
          "insert into cb_log values ((select count(*) from cb_log), 'after each');\n");
  p.Write("afterMigrate.sql",
          "insert into cb_log values ((select count(*) from cb_log), 'after');\n");
  p.Write("afterMigrateError.sql",
          "insert into cb_log values ((select count(*) from cb_log), 'error');\n");
  p.Write("V1__t.sql", "create table t(id integer);\n");
  p.Write("V2__u.sql", "create table u(id integer);\n");
  p.Hash();
  auto r = p.Run({"--json", "migrate"}, {{"STRATA_PLACEHOLDERS_WHO", "env"}});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["callbacks"].size(), 6u) << j.dump();
  EXPECT_EQ(j["callbacks"][0]["script"], "beforeMigrate.sql");
  EXPECT_EQ(j["callbacks"][1]["migration"], "V1__t.sql");
  EXPECT_EQ(p.Count("cb_log"), 6);
  std::string events;
  auto c = p.Connect();
  auto rows = c->Query("select event from cb_log order by n");
  ASSERT_TRUE(rows.ok());
  for (const auto& row : rows->rows) events += *row[0] + ";";
  // The environment's placeholder value wins over strata.toml's.
  EXPECT_EQ(events, "before;each env;after each;each env;after each;after;");
  // Not migrations: two ledger rows, and info lists no callback.
  EXPECT_EQ(p.LedgerRows(), 2);
  auto info = p.Run({"info"});
  EXPECT_EQ(info.out.find("Migrate"), std::string::npos) << info.out;
  // The run record names each callback with its checksum.
  std::string detail = p.Scalar("select detail from strata_run where verb = 'migrate'");
  auto dj = nlohmann::json::parse(detail);
  ASSERT_EQ(dj["callbacks"].size(), 6u) << detail;
  EXPECT_EQ(dj["callbacks"][5]["script"], "afterMigrate.sql");
  EXPECT_EQ(dj["callbacks"][5]["checksum"].get<std::string>().size(), 64u);
  // An up-to-date run runs none.
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  EXPECT_EQ(p.Count("cb_log"), 6);
  // A failing migration: afterMigrateError runs, and the run fails.
  p.Write("V3__bad.sql", "insert into no_such_table values (1);\n");
  p.Hash();
  auto bad = p.Run({"migrate"});
  EXPECT_EQ(bad.exit_code, kExitMigrationFailed) << bad.All();
  EXPECT_EQ(p.Scalar("select event from cb_log order by n desc limit 1"), "error");
}

TEST_P(Callbacks, AFailingBeforeMigrateStopsTheRunWithItsFileAndLine) {
  Project p(GetParam());
  p.Write("beforeMigrate__check.sql", "select 1;\nselect * from missing_table;\n");
  p.Write("V1__t.sql", "create table t(id integer);\n");
  p.Hash();
  auto r = p.Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitMigrationFailed) << r.All();
  EXPECT_NE(r.err.find("beforeMigrate__check.sql:2"), std::string::npos) << r.err;
  EXPECT_FALSE(p.TableExists("t"));
  // A Flyway event strata does not run is named as such.
  p.Write("beforeValidate.sql", "select 1;\n");
  auto named = p.Run({"migrate"});
  EXPECT_NE(named.err.find("beforeValidate"), std::string::npos) << named.err;
  EXPECT_NE(named.err.find("beforeMigrate"), std::string::npos) << named.err;
}

INSTANTIATE_TEST_SUITE_P(Db, Callbacks, ::testing::Values(Db::kSqlite, Db::kPostgres), DbName);

// ------------------------------------------------------------------- settings from the env

class EnvSettings : public EngineTest {};

TEST_P(EnvSettings, EnvironmentOverridesTheFileAndFlagsOverrideTheEnvironment) {
  Project p(GetParam(), "[migrate]\nout_of_order = false\n");
  p.Write("V2__b.sql", "create table b(id integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Write("V1__a.sql", "create table a(id integer);\n");
  p.Hash();
  EXPECT_NE(p.Run({"migrate"}).exit_code, 0);  // file: out of order refused
  EXPECT_NE(p.Run({"migrate"}, {{"STRATA_MIGRATE_OUT_OF_ORDER", "no"}}).exit_code, 0);
  auto env = p.Run({"migrate"}, {{"STRATA_MIGRATE_OUT_OF_ORDER", "true"}});
  EXPECT_EQ(env.exit_code, 0) << env.All();
  EXPECT_TRUE(p.TableExists("a"));
  p.Write("V0__z.sql", "create table z(id integer);\n");
  p.Hash();
  auto flag = p.Run({"migrate", "--out-of-order"}, {{"STRATA_MIGRATE_OUT_OF_ORDER", "false"}});
  EXPECT_EQ(flag.exit_code, 0) << flag.All();
  EXPECT_TRUE(p.TableExists("z"));
}

TEST_P(EnvSettings, EveryKindOfKeyAndABadValueNamesTheVariable) {
  Project p(GetParam());
  p.dir().Write("other/V1__o.sql", "create table o(id integer);\n");
  // No strata.sum in `other`: the environment turns the file's require_sum off, and points
  // locations and the ledger table elsewhere.
  auto r = p.Run({"migrate"}, {{"STRATA_LOCATIONS", "other"},
                               {"STRATA_MIGRATE_REQUIRE_SUM", "false"},
                               {"STRATA_LEDGER_TABLE", "my_history"},
                               {"STRATA_MIGRATE_LOCK_WAIT", "5s"}});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(p.TableExists("o"));
  EXPECT_TRUE(p.TableExists("my_history"));
  auto bad = p.Run({"info"}, {{"STRATA_MIGRATE_LOCK_RETRIES", "many"}});
  EXPECT_EQ(bad.exit_code, kExitConfig) << bad.All();
  EXPECT_NE(bad.err.find("STRATA_MIGRATE_LOCK_RETRIES"), std::string::npos) << bad.err;
  auto bad_duration = p.Run({"info"}, {{"STRATA_MIGRATE_LOCK_WAIT", "soon"}});
  EXPECT_EQ(bad_duration.exit_code, kExitConfig) << bad_duration.All();
  EXPECT_NE(bad_duration.err.find("environment variable STRATA_MIGRATE_LOCK_WAIT"),
            std::string::npos)
      << bad_duration.err;
  // A [lint] key, read by the linter's own section reader.
  p.Write("V1__x.sql", "select 1;\n");
  auto lint = p.Run({"lint"}, {{"STRATA_LINT_FAIL_ON", "sometimes"}});
  EXPECT_EQ(lint.exit_code, kExitConfig) << lint.All();
  EXPECT_NE(lint.err.find("STRATA_LINT_FAIL_ON"), std::string::npos) << lint.err;
}

INSTANTIATE_TEST_SUITE_P(Db, EnvSettings, ::testing::Values(Db::kSqlite, Db::kPostgres), DbName);

// ----------------------------------------------------------------- README getting started

// The ```sh blocks of the README's "Getting started" section, in order.
std::vector<std::string> GettingStartedBlocks() {
  std::string readme = Slurp(std::string(STRATA_SOURCE_DIR) + "/README.md");
  size_t at = readme.find("\n## Getting started");
  EXPECT_NE(at, std::string::npos);
  size_t end = readme.find("\n## ", at + 1);
  std::string section = readme.substr(at, end == std::string::npos ? end : end - at);
  std::vector<std::string> blocks;
  size_t pos = 0;
  while ((pos = section.find("```sh\n", pos)) != std::string::npos) {
    size_t close = section.find("\n```", pos + 6);
    blocks.push_back(section.substr(pos + 6, close - pos - 6) + "\n");
    pos = close + 4;
  }
  return blocks;
}

RunResult Bash(const std::string& script, const std::string& cwd,
               const std::map<std::string, std::string>& env = {}) {
  TempDir t;
  std::string path = t.Write("script.sh", "set -euo pipefail\n" + script);
  std::string bin_dir = fs::path(STRATA_BINARY).parent_path().string();
  std::string cmd = "cd '" + cwd + "' && env -u STRATA_URL -u DATABASE_URL PATH='" + bin_dir + ":" +
                    std::getenv("PATH") + "'";
  for (const auto& [k, v] : env) cmd += " " + k + "='" + v + "'";
  cmd += " bash '" + path + "' > '" + (t / "out") + "' 2>&1";
  RunResult r;
  int status = std::system(cmd.c_str());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(t / "out");
  return r;
}

TEST(Readme, GettingStartedRunsOnSqliteThenPostgres) {
  auto blocks = GettingStartedBlocks();
  ASSERT_EQ(blocks.size(), 2u);
  TempDir d;
  auto sqlite = Bash(blocks[0], d.path());
  ASSERT_EQ(sqlite.exit_code, 0) << blocks[0] << "\n---\n" << sqlite.out;
  EXPECT_NE(sqlite.out.find("1 migration(s) applied"), std::string::npos) << sqlite.out;
  if (!PgCluster::Available()) GTEST_SKIP() << "PostgreSQL not installed";
  std::string url = PgCluster::Get().CreateDatabase("readme");
  std::string pg = blocks[1];
  const std::string example = "postgres://app@localhost:5432/shop";
  ASSERT_NE(pg.find(example), std::string::npos) << pg;
  pg.replace(pg.find(example), example.size(), url);
  auto r = Bash(pg, d / "shop");
  ASSERT_EQ(r.exit_code, 0) << pg << "\n---\n" << r.out;
  EXPECT_NE(r.out.find("1 migration(s) applied"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace strata::testing
