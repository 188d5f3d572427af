#include "backfill/render.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <utility>

namespace strata::backfill {
namespace {

BackfillEvent Chunk() {
  BackfillEvent e = BackfillEvent::Chunk{100, 0, 0, 1};
  e.job = "fill_tax_code";
  e.processed = 400;
  e.failed = 0;
  e.total = 1000;
  e.chunk_size = 100;
  e.chunks = 4;
  e.rows_per_second = 200;
  return e;
}

// The bar never reaches the last column (a wrapped line cannot be redrawn in place), at any
// width, and keeps what fits: the bar and the details first go at narrow widths.
TEST(BackfillRender, ProgressBarFitsTheTerminal) {
  BackfillEvent e = Chunk();
  for (int columns : {200, 80, 70, 50, 40, 30, 20, 11, 5, 1}) {
    std::string line = ProgressBar(e, columns, "throttled: replica_lag");
    EXPECT_LE(static_cast<int>(line.size()), std::max(columns - 1, 10)) << columns << ": " << line;
    // The job's name comes first (cut, at the narrowest, with the rest of the line).
    size_t n = std::min<size_t>(line.size(), 13);
    EXPECT_EQ(line.substr(0, n), std::string("fill_tax_code").substr(0, n)) << line;
  }
  std::string wide = ProgressBar(e, 120);
  EXPECT_NE(wide.find("[############..................]"), std::string::npos) << wide;
  EXPECT_NE(wide.find("400/1000 (40%)"), std::string::npos) << wide;
  EXPECT_NE(wide.find("200 rows/s ETA 3.0s"), std::string::npos) << wide;
}

TEST(BackfillRender, EventJsonHasTheFieldsOfItsKind) {
  auto j = EventJson(Chunk());
  EXPECT_EQ(j["event"], "backfill.chunk");
  EXPECT_EQ(j["chunk_rows"], 100);
  EXPECT_EQ(j["eta_ms"], 3000);
  EXPECT_FALSE(j.contains("wait_ms"));
  BackfillEvent lost = BackfillEvent::ConnectionLost{2, 500, "", "server closed the connection"};
  lost.job = "j";
  auto l = EventJson(lost);
  EXPECT_EQ(l["event"], "backfill.connection_lost");
  EXPECT_EQ(l["wait_ms"], 500);
  EXPECT_EQ(l["attempt"], 2);
  EXPECT_EQ(EventLine(lost),
            "connection lost: server closed the connection; reconnect attempt 2 in 500ms");
}

// Each kind's fields under the names docs/json.md documents: a throttle's cause and a retry's
// SQLSTATE as `reason`, the error, the failed row's key and the verify result as `message`.
TEST(BackfillRender, EventJsonNamesEachKindsTypedFields) {
  BackfillEvent lag = BackfillEvent::Throttle{ThrottleReason::kReplicaLag, 500, 1800,
                                              "replica lag 1.8s is above max_replica_lag 1.0s"};
  auto t = EventJson(lag);
  EXPECT_EQ(t["event"], "backfill.throttle");
  EXPECT_EQ(t["reason"], "replica_lag");
  EXPECT_EQ(t["value_ms"], 1800);
  EXPECT_EQ(t["wait_ms"], 500);
  EXPECT_EQ(t["message"], "replica lag 1.8s is above max_replica_lag 1.0s");
  EXPECT_FALSE(t.contains("attempt"));
  for (auto [reason, name] : {std::pair{ThrottleReason::kRate, "rate"},
                              {ThrottleReason::kOverrun, "overrun"},
                              {ThrottleReason::kLockWaiters, "lock_waiters"}}) {
    EXPECT_EQ(EventJson(BackfillEvent::Throttle{reason, 1, 1, ""})["reason"], name);
  }

  BackfillEvent retry =
      BackfillEvent::Retry{3, "55P03", "canceling statement due to lock timeout", 200};
  retry.job = "lt";
  auto r = EventJson(retry);
  EXPECT_EQ(r["event"], "backfill.retry");
  EXPECT_EQ(r["reason"], "55P03");
  EXPECT_EQ(r["message"], "canceling statement due to lock timeout");
  EXPECT_EQ(r["attempt"], 3);
  EXPECT_EQ(r["wait_ms"], 200);
  EXPECT_FALSE(r.contains("chunk_rows"));
  EXPECT_EQ(EventLine(retry), "retry: canceling statement due to lock timeout (55P03)");

  auto f = EventJson(BackfillEvent::RowFailed{"[42]", "23514"});
  EXPECT_EQ(f["event"], "backfill.row_failed");
  EXPECT_EQ(f["message"], "[42]");
  EXPECT_EQ(f["reason"], "23514");

  auto v = EventJson(BackfillEvent::Verify{"3", "0"});
  EXPECT_EQ(v["message"], "3");
  EXPECT_EQ(v["reason"], "0");
  EXPECT_EQ(EventJson(BackfillEvent::Done{kCompletedWithFailures})["reason"],
            "completed_with_failures");

  BackfillEvent started = BackfillEvent::Started{2, 1500};
  started.job = "fill";
  EXPECT_EQ(EventJson(started)["message"], "resuming run 2 after 1500 row(s)");
  EXPECT_EQ(EventLine(started), "backfill fill: resuming run 2 after 1500 row(s)");
  EXPECT_EQ(EventJson(BackfillEvent::Started{1, 0})["message"], "run 1");
  EXPECT_EQ(EventJson(BackfillEvent::Reconnected{2, "reconnected after 2 attempt(s)"})["attempt"],
            2);
  EXPECT_EQ(EventJson(BackfillEvent::Reconfigured{R"({"chunk_size":50})"})["message"],
            R"({"chunk_size":50})");
}

TEST(BackfillRender, ControlAndSetText) {
  ControlResult c;
  c.job = "j";
  c.previous_status = "running";
  c.new_status = "paused";
  c.next_step = "strata backfill resume j";
  EXPECT_EQ(ToText(c), "backfill j: running -> paused\nnext: strata backfill resume j\n");
  EXPECT_EQ(ToJson(c)["status"], "paused");
  SetResult s;
  s.job = "j";
  s.overrides = R"({"chunk_size":50})";
  EXPECT_EQ(ToText(s),
            "backfill j: overrides now {\"chunk_size\":50} (applied when the job next "
            "runs)\n");
  EXPECT_EQ(ToJson(s)["overrides"]["chunk_size"], 50);
}

}  // namespace
}  // namespace strata::backfill
