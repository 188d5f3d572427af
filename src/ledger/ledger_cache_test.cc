#include "ledger/ledger_cache.h"

#include "strata/options.h"

#include "ledger/ledger.h"

#include <gtest/gtest.h>

namespace strata::ledger {
namespace {

std::vector<AppliedRow> Rows(int n) {
  std::vector<AppliedRow> rows;
  std::string prev(kGenesisHash);
  for (int i = 1; i <= n; ++i) {
    AppliedRow& r = rows.emplace_back();
    r.rank = i;
    if (i != 2) r.version = std::to_string(i);  // rank 2: a repeatable (no version)
    r.description = "d" + std::to_string(i);
    r.type = i == 2 ? "SQL_REPEATABLE" : "SQL";
    r.script = "V" + std::to_string(i) + "__d.sql";
    if (i != 3) r.checksum = std::string(64, 'a');
    r.installed_by = "me";
    r.installed_on = "2026-11-21T00:00:00.000Z";
    r.execution_time_ms = 1000000000000LL + i;
    r.success = true;
    r.statements_done = i;
    if (i == 1) r.prefix_hash = "";  // empty, not absent
    if (i == 3) r.reason = "because";
    if (i == 3) r.statement_started = 7;
    r.prev_hash = prev;
    r.row_hash = RowHash(r);
    prev = r.row_hash;
  }
  return rows;
}

TEST(LedgerCache, EncodesAndDecodesEveryField) {
  auto rows = Rows(3);
  TupleFingerprint fp{3, -(static_cast<Int128>(1) << 70) + 5};
  std::string bytes = LedgerCache::Encode(fp, true, rows);
  LedgerCache::Entry e;
  ASSERT_TRUE(LedgerCache::Decode(bytes, e));
  EXPECT_EQ(e.fingerprint, fp);
  EXPECT_TRUE(e.started_column);
  ASSERT_EQ(e.rows.size(), 3u);
  for (size_t i = 0; i < rows.size(); ++i) {
    // Every field survives: the row still hashes to its own hash.
    EXPECT_EQ(RowHash(e.rows[i]), rows[i].row_hash) << i;
    EXPECT_EQ(e.rows[i].version, rows[i].version);
    EXPECT_EQ(e.rows[i].checksum, rows[i].checksum);
    EXPECT_EQ(e.rows[i].prefix_hash, rows[i].prefix_hash);
    EXPECT_EQ(e.rows[i].reason, rows[i].reason);
    EXPECT_EQ(e.rows[i].statement_started, rows[i].statement_started);
    EXPECT_EQ(e.rows[i].execution_time_ms, rows[i].execution_time_ms);
  }
}

// A damaged file is no cache: every single-byte change and every truncation is refused.
TEST(LedgerCache, RefusesADamagedFile) {
  auto rows = Rows(3);
  std::string bytes = LedgerCache::Encode({3, 42}, false, rows);
  LedgerCache::Entry e;
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    EXPECT_FALSE(LedgerCache::Decode(bad, e)) << "byte " << i;
    EXPECT_FALSE(LedgerCache::Decode(std::string_view(bytes).substr(0, i), e)) << "length " << i;
  }
  EXPECT_FALSE(LedgerCache::Decode(bytes + "x", e));
  EXPECT_FALSE(LedgerCache::Decode("", e));
}

TEST(LedgerCache, ParsesTheServersFingerprint) {
  auto parse = [](std::optional<std::string_view> count, std::optional<std::string_view> sum) {
    std::vector<db::ValueView> row{count, sum};
    return ParseFingerprint(row);
  };
  auto fp = parse("1000", "-123456789012345678901234");
  ASSERT_TRUE(fp);
  EXPECT_EQ(fp->rows, 1000);
  EXPECT_EQ(fp->sum, -(static_cast<Int128>(123456789012345LL) * 1000000000 + 678901234));
  fp = parse("0", std::nullopt);  // sum() of no rows is NULL
  ASSERT_TRUE(fp);
  EXPECT_EQ(*fp, (TupleFingerprint{0, 0}));
  EXPECT_FALSE(parse("1", "1.5"));
  EXPECT_FALSE(parse("x", "1"));
  EXPECT_FALSE(parse(std::nullopt, "1"));
}

TEST(LedgerCache, IsOffWithAnEmptyCacheDirAndForSqlite) {
  Options options;
  auto pg = db::ParseUrl("postgres://u:secret@h:5432/d");
  auto lite = db::ParseUrl("sqlite::memory:");
  ASSERT_TRUE(pg.ok() && lite.ok());
  setenv("STRATA_CACHE_DIR", "/tmp/strata-ledger-cache-test", 1);
  auto on = LedgerCache::For(options, *pg);
  EXPECT_TRUE(on.enabled());
  EXPECT_EQ(on.file().find("secret"), std::string::npos);
  EXPECT_FALSE(LedgerCache::For(options, *lite).enabled());
  options.stat_cache = false;
  EXPECT_FALSE(LedgerCache::For(options, *pg).enabled());
  options.stat_cache = true;
  setenv("STRATA_CACHE_DIR", "", 1);
  EXPECT_FALSE(LedgerCache::For(options, *pg).enabled());
  unsetenv("STRATA_CACHE_DIR");
}

}  // namespace
}  // namespace strata::ledger
