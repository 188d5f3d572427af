// Seed packages on real SQLite and PostgreSQL: the example quote service's reference, catalog,
// policy and test-only packages (issue 6, "Evidence that it works").
#include <gtest/gtest.h>

#include "seed/seed_fixture.h"

namespace strata::testing {
namespace {

const char* kReasonCsv = "db/seed/reference/quote-reason-codes/quote_reason_code.csv";
const char* kReasonManifest = "db/seed/reference/quote-reason-codes/manifest.toml";
const char* kOfferingCsv = "db/seed/catalog/enterprise-internet/product_offering.csv";
const char* kCatalogManifest = "db/seed/catalog/enterprise-internet/manifest.toml";
const char* kFixtureManifest = "db/seed/test-only/quote-fixtures/manifest.toml";
const char* kRevisionCsv = "db/seed/test-only/quote-fixtures/quote_revision.csv";
const char* kLogCsv = "db/seed/test-only/quote-fixtures/quote_transition_log.csv";

int Count(const nlohmann::json& pkg, const char* what) { return pkg["counts"][what].get<int>(); }

bool HasRow(const nlohmann::json& pkg, const std::string& action, const std::string& key) {
  for (const auto& r : pkg["rows"]) {
    if (r["action"] == action && r["key"] == key) return true;
  }
  return false;
}

TEST_P(SeedTest, ApplyTwiceChangesNothingTheSecondTime) {
  SeedProject p(GetParam());
  p.Migrate();
  int code = -1;
  auto plan = p.Json({"seed", "plan", "--env", "local"}, &code);
  ASSERT_EQ(code, kExitOk) << plan.dump(2);
  // The exact diff: V002 already inserted three reason codes, the package adds a fourth.
  auto ref = PackageOf(plan, "quote-reason-codes");
  EXPECT_EQ(Count(ref, "insert"), 1);
  EXPECT_EQ(Count(ref, "unchanged"), 3);
  EXPECT_TRUE(HasRow(ref, "insert", "PRICING_OUTAGE")) << ref.dump(2);
  EXPECT_EQ(Count(PackageOf(plan, "catalog-enterprise-internet-2026-07"), "insert"), 3);
  EXPECT_EQ(Count(PackageOf(plan, "discount-approval-2026-07"), "insert"), 2);
  EXPECT_EQ(Count(PackageOf(plan, "quote-fixtures"), "insert"), 10);
  EXPECT_EQ(p.Count("quote_reason_code"), 3) << "plan wrote something";

  auto run = p.Run({"--json", "--log-json", "seed", "apply", "--env", "local"});
  ASSERT_EQ(run.exit_code, kExitOk) << run.All();
  auto first = nlohmann::json::parse(run.out);
  // Progress: one started/done event pair per package, as JSON lines on stderr.
  size_t done = 0;
  for (size_t at = run.err.find("\"migration_done\""); at != std::string::npos;
       at = run.err.find("\"migration_done\"", at + 1)) {
    ++done;
  }
  EXPECT_EQ(done, 4u) << run.err;
  EXPECT_EQ(p.Rows("SELECT verb, outcome FROM strata_run WHERE run_id = $1",
                   {first["run_id"].get<std::string>()}),
            (std::vector<std::vector<std::string>>{{"seed apply", "succeeded"}}));
  for (const auto& pkg : first["packages"]) EXPECT_TRUE(pkg["applied"].get<bool>()) << pkg.dump(2);
  EXPECT_EQ(p.Count("quote_reason_code"), 4);
  EXPECT_EQ(p.Count("quote_revision"), 4);
  // The ledger records each package with its checksum.
  for (const auto& pkg : first["packages"]) {
    EXPECT_EQ(p.Scalar("SELECT checksum FROM strata_schema_history WHERE type = 'SEED' AND "
                       "description = $1",
                       {pkg["package"].get<std::string>()}),
              pkg["checksum"].get<std::string>());
  }
  int ledger_rows = p.Count("strata_schema_history");
  EXPECT_EQ(p.Count("strata_schema_history WHERE type = 'SEED'"), 4);
  EXPECT_EQ(p.Run({"validate"}).exit_code, kExitOk) << "SEED rows keep the hash chain intact";

  auto second = p.Json({"seed", "apply", "--env", "local"}, &code);
  ASSERT_EQ(code, kExitOk) << second.dump(2);
  for (const auto& pkg : second["packages"]) {
    EXPECT_FALSE(pkg["applied"].get<bool>()) << pkg.dump(2);
    EXPECT_EQ(Count(pkg, "insert") + Count(pkg, "update") + Count(pkg, "deprecate") +
                  Count(pkg, "delete"),
              0)
        << pkg.dump(2);
  }
  EXPECT_EQ(p.Count("strata_schema_history"), ledger_rows) << "a second apply wrote the ledger";
  EXPECT_TRUE(second["run_id"].is_null()) << "nothing to do, nothing recorded";
  EXPECT_EQ(p.Count("quote_reason_code"), 4);

  auto status = p.Json({"seed", "status", "--env", "local"}, &code);
  ASSERT_EQ(code, kExitOk) << status.dump(2);
  for (const auto& pkg : status["packages"]) EXPECT_EQ(pkg["state"], "up-to-date") << pkg.dump(2);
  EXPECT_EQ(p.Run({"seed", "diff", "--env", "local"}).exit_code, kExitOk);

  // Drift made by hand shows in status and diff (exit 3), and apply repairs it.
  auto c = p.Connect();
  ASSERT_TRUE(c->Exec("UPDATE approval_policy SET approver_role = 'NOBODY' WHERE policy_code = "
                      "'DISCOUNT_SALES_MANAGER'")
                  .ok());
  status = p.Json({"seed", "status", "--env", "local"}, &code);
  EXPECT_EQ(PackageOf(status, "discount-approval-2026-07")["state"], "drifted");
  auto diff = p.Json({"seed", "diff", "--env", "local"}, &code);
  EXPECT_EQ(code, kExitRefused) << diff.dump(2);
  // A policy version changed in the database is drift that strata will not overwrite unless
  // told to (--restore); the package, unchanged since it was applied, is not blamed (issue 17).
  EXPECT_FALSE(HasRule(diff, "SD104")) << diff.dump(2);
  EXPECT_TRUE(
      HasRow(PackageOf(diff, "discount-approval-2026-07"), "drift", "DISCOUNT_SALES_MANAGER|1"))
      << diff.dump(2);
}

// Issue 17: "`seed apply` labels never-applied packages drifted; after a hand edit of a
// reference row, the counts skip the edited row, `seed diff` says apply fixes it, and `seed
// apply` refuses with SD101 and blames the package." The honest state, and a recorded restore.
TEST_P(SeedTest, HandEditedRowIsDriftAndRestoredOnlyOnRequest) {
  SeedProject p(GetParam());
  p.Migrate();
  int code = -1;
  auto status = p.Json({"seed", "status", "--env", "local"}, &code);
  EXPECT_EQ(PackageOf(status, "quote-reason-codes")["state"], "never-applied");
  auto first = p.Run({"seed", "apply", "--env", "local"});
  ASSERT_EQ(first.exit_code, kExitOk) << first.All();
  EXPECT_EQ(first.out.find("drifted"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("up-to-date"), std::string::npos) << first.out;

  auto c = p.Connect();
  ASSERT_TRUE(c->Exec("UPDATE quote_reason_code SET description = 'edited by hand' WHERE code = "
                      "'PRICE_REVIEW'")
                  .ok());
  status = p.Json({"seed", "status", "--env", "local"}, &code);
  auto ref = PackageOf(status, "quote-reason-codes");
  EXPECT_EQ(ref["state"], "drifted") << ref.dump(2);
  EXPECT_EQ(Count(ref, "drift"), 1) << ref.dump(2);
  EXPECT_EQ(Count(ref, "unchanged"), 3) << "every row is counted: " << ref.dump(2);

  auto diff = p.Run({"--json", "seed", "diff", "--env", "local"});
  EXPECT_EQ(diff.exit_code, kExitRefused) << diff.All();
  auto dj = nlohmann::json::parse(diff.out);
  ref = PackageOf(dj, "quote-reason-codes");
  ASSERT_TRUE(HasRow(ref, "drift", "PRICE_REVIEW")) << ref.dump(2);
  EXPECT_TRUE(dj["violations"].empty()) << "the package is not blamed: " << dj.dump(2);
  std::string hint = dj["error"]["hint"].get<std::string>();
  EXPECT_NE(hint.find("--restore"), std::string::npos) << hint;
  EXPECT_EQ(hint.find("makes the database match"), std::string::npos) << hint;

  // apply leaves the edit alone (and says so); it does not refuse.
  auto apply = p.Run({"seed", "apply", "--env", "local"});
  EXPECT_EQ(apply.exit_code, kExitOk) << apply.All();
  EXPECT_EQ(apply.All().find("SD101"), std::string::npos) << apply.All();
  EXPECT_NE(apply.out.find("--restore"), std::string::npos) << apply.out;
  EXPECT_EQ(p.Scalar("SELECT description FROM quote_reason_code WHERE code = 'PRICE_REVIEW'"),
            "edited by hand");

  // --restore puts the package's value back, recorded in the ledger and the run record.
  int seeds = p.Count("strata_schema_history WHERE type = 'SEED'");
  auto restored = p.Json({"seed", "apply", "--env", "local", "--restore"}, &code);
  ASSERT_EQ(code, kExitOk) << restored.dump(2);
  EXPECT_EQ(p.Scalar("SELECT description FROM quote_reason_code WHERE code = 'PRICE_REVIEW'"),
            "Quote requires price review");
  EXPECT_EQ(Count(PackageOf(restored, "quote-reason-codes"), "restored"), 1) << restored.dump(2);
  EXPECT_EQ(p.Count("strata_schema_history WHERE type = 'SEED'"), seeds + 1);
  std::string reason = p.Scalar(
      "SELECT reason FROM strata_schema_history WHERE type = 'SEED' ORDER BY installed_rank "
      "DESC LIMIT 1");
  EXPECT_NE(reason.find("--restore: 1 row(s)"), std::string::npos) << reason;
  EXPECT_NE(reason.find("quote_reason_code PRICE_REVIEW"), std::string::npos) << reason;
  ASSERT_TRUE(restored["run_id"].is_string()) << restored.dump(2);
  EXPECT_NE(p.Scalar("SELECT detail FROM strata_run WHERE run_id = $1",
                     {restored["run_id"].get<std::string>()})
                .find("\"restored\":1"),
            std::string::npos);
  status = p.Json({"seed", "status", "--env", "local"}, &code);
  EXPECT_EQ(PackageOf(status, "quote-reason-codes")["state"], "up-to-date") << status.dump(2);
  EXPECT_EQ(p.Run({"seed", "diff", "--env", "local"}).exit_code, kExitOk);
}

TEST_P(SeedTest, CatalogVersionsAreEffectiveDatedNeverOverwritten) {
  SeedProject p(GetParam());
  p.Migrate();
  int code = -1;
  auto r = p.Json({"seed", "apply", "--env", "local", "--class", "catalog"}, &code);
  ASSERT_EQ(code, kExitOk) << r.dump(2);
  auto versions = p.Rows(
      "SELECT version, monthly_price_minor, CASE WHEN effective_to IS NULL THEN 'open' ELSE "
      "'closed' END FROM product_offering WHERE code = 'ENTERPRISE_INTERNET_1G' ORDER BY version");
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0], (std::vector<std::string>{"7", "129900", "closed"}));
  EXPECT_EQ(versions[1], (std::vector<std::string>{"8", "119900", "open"}));

