// The check-block parser and the expectation language: table-driven cases, plus fuzz-ish
// malformed input (every prefix, random byte flips) that must give an error or a parse —
// never a crash.
#include "verify/checks.h"

#include "verify/mutate_test_util.h"

#include <gtest/gtest.h>

#include <random>

namespace strata::verify {
namespace {

struct ExpCase {
  const char* text;
  bool ok;
  const char* source_or_error;  // normalised source when ok, a substring of the error else
};

TEST(Expectation, Language) {
  const ExpCase cases[] = {
      {"= 0", true, "= 0"},
      {"=0", true, "= 0"},
      {"== 3", true, "= 3"},
      {"> 0", true, "> 0"},
      {">= -2.5", true, ">= -2.5"},
      {"<> 7", true, "!= 7"},
      {"!= 7", true, "!= 7"},
      {"< 10", true, "< 10"},
      {"<= 1e3", true, "<= 1000"},
      {"between 1 and 5", true, "between 1 and 5"},
      {"BETWEEN  1   AND 5", true, "between 1 and 5"},
      {"= rows affected", true, "= rows affected"},
      {"=  Rows   Affected", true, "= rows affected"},
      {"= lines_before", true, "= lines_before"},
      {"= 'NO'", true, "= 'NO'"},
      {"!= 'it''s'", true, "!= 'it''s'"},
      {"", true, ""},
      {"0", false, "is not an expectation"},
      {"=", false, "needs something to compare with"},
      {"between 5 and 1", false, "low bound is above the high bound"},
      {"between 1", false, "between <low> and <high>"},
      {"between a and b", false, "must be numbers"},
      {"> 'x'", false, "text can only be compared with = or !="},
      {"= 'open", false, "unterminated"},
      {"= 1 2", false, "cannot compare with"},
      {"= nan", true, "= nan"},  // an identifier: a captured name, checked by ParseChecks
      {"~ 3", false, "is not an expectation"},
  };
  for (const auto& c : cases) {
    auto r = ParseExpectation(c.text, "V1__x.sql", 7);
    ASSERT_EQ(r.ok(), c.ok) << c.text << ": " << (r.ok() ? r->source : r.error().ToString());
    if (c.ok) {
      EXPECT_EQ(r->source, c.source_or_error) << c.text;
    } else {
      EXPECT_NE(r.error().message().find(c.source_or_error), std::string::npos)
          << c.text << " → " << r.error().message();
      EXPECT_EQ(r.error().span().ToString(), "V1__x.sql:7") << c.text;
      EXPECT_FALSE(r.error().hint().empty()) << c.text;
    }
  }
}

TEST(Expectation, Judge) {
  Captured cap{{"before", "42"}, {"label", "abc"}, {"nothing", std::nullopt}};
  struct J {
    const char* exp;
    std::optional<std::string> value;
    std::int64_t rows;
    bool ok;
  };
  const J cases[] = {
      {"= 0", "0", -1, true},
      {"= 0", "3", -1, false},
      {"> 0", "1", -1, true},
      {"> 0", "0", -1, false},
      {"between 1 and 5", "5", -1, true},
      {"between 1 and 5", "6", -1, false},
      {"= rows affected", "12", 12, true},
      {"= rows affected", "11", 12, false},
      {"= rows affected", "0", -1, false},
      {"= before", "42", -1, true},
      {"= before", "41", -1, false},
      {"= label", "abc", -1, true},
      {"!= label", "abc", -1, false},
      {"= nothing", "1", -1, false},
      {"= missing", "1", -1, false},
      {"= 'NO'", "NO", -1, true},
      {"= 'NO'", "YES", -1, false},
      {"= 0", std::nullopt, -1, false},
      {"= 0", "zero", -1, false},
      {"", "whatever", -1, true},
  };
  for (const auto& c : cases) {
    auto e = ParseExpectation(c.exp, "f", 1);
    ASSERT_TRUE(e.ok()) << c.exp;
    std::string expected, message;
    EXPECT_EQ(Judge(*e, c.value, c.rows, cap, &expected, &message), c.ok)
        << c.exp << " vs " << c.value.value_or("NULL") << ": " << message;
    if (!c.ok) {
      EXPECT_FALSE(message.empty()) << c.exp;
    }
  }
}

TEST(Checks, ParsesBlocks) {
  const char* text =
      "-- strata:pre-check as lines_before\n"
      "-- SELECT count(*) FROM quote_line;\n"
      "-- strata:pre-check = 0\n"
      "--   SELECT count(*)\n"
      "--   FROM quote_line WHERE id < 0;\n"
      "UPDATE quote_line SET x = 1;\n"
      "-- strata:post-check = lines_before\n"
      "-- SELECT count(*) FROM quote_line\n"
      "\n"
      "-- strata:post-check between 0 and 10 as still_null\n"
      "-- SELECT count(*) FROM quote_line WHERE x IS NULL\n"
      "--\n"
      "-- an ordinary comment\n";
  auto r = ParseChecks(text, "V5__b.sql");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->pre.size(), 2u);
  ASSERT_EQ(r->post.size(), 2u);
  EXPECT_EQ(r->pre[0].capture, "lines_before");
  EXPECT_EQ(r->pre[0].expect.op, Op::kNone);
  EXPECT_EQ(r->pre[0].query, "SELECT count(*) FROM quote_line");
  EXPECT_EQ(r->pre[1].query, "SELECT count(*)\nFROM quote_line WHERE id < 0");
  EXPECT_EQ(r->pre[1].line, 3);
  EXPECT_EQ(r->post[0].expect.operand, Operand::kCaptured);
  EXPECT_EQ(r->post[0].query, "SELECT count(*) FROM quote_line");
  EXPECT_EQ(r->post[1].expect.source, "between 0 and 10");
  EXPECT_EQ(r->post[1].capture, "still_null");
  EXPECT_EQ(r->post[1].Name(), "still_null");
  EXPECT_EQ(r->post[0].Name(), "");
}

TEST(Checks, Errors) {
  struct E {
    const char* text;
    int line;
    const char* msg;
  };
  const E cases[] = {
      {"-- strata:post-check = 0\nSELECT 1;\n", 1, "has no query"},
      {"-- strata:post-check\n-- SELECT 1;\n", 1, "needs an expectation"},
      {"-- strata:pre-check = rows affected\n-- SELECT 1;\n", 1, "not known before"},
      {"-- strata:post-check = before\n-- SELECT 1;\n", 1, "no earlier pre-check captures"},
      {"-- strata:pre-check as a\n-- SELECT 1;\n-- strata:pre-check as a\n-- SELECT 2;\n", 3,
       "already captured at line 1"},
      {"-- strata:pre-check as 9x\n-- SELECT 1;\n", 1, "plain identifier"},
      {"-- strata:pre-check as\n-- SELECT 1;\n", 1, "plain identifier"},
      {"\n\n-- strata:post-check >> 1\n-- SELECT 1;\n", 3, "cannot compare with"},
  };
  for (const auto& c : cases) {
    auto r = ParseChecks(c.text, "V9__e.sql");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().code(), ErrorCode::kDirective);
    EXPECT_EQ(r.error().span().line, c.line) << c.text;
    EXPECT_EQ(r.error().span().file, "V9__e.sql");
    EXPECT_NE(r.error().message().find(c.msg), std::string::npos)
        << c.text << " → " << r.error().message();
    EXPECT_FALSE(r.error().hint().empty());
  }
}

