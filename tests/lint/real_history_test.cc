// Issue 16, "Lint that real projects can live with": false findings seen on real histories,
// each pinned with the message a user reads. The per-rule good/bad cases are in the rules'
// .test files; this file holds what needs a message, live catalog data or several rules.
#include "lint/linter.h"
#include "lint/render.h"

#include <gtest/gtest.h>

namespace strata::lint {
namespace {

LintInput In(const std::string& script, const std::string& sql, bool pending = true) {
  return {"db/migration/" + script, script, sql, pending, false, ""};
}

std::vector<const Finding*> Of(const LintResult& r, const std::string& id) {
  std::vector<const Finding*> out;
  for (const auto& f : r.findings) {
    if (f.rule_id == id && !f.suppressed) out.push_back(&f);
  }
  return out;
}

// A lock name that starts with a vowel takes "an": "takes an ACCESS EXCLUSIVE lock".
TEST(RealHistory, LockNamesTakeTheRightArticle) {
  LintConfig config;
  auto r = Lint({In("V1__t.sql",
                    "ALTER TABLE orders ALTER COLUMN total TYPE numeric(20,2);\n"
                    "REINDEX INDEX orders_total;\n")},
                config);
  std::string text = RenderText(r, Severity::kInfo);
  EXPECT_EQ(text.find(" a ACCESS"), std::string::npos) << text;
  EXPECT_EQ(text.find(" a EXCLUSIVE"), std::string::npos) << text;
  EXPECT_NE(text.find("holds an ACCESS EXCLUSIVE lock on `orders`"), std::string::npos) << text;
  EXPECT_NE(text.find("takes an ACCESS EXCLUSIVE lock"), std::string::npos) << text;
}

// `CREATE INDEX ON t (c)` is named t_c_idx by PostgreSQL; a later DROP INDEX t_c_idx locks t,
// and the finding says so.
TEST(RealHistory, DropIndexOfAGeneratedNameNamesItsTable) {
  LintConfig config;
  auto r = Lint({In("V1__orders.sql",
                    "CREATE TABLE orders (id bigint, customer_id bigint, created_at timestamptz);\n"
                    "CREATE INDEX ON orders (customer_id, created_at);\n",
                    false),
                 In("V2__drop.sql", "DROP INDEX orders_customer_id_created_at_idx;\n")},
                config);
  auto lk = Of(r, "LK102");
  ASSERT_EQ(lk.size(), 1u);
  EXPECT_NE(lk[0]->message.find("the index's table `orders`"), std::string::npos) << lk[0]->message;
  // An index nobody told the linter about is named as an index, not as a table.
  auto unknown = Lint({In("V1__drop.sql", "DROP INDEX mystery_idx;\n")}, config);
  auto lk2 = Of(unknown, "LK102");
  ASSERT_EQ(lk2.size(), 1u);
  EXPECT_NE(lk2[0]->message.find("the table of index `mystery_idx`"), std::string::npos)
      << lk2[0]->message;
}

// With the live catalog: the index resolves to its table, whose size escalates the warning.
TEST(RealHistory, DropIndexIsJudgedByItsTablesLiveSize) {
  LintConfig config;
  LiveInfo live;
  live.server_major = 15;
  live.tables["orders"] = TableStats{50'000'000, 8LL << 30};
  live.indexes["orders_customer_idx"] = analysis::TableRef{"", "orders"};
  auto r = Lint({In("V1__drop.sql", "DROP INDEX orders_customer_idx;\n")}, config, &live);
  auto lk = Of(r, "LK102");
  ASSERT_EQ(lk.size(), 1u);
  EXPECT_EQ(lk[0]->severity, Severity::kError);
  EXPECT_TRUE(lk[0]->escalated);
  EXPECT_NE(lk[0]->size_note.find("orders: ~50,000,000 rows"), std::string::npos)
      << lk[0]->size_note;
}

// DROP TABLE IF EXISTS of a table the live catalog does not hold drops nothing; one it holds is
// still reported.
TEST(RealHistory, DropTableIfExistsOfAnAbsentTableIsNotABreakingChange) {
  LintConfig config;
  LiveInfo live;
  live.server_major = 15;
  live.tables["orders"] = TableStats{10, 8192};
  auto r = Lint({In("V1__cleanup.sql",
                    "DROP TABLE IF EXISTS legacy_sessions;\nDROP TABLE IF EXISTS orders;\n")},
                config, &live);
  auto bc = Of(r, "BC105");
  ASSERT_EQ(bc.size(), 1u);
  EXPECT_EQ(bc[0]->line, 2);
  // Without a live catalog nothing says the table is absent: both are reported.
  auto r2 = Lint({In("V1__cleanup.sql",
                     "DROP TABLE IF EXISTS legacy_sessions;\nDROP TABLE IF EXISTS orders;\n")},
                 config);
  EXPECT_EQ(Of(r2, "BC105").size(), 2u);
}

// With the live catalog, ALTER COLUMN TYPE of an existing column is judged against its real
// type: widening varchar(64) to varchar(128) changes the catalog only (temporal v1.5, v1.8).
TEST(RealHistory, WideningAnExistingVarcharIsNotARewrite) {
  LintConfig config;
  LiveInfo live;
  live.server_major = 15;
  live.tables["cluster_membership"] = TableStats{10, 8192};
  LiveInfo::Column col;
  col.table = analysis::TableRef{"", "cluster_membership"};
  col.name = "rpc_address";
  col.info.type = "varchar";
  col.info.mods = {64};
  live.columns.push_back(col);
  auto r =
      Lint({In("V1__widen.sql",
               "ALTER TABLE cluster_membership ALTER COLUMN rpc_address TYPE VARCHAR(128);\n")},
           config, &live);
  EXPECT_TRUE(Of(r, "CL104").empty()) << RenderText(r, Severity::kInfo);
  // Narrowing it is a rewrite (and a check of every value).
  auto narrow = Lint({In("V1__narrow.sql",
                         "ALTER TABLE cluster_membership ALTER COLUMN rpc_address TYPE "
                         "VARCHAR(32);\n")},
                     config, &live);
  EXPECT_EQ(Of(narrow, "CL104").size(), 1u);
}

// ST104 on view columns PostgreSQL names after the casted column.
TEST(RealHistory, ViewOfCastsHasNoDuplicateColumns) {
  LintConfig config;
  auto r = Lint({In("V1__v.sql",
                    "CREATE VIEW v AS SELECT a::varchar, b::varchar, (SELECT max(x) FROM u), "
                    "(SELECT min(y) FROM u) FROM t;\n"
                    "ALTER TABLE t ALTER COLUMN a TYPE text, ALTER COLUMN b TYPE text;\n")},
                config);
  EXPECT_TRUE(Of(r, "ST104").empty()) << RenderText(r, Severity::kInfo);
}

}  // namespace
}  // namespace strata::lint