  // A price change written over version 8 is refused: quotes priced under it must stay
  // explainable.
  std::string original = p.Read(kOfferingCsv);
  p.Edit(kOfferingCsv, "ROUTER,119900,EUR", "ROUTER,99900,EUR");
  r = p.Json({"seed", "apply", "--env", "local", "--class", "catalog"}, &code);
  EXPECT_EQ(code, kExitRefused) << r.dump(2);
  EXPECT_TRUE(HasRule(r, "SD104 version-immutable")) << r.dump(2);
  EXPECT_EQ(p.Scalar("SELECT monthly_price_minor FROM product_offering WHERE code = "
                     "'ENTERPRISE_INTERNET_1G' AND version = 8"),
            "119900");

  // The right way: version 9 from 2027-01-01, closing version 8.
  p.Write(kOfferingCsv, original);
  p.Edit(kOfferingCsv, "2026-07-01T00:00:00Z,\nENTERPRISE_INTERNET_500M",
         "2026-07-01T00:00:00Z,2027-01-01T00:00:00Z\nENTERPRISE_INTERNET_1G,9,Enterprise Internet "
         "1 Gbps,1000,ROUTER,99900,EUR,2027-01-01T00:00:00Z,\nENTERPRISE_INTERNET_500M");
  auto plan = p.Json({"seed", "plan", "--env", "local", "--class", "catalog"}, &code);
  ASSERT_EQ(code, kExitOk) << plan.dump(2);
  auto cat = PackageOf(plan, "catalog-enterprise-internet-2026-07");
  EXPECT_EQ(Count(cat, "insert"), 1);
  EXPECT_EQ(Count(cat, "update"), 1);
  EXPECT_TRUE(HasRow(cat, "insert", "ENTERPRISE_INTERNET_1G|9")) << cat.dump(2);
  EXPECT_TRUE(HasRow(cat, "update", "ENTERPRISE_INTERNET_1G|8")) << cat.dump(2);
  r = p.Json({"seed", "apply", "--env", "local", "--class", "catalog"}, &code);
  ASSERT_EQ(code, kExitOk) << r.dump(2);
  versions = p.Rows(
      "SELECT version, monthly_price_minor, CASE WHEN effective_to IS NULL THEN 'open' ELSE "
      "'closed' END FROM product_offering WHERE code = 'ENTERPRISE_INTERNET_1G' ORDER BY version");
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[1], (std::vector<std::string>{"8", "119900", "closed"}));
  EXPECT_EQ(versions[2], (std::vector<std::string>{"9", "99900", "open"}));

