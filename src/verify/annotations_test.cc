// Every verb that runs or reports a migration (migrate, plan, verify, evidence) reads its
// `-- strata:` lines through ReadAnnotations, and change files through sql::ParseDirectives:
// the same lines inside a string literal or a dollar-quoted body are text, for each reader.
#include "verify/annotations.h"

#include <gtest/gtest.h>

#include <string>

namespace strata::verify {
namespace {

constexpr const char* kHidden =
    "-- strata:intent\n"
    "-- Business capability: real header\n"
    "-- Risk class: small-additive-ddl\n"
    "-- Recovery direction: roll-forward\n"
    "COMMENT ON TABLE t IS '\n"
    "-- strata:transaction off\n"
    "-- strata:post-check = 0\n"
    "-- SELECT count(*) FROM t;\n"
    "';\n"
    "CREATE FUNCTION f() RETURNS int AS $$\n"
    "-- strata:pre-check as n\n"
    "-- SELECT 1;\n"
    "SELECT 1 $$ LANGUAGE sql;\n";

TEST(Annotations, DirectivesChecksAndIntentInsideLiteralsAreText) {
  for (db::Dialect d : {db::Dialect::kPostgres}) {
    auto a = ReadAnnotations(kHidden, "V1__x.sql", d);
    ASSERT_TRUE(a.ok()) << a.error().ToString();
    EXPECT_TRUE(a->settings.transactional);
    ASSERT_EQ(a->settings.directives.size(), 1u);
    EXPECT_EQ(a->settings.directives[0].name, "intent");
    EXPECT_TRUE(a->checks.pre.empty());
    EXPECT_TRUE(a->checks.post.empty());
    EXPECT_TRUE(a->intent.present);
    EXPECT_EQ(a->intent.risk_class, "small-additive-ddl");
  }
  // An intent header only inside a literal is no header.
  auto none = ReadAnnotations("SELECT '\n-- strata:intent\n-- Risk class: repair\n';\n",
                              "V2__x.sql", db::Dialect::kSqlite);
  ASSERT_TRUE(none.ok()) << none.error().ToString();
  EXPECT_FALSE(none->intent.present);
}

// Each reader on its own (lint's PO105/PO106 call ParseIntent and ParseChecks directly) goes
// through the one scanner, sql::ForEachDirectiveLine: a `-- strata:` line inside a /* */
// comment or a string literal is not a directive, an intent header or a check, in any of them.
// Before, ParseIntent and ParseChecks scanned line starts themselves and read these as real.
TEST(Annotations, EachReaderAloneReadsRealCommentsOnly) {
  const std::string inner =
      "-- strata:transaction off\n"
      "-- strata:intent\n"
      "-- Business capability: hidden\n"
      "-- Risk class: repair\n"
      "-- Recovery direction: roll-forward\n"
      "--\n"
      "-- strata:post-check = 0\n"
      "-- SELECT count(*) FROM t;\n";
  for (db::Dialect d : {db::Dialect::kPostgres, db::Dialect::kSqlite}) {
    for (const std::string& text :
         {"/*\n" + inner + "*/\nUPDATE t SET a = 1;\n", "UPDATE t SET a = '\n" + inner + "';\n"}) {
      auto settings = sql::ParseDirectives(text, "V3__x.sql", d);
      ASSERT_TRUE(settings.ok()) << settings.error().ToString();
      EXPECT_TRUE(settings->directives.empty()) << text;
      auto checks = ParseChecks(text, "V3__x.sql", d);
      ASSERT_TRUE(checks.ok()) << checks.error().ToString();
      EXPECT_TRUE(checks->empty()) << text;
      auto intent = ParseIntent(text, "V3__x.sql", d);
      ASSERT_TRUE(intent.ok()) << intent.error().ToString();
      EXPECT_FALSE(intent->present) << text;
    }
    // The same lines as real comments are read by all three.
    auto real = ReadAnnotations(inner + "UPDATE t SET a = 1;\n", "V3__x.sql", d);
    ASSERT_TRUE(real.ok()) << real.error().ToString();
    EXPECT_FALSE(real->settings.transactional);
    EXPECT_EQ(real->checks.post.size(), 1u);
    EXPECT_TRUE(real->intent.present);
  }
}

}  // namespace
}  // namespace strata::verify
