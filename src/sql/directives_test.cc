#include "sql/directives.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

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

TEST(Directives, SplitOffSendsTheBodyWhole) {
  auto s = ParseDirectives("-- strata:split off\nselect 1;\nselect 2;\n", "V1__x.sql");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_FALSE(s->split);
  EXPECT_TRUE(s->transactional);
  EXPECT_TRUE(ParseDirectives("select 1;\n", "f")->split);
  auto bad = ParseDirectives("-- strata:split never\n", "V1__x.sql");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kDirective);
  EXPECT_NE(bad.error().hint().find("-- strata:split off"), std::string::npos);
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

// Issue 14: a directive is obeyed only in a real comment. The same text inside a string
// literal, a dollar-quoted body, a quoted identifier, a /* */ comment or COPY data is SQL (or
// data), and must neither switch the file to non-transactional nor be parsed at all.
TEST(Directives, OnlyRealCommentsCount) {
  using db::Dialect;
  struct Case {
    std::string text;
    bool sqlite_too;  // the construct exists in SQLite as well
  };
  const std::vector<Case> hidden = {
      {"select '-- strata:transaction off';\n", true},
      {"select '\n-- strata:transaction off\n';\n", true},
      {"insert into t values ('a\n  -- strata:transaction off\n');\n", true},
      {"select \"\n-- strata:transaction off\n\" from t;\n", true},
      {"/*\n-- strata:transaction off\n*/\nselect 1;\n", true},
      {"create function f() returns int as $$\n-- strata:transaction off\nselect 1 $$ "
       "language sql;\n",
       false},
      {"do $body$\nbegin\n  -- strata:transaction off\nend $body$;\n", false},
      {"select E'it\\'s\n-- strata:transaction off\n';\n", false},
      {"/* outer /* inner */\n-- strata:transaction off\n*/ select 1;\n", false},
      {"copy t (a) from stdin;\n-- strata:transaction off\n\\.\nselect 1;\n", false},
  };
  for (const auto& c : hidden) {
    for (Dialect d : {Dialect::kPostgres, Dialect::kSqlite}) {
      if (d == Dialect::kSqlite && !c.sqlite_too) continue;
      auto s = ParseDirectives(c.text, "V1__x.sql", d);
      ASSERT_TRUE(s.ok()) << c.text << s.error().ToString();
      EXPECT_TRUE(s->transactional) << c.text;
      EXPECT_TRUE(s->directives.empty()) << c.text;
    }
  }
  // The same line as a real comment, before or after such text, is obeyed.
  auto s = ParseDirectives("select '\n-- not me\n';\n-- strata:transaction off\nselect 1;\n", "f",
                           Dialect::kPostgres);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->transactional);
  ASSERT_EQ(s->directives.size(), 1u);
  EXPECT_EQ(s->directives[0].line, 4);
  // SQLite's /* */ do not nest: after `/* a /* b */` the next line is a real comment there.
  s = ParseDirectives("/* a /* b */\n-- strata:transaction off\nselect 1;\n", "f",
                      Dialect::kSqlite);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->transactional);
}

// Every directive the scanner knows: inside a literal it is text. An unknown or malformed one
// there is not an error either (it is not a directive).
TEST(Directives, EveryKnownDirectiveIsIgnoredInsideLiterals) {
  std::vector<std::string> lines;
  for (std::string_view name : KnownDirectives()) {
    lines.push_back(fmt::format("-- strata:{} 5s", name));
  }
  lines.push_back("-- strata:no-such-directive");
  lines.push_back("-- strata:transaction maybe");
  for (const auto& line : lines) {
    for (db::Dialect d : {db::Dialect::kPostgres, db::Dialect::kSqlite}) {
      std::string text = "select 1;\nselect '\n" + line + "\n';\n/*\n" + line + "\n*/\n";
      auto s = ParseDirectives(text, "f", d);
      ASSERT_TRUE(s.ok()) << line << ": " << s.error().ToString();
      EXPECT_TRUE(s->directives.empty()) << line;
    }
  }
}

// The scanner under ParseDirectives and lint's suppressions: every `-- strata:` line of a real
// comment, judged by nobody, so a reader can keep going past a bad one (a typo below loses no
// `-- strata:allow`); a line inside a string is text.
TEST(Directives, ScannerYieldsEveryRealDirectiveLineAndJudgesNone) {
  std::vector<std::string> seen;
  Status s = ForEachDirectiveLine(
      "-- strata:transacton off\n"
      "SELECT '\n-- strata:allow LK101 reason=\"in a string\"\n';\n"
      "  -- strata:allow LK101 reason=\"ok\"\n"
      "CREATE INDEX i ON t (a);\n",
      db::Dialect::kPostgres, [&](int line, std::string_view text, std::string_view body) {
        seen.push_back(fmt::format("{}:{}:{}", line, text.find("--") + 1, body));
        return Status::Ok();
      });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(seen,
            (std::vector<std::string>{"1:1:transacton off", "5:3:allow LK101 reason=\"ok\""}));
  EXPECT_FALSE(ParseDirectives("-- strata:transacton off\n", "V1__x.sql").ok());
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

// Issue 17: a placeholder whose environment variable is unset has no value: shown as
// <unset:VAR>, and an error with its position only when expanded to run.
TEST(Placeholders, UnsetEnvironmentVariableFailsOnlyWhenRun) {
  Placeholders ph{{"pw", {"", true, "STRATA_PW"}}};
  auto shown = ExpandPlaceholders("select '${pw}';", ph, "V1__x.sql", 1, true);
  ASSERT_TRUE(shown.ok()) << shown.error().ToString();
  EXPECT_EQ(*shown, "select '<unset:STRATA_PW>';");
  auto run = ExpandPlaceholders("select 1;\nselect '${pw}';", ph, "V1__x.sql", 1, false);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error().code(), ErrorCode::kPlaceholder);
  EXPECT_EQ(run.error().span().line, 2);
  EXPECT_EQ(run.error().span().column, 9);
  EXPECT_NE(run.error().message().find("STRATA_PW, which is not set"), std::string::npos);
}

// A value the driver would cut short (NUL) or the database refuse (not UTF-8) is an error at
// the placeholder, naming it but never showing the value.
TEST(Placeholders, ValuesWithNulOrInvalidUtf8AreRefused) {
  Placeholders ph{{"pw", {std::string("abc\0def", 7), true}}, {"l1", {"caf\xe9", false}}};
  auto out =
      ExpandPlaceholders("select 1;\ncreate role r password '${pw}';", ph, "V1__x.sql", 1, false);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code(), ErrorCode::kPlaceholder);
  EXPECT_EQ(out.error().span().line, 2);
  EXPECT_EQ(out.error().span().column, 25);
  EXPECT_NE(out.error().message().find("NUL"), std::string::npos);
  EXPECT_EQ(out.error().ToString().find("abc"), std::string::npos);
  out = ExpandPlaceholders("select '${l1}'", ph, "V1__x.sql", 1, false);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message().find("UTF-8"), std::string::npos);
}

}  // namespace
}  // namespace strata::sql
