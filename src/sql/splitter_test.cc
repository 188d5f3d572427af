#include "sql/splitter.h"

#include "base/text.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace strata::sql {
namespace {

using db::Dialect;

std::vector<std::string> Texts(std::string_view sql, Dialect d = Dialect::kPostgres) {
  auto r = Split(sql, d, "t.sql");
  EXPECT_TRUE(r.ok()) << sql << "\n" << r.status().ToString();
  std::vector<std::string> out;
  if (r.ok()) {
    for (const auto& s : *r) out.emplace_back(s.text);
  }
  return out;
}

using V = std::vector<std::string>;

// --- PostgreSQL -------------------------------------------------------------------------------

TEST(SplitPostgres, DollarBodiesKeepTheirSemicolons) {
  EXPECT_EQ(Texts("CREATE FUNCTION f() RETURNS int AS $$ BEGIN PERFORM 1; RETURN 1; END $$ "
                  "LANGUAGE plpgsql;\nSELECT 1;"),
            (V{"CREATE FUNCTION f() RETURNS int AS $$ BEGIN PERFORM 1; RETURN 1; END $$ "
               "LANGUAGE plpgsql",
               "SELECT 1"}));
  // A tagged body may contain $$ and other tags; only its own tag closes it.
  EXPECT_EQ(Texts("DO $body$ BEGIN RAISE NOTICE $$a;$$; PERFORM $x$;$x$; END $body$;SELECT 2"),
            (V{"DO $body$ BEGIN RAISE NOTICE $$a;$$; PERFORM $x$;$x$; END $body$", "SELECT 2"}));
  // $1 is a parameter and a$b$ an identifier, not dollar quotes.
  EXPECT_EQ(Texts("SELECT $1; SELECT a$b$; SELECT 3"), (V{"SELECT $1", "SELECT a$b$", "SELECT 3"}));
}

TEST(SplitPostgres, NestedComments) {
  EXPECT_EQ(Texts("/* a /* b; */ c; */ SELECT 1; SELECT /* x; */ 2;"),
            (V{"/* a /* b; */ c; */ SELECT 1", "SELECT /* x; */ 2"}));
  // `--` inside a /* */ comment is not a line comment, and `/*` after an operator opens one.
  EXPECT_EQ(Texts("SELECT 1 +/* ; -- */ 2; SELECT 3"), (V{"SELECT 1 +/* ; -- */ 2", "SELECT 3"}));
}

TEST(SplitPostgres, EscapeStrings) {
  EXPECT_EQ(Texts("SELECT E'it\\'s; fine';\nSELECT e'\\\\';\nSELECT 3;"),
            (V{"SELECT E'it\\'s; fine'", "SELECT e'\\\\'", "SELECT 3"}));
  // With standard_conforming_strings on (the default) a backslash in '' is just a character.
  EXPECT_EQ(Texts("SELECT '\\'; SELECT 2"), (V{"SELECT '\\'", "SELECT 2"}));
  // '' doubles a quote in every kind of string.
  EXPECT_EQ(Texts("SELECT 'a'';b'; SELECT E'a'';b'"), (V{"SELECT 'a'';b'", "SELECT E'a'';b'"}));
  // A string continued on the next line keeps its kind: the second part is still an E'' string.
  EXPECT_EQ(Texts("SELECT E'a'\n'\\';';\nSELECT 2;"), (V{"SELECT E'a'\n'\\';'", "SELECT 2"}));
  // B'', X'' and N'' strings.
  EXPECT_EQ(Texts("SELECT B'1;', X'1;', N'a;'; SELECT 2"),
            (V{"SELECT B'1;', X'1;', N'a;'", "SELECT 2"}));
}

TEST(SplitPostgres, UnicodeStringsAndIdentifiers) {
  EXPECT_EQ(Texts("SELECT U&'d\\0061t\\+000061;';\nSELECT U&\"d;\"\"\" FROM t;\nSELECT 3"),
            (V{"SELECT U&'d\\0061t\\+000061;'", "SELECT U&\"d;\"\"\" FROM t", "SELECT 3"}));
  EXPECT_EQ(Texts("SELECT \"a;\"\"b\" FROM t; SELECT 2"),
            (V{"SELECT \"a;\"\"b\" FROM t", "SELECT 2"}));
}

TEST(SplitPostgres, StandardConformingStringsOff) {
  // After SET ... off, '' strings take backslash escapes, as psql learns from the server.
  EXPECT_EQ(Texts("SET standard_conforming_strings = off;\nSELECT 'a\\';b';\n"
                  "RESET standard_conforming_strings;\nSELECT '\\';\n"),
            (V{"SET standard_conforming_strings = off", "SELECT 'a\\';b'",
               "RESET standard_conforming_strings", "SELECT '\\'"}));
  EXPECT_EQ(Texts("set standard_conforming_strings to 'off';\nselect '\\'';"),
            (V{"set standard_conforming_strings to 'off'", "select '\\''"}));
  // psql reads the setting before each line, so the change starts on the next line.
  EXPECT_EQ(Texts("SET standard_conforming_strings = off; SELECT '\\'; SELECT 2;\n"),
            (V{"SET standard_conforming_strings = off", "SELECT '\\'", "SELECT 2"}));
}

TEST(SplitPostgres, BeginAtomicBodies) {
  EXPECT_EQ(Texts("CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n"
                  "  SELECT CASE WHEN x > 0 THEN 1 ELSE 2 END;\nEND;\nSELECT 2;"),
            (V{"CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n"
               "  SELECT CASE WHEN x > 0 THEN 1 ELSE 2 END;\nEND",
               "SELECT 2"}));
  EXPECT_EQ(Texts("create or replace procedure p() begin atomic insert into t values (1); end;"
                  "select 1"),
            (V{"create or replace procedure p() begin atomic insert into t values (1); end",
               "select 1"}));
  // Only CREATE [OR REPLACE] FUNCTION/PROCEDURE bodies nest; elsewhere BEGIN ends at `;`.
  EXPECT_EQ(Texts("BEGIN; SELECT 1; END;"), (V{"BEGIN", "SELECT 1", "END"}));
}

TEST(SplitPostgres, SemicolonInsideParenthesesDoesNotEndTheStatement) {
  // psql keeps reading until the parentheses balance; the server then reports the error.
  EXPECT_EQ(Texts("SELECT (1;\n2); SELECT 3"), (V{"SELECT (1;\n2)", "SELECT 3"}));
}

TEST(SplitPostgres, LexicallyInvalidTokensAreTheServersToReport) {
  // libpg_query's scanner refuses these; psql sends them and so does strata.
  EXPECT_EQ(Texts("SELECT 123abc; SELECT \"\" FROM t; SELECT 0x;"),
            (V{"SELECT 123abc", "SELECT \"\" FROM t", "SELECT 0x"}));
}

TEST(SplitPostgres, CopyFromStdinData) {
  auto r = Split("COPY t (a, b) FROM stdin;\n1\tx;y\n2\t'q\n\\.\nSELECT 1;\n", Dialect::kPostgres,
                 "c.sql");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].text, "COPY t (a, b) FROM stdin");
  EXPECT_TRUE((*r)[0].copy_from_stdin);
  EXPECT_EQ((*r)[0].copy_data, "1\tx;y\n2\t'q\n");
  EXPECT_EQ((*r)[1].text, "SELECT 1");
  EXPECT_EQ((*r)[1].line, 5);
  EXPECT_FALSE((*r)[1].copy_from_stdin);
  // Empty data, options after STDIN, data up to the end of the text without `\.`.
  r = Split("copy t from STDIN with (format csv);\n\\.\ncopy u from stdin;\n1\n2",
            Dialect::kPostgres, "c.sql");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].copy_data, "");
  EXPECT_TRUE((*r)[0].copy_from_stdin);
  EXPECT_EQ((*r)[1].copy_data, "1\n2");
  // COPY ... TO STDOUT and FROM a file have no inline data.
  EXPECT_EQ(Texts("COPY t TO stdout;\nCOPY t FROM '/tmp/stdin';\nSELECT 1;"),
            (V{"COPY t TO stdout", "COPY t FROM '/tmp/stdin'", "SELECT 1"}));
  // A statement on the COPY line after the `;` would run after the data in psql; refused.
  auto bad = Split("COPY t FROM stdin; SELECT 1;\n1\n\\.\n", Dialect::kPostgres, "c.sql");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().span().line, 1);
  EXPECT_EQ(bad.status().span().column, 19);
}