  // Overlapping windows are rejected when the package is read.
  p.Edit(kOfferingCsv, "2026-07-01T00:00:00Z,2027-01-01T00:00:00Z",
         "2026-07-01T00:00:00Z,2027-06-01T00:00:00Z");
  auto text = p.Run({"seed", "plan", "--env", "local"});
  EXPECT_NE(text.exit_code, kExitOk);
  EXPECT_NE(text.err.find("product_offering.csv:"), std::string::npos) << text.All();
  EXPECT_NE(text.err.find("overlap"), std::string::npos) << text.All();
}

TEST_P(SeedTest, TestOnlyFixtureIsRefusedInProduction) {
  SeedProject p(GetParam());
  p.Migrate();
  int code = -1;
  // Named explicitly: refused, naming the rule; nothing written.
  auto r = p.Json({"seed", "apply", "--env", "production", "--package", "quote-fixtures"}, &code);
  EXPECT_EQ(code, kExitRefused) << r.dump(2);
  EXPECT_TRUE(HasRule(r, "SD001 test-only-outside-local-ci")) << r.dump(2);
  EXPECT_EQ(p.Count("quote"), 0);
  auto text = p.Run({"seed", "apply", "--env", "production", "--package", "quote-fixtures"});
  EXPECT_NE(text.out.find("manifest.toml:1: error[SD001 test-only-outside-local-ci]"),
            std::string::npos)
      << text.All();
  EXPECT_NE(text.All().find("nothing was written"), std::string::npos) << text.All();

  // Mixed with an allowed package: still refused before any write.
  r = p.Json({"seed", "apply", "--env", "production", "--class", "reference,test-only"}, &code);
  EXPECT_EQ(code, kExitRefused) << r.dump(2);
  EXPECT_EQ(p.Count("quote_reason_code WHERE code = 'PRICING_OUTAGE'"), 0);
  EXPECT_EQ(p.Count("strata_schema_history WHERE type = 'SEED'"), 0);

  // The default selection leaves test-only out of production and applies the rest.
  r = p.Json({"seed", "apply", "--env", "production"}, &code);
  ASSERT_EQ(code, kExitOk) << r.dump(2);
  auto fixtures = PackageOf(r, "quote-fixtures");
  EXPECT_FALSE(fixtures["in_scope"].get<bool>());
  EXPECT_NE(fixtures["skipped"].get<std::string>().find("SD001"), std::string::npos);
  EXPECT_EQ(p.Count("quote"), 0);
  EXPECT_EQ(p.Count("quote_reason_code"), 4);
  EXPECT_EQ(p.Count("product_offering"), 3);

  // Catalog data without an approval is refused in production, but fine in ci.
  p.Edit(kCatalogManifest,
         "[approval]\napproved_by = \"commercial-ops\"\napproved_at = "
         "2026-06-25T10:00:00Z\n",
         "");
  r = p.Json({"seed", "plan", "--env", "production", "--class", "catalog"}, &code);
  EXPECT_EQ(code, kExitRefused) << r.dump(2);
  EXPECT_TRUE(HasRule(r, "SD002 unapproved-package")) << r.dump(2);
  EXPECT_EQ(p.Run({"seed", "plan", "--env", "ci", "--class", "catalog"}).exit_code, kExitOk);

  // A declared environment may narrow the policy, never widen test-only beyond local/ci.
  p.Write("strata.toml", p.Read("strata.toml") +
                             "\n[environments.uat]\ntier = \"staging\"\nclasses = [\"reference\", "
                             "\"test-only\"]\n");
  text = p.Run({"seed", "plan", "--env", "uat"});
  EXPECT_EQ(text.exit_code, 2) << text.All();
  EXPECT_NE(text.err.find("strata.toml:"), std::string::npos) << text.All();
  EXPECT_NE(text.err.find("test-only"), std::string::npos) << text.All();
}

