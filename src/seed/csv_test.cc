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

}  // namespace
}  // namespace strata::seed
