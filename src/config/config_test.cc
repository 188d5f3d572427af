#include "config/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace strata::config {
namespace {

TEST(Config, ParsesKeysAndResolvesPaths) {
  auto o = Parse(R"(
url = "sqlite:app.db"
locations = ["db/migration", "db/extra"]
ignore = ["*.bak"]
[ledger]
table = "history"
[migrate]
lock_timeout = "2s"
lock_retries = 3
out_of_order = true
[placeholders]
schema = "app"
)",
                 "proj/strata.toml", "proj");
  ASSERT_TRUE(o.ok()) << o.error().ToString();
  EXPECT_EQ(o->locations, (std::vector<std::string>{"proj/db/migration", "proj/db/extra"}));
  EXPECT_EQ(o->ledger_table, "history");
  EXPECT_EQ(o->lock_timeout.count(), 2000);
  EXPECT_EQ(o->lock_retries, 3);
  EXPECT_TRUE(o->out_of_order);
  EXPECT_EQ(o->placeholders.at("schema").value, "app");
}

TEST(Config, UnknownKeyNamesLineAndSuggestion) {
  auto o = Parse("url = \"sqlite:x\"\n[migrate]\nlock_timout = \"1s\"\n", "strata.toml", "");
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().code(), ErrorCode::kConfig);
  EXPECT_EQ(o.error().span().line, 3);
  EXPECT_NE(o.error().hint().find("lock_timeout"), std::string::npos);
}

TEST(Config, BadDurationAndBadTomlAreErrors) {
  EXPECT_FALSE(Parse("[migrate]\nlock_wait = \"soon\"\n", "s", "").ok());
  auto bad = Parse("url = \n", "strata.toml", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().span().line, 1);
}

TEST(Config, SecretPlaceholderFromEnvironment) {
  setenv("STRATA_TEST_PW", "from-env-secret", 1);
  auto o = Parse("[placeholders.pw]\nenv = \"STRATA_TEST_PW\"\nsecret = true\n", "s", "");
  ASSERT_TRUE(o.ok()) << o.error().ToString();
  EXPECT_EQ(o->placeholders.at("pw").value, "from-env-secret");
  EXPECT_TRUE(o->placeholders.at("pw").secret);
  // Unset: loading succeeds (hash, lint, info... need no value); expanding it to run SQL is
  // the error (sql::ExpandPlaceholders).
  auto missing = Parse("[placeholders.pw]\nenv = \"STRATA_TEST_UNSET_VAR\"\n", "s", "");
  ASSERT_TRUE(missing.ok()) << missing.error().ToString();
  EXPECT_EQ(missing->placeholders.at("pw").unset_env, "STRATA_TEST_UNSET_VAR");
  EXPECT_EQ(missing->placeholders.at("pw").value, "");
}

}  // namespace
}  // namespace strata::config