TEST(SplitPostgres, UnterminatedLiteralsAreErrorsAtTheirStart) {
  struct Case {
    const char* sql;
    int line, column;
    const char* what;
  };
  for (const Case& c : {
           Case{"SELECT 1;\nSELECT 'abc;\nSELECT 3;\n", 2, 8, "quoted string"},
           Case{"SELECT 1;\n\nDO $body$ BEGIN END;\n", 3, 4, "dollar-quoted string $body$"},
           Case{"SELECT 1; /* x /* y */", 1, 11, "/* comment"},
           Case{"SELECT \"abc FROM t;", 1, 8, "quoted identifier"},
           Case{"SELECT E'\\';", 1, 8, "quoted string"},
       }) {
    auto r = Split(c.sql, Dialect::kPostgres, "bad.sql");
    ASSERT_FALSE(r.ok()) << c.sql;
    EXPECT_EQ(r.status().span().file, "bad.sql");
    EXPECT_EQ(r.status().span().line, c.line) << c.sql;
    EXPECT_EQ(r.status().span().column, c.column) << c.sql;
    EXPECT_NE(r.status().message().find(c.what), std::string::npos) << r.status().message();
  }
}

// --- Both dialects ----------------------------------------------------------------------------

class SplitBoth : public ::testing::TestWithParam<Dialect> {};

