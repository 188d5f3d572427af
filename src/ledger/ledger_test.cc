#include "ledger/ledger.h"

#include <gtest/gtest.h>

namespace strata::ledger {
namespace {

TEST(Ledger, AppendsAChainAndDetectsTampering) {
  auto url = db::ParseUrl("sqlite::memory:");
  ASSERT_TRUE(url.ok());
  auto conn = db::Connect(*url, "test");
  ASSERT_TRUE(conn.ok());
  Ledger ledger(**conn, "strata_schema_history", "");
  ASSERT_TRUE(ledger.Create().ok());
  ASSERT_TRUE(ledger.ReadAll().ok());
  for (int i = 1; i <= 3; ++i) {
    AppliedRow r;
    r.version = std::to_string(i);
    r.description = "d";
    r.type = "SQL";
    r.script = "V" + std::to_string(i) + "__d.sql";
    r.checksum = "c";
    r.installed_by = "me";
    r.installed_on = "2026-11-21T00:00:00.000Z";
    r.success = true;
    ASSERT_TRUE(ledger.Append(r).ok());
    EXPECT_EQ(r.rank, i);
  }
  auto rows = ledger.ReadAll();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].prev_hash, kGenesisHash);
  EXPECT_EQ((*rows)[1].prev_hash, (*rows)[0].row_hash);
  EXPECT_TRUE(Ledger::VerifyChain(*rows).empty());

  // An edit by hand.
  ASSERT_TRUE((*conn)
                  ->Exec("UPDATE strata_schema_history SET checksum = 'x' WHERE installed_rank = 2")
                  .ok());
  rows = ledger.ReadAll();
  auto broken = Ledger::VerifyChain(*rows);
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_NE(broken[0].find("rank 2"), std::string::npos);

  // A deleted row.
  ASSERT_TRUE((*conn)
                  ->Exec("UPDATE strata_schema_history SET checksum = 'c' WHERE installed_rank = 2")
                  .ok());
  ASSERT_TRUE((*conn)->Exec("DELETE FROM strata_schema_history WHERE installed_rank = 2").ok());
  rows = ledger.ReadAll();
  broken = Ledger::VerifyChain(*rows);
  ASSERT_FALSE(broken.empty());
  EXPECT_NE(broken[0].find("deleted"), std::string::npos);
}

}  // namespace
}  // namespace strata::ledger
