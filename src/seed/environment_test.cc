#include "seed/environment.h"

#include "support/temp_dir.h"

#include <gtest/gtest.h>

namespace strata::seed {
namespace {

Package Pkg(SeedClass c, bool approved) {
  Package p;
  p.id = "p";
  p.cls = c;
  p.manifest_path = "db/seed/x/p/manifest.toml";
  if (approved) p.approved_by = "ops", p.approved_at = "2026-06-25T10:00:00Z";
  return p;
}

bool Refused(const Package& p, const Environment& e, std::string_view rule_id) {
  for (const auto& v : CheckPolicy(p, e)) {
    if (v.rule.starts_with(rule_id)) return true;
  }
  return false;
}

// Seed 001 §20 as the default policy.
TEST(Environment, DefaultMatrix) {
  Options o;
  struct Row {
    const char* env;
    bool test_only, unapproved_catalog;
  } rows[] = {{"local", true, true},
              {"ci", true, true},
              {"dev", false, true},
              {"staging", false, true},
              {"production", false, false}};
  for (const auto& r : rows) {
    auto e = ResolveEnvironment(o, r.env);
    ASSERT_TRUE(e.ok()) << r.env;
    EXPECT_EQ(!Refused(Pkg(SeedClass::kTestOnly, false), *e, "SD001"), r.test_only) << r.env;
    EXPECT_EQ(CheckPolicy(Pkg(SeedClass::kCatalog, false), *e).empty(), r.unapproved_catalog)
        << r.env;
    EXPECT_EQ(CheckPolicy(Pkg(SeedClass::kPolicy, false), *e).empty(), r.unapproved_catalog)
        << r.env;
    EXPECT_TRUE(CheckPolicy(Pkg(SeedClass::kReference, false), *e).empty()) << r.env;
    EXPECT_TRUE(CheckPolicy(Pkg(SeedClass::kCatalog, true), *e).empty()) << r.env;
  }
  auto prod = ResolveEnvironment(o, "production");
  EXPECT_TRUE(Refused(Pkg(SeedClass::kPolicy, false), *prod, "SD002"));
  EXPECT_FALSE(InScope(Pkg(SeedClass::kTestOnly, false), *prod));
  auto unknown = ResolveEnvironment(o, "prod");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().hint().find("production"), std::string::npos);
}

TEST(Environment, DeclaredEnvironmentsNarrowButNeverWidenTestOnly) {
  testing::TempDir dir;
  Options o;
  o.config_path = dir.Write("strata.toml",
                            "url = \"sqlite:x.db\"\n"
                            "[environments.uat]\ntier = \"staging\"\nclasses = [\"reference\"]\n"
                            "[environments.live]\ntier = \"production\"\nrequire_approval = "
                            "[\"reference\"]\n"
                            "[environments.bad]\ntier = \"production\"\nclasses = [\"test-only\"]\n"
                            "[environments.typo]\ntir = \"ci\"\n");
  auto uat = ResolveEnvironment(o, "uat");
  ASSERT_TRUE(uat.ok()) << uat.status().ToString();
  EXPECT_TRUE(Refused(Pkg(SeedClass::kCatalog, true), *uat, "SD003"));
  auto live = ResolveEnvironment(o, "live");
  ASSERT_TRUE(live.ok());
  EXPECT_TRUE(Refused(Pkg(SeedClass::kReference, false), *live, "SD002"));
  EXPECT_TRUE(Refused(Pkg(SeedClass::kCatalog, false), *live, "SD002")) << "production floor kept";
  auto bad = ResolveEnvironment(o, "bad");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().span().line, 10) << "points at the classes line";
  auto typo = ResolveEnvironment(o, "typo");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message().find("did you mean `tier`"), std::string::npos)
      << typo.error().message();
}

}  // namespace
}  // namespace strata::seed
