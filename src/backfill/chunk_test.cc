// The SQL of a keyset chunk: key order, exclusive lower bound, inclusive upper bound, the
// candidate predicate re-checked by the UPDATE, partitions.
#include "backfill/chunk.h"

#include <gtest/gtest.h>

namespace strata::backfill {
namespace {

JobSpec Job() {
  JobSpec j;
  j.table = "app.quote_line";
  j.key = {"tenant_id", "id"};
  j.where = "contract_term_months IS NULL";
  j.set = "contract_term_months = 12";
  return j;
}

TEST(ChunkTest, FirstChunkHasNoLowerBound) {
  auto s = SelectKeys(Job(), {}, 500);
  EXPECT_EQ(
      s.sql,
      "SELECT quote_line.tenant_id, quote_line.id FROM app.quote_line WHERE "
      "(contract_term_months IS NULL) ORDER BY quote_line.tenant_id, quote_line.id LIMIT 500");
  EXPECT_TRUE(s.params.empty());
}

TEST(ChunkTest, CompositeKeysetUsesRowComparison) {
  ChunkBounds b;
  b.lower = {std::string("t1"), std::string("7")};
  b.upper = {std::string("t2"), std::string("3")};
  auto s = SelectKeys(Job(), b, 10);
  EXPECT_NE(s.sql.find("(quote_line.tenant_id, quote_line.id) > ($1, $2)"), std::string::npos)
      << s.sql;
  auto u = ChangeRange(Job(), b);
  EXPECT_EQ(u.sql,
            "UPDATE app.quote_line SET contract_term_months = 12 WHERE (contract_term_months IS "
            "NULL) AND (quote_line.tenant_id, quote_line.id) > ($1, $2) AND "
            "(quote_line.tenant_id, quote_line.id) <= ($3, $4)");
  ASSERT_EQ(u.params.size(), 4u);
  EXPECT_EQ(Inline(u).find("$"), std::string::npos);
  EXPECT_NE(Inline(u).find("> ('t1', '7')"), std::string::npos) << Inline(u);
}

// Only the chunk's last key and the number of candidates up to it come back: the n-th candidate
// in key order is found on the server (composite keys too, inside a partition), and only a last,
// short chunk counts its candidates.
TEST(ChunkTest, UpperBoundIsComputedOnTheServer) {
  JobSpec j = Job();
  j.partition_by = "region";
  ChunkBounds b;
  b.has_partition = true;
  b.partition = std::string("eu");
  b.lower = {std::string("t1"), std::string("7")};
  auto s = ChunkUpperBound(j, b, 20'000);
  EXPECT_EQ(s.sql,
            "SELECT * FROM (SELECT quote_line.tenant_id, quote_line.id, 20000 AS strata_n FROM "
            "app.quote_line WHERE (contract_term_months IS NULL) AND quote_line.region = $1 AND "
            "(quote_line.tenant_id, quote_line.id) > ($2, $3) ORDER BY quote_line.tenant_id, "
            "quote_line.id LIMIT 1 OFFSET 19999) AS strata_full "
            "UNION ALL SELECT * FROM (SELECT quote_line.tenant_id, quote_line.id, "
            "(SELECT count(*) FROM (SELECT 1 FROM app.quote_line WHERE (contract_term_months IS "
            "NULL) AND quote_line.region = $4 AND (quote_line.tenant_id, quote_line.id) > ($5, "
            "$6) ORDER BY quote_line.tenant_id, quote_line.id LIMIT 20000) AS strata_c) AS "
            "strata_n FROM app.quote_line WHERE (contract_term_months IS NULL) AND "
            "quote_line.region = $7 AND (quote_line.tenant_id, quote_line.id) > ($8, $9) ORDER "
            "BY quote_line.tenant_id DESC, quote_line.id DESC LIMIT 1) AS strata_last WHERE "
            "strata_n < 20000 LIMIT 1");
  ASSERT_EQ(s.params.size(), 9u);
  for (size_t i = 0; i < 9; i += 3) {
    EXPECT_EQ(*s.params[i], "eu");
    EXPECT_EQ(*s.params[i + 1], "t1");
    EXPECT_EQ(*s.params[i + 2], "7");
  }
  // The first chunk: no lower bound.
  j.key = {"id"};
  j.partition_by.clear();
  auto first = ChunkUpperBound(j, {}, 10);
  EXPECT_EQ(first.sql,
            "SELECT * FROM (SELECT quote_line.id, 10 AS strata_n FROM app.quote_line WHERE "
            "(contract_term_months IS NULL) ORDER BY quote_line.id LIMIT 1 OFFSET 9) AS "
            "strata_full UNION ALL SELECT * FROM (SELECT quote_line.id, (SELECT count(*) FROM "
            "(SELECT 1 FROM app.quote_line WHERE (contract_term_months IS NULL) ORDER BY "
            "quote_line.id LIMIT 10) AS strata_c) AS strata_n FROM app.quote_line WHERE "
            "(contract_term_months IS NULL) ORDER BY quote_line.id DESC LIMIT 1) AS strata_last "
            "WHERE strata_n < 10 LIMIT 1");
  EXPECT_TRUE(first.params.empty());
}

// A chunk that fails persistently fetches the keys of its range, (lower, upper], to bisect it.
TEST(ChunkTest, KeysOfARangeForBisection) {
  ChunkBounds b;
  b.lower = {std::string("t1"), std::string("7")};
  b.upper = {std::string("t2"), std::string("3")};
  auto s = SelectKeys(Job(), b, 0);
  EXPECT_EQ(s.sql,
            "SELECT quote_line.tenant_id, quote_line.id FROM app.quote_line WHERE "
            "(contract_term_months IS NULL) AND (quote_line.tenant_id, quote_line.id) > ($1, $2) "
            "AND (quote_line.tenant_id, quote_line.id) <= ($3, $4) ORDER BY "
            "quote_line.tenant_id, quote_line.id");
  ASSERT_EQ(s.params.size(), 4u);
  EXPECT_EQ(*s.params[3], "3");
}

TEST(ChunkTest, JoinAndPartition) {
  JobSpec j = Job();
  j.key = {"id"};
  j.from = "quote_revision qr";
  j.join = "qr.id = quote_line.quote_revision_id";
  j.partition_by = "tenant_id";
  ChunkBounds b;
  b.has_partition = true;
  b.partition = std::string("acme");
  b.upper = {std::string("99")};
  auto u = ChangeRange(j, b);
  EXPECT_EQ(u.sql,
            "UPDATE app.quote_line SET contract_term_months = 12 FROM quote_revision qr WHERE "
            "(contract_term_months IS NULL) AND (qr.id = quote_line.quote_revision_id) AND "
            "quote_line.tenant_id = $1 AND quote_line.id <= $2");
  b.partition = std::nullopt;
  EXPECT_NE(ChangeRange(j, b).sql.find("quote_line.tenant_id IS NULL"), std::string::npos);
}

// A delete job's chunk deletes the key range, re-checking the candidate predicate.
TEST(ChunkTest, DeleteJobDeletesTheRange) {
  JobSpec j = Job();
  j.kind = JobKind::kDelete;
  j.set.clear();
  j.where = "quote_line.status = 'EXPIRED'";
  ChunkBounds b;
  b.lower = {std::string("t1"), std::string("7")};
  b.upper = {std::string("t2"), std::string("3")};
  auto d = ChangeRange(j, b);
  EXPECT_EQ(d.sql,
            "DELETE FROM app.quote_line WHERE (quote_line.status = 'EXPIRED') AND "
            "(quote_line.tenant_id, quote_line.id) > ($1, $2) AND (quote_line.tenant_id, "
            "quote_line.id) <= ($3, $4)");
  ASSERT_EQ(d.params.size(), 4u);
}

// On PostgreSQL the bound query walks the key's index: the planner is told so for it alone.
TEST(ChunkTest, BoundWalksTheKeyIndexOnPostgres) {
  BuiltSql bound{"SELECT 1", {}};
  auto sqlite = WalkKeyIndex(bound, false);
  ASSERT_EQ(sqlite.size(), 1u);
  EXPECT_EQ(sqlite[BoundAt(false)].sql, "SELECT 1");
  auto pg = WalkKeyIndex(bound, true);
  ASSERT_GT(pg.size(), 2u);
  EXPECT_EQ(pg[BoundAt(true)].sql, "SELECT 1");
  EXPECT_NE(pg[0].sql.find("set_config('enable_seqscan', 'off', true)"), std::string::npos);
  EXPECT_EQ(pg[2].sql, "SET LOCAL enable_seqscan TO DEFAULT");
}

// Several workers: one walk of the candidates cut every `limit` keys, the window functions over
// the LIMITed walk only (so they count its rows, not every candidate).
TEST(ChunkTest, SplitsCutTheChunkForTheWorkers) {
  JobSpec j = Job();
  j.partition_by = "tenant_id";
  j.key = {"id"};
  ChunkBounds b;
  b.has_partition = true;
  b.partition = std::string("acme");
  b.lower = {std::string("41")};
  auto s = ChunkSplits(j, b, 500, 4);
  EXPECT_EQ(s.sql,
            "SELECT id, strata_rn FROM (SELECT strata_k.*, row_number() OVER (ORDER BY id) AS "
            "strata_rn, count(*) OVER () AS strata_total FROM (SELECT quote_line.id FROM "
            "app.quote_line WHERE (contract_term_months IS NULL) AND quote_line.tenant_id = $1 "
            "AND quote_line.id > $2 ORDER BY quote_line.id LIMIT 2000) AS strata_k) AS strata_w "
            "WHERE strata_rn % 500 = 0 OR strata_rn = strata_total ORDER BY strata_rn");
  ASSERT_EQ(s.params.size(), 2u);
  EXPECT_EQ(*s.params[1], "41");
}

// The work queue's cuts: a chain of keyset steps, each the limit-th candidate above the cut
// before it (row comparison for a composite key), the partition's parameter shared by both.
TEST(ChunkTest, CutsChainKeysetSteps) {
  JobSpec j = Job();
  j.partition_by = "region";
  ChunkBounds b;
  b.has_partition = true;
  b.partition = std::string("eu");
  b.lower = {std::string("7"), std::string("41")};
  auto s = ChunkCuts(j, b, 500, 4);
  EXPECT_EQ(s.sql,
            "WITH RECURSIVE strata_c AS ((SELECT quote_line.tenant_id, quote_line.id, 1 AS "
            "strata_n FROM app.quote_line WHERE (contract_term_months IS NULL) AND "
            "quote_line.region = $1 AND (quote_line.tenant_id, quote_line.id) > ($2, $3) ORDER BY "
            "quote_line.tenant_id, quote_line.id OFFSET 499 LIMIT 1) UNION ALL SELECT strata_s.*, "
            "strata_c.strata_n + 1 FROM strata_c, LATERAL (SELECT quote_line.tenant_id, "
            "quote_line.id FROM app.quote_line WHERE (contract_term_months IS NULL) AND "
            "quote_line.region = $1 AND (quote_line.tenant_id, quote_line.id) > "
            "(strata_c.tenant_id, strata_c.id) ORDER BY quote_line.tenant_id, quote_line.id "
            "OFFSET 499 LIMIT 1) AS strata_s WHERE strata_c.strata_n < 4) SELECT tenant_id, id, "
            "strata_n * 500 FROM strata_c ORDER BY strata_n");
  ASSERT_EQ(s.params.size(), 3u);
  EXPECT_EQ(*s.params[0], "eu");
  EXPECT_EQ(*s.params[2], "41");
}

TEST(ChunkTest, InlineQuotes) {
  BuiltSql b{"SELECT $1, $2, $10", {std::string("it's"), std::nullopt}};
  EXPECT_EQ(Inline(b), "SELECT 'it''s', NULL, $10");
}

}  // namespace
}  // namespace strata::backfill
