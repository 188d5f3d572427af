// The --log-json line of each engine event kind carries that kind's fields under the names
// docs/json.md documents ("Progress events"), and no field of another kind.
#include "report/render.h"

#include <gtest/gtest.h>

namespace strata::report {
namespace {

Event::Migration V2() { return {"V2__alter_hot.sql", "2", 1, 3, 4}; }

TEST(EventJson, LockWaitingNamesTheHolderAsMessage) {
  auto j = ToJson(Event(Event::LockWaiting{"strata migrate pid 4242 on ci-runner-7"}));
  EXPECT_EQ(j, nlohmann::json({{"event", "lock_waiting"},
                               {"message", "strata migrate pid 4242 on ci-runner-7"}}));
  EXPECT_EQ(ToJson(Event(Event::LockAcquired{})), nlohmann::json({{"event", "lock_acquired"}}));
}

TEST(EventJson, RetryCarriesWhyBackoffAttemptAndStatement) {
  auto j = ToJson(Event(Event::Retry{2, 0, "canceling statement due to lock timeout", 480}, V2()));
  EXPECT_EQ(j["event"], "retry");
  EXPECT_EQ(j["script"], "V2__alter_hot.sql");
  EXPECT_EQ(j["version"], "2");
  EXPECT_EQ(j["migration"], 2);
  EXPECT_EQ(j["migrations"], 3);
  EXPECT_EQ(j["statements"], 4);
  EXPECT_EQ(j["statement"], 1);
  EXPECT_EQ(j["attempt"], 2);
  EXPECT_EQ(j["message"], "canceling statement due to lock timeout");
  EXPECT_EQ(j["elapsed_ms"], 480) << "the backoff";
  EXPECT_FALSE(j.contains("rows"));
}

TEST(EventJson, EachKindHasOnlyItsFields) {
  auto done = ToJson(Event(Event::StatementDone{2, 17, 35}, V2()));
  EXPECT_EQ(done["event"], "statement_done");
  EXPECT_EQ(done["statement"], 3);
  EXPECT_EQ(done["rows"], 17);
  EXPECT_EQ(done["elapsed_ms"], 35);
  EXPECT_FALSE(done.contains("message"));
  EXPECT_FALSE(done.contains("attempt"));

  auto failed = ToJson(Event(Event::MigrationFailed{120, 1, "V2__alter_hot.sql:3:1: boom"}, V2()));
  EXPECT_EQ(failed["event"], "migration_failed");
  EXPECT_EQ(failed["message"], "V2__alter_hot.sql:3:1: boom");
  EXPECT_EQ(failed["elapsed_ms"], 120);
  EXPECT_FALSE(failed.contains("statement"));

  auto ok = ToJson(Event(Event::MigrationDone{90, 2}, V2()));
  EXPECT_EQ(ok["event"], "migration_done");
  EXPECT_EQ(ok["attempt"], 2);
  EXPECT_FALSE(ok.contains("message"));

  auto notice = ToJson(Event(Event::Notice{"relation \"t\" already exists, skipping"}, V2()));
  EXPECT_EQ(notice["event"], "notice");
  EXPECT_EQ(notice["message"], "relation \"t\" already exists, skipping");

  Event::CheckDone c{"post-check", "", "V2__alter_hot.sql",          7, false, std::nullopt,
                     "= 0",        3,  "returned NULL, expected = 0"};
  auto check = ToJson(Event(c, V2()));
  EXPECT_EQ(check["event"], "check_done");
  EXPECT_EQ(check["phase"], "post-check");
  EXPECT_FALSE(check.contains("name"));
  EXPECT_EQ(check["line"], 7);
  EXPECT_EQ(check["ok"], false);
  EXPECT_TRUE(check["value"].is_null());
  EXPECT_EQ(check["expected"], "= 0");
  EXPECT_EQ(check["message"], "returned NULL, expected = 0");
}

TEST(EventJson, AKindReadsNoOtherKindsFields) {
  Event e(Event::LockWaiting{"pid 7"});
  EXPECT_TRUE(e.Is<Event::LockWaiting>());
  EXPECT_EQ(e.As<Event::Retry>(), nullptr);
  ASSERT_NE(e.As<Event::LockWaiting>(), nullptr);
  EXPECT_EQ(e.As<Event::LockWaiting>()->holder, "pid 7");
  EXPECT_FALSE(e.migration.has_value());
  EXPECT_STREQ(Event(Event::StatementObserved{}).Name(), "statement_observed");
}

}  // namespace
}  // namespace strata::report