TEST_P(SplitBoth, EmptyAndCommentOnlyInputs) {
  EXPECT_EQ(Texts("", GetParam()), V{});
  EXPECT_EQ(Texts("  \n\n\t", GetParam()), V{});
  EXPECT_EQ(Texts("-- a\n/* b */\n-- c\n", GetParam()), V{});
  EXPECT_EQ(Texts(";;\n;", GetParam()), V{});
}

TEST_P(SplitBoth, NoTrailingSemicolonOrNewline) {
  EXPECT_EQ(Texts("CREATE TABLE t (a int)", GetParam()), V{"CREATE TABLE t (a int)"});
  EXPECT_EQ(Texts("SELECT 1;\nSELECT 2", GetParam()), (V{"SELECT 1", "SELECT 2"}));
}

TEST_P(SplitBoth, TrailingCommentAfterTheLastStatement) {
  EXPECT_EQ(Texts("SELECT 1; -- done\n", GetParam()), V{"SELECT 1"});
  EXPECT_EQ(Texts("SELECT 1;\n-- done", GetParam()), V{"SELECT 1"});
  EXPECT_EQ(Texts("SELECT 1;\n/* done */\n", GetParam()), V{"SELECT 1"});
}

TEST_P(SplitBoth, LeadingLineCommentsAreDroppedBlockCommentsKept) {
  EXPECT_EQ(Texts("-- intro\n\nSELECT 1;\n/* why */ SELECT 2;", GetParam()),
            (V{"SELECT 1", "/* why */ SELECT 2"}));
}

TEST_P(SplitBoth, CrlfLineEndings) {
  auto r = Split("SELECT 1;\r\nSELECT\r\n 2;\r\n", GetParam(), "crlf.sql");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].text, "SELECT 1");
  EXPECT_EQ((*r)[1].text, "SELECT\r\n 2");
  EXPECT_EQ((*r)[1].line, 2);
  EXPECT_EQ((*r)[1].column, 1);
  EXPECT_EQ((*r)[1].FirstLine(), "SELECT");
}

TEST_P(SplitBoth, ByteOrderMark) {
  // Discovery strips the BOM (base::NormalizeText); Split ignores one that is left.
  std::string with_bom = "\xEF\xBB\xBFSELECT 1;\nSELECT 2;";
  auto r = Split(with_bom, GetParam(), "bom.sql");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].text, "SELECT 1");
  EXPECT_EQ((*r)[0].offset, 3u);
  std::string stripped = base::NormalizeText(with_bom);
  r = Split(stripped, GetParam(), "bom.sql");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].offset, 0u);
  EXPECT_EQ((*r)[0].column, 1);
  EXPECT_EQ((*r)[1].line, 2);
}

