// Every verb that changes the database leaves a run record in strata_run: baseline and repair
// as well as migrate (issue 5, "every run of every verb that changes the database").
#include "support/run.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace strata::testing {
namespace {

TEST(RunRecords, BaselineAndRepairAreRecorded) {
  TempDir dir;
  dir.Write("db/migration/V1__a.sql", "create table a (x int);\n");
  dir.Write("db/migration/V2__b.sql", "create table b (x int);\n");
  dir.Write("strata.toml", "url = \"sqlite:" + dir.path() + "/t.db\"\n");
  ASSERT_EQ(RunStrata({"hash"}, dir.path()).exit_code, 0);
  ASSERT_EQ(RunStrata({"baseline", "--version", "1"}, dir.path()).exit_code, 0);
  ASSERT_EQ(RunStrata({"migrate"}, dir.path()).exit_code, 0);
  dir.Write("db/migration/V2__b.sql", "create table b (x int); -- reviewed\n");
  ASSERT_EQ(RunStrata({"hash"}, dir.path()).exit_code, 0);
  auto repair = RunStrata(
      {"--json", "repair", "--accept-checksum", "2", "--reason", "comment added after apply"},
      dir.path());
  ASSERT_EQ(repair.exit_code, 0) << repair.All();

  auto ev = RunStrata({"--json", "evidence", "--format", "json"}, dir.path());
  ASSERT_EQ(ev.exit_code, 0) << ev.All();
  auto j = nlohmann::json::parse(ev.out);
  auto pkg = j["package"].is_string() ? nlohmann::json::parse(j["package"].get<std::string>())
                                      : j["package"];
  std::vector<std::string> verbs;
  std::string repair_reason;
  for (const auto& run : pkg["content"]["runs"]) {
    verbs.push_back(run["verb"]);
    EXPECT_EQ(run["outcome"], "succeeded");
    if (run["verb"] == "repair") repair_reason = run["detail"]["reason"];
  }
  EXPECT_EQ(verbs, (std::vector<std::string>{"baseline", "migrate", "repair"}));
  EXPECT_EQ(repair_reason, "comment added after apply");
}

}  // namespace
}  // namespace strata::testing
