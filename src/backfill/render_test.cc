#include "backfill/render.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace strata::backfill {
namespace {

BackfillEvent Chunk() {
  BackfillEvent e;
  e.kind = BackfillEventKind::kChunk;
  e.job = "fill_tax_code";
  e.processed = 400;
  e.failed = 0;
  e.total = 1000;
  e.chunk_rows = 100;
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
  BackfillEvent lost;
  lost.kind = BackfillEventKind::kConnectionLost;
  lost.job = "j";
  lost.wait_ms = 500;
  lost.attempt = 2;
  lost.message = "server closed the connection";
  auto l = EventJson(lost);
  EXPECT_EQ(l["event"], "backfill.connection_lost");
  EXPECT_EQ(l["wait_ms"], 500);
  EXPECT_EQ(l["attempt"], 2);
  EXPECT_EQ(EventLine(lost),
            "connection lost: server closed the connection; reconnect attempt 2 in 500ms");
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