TEST_P(SplitBoth, LineAndColumnOfEachStatement) {
  std::string sql = "  SELECT 1;\n\n-- c\n   SELECT\n2; SELECT 'x\ny';\n\tSELECT 4";
  auto r = Split(sql, GetParam(), "pos.sql");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 4u);
  struct Want {
    size_t offset;
    int line, column;
  };
  const Want want[] = {{2, 1, 3}, {21, 4, 4}, {31, 5, 4}, {46, 7, 2}};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ((*r)[i].offset, want[i].offset) << i;
    EXPECT_EQ((*r)[i].line, want[i].line) << i;
    EXPECT_EQ((*r)[i].column, want[i].column) << i;
    EXPECT_EQ(sql.substr((*r)[i].offset, (*r)[i].text.size()), (*r)[i].text);
  }
}

TEST_P(SplitBoth, StringsWithSemicolons) {
  EXPECT_EQ(Texts("INSERT INTO t VALUES ('a;b', 'it''s;');\nSELECT 2;", GetParam()),
            (V{"INSERT INTO t VALUES ('a;b', 'it''s;')", "SELECT 2"}));
}

INSTANTIATE_TEST_SUITE_P(Dialects, SplitBoth,
                         ::testing::Values(Dialect::kPostgres, Dialect::kSqlite),
                         [](const auto& info) {
                           return info.param == Dialect::kPostgres ? "Postgres" : "Sqlite";
                         });

// --- SQLite -----------------------------------------------------------------------------------

TEST(SplitSqlite, TriggerBodiesEndAtEnd) {
  EXPECT_EQ(
      Texts("CREATE TABLE t(a);\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
            "  UPDATE t SET a = 1;\n  SELECT ';';\nEND;\nINSERT INTO t VALUES (1);",
            Dialect::kSqlite),
      (V{"CREATE TABLE t(a)",
         "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET a = 1;\n  SELECT ';';\nEND",
         "INSERT INTO t VALUES (1)"}));
  EXPECT_EQ(Texts("create temp trigger tr before delete on t begin select 1; end; select 2",
                  Dialect::kSqlite),
            (V{"create temp trigger tr before delete on t begin select 1; end", "select 2"}));
  // `END` as the end of a CASE inside a trigger does not end the trigger: `END;` does.
  EXPECT_EQ(Texts("CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT CASE WHEN 1 THEN 2 END; END;",
                  Dialect::kSqlite),
            (V{"CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT CASE WHEN 1 THEN 2 END; END"}));
  // Nested BEGIN ... END; is not SQLite; sqlite3_complete() ends the trigger at the first END;
  // (atlas-lex lexgroup/1_trigger expects the outer one; docs/formats/splitting.md).
  EXPECT_EQ(
      Texts("CREATE TRIGGER x AFTER INSERT ON t BEGIN BEGIN SELECT 1; END; END;", Dialect::kSqlite),
      (V{"CREATE TRIGGER x AFTER INSERT ON t BEGIN BEGIN SELECT 1; END", "END"}));
}

TEST(SplitSqlite, QuotesAndUnterminatedInput) {
  EXPECT_EQ(Texts("SELECT [a;b], `c;d`, \"e;f\" FROM t; SELECT 2", Dialect::kSqlite),
            (V{"SELECT [a;b], `c;d`, \"e;f\" FROM t", "SELECT 2"}));
  auto r = Split("SELECT 1;\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n SELECT 1;\n",
                 Dialect::kSqlite, "trg.sql");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().span().line, 2);
  EXPECT_EQ(r.status().span().column, 1);
  r = Split("SELECT 1;\nSELECT 'abc;\n", Dialect::kSqlite, "q.sql");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().span().line, 2);
  EXPECT_EQ(r.status().span().column, 8);
}

