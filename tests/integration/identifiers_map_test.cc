// Re-keying the example project's quote numbers through a mapping, never in place (issue 21,
// seed 004): `strata identifiers map create|fill|status|publish` on real PostgreSQL. A re-key
// to a new numbering passes every check and resolves old ids through the lookup view; an edit
// after publish is refused by the guard trigger and, when the trigger is bypassed, detected by
// the hash chain recorded in the ledger; kill -9 during the mapping's fill, then a rerun, maps
// every old id exactly once.
#include <fmt/format.h>

#include <filesystem>

#include "integration/identifiers_fixture.h"

namespace strata::testing {
namespace {

class IdentifierMap : public ::testing::Test {
 protected:
  void SetUp() override { STRATA_REQUIRE_POSTGRES(); }

  // The example project (V001..V005) plus the new numbering's column, with `n` quotes whose
  // new numbers are QN-000001...
  void Setup(const Project& p, int n) {
    WriteExampleProject(p, kQuoteNumberContract);
    p.Write("V012__add_quote_number_v2.sql",
            "ALTER TABLE quote ADD COLUMN quote_number_v2 text;\n");
    auto r = Migrate(p);
    ASSERT_EQ(r.exit_code, 0) << r.All();
    p.Exec(fmt::format(
        "INSERT INTO quote (id, customer_id, state, created_at, updated_at, quote_number_v2) "
        "SELECT gen_random_uuid(), gen_random_uuid(), 'DRAFT', now(), now(), 'QN-' || "
        "lpad(g::text, 6, '0') FROM generate_series(1, {}) g",
        n));
  }
};

TEST_F(IdentifierMap, ReKeyOfQuoteNumbersThroughAMappingPasses) {
  Project p(Db::kPostgres);
  Setup(p, 500);
  auto c = p.Run({"identifiers", "map", "create", "quote_number", "--to", "quote_number_v2",
                  "--why", "new quote numbering QN-nnnnnn"});
  ASSERT_EQ(c.exit_code, 0) << c.All();
  // Nothing mapped yet: publishing is refused with the numbers.
  auto early = p.Run({"identifiers", "map", "publish", "quote_number"});
  EXPECT_EQ(early.exit_code, kExitCheckFailed) << early.All();
  EXPECT_NE(early.All().find("cannot be published"), std::string::npos) << early.All();

  auto fill = p.Json({"identifiers", "map", "fill", "quote_number"});
  EXPECT_EQ(fill["old_ids"], 500) << fill.dump();
  EXPECT_EQ(fill["mapped"], 500) << fill.dump();
  EXPECT_EQ(fill["unmapped"], 0) << fill.dump();
  EXPECT_EQ(fill["collisions"], 0) << fill.dump();
  EXPECT_EQ(fill["orphans"], 0) << fill.dump();
  EXPECT_EQ(fill["coverage"], 1.0) << fill.dump();

  auto pub = p.Json({"identifiers", "map", "publish", "quote_number"});
  EXPECT_EQ(pub["state"], "published") << pub.dump();
  std::string head = pub["chain_head"];
  ASSERT_EQ(head.size(), 64u);
  // Recorded in the hash-chained ledger.
  EXPECT_EQ(p.Scalar("SELECT checksum FROM strata_schema_history WHERE type = 'ID_MAP'"), head);
  // The ledger stays valid with the mapping's row in its chain.
  auto v = p.Run({"validate"});
  EXPECT_EQ(v.exit_code, 0) << v.All();
  // The old ids stay resolvable; the ids themselves never changed in place.
  std::string old_id = p.Scalar("SELECT id::text FROM quote WHERE quote_number_v2 = 'QN-000007'");
  EXPECT_EQ(p.Scalar("SELECT current_id FROM strata_idmap_quote_number_lookup WHERE id = '" +
                     old_id + "'"),
            "QN-000007");
  EXPECT_EQ(p.Scalar("SELECT current_id FROM strata_idmap_quote_number_lookup WHERE id = "
                     "'QN-000007'"),
            "QN-000007");
  EXPECT_EQ(p.Count("quote WHERE id::text = '" + old_id + "'"), 1);
  auto st = p.Run({"identifiers", "map", "status", "quote_number"});
  EXPECT_EQ(st.exit_code, 0) << st.All();
  EXPECT_NE(st.out.find("chain intact"), std::string::npos) << st.All();
  EXPECT_NE(st.out.find("coverage 100.0%"), std::string::npos) << st.All();
}

TEST_F(IdentifierMap, AnEditAfterPublishIsRefusedAndDetected) {
  Project p(Db::kPostgres);
  Setup(p, 50);
  ASSERT_EQ(p.Run({"identifiers", "map", "create", "quote_number", "--to", "quote_number_v2",
                   "--why", "new numbering"})
                .exit_code,
            0);
  ASSERT_EQ(p.Run({"identifiers", "map", "fill", "quote_number"}).exit_code, 0);
  auto pub = p.Run({"identifiers", "map", "publish", "quote_number"});
  ASSERT_EQ(pub.exit_code, 0) << pub.All();
  // The guard trigger refuses an edit.
  auto c = p.Connect();
  ASSERT_TRUE(c);
  auto upd = c->Exec(
      "UPDATE strata_idmap_quote_number SET new_id = 'QN-999999' WHERE new_id = "
      "'QN-000003'");
  EXPECT_FALSE(upd.ok());
  EXPECT_NE(upd.ToString().find("never edited"), std::string::npos) << upd.ToString();
  EXPECT_FALSE(c->Exec("DELETE FROM strata_idmap_quote_number").ok());
  // Past the trigger (its owner disables it), the chain still tells.
  ASSERT_TRUE(
      c->Exec("ALTER TABLE strata_idmap_quote_number DISABLE TRIGGER strata_idmap_guard").ok());
  ASSERT_TRUE(c->Exec("UPDATE strata_idmap_quote_number SET new_id = 'QN-999999' WHERE new_id "
                      "= 'QN-000003'")
                  .ok());
  ASSERT_TRUE(
      c->Exec("ALTER TABLE strata_idmap_quote_number ENABLE TRIGGER strata_idmap_guard").ok());
  auto st = p.Run({"identifiers", "map", "status", "quote_number"});
  EXPECT_EQ(st.exit_code, kExitCheckFailed) << st.All();
  EXPECT_NE(st.All().find("edited after publish"), std::string::npos) << st.All();
  // A published mapping is not filled again either.
  auto refill = p.Run({"identifiers", "map", "fill", "quote_number"});
  EXPECT_NE(refill.exit_code, 0) << refill.All();
}

// Two old ids onto one new id is a collision, unless the mapping is declared a merge.
TEST_F(IdentifierMap, SharedNewIdsAreACollisionUnlessTheMappingIsAMerge) {
  Project p(Db::kPostgres);
  Setup(p, 20);
  ASSERT_EQ(p.Run({"identifiers", "map", "create", "quote_number", "--expr",
                   "'QN-' || (src.quote_number_v2 > 'QN-000010')::text", "--why", "renumber"})
                .exit_code,
            0);
  auto fill = p.Json({"identifiers", "map", "fill", "quote_number"});
  EXPECT_EQ(fill["collisions"], 2) << fill.dump();
  auto pub = p.Run({"identifiers", "map", "publish", "quote_number"});
  EXPECT_EQ(pub.exit_code, kExitCheckFailed) << pub.All();
  EXPECT_NE(pub.All().find("collision"), std::string::npos) << pub.All();

  Project m(Db::kPostgres);
  Setup(m, 20);
  ASSERT_EQ(
      m.Run({"identifiers", "map", "create", "quote_number", "--merge", "--expr",
             "'QN-' || (src.quote_number_v2 > 'QN-000010')::text", "--why", "fold duplicates"})
          .exit_code,
      0);
  ASSERT_EQ(m.Run({"identifiers", "map", "fill", "quote_number"}).exit_code, 0);
  auto ok = m.Run({"identifiers", "map", "publish", "quote_number"});
  EXPECT_EQ(ok.exit_code, 0) << ok.All();
  EXPECT_EQ(m.Count("strata_idmap_quote_number_lookup WHERE current_id = 'QN-true' AND "
                    "superseded"),
            10);
}

TEST_F(IdentifierMap, KillDuringFillThenRerunMapsEveryIdOnce) {
  Project p(Db::kPostgres);
  // More rows than one chunk of the fill changes (its ranges side by side on the backfill's
  // workers: 4 x 1,000 at first), so the hold below lands with rows still unmapped.
  const int n = 10000;
  Setup(p, n);
  // Each new id takes a little time to compute (a correlated pg_sleep).
  ASSERT_EQ(p.Run({"identifiers", "map", "create", "quote_number", "--expr",
                   "src.quote_number_v2 || (SELECT '' FROM pg_sleep(0.0002) WHERE src.id IS NOT "
                   "NULL)",
                   "--why", "new numbering"})
                .exit_code,
            0);
  std::string log = p.dir() / "fill.log";
  // The backfill engine's test seam holds the fill after 1,000 rows until `gate` exists (it
  // never will): the kill lands mid-fill however fast or loaded the machine is.
  std::string gate = p.dir() / "hold";
  setenv("STRATA_TEST_BACKFILL_HOLD", ("1000:" + gate).c_str(), 1);
  int pid = p.Spawn({"identifiers", "map", "fill", "quote_number"}, log);
  unsetenv("STRATA_TEST_BACKFILL_HOLD");
  bool some =
      Eventually([&] { return std::filesystem::exists(gate + ".held"); }, std::chrono::seconds(60));
  ASSERT_TRUE(some) << Slurp(log);
  kill(pid, SIGKILL);
  WaitExitFor(pid, std::chrono::seconds(10));
  int mapped_at_kill = p.Count("strata_idmap_quote_number WHERE new_id IS NOT NULL");
  EXPECT_LT(mapped_at_kill, n) << "the fill finished before the kill; the test proves nothing";

  auto rerun = p.Json({"identifiers", "map", "fill", "quote_number"});
  EXPECT_EQ(rerun["mapped"], n) << rerun.dump();
  EXPECT_EQ(rerun["unmapped"], 0) << rerun.dump();
  EXPECT_EQ(rerun["rows"], n) << rerun.dump();
  EXPECT_EQ(rerun["collisions"], 0) << rerun.dump();
  // Nothing double-counted: the job's progress equals the rows, over both runners.
  EXPECT_EQ(p.Scalar("SELECT processed_count FROM strata_backfill_job WHERE job_key = "
                     "'idmap_quote_number' ORDER BY run_no DESC LIMIT 1"),
            std::to_string(n));
  EXPECT_EQ(p.Count("(SELECT DISTINCT new_id FROM strata_idmap_quote_number) d"), n);
  auto pub = p.Run({"identifiers", "map", "publish", "quote_number"});
  EXPECT_EQ(pub.exit_code, 0) << pub.All();
}

// A composite identifier (tenant, number) re-keyed to a new tuple (tenant, new number): each
// old tuple maps to exactly one new tuple, a tuple with a NULL part is no id, a new tuple
// shared by two old ones is a collision, the lookup view translates old tuples by their parts,
// and the published mapping is hash-chained into the ledger and frozen.
TEST_F(IdentifierMap, ACompositeIdentifierIsReKeyedTupleToTuple) {
  Project p(Db::kPostgres);
  p.dir().Write("db/identifiers.toml",
                "[[identifier]]\nname = \"order_ref\"\ntable = \"orders\"\n"
                "columns = [\"tenant\", \"number\"]\nconsumers = [\"partner portal\"]\n"
                "stability_window = \"30d\"\n");
  p.Write("V1__orders.sql",
          "CREATE TABLE orders (id int PRIMARY KEY, tenant int, number text, new_tenant int, "
          "new_number text);\n");
  ASSERT_EQ(Migrate(p).exit_code, 0);
  p.Exec(
      "INSERT INTO orders SELECT g, g % 3, 'O-' || g, g % 3, 'N-' || lpad(g::text, 4, '0') "
      "FROM generate_series(1, 60) g");
  p.Exec("INSERT INTO orders VALUES (61, NULL, 'O-61', 0, 'N-0061')");  // no id: a NULL part
  auto c = p.Run({"identifiers", "map", "create", "order_ref", "--to", "new_tenant,new_number",
                  "--why", "per-tenant numbering"});
  ASSERT_EQ(c.exit_code, 0) << c.All();
  auto fill = p.Json({"identifiers", "map", "fill", "order_ref"});
  EXPECT_EQ(fill["column"], "tenant, number") << fill.dump();
  EXPECT_EQ(fill["old_ids"], 60) << fill.dump();
  EXPECT_EQ(fill["mapped"], 60) << fill.dump();
  EXPECT_EQ(fill["unmapped"], 0) << fill.dump();
  EXPECT_EQ(fill["collisions"], 0) << fill.dump();
  EXPECT_EQ(fill["orphans"], 0) << fill.dump();
  // Two old tuples sharing a new one (an edit while filling, which the guard trigger allows): a
  // collision, publishing is refused with the numbers.
  p.Exec(
      "UPDATE strata_idmap_order_ref SET new_id = '1' || chr(31) || 'N-0001' WHERE old_id = '1' "
      "|| chr(31) || 'O-4'");
  auto bad = p.Run({"identifiers", "map", "publish", "order_ref"});
  EXPECT_EQ(bad.exit_code, kExitCheckFailed) << bad.All();
  EXPECT_NE(bad.All().find("1 new id(s) are shared by several old ids (a collision)"),
            std::string::npos)
      << bad.All();
  p.Exec(
      "UPDATE strata_idmap_order_ref SET new_id = '1' || chr(31) || 'N-0004' WHERE old_id = '1' "
      "|| chr(31) || 'O-4'");
  auto pub = p.Json({"identifiers", "map", "publish", "order_ref"});
  EXPECT_EQ(pub["state"], "published") << pub.dump();
  EXPECT_EQ(p.Scalar("SELECT checksum FROM strata_schema_history WHERE type = 'ID_MAP'"),
            pub["chain_head"].get<std::string>());
  // The read view translates an old tuple, by its parts, to the new one; the new resolves too.
  EXPECT_EQ(p.Scalar("SELECT replace(current_id, chr(31), '/') FROM strata_idmap_order_ref_lookup "
                     "WHERE tenant = '2' AND number = 'O-5' AND superseded"),
            "2/N-0005");
  EXPECT_EQ(p.Count("strata_idmap_order_ref_lookup WHERE id = '2' || chr(31) || 'N-0005' AND NOT "
                    "superseded"),
            1);
  // Frozen: an edit is refused; the ids in the table never changed in place.
  auto conn = p.Connect();
  auto edit = conn->Exec("DELETE FROM strata_idmap_order_ref WHERE old_id LIKE '0%'");
  EXPECT_FALSE(edit.ok());
  EXPECT_NE(edit.message().find("published identifier mapping"), std::string::npos)
      << edit.ToString();
  EXPECT_EQ(p.Count("orders WHERE number LIKE 'O-%'"), 61);
  auto st = p.Run({"identifiers", "map", "status", "order_ref"});
  EXPECT_EQ(st.exit_code, 0) << st.All();
  EXPECT_NE(st.out.find("chain intact"), std::string::npos) << st.All();
}

// The same re-key on SQLite: the mapping table, its guard triggers, the lookup view (split
// without split_part), the fill through the backfill engine (UPDATE ... FROM), the checks and
// the hash chain in the ledger.
TEST(IdentifierMapSqlite, ACompositeIdentifierIsReKeyedTupleToTuple) {
  Project p(Db::kSqlite);
  p.dir().Write("db/identifiers.toml",
                "[[identifier]]\nname = \"order_ref\"\ntable = \"orders\"\n"
                "columns = [\"tenant\", \"number\"]\nstability_window = \"30d\"\n");
  p.Write("V1__orders.sql",
          "CREATE TABLE orders (id INTEGER PRIMARY KEY, tenant INTEGER, number TEXT, new_tenant "
          "INTEGER, new_number TEXT);\n");
  ASSERT_EQ(Migrate(p).exit_code, 0);
  p.Exec(
      "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 60) INSERT INTO "
      "orders SELECT n, n % 3, 'O-' || n, n % 3, 'N-' || substr('000' || n, -4) FROM g");
  p.Exec("INSERT INTO orders VALUES (61, NULL, 'O-61', 0, 'N-0061')");
  auto c = p.Run({"identifiers", "map", "create", "order_ref", "--to", "new_tenant,new_number",
                  "--why", "per-tenant numbering"});
  ASSERT_EQ(c.exit_code, 0) << c.All();
  auto fill = p.Json({"identifiers", "map", "fill", "order_ref"});
  EXPECT_EQ(fill["old_ids"], 60) << fill.dump();
  EXPECT_EQ(fill["mapped"], 60) << fill.dump();
  EXPECT_EQ(fill["unmapped"], 0) << fill.dump();
  EXPECT_EQ(fill["collisions"], 0) << fill.dump();
  EXPECT_EQ(fill["orphans"], 0) << fill.dump();
  auto pub = p.Json({"identifiers", "map", "publish", "order_ref"});
  EXPECT_EQ(pub["state"], "published") << pub.dump();
  EXPECT_FALSE(pub["resolvable_until"].get<std::string>().empty()) << pub.dump();
  EXPECT_EQ(p.Scalar("SELECT checksum FROM strata_schema_history WHERE type = 'ID_MAP'"),
            pub["chain_head"].get<std::string>());
  EXPECT_EQ(p.Scalar("SELECT replace(current_id, char(31), '/') FROM "
                     "strata_idmap_order_ref_lookup WHERE tenant = '2' AND number = 'O-5' AND "
                     "superseded"),
            "2/N-0005");
  EXPECT_EQ(p.Scalar("SELECT number FROM strata_idmap_order_ref_lookup WHERE id = '0' || "
                     "char(31) || 'O-60'"),
            "O-60");
  auto conn = p.Connect();
  auto edit = conn->Exec("UPDATE strata_idmap_order_ref SET new_id = 'x'");
  EXPECT_FALSE(edit.ok());
  EXPECT_NE(edit.message().find("published identifier mapping"), std::string::npos)
      << edit.ToString();
  auto st = p.Run({"identifiers", "map", "status", "order_ref"});
  EXPECT_EQ(st.exit_code, 0) << st.All();
  EXPECT_NE(st.out.find("chain intact"), std::string::npos) << st.All();
  // An edit that gets past the guard (the triggers dropped) is detected by the chain.
  ASSERT_TRUE(conn->Exec("DROP TRIGGER strata_idmap_order_ref_guard_update").ok());
  ASSERT_TRUE(conn->Exec("UPDATE strata_idmap_order_ref SET new_id = 'x' WHERE old_id = '1' || "
                         "char(31) || 'O-1'")
                  .ok());
  auto edited = p.Run({"identifiers", "map", "status", "order_ref"});
  EXPECT_EQ(edited.exit_code, kExitCheckFailed) << edited.All();
  EXPECT_NE(edited.All().find("was edited after publish"), std::string::npos) << edited.All();
}

}  // namespace
}  // namespace strata::testing
