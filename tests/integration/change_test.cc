// strata change (issue 19) on the private PostgreSQL cluster: two application versions, each a
// real libpq client with its own connection and its own shape of the table, insert, update,
// delete and read continuously across `change start` and `change complete` (or `abort`) with
// zero errors; kill -9 mid-backfill and rerun; refusals at plan time with the object named.
#include "db/connection.h"
#include "support/pg_cluster.h"
#include "support/run.h"
#include "support/temp_dir.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace strata::testing {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<db::Connection> Open(const std::string& url, const std::string& app) {
  auto u = db::ParseUrl(url);
  auto c = db::Connect(*u, app);
  EXPECT_TRUE(c.ok()) << c.error().ToString();
  return std::move(*c);
}

// One application version: writes and reads `column` (its name for the value) on rows it
// owns (ids it inserted, and seeded ids with id % 2 == parity), and checks every read
// against what it wrote. A NULL it writes may read back as `null_reads_as` (a fill rule).
class AppClient {
 public:
  AppClient(std::string url, std::string name, std::string column, int parity, int seeded,
            bool writes_nulls, std::string null_reads_as)
      : url_(std::move(url)),
        name_(std::move(name)),
        column_(std::move(column)),
        parity_(parity),
        seeded_(seeded),
        writes_nulls_(writes_nulls),
        null_reads_as_(std::move(null_reads_as)) {}

  void Start() {
    thread_ = std::thread([this] { Loop(); });
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  const std::vector<std::string>& errors() const { return errors_; }
  int ops() const { return ops_; }
  // Expected value per owned row ("NULL" for a NULL write).
  const std::map<long long, std::string>& rows() const { return rows_; }
  const std::string& column() const { return column_; }

 private:
  void Fail(const std::string& what) {
    if (errors_.size() < 20) errors_.push_back(name_ + ": " + what);
  }
  void Loop() {
    auto conn = Open(url_, name_);
    if (!search_path_.empty()) {
      auto r = conn->Query("SET search_path = " + search_path_);
      if (!r) Fail("search_path: " + r.error().ToString());
    }
    std::mt19937 rng(parity_ * 7919 + 1);
    std::vector<long long> own;
    while (!stop_) {
      ++ops_;
      int pick = rng() % 10;
      std::string v = std::to_string(rng() % 100000);
      if (writes_nulls_ && rng() % 4 == 0) v = "NULL";
      if (pick < 3) {  // insert, sometimes leaving the column to its default
        bool omit = may_omit_ && rng() % 5 == 0;
        std::string sql =
            omit ? fmt::format("INSERT INTO {} (note) VALUES ('x') RETURNING id", table_)
                 : fmt::format("INSERT INTO {} ({}, note) VALUES ({}, 'x') RETURNING id", table_,
                               column_, v);
        auto r = conn->Query(sql);
        if (!r) {
          Fail(sql + ": " + r.error().ToString());
          continue;
        }
        long long id = std::stoll(*r->rows[0][0]);
        own.push_back(id);
        rows_[id] = omit ? "DEFAULT" : v;
      } else if (pick < 6) {  // update a seeded row or an own row
        long long id;
        if (own.empty() || rng() % 2) {
          id = static_cast<long long>(rng() % (seeded_ / 2)) * 2 + 1 + parity_;
        } else {
          id = own[rng() % own.size()];
        }
        std::string sql =
            fmt::format("UPDATE {} SET {} = {} WHERE id = {}", table_, column_, v, id);
        auto r = conn->Query(sql);
        if (!r) {
          Fail(sql + ": " + r.error().ToString());
          continue;
        }
        if (r->rows_affected == 1) rows_[id] = v;
      } else if (pick < 7 && !own.empty()) {  // delete an own row
        size_t k = rng() % own.size();
        long long id = own[k];
        own.erase(own.begin() + k);
        auto r = conn->Query(fmt::format("DELETE FROM {} WHERE id = {}", table_, id));
        if (!r) Fail("delete: " + r.error().ToString());
        rows_.erase(id);
      } else if (!rows_.empty()) {  // read back one owned row
        auto it = rows_.begin();
        std::advance(it, rng() % rows_.size());
        auto r =
            conn->Query(fmt::format("SELECT {} FROM {} WHERE id = {}", column_, table_, it->first));
        if (!r) {
          Fail("read: " + r.error().ToString());
          continue;
        }
        if (r->rows.size() != 1) {
          Fail(fmt::format("row {} vanished", it->first));
          continue;
        }
        std::string got = r->rows[0][0].value_or("NULL");
        if (!Matches(it->second, got)) {
          Fail(fmt::format("row {}: wrote {}, read {}", it->first, it->second, got));
        }
      }
      std::this_thread::sleep_for(1ms);
    }
  }

 public:
  bool Matches(const std::string& wrote, const std::string& got) const {
    if (wrote == "DEFAULT" && null_reads_as_.empty()) return got == default_;
    if (wrote == "DEFAULT") return got == "NULL" || got == null_reads_as_;
    if (wrote == "NULL") return got == "NULL" || got == null_reads_as_;
    return wrote == got;
  }
  std::string default_ = "12";
  bool may_omit_ = true;        // inserts that leave the column to its default
  std::string table_ = "item";  // the table (or view) this version knows
  std::string search_path_;     // set at connect when not empty

 private:
  std::string url_, name_, column_;
  int parity_, seeded_;
  bool writes_nulls_;
  std::string null_reads_as_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::string> errors_;
  int ops_ = 0;
  std::map<long long, std::string> rows_;
};

class ChangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    STRATA_REQUIRE_POSTGRES();
    url_ = PgCluster::Get().CreateDatabase("chg");
    admin_ = Open(url_, "change test");
  }
  void Exec(const std::string& sql) {
    auto r = admin_->ExecBatch({sql}, false);
    ASSERT_TRUE(r.status.ok()) << sql << ": " << r.status.ToString();
  }
  std::string Q(const std::string& sql) {
    auto r = admin_->Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.error().ToString();
    if (!r.ok() || r->rows.empty()) return "";
    return r->rows[0][0].value_or("NULL");
  }
  RunResult Strata(std::vector<std::string> args) {
    args.insert(args.begin(), {"--url", url_});
    return RunStrata(args, dir_.path());
  }
  // The owned rows of `c` read back through `column` now.
  void ExpectRows(const AppClient& c, const std::string& column,
                  const std::string& table = "item") {
    int checked = 0;
    for (const auto& [id, wrote] : c.rows()) {
      std::string got = Q(fmt::format("SELECT {} FROM {} WHERE id = {}", column, table, id));
      ASSERT_TRUE(c.Matches(wrote, got)) << "row " << id << " wrote " << wrote << " read " << got;
      ++checked;
    }
    EXPECT_GT(checked, 10);
  }
  void SeedItems(int rows) {
    Exec(
        "CREATE TABLE item (id bigserial PRIMARY KEY, term integer NOT NULL DEFAULT 12, "
        "qty integer, note text)");
    Exec(
        fmt::format("INSERT INTO item (term, qty, note) SELECT g % 100, CASE WHEN g % 3 = 0 "
                    "THEN NULL ELSE g END, 'seed' FROM generate_series(1, {}) g",
                    rows));
  }

  std::string url_;
  TempDir dir_;
  std::unique_ptr<db::Connection> admin_;
};

const char* kRename =
    "-- strata:change chunk_size=500\n"
    "ALTER TABLE item RENAME COLUMN term TO months;\n";

TEST_F(ChangeTest, RenameColumnOldAndNewVersionsWorkThroughStartAndComplete) {
  SeedItems(20000);
  std::string file = dir_.Write("V2__rename_term.sql", kRename);
  AppClient old_app(url_, "app-v1", "term", 0, 20000, false, "");
  AppClient new_app(url_, "app-v2", "months", 1, 20000, false, "");
  old_app.Start();
  std::this_thread::sleep_for(300ms);
  auto plan = Strata({"change", "plan", file});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  EXPECT_NE(plan.out.find("rename_column item.term"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("up inferred"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("end state (the file's DDL, reached through the phases below):\n  "
                          "ALTER TABLE item RENAME COLUMN term TO months;"),
            std::string::npos)
      << plan.out;
  auto start = Strata({"change", "start", file});
  ASSERT_EQ(start.exit_code, 0) << start.All();
  new_app.Start();  // the rolling deploy: both versions write
  std::this_thread::sleep_for(1500ms);
  auto status = Strata({"change", "status", "--json"});
  auto sj = nlohmann::json::parse(status.out, nullptr, false);
  ASSERT_TRUE(sj.is_object()) << status.All();
  EXPECT_EQ(sj["changes"][0]["phase"], "started") << status.out;
  EXPECT_EQ(sj["changes"][0]["unmigrated_rows"], 0) << status.out;
  EXPECT_NE(sj["changes"][0]["sessions"].dump().find("app-v2"), std::string::npos);
  EXPECT_NE(sj["changes"][0]["backfill"].dump().find(" completed, "), std::string::npos)
      << status.out;
  old_app.Stop();  // the old version is gone
  auto complete = Strata({"change", "complete", file});
  ASSERT_EQ(complete.exit_code, 0) << complete.All();
  std::this_thread::sleep_for(500ms);
  new_app.Stop();

  EXPECT_TRUE(old_app.errors().empty()) << ::testing::PrintToString(old_app.errors());
  EXPECT_TRUE(new_app.errors().empty()) << ::testing::PrintToString(new_app.errors());
  EXPECT_GT(old_app.ops(), 100);
  EXPECT_GT(new_app.ops(), 100);
  // Invariant: months = what either version last wrote (new = up(old) = old).
  ExpectRows(old_app, "months");
  ExpectRows(new_app, "months");
  // Seeded rows neither version touched keep their value (the backfill copied it).
  std::string touched;
  for (const auto* app : {&old_app, &new_app}) {
    for (const auto& [id, v] : app->rows())
      touched += (touched.empty() ? "" : ",") + std::to_string(id);
  }
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE id <= 20000 AND months <> id % 100 AND id <> "
              "ALL('{" +
              touched + "}'::bigint[])"),
            "0");
  EXPECT_EQ(Q("SELECT count(*) FROM pg_attribute WHERE attrelid = 'item'::regclass AND "
              "attname = 'term' AND NOT attisdropped"),
            "0");
  EXPECT_EQ(Q("SELECT attnotnull::text FROM pg_attribute WHERE attrelid = 'item'::regclass "
              "AND attname = 'months'"),
            "true");
  EXPECT_EQ(Q("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef d JOIN pg_attribute a ON "
              "a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = "
              "'item'::regclass AND a.attname = 'months'"),
            "12");
  EXPECT_EQ(Q("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'item'::regclass"), "0");
  EXPECT_EQ(Q("SELECT phase FROM strata_change"), "completed");
  // A rerun is a no-op, and the old shape is refused by the database, not silently accepted.
  EXPECT_EQ(Strata({"change", "complete", file}).exit_code, 0);
}

TEST_F(ChangeTest, RenameColumnAbortLosesNothingEitherVersionWrote) {
  SeedItems(20000);
  std::string file = dir_.Write("V2__rename_term.sql", kRename);
  AppClient old_app(url_, "app-v1", "term", 0, 20000, false, "");
  AppClient new_app(url_, "app-v2", "months", 1, 20000, false, "");
  old_app.Start();
  auto start = Strata({"change", "start", file});
  ASSERT_EQ(start.exit_code, 0) << start.All();
  new_app.Start();
  std::this_thread::sleep_for(1500ms);
  new_app.Stop();  // the new version is rolled back
  auto abort = Strata({"change", "abort", file});
  ASSERT_EQ(abort.exit_code, 0) << abort.All();
  std::this_thread::sleep_for(500ms);
  old_app.Stop();

  EXPECT_TRUE(old_app.errors().empty()) << ::testing::PrintToString(old_app.errors());
  EXPECT_TRUE(new_app.errors().empty()) << ::testing::PrintToString(new_app.errors());
  // Everything the new version wrote is in the old column.
  ExpectRows(old_app, "term");
  ExpectRows(new_app, "term");
  EXPECT_EQ(Q("SELECT count(*) FROM pg_attribute WHERE attrelid = 'item'::regclass AND "
              "attname = 'months' AND NOT attisdropped"),
            "0");
  EXPECT_EQ(Q("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef d JOIN pg_attribute a ON "
              "a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = "
              "'item'::regclass AND a.attname = 'term'"),
            "12");
  EXPECT_EQ(Q("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'item'::regclass"), "0");
  EXPECT_EQ(Q("SELECT phase FROM strata_change"), "aborted");
  EXPECT_NE(Strata({"change", "complete", file}).exit_code, 0);
}

