// Job file parsing and validation: every mistake names the file, the line and the field.
#include "backfill/job.h"

#include <gtest/gtest.h>

namespace strata::backfill {
namespace {

constexpr const char* kGood = R"(
description = "seed 000 contract term"
table = "quote_line"
key = "id"
where = "quote_line.contract_term_months IS NULL"
set = "contract_term_months = qr.contract_term_months"
from = "quote_revision qr"
join = "qr.id = quote_line.quote_revision_id"

[chunk]
size = 500
target_duration = "200ms"

[throttle]
max_rows_per_second = 5000
lock_timeout = "1s"

[failures]
max_failures = 10
max_failure_ratio = 0.05
reconnect_attempts = 4
reconnect_backoff = "250ms"

[verify]
query = "SELECT count(*) FROM quote_line WHERE contract_term_months IS NULL"
expect = 0
)";

TEST(JobTest, ParsesAFullJob) {
  auto j = ParseJob(kGood, "db/backfill/ct.toml", "ct");
  ASSERT_TRUE(j.ok()) << j.error().ToString();
  EXPECT_EQ(j->table, "quote_line");
  ASSERT_EQ(j->key.size(), 1u);
  EXPECT_EQ(j->chunk_size, 500);
  EXPECT_EQ(j->target_duration.count(), 200);
  EXPECT_EQ(j->max_rows_per_second, 5000);
  EXPECT_EQ(j->lock_timeout.count(), 1000);
  EXPECT_EQ(j->max_failures, 10);
  EXPECT_DOUBLE_EQ(j->max_failure_ratio, 0.05);
  EXPECT_EQ(j->reconnect_attempts, 4);
  EXPECT_EQ(j->reconnect_backoff.count(), 250);
  EXPECT_EQ(j->verify_expect, "0");
  EXPECT_EQ(j->checksum.size(), 64u);
}

// chunk.workers: concurrent chunk transactions, 4 unless the file says otherwise, 1..16.
TEST(JobTest, WorkersDefaultAndRange) {
  EXPECT_EQ(ParseJob(kGood, "a", "a")->workers, 4);
  std::string three = std::string(kGood);
  three.replace(three.find("size = 500"), 10, "size = 500\nworkers = 3");
  auto j = ParseJob(three, "a", "a");
  ASSERT_TRUE(j.ok()) << j.error().ToString();
  EXPECT_EQ(j->workers, 3);
  std::string zero = std::string(kGood);
  zero.replace(zero.find("size = 500"), 10, "size = 500\nworkers = 0");
  auto bad = ParseJob(zero, "db/backfill/ct.toml", "ct");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().ToString().find("chunk.workers"), std::string::npos)
      << bad.error().ToString();
}

TEST(JobTest, ChecksumIgnoresLineEndings) {
  std::string crlf;
  for (char c : std::string(kGood)) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  EXPECT_EQ(ParseJob(kGood, "a", "a")->checksum, ParseJob(crlf, "a", "a")->checksum);
}

struct BadCase {
  const char* name;
  std::string text;
  std::string expect_in_message;
  int line;  // 0: any
};

TEST(JobTest, EveryMistakeNamesTheField) {
  std::string base = "table = \"t\"\nkey = \"id\"\nwhere = \"v IS NULL\"\nset = \"v = 1\"\n";
  std::vector<BadCase> cases = {
      {"unknown top-level", base + "chunk_sise = 3\n", "unknown key `chunk_sise`", 5},
      {"unknown nested", base + "[chunk]\nsise = 3\n", "unknown key `chunk.sise`", 6},
      {"bad duration", base + "[chunk]\ntarget_duration = \"fast\"\n", "chunk.target_duration", 6},
      {"negative size", base + "[chunk]\nsize = 0\n", "chunk.size", 6},
      {"missing where", "table = \"t\"\nkey = \"id\"\nset = \"v = 1\"\n", "`where`", 0},
      {"missing set", "table = \"t\"\nkey = \"id\"\nwhere = \"v IS NULL\"\n", "`set`", 0},
      {"from without join", base + "from = \"u\"\n", "`from` needs `join`", 5},
      {"join without from", base + "join = \"u.id = t.id\"\n", "`join`", 5},
      {"two statements",
       "table = \"t\"\nkey = \"id\"\nwhere = \"v IS NULL\"\nset = \"v = 1; DROP TABLE t\"\n",
       "`set` must be one SQL expression", 4},
      {"bad table", "table = \"t; x\"\n", "`table`", 1},
      {"bad key", "table = \"t\"\nkey = [1]\n", "`key`", 2},
      {"ratio out of range", base + "[failures]\nmax_failure_ratio = 2.0\n",
       "failures.max_failure_ratio", 6},
      {"reconnect attempts out of range", base + "[failures]\nreconnect_attempts = -1\n",
       "failures.reconnect_attempts", 6},
      {"bad reconnect backoff", base + "[failures]\nreconnect_backoff = \"soon\"\n",
       "failures.reconnect_backoff", 6},
      {"verify without expect", base + "[verify]\nquery = \"SELECT 1\"\n", "needs `expect`", 5},
      {"bad toml", "table = \n", "invalid TOML", 1},
  };
  for (const auto& c : cases) {
    auto j = ParseJob(c.text, "db/backfill/x.toml", "x");
    ASSERT_FALSE(j.ok()) << c.name;
    EXPECT_EQ(j.error().code(), ErrorCode::kConfig) << c.name;
    EXPECT_NE(j.error().message().find(c.expect_in_message), std::string::npos)
        << c.name << ": " << j.error().message();
    EXPECT_EQ(j.error().span().file, "db/backfill/x.toml") << c.name;
    if (c.line) {
      EXPECT_EQ(j.error().span().line, c.line) << c.name << ": " << j.error().ToString();
    }
  }
}