TEST_P(SeedTest, ChangingTheMeaningOfAUsedCodeIsRefused) {
  SeedProject p(GetParam());
  p.Migrate();
  int code = -1;
  ASSERT_EQ(p.Run({"seed", "apply", "--env", "local"}).exit_code, kExitOk);
  ASSERT_EQ(p.Count("quote_transition_log WHERE reason_code = 'PRICE_REVIEW'"), 2);

  std::string original_csv = p.Read(kReasonCsv);
  p.Edit(kReasonCsv, "PRICE_REVIEW,Quote requires price review",
         "PRICE_REVIEW,Quote requires a second price review");
  auto r = p.Json({"seed", "apply", "--env", "local"}, &code);
  EXPECT_EQ(code, kExitRefused) << r.dump(2);
  ASSERT_TRUE(HasRule(r, "SD101 meaning-change")) << r.dump(2);
  auto v = r["violations"][0];
  EXPECT_EQ(v["key"], "PRICE_REVIEW");
  EXPECT_EQ(v["file"], kReasonCsv);
  EXPECT_EQ(v["line"], 3);
  EXPECT_NE(v["message"].get<std::string>().find("used by 2 row(s) of "
                                                 "quote_transition_log.reason_code"),
            std::string::npos)
      << v.dump(2);
  EXPECT_NE(v["hint"].get<std::string>().find("supersede"), std::string::npos) << v.dump(2);
  EXPECT_EQ(p.Scalar("SELECT description FROM quote_reason_code WHERE code = 'PRICE_REVIEW'"),
            "Quote requires price review");
  // Nothing else was written either (the fixtures package had nothing to do anyway).
  EXPECT_EQ(p.Count("strata_schema_history WHERE type = 'SEED'"), 4);

  // The fix the hint names: a new code, and the old one superseded (deprecated, not re-meant).
  p.Write(kReasonCsv,
          original_csv + "PRICE_REVIEW_SECOND,Quote requires a second price review,true\n");
  p.Write(kReasonManifest, p.Read(kReasonManifest) +
                               "\n[tables.supersede]\nPRICE_REVIEW = \"PRICE_REVIEW_SECOND\"\n");
  auto plan = p.Json({"seed", "plan", "--env", "local", "--class", "reference"}, &code);
  ASSERT_EQ(code, kExitOk) << plan.dump(2);
  auto ref = PackageOf(plan, "quote-reason-codes");
  EXPECT_TRUE(HasRow(ref, "insert", "PRICE_REVIEW_SECOND")) << ref.dump(2);
  EXPECT_TRUE(HasRow(ref, "deprecate", "PRICE_REVIEW")) << ref.dump(2);
  ASSERT_EQ(p.Run({"seed", "apply", "--env", "local"}).exit_code, kExitOk);
  auto row = p.Rows(
      "SELECT description, active, superseded_by FROM quote_reason_code WHERE code "
      "= 'PRICE_REVIEW'");
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0][0], "Quote requires price review");
  EXPECT_EQ(p.BoolText(row[0][1]), "false");
  EXPECT_EQ(row[0][2], "PRICE_REVIEW_SECOND");
  EXPECT_EQ(p.Count("quote_transition_log WHERE reason_code = 'PRICE_REVIEW'"), 2);
  auto again = p.Json({"seed", "apply", "--env", "local"}, &code);
  ASSERT_EQ(code, kExitOk);
  EXPECT_FALSE(PackageOf(again, "quote-reason-codes")["applied"].get<bool>());

  // Reusing the deprecated code (dropping the mark so the package says it is active) is refused.
  p.Edit(kReasonManifest, "[tables.supersede]\nPRICE_REVIEW = \"PRICE_REVIEW_SECOND\"\n", "");
  r = p.Json({"seed", "plan", "--env", "local"}, &code);
  EXPECT_EQ(code, kExitRefused);
  EXPECT_TRUE(HasRule(r, "SD103 deprecated-code-reuse")) << r.dump(2);

  // Deleting a code under sync is refused unless the manifest deprecates it.
  p.Write(kReasonManifest, p.Read(kReasonManifest) +
                               "\n[tables.supersede]\nPRICE_REVIEW = \"PRICE_REVIEW_SECOND\"\n");
  p.Edit(kReasonManifest, "mode = \"upsert\"", "mode = \"sync\"");
  p.Edit(kReasonCsv, "CONFIGURATION_INVALID,Configuration is invalid,true\n", "");
  r = p.Json({"seed", "plan", "--env", "local"}, &code);
  EXPECT_EQ(code, kExitRefused);
  EXPECT_TRUE(HasRule(r, "SD102 code-deletion")) << r.dump(2);
  p.Edit(kReasonManifest, "[[tables]]", "[[tables]]\ndeprecate = [\"CONFIGURATION_INVALID\"]");
  r = p.Json({"seed", "apply", "--env", "local"}, &code);
  ASSERT_EQ(code, kExitOk) << r.dump(2);
  EXPECT_EQ(p.BoolText(p.Scalar("SELECT active FROM quote_reason_code WHERE code = "
                                "'CONFIGURATION_INVALID'")),
            "false");
  EXPECT_EQ(p.Count("quote_reason_code"), 5) << "codes are deprecated, never deleted";
}

