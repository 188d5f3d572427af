#include "seed/package.h"

#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace strata::seed {
namespace {

const char* kManifest =
    "package = \"codes\"\nclass = \"reference\"\nowner = \"quote-team\"\n"
    "[[tables]]\ntable = \"quote_reason_code\"\nkey = [\"code\"]\nactive_column = \"active\"\n";
const char* kCsv = "code,description,active\nA,Alpha,true\nB,Beta,true\n";

Result<Package> Load(const testing::TempDir& d) {
  return LoadPackage(d / "db/seed/reference/codes", "db/seed/reference/codes");
}

// [seed] keys are settings.def keys: an unknown one suggests from the table at file:line:col, and
// STRATA_SEED_LOCATION overrides the file.
TEST(SeedSettings, UnknownKeyAndEnvironment) {
  testing::TempDir d;
  Options o;
  o.config_path = d.Write("strata.toml", "[seed]\nlocaton = \"x\"\n");
  auto bad = LoadSettings(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().span().line, 2);
  EXPECT_EQ(bad.error().message(), "unknown key `seed.locaton` (did you mean `location`?)");

  o.config_path = d.Write("strata.toml", "[seed]\nlocation = \"db/a\"\n");
  setenv("STRATA_SEED_LOCATION", "db/b", 1);
  auto s = LoadSettings(o);
  unsetenv("STRATA_SEED_LOCATION");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->location, "db/b");
}

TEST(Package, ChecksumIgnoresLineEndingsButNotContent) {
  testing::TempDir a, b, c;
  a.Write("db/seed/reference/codes/manifest.toml", kManifest);
  a.Write("db/seed/reference/codes/quote_reason_code.csv", kCsv);
  b.Write("db/seed/reference/codes/manifest.toml", kManifest);
  b.Write("db/seed/reference/codes/quote_reason_code.csv",
          "code,description,active\r\nA,Alpha,true\r\nB,Beta,true\r\n");
  c.Write("db/seed/reference/codes/manifest.toml", kManifest);
  c.Write("db/seed/reference/codes/quote_reason_code.csv",
          "code,description,active\nA,Alpha,true\n");
  auto pa = Load(a), pb = Load(b), pc = Load(c);
  ASSERT_TRUE(pa.ok()) << pa.status().ToString();
  ASSERT_TRUE(pb.ok() && pc.ok());
  EXPECT_EQ(pa->checksum, pb->checksum);
  EXPECT_NE(pa->checksum, pc->checksum);
  EXPECT_EQ(pa->tables[0].data_file, "quote_reason_code.csv") << "default data file";
  EXPECT_EQ(pa->tables[0].data.rows.size(), 2u);
}

TEST(Package, ManifestErrorsNameTheFileAndTheFix) {
  struct Case {
    std::string manifest;
    std::string csv;
    std::string message;
  } cases[] = {
      {"package = \"codes\"\nclass = \"reference\"\n[[tables]]\ntable = \"t\"\nkey = [\"code\"]\n",
       kCsv, "`owner` is missing"},
      {"package = \"codes\"\nclass = \"catalog\"\nowner = \"o\"\neffective_from = "
       "2026-07-01T00:00:00Z\n[[tables]]\ntable = \"t\"\nkey = [\"code\"]\n",
       kCsv, "not effective-dated"},
      {"package = \"codes\"\nclass = \"catalog\"\nowner = \"o\"\n[[tables]]\ntable = \"t\"\n"
       "key = [\"code\"]\n",
       kCsv, "needs `effective_from`"},
      {std::string(kManifest) + "[tables.supersede]\nA = \"C\"\n", kCsv, "which is not in"},
      {std::string(kManifest) + "deprecate = [\"A\"]\n",  // fine: upsert with active_column
       kCsv, ""},
      {"package = \"codes\"\nclass = \"reference\"\nowner = \"o\"\nmode = \"insert-only\"\n"
       "[[tables]]\ntable = \"t\"\nkey = [\"code\"]\nactive_column = \"active\"\n"
       "deprecate = [\"A\"]\n",
       kCsv, "need mode upsert or sync"},
      {kManifest, "code,description,active\nA,Alpha,true\nA,Again,true\n", "appears twice"},
      {std::string(kManifest) + "tabel = 1\n", kCsv, "did you mean `table`"},
      // Issue 17: a name with a quote is not "missing".
      {"package = \"codes\"\nclass = \"reference\"\nowner = \"o\"\n[[tables]]\n"
       "table = \"quote\\\"line\"\nkey = [\"code\"]\n",
       kCsv, "table = \"quote\"line\" is not a plain SQL identifier"},
  };
  for (const auto& c : cases) {
    testing::TempDir d;
    d.Write("db/seed/reference/codes/manifest.toml", c.manifest);
    d.Write("db/seed/reference/codes/quote_reason_code.csv", c.csv);
    d.Write("db/seed/reference/codes/t.csv", c.csv);
    auto p = Load(d);
    if (c.message.empty()) {
      EXPECT_TRUE(p.ok()) << c.manifest << " → " << p.status().ToString();
      continue;
    }
    ASSERT_FALSE(p.ok()) << c.manifest;
    EXPECT_NE(p.error().message().find(c.message), std::string::npos)
        << c.manifest << " → " << p.error().message();
    EXPECT_NE(p.error().span().file.find("db/seed/reference/codes/"), std::string::npos);
    EXPECT_FALSE(p.error().hint().empty()) << c.manifest;
  }
}

TEST(Package, DiscoveryChecksClassFoldersAndUniqueIds) {
  testing::TempDir d;
  d.Write("db/seed/reference/codes/manifest.toml", kManifest);
  d.Write("db/seed/reference/codes/quote_reason_code.csv", kCsv);
  d.Write("db/seed/test-only/fix/manifest.toml",
          "package = \"fix\"\nclass = \"test-only\"\nowner = \"o\"\n[[tables]]\ntable = "
          "\"quote_reason_code\"\nkey = [\"code\"]\n");
  d.Write("db/seed/test-only/fix/quote_reason_code.csv", kCsv);
  Options o;
  o.project_dir = d.path();
  auto all = DiscoverPackages(o, SeedSettings{});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "codes");
  EXPECT_EQ((*all)[1].cls, SeedClass::kTestOnly);

  d.Write("db/seed/catalog/codes/manifest.toml", kManifest);
  d.Write("db/seed/catalog/codes/quote_reason_code.csv", kCsv);
  auto mismatch = DiscoverPackages(o, SeedSettings{});
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().message().find("does not match the folder"), std::string::npos);

  std::filesystem::remove_all(d / "db/seed/catalog");
  d.Write("db/seed/sample/x/manifest.toml", kManifest);
  auto unknown = DiscoverPackages(o, SeedSettings{});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message().find("unknown seed class folder"), std::string::npos);
}

}  // namespace
}  // namespace strata::seed
