// CheckFragment on both dialects: what a file may splice into strata's statements (issue 14).
#include "analysis/fragment.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace strata::analysis {
namespace {

using db::Dialect;
using K = FragmentKind;

struct Case {
  K kind;
  std::string text;
  bool pg_ok;
  bool sqlite_ok;
  std::string refusal;  // a part of the message when refused (on the dialects that refuse)
};

const std::vector<Case> kCases = {
    // Accepted: ordinary predicates, with quoted punctuation and comments.
    {K::kExpression, "state = 'BROKEN'", true, true, ""},
    {K::kExpression, "a = ';' and b = ')' and \"odd;name)\" is null", true, true, ""},
    {K::kExpression, "state = 'X' -- why\n", true, true, ""},
    {K::kExpression,
     "id in (select id from t) and (select pg_catalog.set_config('x','y',false)) is not null", true,
     true, ""},
    {K::kExpression, "exists (select 1 from t where t.a = b)", true, true, ""},
    // PostgreSQL reads $$ ) ; $$ as one string; SQLite has no dollar quoting ($ is a parameter).
    {K::kExpression, "x = $$ ) ; $$", true, false, "bind parameter"},
    // The injection: end strata's statement, drop a table, reopen a parenthesis.
    {K::kExpression, "state='BROKEN') ; DROP TABLE canary; SELECT (1", false, false,
     "closes a parenthesis"},
    {K::kExpression, "1=1; DROP TABLE canary", false, false, "would end the statement"},
    // Leaving the wrapper without a `;`: `(a) OR (b) AND key > $1` would escape chunk bounds.
    {K::kExpression, "a) OR (b", false, false, "closes a parenthesis"},
    {K::kExpression, "(a", false, false, "never closed"},
    {K::kExpression, "x = 1 /* unterminated", false, false, "unterminated"},
    {K::kExpression, "x = 'unterminated", false, false, "unterminated"},
    {K::kExpression, "x = $1", false, false, "bind parameter"},
    {K::kExpression, "x = ?", false, false, ""},
    {K::kExpression, "   -- only a comment", false, false, "empty"},
    {K::kExpression, std::string("x = 1\0; DROP TABLE canary", 25), false, false, "NUL"},
    // PostgreSQL's E'' string: a naive quote scan thinks the `;` is quoted.
    // (SQLite reads it as E followed by one string: a syntax error there, nothing runs.)
    {K::kExpression, "x = E'\\'' ; DROP TABLE canary; --'", false, true, ""},
    // SQLite's blob X'': a naive scan sees a doubled quote and thinks the rest is quoted.
    {K::kExpression, "x = x''; DROP TABLE canary; SELECT '", false, false, ""},
    // SQLite's [name] quoting holds a `)`; PostgreSQL has no such quoting.
    {K::kExpression, "[a)b] = 1", false, true, ""},
    // Data-modifying statements inside an accepted shape.
    {K::kExpression,
     "id in (with d as (insert into canary values (1) returning id) select id from d)", false,
     false, "data-modifying"},
    {K::kExpression, "x = 1 and (select 1 for update) = 1", false, false, "UPDATE"},
    // SET lists.
    {K::kAssignments, "contract_term_months = 12, note = 'a;b'", true, true, ""},
    {K::kAssignments, "x = 1 FROM canary", false, false, "FROM"},
    {K::kAssignments, "x = 1 WHERE true OR (1 = 1)", false, false, "WHERE"},
    {K::kAssignments, "x = 1 RETURNING *", false, false, "RETURNING"},
    // FROM lists.
    {K::kFromList, "quote_revision qr", true, true, ""},
    {K::kFromList, "a JOIN b ON a.id = b.a_id", true, true, ""},
    {K::kFromList, "t WHERE true", false, false, "WHERE"},
    // Queries.
    {K::kQuery, "SELECT count(*) FROM t WHERE c IS NULL;", true, true, ""},
    {K::kQuery, "WITH x AS (SELECT 1 AS a) SELECT count(*) FROM x", true, true, ""},
    {K::kQuery, "VALUES (1)", true, true, ""},
    {K::kQuery, "SELECT 1; DROP TABLE canary", false, false, "would end the statement"},
    {K::kQuery, "DROP TABLE canary", false, false, ""},
    {K::kQuery, "INSERT INTO canary VALUES (1) RETURNING 1", false, false, ""},
    {K::kQuery, "WITH d AS (DELETE FROM canary RETURNING 1) SELECT count(*) FROM d", false, false,
     "data-modifying"},
    {K::kQuery, "SELECT * INTO copy_of_t FROM t", false, true, "SELECT INTO"},
    {K::kQuery, "SELECT 1 FROM t FOR UPDATE", false, false, "UPDATE"},
};

TEST(FragmentTest, AcceptsOnlyTheOnePieceItIsMeantToBe) {
  for (const auto& c : kCases) {
    for (Dialect d : {Dialect::kPostgres, Dialect::kSqlite}) {
      const bool want = d == Dialect::kPostgres ? c.pg_ok : c.sqlite_ok;
      Status s = CheckFragment(c.text, c.kind, d);
      EXPECT_EQ(s.ok(), want) << db::DialectName(d) << ": " << c.text << "\n" << s.ToString();
      if (!want && !s.ok()) {
        EXPECT_EQ(s.code(), ErrorCode::kValidation);
        EXPECT_NE(s.message().find("expected " + std::string(FragmentExpected(c.kind))),
                  std::string::npos)
            << s.message();
        if (!c.refusal.empty()) {
          EXPECT_NE(s.message().find(c.refusal), std::string::npos)
              << db::DialectName(d) << ": " << c.text << "\n"
              << s.message();
        }
      }
    }
  }
}

}  // namespace
}  // namespace strata::analysis