// Issue 14: SQLite comments do not nest. `/* ... imports/* */` is a whole comment there, and the
// statement after it is real SQL; with PostgreSQL's nesting rule it looked like an unclosed
// comment and the statement was dropped (never run, yet the migration recorded as applied).
TEST(SplitSqlite, CommentsDoNotNestSoTheStatementAfterOneIsKept) {
  EXPECT_EQ(Texts("/* copies rows from imports/* */ create table zz (a int);\nselect 1;",
                  Dialect::kSqlite),
            (V{"/* copies rows from imports/* */ create table zz (a int)", "select 1"}));
  EXPECT_EQ(Texts("-- x\n/* a /* b */ /* c */ insert into t values (1)", Dialect::kSqlite),
            (V{"/* a /* b */ /* c */ insert into t values (1)"}));
  // Only comments: nothing to send. A `*/` after a non-nested close is SQL (SQLite's to judge).
  EXPECT_EQ(Texts("/* a /* b */;\n-- c\n;", Dialect::kSqlite), V{});
  EXPECT_EQ(Texts("/* a /* b */ */;", Dialect::kSqlite), (V{"/* a /* b */ */"}));
}

TEST(SkipLeadingComments, FollowsEachDialectsCommentRules) {
  EXPECT_EQ(SkipLeadingComments("/* a /* b */ c */ x", Dialect::kPostgres), "x");
  EXPECT_EQ(SkipLeadingComments("/* a /* b */ x", Dialect::kSqlite), "x");
  EXPECT_EQ(SkipLeadingComments("/* a /* b */ x", Dialect::kPostgres), "");  // still open
  EXPECT_EQ(SkipLeadingComments("-- a\n /* b */\n\t y", Dialect::kSqlite), "y");
  EXPECT_EQ(SkipLeadingComments("/* open", Dialect::kSqlite), "");
}

// Every other "is this only comments / what is its first word" decision uses the same rule.
TEST(Classification, SqliteLeadingCommentsDoNotNest) {
  EXPECT_TRUE(IsTransactionControl("/* a /* b */ BEGIN", Dialect::kSqlite));
  EXPECT_TRUE(IsTransactionControl("/* a /* b */ commit", Dialect::kSqlite));
}

// `--` offsets of real comments only: not inside literals, identifiers, dollar bodies, /* */
// comments or COPY data. Directives are read only there (directives_test.cc).
TEST(LineCommentOffsets, OnlyRealComments) {
  auto at = [](std::string_view text, std::string_view needle) {
    std::vector<size_t> out;
    for (size_t p = text.find(needle); p != std::string_view::npos; p = text.find(needle, p + 1)) {
      out.push_back(p);
    }
    return out;
  };
  std::string pg =
      "-- one\nselect '\n-- s\n', \"-- i\", $$\n-- d\n$$, $t$ -- d $t$; /* -- b\n/* -- n */ -- b "
      "*/\n"
      "COPY t FROM stdin;\n-- data\n\\.\nselect 1 -- two\n;\n";
  std::vector<size_t> want = {pg.find("-- one"), pg.find("-- two")};
  EXPECT_EQ(LineCommentOffsets(pg, Dialect::kPostgres), want);
  std::string lite = "-- one\nselect '\n-- s\n', \"-- i\", [-- x]; /* -- b\n */ -- two\n";
  want = {lite.find("-- one"), lite.find("-- two")};
  EXPECT_EQ(LineCommentOffsets(lite, Dialect::kSqlite), want);
  // SQLite's /* */ does not nest: the second line is a comment there, not in PostgreSQL.
  std::string both = "/* a /* b */\n-- c\n*/ select 1;";
  EXPECT_EQ(LineCommentOffsets(both, Dialect::kSqlite), at(both, "-- c"));
  EXPECT_EQ(LineCommentOffsets(both, Dialect::kPostgres), std::vector<size_t>{});
  // A comment between the parts of a continued string literal is a real comment.
  std::string cont = "select 'a'\n-- c\n'b';";
  EXPECT_EQ(LineCommentOffsets(cont, Dialect::kPostgres), at(cont, "-- c"));
  // Unterminated: the comments before the open literal only.
  std::string open = "-- a\nselect 'x\n-- b\n";
  EXPECT_EQ(LineCommentOffsets(open, Dialect::kPostgres), at(open, "-- a"));
}