const char* kNotNull =
    "-- strata:change chunk_size=500\n"
    "-- strata:up qty = coalesce(qty, 0)\n"
    "ALTER TABLE item ALTER COLUMN qty SET NOT NULL;\n";

TEST_F(ChangeTest, SetNotNullWhileTheOldVersionStillWritesNulls) {
  SeedItems(20000);
  std::string file = dir_.Write("V3__qty_not_null.sql", kNotNull);
  AppClient old_app(url_, "app-v1", "qty", 0, 20000, /*writes_nulls=*/true, "0");
  AppClient new_app(url_, "app-v2", "qty", 1, 20000, false, "0");
  old_app.default_ = new_app.default_ = "0";  // an omitted qty is NULL, filled with 0
  new_app.may_omit_ = false;                  // the new version knows qty is required
  old_app.Start();
  std::this_thread::sleep_for(300ms);
  auto start = Strata({"change", "start", file});
  ASSERT_EQ(start.exit_code, 0) << start.All();
  new_app.Start();
  std::this_thread::sleep_for(1500ms);
  old_app.Stop();
  auto complete = Strata({"change", "complete", file});
  ASSERT_EQ(complete.exit_code, 0) << complete.All();
  std::this_thread::sleep_for(300ms);
  new_app.Stop();
  EXPECT_TRUE(old_app.errors().empty()) << ::testing::PrintToString(old_app.errors());
  EXPECT_TRUE(new_app.errors().empty()) << ::testing::PrintToString(new_app.errors());
  ExpectRows(old_app, "qty");
  ExpectRows(new_app, "qty");
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE qty IS NULL"), "0");
  EXPECT_EQ(Q("SELECT attnotnull::text FROM pg_attribute WHERE attrelid = 'item'::regclass "
              "AND attname = 'qty'"),
            "true");
  EXPECT_EQ(Q("SELECT count(*) FROM pg_constraint WHERE conrelid = 'item'::regclass AND "
              "contype = 'c'"),
            "0");
}

TEST_F(ChangeTest, SetNotNullAbortKeepsTheColumnNullable) {
  SeedItems(5000);
  std::string file = dir_.Write("V3__qty_not_null.sql", kNotNull);
  AppClient old_app(url_, "app-v1", "qty", 0, 5000, true, "0");
  old_app.default_ = "0";
  old_app.Start();
  ASSERT_EQ(Strata({"change", "start", file}).exit_code, 0);
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(Strata({"change", "abort", file}).exit_code, 0);
  std::this_thread::sleep_for(300ms);
  old_app.Stop();
  EXPECT_TRUE(old_app.errors().empty()) << ::testing::PrintToString(old_app.errors());
  EXPECT_EQ(Q("SELECT attnotnull::text FROM pg_attribute WHERE attrelid = 'item'::regclass "
              "AND attname = 'qty'"),
            "false");
  Exec("INSERT INTO item (qty, note) VALUES (NULL, 'after abort')");
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE note = 'after abort' AND qty IS NULL"), "1");
}

TEST_F(ChangeTest, KillNineMidBackfillThenStartAgainFinishes) {
  SeedItems(60000);
  std::string file = dir_.Write("V2__rename_term.sql",
                                "-- strata:change chunk_size=200 max_rows_per_second=6000\n"
                                "ALTER TABLE item RENAME COLUMN term TO months;\n");
  int pid = SpawnStrata({"--url", url_, "change", "start", file}, dir_.path(), dir_ / "start.log");
  // Wait until the backfill has moved some rows, then kill -9.
  for (int i = 0; i < 200; ++i) {
    std::this_thread::sleep_for(50ms);
    auto exists =
        Q("SELECT count(*) FROM pg_attribute WHERE attrelid = 'item'::regclass AND "
          "attname = 'months'");
    if (exists == "1" &&
        std::stoll(Q("SELECT count(*) FROM item WHERE months IS NOT NULL")) > 3000) {
      break;
    }
  }
  ::kill(pid, SIGKILL);
  EXPECT_EQ(WaitExit(pid), 128 + SIGKILL);
  EXPECT_EQ(Q("SELECT phase FROM strata_change"), "starting");
  long long left = std::stoll(Q("SELECT count(*) FROM item WHERE months IS NULL"));
  EXPECT_GT(left, 0) << "the kill came too late to test a resume";
  auto status = Strata({"change", "status"});
  EXPECT_NE(status.out.find("starting"), std::string::npos) << status.All();
  // Writes during the interruption still go through the trigger.
  Exec("INSERT INTO item (term, note) VALUES (77, 'during')");
  auto again = Strata({"change", "start", file});
  ASSERT_EQ(again.exit_code, 0) << again.All();
  EXPECT_EQ(Q("SELECT phase FROM strata_change"), "started");
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE months IS DISTINCT FROM term"), "0");
  EXPECT_EQ(Q("SELECT months FROM item WHERE note = 'during'"), "77");
  auto done = Strata({"change", "complete", file});
  ASSERT_EQ(done.exit_code, 0) << done.All();
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE months <> id % 100 AND note = 'seed'"), "0");
}

TEST_F(ChangeTest, CompleteIsRefusedWithTheNumbersWhileRowsAreUnmigrated) {
  SeedItems(1000);
  std::string file = dir_.Write(
      "V2__rename_qty.sql", "-- strata:change\nALTER TABLE item RENAME COLUMN qty TO quantity;\n");
  ASSERT_EQ(Strata({"change", "start", file}).exit_code, 0);
  // A writer that bypasses the trigger (session_replication_role = replica) leaves rows behind:
  // ids 1..10 hold qty except 3, 6, 9.
  Exec(
      "SET session_replication_role = replica; UPDATE item SET quantity = NULL WHERE id <= 10; "
      "SET session_replication_role = origin");
  auto r = Strata({"change", "complete", file});
  EXPECT_EQ(r.exit_code, 8) << r.All();
  EXPECT_NE(r.err.find("7 rows of item"), std::string::npos) << r.All();
  EXPECT_EQ(Q("SELECT phase FROM strata_change"), "started");
  EXPECT_EQ(Q("SELECT count(*) FROM pg_attribute WHERE attrelid = 'item'::regclass AND "
              "attname = 'qty' AND NOT attisdropped"),
            "1");
  // As the refusal says: start again backfills the rows left behind, then complete succeeds.
  auto again = Strata({"change", "start", file});
  ASSERT_EQ(again.exit_code, 0) << again.All();
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE quantity IS DISTINCT FROM qty"), "0");
  auto done = Strata({"change", "complete", file});
  EXPECT_EQ(done.exit_code, 0) << done.All();
}

TEST_F(ChangeTest, PlanRefusesWhatItCannotDoSafelyNamingTheObject) {
  Exec("CREATE TABLE nokey (a int, b int)");
  Exec(
      "CREATE TABLE t (id int PRIMARY KEY, a int, b int, c int, d int GENERATED ALWAYS AS "
      "(c * 2) STORED, e int)");
  Exec("CREATE VIEW t_view AS SELECT id, a FROM t");
  Exec("CREATE TABLE child (id int PRIMARY KEY, t_b int)");
  Exec("ALTER TABLE t ADD CONSTRAINT t_b_key UNIQUE (b)");
  Exec("ALTER TABLE child ADD CONSTRAINT child_t_fk FOREIGN KEY (t_b) REFERENCES t (b)");
  Exec("CREATE INDEX t_e_expr ON t ((e + 1))");
  Exec("CREATE TABLE other (id int PRIMARY KEY, v int, name text)");
  Exec("CREATE FUNCTION bump(int) RETURNS int LANGUAGE sql VOLATILE AS 'SELECT $1 + 1'");
  struct Case {
    const char* sql;
    const char* expect;
  } cases[] = {
      {"ALTER TABLE nokey RENAME COLUMN a TO aa;", "has no primary key"},
      {"ALTER TABLE t RENAME COLUMN a TO aa;", "view t_view"},
      {"ALTER TABLE t RENAME COLUMN b TO bb;", "child_t_fk"},
      {"ALTER TABLE t RENAME COLUMN c TO cc;", "generated column d"},
      // A rename copies an expression index onto the new column; a type change cannot.
      {"ALTER TABLE t ALTER COLUMN e TYPE bigint;", "index expression or predicate of t_e_expr"},
      {"ALTER TABLE t ALTER COLUMN e TYPE bigint;", "DROP INDEX CONCURRENTLY"},
      {"ALTER TABLE t DROP COLUMN c;", "generated column d"},
      // Lookups: type-checked with the row as parameters, as the trigger sees it.
      {"-- strata:up e = coalesce(e, (SELECT max(e) FROM t))\n"
       "ALTER TABLE t ALTER COLUMN e SET NOT NULL;",
       "reads `t` itself"},
      {"-- strata:up e = coalesce(e, (SELECT v FROM other WHERE other.id = a))\n"
       "ALTER TABLE t ALTER COLUMN e SET NOT NULL;",
       "inside a subquery name the changed row's columns `t.<column>`"},
      {"-- strata:up e = coalesce(e, (SELECT name FROM other WHERE other.id = t.a))\n"
       "ALTER TABLE t ALTER COLUMN e SET NOT NULL;",
       "does not type-check as integer"},
      {"-- strata:up e = coalesce(e, bump(a))\nALTER TABLE t ALTER COLUMN e SET NOT NULL;",
       "calls `bump(integer)`, a VOLATILE function"},
      {"-- strata:up e = coalesce(e, zz)\nALTER TABLE t ALTER COLUMN e SET NOT NULL;",
       "names column `zz`"},
      {"ALTER TABLE t RENAME TO t2;\nALTER TABLE t2 RENAME COLUMN a TO aa;",
       "cannot share one window"},
      {"-- strata:up e = coalesce(e, now())\nALTER TABLE t ALTER COLUMN e SET NOT NULL;",
       "does not type-check"},
      {"ALTER TABLE t ALTER COLUMN e SET NOT NULL;", "strata:up e ="},
      {"CREATE INDEX ON t (a);", "does not name its index"},
      {"ALTER TABLE t ADD CHECK (a > 0);", "does not name its constraint"},
      {"ALTER TABLE t ADD COLUMN f int NOT NULL;", "strata:up f ="},
  };
  int n = 0;
  for (const auto& c : cases) {
    std::string file =
        dir_.Write(fmt::format("V{}__bad.sql", ++n), std::string("-- strata:change\n") + c.sql);
    auto r = Strata({"change", "plan", file});
    EXPECT_NE(r.exit_code, 0) << c.sql;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.sql << "\n" << r.All();
    EXPECT_NE(r.err.find(file), std::string::npos) << "names the file: " << r.All();
  }
  // A lookup that type-checks is planned, and its trigger reads the other table by the row.
  std::string ok = dir_.Write(
      "V99__lookup.sql",
      "-- strata:change\n-- strata:up e = coalesce(e, (SELECT o.v FROM other o WHERE o.id = "
      "t.a), 0)\nALTER TABLE t ALTER COLUMN e SET NOT NULL;\n");
  auto r = Strata({"change", "plan", ok});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("WHERE o.id = NEW.a"), std::string::npos) << r.out;
  // Nothing was created by any of them.
  EXPECT_EQ(Q("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"), "0");
}

