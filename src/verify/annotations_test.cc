// Every verb that runs or reports a migration (migrate, plan, verify, evidence) reads its
// `-- strata:` lines through ReadAnnotations, and change files through sql::ParseDirectives:
// the same lines inside a string literal or a dollar-quoted body are text, for each reader.
#include "verify/annotations.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace strata::verify
