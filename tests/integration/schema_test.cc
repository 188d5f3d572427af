// strata schema dump, strata drift, strata test (issue 20) on the private PostgreSQL cluster and
// on SQLite: what a user sees from the binary.
#include <regex>
#include <thread>

#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

constexpr int kExitCheckFailed = 8;
constexpr int kExitDrift = 9;

// Whether the drift JSON lists this difference.
bool Has(const nlohmann::json& j, const std::string& change, const std::string& kind,
         const std::string& object, const std::string& field = "") {
  for (const auto& d : j["differences"]) {
    if (d["change"] == change && d["kind"] == kind && d["object"] == object &&
        (field.empty() || d.value("field", "") == field)) {
      return true;
    }
  }
  return false;
}

std::string Dump(const Project& p) {
  auto r = p.Run({"schema", "dump"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  return r.out;
}

constexpr const char* kPgSchema = R"(CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.posint AS integer CHECK (VALUE > 0);
CREATE TABLE app.customer (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  mood app.mood DEFAULT 'ok',
  score app.posint,
  gone integer,
  token text DEFAULT encode(gen_random_bytes(8), 'hex'),
  CONSTRAINT customer_name_check CHECK (length(name) < 100)
);
CREATE TABLE app.orders (
  id serial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES app.customer (id),
  total numeric(12,2) NOT NULL DEFAULT 0,
  qty integer NOT NULL DEFAULT 0,
  note text
);
CREATE TABLE app.to_drop (id integer);
CREATE INDEX orders_customer_idx ON app.orders (customer_id);
CREATE SEQUENCE app.invoice_no START 1000;
CREATE VIEW app.big_orders AS SELECT id, total FROM app.orders WHERE total > 100;
CREATE MATERIALIZED VIEW app.order_totals AS SELECT customer_id, sum(total) AS s FROM app.orders GROUP BY 1;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_all ON app.orders USING (total >= 0);
GRANT SELECT ON app.big_orders TO PUBLIC;
COMMENT ON TABLE app.customer IS 'who buys';
COMMENT ON COLUMN app.orders.note IS 'free text';
)";

TEST(SchemaDumpTest, PostgresCoversEveryKindDeterministically) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres);
  p.Write("V1__schema.sql", kPgSchema);
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  std::string a = Dump(p);
  std::string b = Dump(p);
  EXPECT_EQ(a, b) << "the dump changed although nothing did";
  for (const char* want : {
           "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public",
           "-- object: schema app\nCREATE SCHEMA app;",
           "CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');",
           "CREATE DOMAIN app.posint AS integer CONSTRAINT posint_check CHECK ((VALUE > 0));",
           "CREATE TABLE app.customer (\n    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,",
           "    mood app.mood DEFAULT 'ok'::app.mood,",
           "    total numeric(12,2) NOT NULL DEFAULT 0,",
           "ALTER TABLE app.orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY "
           "(customer_id) REFERENCES app.customer(id);",
           "CREATE INDEX orders_customer_idx ON app.orders USING btree (customer_id);",
           "CREATE SEQUENCE app.invoice_no AS bigint INCREMENT BY 1",
           "ALTER SEQUENCE app.orders_id_seq OWNED BY app.orders.id;",
           "-- object: view app.big_orders\nCREATE VIEW app.big_orders AS\n",
           "-- object: matview app.order_totals\nCREATE MATERIALIZED VIEW app.order_totals AS",
           "CREATE OR REPLACE FUNCTION app.touch()",
           "CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE "
           "FUNCTION app.touch();",
           "ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;",
           "CREATE POLICY orders_all ON app.orders AS PERMISSIVE FOR ALL TO PUBLIC USING ((total "
           ">= (0)::numeric));",
           "GRANT SELECT ON TABLE app.big_orders TO PUBLIC;",
           "COMMENT ON TABLE app.customer IS 'who buys';",
           "COMMENT ON COLUMN app.orders.note IS 'free text';",
       }) {
    EXPECT_NE(a.find(want), std::string::npos) << "missing: " << want << "\n" << a;
  }
  // strata's own tables and the extension's functions are not the user's schema.
  EXPECT_EQ(a.find("strata_schema_history"), std::string::npos) << a;
  EXPECT_EQ(a.find("strata_run"), std::string::npos) << a;
  EXPECT_NE(a.find("DEFAULT encode(public.gen_random_bytes(8), 'hex'::text)"), std::string::npos)
      << a;
  EXPECT_EQ(a.find("-- object: function public."), std::string::npos) << a;
  // Canonical order: types before tables, tables before constraints, foreign keys last of those.
  EXPECT_LT(a.find("-- object: type app.mood"), a.find("-- object: table app.customer"));
  EXPECT_LT(a.find("-- object: constraint app.customer.customer_pkey"),
            a.find("-- object: constraint app.orders.orders_customer_id_fkey"));
  // --out writes the same bytes; --json carries them with a digest.
  auto out = p.Run({"schema", "dump", "--out", "db/schema.sql"});
  ASSERT_EQ(out.exit_code, 0) << out.All();
  EXPECT_EQ(Slurp(p.dir() / "db/schema.sql"), a);
  auto j = p.Json({"schema", "dump"});
  EXPECT_EQ(j["schema"], a);
  EXPECT_EQ(j["counts"]["table"], 3);
}