TEST_P(SeedTest, SyncRemovesRowsButNeverAReferencedOne) {
  SeedProject p(GetParam());
  p.Edit(kFixtureManifest, "data = \"quote_revision.csv\"\nkey = [\"id\"]",
         "data = \"quote_revision.csv\"\nkey = [\"id\"]\nused_by = "
         "[\"quote_transition_log.quote_revision_id\"]");
  p.Migrate();
  int code = -1;
  ASSERT_EQ(p.Run({"seed", "apply", "--env", "ci"}).exit_code, kExitOk);
  std::string revisions = p.Read(kRevisionCsv);
  // Revision ...0002 is referenced by transition log row 2.
  auto pos = revisions.find("20000000-0000-4000-8000-000000000002");
  ASSERT_NE(pos, std::string::npos);
  p.Write(kRevisionCsv, revisions.substr(0, pos) + revisions.substr(revisions.find('\n', pos) + 1));
  auto r = p.Json({"seed", "apply", "--env", "ci"}, &code);
  EXPECT_EQ(code, kExitRefused) << r.dump(2);
  EXPECT_TRUE(HasRule(r, "SD105 sync-referenced")) << r.dump(2);
  EXPECT_EQ(p.Count("quote_revision"), 4);

  // An unreferenced row absent from the package is removed.
  p.Write(kRevisionCsv, revisions);
  p.Edit(kLogCsv,
         "3,20000000-0000-4000-8000-000000000004,CONFIGURED,PRICED,PRICE_REVIEW,"
         "2026-07-02T11:05:00Z\n",
         "");
  auto plan = p.Json({"seed", "plan", "--env", "ci"}, &code);
  ASSERT_EQ(code, kExitOk) << plan.dump(2);
  EXPECT_TRUE(HasRow(PackageOf(plan, "quote-fixtures"), "delete", "3")) << plan.dump(2);
  ASSERT_EQ(p.Run({"seed", "apply", "--env", "ci"}).exit_code, kExitOk);
  EXPECT_EQ(p.Count("quote_transition_log"), 2);

  // Removing a quote with its revisions deletes children before parents (PostgreSQL enforces
  // the foreign keys).
  const char* kQuoteCsv = "db/seed/test-only/quote-fixtures/quote.csv";
  std::string quotes = p.Read(kQuoteCsv);
  auto q = quotes.find("00000000-0000-4000-8000-000000000003");
  p.Write(kQuoteCsv, quotes.substr(0, q) + quotes.substr(quotes.find('\n', q) + 1));
  std::string kept;
  for (size_t at = 0; at < revisions.size();) {
    size_t nl = revisions.find('\n', at);
    std::string line = revisions.substr(at, nl - at + 1);
    if (line.find(",00000000-0000-4000-8000-000000000003,") == std::string::npos) kept += line;
    at = nl + 1;
  }
  p.Write(kRevisionCsv, kept);
  auto r2 = p.Json({"seed", "apply", "--env", "ci"}, &code);
  ASSERT_EQ(code, kExitOk) << r2.dump(2);
  EXPECT_EQ(Count(PackageOf(r2, "quote-fixtures"), "delete"), 3);
  EXPECT_EQ(p.Count("quote"), 2);
  EXPECT_EQ(p.Count("quote_revision"), 2);
}

