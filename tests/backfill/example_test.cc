// Seed 000's contract-term backfill on the example quote service, end to end: migrate, load
// quotes, plan (changes nothing), run, verify — on SQLite (the project's default database) and
// on PostgreSQL.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "backfill_support.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

std::string Uuid(int kind, int n) {
  return fmt::format("00000000-0000-4000-8000-{:04d}{:08d}", kind, n);
}

class ExampleTest : public ::testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(Dialects, ExampleTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Postgres" : "Sqlite"; });

TEST_P(ExampleTest, ContractTermBackfillEndToEnd) {
  if (GetParam()) STRATA_REQUIRE_POSTGRES();
  TempDir dir;
  std::string proj = dir / "quote-service";
  fs::copy(std::string(STRATA_SOURCE_DIR) + "/examples/quote-service", proj,
           fs::copy_options::recursive);
  fs::remove(proj + "/quote.db");
  std::string url =
      GetParam() ? PgCluster::Get().CreateDatabase("ex") : "sqlite:" + proj + "/quote.db";
  std::vector<std::string> url_args;
  if (GetParam()) url_args = {"--url", url};
  auto strata = [&](std::vector<std::string> a) {
    a.insert(a.begin(), url_args.begin(), url_args.end());
    return RunStrata(a, proj);
  };
  // Other capabilities add migrations to the example while it evolves; the copy's strata.sum
  // is rewritten so this test covers the backfill, not the state of the sum file.
  auto h = strata({"hash"});
  ASSERT_EQ(h.exit_code, 0) << h.All();
  // Release A (V004: nullable columns) only: release B is the backfill below.
  auto m = strata({"migrate", "--target", "004"});
  ASSERT_EQ(m.exit_code, 0) << m.All();

  auto u = db::ParseUrl(url);
  auto conn = std::move(*db::Connect(*u, "example test"));
  // 20 quotes × 2 revisions (terms 12/24/36) × 30 lines = 1200 lines, all without a term.
  std::string sql;
  const char* states[] = {"DRAFT", "PRICED", "APPROVED", "ACCEPTED"};
  for (int q = 0; q < 20; ++q) {
    sql += fmt::format(
        "INSERT INTO quote (id, customer_id, state, created_at, updated_at) VALUES "
        "('{}', '{}', 'DRAFT', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');\n",
        Uuid(1, q), Uuid(2, q));
    for (int r = 0; r < 2; ++r) {
      int rev = q * 2 + r;
      sql += fmt::format(
          "INSERT INTO quote_revision (id, quote_id, revision_no, state, "
          "contract_term_months, created_at, created_by) VALUES ('{}', '{}', {}, "
          "'DRAFT', {}, '2026-01-01T00:00:00Z', 'seed');\n",
          Uuid(3, rev), Uuid(1, q), r + 1, 12 * (1 + rev % 3));
      std::string values;
      for (int l = 0; l < 30; ++l) {
        int id = rev * 30 + l + 1;
        values +=
            fmt::format("{}({}, '{}', 'OFFER-{}', 1, '{}', 1000, 'EUR', '2026-01-01T00:00:00Z')",
                        values.empty() ? "" : ", ", id, Uuid(3, rev), l % 5, states[id % 4]);
      }
      sql +=
          "INSERT INTO quote_line (id, quote_revision_id, product_offering_code, quantity, "
          "lifecycle_status, unit_price_minor, currency, created_at) VALUES " +
          values + ";\n";
    }
  }
  auto b = conn->ExecBatch({sql}, false);
  ASSERT_TRUE(b.status.ok()) << b.status.ToString();

  auto plan = strata({"--json", "backfill", "plan", "quote_line_contract_term"});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  auto pj = json::parse(plan.out);
  EXPECT_EQ(pj["candidates"], 1200);
  EXPECT_NE(pj["chunk_sql"].get<std::string>().find("FROM quote_revision qr"), std::string::npos);
  EXPECT_EQ(pj["sample"][0]["after"]["contract_term_source"], "BACKFILLED_FROM_QUOTE");
  auto nulls = [&] {
    auto r = conn->Query("SELECT count(*) FROM quote_line WHERE contract_term_months IS NULL");
    return std::stoll(*r->rows[0][0]);
  };
  EXPECT_EQ(nulls(), 1200);  // plan changed nothing

  auto run = strata({"--json", "backfill", "run", "quote_line_contract_term"});
  ASSERT_EQ(run.exit_code, 0) << run.All();
  auto rj = json::parse(run.out);
  EXPECT_EQ(rj["job"]["status"], "completed");
  EXPECT_EQ(rj["job"]["processed_count"], 1200);
  EXPECT_EQ(rj["verification"]["actual"], "0");
  EXPECT_EQ(nulls(), 0);
  // Seed 000 §28's second panel: no line differs from its revision's term.
  auto diff = conn->Query(
      "SELECT count(*) FROM quote_line ql JOIN quote_revision qr ON qr.id = ql.quote_revision_id "
      "WHERE ql.contract_term_source = 'BACKFILLED_FROM_QUOTE' AND ql.contract_term_months <> "
      "qr.contract_term_months");
  EXPECT_EQ(*diff->rows[0][0], "0");

  auto status = strata({"backfill", "status"});
  EXPECT_EQ(status.exit_code, 0) << status.All();
  EXPECT_NE(status.out.find("quote_line_contract_term run 1: completed"), std::string::npos)
      << status.out;
  // Release C and later (e.g. V010's post-check that no active line lacks a term) apply now.
  auto rest = strata({"migrate"});
  EXPECT_EQ(rest.exit_code, 0) << rest.All();
  auto validate = strata({"validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate.All();
}

// A delete job on the example project (issue 21): its quote number is an identifier contract
// with `deletes = "never"` (db/identifiers.toml), so a backfill that deletes quote rows is
// refused before anything runs — exit 7, naming the rule, the identifier, its consumers and the
// safe path — while a purge of published outbox events (`deletes = "allowed"`) runs, in chunks,
// and its identifier digests explain the ids that vanished.
TEST_P(ExampleTest, DeleteJobOnQuoteRowsIsRefusedOutboxPurgeRuns) {
  if (GetParam()) STRATA_REQUIRE_POSTGRES();
  TempDir dir;
  std::string proj = dir / "quote-service";
  fs::copy(std::string(STRATA_SOURCE_DIR) + "/examples/quote-service", proj,
           fs::copy_options::recursive);
  fs::remove(proj + "/quote.db");
  ASSERT_TRUE(fs::exists(proj + "/db/identifiers.toml"));
  std::string url =
      GetParam() ? PgCluster::Get().CreateDatabase("exdel") : "sqlite:" + proj + "/quote.db";
  std::vector<std::string> url_args;
  if (GetParam()) url_args = {"--url", url};
  auto strata = [&](std::vector<std::string> a) {
    a.insert(a.begin(), url_args.begin(), url_args.end());
    return RunStrata(a, proj);
  };
  ASSERT_EQ(strata({"hash"}).exit_code, 0);
  auto m = strata({"migrate"});
  ASSERT_EQ(m.exit_code, 0) << m.All();
  auto u = db::ParseUrl(url);
  auto conn = std::move(*db::Connect(*u, "example test"));
  std::string sql;
  for (int q = 0; q < 3; ++q) {
    sql += fmt::format(
        "INSERT INTO quote (id, customer_id, state, created_at, updated_at) VALUES "
        "('{}', '{}', 'DRAFT', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');\n",
        Uuid(1, q), Uuid(2, q));
  }
  for (int e = 0; e < 30; ++e) {
    bool published = e % 3 != 0;
    sql += fmt::format(
        "INSERT INTO outbox_event (id, aggregate_type, aggregate_id, event_type, event_version, "
        "payload, headers, status, created_at, published_at) VALUES ('{}', 'quote', '{}', "
        "'QuoteCreated', 1, '{{}}', '{{}}', '{}', '2026-01-01T00:00:00Z', {});\n",
        Uuid(5, e), Uuid(1, e % 3), published ? "PUBLISHED" : "NEW",
        published ? "'2026-01-02T00:00:00Z'" : "NULL");
  }
  auto b = conn->ExecBatch({sql}, false);
  ASSERT_TRUE(b.status.ok()) << b.status.ToString();
  auto count = [&](const std::string& what) {
    auto r = conn->Query("SELECT count(*) FROM " + what);
    return std::stoll(*r->rows[0][0]);
  };

  std::ofstream(proj + "/db/backfill/purge_draft_quotes.toml")
      << "description = \"purge abandoned drafts\"\n"
         "kind = \"delete\"\n"
         "table = \"quote\"\n"
         "key = \"id\"\n"
         "where = \"quote.state = 'DRAFT'\"\n";
  auto refused = strata({"backfill", "run", "purge_draft_quotes"});
  EXPECT_EQ(refused.exit_code, 7) << refused.All();
  const std::string out = refused.All();
  EXPECT_NE(out.find("backfill run refused"), std::string::npos) << out;
  EXPECT_NE(out.find("ID106"), std::string::npos) << out;
  EXPECT_NE(out.find("purge_draft_quotes.toml:2"), std::string::npos) << out;
  EXPECT_NE(out.find("quote_number"), std::string::npos) << out;
  EXPECT_NE(out.find("partner portal"), std::string::npos) << out;
  EXPECT_NE(out.find("rows are never deleted"), std::string::npos) << out;
  EXPECT_NE(out.find("strata identifiers map create quote_number"), std::string::npos) << out;
  EXPECT_EQ(count("quote"), 3);  // nothing ran
  // The dry run is refused nowhere: it changes nothing and shows what would go.
  auto plan = strata({"--json", "backfill", "plan", "purge_draft_quotes"});
  ASSERT_EQ(plan.exit_code, 0) << plan.All();
  EXPECT_EQ(json::parse(plan.out)["candidates"], 3);
  EXPECT_EQ(count("quote"), 3);

  std::ofstream(proj + "/db/backfill/purge_outbox.toml")
      << "kind = \"delete\"\n"
         "table = \"outbox_event\"\n"
         "key = \"id\"\n"
         "where = \"outbox_event.published_at IS NOT NULL\"\n"
         "[chunk]\nsize = 4\nmin_size = 1\n"
         "[verify]\nquery = \"SELECT count(*) FROM outbox_event WHERE published_at IS NOT "
         "NULL\"\nexpect = 0\n";
  auto purge = strata({"--json", "backfill", "run", "purge_outbox"});
  ASSERT_EQ(purge.exit_code, 0) << purge.All();
  auto pj = json::parse(purge.out);
  EXPECT_EQ(pj["job"]["status"], "completed");
  EXPECT_EQ(pj["job"]["processed_count"], 20);
  // 20 rows in ranges of 4: 5 chunks, one at a time (SQLite) or up to 4 side by side
  // (PostgreSQL, chunk.workers = 4).
  EXPECT_EQ(pj["job"]["chunk_count"], 5);
  EXPECT_EQ(count("outbox_event"), 10);
  EXPECT_EQ(count("outbox_event WHERE published_at IS NULL"), 10);
}

}  // namespace
}  // namespace strata::testing