// --- Classification ---------------------------------------------------------------------------

TEST(IsTransactionControl, TopLevelTransactionStatementsOnly) {
  struct Case {
    const char* sql;
    bool want;
  };
  for (const Case& c : {
           Case{"BEGIN", true},
           Case{"begin transaction isolation level serializable", true},
           Case{"BEGIN IMMEDIATE", true},
           Case{"START TRANSACTION", true},
           Case{"COMMIT", true},
           Case{"COMMIT AND CHAIN", true},
           Case{"/* c */ commit", true},
           Case{"-- c\nend transaction", true},
           Case{"END", true},
           Case{"END WORK", true},
           Case{"ROLLBACK", true},
           Case{"ABORT", true},
           Case{"PREPARE TRANSACTION 'x'", true},
           Case{"BEGIN ATOMIC SELECT 1; END", false},
           Case{"END IF", false},
           Case{"END LOOP", false},
           Case{"END CASE", false},
           Case{"ROLLBACK TO SAVEPOINT a", false},
           Case{"ROLLBACK TO a", false},
           Case{"ROLLBACK WORK TO SAVEPOINT a", false},
           Case{"COMMIT PREPARED 'x'", false},
           Case{"ROLLBACK PREPARED 'x'", false},
           Case{"SAVEPOINT a", false},
           Case{"RELEASE SAVEPOINT a", false},
           Case{"PREPARE q AS SELECT 1", false},
           Case{"START", false},
           Case{"CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END", false},
           Case{"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END", false},
           Case{"DO $$ BEGIN COMMIT; END $$", false},
       }) {
    EXPECT_EQ(IsTransactionControl(c.sql), c.want) << c.sql;
  }
}

// --- Performance ------------------------------------------------------------------------------

// Splitting is one pass over the text. 20 MB (issue 2's large-file case) must split in well under
// a second on the reference machine; the bound here is loose so a slow CI box passes, while a
// quadratic splitter (minutes) fails. The measured rate is printed (docs/formats/splitting.md).
TEST(SplitPerformance, TwentyMegabytesIsLinear) {
  // One statement of several MB with many semicolons inside a string, too.
  std::string one = "SELECT '" + std::string(4u << 20, ';') + "';\n";
  for (Dialect d : {Dialect::kPostgres, Dialect::kSqlite}) {
    const std::string unit =
        d == Dialect::kPostgres
            ? "INSERT INTO quote_line (id, note, body) VALUES (1, 'a;b', $$x;y$$); -- c\n"
              "/* block; */ UPDATE quote_line SET note = E'it\\'s' WHERE id = 1;\n"
            : "INSERT INTO quote_line (id, note, body) VALUES (1, 'a;b', 'x;y'); -- c\n"
              "/* block; */ UPDATE quote_line SET note = 'it''s' WHERE id = 1;\n";
    std::string big;
    big.reserve(21u << 20);
    while (big.size() < (20u << 20)) big += unit;
    auto t0 = std::chrono::steady_clock::now();
    auto r = Split(big, d, "big.sql");
    auto t1 = std::chrono::steady_clock::now();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->size(), 2 * (big.size() / unit.size()));
    auto r2 = Split(one, d, "one.sql");
    auto t2 = std::chrono::steady_clock::now();
    ASSERT_TRUE(r2.ok());
    EXPECT_EQ(r2->size(), 1u);
    double s = std::chrono::duration<double>(t1 - t0).count();
    double s2 = std::chrono::duration<double>(t2 - t1).count();
    std::printf("split %s: %.1f MB in %.3f s (%.0f MB/s); one 4 MB statement in %.3f s\n",
                d == Dialect::kPostgres ? "postgres" : "sqlite", big.size() / 1048576.0, s,
                big.size() / 1048576.0 / s, s2);
    EXPECT_LT(s, 10.0);
    EXPECT_LT(s2, 5.0);
  }
}

}  // namespace
}  // namespace strata::sql
