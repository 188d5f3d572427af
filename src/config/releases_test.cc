#include "config/releases.h"

#include "support/temp_dir.h"

#include <gtest/gtest.h>

namespace strata::config {
namespace {

Result<std::vector<ReleaseSpec>> Load(const std::string& toml) {
  static testing::TempDir d;
  return LoadReleases(d.Write("releases.toml", toml));
}

TEST(Releases, ReadsReleasesWithVersionsAsStringsOrIntegers) {
  auto r = Load(
      "[[release]]\nname = \"A\"\nmigrations = [5, \"6\"]\norder = \"phased\"\n"
      "[release.surfaces]\napi = \"passed\"\n");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].migrations, (std::vector<std::string>{"5", "6"}));
  EXPECT_EQ((*r)[0].surfaces.at("api"), "passed");
  EXPECT_EQ((*r)[0].line, 1);
}

// releases.toml reads through the typed readers: a wrong type and an unknown key give the same
// file:line:col error, with the key and a suggestion, as strata.toml.
TEST(Releases, BadTypeAndUnknownKeyNameLineColumnAndKey) {
  auto type = Load("[[release]]\nname = 5\n");
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.error().code(), ErrorCode::kConfig);
  EXPECT_EQ(type.error().span().line, 2);
  EXPECT_EQ(type.error().span().column, 8);
  EXPECT_EQ(type.error().message(), "`release.name` must be a string, not an integer");

  auto unknown = Load("[[release]]\nname = \"A\"\nmigratons = [\"5\"]\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().span().line, 3);
  EXPECT_EQ(unknown.error().message(),
            "unknown key `release.migratons` (did you mean `migrations`?)");

  auto element = Load("[[release]]\nname = \"A\"\nmigrations = [\"5\", true]\n");
  ASSERT_FALSE(element.ok());
  EXPECT_EQ(element.error().span().line, 3);
  EXPECT_NE(element.error().message().find("`release.migrations` must contain only strings"),
            std::string::npos)
      << element.error().message();

  auto syntax = Load("[[release]\n");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.error().span().line, 1);
}

}  // namespace
}  // namespace strata::config
