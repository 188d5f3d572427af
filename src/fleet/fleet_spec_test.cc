// The fleet file reader: positions and suggestions in errors, environment expansion that never
// shows the expanded value, and the libpq parameters a schema tenant's URL gets.
#include "base/redact.h"

#include <gtest/gtest.h>

#include <map>

#include "fleet/spec.h"

namespace strata::fleet {
namespace {

EnvFn Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(FleetSpec, ReadsTargetsDiscoverySchemasAndSettings) {
  auto spec = ParseFleet(R"(
[fleet]
parallel = 8
wave_size = 50
max_failures = 3
canary = ["label:canary"]
target_timeout = "10m"

[[target]]
name = "eu-1"
url = "postgres://app:${EU_PW}@eu1.internal/app"
labels = ["eu", "canary"]

[[discover]]
url = "postgres://ctl@control/fleet"
query = "SELECT name, url FROM tenants WHERE active"

[[schemas]]
name = "shared"
url = "postgres://app@pool/app"
list = ["acme", "globex"]
)",
                         "db/fleet.toml", Env({{"EU_PW", "hunter2-long"}}));
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->parallel, 8);
  EXPECT_EQ(spec->wave_size, 50);
  EXPECT_EQ(spec->max_failures, 3);
  EXPECT_EQ(spec->target_timeout, std::chrono::minutes(10));
  ASSERT_EQ(spec->targets.size(), 1u);
  EXPECT_EQ(spec->targets[0].url, "postgres://app:hunter2-long@eu1.internal/app");
  EXPECT_EQ(spec->targets[0].display, "postgres://app:***@eu1.internal/app");
  EXPECT_EQ(spec->targets[0].origin, "db/fleet.toml:9:1");
  // The expanded value is a registered secret: a message echoing it is redacted.
  EXPECT_EQ(base::RedactSecrets("password hunter2-long rejected").find("hunter2"),
            std::string::npos);
  ASSERT_EQ(spec->schemas.size(), 1u);
  EXPECT_EQ(spec->schemas[0].list, (std::vector<std::string>{"acme", "globex"}));
  EXPECT_EQ(spec->discover[0].query, "SELECT name, url FROM tenants WHERE active");
}

TEST(FleetSpec, UnknownKeyNamesThePositionAndSuggests) {
  auto spec =
      ParseFleet("[[target]]\nname = \"a\"\nurll = \"sqlite:a.db\"\n", "db/fleet.toml", Env({}));
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().span().ToString(), "db/fleet.toml:3:8");
  EXPECT_NE(spec.status().message().find("did you mean `url`"), std::string::npos)
      << spec.status().message();
  spec = ParseFleet("[fleet]\nparalel = 3\n", "f.toml", Env({}));
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find("`parallel`"), std::string::npos);
}

TEST(FleetSpec, UnsetVariableIsAnErrorAtItsUrl) {
  auto spec = ParseFleet("[[target]]\nname = \"a\"\nurl = \"postgres://u:${NOPE}@h/db\"\n",
                         "db/fleet.toml", Env({}));
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().span().line, 3);
  EXPECT_NE(spec.status().message().find("NOPE is not set"), std::string::npos);
}

TEST(FleetSpec, ExplicitSqliteTargetsResolveAgainstTheProjectAndNamesAreUnique) {
  auto spec = ParseFleet(
      "[[target]]\nname = \"a\"\nurl = \"sqlite:t/a.db\"\n[[target]]\nname = \"a\"\nurl = "
      "\"sqlite:/abs/b.db\"\n",
      "db/fleet.toml", Env({}));
  ASSERT_TRUE(spec.ok());
  auto t = ResolveTargets(*spec, "/proj");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("already used at db/fleet.toml:1:1"), std::string::npos)
      << t.status().message();
  spec->targets[1].name = "b";
  t = ResolveTargets(*spec, "/proj");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)[0].url, "sqlite:/proj/t/a.db");
  EXPECT_EQ((*t)[1].url, "sqlite:/abs/b.db");
}

TEST(FleetSpec, SchemaTenantUrlCarriesSearchPathAndApplicationName) {
  EXPECT_EQ(WithParams("postgres://u@h/db", "acme", "strata fleet 1 #2"),
            "postgres://u@h/db?options=-c%20search_path%3D%22acme%22"
            "&application_name=strata%20fleet%201%20%232");
  EXPECT_EQ(
      WithParams("postgres://u@h/db?sslmode=disable&options=-c%20work_mem%3D4MB", "t a", ""),
      "postgres://u@h/db?sslmode=disable&options=-c%20work_mem%3D4MB%20-c%20search_path%3D%22t"
      "%5C%20a%22");
  EXPECT_EQ(WithParams("sqlite:a.db", "x", "y"), "sqlite:a.db");
}

}  // namespace
}  // namespace strata::fleet
