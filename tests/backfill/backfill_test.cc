// strata backfill end to end on real SQLite and a real PostgreSQL 15 (issue 4).
#include "backfill/backfill.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>

#include "backfill_support.h"

namespace strata::testing {
namespace {

class BackfillTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) STRATA_REQUIRE_POSTGRES();
    db_ = std::make_unique<BackfillDb>(GetParam(), dir_);
    WriteProject(dir_, db_->url());
  }
  RunResult Strata(std::vector<std::string> args) {
    return RunStrata(Args(*db_, std::move(args)), dir_.path());
  }
  int Spawn(std::vector<std::string> args, const std::string& log) {
    return SpawnStrata(Args(*db_, std::move(args)), dir_.path(), log);
  }
  json StatusOf(const std::string& job) {
    auto r = Strata({"--json", "backfill", "status", job});
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.All();
    if (!j.is_object() || j["jobs"].empty()) return json::object();
    return j["jobs"][0];
  }
  // On PostgreSQL a killed runner's backend may outlive it briefly (holding the job lock).
  void WaitBackendGone(int pid) {
    if (!db_->pg()) return;
    ASSERT_TRUE(WaitFor([&] {
      return db_->N(
                 "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE "
                 "'strata backfill run pid " +
                 std::to_string(pid) + " %'") == 0;
    }));
  }
  TempDir dir_;
  std::unique_ptr<BackfillDb> db_;
};

