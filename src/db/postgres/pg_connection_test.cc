// The PostgreSQL driver against the test harness's private cluster.
#include "db/postgres/pg_connection.h"

#include "support/pg_cluster.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace strata::db {
namespace {

std::unique_ptr<Connection> Open() {
  auto url = ParseUrl(testing::PgCluster::Get().CreateDatabase("pgconn"));
  EXPECT_TRUE(url.ok());
  auto c = Connect(*url, "pg_connection_test");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c ? std::move(*c) : nullptr;
}

// QuoteLiteral and QuoteIdent: a value with quotes, a backslash, a newline and non-ASCII text
// comes back from the server unchanged, and a literal cannot end the statement early.
TEST(PgConnection, QuotedLiteralsAndNamesRoundTrip) {
  STRATA_REQUIRE_POSTGRES();
  auto c = Open();
  ASSERT_NE(c, nullptr);
  const std::string value = "it's '' a \\'; DROP TABLE t; --\nnaïve";
  auto r = c->Query(fmt::format("SELECT {} AS {}", QuoteLiteral(value), QuoteIdent("a\"b")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->columns[0], "a\"b");
  EXPECT_EQ(r->rows[0][0], value);
}

// A database whose default turns standard_conforming_strings off (a backslash then escapes the
// quote after it): strata's session turns it back on, so the same literal still round-trips and
// cannot end early — through the first query carrying the setup and through a later one.
TEST(PgConnection, QuotedLiteralsStayLiteralWhereStandardStringsAreOff) {
  STRATA_REQUIRE_POSTGRES();
  const std::string raw = testing::PgCluster::Get().CreateDatabase("scs_off");
  const std::string db = raw.substr(raw.rfind('/') + 1);
  testing::PgCluster::Query(
      raw, "ALTER DATABASE " + QuoteIdent(db) + " SET standard_conforming_strings = off");
  ASSERT_EQ(testing::PgCluster::Query(raw, "SHOW standard_conforming_strings"), "off");
  auto url = ParseUrl(raw);
  ASSERT_TRUE(url.ok());
  auto c = Connect(*url, "pg_connection_test");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const std::string value = "x\\'; SELECT 'injected";
  for (int i = 0; i < 2; ++i) {
    std::vector<std::string> got;
    Status s = (*c)->QueryRows(fmt::format("SELECT {}", QuoteLiteral(value)), {},
                               [&](std::span<const ValueView> row) { got.emplace_back(*row[0]); });
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], value);
  }
  auto setting = (*c)->Query("SHOW standard_conforming_strings");
  ASSERT_TRUE(setting.ok());
  EXPECT_EQ(setting->rows[0][0], "on");
  // A batch of queries carrying both setup statements: each query's rows reach its own callback.
  auto b = Connect(*url, "pg_connection_test");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  std::vector<RowQuery> queries(2);
  std::string first, second;
  queries[0].sql = fmt::format("SELECT {}", QuoteLiteral(value));
  queries[0].fn = [&](std::span<const ValueView> row) { first = std::string(*row[0]); };
  queries[1].sql = "SELECT current_setting('standard_conforming_strings')";
  queries[1].fn = [&](std::span<const ValueView> row) { second = std::string(*row[0]); };
  Status s = (*b)->QueryRowsEach(queries, nullptr);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(first, value);
  EXPECT_EQ(second, "on");
}

// QueryRows hands rows over as they arrive (single-row mode): every row in order, NULLs as
// absent values, parameters bound; a statement that fails after some rows reports the error
// (the rows before it were delivered), and the connection is ready for the next query.
TEST(PgConnection, QueryRowsStreamsRowsAndRecoversFromAnErrorMidway) {
  STRATA_REQUIRE_POSTGRES();
  auto c = Open();
  ASSERT_NE(c, nullptr);
  std::vector<std::string> got;
  Status s = c->QueryRows(
      "SELECT g, CASE WHEN g % 2 = 0 THEN NULL ELSE 'odd' END FROM generate_series(1, $1::int) g",
      {std::string("2000")}, [&](std::span<const ValueView> row) {
        got.push_back(std::string(*row[0]) + ":" + (row[1] ? std::string(*row[1]) : "null"));
      });
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(got.size(), 2000u);
  EXPECT_EQ(got[0], "1:odd");
  EXPECT_EQ(got[1], "2:null");
  EXPECT_EQ(got[1999], "2000:null");

  got.clear();
  s = c->QueryRows("SELECT 10 / (5 - g) FROM generate_series(1, 10) g", {},
                   [&](std::span<const ValueView> row) { got.emplace_back(*row[0]); });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.sqlstate(), "22012") << s.ToString();
  EXPECT_EQ(got, (std::vector<std::string>{"2", "3", "5", "10"}));
  auto after = c->Query("SELECT 41 + 1");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->rows[0][0], "42");

  // Not a query: no rows, no error.
  got.clear();
  s = c->QueryRows("SET application_name = 'x'", {},
                   [&](std::span<const ValueView>) { got.emplace_back("row"); });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(got.empty());
}

