// Issue 15: the verified-ledger cache (src/ledger/ledger_cache.h). On PostgreSQL an up-to-date
// `migrate` takes the ledger's rows from the cache when the rows' tuple versions are the ones it
// verified, and otherwise reads and verifies every row exactly as without the cache: a hand
// edit, a deleted row, a row deleted and inserted again, rows another runner appended. A cache
// file that is foreign, writable by others or damaged is not read; it can be turned off.
#include "base/sha256.h"
#include "ledger/ledger.h"
#include "ledger/ledger_cache.h"

#include <sys/stat.h>

#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

class LedgerCacheTest : public EngineTest {};

// A project with three applied migrations and its own cache directory.
struct Cached {
  explicit Cached(Db db) : p(db) {
    env = {{"STRATA_CACHE_DIR", cache}};
    p.Write("V1__one.sql", "CREATE TABLE one (a integer);\n");
    p.Write("V2__two.sql", v2);
    p.Write("V3__three.sql", "CREATE TABLE three (a integer);\n");
    p.Hash();
  }
  // The ledger cache file ("" when there is none).
  std::string File() const {
    if (!std::filesystem::exists(cache)) return "";
    for (const auto& e : std::filesystem::directory_iterator(cache)) {
      if (e.path().filename().string().rfind("ledger-", 0) == 0) return e.path();
    }
    return "";
  }
  RunResult Migrate() const { return p.Run({"migrate"}, env); }
  // Applies the migrations, then a no-op records the verified ledger: the cache file's path.
  std::string MigrateAndCache() const {
    EXPECT_EQ(Migrate().exit_code, 0);
    EXPECT_EQ(Migrate().exit_code, 0);
    return File();
  }
  // The same run without any cache: what the cached run must say.
  RunResult MigrateUncached() const { return p.Run({"migrate"}, {{"STRATA_CACHE_DIR", ""}}); }

  Project p;
  const std::string cache = p.dir() / "cache";
  std::map<std::string, std::string> env;
  const std::string v2 = "CREATE TABLE two (a integer);\n";
};

// The cache's bytes with V2's recorded checksum replaced by zeros, re-encoded (its trailer
// recomputed): a well-formed cache that disagrees with the database.
std::string Forge(const std::string& bytes, const std::string& v2) {
  ledger::LedgerCache::Entry e;
  EXPECT_TRUE(ledger::LedgerCache::Decode(bytes, e));
  bool found = false;
  for (auto& row : e.rows) {
    if (row.checksum == base::Sha256Hex(v2)) {
      row.checksum = std::string(64, '0');
      found = true;
    }
  }
  EXPECT_TRUE(found);
  return ledger::LedgerCache::Encode(e.fingerprint, e.started_column, e.rows);
}

void Overwrite(const std::string& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

// After the first no-op the rows come from the cache: a forged cache (the database unchanged) is
// what that run trusts, while validate, reading every row, passes. SQLite has no tuple versions
// and never writes one.
TEST_P(LedgerCacheTest, AnUnchangedLedgerIsTakenFromTheCache) {
  Cached c(GetParam());
  ASSERT_EQ(c.Migrate().exit_code, 0);
  EXPECT_EQ(c.File(), "") << "a run that applied migrations has not verified the final ledger";
  auto r = c.Migrate();
  ASSERT_EQ(r.exit_code, 0) << r.All();
  if (!pg()) {
    EXPECT_EQ(c.File(), "");
    return;
  }
  const std::string file = c.File();
  ASSERT_NE(file, "");
  struct stat st {};
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string recorded = Slurp(file);
  EXPECT_EQ(recorded.find("postgres://"), std::string::npos) << "the file names no URL";

  r = c.Migrate();  // a hit writes nothing
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(Slurp(file), recorded);

  Overwrite(file, Forge(recorded, c.v2));
  r = c.Migrate();
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.All().find("V2__two.sql"), std::string::npos) << r.All();
  EXPECT_NE(r.All().find("recorded checksum " + std::string(64, '0')), std::string::npos)
      << r.All();
  EXPECT_EQ(c.p.Run({"validate"}, c.env).exit_code, 0);
  Overwrite(file, recorded);
  EXPECT_EQ(c.Migrate().exit_code, 0);
}

