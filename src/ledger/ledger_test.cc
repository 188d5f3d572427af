#include "ledger/ledger.h"

#include "base/sha256.h"

#include <gtest/gtest.h>

namespace strata::ledger {
namespace {

TEST(Ledger, AppendsAChainAndDetectsTampering) {
  auto url = db::ParseUrl("sqlite::memory:");
  ASSERT_TRUE(url.ok());
  auto conn = db::Connect(*url, "test");
  ASSERT_TRUE(conn.ok());
  Ledger ledger(**conn, "strata_schema_history", "");
  ASSERT_TRUE(ledger.Create().ok());
  ASSERT_TRUE(ledger.ReadAll().ok());
  for (int i = 1; i <= 3; ++i) {
    AppliedRow r;
    r.version = std::to_string(i);
    r.description = "d";
    r.type = "SQL";
    r.script = "V" + std::to_string(i) + "__d.sql";
    r.checksum = "c";
    r.installed_by = "me";
    r.installed_on = "2026-11-21T00:00:00.000Z";
    r.success = true;
    ASSERT_TRUE(ledger.Append(r).ok());
    EXPECT_EQ(r.rank, i);
  }
  auto rows = ledger.ReadAll();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].prev_hash, kGenesisHash);
  EXPECT_EQ((*rows)[1].prev_hash, (*rows)[0].row_hash);
  EXPECT_TRUE(Ledger::VerifyChain(*rows).empty());

  // An edit by hand.
  ASSERT_TRUE((*conn)
                  ->Exec("UPDATE strata_schema_history SET checksum = 'x' WHERE installed_rank = 2")
                  .ok());
  rows = ledger.ReadAll();
  auto broken = Ledger::VerifyChain(*rows);
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_NE(broken[0].find("rank 2"), std::string::npos);
  // The same verdict when the chain is checked row by row during the read (migrate's no-op).
  std::vector<std::string> while_reading{"stale"};
  auto streamed = ledger.ReadIfExists(&while_reading);
  ASSERT_TRUE(streamed.ok() && streamed->has_value());
  EXPECT_EQ((*streamed)->size(), 3u);
  EXPECT_EQ(while_reading, broken);

  // A deleted row.
  ASSERT_TRUE((*conn)
                  ->Exec("UPDATE strata_schema_history SET checksum = 'c' WHERE installed_rank = 2")
                  .ok());
  ASSERT_TRUE((*conn)->Exec("DELETE FROM strata_schema_history WHERE installed_rank = 2").ok());
  rows = ledger.ReadAll();
  broken = Ledger::VerifyChain(*rows);
  ASSERT_FALSE(broken.empty());
  EXPECT_NE(broken[0].find("deleted"), std::string::npos);
}

TEST(Ledger, RowHashCoversEveryFieldInItsStoredForm) {
  // The format is stored in every ledger: a change here breaks every existing chain.
  AppliedRow r;
  r.rank = 7;
  r.version = "1.2";
  r.description = "add index";
  r.type = "SQL";
  r.script = "V1.2__add_index.sql";
  r.checksum = "abc";
  r.installed_by = "deploy";
  r.installed_on = "2026-11-22T05:00:00.000Z";
  r.execution_time_ms = 42;
  r.success = true;
  r.statements_done = 3;
  r.reason = "";  // present but empty: hashes differently from absent
  r.prev_hash = std::string(kGenesisHash);
  std::string expected =
      "strata-ledger-v1\x1f"
      "7\x1f"
      "11.2\x1f"
      "add index\x1f"
      "SQL\x1f"
      "V1.2__add_index.sql\x1f"
      "1abc\x1f"
      "deploy\x1f"
      "2026-11-22T05:00:00.000Z\x1f"
      "42\x1f"
      "1\x1f"
      "3\x1f"
      "0\x1f"
      "1\x1f" +
      std::string(kGenesisHash);
  EXPECT_EQ(RowHash(r), base::Sha256Hex(expected));
  r.reason.reset();
  EXPECT_NE(RowHash(r), base::Sha256Hex(expected));
}