// Views, materialized views and function bodies (SQL and PL/pgSQL, any volatility; PostgreSQL
// records no dependency on what a body reads) that read the column a change renames, retypes
// or drops would break at complete: plan refuses, naming the object and the next step. So does
// an `up` that reads the changed table itself through a function or a view.
TEST_F(ChangeTest, PlanRefusesViewsAndFunctionBodiesThatReadTheChangedColumn) {
  Exec(
      "CREATE TABLE acct (id int PRIMARY KEY, name text, score int, legacy text, flag int, "
      "touched int, atomic_col int, free int, extra int)");
  Exec("CREATE TABLE other (id int PRIMARY KEY, free int)");
  Exec("CREATE VIEW acct_names AS SELECT id, name FROM acct");
  Exec("CREATE MATERIALIZED VIEW acct_scores AS SELECT id, score FROM acct");
  Exec(
      "CREATE FUNCTION legacy_of(int) RETURNS text LANGUAGE sql STABLE AS "
      "$$ SELECT a.legacy FROM acct a WHERE a.id = $1 $$");
  Exec(
      "CREATE FUNCTION flagged() RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$ DECLARE n "
      "bigint; BEGIN SELECT count(*) INTO n FROM public.acct WHERE flag > 0; RETURN n; END $$");
  Exec(
      "CREATE FUNCTION acct_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched "
      ":= coalesce(NEW.touched, 0) + 1; RETURN NEW; END $$");
  Exec(
      "CREATE TRIGGER acct_touch BEFORE UPDATE ON acct FOR EACH ROW EXECUTE FUNCTION "
      "acct_touch()");
  Exec(
      "CREATE FUNCTION atomic_sum() RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC SELECT "
      "sum(atomic_col) FROM acct; END");
  Exec(
      "CREATE FUNCTION acct_top() RETURNS int LANGUAGE sql STABLE AS "
      "$$ SELECT max(id) FROM acct $$");
  // Reads a column named `free` of another table, and `acct` without that column: no refusal.
  Exec(
      "CREATE FUNCTION other_free() RETURNS bigint LANGUAGE sql STABLE AS "
      "$$ SELECT sum(o.free) FROM other o WHERE o.id IN (SELECT a.id FROM acct a) $$");
  Exec(
      "CREATE FUNCTION acct_ids() RETURNS bigint LANGUAGE sql STABLE AS "
      "$$ SELECT count(id) FROM acct $$");
  struct Case {
    const char* sql;
    std::vector<std::string> expect;
  } cases[] = {
      {"ALTER TABLE acct RENAME COLUMN name TO full_name;",
       {"view acct_names", "drop the view in a plain migration"}},
      {"ALTER TABLE acct DROP COLUMN score;",
       {"materialized view acct_scores", "drop the materialized view in a plain migration"}},
      {"ALTER TABLE acct DROP COLUMN legacy;",
       {"function legacy_of(integer)", "CREATE OR REPLACE FUNCTION"}},
      {"ALTER TABLE acct RENAME COLUMN legacy TO old_code;", {"function legacy_of(integer)"}},
      {"ALTER TABLE acct DROP COLUMN flag;", {"function flagged()", "CREATE OR REPLACE FUNCTION"}},
      {"ALTER TABLE acct ALTER COLUMN touched TYPE bigint;", {"function acct_touch()"}},
      {"ALTER TABLE acct DROP COLUMN atomic_col;", {"function atomic_sum()"}},
      {"-- strata:up extra = coalesce(extra, acct_top())\n"
       "ALTER TABLE acct ALTER COLUMN extra SET NOT NULL;",
       {"calls function acct_top(), which reads `acct` itself", "strata:up"}},
      {"-- strata:up extra = coalesce(extra, (SELECT length(v.name) FROM acct_names v WHERE v.id "
       "= acct.id))\nALTER TABLE acct ALTER COLUMN extra SET NOT NULL;",
       {"reads view acct_names, which reads `acct` itself"}},
  };
  int n = 0;
  for (const auto& c : cases) {
    std::string file =
        dir_.Write(fmt::format("V{}__bad.sql", ++n), std::string("-- strata:change\n") + c.sql);
    auto r = Strata({"change", "plan", file});
    EXPECT_NE(r.exit_code, 0) << c.sql;
    for (const auto& e : c.expect) {
      EXPECT_NE(r.err.find(e), std::string::npos) << c.sql << "\n" << r.All();
    }
    EXPECT_NE(r.err.find(file), std::string::npos) << "names the file: " << r.All();
  }
  std::string ok =
      dir_.Write("V99__free.sql", "-- strata:change\nALTER TABLE acct DROP COLUMN free;\n");
  auto r = Strata({"change", "plan", ok});
  EXPECT_EQ(r.exit_code, 0) << r.All();
}

