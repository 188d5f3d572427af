#include "backfill/common.h"

#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace strata::backfill {
namespace {

// [backfill] keys are settings.def keys: unknown ones suggest from the table at file:line:col,
// and STRATA_BACKFILL_DIRECTORY overrides the file (resolved against the project, as in it).
TEST(BackfillSettings, UnknownKeyAndEnvironment) {
  testing::TempDir d;
  Options o;
  o.config_path = d.Write("strata.toml", "[backfill]\ndirectry = \"jobs\"\n");
  o.project_dir = d.path();
  auto bad = LoadSettings(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().span().line, 2);
  EXPECT_EQ(bad.error().message(), "unknown key `backfill.directry` (did you mean `directory`?)");

  o.config_path = d.Write("strata.toml", "[backfill]\ndirectory = \"jobs\"\n");
  setenv("STRATA_BACKFILL_DIRECTORY", "other", 1);
  auto s = LoadSettings(o);
  unsetenv("STRATA_BACKFILL_DIRECTORY");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->directory, d / "other");
}

}  // namespace
}  // namespace strata::backfill
