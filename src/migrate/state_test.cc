#include "migrate/state.h"

#include <gtest/gtest.h>

namespace strata::migrate {
namespace {

SourceFile F(std::string name, std::string content = "select 1;\n") {
  return SourceFile{"loc", name, "loc/" + name, std::move(content)};
}

AppliedRow Row(int rank, std::optional<std::string> version, std::string type, std::string script,
               std::string checksum, bool success = true) {
  AppliedRow r;
  r.rank = rank;
  r.version = std::move(version);
  r.type = std::move(type);
  r.script = script;
  r.description = script;
  r.checksum = std::move(checksum);
  r.success = success;
  return r;
}

std::map<std::string, std::string> States(const StateReport& r) {
  std::map<std::string, std::string> out;
  for (const auto& e : r.entries) out[std::string(e.script)] = std::string(StateName(e.state));
  return out;
}

TEST(State, JoinsFilesAndLedger) {
  auto set = Resolve({F("V1__a.sql"), F("V2__b.sql"), F("V3__c.sql"), F("V5__e.sql"),
                      F("R__views.sql", "create view v as select 2;")});
  ASSERT_TRUE(set.ok());
  const auto& ms = set->migrations;
  std::vector<AppliedRow> rows = {
      Row(1, "1", "SQL", "V1__a.sql", ms[0].checksum),
      Row(2, "3", "SQL", "V3__c.sql", ms[2].checksum),
      Row(3, "4", "SQL", "V4__gone.sql", "x"),
      Row(4, std::nullopt, "REPEATABLE", "R__views.sql", "old"),  // description fixed below
      Row(5, "9", "SQL", "V9__newer.sql", "y"),
  };
  rows[3].description = "views";
  auto report = Join(*set, rows);
  auto s = States(report);
  EXPECT_EQ(s["V1__a.sql"], "applied");
  EXPECT_EQ(s["V2__b.sql"], "out-of-order");  // pending, older than applied V3/V9
  EXPECT_EQ(s["V3__c.sql"], "applied");
  EXPECT_EQ(s["V4__gone.sql"], "missing");
  EXPECT_EQ(s["V5__e.sql"], "out-of-order");
  EXPECT_EQ(s["V9__newer.sql"], "future");
  EXPECT_EQ(s["R__views.sql"], "outdated");
}

TEST(State, ChecksumMismatchAndAcceptedRepair) {
  auto set = Resolve({F("V1__a.sql", "select 2;\n")});
  ASSERT_TRUE(set.ok());
  std::vector<AppliedRow> rows = {Row(1, "1", "SQL", "V1__a.sql", "recorded")};
  auto report = Join(*set, rows);
  ASSERT_EQ(report.entries.size(), 1u);
  EXPECT_TRUE(report.entries[0].checksum_mismatch);
  EXPECT_EQ(report.entries[0].accepted_checksum, "recorded");

  AppliedRow repair = Row(2, "1", "REPAIR", "V1__a.sql", set->migrations[0].checksum);
  repair.description = std::string(kRepairAcceptChecksum);
  rows.push_back(repair);
  report = Join(*set, rows);
  EXPECT_FALSE(report.entries[0].checksum_mismatch);
  EXPECT_EQ(report.entries[0].state, State::kApplied);
}

TEST(State, FailedRowBlocksUntilClearedThenPending) {
  auto set = Resolve({F("V1__a.sql")});
  ASSERT_TRUE(set.ok());
  std::vector<AppliedRow> rows = {Row(1, "1", "SQL", "V1__a.sql", set->migrations[0].checksum,
                                      /*success=*/false)};
  EXPECT_EQ(Join(*set, rows).entries[0].state, State::kFailed);
  AppliedRow clear = Row(2, "1", "REPAIR", "V1__a.sql", "");
  clear.checksum.reset();
  clear.description = std::string(kRepairClearFailed);
  rows.push_back(clear);
  EXPECT_EQ(Join(*set, rows).entries[0].state, State::kPending);
}

// Rows in rank order are usually in version order too; an out-of-order apply and a retried
// version are not, and join as the ledger says.
TEST(State, RowsOutOfVersionOrderAndRetriedVersions) {
  auto set =
      Resolve({F("V1__a.sql"), F("V2__b.sql"), F("V3__c.sql"), F("V4__d.sql"), F("V5__e.sql")});
  ASSERT_TRUE(set.ok());
  const auto& ms = set->migrations;
  AppliedRow clear = Row(5, "4", "REPAIR", "V4__d.sql", "");
  clear.checksum.reset();
  clear.description = std::string(kRepairClearFailed);
  std::vector<AppliedRow> rows = {
      Row(1, "1", "SQL", "V1__a.sql", ms[0].checksum),
      Row(2, "3", "SQL", "V3__c.sql", ms[2].checksum),
      Row(3, "2", "SQL", "V2__b.sql", "edited since"),  // applied out of order
      Row(4, "4", "SQL", "V4__d.sql", ms[3].checksum, /*success=*/false),
      clear,
      Row(6, "4", "SQL", "V4__d.sql", ms[3].checksum),  // the retry
  };
  auto report = Join(*set, rows);
  auto s = States(report);
  EXPECT_EQ(s["V1__a.sql"], "applied");
  EXPECT_EQ(s["V2__b.sql"], "applied");
  EXPECT_EQ(s["V3__c.sql"], "applied");
  EXPECT_EQ(s["V4__d.sql"], "applied");
  EXPECT_EQ(s["V5__e.sql"], "pending");
  ASSERT_TRUE(report.latest_applied.has_value());
  EXPECT_EQ(report.latest_applied->text(), "4");
  for (const auto& e : report.entries) {
    EXPECT_EQ(e.checksum_mismatch, e.script == "V2__b.sql") << e.script;
    if (e.script == "V4__d.sql") EXPECT_EQ(e.applied, &rows[5]);
  }
}

TEST(State, BaselineHidesOlderVersions) {
  auto set = Resolve({F("V1__a.sql"), F("V2__b.sql"), F("V3__c.sql")});
  ASSERT_TRUE(set.ok());
  std::vector<AppliedRow> rows = {Row(1, "2", "BASELINE", "<< baseline >>", "")};
  auto s = States(Join(*set, rows));
  EXPECT_EQ(s["V1__a.sql"], "below-baseline");
  EXPECT_EQ(s["V2__b.sql"], "below-baseline");
  EXPECT_EQ(s["V3__c.sql"], "pending");
  EXPECT_EQ(s["<< baseline >>"], "baseline");
}

}  // namespace
}  // namespace strata::migrate