// After caching, a hand edit, a deleted last row, a row deleted and inserted again (identical,
// or rewritten with a valid chain) are seen by the next no-op exactly as without the cache.
TEST_P(LedgerCacheTest, ChangedRowsAreReadAndVerifiedAsWithoutTheCache) {
  if (!pg()) GTEST_SKIP() << "PostgreSQL only: SQLite has no cache";
  struct Case {
    std::string name;
    std::function<void(const Project&)> change;
    int exit_code;
    std::string says;
  };
  std::vector<Case> cases = {
      {"an UPDATE of one row's checksum",
       [](const Project& p) {
         p.Exec("UPDATE strata_schema_history SET checksum = '" + std::string(64, 'b') +
                "' WHERE installed_rank = 2");
       },
       kExitValidation, "rank 2 (V2__two.sql): content does not match its hash"},
      {"a DELETE of the last row",
       [](const Project& p) {
         p.Exec("DELETE FROM strata_schema_history WHERE installed_rank = 3");
       },
       kExitValidation, "rows were deleted"},
      {"the last row deleted and inserted again, rewritten with a valid chain",
       [](const Project& p) {
         auto conn = p.Connect();
         ledger::Ledger l(*conn, "strata_schema_history", "");
         auto rows = l.ReadAll();
         ASSERT_TRUE(rows.ok() && rows->size() == 3);
         ledger::AppliedRow forged = rows->back();
         forged.execution_time_ms += 1000;
         ASSERT_TRUE(conn->Exec("DELETE FROM strata_schema_history WHERE installed_rank = 3").ok());
         ASSERT_TRUE(l.ReadAll().ok());  // the tail is rank 2 now
         ASSERT_TRUE(l.Append(forged).ok());
         ASSERT_TRUE(ledger::Ledger::VerifyChain(*l.ReadAll()).empty());
       },
       kExitValidation, "were rewritten"},
      {"the last row deleted and inserted again, identical",
       [](const Project& p) {
         p.Exec(
             "BEGIN; CREATE TEMP TABLE keep AS SELECT * FROM strata_schema_history WHERE "
             "installed_rank = 3; DELETE FROM strata_schema_history WHERE installed_rank = 3; "
             "INSERT INTO strata_schema_history SELECT * FROM keep; COMMIT");
       },
       kExitOk, "up to date"},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.name);
    Cached c(GetParam());
    const std::string file = c.MigrateAndCache();
    ASSERT_NE(file, "");
    const std::string recorded = Slurp(file);
    k.change(c.p);
    auto cached = c.Migrate();
    EXPECT_EQ(cached.exit_code, k.exit_code) << cached.All();
    EXPECT_NE(cached.All().find(k.says), std::string::npos) << cached.All();
    auto uncached = c.MigrateUncached();
    EXPECT_EQ(cached.exit_code, uncached.exit_code);
    EXPECT_EQ(cached.err, uncached.err);
    EXPECT_EQ(cached.out, uncached.out);
    if (k.exit_code == kExitOk) {
      // Read again, verified again and recorded anew: the rows' tuple versions changed.
      EXPECT_NE(Slurp(file), recorded);
    } else {
      EXPECT_EQ(Slurp(file), recorded) << "a broken ledger is never recorded";
    }
  }
}

