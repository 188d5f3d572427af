#include "config/config.h"

#include <gtest/gtest.h>

#include <algorithm>
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

// Every strata.toml section is a settings.def section: its keys come from the table, for the
// unknown-key message of every reader and for docs/settings.md.
TEST(Config, SettingKeysComeFromTheTable) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(SettingKeys("seed"), (V{"location", "corrections"}));
  EXPECT_EQ(SettingKeys("backfill"), (V{"directory", "replica_url"}));
  EXPECT_EQ(SettingKeys("evidence"), (V{"releases", "stop_lock_wait", "stop_duration_factor",
                                        "stop_max_duration", "intent"}));
  EXPECT_EQ(SettingKeys("evidence.intent"), (V{"require_header", "required", "required_for"}));
  EXPECT_EQ(SettingKeys("smoke.<name>"),
            (V{"query", "query_sqlite", "query_postgres", "expect", "description"}));
  V top = SettingKeys("");
  for (std::string_view s :
       {"url", "migrate", "lint", "seed", "environments", "backfill", "evidence", "smoke"}) {
    EXPECT_NE(std::find(top.begin(), top.end(), s), top.end()) << s;
  }
}

TEST(Config, UnknownTopLevelSectionSuggestsFromTheTable) {
  auto o = Parse("[evidense]\nreleases = \"r.toml\"\n", "strata.toml", "");
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().span().line, 1);
  EXPECT_NE(o.error().message().find("did you mean `evidence`?"), std::string::npos)
      << o.error().message();
}

// A nested key (evidence.intent.require_header) and a number from the environment.
TEST(Config, EnvironmentSetsNestedAndNumberKeys) {
  setenv("STRATA_EVIDENCE_INTENT_REQUIRE_HEADER", "yes", 1);
  setenv("STRATA_EVIDENCE_STOP_DURATION_FACTOR", "2.5", 1);
  toml::table tbl;
  Status s = ApplyEnvironment(tbl);
  unsetenv("STRATA_EVIDENCE_INTENT_REQUIRE_HEADER");
  unsetenv("STRATA_EVIDENCE_STOP_DURATION_FACTOR");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(tbl["evidence"]["intent"]["require_header"].value<bool>(), true);
  EXPECT_EQ(tbl["evidence"]["stop_duration_factor"].value<double>(), 2.5);

  setenv("STRATA_EVIDENCE_STOP_DURATION_FACTOR", "fast", 1);
  toml::table bad;
  Status b = ApplyEnvironment(bad);
  unsetenv("STRATA_EVIDENCE_STOP_DURATION_FACTOR");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.message().find("STRATA_EVIDENCE_STOP_DURATION_FACTOR"), std::string::npos);
}

}  // namespace
}  // namespace strata::config