TEST(JobTest, SuggestsTheNearestField) {
  auto j = ParseJob("table = \"t\"\n[throttle]\nmax_row_per_second = 5\n", "x.toml", "x");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.error().hint().find("max_rows_per_second"), std::string::npos) << j.error().hint();
}

TEST(JobTest, RejectsBadJobNames) {
  auto j = ParseJob(kGood, "db/backfill/a b.toml", "a b");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.error().message().find("job name"), std::string::npos);
}

// kind = "delete": a chunked, resumable purge. It needs `where` and takes no `set`/`from`.
TEST(JobTest, DeleteJobs) {
  auto j = ParseJob(
      "kind = \"delete\"\ntable = \"outbox_event\"\nkey = \"id\"\n"
      "where = \"published_at IS NOT NULL\"\n",
      "db/backfill/purge.toml", "purge");
  ASSERT_TRUE(j.ok()) << j.error().ToString();
  EXPECT_EQ(j->kind, JobKind::kDelete);
  EXPECT_STREQ(KindName(j->kind), "delete");
  EXPECT_TRUE(j->set.empty());
  EXPECT_EQ(j->kind_at.line, 1);
  auto upd = ParseJob(kGood, "a", "a");
  ASSERT_TRUE(upd.ok());
  EXPECT_EQ(upd->kind, JobKind::kUpdate);

  auto with_set =
      ParseJob("kind = \"delete\"\ntable = \"t\"\nkey = \"id\"\nwhere = \"x\"\nset = \"a = 1\"\n",
               "db/backfill/p.toml", "p");
  ASSERT_FALSE(with_set.ok());
  EXPECT_NE(with_set.error().message().find("has no `set`"), std::string::npos)
      << with_set.error().ToString();
  EXPECT_EQ(with_set.error().span().line, 5);

  auto no_where =
      ParseJob("kind = \"delete\"\ntable = \"t\"\nkey = \"id\"\n", "db/backfill/p.toml", "p");
  ASSERT_FALSE(no_where.ok());
  EXPECT_NE(no_where.error().message().find("`where`"), std::string::npos);
  EXPECT_NE(no_where.error().hint().find("never deletes a whole table"), std::string::npos);

  auto joined = ParseJob(
      "kind = \"delete\"\ntable = \"t\"\nkey = \"id\"\nwhere = \"x\"\nfrom = \"u\"\n"
      "join = \"u.id = t.u_id\"\n",
      "db/backfill/p.toml", "p");
  ASSERT_FALSE(joined.ok());
  EXPECT_NE(joined.error().hint().find("EXISTS"), std::string::npos);

  auto bad = ParseJob("kind = \"purge\"\ntable = \"t\"\nkey = \"id\"\nwhere = \"x\"\n",
                      "db/backfill/p.toml", "p");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("`kind` = \"purge\""), std::string::npos);
  EXPECT_EQ(bad.error().span().line, 1);
}

TEST(JobTest, MaxLockWait) {
  auto j = ParseJob(
      "table = \"t\"\nkey = \"id\"\nwhere = \"x\"\nset = \"a = 1\"\n[throttle]\n"
      "max_lock_wait = \"50ms\"\n",
      "a", "a");
  ASSERT_TRUE(j.ok()) << j.error().ToString();
  EXPECT_EQ(j->max_lock_wait.count(), 50);
  EXPECT_EQ(ParseJob(kGood, "a", "a")->max_lock_wait.count(), 200);
}

}  // namespace
}  // namespace strata::backfill