// A cache file that is not the user's own, that others can write or that is damaged is not
// read (the forged file would otherwise fail the run); a damaged one is replaced. Off with an
// empty STRATA_CACHE_DIR or `migrate.stat_cache = false`.
TEST_P(LedgerCacheTest, AForeignDamagedOrDisabledCacheIsNotRead) {
  if (!pg()) GTEST_SKIP() << "PostgreSQL only: SQLite has no cache";
  Cached c(GetParam());
  const std::string file = c.MigrateAndCache();
  ASSERT_NE(file, "");
  const std::string recorded = Slurp(file);
  const std::string forged = Forge(recorded, c.v2);
  Overwrite(file, forged);
  ASSERT_EQ(c.Migrate().exit_code, kExitValidation) << "the forged cache is read when it is own";

  for (mode_t mode : {0620, 0602, 0666}) {
    Overwrite(file, forged);
    ASSERT_EQ(chmod(file.c_str(), mode), 0);
    auto r = c.Migrate();
    EXPECT_EQ(r.exit_code, 0) << std::oct << mode << ": " << r.All();
    ASSERT_EQ(chmod(file.c_str(), 0600), 0);
  }
  if (geteuid() == 0) {
    Overwrite(file, forged);
    ASSERT_EQ(chown(file.c_str(), 65534, 65534), 0);
    auto r = c.Migrate();
    EXPECT_EQ(r.exit_code, 0) << "another user's file: " << r.All();
    std::filesystem::remove(file);
  }

  for (const std::string& damaged :
       {std::string("garbage"), recorded.substr(0, recorded.size() / 2), std::string(),
        recorded.substr(0, recorded.size() - 1) + "x"}) {
    Overwrite(file, damaged);
    auto r = c.Migrate();
    EXPECT_EQ(r.exit_code, 0) << r.All();
    EXPECT_NE(r.All().find("up to date"), std::string::npos) << r.All();
    EXPECT_EQ(Slurp(c.File()).size(), recorded.size()) << "rewritten after a full read";
  }

  // Off: the forged file (in the default directory) is not read, nothing is written anywhere.
  Overwrite(file, forged);
  const std::string home = c.p.dir() / "home";
  std::filesystem::create_directories(home);
  auto r =
      c.p.Run({"migrate"}, {{"STRATA_CACHE_DIR", ""}, {"HOME", home}, {"XDG_CACHE_HOME", home}});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(std::filesystem::is_empty(home));
  c.p.WriteToml("[migrate]\nstat_cache = false\n");
  r = c.Migrate();
  EXPECT_EQ(r.exit_code, 0) << "migrate.stat_cache = false: " << r.All();
  EXPECT_EQ(Slurp(file), forged);
}

// Two runners on one database: while one is up to date (its ledger cached), the other applies a
// migration; the first one's next no-op sees the new row (applied, no file in its checkout).
TEST_P(LedgerCacheTest, RowsAnotherRunnerAppendedAreSeen) {
  if (!pg()) GTEST_SKIP() << "PostgreSQL only: SQLite has no cache";
  Cached a(GetParam());
  ASSERT_NE(a.MigrateAndCache(), "");
  // The second runner: a newer checkout of the same project, same cache directory.
  TempDir other;
  other.Write("strata.toml", "locations = [\"db/migration\"]\n");
  for (const auto& e : std::filesystem::directory_iterator(a.p.dir() / "db/migration")) {
    other.Write("db/migration/" + e.path().filename().string(), Slurp(e.path()));
  }
  other.Write("db/migration/V4__four.sql", "CREATE TABLE four (a integer);\n");
  auto b = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--url", a.p.url()});
    return RunStrata(args, other.path(), a.env);
  };
  ASSERT_EQ(b({"hash"}).exit_code, 0);
  auto r = b({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_TRUE(a.p.TableExists("four"));

  r = a.Migrate();
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.All().find("version 4 (V4__four.sql) is applied but has no file here"),
            std::string::npos)
      << r.All();
  r = b({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(r.All().find("has no file here"), std::string::npos) << r.All();
}

// A ledger that has no tuple versions (here a view over the real table) is read and verified as
// without the cache, and never recorded.
TEST_P(LedgerCacheTest, ALedgerWithoutTupleVersionsIsReadAsWithoutTheCache) {
  if (!pg()) GTEST_SKIP() << "PostgreSQL only: SQLite has no cache";
  Cached c(GetParam());
  ASSERT_EQ(c.Migrate().exit_code, 0);
  c.p.Exec(
      "ALTER TABLE strata_schema_history RENAME TO history_rows; CREATE VIEW "
      "strata_schema_history AS SELECT * FROM history_rows");
  for (int i = 0; i < 2; ++i) {
    auto r = c.Migrate();
    EXPECT_EQ(r.exit_code, 0) << r.All();
    EXPECT_NE(r.All().find("up to date"), std::string::npos) << r.All();
  }
  EXPECT_EQ(c.File(), "");
  c.p.Exec("UPDATE history_rows SET checksum = 'x' WHERE installed_rank = 2");
  auto r = c.Migrate();
  EXPECT_EQ(r.exit_code, kExitValidation) << r.All();
  EXPECT_NE(r.All().find("rank 2"), std::string::npos) << r.All();
}

INSTANTIATE_TEST_SUITE_P(Dialects, LedgerCacheTest, ::testing::Values(Db::kSqlite, Db::kPostgres),
                         DbName);

}  // namespace
}  // namespace strata::testing