TEST_P(SeedTest, BadInputNamesTheFileTheLineAndTheNextStep) {
  SeedProject p(GetParam());
  p.Migrate();
  auto r = p.Run({"seed", "plan"});
  EXPECT_EQ(r.exit_code, 2) << r.All();
  EXPECT_NE(r.err.find("--env"), std::string::npos) << r.All();
  p.Edit(kReasonCsv, "PRICE_REVIEW,Quote requires price review,true",
         "PRICE_REVIEW,\"Quote requires price review,true");
  r = p.Run({"seed", "plan", "--env", "local"});
  EXPECT_NE(r.exit_code, kExitOk);
  EXPECT_NE(r.err.find("quote_reason_code.csv:3:"), std::string::npos) << r.All();
  EXPECT_NE(r.err.find("next:"), std::string::npos) << r.All();
  p.Write(kReasonCsv, "code,description,active\nPRICE_REVIEW,Quote requires price review,true\n");
  p.Edit(kReasonManifest, "owner = \"quote-team\"", "ownr = \"quote-team\"");
  r = p.Run({"seed", "plan", "--env", "local"});
  EXPECT_NE(r.err.find("manifest.toml:5"), std::string::npos) << r.All();
  EXPECT_NE(r.err.find("did you mean `owner`"), std::string::npos) << r.All();
}