TEST(Ledger, ReadIfExistsTellsAnAbsentLedgerFromAnEmptyOneAndKeepsTheTail) {
  auto url = db::ParseUrl("sqlite::memory:");
  ASSERT_TRUE(url.ok());
  auto conn = db::Connect(*url, "test");
  ASSERT_TRUE(conn.ok());
  Ledger absent(**conn, "strata_schema_history", "");
  auto none = absent.ReadIfExists();
  ASSERT_TRUE(none.ok()) << none.error().ToString();
  EXPECT_FALSE(none->has_value());

  ASSERT_TRUE(absent.Create().ok());
  auto empty = absent.ReadIfExists();
  ASSERT_TRUE(empty.ok());
  ASSERT_TRUE(empty->has_value());
  EXPECT_TRUE((*empty)->empty());
  AppliedRow first;
  first.version = "1";
  first.type = "SQL";
  first.success = true;
  ASSERT_TRUE(absent.Append(first).ok());

  // A second reader appends after what it read: rank 2, chained to rank 1.
  Ledger reader(**conn, "strata_schema_history", "");
  auto rows = reader.ReadIfExists();
  ASSERT_TRUE(rows.ok());
  ASSERT_TRUE(rows->has_value());
  ASSERT_EQ((*rows)->size(), 1u);
  EXPECT_EQ((**rows)[0].version, "1");
  EXPECT_EQ((**rows)[0].row_hash, first.row_hash);
  AppliedRow second;
  second.version = "2";
  second.type = "SQL";
  ASSERT_TRUE(reader.Append(second).ok());
  EXPECT_EQ(second.rank, 2);
  EXPECT_EQ(second.prev_hash, first.row_hash);
}

// Three chained rows, as Append would write them.
std::vector<AppliedRow> Chain(int n) {
  std::vector<AppliedRow> rows;
  std::string prev(kGenesisHash);
  for (int i = 1; i <= n; ++i) {
    AppliedRow r;
    r.rank = i;
    r.version = std::to_string(i);
    r.description = "d";
    r.type = "SQL";
    r.script = "V" + std::to_string(i) + "__d.sql";
    r.installed_by = "me";
    r.installed_on = "2026-11-21T00:00:00.000Z";
    r.success = true;
    r.prev_hash = prev;
    r.row_hash = RowHash(r);
    prev = r.row_hash;
    rows.push_back(r);
  }
  return rows;
}

// Issue 14: the chain cannot see its last rows deleted; the anchors can.
TEST(Anchors, LostAndRewrittenRowsAreFound) {
  auto rows = Chain(3);
  Anchor at3 = AnchorFor(HeadOf(rows));
  at3.source = "the migrate run r1";
  EXPECT_EQ(at3.rows, 3);
  EXPECT_EQ(at3.head, rows[2].row_hash);
  EXPECT_TRUE(AnchorBreaks(rows, {at3}).empty());

  auto shorter = rows;
  shorter.pop_back();
  EXPECT_TRUE(Ledger::VerifyChain(shorter).empty());  // what the chain alone says
  auto broken = AnchorBreaks(shorter, {at3, at3});
  ASSERT_EQ(broken.size(), 1u);  // one message per distinct anchor
  EXPECT_NE(broken[0].find("rank 3: the migrate run r1 recorded 3 row(s)"), std::string::npos)
      << broken[0];
  EXPECT_NE(broken[0].find("ends at rank 2"), std::string::npos) << broken[0];
  EXPECT_NE(AnchorBreaks({}, {at3})[0].find("is empty"), std::string::npos);

  // Row 3 replaced by another one with a recomputed hash.
  auto rewritten = rows;
  rewritten[2].description = "other";
  rewritten[2].row_hash = RowHash(rewritten[2]);
  EXPECT_TRUE(Ledger::VerifyChain(rewritten).empty());
  broken = AnchorBreaks(rewritten, {at3});
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_NE(broken[0].find("were rewritten"), std::string::npos) << broken[0];

  // A later head holds the earlier anchor; --expect-head likewise.
  EXPECT_TRUE(AnchorBreaks(Chain(5), {at3}).empty());
  EXPECT_FALSE(ExpectedHeadBreak(Chain(5), rows[2].row_hash).has_value());
  EXPECT_TRUE(ExpectedHeadBreak(shorter, rows[2].row_hash).has_value());
}

// An unfinished tail (a non-transactional migration still rewriting its row) anchors the hash
// before it: its row may change, but not disappear.
TEST(Anchors, UnfinishedTailAnchorsItsPredecessor) {
  auto rows = Chain(3);
  rows[2].success = false;
  rows[2].row_hash = RowHash(rows[2]);
  Anchor a = AnchorFor(HeadOf(rows));
  EXPECT_EQ(a.rows, 3);
  EXPECT_EQ(a.head, rows[1].row_hash);
  rows[2].success = true;
  rows[2].statements_done = 4;
  rows[2].row_hash = RowHash(rows[2]);
  EXPECT_TRUE(AnchorBreaks(rows, {a}).empty());
  rows.pop_back();
  EXPECT_EQ(AnchorBreaks(rows, {a}).size(), 1u);
}

}  // namespace
}  // namespace strata::ledger