// QueryRowsEach (migrate's ledger and anchor reads in one round trip): each query's rows go to
// its own callback, in order, also when the first carries the session setup and when a query
// returns no rows; a failing later query reports its index after the earlier ones delivered all
// their rows; a failing first query runs nothing after it; the connection stays usable.
TEST(PgConnection, QueryRowsEachSendsReadsTogetherAndReportsWhichFailed) {
  STRATA_REQUIRE_POSTGRES();
  auto c = Open();
  ASSERT_NE(c, nullptr);
  std::vector<std::string> a, b, z;
  auto into = [](std::vector<std::string>& v) {
    return [&v](std::span<const ValueView> row) { v.emplace_back(row[0] ? *row[0] : "null"); };
  };
  size_t failed = 99;
  Status s = c->QueryRowsEach({{"SELECT g FROM generate_series(1, 1000) g", into(a)},
                               {"SELECT 1 WHERE false", into(z)},
                               {"SELECT 'x' UNION ALL SELECT NULL", into(b)}},
                              &failed);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(a.size(), 1000u);
  EXPECT_EQ(a.front(), "1");
  EXPECT_EQ(a.back(), "1000");
  EXPECT_TRUE(z.empty());
  EXPECT_EQ(b, (std::vector<std::string>{"x", "null"}));
  auto interval = c->Query("SHOW client_connection_check_interval");
  ASSERT_TRUE(interval.ok()) << interval.status().ToString();
  EXPECT_EQ(interval->rows[0][0], "1s");  // the setup went with the first message and held

  a.clear();
  b.clear();
  s = c->QueryRowsEach({{"SELECT 7", into(a)}, {"SELECT * FROM no_such_table", into(b)}}, &failed);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(failed, 1u);
  EXPECT_EQ(s.sqlstate(), "42P01") << s.ToString();
  EXPECT_EQ(a, (std::vector<std::string>{"7"}));

  a.clear();
  b.clear();
  s = c->QueryRowsEach({{"SELECT * FROM no_such_table", into(a)}, {"SELECT 8", into(b)}}, &failed);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(failed, 0u);
  EXPECT_TRUE(b.empty());
  auto after = c->Query("SELECT 41 + 1");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->rows[0][0], "42");
}

// client_connection_check_interval (what lets the server notice a killed runner) is in force
// before any statement of the session has run, whether the first statement carries it (a
// parameterless QueryRows), fails while carrying it (the failed query rolled it back), or
// cannot carry it (parameters, batches).
TEST(PgConnection, TheConnectionCheckIsSetBeforeAnythingRuns) {
  STRATA_REQUIRE_POSTGRES();
  auto interval = [](Connection& c) {
    auto r = c.Query("SELECT current_setting('client_connection_check_interval')");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && !r->rows.empty() && r->rows[0][0] ? *r->rows[0][0] : std::string("?");
  };
  {  // carried by the first query
    auto c = Open();
    ASSERT_NE(c, nullptr);
    std::string seen;
    Status s = c->QueryRows("SELECT current_setting('client_connection_check_interval')", {},
                            [&](std::span<const ValueView> row) { seen = std::string(*row[0]); });
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(seen, "1s");
    EXPECT_EQ(interval(*c), "1s");
  }
  {  // the first query fails: set again before the next
    auto c = Open();
    ASSERT_NE(c, nullptr);
    Status s = c->QueryRows("SELECT * FROM strata_no_such_table", {}, [](auto) {});
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.ToString().find("strata_no_such_table"), std::string::npos) << s.ToString();
    EXPECT_EQ(interval(*c), "1s");
  }
  {  // the first statements cannot carry it
    auto c = Open();
    ASSERT_NE(c, nullptr);
    BatchResult b =
        c->ExecBatch({"CREATE TABLE t (v text)",
                      "INSERT INTO t SELECT current_setting('client_connection_check_interval')"},
                     /*pipeline=*/true);
    ASSERT_TRUE(b.status.ok()) << b.status.ToString();
    auto r = c->Query("SELECT v FROM t");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r->rows[0][0], "1s");
  }
}

// ExecBatchKeeping: the kept statements' rows come back with the batch, pipelined or one by
// one, and a failure stops the batch with only the rows of the statements before it.
TEST(PgConnection, ExecBatchKeepingReturnsTheKeptStatementsRows) {
  for (bool pipeline : {true, false}) {
    auto c = Open();
    ASSERT_NE(c, nullptr);
    BatchResult b = c->ExecBatchKeeping(
        {"BEGIN", "CREATE TABLE k (v int)", "SELECT count(*) FROM k",
         "INSERT INTO k VALUES (1), (2)", "SELECT v FROM k ORDER BY v", "COMMIT"},
        pipeline, {false, false, true, false, true, false});
    ASSERT_TRUE(b.status.ok()) << b.status.ToString();
    EXPECT_EQ(b.rows_affected.size(), 6u);
    EXPECT_EQ(b.rows_affected[3], 2);
    ASSERT_EQ(b.kept.size(), 2u) << pipeline;
    EXPECT_EQ(*b.kept[0].rows.at(0)[0], "0");
    ASSERT_EQ(b.kept[1].rows.size(), 2u);
    EXPECT_EQ(*b.kept[1].rows[1][0], "2");

    BatchResult f = c->ExecBatchKeeping(
        {"BEGIN", "SELECT 7", "SELECT * FROM strata_no_such_table", "SELECT 8", "COMMIT"}, pipeline,
        {false, true, false, true, false});
    EXPECT_FALSE(f.status.ok());
    EXPECT_EQ(f.failed_index, 2u);
    ASSERT_EQ(f.kept.size(), 1u);
    EXPECT_EQ(*f.kept[0].rows.at(0)[0], "7");
    (void)c->Exec("ROLLBACK");
  }
}

}  // namespace
}  // namespace strata::db
