#include "migrate/discovery.h"

#include "base/sha256.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace strata::migrate {
namespace {

SourceFile F(std::string name, std::string content = "select 1;\n") {
  return SourceFile{"db/migration", name, "db/migration/" + name, std::move(content)};
}

TEST(Discovery, OrdersVersionedNumericallyThenRepeatablesByName) {
  auto set = Resolve({F("V10__ten.sql"), F("R__b_views.sql"), F("V2__two.sql"),
                      F("V1.1__one_one.sql"), F("R__a_funcs.sql"), F("V1__one.sql")});
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  std::vector<std::string> order;
  for (const auto& m : set->migrations) order.push_back(m.script);
  EXPECT_EQ(order, (std::vector<std::string>{"V1__one.sql", "V1.1__one_one.sql", "V2__two.sql",
                                             "V10__ten.sql", "R__a_funcs.sql", "R__b_views.sql"}));
  EXPECT_EQ(set->migrations[0].description, "one");
  EXPECT_EQ(set->migrations[4].kind, Kind::kRepeatable);
}

TEST(Discovery, MalformedNamesNameTheFileAndTheExpectedForm) {
  struct Case {
    const char* name;
    const char* why;
  } cases[] = {
      {"V1_add.sql", "two underscores"},
      {"v2__x.sql", "upper-case 'V'"},
      {"V3__.sql", "description after '__' is empty"},
      {"Vx__bad.sql", "is not a version"},
      {"U1__undo.sql", "must start with V"},
      {"R_views.sql", "R__<description>.sql"},
      {"V4__notes.txt.bak", "not a .sql file"},
  };
  for (const auto& c : cases) {
    auto set = Resolve({F(c.name)});
    ASSERT_FALSE(set.ok()) << c.name;
    EXPECT_EQ(set.error().code(), ErrorCode::kBadMigrationName) << c.name;
    EXPECT_NE(set.error().message().find(c.name), std::string::npos) << set.error().message();
    EXPECT_NE(set.error().message().find(c.why), std::string::npos) << set.error().message();
    EXPECT_NE(set.error().hint().find("V<version>__<description>.sql"), std::string::npos);
  }
}

TEST(Discovery, DuplicateVersionNamesBothFiles) {
  auto set = Resolve({F("V1__a.sql"), F("V001__b.sql")});
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().code(), ErrorCode::kDuplicateVersion);
  EXPECT_NE(set.error().message().find("V1__a.sql"), std::string::npos);
  EXPECT_NE(set.error().message().find("V001__b.sql"), std::string::npos);
}

TEST(Discovery, InvalidUtf8IsAnErrorWithTheLine) {
  auto set = Resolve({F("V1__latin1.sql", "select 1;\nselect 'caf\xE9';\n")});
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().code(), ErrorCode::kEncoding);
  EXPECT_EQ(set.error().span().line, 2);
}

TEST(Discovery, CrlfAndBomDoNotChangeTheChecksum) {
  auto set = Resolve({F("V1__lf.sql", "create table t (a int);\nselect 1;\n"),
                      F("V2__crlf.sql", "create table t (a int);\r\nselect 1;\r\n"),
                      F("V3__bom.sql",
                        "\xEF\xBB\xBF"
                        "create table t (a int);\nselect 1;\n")});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->migrations[0].checksum, set->migrations[1].checksum);
  EXPECT_EQ(set->migrations[0].checksum, set->migrations[2].checksum);
  EXPECT_EQ(set->migrations[1].text, "create table t (a int);\nselect 1;\n");
}

// A project large enough to be read and hashed on several threads: every file keeps its own
// content and checksum, in version order, and the first bad file in reading order is the one
// reported (the same verdict as one thread).
TEST(Discovery, ManyFilesKeepTheirOwnChecksumsAndTheFirstErrorWins) {
  std::vector<SourceFile> files;
  for (int i = 500; i >= 1; --i) {
    files.push_back(F(fmt::format("V{}__m{}.sql", i, i), fmt::format("select {};\r\n", i)));
  }
  auto set = Resolve(files);
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  ASSERT_EQ(set->migrations.size(), 500u);
  for (int i = 1; i <= 500; ++i) {
    const auto& m = set->migrations[i - 1];
    EXPECT_EQ(m.version.text(), std::to_string(i));
    EXPECT_EQ(m.text, fmt::format("select {};\n", i));
    EXPECT_EQ(m.checksum, base::Sha256Hex(m.text));
  }
  files[400].bytes = "select '\xff';\n";  // V100
  files[10].bytes = "select '\xfe';\n";   // V490
  auto bad = Resolve(files);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kEncoding);
  EXPECT_NE(bad.error().message().find("V490__m490.sql"), std::string::npos)
      << bad.error().ToString();
}

TEST(Discovery, GlobMatch) {
  EXPECT_TRUE(GlobMatch("*.md", "README.md"));
  EXPECT_TRUE(GlobMatch("V*__draft_*.sql", "V9__draft_x.sql"));
  EXPECT_FALSE(GlobMatch("*.md", "V1__a.sql"));
  EXPECT_TRUE(GlobMatch("?__x", "R__x"));
  EXPECT_FALSE(GlobMatch("*.MD", "README.md"));
  EXPECT_TRUE(GlobMatch("*.MD", "README.md", /*ignore_case=*/true));
  EXPECT_TRUE(GlobMatch("public.Strata_*", "public.strata_migration", /*ignore_case=*/true));
}

}  // namespace
}  // namespace strata::migrate
