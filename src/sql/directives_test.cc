#include "sql/directives.h"

#include <gtest/gtest.h>

namespace strata::sql {
namespace {

TEST(Directives, ResolvesFileSettings) {
  auto s = ParseDirectives(
      "-- strata:transaction off\n--strata:lock-timeout 3s\n  -- strata:statement-timeout 10min\n"
      "create index concurrently i on t (a);\n",
      "V1__x.sql");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_FALSE(s->transactional);
  EXPECT_EQ(s->lock_timeout->count(), 3000);
  EXPECT_EQ(s->statement_timeout->count(), 600000);
  EXPECT_EQ(s->directives.size(), 3u);
}

TEST(Directives, UnknownDirectiveIsAnErrorWithSuggestion) {
  auto s = ParseDirectives("select 1;\n-- strata:transacton off\n", "V1__x.sql");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kDirective);
  EXPECT_EQ(s.error().span().file, "V1__x.sql");
  EXPECT_EQ(s.error().span().line, 2);
  EXPECT_NE(s.error().hint().find("strata:transaction"), std::string::npos);
}

TEST(Directives, BadArgumentsAreErrors) {
  EXPECT_FALSE(ParseDirectives("-- strata:transaction maybe\n", "f").ok());
  EXPECT_FALSE(ParseDirectives("-- strata:lock-timeout\n", "f").ok());
  EXPECT_FALSE(ParseDirectives("-- strata:lock-timeout 5 parsecs\n", "f").ok());
}

TEST(Directives, OrdinaryCommentsAreIgnored) {
  auto s = ParseDirectives("-- strata is great\n-- see strata: docs\nselect 1;\n", "f");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->transactional);
}

TEST(Placeholders, ExpandsDeclaredAndRedactsSecrets) {
  Placeholders ph{{"schema", {"app", false}}, {"pw", {"hunter22", true}}};
  auto out = ExpandPlaceholders("create role r password '${pw}';\nset search_path = ${schema};", ph,
                                "f", 1, false);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "create role r password 'hunter22';\nset search_path = app;");
  auto shown = ExpandPlaceholders("password '${pw}'", ph, "f", 1, true);
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->find("hunter22"), std::string::npos);
  EXPECT_NE(shown->find("<secret:pw>"), std::string::npos);
}

TEST(Placeholders, UndeclaredIsAnErrorWithPosition) {
  auto out = ExpandPlaceholders("select 1;\nselect ${nope};", {}, "V1__x.sql", 1, false);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code(), ErrorCode::kPlaceholder);
  EXPECT_EQ(out.error().span().line, 2);
  EXPECT_EQ(out.error().span().column, 8);
  EXPECT_NE(out.error().message().find("nope"), std::string::npos);
}

}  // namespace
}  // namespace strata::sql