// Issue 14: a NUL in a CSV value would reach the database shortened (the driver reads the
// value as a C string), and bytes that are not UTF-8 are not text the database takes. Either is
// refused before anything is written, naming the file, line and column.
TEST_P(SeedTest, CsvWithNulOrInvalidUtf8IsRefusedBeforeAnythingIsWritten) {
  SeedProject p(GetParam());
  p.Migrate();
  const int reasons = p.Count("quote_reason_code");
  const int offerings = p.Count("product_offering");
  const int ledger = p.Count("strata_schema_history");
  struct Case {
    std::string bad_line;
    std::string at;  // file:line:col
    std::string what;
  } cases[] = {
      {std::string("PRICING_OUTAGE,Pricing service\0 outage,true", 43),
       "quote_reason_code.csv:5:31", "NUL"},
      {"PRICING_OUTAGE,Pricing service caf\xe9,true", "quote_reason_code.csv:5:35", "UTF-8"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    p.Write(kReasonCsv,
            "code,description,active\nCUSTOMER_REQUEST,Customer requested the change,true\n"
            "PRICE_REVIEW,Quote requires price review,true\n"
            "CONFIGURATION_INVALID,Configuration is invalid,true\n" +
                c.bad_line + "\n");
    for (const char* verb : {"plan", "apply"}) {
      auto r = p.Run({"seed", verb, "--env", "local"});
      EXPECT_EQ(r.exit_code, kExitRefused) << verb << ": " << r.All();
      EXPECT_NE(r.err.find(c.at), std::string::npos) << verb << ": " << r.All();
      EXPECT_NE(r.err.find(c.what), std::string::npos) << verb << ": " << r.All();
    }
    // Nothing written: not the bad package, not the good ones, not the ledger.
    EXPECT_EQ(p.Count("quote_reason_code"), reasons);
    EXPECT_EQ(p.Count("product_offering"), offerings);
    EXPECT_EQ(p.Count("strata_schema_history"), ledger);
  }
}

INSTANTIATE_TEST_SUITE_P(Dialects, SeedTest, ::testing::Values(SeedDb::kSqlite, SeedDb::kPostgres),
                         SeedDbName);

}  // namespace
}  // namespace strata::testing
