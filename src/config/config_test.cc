#include "config/config.h"

#include "support/temp_dir.h"

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
  auto missing = Parse("[placeholders.pw]\nenv = \"STRATA_TEST_UNSET_VAR\"\n", "s", "");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().hint().find("STRATA_TEST_UNSET_VAR"), std::string::npos);
}

// EarlyUrl decides whether libpq starts loading before the command line is parsed: it must
// follow Load's precedence, or a SQLite run would map libpq (and a PostgreSQL run not preload).
TEST(Config, EarlyUrlFollowsLoadsPrecedenceForEngineVerbs) {
  testing::TempDir dir;
  const std::string toml = dir.Write("strata.toml",
                                     "# url = \"sqlite:commented.db\"\n"
                                     "locations = [\"db\"]\n"
                                     "url = \"postgres://cfg@h/db\"\n"
                                     "[placeholders]\nurl = \"sqlite:not-top-level\"\n");
  unsetenv("STRATA_URL");
  unsetenv("DATABASE_URL");
  auto early = [](std::vector<const char*> args) {
    args.insert(args.begin(), "strata");
    return EarlyUrl(static_cast<int>(args.size()), args.data());
  };
  const char* cfg = toml.c_str();
  EXPECT_EQ(early({"--config", cfg, "migrate"}).rfind("postgres://cfg@h/db", 0), 0u);
  const std::string cfg_eq = "--config=" + toml;
  EXPECT_EQ(early({cfg_eq.c_str(), "info"}).rfind("postgres://cfg@h/db", 0), 0u);
  setenv("DATABASE_URL", "postgres://database-url", 1);
  EXPECT_EQ(early({"--config", cfg, "validate"}), "postgres://database-url");
  setenv("STRATA_URL", "sqlite:strata-url.db", 1);
  EXPECT_EQ(early({"--config", cfg, "repair"}), "sqlite:strata-url.db");
  EXPECT_EQ(early({"--url", "postgres://flag", "--config", cfg, "baseline"}), "postgres://flag");
  EXPECT_EQ(early({"--url=sqlite:x.db", "migrate", "--json"}), "sqlite:x.db");
  // The value of an option is not the verb; other verbs do not preload.
  EXPECT_EQ(early({"--locations", "migrate", "hash"}), "");
  EXPECT_EQ(early({"--url", "postgres://flag", "lint"}), "");
  EXPECT_EQ(early({}), "");
  unsetenv("STRATA_URL");
  unsetenv("DATABASE_URL");
}

}  // namespace
}  // namespace strata::config