// Malformed input never crashes: every prefix of a valid file and thousands of random
// mutations either parse or fail with a kDirective error that has a line.
TEST(Checks, FuzzNeverCrashes) {
  std::string base =
      "-- strata:pre-check as n\n-- SELECT count(*) FROM t;\n"
      "-- strata:post-check between 1 and 'x' as m\n-- SELECT 1\n"
      "-- strata:post-check = n\n--   SELECT count(*)\n--   FROM t;\n"
      "-- strata:post-check != 'a''b'\n-- SELECT 'a';\n";
  for (size_t i = 0; i <= base.size(); ++i) {
    auto r = ParseChecks(base.substr(0, i), "f.sql");
    if (!r.ok()) {
      EXPECT_GT(r.error().span().line, 0) << base.substr(0, i);
    }
  }
  std::mt19937 rng(12345);
  const std::string alphabet = "-=<>!' \n;asbetweenrowsaffectedstrata:pre-checkpost-check0123";
  for (int iter = 0; iter < 5000; ++iter) {
    std::string s = test_util::Mutate(base, rng, alphabet, 6);
    auto r = ParseChecks(s, "f.sql");
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), ErrorCode::kDirective);
      EXPECT_GT(r.error().span().line, 0);
    } else {
      for (const auto& c : r->post) EXPECT_NE(c.expect.op, Op::kNone);
    }
    (void)ParseExpectation(s.substr(0, std::min<size_t>(s.size(), 40)), "f", 1);
  }
}

}  // namespace
}  // namespace strata::verify
