#include "seed/csv.h"

#include <gtest/gtest.h>

namespace strata::seed {
namespace {

TEST(Csv, NullEmptyQuotesAndLines) {
  auto t = ParseCsv(
      "# comment\r\ncode,description,note\r\nA,\"x, \"\"y\"\"\",\nB,\"\",z\n\n"
      "C,\"multi\nline\",w\n",
      "d.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->header, (std::vector<std::string>{"code", "description", "note"}));
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_EQ(t->rows[0].line, 3);
  EXPECT_EQ(t->rows[0].fields[1], "x, \"y\"");
  EXPECT_FALSE(t->rows[0].fields[2].has_value()) << "unquoted empty is NULL";
  EXPECT_EQ(t->rows[1].fields[1], "") << "quoted empty is the empty string";
  EXPECT_EQ(t->rows[2].line, 6);
  EXPECT_EQ(t->rows[2].fields[1], "multi\nline");
  EXPECT_EQ(t->IndexOf("note"), 2);
  EXPECT_EQ(t->IndexOf("nope"), -1);
}

TEST(Csv, ErrorsNameFileLineAndColumn) {
  struct Case {
    const char* text;
    int line;
    const char* message;
  } cases[] = {
      {"a,b\n1,\"open\n", 2, "unterminated"},
      {"a,b\n1,2,3\n", 2, "3 field(s), the header has 2"},
      {"a,a\n", 1, "twice"},
      {"a,\n", 1, "no name"},
      {"a,b\n1,\"x\"y\n", 2, "after a closing quote"},
      {"a,b\n1,x\"y\n", 2, "quote inside an unquoted"},
      {"", 1, "empty"},
  };
  for (const auto& c : cases) {
    auto t = ParseCsv(c.text, "d.csv");
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_EQ(t.error().span().file, "d.csv");
    EXPECT_EQ(t.error().span().line, c.line) << c.text;
    EXPECT_NE(t.error().message().find(c.message), std::string::npos)
        << c.text << " → " << t.error().message();
    EXPECT_FALSE(t.error().hint().empty()) << c.text;
  }
}

// Issue 14: a NUL would shorten the value the driver sends; bytes that are not UTF-8 are not
// text the database takes. Both are refused with the file, line and column, anywhere in the
// file (a quoted field or a comment line too).
TEST(Csv, NulAndInvalidUtf8AreRefusedWithFileLineAndColumn) {
  struct Case {
    std::string text;
    int line;
    int column;
    const char* message;
  } cases[] = {
      {std::string("code,name\nA,ab\0cd\n", 18), 2, 5, "NUL"},
      {std::string("code,name\nA,\"x\n y\0\"\n", 20), 3, 3, "NUL"},
      {std::string("# c\0mment\ncode\nA\n", 17), 1, 4, "NUL"},
      {"code,name\nA,ok\nB,caf\xe9\n", 3, 6, "UTF-8"},
      {"code,name\nA,\xff\n", 2, 3, "UTF-8"},
  };
  for (const auto& c : cases) {
    auto t = ParseCsv(c.text, "seed/codes.csv");
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_EQ(t.error().code(), ErrorCode::kEncoding);
    EXPECT_EQ(t.error().span().file, "seed/codes.csv");
    EXPECT_EQ(t.error().span().line, c.line) << c.text;
    EXPECT_EQ(t.error().span().column, c.column) << c.text;
    EXPECT_NE(t.error().message().find(c.message), std::string::npos) << t.error().message();
    EXPECT_FALSE(t.error().hint().empty());
  }
  // Valid multi-byte UTF-8 is fine.
  auto ok = ParseCsv("code,name\nA,caf\xc3\xa9 \xe2\x82\xac\n", "d.csv");
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(ok->rows[0].fields[1], "caf\xc3\xa9 \xe2\x82\xac");
}

}  // namespace
}  // namespace strata::seed