TEST_F(ChangeTest, TypeChangeAddRequiredColumnAndDropColumnInOneWindow) {
  Exec("CREATE TABLE w (id int PRIMARY KEY, amount int NOT NULL, legacy text NOT NULL, note text)");
  Exec("INSERT INTO w SELECT g, g * 10, 'L' || g, 'seed' FROM generate_series(1, 3000) g");
  std::string file = dir_.Write("V5__w.sql",
                                "-- strata:change chunk_size=700\n"
                                "-- strata:up code = 'C' || id::text\n"
                                "-- strata:down legacy = 'gone'\n"
                                "ALTER TABLE w ALTER COLUMN amount TYPE bigint;\n"
                                "ALTER TABLE w ADD COLUMN code text NOT NULL;\n"
                                "ALTER TABLE w DROP COLUMN legacy;\n");
  auto plan = Strata({"change", "plan", file, "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  auto pj = nlohmann::json::parse(plan.out, nullptr, false);
  ASSERT_EQ(pj["operations"].size(), 3u) << plan.out;
  EXPECT_EQ(pj["operations"][0]["kind"], "alter_type");
  EXPECT_EQ(pj["operations"][0]["up_inferred"], true);
  EXPECT_EQ(pj["operations"][1]["kind"], "add_column");
  EXPECT_EQ(pj["operations"][2]["kind"], "drop_column");
  ASSERT_EQ(Strata({"change", "start", file}).exit_code, 0);
  // The old version (knows amount as int and legacy, not code) and the new one (knows code,
  // not legacy) both insert and update.
  Exec("INSERT INTO w (id, amount, legacy) VALUES (5001, 5, 'x')");
  Exec("INSERT INTO w (id, amount, code) VALUES (5002, 7, 'K')");
  Exec("UPDATE w SET amount = 99 WHERE id = 10");
  EXPECT_EQ(Q("SELECT code FROM w WHERE id = 5001"), "C5001");
  EXPECT_EQ(Q("SELECT legacy FROM w WHERE id = 5002"), "gone");
  EXPECT_EQ(Q("SELECT _strata_new_amount FROM w WHERE id = 10"), "99");
  auto done = Strata({"change", "complete", file});
  ASSERT_EQ(done.exit_code, 0) << done.All();
  EXPECT_EQ(Q("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
              "'w'::regclass AND attname = 'amount'"),
            "bigint");
  EXPECT_EQ(Q("SELECT count(*) FROM w WHERE amount IS DISTINCT FROM id * 10 AND id NOT IN "
              "(10, 5001, 5002)"),
            "0");
  EXPECT_EQ(Q("SELECT amount FROM w WHERE id = 10"), "99");
  EXPECT_EQ(Q("SELECT count(*) FROM w WHERE code IS DISTINCT FROM 'C' || id AND id <> 5002"), "0");
  // The type-changed column is a new attribute: it now comes last in `SELECT *` order.
  EXPECT_EQ(Q("SELECT string_agg(attname || ':' || attnotnull::text, ',' ORDER BY attnum) FROM "
              "pg_attribute WHERE attrelid = 'w'::regclass AND attnum > 0 AND NOT attisdropped"),
            "id:true,note:false,amount:true,code:true");
}

// The backfill writes up(old) into the new column; if the dual-write trigger fired on that
// UPDATE it would recompute the old column as down(up(old)), which for a narrowing type is not
// the old value: the old version's 12.345 would become 12.350 during the window.
TEST_F(ChangeTest, TheBackfillLeavesTheOldVersionsValuesExactlyAsTheyWere) {
  Exec("CREATE TABLE price (id int PRIMARY KEY, amount numeric(12,3) NOT NULL)");
  Exec("INSERT INTO price SELECT g, g + 0.345 FROM generate_series(1, 2000) g");
  std::string file = dir_.Write("V6__price.sql",
                                "-- strata:change chunk_size=500\n"
                                "ALTER TABLE price ALTER COLUMN amount TYPE numeric(12,2);\n");
  auto start = Strata({"change", "start", file});
  ASSERT_EQ(start.exit_code, 0) << start.All();
  EXPECT_EQ(Q("SELECT count(*) FROM price WHERE amount <> id + 0.345"), "0");
  EXPECT_EQ(Q("SELECT amount::text || ' ' || _strata_new_amount::text FROM price WHERE id = 12"),
            "12.345 12.35");
  // A write by either version still fires the trigger.
  Exec("UPDATE price SET amount = 7.125 WHERE id = 1");
  EXPECT_EQ(Q("SELECT _strata_new_amount::text FROM price WHERE id = 1"), "7.13");
}

TEST_F(ChangeTest, MigrateRunsStartAndRefusesAPlainMigrationOnTheOpenTable) {
  dir_.Write("strata.toml", "locations = [\"db/migration\"]\n[migrate]\nrequire_sum = false\n");
  dir_.Write("db/migration/V1__item.sql",
             "CREATE TABLE item (id bigserial PRIMARY KEY, term integer NOT NULL DEFAULT 12, "
             "qty integer, note text);\n"
             "INSERT INTO item (term) SELECT g % 100 FROM generate_series(1, 2000) g;\n");
  std::string change = dir_.Write("db/migration/V2__rename_term.sql", kRename);
  ASSERT_EQ(Strata({"migrate", "--target", "1"}).exit_code, 0);
  // --dry-run shows what migrate runs for a change file: its start phase, with the end state
  // and the derived operations, not the end-state DDL as if it ran.
  auto dry = Strata({"migrate", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.All();
  EXPECT_NE(dry.out.find("migrate runs its start phase"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("-- end state:\n--   ALTER TABLE item RENAME COLUMN term TO months;"),
            std::string::npos)
      << dry.out;
  EXPECT_NE(dry.out.find("--   rename_column item.term"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("CREATE OR REPLACE TRIGGER"), std::string::npos) << dry.out;
  EXPECT_EQ(dry.out.find("\nALTER TABLE item RENAME COLUMN"), std::string::npos) << dry.out;
  EXPECT_EQ(Q("SELECT count(*) FROM pg_class WHERE relname = 'strata_change'"), "0");
  auto m = Strata({"migrate"});
  ASSERT_EQ(m.exit_code, 0) << m.All();
  EXPECT_EQ(Q("SELECT phase FROM strata_change"), "started");
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE months IS DISTINCT FROM term"), "0");
  EXPECT_EQ(Q("SELECT success::text FROM strata_schema_history WHERE version = '2'"), "true");
  dir_.Write("db/migration/V3__touch_item.sql", "ALTER TABLE item ADD COLUMN extra int;\n");
  auto refused = Strata({"migrate"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("open zero-downtime change"), std::string::npos) << refused.All();
  EXPECT_NE(refused.err.find("V3__touch_item.sql:1:1"), std::string::npos) << refused.All();
  EXPECT_EQ(Q("SELECT count(*) FROM strata_schema_history WHERE version = '3'"), "0");
  auto forced = Strata({"migrate", "--allow-open-changes"});
  EXPECT_EQ(forced.exit_code, 0) << forced.All();
  auto done = Strata({"change", "complete", change});
  EXPECT_EQ(done.exit_code, 0) << done.All();
}

TEST_F(ChangeTest, StartNeverMakesOtherSessionsWaitLongerThanTheLockTimeout) {
  SeedItems(2000);
  dir_.Write("strata.toml", "[migrate]\nlock_timeout = \"1s\"\n");
  std::string file = dir_.Write("V2__rename_term.sql", kRename);
  // A long transaction holds ACCESS SHARE on item: start's ACCESS EXCLUSIVE request must wait.
  auto holder = Open(url_, "long reader");
  ASSERT_TRUE(holder->Query("BEGIN").ok());
  ASSERT_TRUE(holder->Query("SELECT * FROM item WHERE id = 1").ok());
  int pid = SpawnStrata({"--url", url_, "change", "start", file}, dir_.path(), dir_ / "start.log");
  // Meanwhile an application reads: queued behind the pending request, it may wait at most
  // about one lock_timeout, never until the long transaction ends.
  auto app = Open(url_, "app");
  std::chrono::milliseconds worst{0};
  auto until = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < until) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = app->Query("SELECT term FROM item WHERE id = 2");
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    worst = std::max(worst, std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - t0));
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(Q("SELECT phase FROM strata_change"), "starting");  // still retrying
  ASSERT_TRUE(holder->Query("COMMIT").ok());
  EXPECT_EQ(WaitExit(pid), 0) << dir_.Read("start.log");
  EXPECT_LT(worst.count(), 2500) << "an application query waited behind strata's lock request";
  EXPECT_EQ(Q("SELECT phase FROM strata_change"), "started");
}

TEST_F(ChangeTest, InfoShowsOpenWindowsAndMigrateCompleteChangesClosesThem) {
  dir_.Write("strata.toml", "locations = [\"db/migration\"]\n[migrate]\nrequire_sum = false\n");
  dir_.Write("db/migration/V1__item.sql",
             "CREATE TABLE item (id bigserial PRIMARY KEY, term integer NOT NULL DEFAULT 12, "
             "qty integer, note text);\n"
             "INSERT INTO item (term) SELECT g % 100 FROM generate_series(1, 3000) g;\n");
  dir_.Write("db/migration/V2__rename_term.sql", kRename);
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);
  // info: the window, its phase, table, start time and backfill progress, in text and JSON.
  auto info = Strata({"info"});
  ASSERT_EQ(info.exit_code, 0) << info.All();
  EXPECT_NE(info.out.find("open change windows"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("V2__rename_term  started  table item  since "), std::string::npos)
      << info.out;
  EXPECT_NE(info.out.find("backfill change.V2__rename_term.0 completed, 3000 rows"),
            std::string::npos)
      << info.out;
  EXPECT_NE(info.out.find("--complete-changes"), std::string::npos) << info.out;
  auto ij = nlohmann::json::parse(Strata({"info", "--json"}).out, nullptr, false);
  ASSERT_TRUE(ij.is_object());
  ASSERT_EQ(ij["open_changes"].size(), 1u) << ij.dump();
  EXPECT_EQ(ij["open_changes"][0]["phase"], "started");
  EXPECT_EQ(ij["open_changes"][0]["tables"][0], "item");
  EXPECT_FALSE(ij["open_changes"][0]["since"].get<std::string>().empty());
  EXPECT_NE(ij["open_changes"][0]["backfill"].dump().find("3000 rows"), std::string::npos);
  // The next deploy: the old version is gone, and a plain migration touches the table.
  dir_.Write("db/migration/V3__touch_item.sql", "ALTER TABLE item ADD COLUMN extra int;\n");
  auto dry = Strata({"migrate", "--complete-changes", "--dry-run"});
  EXPECT_NE(dry.All().find("would complete change V2__rename_term"), std::string::npos)
      << dry.All();
  EXPECT_EQ(Q("SELECT phase FROM strata_change"), "started");
  auto m = Strata({"migrate", "--complete-changes", "--json"});
  ASSERT_EQ(m.exit_code, 0) << m.All();
  auto mj = nlohmann::json::parse(m.out, nullptr, false);
  EXPECT_EQ(mj["changes_completed"], nlohmann::json::array({"V2__rename_term"})) << m.out;
  EXPECT_EQ(Q("SELECT phase FROM strata_change"), "completed");
  EXPECT_EQ(Q("SELECT count(*) FROM strata_schema_history WHERE version = '3' AND success"), "1");
  EXPECT_EQ(Q("SELECT count(*) FROM pg_attribute WHERE attrelid = 'item'::regclass AND "
              "attname IN ('term', 'months', 'extra') AND NOT attisdropped"),
            "2");
  auto after = Strata({"info", "--json"});
  auto aj = nlohmann::json::parse(after.out, nullptr, false);
  EXPECT_EQ(aj["open_changes"].size(), 0u) << after.out;
  EXPECT_EQ(Strata({"info"}).out.find("open change windows"), std::string::npos);
}

TEST_F(ChangeTest, KillNineDuringCompleteThenCompleteAgainFinishesAndStatusSaysWhich) {
  SeedItems(3000);
  dir_.Write("strata.toml", "locations = [\"db/migration\"]\n");
  dir_.Write("db/migration/V1__noop.sql", "SELECT 1;\n");
  Exec("CREATE TABLE w (id int PRIMARY KEY, a int)");
  Exec("INSERT INTO w SELECT g, g FROM generate_series(1, 500) g");
  std::string file = dir_.Write("V2__two.sql",
                                "-- strata:change\n"
                                "ALTER TABLE item RENAME COLUMN term TO months;\n"
                                "ALTER TABLE w RENAME COLUMN a TO b;\n");
  ASSERT_EQ(Strata({"change", "start", file}).exit_code, 0);
  // A long transaction on w: complete contracts item, then waits (retrying) for w.
  auto holder = Open(url_, "long reader");
  ASSERT_TRUE(holder->Query("BEGIN").ok());
  ASSERT_TRUE(holder->Query("SELECT * FROM w WHERE id = 1").ok());
  int pid =
      SpawnStrata({"--url", url_, "change", "complete", file}, dir_.path(), dir_ / "complete.log");
  bool midway = false;
  for (int i = 0; i < 300 && !midway; ++i) {
    std::this_thread::sleep_for(50ms);
    midway = Q("SELECT phase FROM strata_change") == "completing" &&
             Q("SELECT count(*) FROM pg_attribute WHERE attrelid = 'item'::regclass AND "
               "attname = 'term' AND NOT attisdropped") == "0";
  }
  ASSERT_TRUE(midway) << dir_.Read("complete.log");
  auto busy = nlohmann::json::parse(Strata({"change", "status", "--json"}).out, nullptr, false);
  EXPECT_EQ(busy["changes"][0]["phase"], "completing");
  EXPECT_EQ(busy["changes"][0]["running"], true) << busy.dump();
  ::kill(pid, SIGKILL);
  EXPECT_EQ(WaitExit(pid), 128 + SIGKILL);
  // Once the killed session is gone, status says the phase was interrupted and what finishes
  // it; never "running" for a dead process, never a phase that is neither.
  nlohmann::json st;
  for (int i = 0; i < 100; ++i) {
    st = nlohmann::json::parse(Strata({"change", "status", "--json"}).out, nullptr, false);
    if (st["changes"][0]["running"] == false) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(st["changes"][0]["phase"], "completing") << st.dump();
  EXPECT_EQ(st["changes"][0]["running"], false) << st.dump();
  EXPECT_NE(st["changes"][0]["next_step"].get<std::string>().find(
                "interrupted: run `strata change complete " + file),
            std::string::npos)
      << st.dump();
  auto info = Strata({"info"});
  EXPECT_NE(info.out.find("completing"), std::string::npos) << info.All();
  // Abort is refused (the old column of item is gone); complete again finishes.
  EXPECT_NE(Strata({"change", "abort", file}).exit_code, 0);
  ASSERT_TRUE(holder->Query("COMMIT").ok());
  Exec("INSERT INTO w (id, a) VALUES (9001, 5)");  // the old version of w still writes a
  auto again = Strata({"change", "complete", file});
  ASSERT_EQ(again.exit_code, 0) << again.All();
  EXPECT_EQ(Q("SELECT phase FROM strata_change"), "completed");
  EXPECT_EQ(Q("SELECT b FROM w WHERE id = 9001"), "5");
  EXPECT_EQ(Q("SELECT count(*) FROM w WHERE b IS DISTINCT FROM id AND id <> 9001"), "0");
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE months IS DISTINCT FROM id % 100"), "0");
  EXPECT_EQ(Q("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"), "0");
  EXPECT_EQ(Q("SELECT string_agg(phase, ',' ORDER BY id) FROM strata_change_event"),
            "starting,started,completing,completed");
  EXPECT_EQ(Strata({"change", "complete", file}).exit_code, 0);
}

// Constraint and index changes (issue 19): the old and the new version both write qty,
// continuously, from before start until after complete (or abort), with zero errors.
struct ObjectCase {
  const char* name;
  const char* statement;
  const char* object;
  // After complete: one row when the object is there in its final form.
  const char* final_check;
};
const ObjectCase kObjectCases[] = {
    {"Check", "ALTER TABLE item ADD CONSTRAINT item_qty_nonneg CHECK (qty >= 0);",
     "item_qty_nonneg",
     "SELECT 1 FROM pg_constraint WHERE conname = 'item_qty_nonneg' AND contype = 'c' AND "
     "convalidated"},
    {"ForeignKey",
     "ALTER TABLE item ADD CONSTRAINT item_qty_ref FOREIGN KEY (qty) REFERENCES ref (id);",
     "item_qty_ref",
     "SELECT 1 FROM pg_constraint WHERE conname = 'item_qty_ref' AND contype = 'f' AND "
     "convalidated"},
    {"Unique", "ALTER TABLE item ADD CONSTRAINT item_qty_id_key UNIQUE (qty, id);",
     "item_qty_id_key",
     "SELECT 1 FROM pg_constraint c JOIN pg_index i ON i.indexrelid = c.conindid WHERE "
     "c.conname = 'item_qty_id_key' AND c.contype = 'u' AND i.indisvalid"},
    {"Index", "CREATE INDEX item_qty_idx ON item (qty);", "item_qty_idx",
     "SELECT 1 FROM pg_index WHERE indexrelid = 'item_qty_idx'::regclass AND indisvalid"},
};

class ChangeObjectTest : public ChangeTest,
                         public ::testing::WithParamInterface<std::tuple<ObjectCase, bool>> {
 protected:
  void Run() {
    const ObjectCase& oc = std::get<0>(GetParam());
    bool complete = std::get<1>(GetParam());
    SeedItems(20000);
    Exec("CREATE TABLE ref (id int PRIMARY KEY)");
    Exec("INSERT INTO ref SELECT generate_series(0, 100000)");
    std::string file =
        dir_.Write("V4__object.sql", std::string("-- strata:change\n") + oc.statement + "\n");
    AppClient old_app(url_, "app-v1", "qty", 0, 20000, /*writes_nulls=*/true, "");
    AppClient new_app(url_, "app-v2", "qty", 1, 20000, true, "");
    old_app.default_ = new_app.default_ = "NULL";
    old_app.Start();
    std::this_thread::sleep_for(300ms);
    auto plan = Strata({"change", "plan", file});
    ASSERT_EQ(plan.exit_code, 0) << plan.All();
    auto start = Strata({"change", "start", file});
    ASSERT_EQ(start.exit_code, 0) << start.All();
    // From start the object is there (NOT VALID, or a valid index built CONCURRENTLY).
    EXPECT_EQ(Q(fmt::format("SELECT count(*) FROM pg_class WHERE relname = '{0}' UNION ALL "
                            "SELECT count(*) FROM pg_constraint WHERE conname = '{0}' ORDER BY 1 "
                            "DESC LIMIT 1",
                            oc.object)),
              "1");
    new_app.Start();
    std::this_thread::sleep_for(1500ms);
    if (complete) {
      old_app.Stop();
      auto r = Strata({"change", "complete", file});
      ASSERT_EQ(r.exit_code, 0) << r.All();
      std::this_thread::sleep_for(300ms);
      new_app.Stop();
      EXPECT_EQ(Q(oc.final_check), "1") << oc.final_check;
    } else {
      new_app.Stop();
      auto r = Strata({"change", "abort", file});
      ASSERT_EQ(r.exit_code, 0) << r.All();
      std::this_thread::sleep_for(300ms);
      old_app.Stop();
      EXPECT_EQ(Q(fmt::format("SELECT (SELECT count(*) FROM pg_class WHERE relname = '{0}') + "
                              "(SELECT count(*) FROM pg_constraint WHERE conname = '{0}')",
                              oc.object)),
                "0");
    }
    EXPECT_TRUE(old_app.errors().empty()) << ::testing::PrintToString(old_app.errors());
    EXPECT_TRUE(new_app.errors().empty()) << ::testing::PrintToString(new_app.errors());
    EXPECT_GT(old_app.ops(), 100);
    EXPECT_GT(new_app.ops(), 100);
    ExpectRows(old_app, "qty");
    ExpectRows(new_app, "qty");
    EXPECT_EQ(Q("SELECT phase FROM strata_change"), complete ? "completed" : "aborted");
  }
};

TEST_P(ChangeObjectTest, BothVersionsWriteThroughTheWindow) { Run(); }

INSTANTIATE_TEST_SUITE_P(Objects, ChangeObjectTest,
                         ::testing::Combine(::testing::ValuesIn(kObjectCases), ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<ObjectCase, bool>>& i) {
                           return std::string(std::get<0>(i.param).name) +
                                  (std::get<1>(i.param) ? "Complete" : "Abort");
                         });

TEST_F(ChangeTest, UniqueBuildThatFailedLeavesAnInvalidIndexThatStartRebuilds) {
  SeedItems(5000);
  Exec("UPDATE item SET qty = -7 WHERE id IN (1, 2)");  // a duplicate: the build fails
  std::string file = dir_.Write("V4__qty_unique.sql",
                                "-- strata:change\n"
                                "ALTER TABLE item ADD CONSTRAINT item_qty_key UNIQUE (qty);\n");
  auto first = Strata({"change", "start", file});
  EXPECT_NE(first.exit_code, 0);
  EXPECT_NE(first.err.find("item_qty_key"), std::string::npos) << first.All();
  EXPECT_EQ(Q("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'item_qty_key'::regclass"),
            "false");
  EXPECT_EQ(Q("SELECT phase FROM strata_change"), "starting");
  // Complete is refused while the index is not valid.
  EXPECT_NE(Strata({"change", "complete", file}).exit_code, 0);
  Exec("UPDATE item SET qty = NULL WHERE id = 2");
  auto again = Strata({"change", "start", file});
  ASSERT_EQ(again.exit_code, 0) << again.All();
  EXPECT_NE(again.All().find("left invalid"), std::string::npos) << again.All();
  EXPECT_EQ(Q("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'item_qty_key'::regclass"),
            "true");
  ASSERT_EQ(Strata({"change", "complete", file}).exit_code, 0);
  EXPECT_EQ(Q("SELECT contype::text FROM pg_constraint WHERE conname = 'item_qty_key'"), "u");
  // The constraint holds for every writer now.
  EXPECT_FALSE(admin_->Query("UPDATE item SET qty = 7 WHERE id = 1").ok() &&
               admin_->Query("UPDATE item SET qty = 7 WHERE id = 4").ok());
}

TEST_F(ChangeTest, CheckThatExistingRowsViolateIsRefusedAtCompleteWithTheReason) {
  SeedItems(2000);
  Exec("UPDATE item SET qty = -1 WHERE id = 7");
  std::string file = dir_.Write(
      "V4__qty_check.sql",
      "-- strata:change\nALTER TABLE item ADD CONSTRAINT item_qty_nonneg CHECK (qty >= 0);\n");
  ASSERT_EQ(Strata({"change", "start", file}).exit_code, 0);  // NOT VALID: no scan
  // New writes are checked at once.
  EXPECT_FALSE(admin_->Query("INSERT INTO item (qty) VALUES (-3)").ok());
  auto r = Strata({"change", "complete", file});
  EXPECT_EQ(r.exit_code, 8) << r.All();
  EXPECT_NE(r.err.find("constraint item_qty_nonneg does not hold"), std::string::npos) << r.All();
  EXPECT_EQ(Q("SELECT phase FROM strata_change"), "started");
  Exec("UPDATE item SET qty = 1 WHERE id = 7");
  ASSERT_EQ(Strata({"change", "complete", file}).exit_code, 0);
  EXPECT_EQ(Q("SELECT convalidated::text FROM pg_constraint WHERE conname = 'item_qty_nonneg'"),
            "true");
}

// Table rename: the new version uses the new name (the real table), the old version keeps the
// old one (an auto-updatable view over it) without any search_path.
class ChangeRenameTableTest : public ChangeTest, public ::testing::WithParamInterface<bool> {};

TEST_P(ChangeRenameTableTest, BothVersionsWriteThroughTheWindow) {
  bool complete = GetParam();
  SeedItems(20000);
  std::string file = dir_.Write("V6__item_to_product.sql",
                                "-- strata:change\nALTER TABLE item RENAME TO product;\n");
  AppClient old_app(url_, "app-v1", "term", 0, 20000, false, "");
  AppClient new_app(url_, "app-v2", "term", 1, 20000, false, "");
  new_app.table_ = "product";
  old_app.Start();
  std::this_thread::sleep_for(300ms);
  auto plan = Strata({"change", "plan", file});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  EXPECT_NE(plan.out.find("rename_table"), std::string::npos) << plan.out;
  auto start = Strata({"change", "start", file});
  ASSERT_EQ(start.exit_code, 0) << start.All();
  EXPECT_EQ(Q("SELECT relkind::text FROM pg_class WHERE relname = 'item'"), "v");
  new_app.Start();
  std::this_thread::sleep_for(1500ms);
  if (complete) {
    old_app.Stop();
    auto r = Strata({"change", "complete", file});
    ASSERT_EQ(r.exit_code, 0) << r.All();
    std::this_thread::sleep_for(300ms);
    new_app.Stop();
    EXPECT_EQ(Q("SELECT count(*) FROM pg_class WHERE relname = 'item'"), "0");
    EXPECT_EQ(Q("SELECT relkind::text FROM pg_class WHERE relname = 'product'"), "r");
    ExpectRows(old_app, "term", "product");
    ExpectRows(new_app, "term", "product");
  } else {
    new_app.Stop();
    auto r = Strata({"change", "abort", file});
    ASSERT_EQ(r.exit_code, 0) << r.All();
    std::this_thread::sleep_for(300ms);
    old_app.Stop();
    EXPECT_EQ(Q("SELECT count(*) FROM pg_class WHERE relname = 'product'"), "0");
    EXPECT_EQ(Q("SELECT relkind::text FROM pg_class WHERE relname = 'item'"), "r");
    ExpectRows(old_app, "term");
    ExpectRows(new_app, "term");
  }
  EXPECT_TRUE(old_app.errors().empty()) << ::testing::PrintToString(old_app.errors());
  EXPECT_TRUE(new_app.errors().empty()) << ::testing::PrintToString(new_app.errors());
  EXPECT_GT(old_app.ops(), 100);
  EXPECT_GT(new_app.ops(), 100);
}

INSTANTIATE_TEST_SUITE_P(Phases, ChangeRenameTableTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return std::string(i.param ? "Complete" : "Abort");
                         });

// A same-name type change: the old version keeps item.qty as integer; the new version puts
// the view schema item_v8 first in its search_path and sees qty as bigint at once.
TEST_F(ChangeTest, TypeChangeGivesTheNewVersionItsShapeThroughAViewSchema) {
  SeedItems(20000);
  std::string file = dir_.Write(
      "V8__qty_bigint.sql", "-- strata:change\nALTER TABLE item ALTER COLUMN qty TYPE bigint;\n");
  AppClient old_app(url_, "app-v1", "qty", 0, 20000, true, "");
  AppClient new_app(url_, "app-v2", "qty", 1, 20000, true, "");
  old_app.default_ = new_app.default_ = "NULL";
  new_app.search_path_ = "item_v8, public";
  old_app.Start();
  auto plan = Strata({"change", "plan", file});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  EXPECT_NE(plan.out.find("SET search_path = item_v8, public"), std::string::npos) << plan.out;
  ASSERT_EQ(Strata({"change", "start", file}).exit_code, 0);
  EXPECT_EQ(Q("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
              "'item_v8.item'::regclass AND attname = 'qty'"),
            "bigint");
  EXPECT_EQ(Q("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
              "'public.item'::regclass AND attname = 'qty'"),
            "integer");
  new_app.Start();
  std::this_thread::sleep_for(1500ms);
  old_app.Stop();
  auto r = Strata({"change", "complete", file});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  std::this_thread::sleep_for(300ms);
  new_app.Stop();
  EXPECT_TRUE(old_app.errors().empty()) << ::testing::PrintToString(old_app.errors());
  EXPECT_TRUE(new_app.errors().empty()) << ::testing::PrintToString(new_app.errors());
  EXPECT_GT(new_app.ops(), 100);
  ExpectRows(old_app, "qty");
  ExpectRows(new_app, "qty");
  EXPECT_EQ(Q("SELECT count(*) FROM pg_namespace WHERE nspname = 'item_v8'"), "0");
  EXPECT_EQ(Q("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
              "'item'::regclass AND attname = 'qty'"),
            "bigint");
}

// Split (one column into two) and merge (two into one), written as ADD COLUMN with `up` and
// DROP COLUMN with `down`: one trigger keeps both shapes in step; the old version writes the
// old column(s), the new version the new one(s), continuously through the window.
struct ReshapeCase {
  const char* name;
  const char* table_sql;  // CREATE TABLE person ... (before the seed)
  const char* seed;       // INSERT ... of `rows` rows, $ROWS
  const char* file;
  const char* old_column;  // what the old version writes and reads
  const char* new_column;  // what the new version writes and reads
  const char* invariant;   // rows where the two shapes disagree (must be 0 in the window)
  const char* old_after;   // after complete, the old version's value read from the new shape
  const char* new_after;   // after abort, the new version's value read from the old shape
};
const ReshapeCase kReshapeCases[] = {
    {"Split", "CREATE TABLE person (id bigserial PRIMARY KEY, name text, note text)",
     "INSERT INTO person (name, note) SELECT 'F' || g || ' L' || g, 'seed' FROM "
     "generate_series(1, $ROWS) g",
     "-- strata:change chunk_size=500\n"
     "-- strata:up first_name = split_part(name, ' ', 1)\n"
     "-- strata:up last_name = nullif(split_part(name, ' ', 2), '')\n"
     "-- strata:down name = concat_ws(' ', first_name, last_name)\n"
     "ALTER TABLE person ADD COLUMN first_name text;\n"
     "ALTER TABLE person ADD COLUMN last_name text;\n"
     "ALTER TABLE person DROP COLUMN name;\n",
     "name", "first_name",
     "name IS DISTINCT FROM concat_ws(' ', first_name, last_name) OR first_name IS DISTINCT "
     "FROM split_part(name, ' ', 1)",
     "first_name", "split_part(name, ' ', 1)"},
    {"Merge",
     "CREATE TABLE person (id bigserial PRIMARY KEY, first_name text, last_name text, note "
     "text)",
     "INSERT INTO person (first_name, last_name, note) SELECT 'F' || g, 'L' || g, 'seed' FROM "
     "generate_series(1, $ROWS) g",
     "-- strata:change chunk_size=500\n"
     "-- strata:up full_name = concat_ws(' ', first_name, last_name)\n"
     "-- strata:down first_name = split_part(full_name, ' ', 1)\n"
     "-- strata:down last_name = nullif(split_part(full_name, ' ', 2), '')\n"
     "ALTER TABLE person ADD COLUMN full_name text;\n"
     "ALTER TABLE person DROP COLUMN first_name;\n"
     "ALTER TABLE person DROP COLUMN last_name;\n",
     "first_name", "full_name", "full_name IS DISTINCT FROM concat_ws(' ', first_name, last_name)",
     "split_part(full_name, ' ', 1)", "first_name"},
};

class ChangeReshapeTest : public ChangeTest,
                          public ::testing::WithParamInterface<std::tuple<ReshapeCase, bool>> {
 protected:
  void ExpectExpr(const AppClient& c, const std::string& expr) {
    int checked = 0;
    for (const auto& [id, wrote] : c.rows()) {
      std::string got = Q(fmt::format("SELECT {} FROM person WHERE id = {}", expr, id));
      ASSERT_EQ(got, wrote) << "row " << id << " through " << expr;
      ++checked;
    }
    EXPECT_GT(checked, 10);
  }
};

TEST_P(ChangeReshapeTest, BothVersionsWriteThroughTheWindow) {
  const ReshapeCase& rc = std::get<0>(GetParam());
  bool complete = std::get<1>(GetParam());
  const int rows = 10000;
  Exec(rc.table_sql);
  std::string seed = rc.seed;
  seed.replace(seed.find("$ROWS"), 5, std::to_string(rows));
  Exec(seed);
  std::string file = dir_.Write("V9__reshape.sql", rc.file);
  AppClient old_app(url_, "app-v1", rc.old_column, 0, rows, false, "");
  AppClient new_app(url_, "app-v2", rc.new_column, 1, rows, false, "");
  for (auto* a : {&old_app, &new_app}) {
    a->table_ = "person";
    a->may_omit_ = false;
  }
  old_app.Start();
  auto plan = Strata({"change", "plan", file});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  auto start = Strata({"change", "start", file});
  ASSERT_EQ(start.exit_code, 0) << start.All();
  new_app.Start();
  std::this_thread::sleep_for(1500ms);
  if (complete) {
    old_app.Stop();
    EXPECT_EQ(Q(std::string("SELECT count(*) FROM person WHERE ") + rc.invariant), "0");
    auto r = Strata({"change", "complete", file});
    ASSERT_EQ(r.exit_code, 0) << r.All();
    std::this_thread::sleep_for(300ms);
    new_app.Stop();
    ExpectExpr(old_app, rc.old_after);
    ExpectExpr(new_app, rc.new_column);
    EXPECT_EQ(Q(fmt::format("SELECT count(*) FROM pg_attribute WHERE attrelid = "
                            "'person'::regclass AND attname = '{}' AND NOT attisdropped",
                            rc.old_column)),
              "0");
  } else {
    new_app.Stop();
    EXPECT_EQ(Q(std::string("SELECT count(*) FROM person WHERE ") + rc.invariant), "0");
    auto r = Strata({"change", "abort", file});
    ASSERT_EQ(r.exit_code, 0) << r.All();
    std::this_thread::sleep_for(300ms);
    old_app.Stop();
    ExpectExpr(old_app, rc.old_column);
    ExpectExpr(new_app, rc.new_after);
    EXPECT_EQ(Q(fmt::format("SELECT count(*) FROM pg_attribute WHERE attrelid = "
                            "'person'::regclass AND attname = '{}' AND NOT attisdropped",
                            rc.new_column)),
              "0");
  }
  EXPECT_EQ(Q("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"), "0");
  EXPECT_TRUE(old_app.errors().empty()) << ::testing::PrintToString(old_app.errors());
  EXPECT_TRUE(new_app.errors().empty()) << ::testing::PrintToString(new_app.errors());
  EXPECT_GT(old_app.ops(), 100);
  EXPECT_GT(new_app.ops(), 100);
}

INSTANTIATE_TEST_SUITE_P(Reshapes, ChangeReshapeTest,
                         ::testing::Combine(::testing::ValuesIn(kReshapeCases), ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<ReshapeCase, bool>>& i) {
                           return std::string(std::get<0>(i.param).name) +
                                  (std::get<1>(i.param) ? "Complete" : "Abort");
                         });

TEST_F(ChangeTest, RenameOfAnIndexedColumnRebuildsItsIndexesOnTheNewColumn) {
  SeedItems(5000);
  Exec("CREATE INDEX item_term_idx ON item (term DESC, note) INCLUDE (qty)");
  Exec("CREATE INDEX item_qty_term ON item USING btree (qty, term)");
  // Expression and partial indexes: PostgreSQL keeps their expressions by attribute number,
  // so the copy on the new column is built from the definition's text, every reference moved.
  Exec(
      "CREATE UNIQUE INDEX item_term_expr ON item ((term * 1000 + id), lower(note)) WHERE "
      "term > 10 AND note IS NOT NULL");
  Exec("CREATE INDEX item_note_part ON item (note) WHERE term < 5");
  std::string file = dir_.Write("V2__rename_term.sql", kRename);
  auto plan = Strata({"change", "plan", file});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  EXPECT_NE(plan.out.find("the copy of index item_term_idx"), std::string::npos) << plan.out;
  ASSERT_EQ(Strata({"change", "start", file}).exit_code, 0);
  EXPECT_EQ(Q("SELECT pg_get_indexdef('_strata_item_term_idx'::regclass)"),
            "CREATE INDEX _strata_item_term_idx ON public.item USING btree (months DESC, note) "
            "INCLUDE (qty)");
  EXPECT_EQ(Q("SELECT indisvalid::text FROM pg_index WHERE indexrelid = "
              "'_strata_item_qty_term'::regclass"),
            "true");
  auto done = Strata({"change", "complete", file});
  ASSERT_EQ(done.exit_code, 0) << done.All();
  EXPECT_EQ(Q("SELECT pg_get_indexdef('item_term_idx'::regclass)"),
            "CREATE INDEX item_term_idx ON public.item USING btree (months DESC, note) INCLUDE "
            "(qty)");
  EXPECT_EQ(Q("SELECT pg_get_indexdef('item_qty_term'::regclass)"),
            "CREATE INDEX item_qty_term ON public.item USING btree (qty, months)");
  EXPECT_EQ(Q("SELECT pg_get_indexdef('item_term_expr'::regclass)"),
            "CREATE UNIQUE INDEX item_term_expr ON public.item USING btree ((((months * 1000) + "
            "id)), lower(note)) WHERE ((months > 10) AND (note IS NOT NULL))");
  EXPECT_EQ(Q("SELECT pg_get_indexdef('item_note_part'::regclass)"),
            "CREATE INDEX item_note_part ON public.item USING btree (note) WHERE (months < 5)");
  // The unique copy still refuses a duplicate: row 50 holds (50 * 1000 + 50, 'seed').
  auto dup = admin_->Query("UPDATE item SET months = 49 WHERE id = 1050");
  EXPECT_FALSE(dup.ok());
  if (!dup.ok()) {
    EXPECT_NE(dup.error().message().find("item_term_expr"), std::string::npos);
  }
  EXPECT_TRUE(admin_->Query("UPDATE item SET months = 48 WHERE id = 1050").ok());
  EXPECT_EQ(Q("SELECT count(*) FROM pg_class WHERE relname LIKE '\\_strata\\_%'"), "0");
}

TEST_F(ChangeTest, MigrateRunsAnIndexChangeConcurrentlyBesideItsOwnSession) {
  dir_.Write("strata.toml", "locations = [\"db/migration\"]\n[migrate]\nrequire_sum = false\n");
  dir_.Write("db/migration/V1__item.sql",
             "CREATE TABLE item (id bigserial PRIMARY KEY, term integer NOT NULL DEFAULT 12, "
             "qty integer, note text);\n"
             "INSERT INTO item (term) SELECT g % 100 FROM generate_series(1, 2000) g;\n");
  dir_.Write("db/migration/V2__qty_idx.sql",
             "-- strata:change\nCREATE INDEX item_qty_idx ON item (qty);\n");
  // CREATE INDEX CONCURRENTLY waits for every older transaction: migrate's own session must
  // hold none while the change's start runs, or the run would wait for itself.
  int pid = SpawnStrata({"--url", url_, "migrate"}, dir_.path(), dir_ / "migrate.log");
  int code = -1;
  for (int i = 0; i < 600 && code < 0; ++i) {
    std::this_thread::sleep_for(100ms);
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid)
      code = WIFEXITED(status) ? WEXITSTATUS(status) : 99;
  }
  if (code < 0) {
    ::kill(pid, SIGKILL);
    (void)WaitExit(pid);
  }
  ASSERT_EQ(code, 0) << dir_.Read("migrate.log");
  EXPECT_EQ(Q("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'item_qty_idx'::regclass"),
            "true");
  EXPECT_EQ(Q("SELECT phase FROM strata_change"), "started");
  EXPECT_EQ(Q("SELECT success::text FROM strata_schema_history WHERE version = '2'"), "true");
}

// Seed 000 §4 on the example project: releases B, C and D of the contract term as the one
// change file db/change/V011 (a lookup into quote_revision in `up`), applied by `migrate`
// while quote-service 1.14 (never writes the term) and 1.15 (writes term and source) both
// insert, update, delete and read quote lines; completed by `migrate --complete-changes`
// once 1.14 is gone.
class QuoteLineApp {
 public:
  // `version` 14 or 15; ids it inserts are id_base + 2k (the two versions never collide).
  QuoteLineApp(std::string url, int version, long long id_base, std::vector<std::string> revisions)
      : url_(std::move(url)),
        version_(version),
        next_id_(id_base),
        revisions_(std::move(revisions)) {}
  void Start() {
    thread_ = std::thread([this] { Loop(); });
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  const std::vector<std::string>& errors() const { return errors_; }
  int ops() const { return ops_; }
  struct Line {
    std::string revision;
    int quantity = 0;
    int term = 0;  // 1.15 only: the term it wrote
  };
  const std::map<long long, Line>& lines() const { return lines_; }

 private:
  void Fail(const std::string& what) {
    if (errors_.size() < 20)
      errors_.push_back(fmt::format("quote-service 1.{}: {}", version_, what));
  }
  void Loop() {
    auto conn = Open(url_, fmt::format("quote-service-1.{}", version_));
    // 1.14 is a hardened service: an empty search_path, every table schema-qualified. A lookup
    // in the trigger its writes fire must still find quote_revision.
    if (version_ == 14) {
      auto r = conn->Query("SET search_path = ''");
      if (!r) Fail("search_path: " + r.error().ToString());
    }
    std::mt19937 rng(version_);
    while (!stop_) {
      ++ops_;
      int pick = rng() % 10;
      if (pick < 4 || lines_.empty()) {
        Line l{revisions_[rng() % revisions_.size()], 1 + static_cast<int>(rng() % 9), 0};
        long long id = next_id_;
        next_id_ += 2;
        std::string sql;
        if (version_ == 14) {
          sql = fmt::format(
              "INSERT INTO public.quote_line (id, quote_revision_id, product_offering_code, "
              "quantity, "
              "lifecycle_status, unit_price_minor, currency, created_at) VALUES ({}, '{}', "
              "'ENTERPRISE_INTERNET_1G', {}, 'DRAFT', 119900, 'EUR', now())",
              id, l.revision, l.quantity);
        } else {
          l.term = 6 * (1 + static_cast<int>(rng() % 10));
          sql = fmt::format(
              "INSERT INTO public.quote_line (id, quote_revision_id, product_offering_code, "
              "quantity, "
              "lifecycle_status, unit_price_minor, currency, created_at, contract_term_months, "
              "contract_term_source) VALUES ({}, '{}', 'ENTERPRISE_INTERNET_1G', {}, 'DRAFT', "
              "119900, 'EUR', now(), {}, 'EXPLICIT')",
              id, l.revision, l.quantity, l.term);
        }
        auto r = conn->Query(sql);
        if (!r) {
          Fail(sql + ": " + r.error().ToString());
          continue;
        }
        lines_[id] = l;
        continue;
      }
      auto it = lines_.begin();
      std::advance(it, rng() % lines_.size());
      if (pick < 7) {  // 1.14 changes the quantity; 1.15 also the term
        int q = 1 + static_cast<int>(rng() % 9);
        int term = 6 * (1 + static_cast<int>(rng() % 10));
        std::string sql =
            version_ == 14
                ? fmt::format("UPDATE public.quote_line SET quantity = {} WHERE id = {}", q,
                              it->first)
                : fmt::format(
                      "UPDATE public.quote_line SET quantity = {}, contract_term_months = {}, "
                      "contract_term_source = 'EXPLICIT' WHERE id = {}",
                      q, term, it->first);
        auto r = conn->Query(sql);
        if (!r) {
          Fail(sql + ": " + r.error().ToString());
          continue;
        }
        it->second.quantity = q;
        if (version_ == 15) it->second.term = term;
      } else if (pick < 8) {
        auto r = conn->Query(fmt::format("DELETE FROM public.quote_line WHERE id = {}", it->first));
        if (!r) Fail("delete: " + r.error().ToString());
        lines_.erase(it);
      } else {
        auto r = conn->Query(
            version_ == 14
                ? fmt::format("SELECT quantity FROM public.quote_line WHERE id = {}", it->first)
                : fmt::format(
                      "SELECT quantity || '/' || contract_term_months FROM public.quote_line "
                      "WHERE id = {}",
                      it->first));
        if (!r || r->rows.size() != 1) {
          Fail(fmt::format("read {}: {}", it->first, r ? "no row" : r.error().ToString()));
          continue;
        }
        std::string want = version_ == 14
                               ? std::to_string(it->second.quantity)
                               : fmt::format("{}/{}", it->second.quantity, it->second.term);
        std::string got = r->rows[0][0].value_or("NULL");
        if (got != want) Fail(fmt::format("line {}: wrote {}, read {}", it->first, want, got));
      }
      std::this_thread::sleep_for(1ms);
    }
  }

  std::string url_;
  int version_;
  long long next_id_;
  std::vector<std::string> revisions_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::string> errors_;
  int ops_ = 0;
  std::map<long long, Line> lines_;
};

// The same change from before release A, as a project starting it today writes it: all four
// releases in one file (two required columns, each filled by a lookup or a constant).
const char* kContractTermFromScratch =
    "-- strata:change\n"
    "-- strata:up contract_term_months = (SELECT qr.contract_term_months FROM quote_revision qr "
    "WHERE qr.id = quote_line.quote_revision_id)\n"
    "-- strata:up contract_term_source = 'BACKFILLED_FROM_QUOTE'\n"
    "ALTER TABLE quote_line ADD COLUMN contract_term_months integer NOT NULL;\n"
    "ALTER TABLE quote_line ADD COLUMN contract_term_source varchar(40) NOT NULL;\n";

class ChangeExampleTest : public ChangeTest, public ::testing::WithParamInterface<bool> {};

TEST_P(ChangeExampleTest, ContractTermIsOneChangeFileWithALookup) {
  const bool from_scratch = GetParam();
  namespace fs = std::filesystem;
  std::string proj = dir_ / "quote-service";
  fs::copy(std::string(STRATA_SOURCE_DIR) + "/examples/quote-service", proj,
           fs::copy_options::recursive);
  auto strata = [&](std::vector<std::string> a) {
    a.insert(a.begin(), {"--url", url_});
    return RunStrata(a, proj);
  };
  std::string change = "db/change/V011__require_quote_line_contract_term.sql";
  if (from_scratch) {
    change = dir_.Write("V004__contract_term.sql", kContractTermFromScratch);
  }
  // The applied history: V001..V010 (release A's nullable columns, release C's gate); or, from
  // scratch, V001..V003 only.
  auto m = from_scratch ? strata({"migrate", "--target", "003"}) : strata({"migrate"});
  ASSERT_EQ(m.exit_code, 0) << m.All();
  // Lines written before the change by quote-service 1.14: no term. 30 quotes, 2 revisions
  // each (terms 12/24/36), 100 lines per revision: 6000 lines.
  std::vector<std::string> revisions;
  std::string sql;
  for (int q = 0; q < 30; ++q) {
    std::string quote = fmt::format("00000000-0000-4000-8000-{:012d}", q);
    sql += fmt::format(
        "INSERT INTO quote (id, customer_id, state, created_at, updated_at) VALUES ('{}', '{}', "
        "'DRAFT', now(), now());\n",
        quote, quote);
    for (int r = 0; r < 2; ++r) {
      int rev = q * 2 + r;
      revisions.push_back(fmt::format("30000000-0000-4000-8000-{:012d}", rev));
      sql += fmt::format(
          "INSERT INTO quote_revision (id, quote_id, revision_no, state, contract_term_months, "
          "created_at, created_by) VALUES ('{}', '{}', {}, 'DRAFT', {}, now(), 'seed');\n"
          "INSERT INTO quote_line (id, quote_revision_id, product_offering_code, quantity, "
          "lifecycle_status, unit_price_minor, currency, created_at) SELECT {} + g, '{}', "
          "'ENTERPRISE_INTERNET_1G', 1, 'PRICED', 119900, 'EUR', now() FROM "
          "generate_series(1, 100) g;\n",
          revisions.back(), quote, r + 1, 12 * (1 + rev % 3), rev * 100, revisions.back());
    }
  }
  Exec(sql);
  QuoteLineApp v14(url_, 14, 1000000, revisions);
  QuoteLineApp v15(url_, 15, 1000001, revisions);
  v14.Start();
  std::this_thread::sleep_for(300ms);
  auto plan = strata({"--locations", "db/migration,db/change", "change", "plan", change});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  EXPECT_NE(plan.out.find("qr.id = NEW.quote_revision_id"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("up looks up quote_revision: computed when a version writes the row"),
            std::string::npos)
      << plan.out;
  // The term and the source are filled by one pass over quote_line, not one per column.
  size_t passes = 0;
  for (size_t at = 0; (at = plan.out.find("backfill job change.", at)) != std::string::npos; ++at) {
    ++passes;
  }
  EXPECT_EQ(passes, 1u) << plan.out;
  EXPECT_NE(plan.out.find(from_scratch ? "one pass for add_column contract_term_months, "
                                         "add_column contract_term_source"
                                       : "one pass for set_not_null contract_term_months, "
                                         "set_not_null contract_term_source"),
            std::string::npos)
      << plan.out;
  // The deploy pipeline's plain migrate reaches the change file and runs its start phase.
  auto start = from_scratch ? strata({"change", "start", change})
                            : strata({"--locations", "db/migration,db/change", "migrate"});
  ASSERT_EQ(start.exit_code, 0) << start.All();
  EXPECT_EQ(Q("SELECT phase FROM strata_change"), "started");
  EXPECT_EQ(Q("SELECT count(*) FROM strata_backfill_job"), "1");
  if (!from_scratch) {
    EXPECT_EQ(Q("SELECT success::text FROM strata_schema_history WHERE version = '011'"), "true");
  }
  v15.Start();  // the rolling deploy: both versions write
  std::this_thread::sleep_for(2s);
  auto status = strata({"change", "status", "--json"});
  auto sj = nlohmann::json::parse(status.out, nullptr, false);
  ASSERT_TRUE(sj.is_object()) << status.All();
  EXPECT_EQ(sj["changes"][0]["unmigrated_rows"], 0) << status.out;
  v14.Stop();  // 1.14 is gone
  auto done =
      from_scratch
          ? strata({"change", "complete", change})
          : strata({"--locations", "db/migration,db/change", "migrate", "--complete-changes"});
  ASSERT_EQ(done.exit_code, 0) << done.All();
  std::this_thread::sleep_for(300ms);
  v15.Stop();

  EXPECT_TRUE(v14.errors().empty()) << ::testing::PrintToString(v14.errors());
  EXPECT_TRUE(v15.errors().empty()) << ::testing::PrintToString(v15.errors());
  EXPECT_GT(v14.ops(), 100);
  EXPECT_GT(v15.ops(), 100);
  EXPECT_EQ(Q("SELECT phase FROM strata_change"), "completed");
  EXPECT_EQ(Q("SELECT string_agg(attname || ':' || attnotnull::text, ',' ORDER BY attname) FROM "
              "pg_attribute WHERE attrelid = 'quote_line'::regclass AND attname LIKE "
              "'contract_term%'"),
            "contract_term_months:true,contract_term_source:true");
  EXPECT_EQ(Q("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'quote_line'::regclass AND NOT "
              "tgisinternal"),
            "0");
  // Lines 1.14 wrote (and the lines from before) carry their revision's term; those 1.15
  // wrote carry its own. Release C's two queries hold.
  for (const auto& [id, line] : v14.lines()) {
    ASSERT_EQ(Q(fmt::format("SELECT (ql.contract_term_months = qr.contract_term_months AND "
                            "ql.contract_term_source = 'BACKFILLED_FROM_QUOTE' AND ql.quantity = "
                            "{})::text FROM quote_line ql JOIN quote_revision qr ON qr.id = "
                            "ql.quote_revision_id WHERE ql.id = {}",
                            line.quantity, id)),
              "true")
        << "line " << id;
  }
  for (const auto& [id, line] : v15.lines()) {
    ASSERT_EQ(Q(fmt::format("SELECT contract_term_months || '/' || contract_term_source FROM "
                            "quote_line WHERE id = {}",
                            id)),
              fmt::format("{}/EXPLICIT", line.term))
        << "line " << id;
  }
  EXPECT_EQ(Q("SELECT count(*) FROM quote_line ql JOIN quote_revision qr ON qr.id = "
              "ql.quote_revision_id WHERE ql.id <= 6000 AND (ql.contract_term_months <> "
              "qr.contract_term_months OR ql.contract_term_source <> 'BACKFILLED_FROM_QUOTE')"),
            "0");
  EXPECT_EQ(Q("SELECT count(*) FROM quote_line WHERE contract_term_months IS NULL AND "
              "lifecycle_status IN ('DRAFT', 'PRICED', 'APPROVED')"),
            "0");
  EXPECT_EQ(Q("SELECT count(*) FROM quote_line ql JOIN quote_revision qr ON qr.id = "
              "ql.quote_revision_id WHERE ql.contract_term_source = 'BACKFILLED_FROM_QUOTE' AND "
              "ql.contract_term_months <> qr.contract_term_months"),
            "0");
}

INSTANTIATE_TEST_SUITE_P(Example, ChangeExampleTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return std::string(i.param ? "FromScratchAllFourReleases"
                                                      : "ReleasesBCDAfterAppliedReleaseA");
                         });

// A `down` with a lookup: the new version stops writing the denormalised region_name; for the
// old version, which still reads it, the trigger fills it from region by the row's code.
TEST_F(ChangeTest, DownLookupFillsTheDroppedColumnForRowsTheNewVersionInserts) {
  Exec("CREATE TABLE region (code text PRIMARY KEY, name text NOT NULL)");
  Exec("INSERT INTO region VALUES ('EU', 'Europe'), ('US', 'United States')");
  Exec(
      "CREATE TABLE shop (id int PRIMARY KEY, region_code text NOT NULL, region_name text NOT "
      "NULL)");
  Exec("INSERT INTO shop SELECT g, 'EU', 'Europe' FROM generate_series(1, 500) g");
  std::string file = dir_.Write(
      "V7__drop_region_name.sql",
      "-- strata:change\n"
      "-- strata:down region_name = (SELECT r.name FROM region r WHERE r.code = shop.region_code)\n"
      "ALTER TABLE shop DROP COLUMN region_name;\n");
  auto plan = Strata({"change", "plan", file});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  EXPECT_NE(plan.out.find("down looks up region"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("SET search_path FROM CURRENT"), std::string::npos) << plan.out;
  ASSERT_EQ(Strata({"change", "start", file}).exit_code, 0);
  // The new version, with another search_path, inserts without the column.
  auto app = Open(url_, "app-v2");
  ASSERT_TRUE(app->Query("SET search_path = pg_catalog").ok());
  auto r = app->Query("INSERT INTO public.shop (id, region_code) VALUES (1001, 'US')");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(Q("SELECT region_name FROM shop WHERE id = 1001"), "United States");
  // The old version still writes it itself.
  Exec("INSERT INTO shop (id, region_code, region_name) VALUES (1002, 'EU', 'Europa')");
  EXPECT_EQ(Q("SELECT region_name FROM shop WHERE id = 1002"), "Europa");
  auto done = Strata({"change", "complete", file});
  ASSERT_EQ(done.exit_code, 0) << done.All();
  EXPECT_EQ(Q("SELECT count(*) FROM pg_attribute WHERE attrelid = 'shop'::regclass AND attname "
              "= 'region_name' AND NOT attisdropped"),
            "0");
}

// Several operations on one table share one backfill pass: one job, one UPDATE per chunk that
// sets every derived column, each only on the rows its own operation has not migrated.
TEST_F(ChangeTest, OperationsOnOneTableShareOneBackfillPass) {
  SeedItems(5000);
  Exec("UPDATE item SET note = NULL WHERE id % 7 = 0");
  std::string file = dir_.Write("V7__item_shape.sql",
                                "-- strata:change chunk_size=400\n"
                                "-- strata:up qty = coalesce(qty, 0)\n"
                                "-- strata:up note = 'none'\n"
                                "-- strata:up code = 'C' || id::text\n"
                                "ALTER TABLE item ALTER COLUMN qty SET NOT NULL;\n"
                                "ALTER TABLE item ALTER COLUMN note SET NOT NULL;\n"
                                "ALTER TABLE item ADD COLUMN code text NOT NULL;\n"
                                "ALTER TABLE item RENAME COLUMN term TO months;\n");
  auto plan = Strata({"change", "plan", file, "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  auto pj = nlohmann::json::parse(plan.out, nullptr, false);
  ASSERT_TRUE(pj.is_object()) << plan.out;
  int backfills = 0;
  for (const auto& st : pj["steps"]) backfills += st["phase"] == "backfill";
  EXPECT_EQ(backfills, 1) << plan.out;
  auto text = Strata({"change", "plan", file});
  EXPECT_NE(text.out.find("one pass for set_not_null qty, set_not_null note, add_column code, "
                          "rename_column term"),
            std::string::npos)
      << text.out;
  auto start = Strata({"change", "start", file});
  ASSERT_EQ(start.exit_code, 0) << start.All();
  // One job ran, over every row once.
  EXPECT_EQ(Q("SELECT count(*) FROM strata_backfill_job"), "1");
  EXPECT_EQ(Q("SELECT job_key FROM strata_backfill_job"), "change.V7__item_shape.0");
  EXPECT_EQ(Q("SELECT processed_count FROM strata_backfill_job"), "5000");
  auto status = Strata({"change", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.All();
  size_t lines = 0;
  for (size_t at = 0; (at = status.out.find("backfill change.", at)) != std::string::npos; ++at) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u) << status.out;
  EXPECT_NE(status.out.find("change.V7__item_shape.0 completed, 5000 rows"), std::string::npos)
      << status.out;
  auto bstatus = Strata({"backfill", "status"});
  EXPECT_EQ(bstatus.exit_code, 0) << bstatus.All();
  EXPECT_NE(bstatus.out.find("change.V7__item_shape.0"), std::string::npos) << bstatus.out;
  // Each invariant holds on every row, and values that were there are kept.
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE qty IS NULL"), "0");
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE qty <> CASE WHEN id % 3 = 0 THEN 0 ELSE id END"),
            "0");
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE note IS DISTINCT FROM CASE WHEN id % 7 = 0 THEN "
              "'none' ELSE 'seed' END"),
            "0");
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE code IS DISTINCT FROM 'C' || id"), "0");
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE months IS DISTINCT FROM term"), "0");
  auto done = Strata({"change", "complete", file});
  ASSERT_EQ(done.exit_code, 0) << done.All();
  EXPECT_EQ(Q("SELECT string_agg(attname || ':' || attnotnull::text, ',' ORDER BY attnum) FROM "
              "pg_attribute WHERE attrelid = 'item'::regclass AND attnum > 0 AND NOT "
              "attisdropped"),
            "id:true,qty:true,note:true,code:true,months:true");
}

// An operation whose `up` reads a column another operation of the table fills runs in a pass
// after it, so it sees the filled values (as one job after the other would).
TEST_F(ChangeTest, AnUpReadingAColumnTheChangeFillsRunsInALaterPass) {
  SeedItems(2000);
  std::string file = dir_.Write("V8__dependent.sql",
                                "-- strata:change chunk_size=500\n"
                                "-- strata:up qty = coalesce(qty, 0)\n"
                                "-- strata:up double_qty = qty * 2\n"
                                "ALTER TABLE item ALTER COLUMN qty SET NOT NULL;\n"
                                "ALTER TABLE item ADD COLUMN double_qty int NOT NULL;\n");
  auto start = Strata({"change", "start", file});
  ASSERT_EQ(start.exit_code, 0) << start.All();
  EXPECT_EQ(Q("SELECT string_agg(job_key, ',' ORDER BY job_key) FROM strata_backfill_job"),
            "change.V8__dependent.0,change.V8__dependent.1");
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE double_qty IS DISTINCT FROM qty * 2"), "0");
  auto done = Strata({"change", "complete", file});
  ASSERT_EQ(done.exit_code, 0) << done.All();
}

// Several pending change files applied by one migrate share one window: their operations on
// one table share one backfill pass (one job); each change is recorded, reported and completed
// on its own.
TEST_F(ChangeTest, PendingChangeFilesOfOneMigrateShareOneBackfillPass) {
  dir_.Write("strata.toml", "locations = [\"db/migration\"]\n[migrate]\nrequire_sum = false\n");
  dir_.Write("db/migration/V1__item.sql",
             "CREATE TABLE item (id bigserial PRIMARY KEY, term integer NOT NULL DEFAULT 12, "
             "qty integer, note text);\n"
             "INSERT INTO item (term, qty) SELECT g % 100, CASE WHEN g % 3 = 0 THEN NULL ELSE g "
             "END FROM generate_series(1, 3000) g;\n");
  dir_.Write("db/migration/V2__qty_required.sql",
             "-- strata:change chunk_size=500\n-- strata:up qty = coalesce(qty, 0)\n"
             "ALTER TABLE item ALTER COLUMN qty SET NOT NULL;\n");
  dir_.Write("db/migration/V3__code.sql",
             "-- strata:change\n-- strata:up code = 'C' || id::text\n"
             "ALTER TABLE item ADD COLUMN code text NOT NULL;\n");
  auto m = Strata({"migrate"});
  ASSERT_EQ(m.exit_code, 0) << m.All();
  EXPECT_EQ(Q("SELECT string_agg(job_key || ' ' || processed_count, ',') FROM "
              "strata_backfill_job"),
            "change.V2__qty_required.0 3000");
  EXPECT_EQ(Q("SELECT string_agg(name || ' ' || phase, ',' ORDER BY name) FROM strata_change"),
            "V2__qty_required started,V3__code started");
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE qty IS NULL OR code IS DISTINCT FROM 'C' || id"),
            "0");
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE qty <> CASE WHEN id % 3 = 0 THEN 0 ELSE id END"),
            "0");
  auto status = Strata({"change", "status", "V3__code"});
  ASSERT_EQ(status.exit_code, 0) << status.All();
  EXPECT_NE(status.out.find("change.V2__qty_required.0 completed, 3000 rows"), std::string::npos)
      << status.out;
  // Both windows' triggers work for writes of the old version.
  Exec("INSERT INTO item (term) VALUES (5)");
  EXPECT_EQ(Q("SELECT qty::text || ' ' || code FROM item WHERE id = 3001"), "0 C3001");
  auto done = Strata({"migrate", "--complete-changes"});
  ASSERT_EQ(done.exit_code, 0) << done.All();
  EXPECT_EQ(Q("SELECT string_agg(name || ' ' || phase, ',' ORDER BY name) FROM strata_change"),
            "V2__qty_required completed,V3__code completed");
  EXPECT_EQ(Q("SELECT string_agg(attname || ':' || attnotnull::text, ',' ORDER BY attnum) FROM "
              "pg_attribute WHERE attrelid = 'item'::regclass AND attnum > 0 AND NOT "
              "attisdropped"),
            "id:true,term:true,qty:true,note:false,code:true");
}

// `change start` with several files opens one window for them, as migrate does for pending
// change files: one backfill pass per table, each change recorded and completed on its own; two
// of them on one column are refused before anything runs. complete takes one file.
TEST_F(ChangeTest, ChangeStartWithSeveralFilesSharesOneWindow) {
  Exec("CREATE TABLE item (id bigserial PRIMARY KEY, qty integer, note text)");
  Exec(
      "INSERT INTO item (qty) SELECT CASE WHEN g % 3 = 0 THEN NULL ELSE g END FROM "
      "generate_series(1, 3000) g");
  std::string qty = dir_.Write("V2__qty_required.sql",
                               "-- strata:change chunk_size=500\n-- strata:up qty = coalesce(qty, "
                               "0)\nALTER TABLE item ALTER COLUMN qty SET NOT NULL;\n");
  std::string code = dir_.Write("V3__code.sql",
                                "-- strata:change\n-- strata:up code = 'C' || id::text\n"
                                "ALTER TABLE item ADD COLUMN code text NOT NULL;\n");
  std::string clash = dir_.Write("V4__qty_bigint.sql",
                                 "-- strata:change\nALTER TABLE item ALTER COLUMN qty TYPE "
                                 "bigint;\n");
  auto refused = Strata({"change", "start", qty, clash});
  EXPECT_NE(refused.exit_code, 0) << refused.All();
  EXPECT_NE(refused.err.find("also changed by `V2__qty_required`"), std::string::npos)
      << refused.All();
  EXPECT_EQ(Q("SELECT count(*) FROM strata_change"), "0");
  EXPECT_EQ(Q("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"), "0");

  auto r = Strata({"change", "start", qty, code});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(Q("SELECT string_agg(job_key || ' ' || processed_count, ',') FROM "
              "strata_backfill_job"),
            "change.V2__qty_required.0 3000");
  EXPECT_EQ(Q("SELECT string_agg(name || ' ' || phase, ',' ORDER BY name) FROM strata_change"),
            "V2__qty_required started,V3__code started");
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE qty IS NULL OR code IS DISTINCT FROM 'C' || id"),
            "0");
  auto two = Strata({"change", "complete", qty, code});
  EXPECT_NE(two.exit_code, 0) << two.All();
  for (const auto& f : {qty, code}) {
    auto done = Strata({"change", "complete", f});
    ASSERT_EQ(done.exit_code, 0) << done.All();
  }
  EXPECT_EQ(Q("SELECT string_agg(name || ' ' || phase, ',' ORDER BY name) FROM strata_change"),
            "V2__qty_required completed,V3__code completed");
}

// kill -9 during a window's shared backfill: starting any one change of the window again
// resumes the shared job from its checkpoint (the same run, not a restart); migrate then
// finishes the other and records both.
TEST_F(ChangeTest, KillNineMidSharedBackfillThenEitherChangeResumesTheOnePass) {
  dir_.Write("strata.toml", "locations = [\"db/migration\"]\n[migrate]\nrequire_sum = false\n");
  dir_.Write("db/migration/V1__item.sql",
             "CREATE TABLE item (id bigserial PRIMARY KEY, term integer NOT NULL DEFAULT 12, "
             "qty integer, note text);\n"
             "INSERT INTO item (term, qty) SELECT g % 100, CASE WHEN g % 3 = 0 THEN NULL ELSE g "
             "END FROM generate_series(1, 60000) g;\n");
  auto first = Strata({"migrate"});
  ASSERT_EQ(first.exit_code, 0) << first.All();
  dir_.Write("db/migration/V2__rename_term.sql",
             "-- strata:change chunk_size=200 max_rows_per_second=6000\n"
             "ALTER TABLE item RENAME COLUMN term TO months;\n");
  std::string second = dir_.Write("db/migration/V3__qty_required.sql",
                                  "-- strata:change\n-- strata:up qty = coalesce(qty, -1)\n"
                                  "ALTER TABLE item ALTER COLUMN qty SET NOT NULL;\n");
  int pid = SpawnStrata({"--url", url_, "migrate"}, dir_.path(), dir_ / "migrate.log");
  for (int i = 0; i < 200; ++i) {
    std::this_thread::sleep_for(50ms);
    auto exists =
        Q("SELECT count(*) FROM pg_attribute WHERE attrelid = 'item'::regclass AND "
          "attname = 'months'");
    if (exists == "1" &&
        std::stoll(Q("SELECT count(*) FROM item WHERE months IS NOT NULL")) > 3000) {
      break;
    }
  }
  ::kill(pid, SIGKILL);
  EXPECT_EQ(WaitExit(pid), 128 + SIGKILL);
  EXPECT_EQ(Q("SELECT string_agg(name || ' ' || phase, ',' ORDER BY name) FROM strata_change"),
            "V2__rename_term starting,V3__qty_required starting");
  EXPECT_GT(std::stoll(Q("SELECT count(*) FROM item WHERE months IS NULL")), 0)
      << "the kill came too late to test a resume";
  auto again = Strata({"change", "start", second});
  ASSERT_EQ(again.exit_code, 0) << again.All();
  EXPECT_EQ(Q("SELECT string_agg(job_key || ' run ' || run_no || ' ' || status, ',') FROM "
              "strata_backfill_job"),
            "change.V2__rename_term.0 run 1 completed");
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE months IS DISTINCT FROM term OR qty IS NULL"), "0");
  auto m = Strata({"migrate"});
  ASSERT_EQ(m.exit_code, 0) << m.All();
  EXPECT_EQ(Q("SELECT string_agg(name || ' ' || phase, ',' ORDER BY name) FROM strata_change"),
            "V2__rename_term started,V3__qty_required started");
  EXPECT_EQ(Q("SELECT count(*) FROM strata_schema_history WHERE version IN ('2', '3') AND "
              "success"),
            "2");
  EXPECT_EQ(Q("SELECT count(*) FROM strata_backfill_job"), "1");
  auto done = Strata({"migrate", "--complete-changes"});
  ASSERT_EQ(done.exit_code, 0) << done.All();
  EXPECT_EQ(Q("SELECT count(*) FROM item WHERE qty IS NULL OR months <> id % 100"), "0");
}

// Two pending change files on one column are refused before either runs.
TEST_F(ChangeTest, TwoChangesOfOneWindowOnOneColumnAreRefusedBeforeAnythingRuns) {
  dir_.Write("strata.toml", "locations = [\"db/migration\"]\n[migrate]\nrequire_sum = false\n");
  dir_.Write("db/migration/V1__item.sql",
             "CREATE TABLE item (id bigserial PRIMARY KEY, qty integer);\n"
             "INSERT INTO item (qty) SELECT g FROM generate_series(1, 100) g;\n");
  dir_.Write("db/migration/V2__qty_required.sql",
             "-- strata:change\n-- strata:up qty = coalesce(qty, 0)\n"
             "ALTER TABLE item ALTER COLUMN qty SET NOT NULL;\n");
  dir_.Write("db/migration/V3__qty_bigint.sql",
             "-- strata:change\nALTER TABLE item ALTER COLUMN qty TYPE bigint;\n");
  auto m = Strata({"migrate"});
  EXPECT_NE(m.exit_code, 0) << m.All();
  EXPECT_NE(m.err.find("V3__qty_bigint.sql:2:1"), std::string::npos) << m.All();
  EXPECT_NE(m.err.find("also changed by `V2__qty_required`"), std::string::npos) << m.All();
  EXPECT_EQ(Q("SELECT count(*) FROM strata_change"), "0");
  EXPECT_EQ(Q("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"), "0");
}

TEST_F(ChangeTest, SqliteIsRefusedWithTheReason) {
  std::string file = dir_.Write("V2__rename.sql", kRename);
  auto r =
      RunStrata({"--url", "sqlite:" + (dir_ / "app.db"), "change", "start", file}, dir_.path());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("needs PostgreSQL"), std::string::npos) << r.All();
}

}  // namespace
}  // namespace strata::testing