INSTANTIATE_TEST_SUITE_P(Dialects, BackfillTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Postgres" : "Sqlite"; });

// kill -9 at 20 random points of a 200k-row job, each run resumed by the next: the table ends
// identical to one UPDATE's result on a copy and processed_count is exactly the number of
// candidates (the checkpoint commits with its chunk). The kill points are 20 random progress
// marks below 80% of the candidates; each kill waits for its mark (and at least one committed
// chunk of its own run) plus a random delay up to 30 ms, so it lands while the job runs
// (asserted: the process dies of the signal), inside a chunk or between two. A last resume
// finishes the job. The rate cap bounds how far a run overshoots its mark.
TEST_P(BackfillTest, KillNineAtRandomPointsThenResume) {
  constexpr int kRows = 200'000;
  constexpr int kKills = 20;
  db_->CreateItems(kRows);
  // Not every row is a candidate: one in seven already has a value the job must not touch.
  db_->Exec("UPDATE item SET v = -id WHERE id % 7 = 0");
  db_->Exec("CREATE TABLE item_ref AS SELECT * FROM item");
  db_->Exec("UPDATE item_ref SET v = id * 2 WHERE v IS NULL");
  const long long candidates = db_->N("SELECT count(*) FROM item WHERE v IS NULL");
  ASSERT_EQ(candidates, kRows - kRows / 7);
  dir_.Write(
      "db/backfill/double_v.toml",
      ItemJob("[chunk]\nsize = 1000\n[throttle]\nmax_rows_per_second = 60000\n"
              "[verify]\nquery = \"SELECT count(*) FROM item WHERE v IS NULL\"\nexpect = 0\n"));
  unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::vector<long long> marks;
  for (int i = 0; i < kKills; ++i) marks.push_back(rng() % (candidates * 8 / 10));
  std::sort(marks.begin(), marks.end());
  long long before = 0;
  for (int i = 0; i < kKills; ++i) {
    std::string log = dir_ / ("kill" + std::to_string(i) + ".log");
    int pid = Spawn({"--log-json", "backfill", "run", "double_v", "--progress-interval", "0"}, log);
    bool chunked = WaitFor(
        [&] {
          long long processed = -1;
          for (const auto& e : Events(Slurp(log))) {
            if (e["event"] == "backfill.chunk") processed = e["processed"].get<long long>();
          }
          return processed >= marks[i];
        },
        60);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 30'000));
    kill(pid, SIGKILL);
    int code = WaitExit(pid);
    ASSERT_TRUE(chunked) << Slurp(log);
    ASSERT_EQ(code, 128 + SIGKILL) << "run " << i << " ended before the kill: " << Slurp(log);
    WaitBackendGone(pid);
    // Whatever was committed is counted exactly, and each run moved the job on.
    long long done = db_->N("SELECT count(*) FROM item WHERE v IS NOT NULL AND v > 0");
    long long counted = db_->N("SELECT processed_count FROM strata_backfill_job");
    ASSERT_EQ(done, counted) << "after kill " << i;
    ASSERT_GT(counted, before) << "after kill " << i;
    before = counted;
  }
  ASSERT_LT(before, candidates) << "the job finished before the last kill";
  auto r = Strata({"--json", "backfill", "run", "double_v"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = json::parse(r.out);
  EXPECT_EQ(j["job"]["status"], "completed");
  EXPECT_EQ(j["job"]["processed_count"], candidates);
  EXPECT_EQ(j["job"]["failed_count"], 0);
  EXPECT_EQ(j["verification"]["actual"], "0");
  EXPECT_EQ(db_->N("SELECT count(*) FROM (SELECT * FROM item EXCEPT SELECT * FROM item_ref) d"), 0);
  EXPECT_EQ(db_->N("SELECT count(*) FROM (SELECT * FROM item_ref EXCEPT SELECT * FROM item) d"), 0);
  EXPECT_EQ(db_->N("SELECT count(*) FROM strata_backfill_job"), 1);
}

// A delete job (kind = "delete", issue 21's purges): the dry run shows how many rows would go
// and deletes nothing; then kill -9 at random points while it deletes in chunks, each run
// resumed by the next. After every kill the rows deleted are exactly processed_count (the
// checkpoint commits with its chunk) and no other row is touched; at the end the table is
// exactly one DELETE's result on a copy.
TEST_P(BackfillTest, DeleteJobRemovesExactlyTheMatchingRowsAndSurvivesKillNine) {
  constexpr int kRows = 60'000;
  constexpr int kKills = 5;
  constexpr int kChunk = 250;
  db_->CreateItems(kRows);
  // Candidates: grp 1, except every ninth row (touched) — it must stay.
  db_->Exec("UPDATE item SET touched = 1 WHERE id % 9 = 0");
  const std::string where = "item.grp = 1 AND item.touched = 0";
  db_->Exec("CREATE TABLE item_ref AS SELECT * FROM item");
  db_->Exec("DELETE FROM item_ref WHERE grp = 1 AND touched = 0");
  const long long candidates = db_->N("SELECT count(*) FROM item WHERE " + where);
  const long long keep = kRows - candidates;
  const long long last_candidate = db_->N("SELECT max(id) FROM item WHERE " + where);
  ASSERT_GT(candidates, 10'000);
  dir_.Write("db/backfill/purge.toml",
             "description = \"purge group 1\"\nkind = \"delete\"\ntable = \"item\"\n"
             "key = \"id\"\nwhere = \"" +
                 where + "\"\n[chunk]\nsize = " + std::to_string(kChunk) +
                 "\n[throttle]\nmax_rows_per_second = 6000\n"
                 "[verify]\nquery = \"SELECT count(*) FROM item WHERE grp = 1 AND touched = "
                 "0\"\nexpect = 0\n");

  auto plan = Strata({"--json", "backfill", "plan", "purge"});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  auto pj = json::parse(plan.out);
  EXPECT_EQ(pj["kind"], "delete");
  EXPECT_EQ(pj["candidates"], candidates);
  EXPECT_EQ(pj["sample_chunk_rows"], kChunk);
  EXPECT_EQ(pj["chunk_sql"].get<std::string>().rfind("DELETE FROM item WHERE (" + where + ")", 0),
            0u)
      << pj["chunk_sql"];
  ASSERT_FALSE(pj["sample"].empty());
  EXPECT_EQ(pj["sample"][0]["deleted"], true);
  auto text = Strata({"backfill", "plan", "purge"});
  EXPECT_NE(text.out.find("to delete: " + std::to_string(candidates) + " row(s) in item"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find(": deleted"), std::string::npos) << text.out;
  EXPECT_EQ(db_->N("SELECT count(*) FROM item"), kRows);  // the dry run deleted nothing

  unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::vector<long long> marks;
  for (int i = 0; i < kKills; ++i) marks.push_back(rng() % (candidates * 7 / 10));
  std::sort(marks.begin(), marks.end());
  long long before = 0;
  std::vector<json> chunks;
  for (int i = 0; i < kKills; ++i) {
    std::string log = dir_ / ("del" + std::to_string(i) + ".log");
    int pid = Spawn({"--log-json", "backfill", "run", "purge", "--progress-interval", "0"}, log);
    bool chunked = WaitFor(
        [&] {
          long long processed = -1;
          for (const auto& e : Events(Slurp(log))) {
            if (e["event"] == "backfill.chunk") processed = e["processed"].get<long long>();
          }
          return processed >= marks[i] && processed > before;
        },
        60);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 30'000));
    kill(pid, SIGKILL);
    int code = WaitExit(pid);
    ASSERT_TRUE(chunked) << Slurp(log);
    ASSERT_EQ(code, 128 + SIGKILL) << "run " << i << " ended before the kill: " << Slurp(log);
    WaitBackendGone(pid);
    for (const auto& e : Events(Slurp(log))) {
      if (e["event"] == "backfill.chunk") chunks.push_back(e);
    }
    long long deleted = candidates - db_->N("SELECT count(*) FROM item WHERE " + where);
    long long counted = db_->N("SELECT processed_count FROM strata_backfill_job");
    ASSERT_EQ(deleted, counted) << "after kill " << i;
    ASSERT_GT(counted, before) << "after kill " << i;
    ASSERT_EQ(db_->N("SELECT count(*) FROM item WHERE NOT (" + where + ")"), keep)
        << "after kill " << i;
    before = counted;
  }
  ASSERT_LT(before, candidates) << "the job finished before the last kill";
  auto r = Strata({"--json", "backfill", "run", "purge"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = json::parse(r.out);
  EXPECT_EQ(j["job"]["status"], "completed");
  EXPECT_EQ(j["job"]["processed_count"], candidates);
  EXPECT_EQ(j["job"]["failed_count"], 0);
  EXPECT_GE(j["job"]["chunk_count"].get<long long>(), candidates / kChunk);
  EXPECT_EQ(j["verification"]["actual"], "0");
  // In chunks: none deleted more than its size.
  EXPECT_FALSE(chunks.empty());
  for (const auto& e : chunks) EXPECT_LE(e["chunk_rows"].get<long long>(), kChunk) << e.dump();
  // The final row set: exactly one DELETE's result, every kept row unchanged.
  EXPECT_EQ(db_->N("SELECT count(*) FROM item"), keep);
  EXPECT_EQ(db_->N("SELECT count(*) FROM (SELECT * FROM item EXCEPT SELECT * FROM item_ref) d"), 0);
  EXPECT_EQ(db_->N("SELECT count(*) FROM (SELECT * FROM item_ref EXCEPT SELECT * FROM item) d"), 0);
  EXPECT_EQ(db_->N("SELECT count(*) FROM strata_backfill_job"), 1);
  // The checkpoint: the last key is the last candidate's.
  auto last = json::parse(db_->Q("SELECT last_processed_key FROM strata_backfill_job"));
  ASSERT_TRUE(last.is_array()) << last.dump();
  EXPECT_EQ(std::stoll(last[0].get<std::string>()), last_candidate);
  auto st = Strata({"backfill", "status", "purge"});
  EXPECT_EQ(st.exit_code, 0) << st.All();
  EXPECT_NE(st.out.find("purge run 1: completed"), std::string::npos) << st.out;
  // A rerun finds nothing to do.
  auto again = Strata({"--json", "backfill", "run", "purge"});
  EXPECT_EQ(again.exit_code, 0) << again.All();
  EXPECT_EQ(json::parse(again.out)["already_done"], true);
  EXPECT_EQ(db_->N("SELECT count(*) FROM item"), keep);
}

// A row that violates a CHECK is isolated by bisection, recorded and skipped; the rest is done.
TEST_P(BackfillTest, PoisonedRowsAreQuarantined) {
  db_->CreateItems(5'000);
  db_->Exec("UPDATE item SET grp = 99 WHERE id IN (7, 1234)");
  dir_.Write("db/backfill/poison.toml", ItemJob("[chunk]\nsize = 400\n"));
  auto r = Strata({"--json", "backfill", "run", "poison"});
  EXPECT_EQ(r.exit_code, 4) << r.All();
  auto j = json::parse(r.out);
  EXPECT_EQ(j["job"]["status"], "completed_with_failures");
  EXPECT_EQ(j["job"]["processed_count"], 4'998);
  EXPECT_EQ(j["job"]["failed_count"], 2);
  EXPECT_EQ(db_->N("SELECT count(*) FROM item WHERE v IS NULL"), 2);
  EXPECT_EQ(db_->N("SELECT count(*) FROM item WHERE v IS NULL AND id IN (7, 1234)"), 2);
  auto s = Strata({"--json", "backfill", "status", "poison", "--failures"});
  auto sj = json::parse(s.out);
  ASSERT_EQ(sj["failures"].size(), 2u) << s.out;
  EXPECT_EQ(sj["failures"][0]["key"], json::array({"7"}));
  EXPECT_EQ(sj["failures"][1]["key"], json::array({"1234"}));
  EXPECT_EQ(sj["failures"][0]["sqlstate"], GetParam() ? "23514" : "SQLITE_CONSTRAINT");
  EXPECT_NE(sj["failures"][0]["error"].get<std::string>().find("ck_item_poison"),
            std::string::npos);
  // Text output names the job and says what to do next.
  auto t = Strata({"backfill", "status", "poison", "--failures"});
  EXPECT_NE(t.out.find("completed_with_failures"), std::string::npos) << t.out;
}

// The failure budget, as a count and as a ratio, stops the job as failed.
TEST_P(BackfillTest, FailureBudgetStopsTheJob) {
  db_->CreateItems(3'000);
  db_->Exec("UPDATE item SET grp = 99 WHERE id BETWEEN 100 AND 110");
  dir_.Write("db/backfill/by_count.toml",
             ItemJob("[chunk]\nsize = 200\n[failures]\nmax_failures = 5\n"));
  auto r = Strata({"--json", "backfill", "run", "by_count"});
  EXPECT_EQ(r.exit_code, 4) << r.All();
  auto j = json::parse(r.out);
  EXPECT_EQ(j["job"]["status"], "failed");
  EXPECT_EQ(j["job"]["failed_count"], 11);
  EXPECT_LT(j["job"]["processed_count"].get<int>(), 3'000 - 11);
  EXPECT_NE(j["error"]["message"].get<std::string>().find("max_failures = 5"), std::string::npos);
  // Reruns are refused until --restart.
  auto again = Strata({"backfill", "run", "by_count"});
  EXPECT_EQ(again.exit_code, 2) << again.All();
  EXPECT_NE(again.err.find("--restart"), std::string::npos) << again.err;

  db_->CreateItems(3'000, "item2");
  db_->Exec("UPDATE item2 SET grp = 99 WHERE id BETWEEN 100 AND 110");
  dir_.Write("db/backfill/by_ratio.toml",
             ItemJob("[chunk]\nsize = 500\n[failures]\nmax_failures = 1000\n"
                     "max_failure_ratio = 0.005\nratio_min_rows = 1000\n",
                     "item2"));
  r = Strata({"--json", "backfill", "run", "by_ratio"});
  EXPECT_EQ(r.exit_code, 4) << r.All();
  j = json::parse(r.out);
  EXPECT_EQ(j["job"]["status"], "failed");
  EXPECT_NE(j["error"]["message"].get<std::string>().find("max_failure_ratio"), std::string::npos)
      << j.dump();
}

// A second process inserts and updates rows while the job runs: no lost update, no deadlock
// storm, and app-inserted candidates are either handled or (inserted after the job passed)
// correctly left for a later run.
TEST_P(BackfillTest, ConcurrentWritersLoseNothing) {
  db_->CreateItems(20'000);
  dir_.Write("db/backfill/cw.toml",
             ItemJob("[chunk]\nsize = 500\n[throttle]\nmax_rows_per_second = 10000\n"
                     "lock_timeout = \"500ms\"\n[failures]\nretries = 20\n"));
  std::string log = dir_ / "cw.log";
  int pid = Spawn({"--log-json", "backfill", "run", "cw", "--progress-interval", "0"}, log);
  std::atomic<bool> stop{false};
  std::map<long long, int> touched;
  int inserted = 0, writer_retries = 0;
  std::thread writer([&] {
    auto c = db_->Open();
    std::mt19937 rng(7);
    long long next_id = 1'000'000;
    while (!stop) {
      long long a = 1 + rng() % 20'000, b = 1 + rng() % 20'000;
      if (a == b) continue;
      bool new_app = rng() % 2;
      long long id = next_id;
      // Two rows in opposite key order in one transaction, plus an insert.
      std::string begin(c->BeginSql());
      auto ok = c->Exec(begin);
      if (ok.ok())
        ok = c->Exec(
            fmt::format("UPDATE item SET touched = touched + 1 WHERE id = {}", std::max(a, b)));
      if (ok.ok())
        ok = c->Exec(
            fmt::format("UPDATE item SET touched = touched + 1 WHERE id = {}", std::min(a, b)));
      if (ok.ok()) {
        ok = c->Exec(fmt::format("INSERT INTO item (id, grp, v) VALUES ({}, 1, {})", id,
                                 new_app ? std::to_string(id * 2) : "NULL"));
      }
      if (ok.ok()) ok = c->Exec("COMMIT");
      if (ok.ok()) {
        ++touched[a];
        ++touched[b];
        ++inserted;
        ++next_id;
      } else {
        ++writer_retries;
        (void)c->Exec("ROLLBACK");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  int code = WaitExit(pid);
  stop = true;
  writer.join();
  std::string out = Slurp(log);
  ASSERT_EQ(code, 0) << out;
  EXPECT_GT(inserted, 10);
  // No lost update.
  long long mismatched = 0;
  for (const auto& [id, n] : touched) {
    mismatched += db_->N(fmt::format("SELECT touched FROM item WHERE id = {}", id)) != n;
  }
  EXPECT_EQ(mismatched, 0);
  // Every original row done, and nothing computed wrong.
  EXPECT_EQ(db_->N("SELECT count(*) FROM item WHERE id <= 20000 AND (v IS NULL OR v <> id * 2)"),
            0);
  EXPECT_EQ(db_->N("SELECT count(*) FROM item WHERE v IS NOT NULL AND v <> id * 2"), 0);
  // A NULL left behind was inserted after the job had passed its key.
  auto st = StatusOf("cw");
  long long last = std::stoll(st["last_processed_key"][0].get<std::string>());
  EXPECT_EQ(db_->N(fmt::format("SELECT count(*) FROM item WHERE v IS NULL AND id <= {}", last)), 0);
  EXPECT_EQ(st["status"], "completed");
  EXPECT_EQ(st["failed_count"], 0);
  // No deadlock storm: few retries, if any.
  EXPECT_LE(CountEvents(out, "retry"), 10) << out;
}

// pause / resume / set / cancel work from another process through the job row.
TEST_P(BackfillTest, PauseResumeSetCancelFromAnotherProcess) {
  db_->CreateItems(20'000);
  dir_.Write("db/backfill/ctl.toml",
             ItemJob("[chunk]\nsize = 200\n[throttle]\nmax_rows_per_second = 2000\n"));
  std::string log = dir_ / "ctl.log";
  int pid = Spawn({"--log-json", "backfill", "run", "ctl", "--progress-interval", "0"}, log);
  ASSERT_TRUE(WaitFor([&] { return CountEvents(Slurp(log), "chunk") >= 1; })) << Slurp(log);

  auto s = Strata({"--json", "backfill", "set", "ctl", "chunk_size=77"});
  ASSERT_EQ(s.exit_code, 0) << s.All();
  EXPECT_EQ(json::parse(s.out)["runner_alive"], true);
  ASSERT_TRUE(WaitFor([&] {
    auto ev = Events(Slurp(log));
    bool seen = false;
    for (const auto& e : ev) {
      if (e["event"] == "backfill.reconfigured") seen = true;
      if (seen && e["event"] == "backfill.chunk") return true;
    }
    return false;
  })) << Slurp(log);
  {
    bool after = false;
    for (const auto& e : Events(Slurp(log))) {
      if (e["event"] == "backfill.reconfigured") after = true;
      if (after && e["event"] == "backfill.chunk") {
        EXPECT_EQ(e["chunk_size"], 77) << e.dump();
      }
    }
  }

  ASSERT_EQ(Strata({"backfill", "pause", "ctl"}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return CountEvents(Slurp(log), "paused") == 1; })) << Slurp(log);
  long long p1 = db_->N("SELECT processed_count FROM strata_backfill_job");
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(db_->N("SELECT processed_count FROM strata_backfill_job"), p1);
  EXPECT_EQ(db_->N("SELECT count(*) FROM item WHERE v IS NOT NULL"), p1);
  auto st = StatusOf("ctl");
  EXPECT_EQ(st["status"], "paused");
  EXPECT_EQ(st["runner_alive"], true);

  ASSERT_EQ(Strata({"backfill", "resume", "ctl"}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return CountEvents(Slurp(log), "resumed") == 1; })) << Slurp(log);
  ASSERT_TRUE(
      WaitFor([&] { return db_->N("SELECT processed_count FROM strata_backfill_job") > p1; }));

  auto c = Strata({"--json", "backfill", "cancel", "ctl"});
  ASSERT_EQ(c.exit_code, 0) << c.All();
  EXPECT_EQ(WaitExit(pid), 0) << Slurp(log);
  st = StatusOf("ctl");
  EXPECT_EQ(st["status"], "cancelled");
  EXPECT_EQ(st["runner_alive"], false);
  EXPECT_LT(st["processed_count"].get<int>(), 20'000);
  EXPECT_EQ(db_->N("SELECT count(*) FROM item WHERE v IS NOT NULL"), st["processed_count"]);
  auto again = Strata({"backfill", "run", "ctl"});
  EXPECT_EQ(again.exit_code, 2) << again.All();
  EXPECT_NE(again.err.find("cancelled"), std::string::npos) << again.err;
}

// One runner per job; SIGINT finishes the chunk and exits 130 (interrupted: the job is not
// done; issue 17); a changed job file is refused unless --restart.
TEST_P(BackfillTest, LockSigintAndChangedFile) {
  db_->CreateItems(20'000);
  std::string job = ItemJob("[chunk]\nsize = 250\n[throttle]\nmax_rows_per_second = 4000\n");
  dir_.Write("db/backfill/sig.toml", job);
  std::string log = dir_ / "sig.log";
  int pid = Spawn({"--log-json", "backfill", "run", "sig", "--progress-interval", "0"}, log);
  ASSERT_TRUE(WaitFor([&] { return CountEvents(Slurp(log), "chunk") >= 2; })) << Slurp(log);

  auto twice = Strata({"backfill", "run", "sig"});
  EXPECT_EQ(twice.exit_code, 5) << twice.All();
  EXPECT_NE(twice.err.find("already running"), std::string::npos) << twice.err;

  kill(pid, SIGINT);
  EXPECT_EQ(WaitExit(pid), 130) << Slurp(log);
  EXPECT_NE(Slurp(log).find("error[interrupted]"), std::string::npos) << Slurp(log);
  EXPECT_NE(Slurp(log).find("resume with `strata backfill run sig`"), std::string::npos)
      << Slurp(log);
  auto st = StatusOf("sig");
  EXPECT_EQ(st["status"], "interrupted");
  long long run1 = st["processed_count"].get<long long>();
  EXPECT_GT(run1, 0);
  EXPECT_LT(run1, 20'000);
  EXPECT_EQ(db_->N("SELECT count(*) FROM item WHERE v IS NOT NULL"), run1);
  EXPECT_NE(Slurp(log).find("\"reason\":\"interrupted\""), std::string::npos) << Slurp(log);

  dir_.Write("db/backfill/sig.toml", ItemJob("[chunk]\nsize = 1000\n"));
  auto changed = Strata({"backfill", "run", "sig"});
  EXPECT_EQ(changed.exit_code, 3) << changed.All();
  EXPECT_NE(changed.err.find("sig.toml"), std::string::npos) << changed.err;
  EXPECT_NE(changed.err.find("--restart"), std::string::npos) << changed.err;

  auto restarted = Strata({"--json", "backfill", "run", "sig", "--restart"});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.All();
  auto j = json::parse(restarted.out);
  EXPECT_EQ(j["job"]["run_no"], 2);
  EXPECT_EQ(j["job"]["status"], "completed");
  EXPECT_EQ(j["job"]["processed_count"].get<long long>() + run1, 20'000);
  EXPECT_EQ(db_->N("SELECT count(*) FROM item WHERE v IS NULL OR v <> id * 2"), 0);
  // The first run stays on record.
  EXPECT_EQ(db_->N("SELECT count(*) FROM strata_backfill_job WHERE job_key = 'sig'"), 2);
  // Running a completed job again does nothing.
  auto done = Strata({"--json", "backfill", "run", "sig"});
  EXPECT_EQ(done.exit_code, 0) << done.All();
  EXPECT_EQ(json::parse(done.out)["already_done"], true);
}

// plan: counts, the exact chunk SQL, EXPLAIN and a before/after sample; changes nothing.
TEST_P(BackfillTest, PlanChangesNothing) {
  db_->CreateItems(2'000);
  dir_.Write("db/backfill/p.toml", ItemJob("[chunk]\nsize = 300\n"));
  auto r = Strata({"--json", "backfill", "plan", "p"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = json::parse(r.out);
  EXPECT_EQ(j["candidates"], 2'000);
  EXPECT_EQ(j["estimated_chunks"], 7);
  EXPECT_EQ(j["sample_chunk_rows"], 300);
  // The rows' time at the sample's rate, divided among the workers that run side by side
  // (chunk.workers = 4 on PostgreSQL; SQLite runs one chunk at a time).
  const long long workers = GetParam() ? 4 : 1;
  EXPECT_EQ(j["workers"], workers);
  const long long serial = j["sample_chunk_ms"].get<long long>() * 2'000 / 300;
  EXPECT_EQ(j["estimated_ms"], (serial + workers - 1) / workers) << j.dump();
  EXPECT_EQ(j["chunk_sql"], "UPDATE item SET v = id * 2 WHERE (v IS NULL) AND item.id <= '300'");
  EXPECT_FALSE(j["explain"].empty());
  ASSERT_EQ(j["sample"].size(), 5u);
  EXPECT_EQ(j["sample"][0]["before"]["v"], "NULL");
  EXPECT_EQ(j["sample"][0]["after"]["v"], "2");
  EXPECT_EQ(db_->N("SELECT count(*) FROM item WHERE v IS NULL"), 2'000);
  auto t = Strata({"backfill", "plan", "p"});
  EXPECT_NE(t.out.find("v: NULL -> 2"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("nothing was changed"), std::string::npos) << t.out;
}

// A bad job file is refused before the database is touched, naming the field.
TEST_P(BackfillTest, BadJobFileNamesTheField) {
  db_->CreateItems(10);
  dir_.Write("db/backfill/bad.toml", ItemJob("[chunk]\nsize = 100\ntarget_duraton = \"1s\"\n"));
  auto r = Strata({"backfill", "run", "bad"});
  EXPECT_EQ(r.exit_code, 2) << r.All();
  EXPECT_NE(r.err.find("bad.toml:7"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("chunk.target_duraton"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("target_duration"), std::string::npos) << r.err;
  EXPECT_FALSE(*db_->conn().TableExists("", "strata_backfill_job"));
  dir_.Write("db/backfill/nokey.toml",
             "table = \"item\"\nkey = \"grp\"\nwhere = \"v IS NULL\"\nset = \"v = 1\"\n");
  r = Strata({"backfill", "run", "nokey"});
  EXPECT_EQ(r.exit_code, 2) << r.All();
  EXPECT_NE(r.err.find("not unique"), std::string::npos) << r.err;
  r = Strata({"--json", "backfill", "run", "missing"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("bad, nokey"), std::string::npos) << r.out;
}

// A verification mismatch marks the job verification_failed with the numbers.
TEST_P(BackfillTest, VerificationMismatch) {
  db_->CreateItems(500);
  dir_.Write(
      "db/backfill/vf.toml",
      ItemJob("[verify]\nquery = \"SELECT count(*) FROM item WHERE v > 600\"\nexpect = 0\n"));
  auto r = Strata({"--json", "backfill", "run", "vf"});
  EXPECT_EQ(r.exit_code, 8) << r.All();
  auto j = json::parse(r.out);
  EXPECT_EQ(j["job"]["status"], "verification_failed");
  EXPECT_EQ(j["verification"]["actual"], "200");
  EXPECT_NE(j["job"]["message"].get<std::string>().find("returned 200, expected 0"),
            std::string::npos);
}

// A composite key: chunks end exactly at every size-th candidate (the chunk's bound is found on
// the server), a short last chunk takes the rest, and a failing chunk fetches the keys of its
// range to bisect them.
TEST_P(BackfillTest, CompositeKeyChunksAndBisection) {
  db_->CreateItems(2'000);
  db_->Exec("CREATE UNIQUE INDEX item_grp_id ON item (grp, id)");
  db_->Exec("UPDATE item SET grp = 99 WHERE id IN (7, 1503)");  // sorted last: (99, 7), (99, 1503)
  db_->Exec("UPDATE item SET v = id * 2 WHERE id % 10 = 0");    // not candidates: 1,800 remain
  dir_.Write("db/backfill/composite.toml",
             "table = \"item\"\nkey = [\"grp\", \"id\"]\nwhere = \"v IS NULL\"\n"
             "set = \"v = id * 2\"\n[chunk]\nsize = 400\n");
  std::string log = dir_ / "composite.log";
  int pid = Spawn({"--log-json", "backfill", "run", "composite", "--progress-interval", "0"}, log);
  ASSERT_EQ(WaitExit(pid), 4) << Slurp(log);
  std::vector<long long> rows;
  for (const auto& e : Events(Slurp(log))) {
    if (e["event"] == "backfill.chunk") {
      rows.push_back(e["chunk_rows"].get<long long>() + e["chunk_failed"].get<long long>());
    }
  }
  // Ranges of 400 cut along (grp, id), then the rest: on PostgreSQL 4 workers take them side by
  // side (chunk.workers = 4), each a chunk of its own, in the order they commit; on SQLite one
  // after the other.
  const std::vector<long long> expected{400, 400, 400, 400, 200};
  std::sort(rows.begin(), rows.end(), std::greater<>());
  EXPECT_EQ(rows, expected) << Slurp(log);
  auto st = StatusOf("composite");
  EXPECT_EQ(st["status"], "completed_with_failures");
  EXPECT_EQ(st["processed_count"], 1'798);
  EXPECT_EQ(st["failed_count"], 2);
  EXPECT_EQ(st["chunk_count"], expected.size());
  EXPECT_EQ(st["last_processed_key"], json::array({"99", "1503"}));
  auto f = json::parse(Strata({"--json", "backfill", "status", "composite", "--failures"}).out);
  ASSERT_EQ(f["failures"].size(), 2u) << f.dump();
  EXPECT_EQ(f["failures"][0]["key"], json::array({"99", "7"}));
  EXPECT_EQ(f["failures"][1]["key"], json::array({"99", "1503"}));
  EXPECT_EQ(db_->N("SELECT count(*) FROM item WHERE v IS NULL"), 2);
  EXPECT_EQ(db_->N("SELECT count(*) FROM item WHERE v <> id * 2"), 0);
}

// partition_by: per-partition progress, and partitions take turns.
TEST_P(BackfillTest, PartitionsTakeTurns) {
  db_->CreateItems(2'000);
  dir_.Write("db/backfill/tenants.toml", ItemJob("partition_by = \"grp\"\n[chunk]\nsize = 100\n"));
  std::string log = dir_ / "t.log";
  int pid = Spawn({"--log-json", "backfill", "run", "tenants", "--progress-interval", "0"}, log);
  ASSERT_EQ(WaitExit(pid), 0) << Slurp(log);
  std::vector<std::string> first;
  for (const auto& e : Events(Slurp(log))) {
    if (e["event"] == "backfill.chunk" && first.size() < 8)
      first.push_back(e["partition"].get<std::string>());
  }
  ASSERT_EQ(first.size(), 8u);
  EXPECT_EQ(first, (std::vector<std::string>{"0", "1", "2", "3", "0", "1", "2", "3"}));
  auto st = StatusOf("tenants");
  EXPECT_EQ(st["status"], "completed");
  ASSERT_EQ(st["partitions"].size(), 4u) << st.dump();
  for (const auto& p : st["partitions"]) {
    EXPECT_EQ(p["processed_count"], 500) << p.dump();
    EXPECT_EQ(p["done"], true);
  }
  EXPECT_EQ(db_->N("SELECT count(*) FROM item WHERE v IS NULL OR v <> id * 2"), 0);
}

// On a TTY `run` draws a progress bar: done/total, percent, rows/s, ETA and failures, redrawn in
// place; without a TTY (and without --log-json) it writes JSON lines with the same numbers.
TEST_P(BackfillTest, ProgressBarOnTtyJsonLinesOtherwise) {
  db_->CreateItems(6'000);
  db_->Exec("UPDATE item SET grp = 99 WHERE id = 4321");  // one quarantined row
  dir_.Write("db/backfill/bar.toml",
             ItemJob("[chunk]\nsize = 200\n[throttle]\nmax_rows_per_second = 8000\n"));
  auto tty = RunStrataOnTty(Args(*db_, {"backfill", "run", "bar"}), dir_.path());
  EXPECT_EQ(tty.exit_code, 4) << tty.out;
  std::string shown = tty.out;
  // Bars mid-run: a partial count of the total, a rate and a real ETA (the failure count joins
  // them once the quarantined row is reached; how many bars are drawn after it depends on
  // timing, so it is checked on the last bar only).
  std::regex mid(R"(\rbar \[#*\.+\] (\d+)/6000 \(\d+%\) (\d+) rows/s ETA \d\S*)");
  int mids = 0;
  for (std::sregex_iterator it(shown.begin(), shown.end(), mid), end; it != end; ++it) {
    EXPECT_LT(std::stoi((*it)[1]), 6'000) << it->str();
    EXPECT_GT(std::stoi((*it)[2]), 0) << it->str();
    ++mids;
  }
  EXPECT_GE(mids, 2) << shown;
  // The last bar: everything accounted for, the failure counted.
  EXPECT_TRUE(std::regex_search(
      shown, std::regex(R"(\rbar \[#{30}\] 5999/6000 \(100%\) \d+ rows/s ETA \S+ failures 1)")))
      << shown;
  EXPECT_NE(shown.find("completed_with_failures"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("{\"event\""), std::string::npos) << shown;

  // Not a TTY: JSON lines, one per chunk with --progress-interval 0.
  db_->CreateItems(6'000, "item2");
  dir_.Write("db/backfill/lines.toml",
             ItemJob("[chunk]\nsize = 200\n[throttle]\nmax_rows_per_second = 8000\n", "item2"));
  auto piped = Strata({"backfill", "run", "lines", "--progress-interval", "0"});
  EXPECT_EQ(piped.exit_code, 0) << piped.All();
  EXPECT_EQ(piped.err.find("rows/s"), std::string::npos) << piped.err;
  EXPECT_EQ(piped.err.find('\r'), std::string::npos) << piped.err;
  auto ev = Events(piped.err);
  ASSERT_FALSE(ev.empty()) << piped.err;
  EXPECT_EQ(ev.front()["event"], "backfill.started");
  EXPECT_EQ(ev.back()["event"], "backfill.done");
  EXPECT_EQ(ev.back()["processed"], 6'000);
  int chunks = 0, with_eta = 0;
  for (const auto& e : ev) {
    if (e["event"] != "backfill.chunk") continue;
    ++chunks;
    EXPECT_EQ(e["total"], 6'000) << e.dump();
    EXPECT_EQ(e["failed"], 0) << e.dump();
    EXPECT_TRUE(e.contains("rows_per_second")) << e.dump();
    with_eta += e.contains("eta_ms");
  }
  EXPECT_EQ(chunks, 30);
  EXPECT_GE(with_eta, 20);
}

// PostgreSQL: the job's backend is terminated three times (between chunks, inside a chunk's
// UPDATE, and between chunks again). Each time the runner reconnects, takes the job lock again
// and continues from its checkpoint: the job completes, the table equals one UPDATE's result,
// and no chunk is lost or counted twice.
TEST(BackfillPgTest, ReconnectsAfterTheBackendIsTerminated) {
  STRATA_REQUIRE_POSTGRES();
  TempDir dir;
  BackfillDb db(true, dir);
  WriteProject(dir, db.url());
  db.CreateItems(20'000);
  db.Exec("CREATE TABLE item_ref AS SELECT * FROM item; UPDATE item_ref SET v = id * 2");
  // Row 8000 makes its chunk sleep inside the UPDATE, so a termination lands mid-statement.
  db.Exec(
      "CREATE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "IF NEW.id = 8000 AND NEW.v IS NOT NULL THEN PERFORM pg_sleep(0.3); END IF; RETURN NEW; "
      "END $$; CREATE TRIGGER slow BEFORE UPDATE ON item FOR EACH ROW EXECUTE FUNCTION "
      "slow_row()");
  dir.Write("db/backfill/rc.toml",
            ItemJob("[chunk]\nsize = 500\n[throttle]\nmax_rows_per_second = 10000\n"
                    "[failures]\nreconnect_backoff = \"50ms\"\n"));
  std::string log = dir / "rc.log";
  int pid = SpawnStrata(
      {"--url", db.url(), "--log-json", "backfill", "run", "rc", "--progress-interval", "0"},
      dir.path(), log);
  const std::string runner =
      "application_name LIKE 'strata backfill run pid " + std::to_string(pid) + " %'";
  auto terminate = [&](const std::string& also) {
    return db.N(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE " +
        runner + also + ") t");
  };
  auto processed = [&] {
    long long p = -1;
    for (const auto& e : Events(Slurp(log))) {
      if (e["event"] == "backfill.chunk") p = e["processed"].get<long long>();
    }
    return p;
  };
  ASSERT_TRUE(WaitFor([&] { return processed() >= 1'500; })) << Slurp(log);
  ASSERT_EQ(terminate(""), 1);
  ASSERT_TRUE(WaitFor([&] { return CountEvents(Slurp(log), "reconnected") == 1; })) << Slurp(log);
  ASSERT_TRUE(WaitFor([&] {
    return db.N("SELECT count(*) FROM pg_stat_activity WHERE " + runner +
                " AND wait_event = 'PgSleep'") == 1;
  })) << Slurp(log);
  ASSERT_EQ(terminate(" AND wait_event = 'PgSleep'"), 1);
  ASSERT_TRUE(WaitFor([&] { return CountEvents(Slurp(log), "reconnected") == 2; })) << Slurp(log);
  ASSERT_TRUE(WaitFor([&] { return processed() >= 12'000; })) << Slurp(log);
  ASSERT_EQ(terminate(""), 1);
  ASSERT_EQ(WaitExit(pid), 0) << Slurp(log);

  std::string out = Slurp(log);
  EXPECT_EQ(CountEvents(out, "reconnected"), 3) << out;
  EXPECT_GE(CountEvents(out, "connection_lost"), 3) << out;
  // Every committed chunk was logged once: their rows add up to the table exactly.
  long long chunk_rows = 0;
  for (const auto& e : Events(out)) {
    if (e["event"] == "backfill.chunk") chunk_rows += e["chunk_rows"].get<long long>();
  }
  EXPECT_EQ(chunk_rows, 20'000) << out;
  auto st = json::parse(
      RunStrata({"--url", db.url(), "--json", "backfill", "status", "rc"}, dir.path()).out);
  EXPECT_EQ(st["jobs"][0]["status"], "completed");
  EXPECT_EQ(st["jobs"][0]["processed_count"], 20'000);
  EXPECT_EQ(st["jobs"][0]["failed_count"], 0);
  EXPECT_EQ(db.N("SELECT count(*) FROM (SELECT * FROM item EXCEPT SELECT * FROM item_ref) d"), 0);
  EXPECT_EQ(db.N("SELECT count(*) FROM (SELECT * FROM item_ref EXCEPT SELECT * FROM item) d"), 0);
}

// PostgreSQL: when the connection cannot be re-established (the database refuses connections),
// the run ends after its bounded reconnect attempts with the connection exit code and the resume
// hint; the checkpoint is intact and a later run finishes the job exactly.
TEST(BackfillPgTest, GivesUpWhenTheConnectionCannotBeReestablished) {
  STRATA_REQUIRE_POSTGRES();
  TempDir dir;
  BackfillDb db(true, dir);
  WriteProject(dir, db.url());
  db.CreateItems(20'000);
  dir.Write("db/backfill/gone.toml",
            ItemJob("[chunk]\nsize = 500\n[throttle]\nmax_rows_per_second = 10000\n"
                    "[failures]\nreconnect_attempts = 3\nreconnect_backoff = \"50ms\"\n"));
  std::string log = dir / "gone.log";
  int pid = SpawnStrata({"--url", db.url(), "backfill", "run", "gone", "--progress-interval", "0"},
                        dir.path(), log);
  ASSERT_TRUE(WaitFor([&] { return CountEvents(Slurp(log), "chunk") >= 2; })) << Slurp(log);
  // A database cannot refuse connections to itself: say it from the `postgres` database.
  const std::string name = db.Q("SELECT current_database()");
  std::string admin_url = db.url();
  admin_url.replace(admin_url.rfind(name), name.size(), "postgres");
  auto admin = db::Connect(*db::ParseUrl(admin_url), "backfill test admin");
  ASSERT_TRUE(admin.ok()) << admin.error().ToString();
  auto allow = [&](bool yes) {
    auto r =
        (*admin)->Exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS " + (yes ? "true" : "false"));
    ASSERT_TRUE(r.ok()) << r.ToString();
  };
  allow(false);
  EXPECT_EQ(db.N("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                 "WHERE application_name LIKE 'strata backfill run pid " +
                 std::to_string(pid) + " %') t"),
            1);
  int code = WaitExit(pid);
  allow(true);
  std::string out = Slurp(log);
  EXPECT_EQ(code, 6) << out;
  EXPECT_EQ(CountEvents(out, "connection_lost"), 3) << out;
  EXPECT_EQ(CountEvents(out, "reconnected"), 0) << out;
  EXPECT_NE(out.find("could not reconnect in 3 attempt(s)"), std::string::npos) << out;
  EXPECT_NE(out.find("rerun `strata backfill run gone`"), std::string::npos) << out;
  long long done = db.N("SELECT count(*) FROM item WHERE v IS NOT NULL");
  EXPECT_GT(done, 0);
  EXPECT_EQ(db.N("SELECT processed_count FROM strata_backfill_job"), done);

  auto r = RunStrata({"--url", db.url(), "--json", "backfill", "run", "gone"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = json::parse(r.out);
  EXPECT_EQ(j["job"]["status"], "completed");
  EXPECT_EQ(j["job"]["processed_count"], 20'000);
  EXPECT_EQ(db.N("SELECT count(*) FROM item WHERE v IS NULL OR v <> id * 2"), 0);
}

// PostgreSQL: a chunk's round trips are pipelines (db::Connection::QueryPipeline): every
// statement's result at once, or the first failure, with the later statements (COMMIT) not run
// and the transaction left open, aborted; the connection stays usable.
TEST(BackfillPgTest, QueryPipelineStopsAtTheFirstFailure) {
  STRATA_REQUIRE_POSTGRES();
  TempDir dir;
  BackfillDb db(true, dir);
  db.CreateItems(10);
  auto c = db.Open();
  auto ok = c->QueryPipeline({{"BEGIN", {}},
                              {"SELECT id FROM item WHERE id <= $1 ORDER BY id", {"3"}},
                              {"UPDATE item SET v = 1 WHERE id = $1", {"2"}},
                              {"COMMIT", {}}});
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  ASSERT_EQ(ok->size(), 4u);
  ASSERT_EQ((*ok)[1].rows.size(), 3u);
  EXPECT_EQ((*ok)[1].rows[2][0], "3");
  EXPECT_EQ((*ok)[2].rows_affected, 1);
  EXPECT_EQ(db.N("SELECT v FROM item WHERE id = 2"), 1);

  auto bad = c->QueryPipeline({{"BEGIN", {}},
                               {"UPDATE item SET v = 2 WHERE id = 3", {}},
                               {"SELECT 1 / (id - id) FROM item WHERE id = $1", {"4"}},
                               {"UPDATE item SET v = 3 WHERE id = 4", {}},
                               {"COMMIT", {}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().sqlstate(), "22012") << bad.error().ToString();
  auto in_failed = c->Query("SELECT 1");
  ASSERT_FALSE(in_failed.ok());
  EXPECT_EQ(in_failed.error().sqlstate(), "25P02");
  ASSERT_TRUE(c->Exec("ROLLBACK").ok());
  EXPECT_EQ(db.N("SELECT count(*) FROM item WHERE v IS NOT NULL"), 1);

  auto again = c->QueryPipeline({{"SELECT 1", {}}, {"SELECT $1::int + 1", {"41"}}});
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ((*again)[1].rows[0][0], "42");
  EXPECT_TRUE(c->Query("SELECT 1").ok());
}

// PostgreSQL: when sessions wait on locks the chunk holds, the job halves its chunk and waits.
TEST(BackfillPgTest, LockWaitersMakeTheJobBackOff) {
  STRATA_REQUIRE_POSTGRES();
  TempDir dir;
  BackfillDb db(true, dir);
  WriteProject(dir, db.url());
  // 40 ranges of 500 (chunk.workers = 4, the default). Row 300 makes the first range sleep while
  // it holds the locks of rows 1..299; every range takes 0.3 s (row 250 of each), so the other
  // 3 workers, which go on meanwhile, still have ranges left when the first one commits.
  db.CreateItems(20'000);
  db.Exec(
      "CREATE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "IF NEW.id = 300 AND NEW.v IS NOT NULL THEN PERFORM pg_sleep(1.5); END IF; "
      "IF NEW.id % 500 = 250 AND NEW.v IS NOT NULL THEN PERFORM pg_sleep(0.3); END IF; "
      "RETURN NEW; END $$; CREATE TRIGGER slow BEFORE UPDATE ON item FOR EACH ROW EXECUTE "
      "FUNCTION slow_row()");
  dir.Write("db/backfill/lw.toml", ItemJob("[chunk]\nsize = 500\n"));
  std::string log = dir / "lw.log";
  int pid = SpawnStrata(
      {"--url", db.url(), "--log-json", "backfill", "run", "lw", "--progress-interval", "0"},
      dir.path(), log);
  // An application transaction that needs row 5 while the first range holds it.
  auto app = db.Open();
  ASSERT_TRUE(WaitFor([&] {
    return db.N(
               "SELECT count(*) FROM (SELECT 1 FROM item WHERE id = 5 FOR UPDATE SKIP LOCKED) "
               "t") == 0;
  }));
  auto upd = app->Query("UPDATE item SET touched = touched + 1 WHERE id = 5");
  ASSERT_TRUE(upd.ok()) << upd.error().ToString();
  ASSERT_EQ(WaitExit(pid), 0) << Slurp(log);
  bool throttled = false;
  int next_size = 0;
  for (const auto& e : Events(Slurp(log))) {
    if (e["event"] == "backfill.throttle" && e["reason"] == "lock_waiters") {
      throttled = true;
      EXPECT_GT(e["wait_ms"].get<int>(), 0) << e.dump();
    } else if (throttled && e["event"] == "backfill.chunk" && next_size == 0) {
      next_size = e["chunk_size"].get<int>();
    }
  }
  EXPECT_TRUE(throttled) << Slurp(log);
  EXPECT_EQ(next_size, 250) << Slurp(log);
  EXPECT_EQ(db.N("SELECT touched FROM item WHERE id = 5"), 1);
  EXPECT_EQ(db.N("SELECT count(*) FROM item WHERE v IS NULL OR v <> id * 2"), 0);
}

// PostgreSQL (issue 19's benchmark): a job over a column that was just added (no statistics,
// so the planner thinks the candidates are few) finds each chunk's bound along the key's
// index: the table is not scanned once per chunk. Before, each of the 40 chunks here was a
// sequential scan and a sort of the whole table. (With chunk.workers = 4, the default, the walk
// cuts 4 ranges of 1000 at a time: it too goes along the index.)
TEST(BackfillPgTest, ChunkBoundsWalkTheKeyIndex) {
  STRATA_REQUIRE_POSTGRES();
  TempDir dir;
  BackfillDb db(true, dir);
  WriteProject(dir, db.url());
  db.CreateItems(40'000);
  db.Exec("ANALYZE item");
  db.Exec("ALTER TABLE item ADD COLUMN w bigint");
  dir.Write("db/backfill/w.toml",
            "table = \"item\"\nkey = \"id\"\nwhere = \"w IS NULL AND v IS NULL\"\n"
            "set = \"w = id\"\n[chunk]\nsize = 1000\n");
  auto seq_scans = [&] {
    db.Exec("SELECT pg_stat_clear_snapshot()");
    return db.N("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'item'");
  };
  long long before = seq_scans();
  auto r = RunStrata({"--url", db.url(), "--json", "backfill", "run", "w"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = json::parse(r.out);
  EXPECT_EQ(j["job"]["processed_count"], 40'000);
  EXPECT_EQ(j["job"]["chunk_count"], 40);  // ranges of 1000, cut 4 at a time (chunk.workers = 4)
  // The backend of the run has exited, so its statistics are flushed. The progress total's
  // count(*) scans the table once; the 40 chunks do not.
  long long scans = -1;
  ASSERT_TRUE(WaitFor(
      [&] {
        scans = seq_scans() - before;
        return scans >= 1;
      },
      10));
  EXPECT_LE(scans, 2) << "sequential scans of item during the run";
  EXPECT_EQ(db.N("SELECT count(*) FROM item WHERE w IS NULL OR w <> id"), 0);
}

// PostgreSQL, chunk.workers (issue 19's backfill speed): the ranges are changed by that many
// transactions on as many connections at the same time. Each UPDATE here sleeps 0.3 s once (an
// uncorrelated subquery: one evaluation per statement), so 30 ranges take at least 9 s one after
// the other; with 3 workers side by side about 3 s. Every row is done exactly once, by one of 3
// backends (the runner's own connection only cuts the ranges and moves the checkpoint), each
// range is a chunk, and processed_count is exact.
TEST(BackfillPgTest, WorkersChangeTheRangesOfAChunkSideBySide) {
  STRATA_REQUIRE_POSTGRES();
  TempDir dir;
  BackfillDb db(true, dir);
  WriteProject(dir, db.url());
  db.CreateItems(3'000);
  dir.Write("db/backfill/wk.toml",
            "table = \"item\"\nkey = \"id\"\nwhere = \"v IS NULL\"\n"
            "set = \"v = id * 2 + (SELECT 0 FROM pg_sleep(0.3)), touched = touched + "
            "pg_backend_pid()\"\n[chunk]\nsize = 100\nworkers = 3\n");
  auto t0 = std::chrono::steady_clock::now();
  auto r = RunStrata({"--url", db.url(), "--json", "backfill", "run", "wk"}, dir.path());
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = json::parse(r.out);
  EXPECT_EQ(j["job"]["processed_count"], 3'000);
  EXPECT_EQ(j["job"]["chunk_count"], 30);
  EXPECT_EQ(db.N("SELECT count(*) FROM item WHERE v IS NULL OR v <> id * 2"), 0);
  EXPECT_EQ(db.N("SELECT count(DISTINCT touched) FROM item"), 3);
  EXPECT_LT(secs, 7.5) << "30 ranges of 0.3 s each ran one after the other";
}

// PostgreSQL, chunk.workers: a work queue, not batches. While one worker is stuck in its range
// (row 150 waits for the test's gate), the other workers go on taking the next ranges as soon as
// theirs committed — the job does not wait for the slowest range of a batch — and the
// checkpoint stays below the stuck range (every range below it committed, it did not). Killed
// there (kill -9), nothing is lost or counted twice: the ranges committed above the checkpoint
// have no candidates left, and the resumed run finishes with exactly one UPDATE's result.
TEST(BackfillPgTest, WorkersTakeTheNextRangeWithoutWaitingForTheSlowest) {
  STRATA_REQUIRE_POSTGRES();
  TempDir dir;
  BackfillDb db(true, dir);
  WriteProject(dir, db.url());
  db.CreateItems(4'000);
  db.Exec(
      "CREATE TABLE gate (open boolean); CREATE FUNCTION stuck_row() RETURNS trigger LANGUAGE "
      "plpgsql AS $$ BEGIN IF NEW.id = 150 AND NEW.v IS NOT NULL THEN WHILE NOT EXISTS (SELECT "
      "1 FROM gate) LOOP PERFORM pg_sleep(0.02); END LOOP; END IF; RETURN NEW; END $$; CREATE "
      "TRIGGER stuck BEFORE UPDATE ON item FOR EACH ROW EXECUTE FUNCTION stuck_row()");
  dir.Write("db/backfill/wq.toml", ItemJob("[chunk]\nsize = 100\nworkers = 3\n"));
  std::string log = dir / "wq.log";
  int pid = SpawnStrata(
      {"--url", db.url(), "--log-json", "backfill", "run", "wq", "--progress-interval", "0"},
      dir.path(), log);
  // Every range but the stuck one (100, 200] commits while it waits.
  bool went_on = WaitFor(
      [&] {
        return db.N("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'") == 1 &&
               db.N("SELECT coalesce(max(processed_count), 0) FROM strata_backfill_job") == 3'900;
      },
      60);
  EXPECT_TRUE(went_on) << "processed "
                       << db.N(
                              "SELECT coalesce(max(processed_count), 0) FROM "
                              "strata_backfill_job")
                       << " while one range was stuck: " << Slurp(log);
  EXPECT_EQ(db.N("SELECT (last_processed_key::jsonb->>0)::int FROM strata_backfill_job"), 100);
  kill(pid, SIGKILL);
  ASSERT_EQ(WaitExit(pid), 128 + SIGKILL) << Slurp(log);
  ASSERT_TRUE(WaitFor([&] {
    return db.N(
               "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE "
               "'strata backfill run pid " +
               std::to_string(pid) + " %'") == 0;
  }));
  EXPECT_EQ(db.N("SELECT count(*) FROM item WHERE v IS NOT NULL"),
            db.N("SELECT processed_count FROM strata_backfill_job"));
  db.Exec("INSERT INTO gate VALUES (true)");
  auto r = RunStrata({"--url", db.url(), "--json", "backfill", "run", "wq"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = json::parse(r.out);
  EXPECT_EQ(j["job"]["status"], "completed");
  EXPECT_EQ(j["job"]["processed_count"], 4'000);
  // The resumed run found candidates in the stuck range only: its checkpoint ends there.
  EXPECT_EQ(j["job"]["last_processed_key"], json::array({"200"}));
  EXPECT_EQ(db.N("SELECT count(*) FROM item WHERE v IS NULL OR v <> id * 2"), 0);
}

// PostgreSQL, kill -9 with chunk.workers = 4 and no rate limit (a rate-limited job runs one
// transaction at a time, so KillNineAtRandomPointsThenResume does not cover workers): after
// every kill the rows changed are exactly processed_count (a worker's range commits with its
// count, the runner's with its count and the checkpoint), every run moves the job on, and the
// last run ends with the table exactly one UPDATE's result.
TEST(BackfillPgTest, KillNineWithWorkersThenResume) {
  STRATA_REQUIRE_POSTGRES();
  TempDir dir;
  BackfillDb db(true, dir);
  WriteProject(dir, db.url());
  constexpr int kRows = 200'000;
  constexpr int kKills = 6;
  db.CreateItems(kRows);
  db.Exec("UPDATE item SET v = -id WHERE id % 7 = 0");
  db.Exec("CREATE TABLE item_ref AS SELECT * FROM item");
  db.Exec("UPDATE item_ref SET v = id * 2 WHERE v IS NULL");
  const long long candidates = db.N("SELECT count(*) FROM item WHERE v IS NULL");
  dir.Write("db/backfill/kw.toml", ItemJob("[chunk]\nsize = 500\nworkers = 4\n"));
  unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::vector<long long> marks;
  for (int i = 0; i < kKills; ++i) marks.push_back(rng() % (candidates * 7 / 10));
  std::sort(marks.begin(), marks.end());
  long long before = 0;
  for (int i = 0; i < kKills; ++i) {
    std::string log = dir / ("kw" + std::to_string(i) + ".log");
    int pid = SpawnStrata(
        {"--url", db.url(), "--log-json", "backfill", "run", "kw", "--progress-interval", "0"},
        dir.path(), log);
    bool chunked = WaitFor(
        [&] {
          long long processed = -1;
          for (const auto& e : Events(Slurp(log))) {
            if (e["event"] == "backfill.chunk") processed = e["processed"].get<long long>();
          }
          return processed >= marks[i];
        },
        60);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20'000));
    kill(pid, SIGKILL);
    int code = WaitExit(pid);
    ASSERT_TRUE(chunked) << Slurp(log);
    ASSERT_EQ(code, 128 + SIGKILL) << "run " << i << " ended before the kill: " << Slurp(log);
    // The killed runner's backends (its own and the workers') may outlive it briefly, finishing
    // what they were sent: wait until they are gone before counting.
    ASSERT_TRUE(WaitFor([&] {
      return db.N(
                 "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE "
                 "'strata backfill run pid " +
                 std::to_string(pid) + " %'") == 0;
    }));
    long long done = db.N("SELECT count(*) FROM item WHERE v IS NOT NULL AND v > 0");
    long long counted = db.N("SELECT processed_count FROM strata_backfill_job");
    ASSERT_EQ(done, counted) << "after kill " << i;
    ASSERT_GE(counted, before) << "after kill " << i;
    before = counted;
  }
  auto r = RunStrata({"--url", db.url(), "--json", "backfill", "run", "kw"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = json::parse(r.out);
  EXPECT_EQ(j["job"]["status"], "completed");
  EXPECT_EQ(j["job"]["processed_count"], candidates);
  EXPECT_EQ(db.N("SELECT count(*) FROM (SELECT * FROM item EXCEPT SELECT * FROM item_ref) d"), 0);
  EXPECT_EQ(db.N("SELECT count(*) FROM (SELECT * FROM item_ref EXCEPT SELECT * FROM item) d"), 0);
}

// PostgreSQL: a worker's connection killed in the middle of its range (pg_terminate_backend on
// the worker's backend, not the runner's own) loses nothing: the runner changes that range
// itself before its checkpoint passes it, and opens a new worker connection for the next
// range. Row 8000 is the last of the 16th range, (7500, 8000].
TEST(BackfillPgTest, AWorkerLostMidRangeIsRedoneByTheRunner) {
  STRATA_REQUIRE_POSTGRES();
  TempDir dir;
  BackfillDb db(true, dir);
  WriteProject(dir, db.url());
  db.CreateItems(20'000);
  db.Exec(
      "CREATE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "IF NEW.id = 8000 AND NEW.v IS NOT NULL THEN PERFORM pg_sleep(0.5); END IF; RETURN NEW; "
      "END $$; CREATE TRIGGER slow BEFORE UPDATE ON item FOR EACH ROW EXECUTE FUNCTION "
      "slow_row()");
  dir.Write("db/backfill/wl.toml", ItemJob("[chunk]\nsize = 500\nworkers = 4\n"));
  std::string log = dir / "wl.log";
  int pid = SpawnStrata(
      {"--url", db.url(), "--log-json", "backfill", "run", "wl", "--progress-interval", "0"},
      dir.path(), log);
  const std::string worker =
      "application_name LIKE 'strata backfill run pid " + std::to_string(pid) +
      " %' AND wait_event = 'PgSleep' AND pid NOT IN (SELECT pid FROM pg_locks WHERE locktype = "
      "'advisory')";
  ASSERT_TRUE(WaitFor([&] {
    return db.N("SELECT count(*) FROM pg_stat_activity WHERE " + worker) == 1;
  })) << Slurp(log);
  ASSERT_EQ(db.N("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                 "WHERE " +
                 worker + ") t"),
            1);
  ASSERT_EQ(WaitExit(pid), 0) << Slurp(log);
  std::string out = Slurp(log);
  EXPECT_EQ(CountEvents(out, "connection_lost"), 0) << out;
  EXPECT_EQ(db.N("SELECT count(*) FROM item WHERE v IS NULL OR v <> id * 2"), 0);
  EXPECT_EQ(db.N("SELECT processed_count FROM strata_backfill_job"), 20'000);
  EXPECT_EQ(db.N("SELECT chunk_count FROM strata_backfill_job"), 40);
}

// PostgreSQL: a chunk that hits lock_timeout (55P03) is retried with backoff and a smaller
// chunk, and succeeds once the application releases its lock.
TEST(BackfillPgTest, LockTimeoutIsRetriedWithBackoff) {
  STRATA_REQUIRE_POSTGRES();
  TempDir dir;
  BackfillDb db(true, dir);
  WriteProject(dir, db.url());
  db.CreateItems(1'000);
  auto app = db.Open();
  ASSERT_TRUE(app->Exec("BEGIN").ok());
  ASSERT_TRUE(app->Exec("SELECT * FROM item WHERE id = 10 FOR UPDATE").ok());
  dir.Write("db/backfill/lt.toml",
            ItemJob("[chunk]\nsize = 400\nworkers = 1\n[throttle]\nlock_timeout = \"200ms\"\n"
                    "[failures]\nretries = 50\nretry_backoff = \"50ms\"\n"));
  std::string log = dir / "lt.log";
  int pid = SpawnStrata(
      {"--url", db.url(), "--log-json", "backfill", "run", "lt", "--progress-interval", "0"},
      dir.path(), log);
  ASSERT_TRUE(WaitFor([&] { return CountEvents(Slurp(log), "retry") >= 2; })) << Slurp(log);
  EXPECT_EQ(db.N("SELECT count(*) FROM item WHERE v IS NOT NULL"), 0);
  ASSERT_TRUE(app->Exec("COMMIT").ok());
  ASSERT_EQ(WaitExit(pid), 0) << Slurp(log);
  int retries = 0;
  for (const auto& e : Events(Slurp(log))) {
    if (e["event"] == "backfill.retry") {
      ++retries;
      EXPECT_EQ(e["reason"], "55P03") << e.dump();
      EXPECT_GT(e["wait_ms"].get<int>(), 0);
    }
  }
  EXPECT_GE(retries, 2);
  auto st =
      json::parse(RunStrata({"--url", db.url(), "--json", "backfill", "status", "lt"}, dir.path())
                      .out)["jobs"][0];
  EXPECT_EQ(st["status"], "completed");
  EXPECT_EQ(st["processed_count"], 1'000);
  EXPECT_EQ(st["failed_count"], 0);
  // Halved after the lock timeouts; once the lock is gone the chunks grow back toward their
  // configured size (a fixed-size job does not stay small for the rest of the run).
  std::vector<int> sizes;
  for (const auto& e : Events(Slurp(log))) {
    if (e["event"] == "backfill.chunk") sizes.push_back(e["chunk_size"].get<int>());
  }
  ASSERT_GE(sizes.size(), 2u) << Slurp(log);
  EXPECT_LT(sizes.front(), 400) << Slurp(log);
  EXPECT_GT(sizes.back(), sizes.front()) << Slurp(log);
  EXPECT_LE(*std::max_element(sizes.begin(), sizes.end()), 400);
}

// Issue 17: "Backfill's max_rows_per_second = 20000 measured 23,800 rows/s over 2 s": the rate
// over the run, not per chunk, stays under the limit (5% tolerance for the clock), and the
// limiter does not throttle far below it either.
TEST_P(BackfillTest, RateLimitHoldsOverTheWholeRun) {
  db_->CreateItems(50'000);
  dir_.Write("db/backfill/rate.toml",
             ItemJob("[chunk]\nsize = 5000\n[throttle]\nmax_rows_per_second = 20000\n"));
  std::string log = dir_ / "rate.log";
  int pid = Spawn({"--log-json", "backfill", "run", "rate", "--progress-interval", "0"}, log);
  ASSERT_EQ(WaitExit(pid), 0) << Slurp(log);
  int checked = 0;
  for (const auto& e : Events(Slurp(log))) {
    if (e["event"] != "backfill.chunk") continue;
    auto ms = e["elapsed_ms"].get<long long>();
    if (ms < 1000) continue;  // the first chunks run before any wait
    double rate = e["processed"].get<double>() * 1000.0 / static_cast<double>(ms);
    EXPECT_LE(rate, 20000 * 1.05) << e.dump();
    ++checked;
  }
  EXPECT_GT(checked, 0) << Slurp(log);
  auto st = StatusOf("rate");
  EXPECT_EQ(st["processed_count"], 50'000);
  json last;
  for (const auto& e : Events(Slurp(log))) {
    if (e["event"] == "backfill.chunk") last = e;
  }
  double rate = last["processed"].get<double>() * 1000.0 / last["elapsed_ms"].get<double>();
  EXPECT_LE(rate, 20000 * 1.05) << last.dump();
  EXPECT_GE(rate, 20000 * 0.6) << "throttled far below the limit: " << last.dump();
}

// Issue 17: "The backfill progress bar ignores terminal width (at 70 columns each redraw leaves a
// new line); paused:/resumed: print with nothing after them; the final bar is drawn twice around
// verify: 0 (0)." On a pseudo-terminal of 60 and 200 columns. The run's timing is the test's, not
// the machine's: STRATA_TEST_BACKFILL_HOLD stops the runner after 1,000 rows until the test has
// paused the job, and says when the runner announced the pause, so the resume comes after it.
TEST_P(BackfillTest, ProgressBarFitsTheTerminalAndIsDrawnOnce) {
  db_->CreateItems(12'000);
  struct Unset {
    ~Unset() { unsetenv("STRATA_TEST_BACKFILL_HOLD"); }
  } unset;  // later tests run without the hold, however this one ends
  for (int columns : {60, 200}) {
    SCOPED_TRACE(columns);
    db_->Exec("UPDATE item SET v = NULL");
    dir_.Write("db/backfill/bar.toml",
               ItemJob("[chunk]\nsize = 200\n[throttle]\nmax_rows_per_second = 6000\n"
                       "[verify]\nquery = \"SELECT count(*) FROM item WHERE v IS NULL\"\n"
                       "expect = 0\n"));
    std::string gate = dir_ / fmt::format("hold-{}", columns);
    setenv("STRATA_TEST_BACKFILL_HOLD", fmt::format("1000:{}", gate).c_str(), 1);
    RunResult r;
    std::thread runner([&] {
      r = RunStrataOnTty(Args(*db_, {"backfill", "run", "bar", "--restart"}), dir_.path(), columns);
    });
    auto exists = [](const std::string& p) { return std::filesystem::exists(p); };
    // Held after 1,000 rows: pause it there, let it go on, and resume once it said "paused".
    bool held = WaitFor([&] { return exists(gate + ".held"); });
    EXPECT_TRUE(held);
    EXPECT_EQ(Strata({"backfill", "pause", "bar"}).exit_code, 0);
    std::ofstream(gate).put('\n');
    bool announced = WaitFor([&] { return exists(gate + ".paused"); });
    EXPECT_TRUE(announced);
    EXPECT_EQ(Strata({"backfill", "resume", "bar"}).exit_code, 0);
    runner.join();
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(db_->N("SELECT count(*) FROM item WHERE v IS NULL"), 0);
    // Terminal lines (\r\n) and, within a line, what each redraw (\r) left.
    std::vector<std::string> lines;
    size_t at = 0;
    for (size_t nl; (nl = r.out.find("\r\n", at)) != std::string::npos; at = nl + 2) {
      lines.push_back(r.out.substr(at, nl - at));
    }
    int bars = 0, full = 0;
    for (const auto& line : lines) {
      size_t from = 0;
      for (size_t cr = 0;; from = cr + 1) {
        cr = line.find('\r', from);
        std::string draw = line.substr(from, cr == std::string::npos ? cr : cr - from);
        if (auto k = draw.find("\x1b[K"); k != std::string::npos) draw.erase(k);
        if (draw.rfind("bar ", 0) == 0) {  // a progress draw (other lines may wrap)
          EXPECT_LE(static_cast<int>(draw.size()), columns - 1) << "wraps: " << draw;
        }
        if (cr == std::string::npos) break;
      }
      std::string shown =
          line.substr(line.rfind('\r') == std::string::npos ? 0 : line.rfind('\r') + 1);
      if (shown.rfind("bar ", 0) == 0 || shown.rfind("bar [", 0) == 0) {
        ++bars;
        if (shown.find("12000/12000") != std::string::npos) ++full;
      }
    }
    EXPECT_EQ(full, 1) << "the final counts are shown once:\n" << r.out;
    EXPECT_LE(bars, 3) << "one bar line, plus one ended by each of paused/resumed:\n" << r.out;
    // paused/resumed say what happened.
    std::regex paused(
        R"(paused: bar at \d+ row\(s\) done; waiting for `strata backfill resume bar`)");
    std::regex resumed(R"(resumed: bar at \d+ row\(s\) done)");
    EXPECT_TRUE(std::regex_search(r.out, paused)) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, resumed)) << r.out;
    EXPECT_EQ(r.out.find("verify: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("verification: 0 (expected 0)"), std::string::npos) << r.out;
  }
}

}  // namespace
}  // namespace strata::testing