TEST(SchemaDumpTest, SqliteFromSqliteSchema) {
  Project p(Db::kSqlite);
  p.Write("V1__schema.sql",
          "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'x');\n"
          "CREATE INDEX t_name ON t (name);\n"
          "CREATE VIEW v AS SELECT id FROM t;\n"
          "CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN SELECT 1; END;\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  std::string a = Dump(p);
  EXPECT_EQ(a, Dump(p));
  EXPECT_NE(a.find("-- object: table t\nCREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT "
                   "NULL DEFAULT 'x');"),
            std::string::npos)
      << a;
  EXPECT_NE(a.find("-- object: index t_name\n-- table: t\nCREATE INDEX t_name ON t (name);"),
            std::string::npos)
      << a;
  EXPECT_NE(a.find("-- object: trigger t_ai"), std::string::npos) << a;
  EXPECT_EQ(a.find("strata_"), std::string::npos) << a;
}

class SchemaFileTest : public EngineTest {};

TEST_P(SchemaFileTest, MigrateWritesTheSchemaFile) {
  Project p(GetParam(), "[schema]\nfile = \"db/schema.sql\"\n");
  p.Write("V1__t.sql", "CREATE TABLE t (id integer NOT NULL);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  std::string first = Slurp(p.dir() / "db/schema.sql");
  EXPECT_EQ(first, Dump(p));
  p.Write("V2__u.sql", "CREATE TABLE u (id integer);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  std::string second = Slurp(p.dir() / "db/schema.sql");
  EXPECT_NE(second.find(p.pg() ? "-- object: table public.u\n" : "-- object: table u\n"),
            std::string::npos)
      << second;
  EXPECT_EQ(second, Dump(p));
  // The file is what drift compares with by default: no drift right after migrate.
  auto d = p.Run({"drift"});
  EXPECT_EQ(d.exit_code, 0) << d.All();
}

INSTANTIATE_TEST_SUITE_P(Dialects, SchemaFileTest, ::testing::Values(Db::kSqlite, Db::kPostgres),
                         DbName);

TEST(DriftTest, PostgresReportsEveryKindMadeByHand) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres, "[schema]\nfile = \"db/schema.sql\"\n");
  p.Write("V1__schema.sql", kPgSchema);
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  auto clean = p.Run({"drift"});
  ASSERT_EQ(clean.exit_code, 0) << clean.All();
  EXPECT_NE(clean.out.find("0 difference(s)"), std::string::npos) << clean.out;

  p.Exec("CREATE TABLE app.hand_made (id integer)");
  p.Exec("DROP TABLE app.to_drop");
  p.Exec("ALTER TABLE app.orders ADD COLUMN extra integer");
  p.Exec("ALTER TABLE app.customer DROP COLUMN gone");
  p.Exec("ALTER TABLE app.orders ALTER COLUMN qty TYPE bigint");
  p.Exec("ALTER TABLE app.orders ALTER COLUMN qty SET DEFAULT 1");
  p.Exec("ALTER TABLE app.orders ALTER COLUMN note SET NOT NULL");
  p.Exec("CREATE INDEX hand_idx ON app.orders (note)");
  p.Exec("DROP INDEX app.orders_customer_idx");
  p.Exec("ALTER TABLE app.customer DROP CONSTRAINT customer_name_check");
  p.Exec("ALTER TABLE app.customer ADD CONSTRAINT customer_name_key UNIQUE (name)");
  p.Exec("DROP TRIGGER orders_touch ON app.orders");
  p.Exec(
      "CREATE OR REPLACE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "NEW.note := 'x'; RETURN NEW; END $$");
  p.Exec("CREATE FUNCTION app.extra_fn() RETURNS int LANGUAGE sql AS 'SELECT 1'");
  p.Exec(
      "CREATE OR REPLACE VIEW app.big_orders AS SELECT id, total FROM app.orders WHERE total "
      "> 200");
  p.Exec("DROP POLICY orders_all ON app.orders");
  p.Exec("REVOKE SELECT ON app.big_orders FROM PUBLIC");
  p.Exec("COMMENT ON TABLE app.customer IS 'who pays'");
  p.Exec("ALTER TYPE app.mood ADD VALUE 'angry'");
  p.Exec("CREATE SEQUENCE app.hand_seq");

  auto r = p.Run({"--json", "drift"});
  EXPECT_EQ(r.exit_code, kExitDrift) << r.All();
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["error"]["code"], "drift") << j.dump(2);
  EXPECT_TRUE(Has(j, "extra", "table", "app.hand_made")) << j.dump(2);
  EXPECT_TRUE(Has(j, "missing", "table", "app.to_drop"));
  EXPECT_TRUE(Has(j, "extra", "column", "app.orders.extra"));
  EXPECT_TRUE(Has(j, "missing", "column", "app.customer.gone"));
  EXPECT_TRUE(Has(j, "changed", "column", "app.orders.qty", "type"));
  EXPECT_TRUE(Has(j, "changed", "column", "app.orders.qty", "default"));
  EXPECT_TRUE(Has(j, "changed", "column", "app.orders.note", "nullability"));
  EXPECT_TRUE(Has(j, "extra", "index", "app.hand_idx"));
  EXPECT_TRUE(Has(j, "missing", "index", "app.orders_customer_idx"));
  EXPECT_TRUE(Has(j, "missing", "constraint", "app.customer.customer_name_check"));
  EXPECT_TRUE(Has(j, "extra", "constraint", "app.customer.customer_name_key"));
  EXPECT_TRUE(Has(j, "missing", "trigger", "app.orders.orders_touch"));
  EXPECT_TRUE(Has(j, "changed", "function", "app.touch()", "definition"));
  EXPECT_TRUE(Has(j, "extra", "function", "app.extra_fn()"));
  EXPECT_TRUE(Has(j, "changed", "view", "app.big_orders", "definition"));
  EXPECT_TRUE(Has(j, "missing", "policy", "app.orders.orders_all"));
  EXPECT_TRUE(Has(j, "missing", "grant", "TABLE app.big_orders TO PUBLIC"));
  EXPECT_TRUE(Has(j, "changed", "comment", "TABLE app.customer", "definition"));
  EXPECT_TRUE(Has(j, "changed", "type", "app.mood", "definition"));
  EXPECT_TRUE(Has(j, "extra", "sequence", "app.hand_seq"));
  // The text names each object too.
  auto t = p.Run({"drift"});
  EXPECT_EQ(t.exit_code, kExitDrift);
  EXPECT_NE(t.out.find("changed column app.orders.qty type: integer -> bigint"), std::string::npos)
      << t.out;
  EXPECT_NE(t.err.find("differs from"), std::string::npos) << t.err;
  // validate --drift adds it to the usual checks.
  auto v = p.Run({"validate", "--drift"});
  EXPECT_EQ(v.exit_code, kExitDrift) << v.All();
  EXPECT_EQ(p.Run({"validate"}).exit_code, 0);
}

TEST(DriftTest, SqliteReportsHandMadeChanges) {
  Project p(Db::kSqlite);
  p.Write("V1__schema.sql",
          "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
          "CREATE TABLE old (id INTEGER);\n"
          "CREATE INDEX t_name ON t (name);\n"
          "CREATE VIEW v AS SELECT id FROM t;\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  ASSERT_EQ(p.Run({"schema", "dump", "--out", "schema.sql"}).exit_code, 0);
  EXPECT_EQ(p.Run({"drift", "--against", "schema.sql"}).exit_code, 0);
  p.Exec("ALTER TABLE t ADD COLUMN extra INTEGER DEFAULT 3");
  p.Exec("DROP INDEX t_name");
  p.Exec("DROP TABLE old");
  p.Exec("CREATE TABLE hand (x)");
  p.Exec("DROP VIEW v");
  p.Exec("CREATE VIEW v AS SELECT id, name FROM t");
  auto r = p.Run({"--json", "drift", "--against", "schema.sql"});
  EXPECT_EQ(r.exit_code, kExitDrift) << r.All();
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(Has(j, "extra", "column", "t.extra")) << j.dump(2);
  EXPECT_TRUE(Has(j, "missing", "index", "t_name"));
  EXPECT_TRUE(Has(j, "missing", "table", "old"));
  EXPECT_TRUE(Has(j, "extra", "table", "hand"));
  EXPECT_TRUE(Has(j, "changed", "view", "v", "definition"));
  // Not a schema file: a clear error.
  p.dir().Write("bad.sql", "CREATE TABLE x (id int);\n");
  auto bad = p.Run({"drift", "--against", "bad.sql"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("bad.sql:1:1: not a schema file"), std::string::npos) << bad.err;
}

TEST(DriftTest, ScratchReplaysTheAppliedMigrations) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres);
  p.Write("V1__t.sql", "CREATE TABLE t (id integer PRIMARY KEY, name text);\n");
  p.Write("V2__i.sql", "CREATE INDEX t_name ON t (name);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Write("V3__pending.sql", "CREATE TABLE pending_only (id integer);\n");
  p.Hash();
  std::string admin = PgCluster::Get().AdminUrl();
  auto clean = p.Run({"drift", "--scratch", admin});
  EXPECT_EQ(clean.exit_code, 0) << clean.All();  // V3 is pending: not part of the history yet
  p.Exec("ALTER TABLE t DROP COLUMN name");
  auto r = p.Run({"--json", "drift", "--scratch", admin});
  EXPECT_EQ(r.exit_code, kExitDrift) << r.All();
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(Has(j, "missing", "column", "public.t.name")) << j.dump(2);
  EXPECT_TRUE(Has(j, "missing", "index", "public.t_name")) << j.dump(2);
  // The scratch databases are gone.
  EXPECT_EQ(PgCluster::Query(admin,
                             "SELECT count(*) FROM pg_database WHERE datname LIKE "
                             "'strata\\_test\\_%'"),
            "0");
}

class StrataTestVerb : public EngineTest {
 protected:
  // --scratch for this dialect: the private cluster's server, or a temporary SQLite file.
  std::vector<std::string> Scratch() const {
    if (!pg()) return {};
    return {"--scratch", PgCluster::Get().AdminUrl()};
  }
  RunResult Test(const Project& p, std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"test"};
    for (auto& a : Scratch()) args.push_back(a);
    for (auto& a : extra) args.push_back(a);
    return p.Run(args);
  }
  std::string ScratchDatabases() const {
    if (!pg()) return "0";
    return PgCluster::Query(PgCluster::Get().AdminUrl(),
                            "SELECT count(*) FROM pg_database WHERE datname LIKE "
                            "'strata\\_test\\_%'");
  }
};

TEST_P(StrataTestVerb, PassesAndComparesWithTheSchemaFile) {
  Project p(GetParam(), "[schema]\nfile = \"db/schema.sql\"\n");
  p.Write("V1__t.sql",
          "-- strata:post-check = 0\n-- SELECT count(*) FROM t\n"
          "CREATE TABLE t (id integer PRIMARY KEY, name text);\n");
  p.Write("V2__i.sql", "CREATE INDEX t_name ON t (name);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);  // writes db/schema.sql
  auto r = Test(p, {"--junit", "junit.xml"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("passed  V1__t.sql"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("passed  schema: matches"), std::string::npos) << r.out;
  std::string junit = Slurp(p.dir() / "junit.xml");
  EXPECT_NE(junit.find("<testcase classname=\"strata\" name=\"V2__i.sql\""), std::string::npos)
      << junit;
  EXPECT_NE(junit.find("failures=\"0\""), std::string::npos) << junit;
  EXPECT_EQ(ScratchDatabases(), "0");
  // The live database was not touched by the test: still two rows in its ledger.
  EXPECT_EQ(p.LedgerRows(), 2);

  // A migration that builds something else than the committed file: named, exit 9.
  p.Write("V3__u.sql", "CREATE TABLE u (id integer);\n");
  p.Hash();
  auto diff = Test(p, {"--junit", "junit.xml"});
  EXPECT_EQ(diff.exit_code, kExitDrift) << diff.All();
  EXPECT_NE(diff.out.find("extra   table "), std::string::npos) << diff.out;
  EXPECT_NE(Slurp(p.dir() / "junit.xml").find("<failure"), std::string::npos);
  EXPECT_EQ(ScratchDatabases(), "0");
}

TEST_P(StrataTestVerb, FailuresNameTheMigrationAndTheCheck) {
  Project p(GetParam());
  p.Write("V1__t.sql", "CREATE TABLE t (id integer);\n");
  p.Write("V2__check.sql",
          "-- strata:post-check = 5\n-- SELECT count(*) FROM t\nINSERT INTO t VALUES (1);\n");
  p.Hash();
  auto r = p.Run([&] {
    std::vector<std::string> a = {"--json", "test"};
    for (auto& s : Scratch()) a.push_back(s);
    return a;
  }());
  EXPECT_EQ(r.exit_code, kExitCheckFailed) << r.All();
  auto j = nlohmann::json::parse(r.out);
  EXPECT_NE(j["error"]["message"].get<std::string>().find("V2__check.sql"), std::string::npos)
      << j.dump(2);
  p.Write("V2__check.sql", "INSERT INTO no_such_table VALUES (1);\n");
  p.Hash();
  auto f = Test(p);
  EXPECT_EQ(f.exit_code, kExitMigrationFailed) << f.All();
  EXPECT_NE(f.out.find("failed  V2__check.sql"), std::string::npos) << f.out;
  EXPECT_NE(f.err.find("no_such_table"), std::string::npos) << f.err;
  EXPECT_EQ(ScratchDatabases(), "0");
}

TEST_P(StrataTestVerb, DataFixturesRunAroundTheirMigration) {
  Project p(GetParam());
  p.Write("V1__item.sql", "CREATE TABLE item (id integer PRIMARY KEY, price integer);\n");
  p.Write("V2__fill.sql", "UPDATE item SET price = 0 WHERE price IS NULL;\n");
  p.Write("V3__more.sql", "CREATE TABLE other (id integer);\n");
  p.Hash();
  p.dir().Write("db/migration-test/2/before.sql",
                "INSERT INTO item VALUES (1, NULL);\nINSERT INTO item VALUES (2, 5);\n");
  p.dir().Write("db/migration-test/2/expect.toml",
                "[[check]]\nname = \"no NULL price\"\n"
                "query = \"SELECT count(*) FROM item WHERE price IS NULL\"\nexpect = \"0\"\n\n"
                "[[check]]\nquery = \"SELECT sum(price) FROM item\"\nexpect = \"5\"\n");
  auto r = Test(p);
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("passed  fixture 2: no NULL price"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("passed  V3__more.sql"), std::string::npos) << r.out;
  // A migration that mangles the fixture's rows: the fixture's check names file:line.
  p.Write("V2__fill.sql", "UPDATE item SET price = 1 WHERE price IS NULL;\n");
  p.Hash();
  auto f = Test(p);
  EXPECT_EQ(f.exit_code, kExitCheckFailed) << f.All();
  EXPECT_NE(f.out.find("failed  fixture 2: SELECT sum(price) FROM item: "), std::string::npos)
      << f.out;
  EXPECT_NE(f.out.find("expect.toml:6:1: expected 5, got 6"), std::string::npos) << f.out;
  EXPECT_EQ(ScratchDatabases(), "0");
}

TEST_P(StrataTestVerb, PgTapFilesOrAClearMessage) {
  Project p(GetParam());
  p.Write("V1__t.sql", "CREATE TABLE t (id integer);\n");
  p.Hash();
  p.dir().Write("db/test/t_test.sql",
                "SELECT plan(2);\nSELECT has_table('t');\nSELECT has_table('nope');\n"
                "SELECT * FROM finish();\n");
  auto r = Test(p);
  bool have_pgtap =
      pg() && PgCluster::Query(PgCluster::Get().AdminUrl(),
                               "SELECT count(*) FROM pg_available_extensions WHERE name = "
                               "'pgtap'") == "1";
  if (!have_pgtap) {
    EXPECT_EQ(r.exit_code, 0) << r.All();
    EXPECT_NE(r.out.find(pg() ? "skipped pgtap: " : "skipped pgtap: "), std::string::npos) << r.out;
    EXPECT_NE(
        r.out.find(pg() ? "the pgtap extension is not installed" : "pgTAP runs on PostgreSQL only"),
        std::string::npos)
        << r.out;
  } else {
    EXPECT_EQ(r.exit_code, kExitCheckFailed) << r.All();
    EXPECT_NE(r.out.find("failed  pgtap t_test.sql: 1 ok, 1 not ok"), std::string::npos) << r.out;
  }
  EXPECT_EQ(ScratchDatabases(), "0");
}

INSTANTIATE_TEST_SUITE_P(Dialects, StrataTestVerb, ::testing::Values(Db::kSqlite, Db::kPostgres),
                         DbName);

TEST(ScratchTest, ServerThatRefusesCreateDatabase) {
  STRATA_REQUIRE_POSTGRES();
  std::string admin = PgCluster::Get().AdminUrl();
  PgCluster::Query(admin,
                   "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
                   "'no_createdb') THEN CREATE ROLE no_createdb LOGIN NOCREATEDB; END IF; END $$");
  Project p(Db::kPostgres);
  p.Write("V1__t.sql", "CREATE TABLE t (id integer);\n");
  p.Hash();
  std::string url = admin;
  url.replace(url.find("postgres@"), 9, "no_createdb@");
  auto r = p.Run({"test", "--scratch", url});
  EXPECT_NE(r.exit_code, 0) << r.All();
  EXPECT_NE(r.err.find("creating the scratch database strata_test_"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("CREATEDB"), std::string::npos) << r.err;
}

TEST(ScratchTest, CtrlCRemovesTheScratchDatabase) {
  STRATA_REQUIRE_POSTGRES();
  std::string admin = PgCluster::Get().AdminUrl();
  Project p(Db::kPostgres);
  p.Write("V1__slow.sql", "SELECT pg_sleep(60);\n");
  p.Hash();
  int pid = p.Spawn({"test", "--scratch", admin}, p.dir() / "log.txt");
  auto count = [&] {
    return PgCluster::Query(admin,
                            "SELECT count(*) FROM pg_database WHERE datname LIKE "
                            "'strata\\_test\\_%'");
  };
  ASSERT_TRUE(Eventually(
      [&] {
        return PgCluster::Query(admin,
                                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                                "'SELECT pg_sleep(60)%'") == "1";
      },
      std::chrono::seconds(30)))
      << Slurp(p.dir() / "log.txt");
  EXPECT_EQ(count(), "1");
  kill(pid, SIGINT);
  int code = WaitExitFor(pid, std::chrono::seconds(20));
  EXPECT_NE(code, 0);
  EXPECT_TRUE(Eventually([&] { return count() == "0"; }, std::chrono::seconds(20)))
      << "the scratch database outlived Ctrl-C";
}

TEST(ScratchTest, LocalClusterIsStartedAndRemoved) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres);
  p.Write("V1__t.sql", "CREATE TABLE t (id integer);\n");
  p.Hash();
  auto r = p.Run({"--json", "test", "--scratch", "local"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = nlohmann::json::parse(r.out);
  std::string where = j["scratch"];
  EXPECT_NE(where.find("a private PostgreSQL cluster on 127.0.0.1:"), std::string::npos) << where;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(where, m, std::regex("\\((/tmp/strata-scratch-[^)]+)\\)")));
  EXPECT_FALSE(std::filesystem::exists(m[1].str())) << "the cluster directory is still there";
}

namespace observed {

// The trace's statement `index` of `script`, or null.
const nlohmann::json* Stmt(const nlohmann::json& trace, const std::string& script, int index) {
  for (const auto& m : trace["migrations"]) {
    if (m["script"] != script) continue;
    for (const auto& s : m["statements"]) {
      if (s["index"] == index) return &s;
    }
  }
  return nullptr;
}
bool Took(const nlohmann::json& s, const std::string& rel, const std::string& mode) {
  for (const auto& l : s["locks"]) {
    if (l["relation"] == rel && l["mode"] == mode && l["acquired"] == true) return true;
  }
  return false;
}
bool Rewrote(const nlohmann::json& s, const std::string& rel) {
  for (const auto& r : s["rewrites"]) {
    if (r == rel) return true;
  }
  return false;
}

}  // namespace observed

// Observed locks (issue 20): `strata test` records what each statement really did on the
// scratch server, compares it with the analyzer, writes the trace, and `lint --trace` uses it.
TEST(ObservedLocksTest, TraceRecordsLocksRewritesAndDisagreements) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres);
  p.Write("V1__t.sql",
          "CREATE TABLE t (id integer PRIMARY KEY, name text);\n"
          "CREATE TABLE u (id integer PRIMARY KEY);\n");
  p.Write("V2__alter.sql",
          "ALTER TABLE t ADD COLUMN v integer DEFAULT 0;\n"
          "ALTER TABLE t ALTER COLUMN id TYPE bigint;\n"
          "ALTER TABLE t ADD CONSTRAINT t_u FOREIGN KEY (v) REFERENCES u (id);\n");
  p.Write("V3__index.sql", "CREATE INDEX t_name ON t (name);\n");
  p.Write("V4__comment.sql", "COMMENT ON TABLE u IS 'referenced';\n");
  // Dropping a foreign key also takes ACCESS EXCLUSIVE on the referenced table (its RI
  // triggers go): the analyzer predicts it, and the server agrees.
  p.Write("V5__drop_fk.sql", "ALTER TABLE t DROP CONSTRAINT t_u;\n");
  // DROP TRIGGER IF EXISTS of a trigger that is not there locks nothing; the analyzer cannot
  // know it is absent (docs/lint-observed-locks.md): a disagreement.
  p.Write("V6__drop_trigger.sql", "DROP TRIGGER IF EXISTS no_such_trigger ON u;\n");
  p.Hash();
  std::string trace_path = p.dir().path() + "/trace.json";
  auto r = p.Run({"--json", "test", "--scratch", PgCluster::Get().AdminUrl(), "--trace", trace_path,
                  "--junit", "junit.xml"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.contains("observed_locks")) << j.dump(2);
  EXPECT_EQ(j["observed_locks"]["statements"], 9) << j.dump(2);
  auto trace = nlohmann::json::parse(Slurp(trace_path));
  EXPECT_EQ(trace["format"], "strata-trace/1");
  using observed::Rewrote;
  using observed::Stmt;
  using observed::Took;
  // ADD COLUMN with a constant default: ACCESS EXCLUSIVE, no rewrite (PostgreSQL 11+).
  const auto* add = Stmt(trace, "V2__alter.sql", 0);
  ASSERT_NE(add, nullptr) << trace.dump(1);
  EXPECT_TRUE(Took(*add, "public.t", "ACCESS EXCLUSIVE")) << add->dump();
  EXPECT_FALSE(Rewrote(*add, "public.t")) << add->dump();
  EXPECT_EQ((*add)["line"], 1);
  // The type change rewrites the table; its lock was held since statement 1.
  const auto* type = Stmt(trace, "V2__alter.sql", 1);
  ASSERT_NE(type, nullptr);
  EXPECT_TRUE(Rewrote(*type, "public.t")) << type->dump();
  EXPECT_FALSE(Took(*type, "public.t", "ACCESS EXCLUSIVE")) << type->dump();
  // The foreign key locks the referenced table too.
  const auto* fk = Stmt(trace, "V2__alter.sql", 2);
  ASSERT_NE(fk, nullptr);
  EXPECT_TRUE(Took(*fk, "public.u", "SHARE ROW EXCLUSIVE")) << fk->dump();
  // CREATE INDEX: SHARE, no rewrite, a duration.
  const auto* idx = Stmt(trace, "V3__index.sql", 0);
  ASSERT_NE(idx, nullptr);
  EXPECT_TRUE(Took(*idx, "public.t", "SHARE")) << idx->dump();
  EXPECT_TRUE((*idx)["rewrites"].empty()) << idx->dump();
  EXPECT_GT((*idx)["elapsed_ms"].get<double>(), 0.0);
  // The drop of the foreign key took ACCESS EXCLUSIVE on the referenced table.
  const auto* drop_fk = Stmt(trace, "V5__drop_fk.sql", 0);
  ASSERT_NE(drop_fk, nullptr);
  EXPECT_TRUE(Took(*drop_fk, "public.u", "ACCESS EXCLUSIVE")) << drop_fk->dump();
  // Findings are what the analyzer got wrong: only the lock of a DROP that dropped nothing.
  const auto& findings = j["observed_locks"]["findings"];
  ASSERT_EQ(findings.size(), 1u) << findings.dump(1);
  EXPECT_NE(findings[0]["file"].get<std::string>().find("V6__drop_trigger.sql"), std::string::npos);
  EXPECT_EQ(findings[0]["relation"], "u");
  EXPECT_EQ(findings[0]["what"], "lock");
  EXPECT_EQ(findings[0]["predicted"], "ACCESS EXCLUSIVE");
  EXPECT_EQ(findings[0]["observed"], "none");
  // A warning in the report, in JUnit's output, not a failure: the migrations are fine.
  std::string junit = Slurp(p.dir().path() + "/junit.xml");
  EXPECT_NE(junit.find("<system-out>"), std::string::npos) << junit;
  EXPECT_NE(junit.find("failures=\"0\""), std::string::npos) << junit;
  auto text = p.Run({"test", "--scratch", PgCluster::Get().AdminUrl()});
  EXPECT_EQ(text.exit_code, 0) << text.All();
  EXPECT_NE(text.out.find("warning observed locks: 9 statement(s) observed on PostgreSQL 15"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("V6__drop_trigger.sql:1: statement 1: lock on u: the analyzer "
                          "predicts ACCESS EXCLUSIVE, the server shows none"),
            std::string::npos)
      << text.out;

  // lint --trace: the observed statements are marked, and their locks are the server's.
  auto lint = p.Run({"--json", "lint", "--trace", trace_path, "--fail-on", "never"});
  ASSERT_EQ(lint.exit_code, 0) << lint.All();
  auto lj = nlohmann::json::parse(lint.out);
  int marked = 0;
  for (const auto& m : lj["migrations"]) {
    for (const auto& s : m["statements"]) marked += s.value("observed", false) ? 1 : 0;
  }
  EXPECT_EQ(marked, 9) << lj.dump(1);
  // The observed lock on the referenced table is among the statement's locks now.
  bool table_lock = false;
  for (const auto& m : lj["migrations"]) {
    if (m["file"].get<std::string>().find("V5__drop_fk.sql") == std::string::npos) continue;
    for (const auto& o : m["statements"][0].value("other_locks", nlohmann::json::array())) {
      table_lock |= o == "ACCESS EXCLUSIVE on u";
    }
  }
  EXPECT_TRUE(table_lock) << lj.dump(1);
  // An edited file is analysed again: its statements are not taken from the trace.
  p.Write("V3__index.sql", "CREATE INDEX t_name ON t (name, id);\n");
  auto edited = nlohmann::json::parse(
      p.Run({"--json", "lint", "--trace", trace_path, "--fail-on", "never"}).out);
  marked = 0;
  for (const auto& m : edited["migrations"]) {
    for (const auto& s : m["statements"]) marked += s.value("observed", false) ? 1 : 0;
  }
  EXPECT_EQ(marked, 8);
  // Not a trace: a clear error.
  p.dir().Write("bad.json", "{\"format\": \"other\"}");
  auto bad = p.Run({"lint", "--trace", "bad.json"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("bad.json: not a strata trace"), std::string::npos) << bad.All();
}

namespace warm {

// Waits (up to 60 s) until no process of strata's is making a prepared clone
// (Database::PrepareNext), then returns the number of prepared clones on the server.
int SettledPrepared(const std::string& admin) {
  for (int i = 0; i < 600; ++i) {
    if (PgCluster::Query(admin,
                         "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                         "'strata scratch prepare'") == "0") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return std::stoi(PgCluster::Query(
      admin,
      "SELECT count(*) FROM pg_database WHERE datname ~ '^strata_warm_[0-9a-f]{12}_[0-9]+$'"));
}

// Leaves the shared cluster as it was: the templates and their prepared clones dropped.
void DropWarm(const std::string& admin) {
  SettledPrepared(admin);
  for (;;) {
    std::string name = PgCluster::Query(
        admin, "SELECT datname FROM pg_database WHERE datname LIKE 'strata\\_warm\\_%' LIMIT 1");
    if (name.empty()) break;
    PgCluster::Query(admin, "DROP DATABASE " + name);
  }
}

}  // namespace warm

// Warm runs (issue 20): `--keep` leaves a template of the last good state on the server; the
// next run clones it and applies only what changed. A changed applied file means a fresh start.
TEST(WarmTest, SecondRunAppliesOnlyWhatChanged) {
  STRATA_REQUIRE_POSTGRES();
  using warm::DropWarm;
  Project p(Db::kPostgres);
  std::string admin = PgCluster::Get().AdminUrl();
  auto templates = [&] {
    return PgCluster::Query(admin,
                            "SELECT count(*) FROM pg_database WHERE datname ~ "
                            "'^strata_warm_[0-9a-f]{12}$'");
  };
  std::string before = templates();
  p.Write("V1__t.sql", "CREATE TABLE t (id integer PRIMARY KEY);\n");
  p.Write("V2__u.sql", "CREATE TABLE u (id integer PRIMARY KEY);\n");
  p.Hash();
  auto run = [&] {
    auto r = p.Run({"--json", "test", "--keep", "--scratch", admin});
    EXPECT_EQ(r.exit_code, 0) << r.All();
    return nlohmann::json::parse(r.out);
  };
  auto first = run();
  EXPECT_EQ(first["migrations"], 2) << first.dump(1);
  EXPECT_EQ(std::stoi(templates()), std::stoi(before) + 1);
  p.Write("V3__v.sql",
          "CREATE TABLE v (id integer PRIMARY KEY);\nALTER TABLE t ADD COLUMN x int;\n");
  p.Hash();
  auto second = run();
  EXPECT_EQ(second["migrations"], 1) << second.dump(1);
  EXPECT_NE(second["scratch"].get<std::string>().find("a clone of strata_warm_"), std::string::npos)
      << second.dump(1);
  EXPECT_EQ(second["steps"][0]["name"], "template") << second.dump(1);
  EXPECT_NE(second["steps"][0]["message"].get<std::string>().find("2 migration(s) already applied"),
            std::string::npos);
  // Only V3 was observed.
  EXPECT_EQ(second["observed_locks"]["statements"], 2) << second.dump(1);
  // A failing run leaves the template as it was.
  p.Write("V4__bad.sql", "INSERT INTO nope VALUES (1);\n");
  p.Hash();
  EXPECT_EQ(p.Run({"test", "--keep", "--scratch", admin}).exit_code, 4);
  p.Remove("V4__bad.sql");
  p.Hash();
  auto third = run();
  EXPECT_EQ(third["migrations"], 0) << third.dump(1);
  // An applied file changed: the template does not fit, everything runs again.
  p.Write("V1__t.sql", "CREATE TABLE t (id bigint PRIMARY KEY);\n");
  p.Hash();
  auto fresh = run();
  EXPECT_EQ(fresh["migrations"], 3) << fresh.dump(1);
  EXPECT_EQ(PgCluster::Query(admin,
                             "SELECT count(*) FROM pg_database WHERE datname LIKE "
                             "'strata\\_test\\_%'"),
            "0");
  EXPECT_EQ(std::stoi(templates()), std::stoi(before) + 1);
  DropWarm(admin);
}

// The next run's clone is made in the background after a warm run (Database::PrepareNext): the
// next run renames it instead of copying the template, whatever the last run's outcome; a
// prepared clone of an older template is never used.
TEST(WarmTest, NextRunStartsFromTheCloneMadeAfterTheLastRun) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres);
  std::string admin = PgCluster::Get().AdminUrl();
  warm::DropWarm(admin);
  p.Write("V1__t.sql", "CREATE TABLE t (id integer PRIMARY KEY);\n");
  p.Hash();
  auto run = [&](int exit_code = 0) {
    auto r = p.Run({"--json", "test", "--keep", "--scratch", admin});
    EXPECT_EQ(r.exit_code, exit_code) << r.All();
    return nlohmann::json::parse(r.out);
  };
  auto first = run();
  EXPECT_EQ(first["scratch"].get<std::string>().find("a clone of"), std::string::npos);
  // One clone of the new template, named by its oid.
  ASSERT_EQ(warm::SettledPrepared(admin), 1);
  std::string tmpl =
      PgCluster::Query(admin,
                       "SELECT datname || '_' || oid FROM pg_database WHERE datname ~ "
                       "'^strata_warm_[0-9a-f]{12}$'");
  EXPECT_EQ(
      PgCluster::Query(admin, "SELECT count(*) FROM pg_database WHERE datname = '" + tmpl + "'"),
      "1");
  p.Write("V2__u.sql", "CREATE TABLE u (id integer PRIMARY KEY);\n");
  p.Hash();
  auto second = run();
  EXPECT_EQ(second["migrations"], 1) << second.dump(1);
  EXPECT_NE(second["scratch"].get<std::string>().find("prepared after the last run"),
            std::string::npos)
      << second.dump(1);
  // A failing run: the template stays, and the next run's clone is prepared again.
  ASSERT_EQ(warm::SettledPrepared(admin), 1);
  p.Write("V3__bad.sql", "INSERT INTO nope VALUES (1);\n");
  p.Hash();
  run(4);
  ASSERT_EQ(warm::SettledPrepared(admin), 1);
  p.Remove("V3__bad.sql");
  p.Hash();
  auto third = run();
  EXPECT_EQ(third["migrations"], 0) << third.dump(1);
  EXPECT_NE(third["scratch"].get<std::string>().find("prepared after the last run"),
            std::string::npos)
      << third.dump(1);
  // A clone of an older template (another oid) is not used, and it is dropped.
  ASSERT_EQ(warm::SettledPrepared(admin), 1);
  std::string prepared = PgCluster::Query(
      admin, "SELECT datname FROM pg_database WHERE datname ~ '^strata_warm_[0-9a-f]{12}_[0-9]+$'");
  std::string stale = prepared.substr(0, prepared.rfind('_')) + "_1";
  PgCluster::Query(admin, "ALTER DATABASE " + prepared + " RENAME TO " + stale);
  auto fourth = run();
  EXPECT_EQ(fourth["migrations"], 0) << fourth.dump(1);
  EXPECT_EQ(fourth["scratch"].get<std::string>().find("prepared after the last run"),
            std::string::npos)
      << fourth.dump(1);
  EXPECT_NE(fourth["scratch"].get<std::string>().find("a clone of strata_warm_"),
            std::string::npos);
  EXPECT_EQ(warm::SettledPrepared(admin), 1);
  EXPECT_EQ(
      PgCluster::Query(admin, "SELECT count(*) FROM pg_database WHERE datname = '" + stale + "'"),
      "0");
  // Nothing of strata's is left but the template and its clone.
  EXPECT_EQ(PgCluster::Query(admin,
                             "SELECT count(*) FROM pg_database WHERE datname LIKE "
                             "'strata\\_test\\_%'"),
            "0");
  warm::DropWarm(admin);
}

// The lock observer compares with the migrate gate's lint of the run (MigrateResult::gate_lint):
// the migration files are linted once, and the comparison is the one a lint of its own gives
// ([migrate] lint_gate = false still lints them, beside the migrations). A warm run compares
// the new migration with the gate's lint of it against the template.
TEST(ObservedLocksTest, ComparesWithTheMigrateGatesLint) {
  STRATA_REQUIRE_POSTGRES();
  std::string admin = PgCluster::Get().AdminUrl();
  auto files = [](Project& p) {
    p.Write("V1__t.sql",
            "CREATE TABLE t (id integer PRIMARY KEY, name text);\n"
            "CREATE TABLE u (id integer PRIMARY KEY);\n");
    p.Write("V2__alter.sql",
            "ALTER TABLE t ALTER COLUMN id TYPE bigint;\n"
            "CREATE INDEX t_name ON t (name);\n");
    p.Write("V3__drop_trigger.sql", "DROP TRIGGER IF EXISTS no_such_trigger ON u;\n");
    p.Hash();
  };
  auto observed = [](const nlohmann::json& j) {
    for (const auto& s : j["steps"]) {
      if (s["name"] == "observed locks") return s["message"].get<std::string>();
    }
    return std::string();
  };
  Project gated(Db::kPostgres);
  files(gated);
  auto a = gated.Run({"--json", "test", "--scratch", admin, "--trace", "trace.json"});
  ASSERT_EQ(a.exit_code, 0) << a.All();
  auto ja = nlohmann::json::parse(a.out);
  EXPECT_NE(observed(ja).find("5 statement(s) observed on PostgreSQL"), std::string::npos);
  EXPECT_NE(observed(ja).find("compared with the migrate gate's lint"), std::string::npos)
      << ja.dump(1);
  Project ungated(Db::kPostgres, "[migrate]\nlint_gate = false\n");
  files(ungated);
  auto b = ungated.Run({"--json", "test", "--scratch", admin, "--trace", "trace.json"});
  ASSERT_EQ(b.exit_code, 0) << b.All();
  auto jb = nlohmann::json::parse(b.out);
  EXPECT_NE(observed(jb).find("compared with a lint of the migration files"), std::string::npos)
      << jb.dump(1);
  // The same comparison either way: the DROP TRIGGER that dropped nothing, and the traces'
  // predictions (lines, files' digests).
  ASSERT_EQ(ja["observed_locks"]["findings"].size(), 1u) << ja.dump(1);
  EXPECT_EQ(ja["observed_locks"]["findings"], jb["observed_locks"]["findings"]);
  auto ta = nlohmann::json::parse(Slurp(gated.dir().path() + "/trace.json"));
  auto tb = nlohmann::json::parse(Slurp(ungated.dir().path() + "/trace.json"));
  ASSERT_EQ(ta["migrations"].size(), tb["migrations"].size());
  for (size_t i = 0; i < ta["migrations"].size(); ++i) {
    const auto& ma = ta["migrations"][i];
    const auto& mb = tb["migrations"][i];
    EXPECT_EQ(ma["sha256"], mb["sha256"]) << ma.dump();
    ASSERT_EQ(ma["statements"].size(), mb["statements"].size());
    for (size_t k = 0; k < ma["statements"].size(); ++k) {
      EXPECT_EQ(ma["statements"][k]["line"], mb["statements"][k]["line"]) << ma.dump();
      EXPECT_EQ(ma["statements"][k]["locks"], mb["statements"][k]["locks"]) << ma.dump();
    }
  }
  // Warm: the second run observes only the new migration, predicted by the gate's lint of it.
  Project w(Db::kPostgres);
  warm::DropWarm(admin);
  w.Write("V1__t.sql",
          "CREATE TABLE t (id integer PRIMARY KEY, name text);\n"
          "CREATE TABLE u (id integer PRIMARY KEY);\n");
  w.Hash();
  ASSERT_EQ(w.Run({"test", "--keep", "--scratch", admin}).exit_code, 0);
  w.Write("V2__drop_trigger.sql", "DROP TRIGGER IF EXISTS no_such_trigger ON u;\n");
  w.Hash();
  auto c = w.Run({"--json", "test", "--keep", "--scratch", admin});
  ASSERT_EQ(c.exit_code, 0) << c.All();
  auto jc = nlohmann::json::parse(c.out);
  EXPECT_NE(observed(jc).find("1 statement(s) observed"), std::string::npos) << jc.dump(1);
  EXPECT_NE(observed(jc).find("compared with the migrate gate's lint"), std::string::npos);
  ASSERT_EQ(jc["observed_locks"]["findings"].size(), 1u) << jc.dump(1);
  EXPECT_EQ(jc["observed_locks"]["findings"][0]["relation"], "u");
  warm::DropWarm(admin);
}

// --from: the scratch database as of a version first, then the fixtures of what is pending
// and the pending migrations: the upgrade path.
TEST(FromTest, BuildsAsOfAVersionThenAppliesThePending) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres);
  p.Write("V1__item.sql", "CREATE TABLE item (id integer PRIMARY KEY, price integer);\n");
  p.Write("V2__fill.sql", "UPDATE item SET price = 0 WHERE price IS NULL;\n");
  p.Hash();
  p.dir().Write("db/migration-test/2/before.sql", "INSERT INTO item VALUES (1, NULL);\n");
  p.dir().Write(
      "db/migration-test/2/expect.toml",
      "[[check]]\nquery = \"SELECT count(*) FROM item WHERE price = 0\"\nexpect = \"1\"\n");
  auto r = p.Run({"test", "--from", "1", "--scratch", PgCluster::Get().AdminUrl()});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("passed  from 1: the scratch database as of version 1"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("passed  fixture 2"), std::string::npos) << r.out;
  auto bad = p.Run({"test", "--from", "9", "--scratch", PgCluster::Get().AdminUrl()});
  EXPECT_EQ(bad.exit_code, 2) << bad.All();
  EXPECT_NE(bad.err.find("--from 9: neither a migration's version nor a release"),
            std::string::npos)
      << bad.err;
}

// --from <git tag>, and the last tag by default: the migration files as they were at the tag
// (a real git repository), then the working tree's. Fixtures of what the tag already holds are
// not loaded; `--from empty` starts from an empty database.
TEST(FromTest, GitTagBuildsTheFilesAsTheyWereAtTheTag) {
  STRATA_REQUIRE_POSTGRES();
  if (std::system("git --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "git is not installed";
  Project p(Db::kPostgres);
  const std::string admin = PgCluster::Get().AdminUrl();
  auto git = [&](const std::string& args) {
    std::string cmd = "cd '" + p.dir().path() +
                      "' && git -c user.name=t -c user.email=t@example.com " + args +
                      " > /dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  };
  p.Write("V1__item.sql", "CREATE TABLE item (id integer PRIMARY KEY, price integer);\n");
  p.Write("V2__fill.sql", "UPDATE item SET price = 0 WHERE price IS NULL;\n");
  p.Hash();
  p.dir().Write("db/migration-test/2/before.sql", "INSERT INTO item VALUES (1, NULL);\n");
  p.dir().Write(
      "db/migration-test/2/expect.toml",
      "[[check]]\nquery = \"SELECT count(*) FROM item WHERE price = 0\"\nexpect = \"1\"\n");
  git("init -q");
  git("add -A");
  git("commit -q -m release");
  git("tag v1.0");
  // After the release: a new migration (in the working tree only) with its fixture.
  p.Write("V3__discount.sql", "ALTER TABLE item ADD COLUMN discount integer;\n");
  p.Hash();
  p.dir().Write("db/migration-test/3/before.sql", "INSERT INTO item VALUES (2, 5);\n");

  // No --from: the last tag.
  auto r = p.Run({"test", "--scratch", admin});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("passed  from v1.0: the scratch database as of git tag v1.0 (the last "
                       "tag; `--from empty` starts from an empty database): 2 migration file(s)"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("fixture 2"), std::string::npos) << "held by the tag\n" << r.out;
  EXPECT_NE(r.out.find("passed  V3__discount.sql"), std::string::npos) << r.out;
  // Named, and unknown.
  r = p.Run({"test", "--from", "v1.0", "--scratch", admin});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("from v1.0: the scratch database as of git tag v1.0: 2 migration"),
            std::string::npos)
      << r.out;
  auto bad = p.Run({"test", "--from", "v9.9", "--scratch", admin});
  EXPECT_EQ(bad.exit_code, 2) << bad.All();
  EXPECT_NE(bad.err.find("or a git tag"), std::string::npos) << bad.err;
  // From an empty database: every fixture.
  r = p.Run({"test", "--from", "empty", "--scratch", admin});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(r.out.find("from v1.0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("passed  fixture 2"), std::string::npos) << r.out;
  // Warm: the first run builds from the tag; the next starts from its template, which holds a
  // later state than any tag, so git is not asked and no `from` step appears.
  warm::DropWarm(admin);
  r = p.Run({"test", "--keep", "--scratch", admin});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("passed  from v1.0"), std::string::npos) << r.out;
  r = p.Run({"test", "--keep", "--scratch", admin});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_NE(r.out.find("3 migration(s) already applied"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("from v1.0"), std::string::npos) << r.out;
  warm::DropWarm(admin);
  // A migration edited after the release is caught as production would catch it: the tag's
  // file was applied, the working tree's differs.
  p.Write("V2__fill.sql", "UPDATE item SET price = 1 WHERE price IS NULL;\n");
  p.Hash();
  r = p.Run({"test", "--scratch", admin});
  EXPECT_NE(r.exit_code, 0) << r.All();
  EXPECT_NE(r.All().find("V2__fill.sql"), std::string::npos) << r.All();
}

}  // namespace
}  // namespace strata::testing
