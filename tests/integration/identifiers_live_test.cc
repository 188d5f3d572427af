// External identifier contracts against a real database (issue 21, seed 004), on SQLite and the
// private PostgreSQL cluster, through the strata binary: `identifiers check` names the closest
// match, `identifiers digest` counts and digests in one pass, `identifiers protect` refuses a
// hand-written UPDATE or DELETE, and migrate / backfill run record digests before and after and
// fail on a difference they do not explain.
#include <fmt/format.h>

#include <csignal>
#include <map>

#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

constexpr int kExitConfig = 2;
constexpr int kExitCheckFailed = 8;
constexpr int kExitLint = 7;

constexpr const char* kContracts = R"([[identifier]]
name = "quote_number"
table = "quote"
column = "quote_number"
format = { prefix = "Q-" }
consumers = ["partner portal"]
deletes = "tombstone"
tombstone = "deleted_at"

[[identifier]]
name = "event_id"
table = "outbox_event"
column = "event_id"
format = "integer"
deletes = "allowed"
)";

constexpr const char* kSchema =
    "CREATE TABLE quote (id INTEGER PRIMARY KEY, quote_number VARCHAR(40), note TEXT, "
    "deleted_at TEXT);\n"
    "CREATE TABLE outbox_event (event_id INTEGER PRIMARY KEY, body TEXT);\n";

class IdentifiersTest : public EngineTest {
 protected:
  // A migrated project with the contracts and a few rows.
  std::unique_ptr<Project> Make(const std::string& contracts = kContracts) {
    auto p = std::make_unique<Project>(GetParam());
    p->dir().Write("db/identifiers.toml", contracts);
    p->Write("V1__schema.sql", kSchema);
    p->Hash();
    auto m = p->Run({"migrate"});
    EXPECT_EQ(m.exit_code, 0) << m.All();
    p->Exec(
        "INSERT INTO quote (id, quote_number, note) VALUES (1, 'Q-1', 'a'), (2, 'Q-2', 'b'), "
        "(3, 'Q-3', 'c')");
    p->Exec("INSERT INTO outbox_event (event_id, body) VALUES (10, 'x'), (11, 'y')");
    return p;
  }
};

TEST_P(IdentifiersTest, CheckNamesTheClosestTableAndColumn) {
  auto p = Make();
  auto ok = p->Run({"identifiers", "check"});
  EXPECT_EQ(ok.exit_code, 0) << ok.All();
  EXPECT_NE(ok.out.find("2 identifier contracts"), std::string::npos) << ok.out;

  p->dir().Write("db/identifiers.toml",
                 "[[identifier]]\nname = \"q\"\ntable = \"quotes\"\ncolumn = \"quote_number\"\n");
  auto t = p->Run({"identifiers", "check"});
  EXPECT_EQ(t.exit_code, kExitConfig) << t.All();
  EXPECT_NE(t.err.find("db/identifiers.toml:1:1"), std::string::npos) << t.err;
  EXPECT_NE(t.err.find("table quotes does not exist (did you mean `quote`?)"), std::string::npos)
      << t.err;

  p->dir().Write("db/identifiers.toml",
                 "[[identifier]]\nname = \"q\"\ntable = \"quote\"\ncolumn = \"quote_numbr\"\n");
  auto j = p->Json({"identifiers", "check"});
  ASSERT_EQ(j["problems"].size(), 1u) << j.dump(2);
  EXPECT_NE(j["problems"][0]["message"].get<std::string>().find(
                "column quote_numbr of quote does not exist (did you mean `quote_number`?)"),
            std::string::npos)
      << j.dump(2);
  EXPECT_EQ(j["problems"][0]["line"], 1);
}

TEST_P(IdentifiersTest, DigestCountsAndIsOrderIndependent) {
  auto p = Make();
  p->Exec("INSERT INTO quote (id, quote_number) VALUES (4, 'Q-2'), (5, NULL), (6, 'X-9')");
  auto j = p->Json({"identifiers", "digest", "quote_number"});
  ASSERT_EQ(j["identifiers"].size(), 1u) << j.dump(2);
  const auto& d = j["identifiers"][0];
  EXPECT_EQ(d["rows"], 6);
  EXPECT_EQ(d["nulls"], 1);
  EXPECT_EQ(d["duplicates"], 1);
  EXPECT_EQ(d["format_violations"], 1);
  // The same multiset in another order: the same digest.
  EXPECT_EQ(d["digest"].get<std::string>().size(), 16u) << d.dump();
  p->Exec("DELETE FROM quote");
  p->Exec(
      "INSERT INTO quote (id, quote_number) VALUES (9, 'X-9'), (8, 'Q-3'), (7, 'Q-2'), (6, "
      "NULL), (5, 'Q-2'), (4, 'Q-1')");
  auto again = p->Json({"identifiers", "digest", "quote_number"});
  EXPECT_EQ(again["identifiers"][0]["digest"], d["digest"]);
  // One id changed: another digest.
  p->Exec("UPDATE quote SET quote_number = 'Q-4' WHERE id = 8");
  auto changed = p->Json({"identifiers", "digest", "quote_number"});
  EXPECT_NE(changed["identifiers"][0]["digest"], d["digest"]);
  // An unknown name names the nearest.
  auto bad = p->Run({"identifiers", "digest", "quote_numbr"});
  EXPECT_EQ(bad.exit_code, kExitConfig) << bad.All();
  EXPECT_NE(bad.err.find("did you mean `quote_number`?"), std::string::npos) << bad.err;
}

TEST_P(IdentifiersTest, ProtectRefusesAHandWrittenUpdateAndDeleteAndIsRecorded) {
  auto p = Make();
  auto r = p->Run({"identifiers", "protect"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  auto c = p->Connect();
  auto upd = c->Exec("UPDATE quote SET quote_number = 'Q-99' WHERE id = 1");
  ASSERT_FALSE(upd.ok());
  EXPECT_NE(upd.message().find("identifier quote_number (held by partner portal) must not "
                               "change"),
            std::string::npos)
      << upd.ToString();
  auto del = c->Exec("DELETE FROM quote WHERE id = 1");
  ASSERT_FALSE(del.ok());
  EXPECT_NE(del.message().find("set deleted_at instead"), std::string::npos) << del.ToString();
  // Other columns, the tombstone, and a no-op write of the id still work.
  EXPECT_TRUE(c->Exec("UPDATE quote SET note = 'z', deleted_at = 'now' WHERE id = 1").ok());
  EXPECT_TRUE(c->Exec("UPDATE quote SET quote_number = quote_number WHERE id = 2").ok());
  // deletes = "allowed": rows go, ids still never change.
  EXPECT_TRUE(c->Exec("DELETE FROM outbox_event WHERE event_id = 11").ok());
  EXPECT_FALSE(c->Exec("UPDATE outbox_event SET event_id = 12 WHERE event_id = 10").ok());
  if (pg()) {
    auto t = c->Exec("TRUNCATE quote");
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.message().find("never deleted"), std::string::npos) << t.ToString();
  }
  EXPECT_EQ(p->Count("strata_run WHERE verb = 'identifiers protect' AND outcome = 'succeeded'"), 1);
  // Removable: unprotect drops every trigger, recorded too.
  auto u = p->Run({"identifiers", "unprotect"});
  ASSERT_EQ(u.exit_code, 0) << u.All();
  EXPECT_TRUE(c->Exec("UPDATE quote SET quote_number = 'Q-99' WHERE id = 1").ok());
  EXPECT_EQ(p->Count("strata_run WHERE verb = 'identifiers unprotect'"), 1);
}

// An application's own trigger that rewrites the id when another column changes cannot get past
// the protection either (PostgreSQL: a BEFORE trigger sorted after strata's rewrites NEW; SQLite:
// a trigger runs an UPDATE of the id).
TEST_P(IdentifiersTest, ProtectRefusesAnIdThatAnotherTriggerRewrites) {
  auto p = Make();
  ASSERT_EQ(p->Run({"identifiers", "protect"}).exit_code, 0);
  if (pg()) {
    p->Exec(
        "CREATE FUNCTION renumber() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "NEW.quote_number := 'Q-R' || NEW.id; RETURN NEW; END $$");
    p->Exec(
        "CREATE TRIGGER zz_renumber BEFORE UPDATE ON quote FOR EACH ROW EXECUTE FUNCTION "
        "renumber()");
  } else {
    p->Exec(
        "CREATE TRIGGER zz_renumber AFTER UPDATE OF note ON quote FOR EACH ROW BEGIN UPDATE "
        "quote SET quote_number = 'Q-R' || NEW.id WHERE id = NEW.id; END");
  }
  auto c = p->Connect();
  auto upd = c->Exec("UPDATE quote SET note = 'x' WHERE id = 3");
  ASSERT_FALSE(upd.ok());
  EXPECT_NE(upd.message().find("identifier quote_number (held by partner portal) must not "
                               "change"),
            std::string::npos)
      << upd.ToString();
  EXPECT_EQ(p->Scalar("SELECT quote_number FROM quote WHERE id = 3"), "Q-3");
}

// `identifiers check` says which identifiers the database protects; on PostgreSQL, an earlier
// strata's update trigger (BEFORE UPDATE OF the columns) is named as outdated until `protect`
// runs again and replaces it.
TEST_P(IdentifiersTest, CheckSaysWhichIdentifiersAreProtected) {
  auto p = Make();
  auto protection = [&] {
    auto j = p->Json({"identifiers", "check"});
    std::map<std::string, std::string> out;
    for (const auto& e : j["protection"]) out[e["identifier"]] = e["protection"];
    return out;
  };
  using Map = std::map<std::string, std::string>;
  EXPECT_EQ(protection(), (Map{{"event_id", "none"}, {"quote_number", "none"}}));
  ASSERT_EQ(p->Run({"identifiers", "protect", "quote_number"}).exit_code, 0);
  EXPECT_EQ(protection(), (Map{{"event_id", "none"}, {"quote_number", "protected"}}));
  auto t = p->Run({"identifiers", "check"});
  EXPECT_EQ(t.exit_code, 0) << t.All();
  EXPECT_NE(t.out.find("quote_number: protected"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("event_id: not protected in the database (strata identifiers protect "
                       "event_id)"),
            std::string::npos)
      << t.out;
  if (!pg()) return;
  p->Exec("DROP TRIGGER strata_idguard_quote_number_update ON quote");
  p->Exec(
      "CREATE TRIGGER strata_idguard_quote_number_update BEFORE UPDATE OF quote_number ON quote "
      "FOR EACH ROW EXECUTE PROCEDURE strata_idguard_quote_number()");
  EXPECT_EQ(protection(), (Map{{"event_id", "none"}, {"quote_number", "outdated"}}));
  auto o = p->Run({"identifiers", "check"});
  EXPECT_EQ(o.exit_code, 0) << o.All();
  EXPECT_NE(o.out.find("quote_number: warning: protected by an earlier strata's trigger"),
            std::string::npos)
      << o.out;
  ASSERT_EQ(p->Run({"identifiers", "protect", "quote_number"}).exit_code, 0);
  EXPECT_EQ(protection(), (Map{{"event_id", "none"}, {"quote_number", "protected"}}));
}

TEST_P(IdentifiersTest, MigrateFailsVerificationWhenAnIdChangesInPlace) {
  auto p = Make();
  // The gate refuses it first (ID105)...
  p->Write("V2__renumber.sql",
           "UPDATE quote SET quote_number = 'Q-0' || quote_number WHERE id = 2;\n");
  p->Hash();
  auto gate = p->Run({"migrate"});
  EXPECT_EQ(gate.exit_code, kExitLint) << gate.All();
  EXPECT_NE(gate.All().find("ID105"), std::string::npos) << gate.All();
  // ...and when someone acknowledges the finding, the state check still fails the run.
  p->Write("V2__renumber.sql",
           "-- strata:allow identifier-updated reason=\"renumbering, partners told\"\n"
           "UPDATE quote SET quote_number = 'Q-0' || quote_number WHERE id = 2;\n");
  p->Hash();
  auto r = p->Run({"migrate"});
  EXPECT_EQ(r.exit_code, kExitCheckFailed) << r.All();
  EXPECT_NE(r.err.find("identifier `quote_number` (quote(quote_number), held by partner portal)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("1 appeared that the run declared no insert for (e.g. Q-0Q-2)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("1 vanished though its rows may never be deleted (deletes = tombstone) "
                       "(e.g. Q-2)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(p->Count("strata_run WHERE verb = 'migrate' AND outcome = 'failed'"), 1);
  EXPECT_EQ(p->Count("strata_identifier_digest WHERE verdict LIKE 'unexplained%'"), 1);
  // The evidence package carries both digests of the run.
  auto e = p->Json({"evidence", "--format", "json"});
  auto pkg = nlohmann::json::parse(e["package"].get<std::string>());
  bool found = false;
  for (const auto& run : pkg["content"]["runs"]) {
    if (run["outcome"] != "failed") continue;
    found = true;
    ASSERT_EQ(run["identifiers"].size(), 2u) << run.dump(2);
    EXPECT_EQ(run["identifiers"][0]["phase"], "before");
    EXPECT_EQ(run["identifiers"][1]["phase"], "after");
    EXPECT_EQ(run["identifiers"][1]["vanished"], 1);
  }
  EXPECT_TRUE(found) << e.dump(2);
}

TEST_P(IdentifiersTest, MigrateInsertingIdsOrTouchingOtherColumnsPasses) {
  auto p = Make();
  p->Write("V2__more.sql",
           "INSERT INTO quote (id, quote_number) VALUES (7, 'Q-7');\n"
           "UPDATE quote SET note = 'n' WHERE id > 0;\n"
           "DELETE FROM outbox_event WHERE event_id = 11;\n");
  p->Hash();
  auto r = p->Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  // Both contracted tables were touched: before and after, explained.
  EXPECT_EQ(p->Count("strata_identifier_digest WHERE phase = 'after' AND verdict = 'explained' "
                     "AND run_id = (SELECT max(run_id) FROM strata_run)"),
            2);
  // A migration deleting quote rows (never deleted: tombstone) fails.
  p->Write("V3__purge.sql",
           "-- strata:allow identifier-rows-deleted reason=\"a test row\"\n"
           "DELETE FROM quote WHERE id = 7;\n");
  p->Hash();
  auto d = p->Run({"migrate"});
  EXPECT_EQ(d.exit_code, kExitCheckFailed) << d.All();
  EXPECT_NE(d.err.find("1 vanished though its rows may never be deleted"), std::string::npos)
      << d.err;
}

// Two rows with the same id, one deleted: the ids as a set are the same, as a multiset not. The
// run's samples are the multiset difference, so the id is named as vanished; the before's
// duplicates, not counted before the run, are counted from the before set once the values
// changed.
TEST_P(IdentifiersTest, DeletingOneOfTwoRowsWithTheSameIdNamesItAsVanished) {
  auto p = Make();
  p->Exec("INSERT INTO quote (id, quote_number) VALUES (4, 'Q-2')");
  p->Write("V2__purge.sql",
           "-- strata:allow identifier-rows-deleted reason=\"a copy\"\n"
           "DELETE FROM quote WHERE id = 4;\n");
  p->Hash();
  auto d = p->Run({"migrate"});
  EXPECT_EQ(d.exit_code, kExitCheckFailed) << d.All();
  EXPECT_NE(d.err.find("1 vanished though its rows may never be deleted (deletes = tombstone) "
                       "(e.g. Q-2)"),
            std::string::npos)
      << d.err;
  EXPECT_EQ(d.err.find("appeared"), std::string::npos) << d.err;
  EXPECT_EQ(p->Count("strata_identifier_digest WHERE phase = 'before' AND row_count = 4 AND "
                     "duplicate_count = 1"),
            1);
  EXPECT_EQ(p->Count("strata_identifier_digest WHERE phase = 'after' AND row_count = 3 AND "
                     "duplicate_count = 0 AND vanished = 1"),
            1);
}

TEST_P(IdentifiersTest, BackfillRunIsRecordedAndAnIdChangeFailsIt) {
  auto p = Make();
  p->dir().Write("db/backfill/notes.toml",
                 "table = \"quote\"\nkey = \"id\"\nwhere = \"note <> 'done'\"\n"
                 "set = \"note = 'done'\"\n");
  auto r = p->Run({"backfill", "run", "notes"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p->Count("strata_run WHERE verb = 'backfill run' AND outcome = 'succeeded'"), 1);
  EXPECT_EQ(p->Count("strata_identifier_digest WHERE phase = 'after' AND verdict = 'explained' "
                     "AND run_id IN (SELECT run_id FROM strata_run WHERE verb = 'backfill run')"),
            1);
  p->dir().Write("db/backfill/renumber.toml",
                 "table = \"quote\"\nkey = \"id\"\nwhere = \"quote_number NOT LIKE 'Q-N%'\"\n"
                 "set = \"quote_number = 'Q-N' || id\"\n");
  // A job rewriting the identifier is refused before it writes (the identifier gate).
  auto bad = p->Run({"backfill", "run", "renumber"});
  EXPECT_EQ(bad.exit_code, kExitLint) << bad.All();
  EXPECT_NE(bad.All().find("quote_number"), std::string::npos) << bad.All();
  EXPECT_EQ(p->Count("quote WHERE quote_number LIKE 'Q-N%'"), 0);
}

TEST_P(IdentifiersTest, CorrectApplyIsRecordedAndAnIdChangeFailsIt) {
  auto p = Make();
  auto corr = [&](const std::string& id, const std::string& set) {
    p->dir().Write("db/corrections/" + id + ".toml",
                   "id = \"" + id +
                       "\"\nreason = \"r\"\napproved_by = \"lead\"\n"
                       "table = \"quote\"\nkey = \"id\"\nwhere = \"id = 1\"\n[set]\n" +
                       set + "\n[expect]\nmin_rows = 1\nmax_rows = 1\n");
  };
  corr("FIX-1", "note = \"fixed\"");
  auto ok = p->Run({"correct", "apply", "FIX-1"});
  ASSERT_EQ(ok.exit_code, 0) << ok.All();
  EXPECT_EQ(p->Count("strata_identifier_digest d JOIN strata_run r ON r.run_id = d.run_id WHERE "
                     "r.verb = 'correct apply' AND d.verdict = 'explained'"),
            1);
  corr("FIX-2", "quote_number = \"Q-100\"");
  // A correction rewriting the identifier is refused before it writes (the identifier gate).
  auto bad = p->Run({"correct", "apply", "FIX-2"});
  EXPECT_EQ(bad.exit_code, kExitLint) << bad.All();
  EXPECT_NE(bad.All().find("quote_number"), std::string::npos) << bad.All();
  EXPECT_EQ(p->Count("quote WHERE quote_number = 'Q-100'"), 0);
}

// The example project's contracts (quote number, outbox event id) match its migrations, digest,
// and protect its quotes against a hand-written UPDATE.
TEST_P(IdentifiersTest, TheExampleProjectsContracts) {
  TempDir dir;
  const std::string proj = dir / "quote-service";
  std::filesystem::copy(std::string(STRATA_SOURCE_DIR) + "/examples/quote-service", proj,
                        std::filesystem::copy_options::recursive);
  std::filesystem::remove(proj + "/quote.db");
  const std::string url =
      pg() ? PgCluster::Get().CreateDatabase("ex") : "sqlite:" + proj + "/quote.db";
  auto strata = [&](std::vector<std::string> a) {
    a.insert(a.begin(), {"--url", url});
    return RunStrata(a, proj);
  };
  ASSERT_EQ(strata({"hash"}).exit_code, 0);
  auto m = strata({"migrate"});
  ASSERT_EQ(m.exit_code, 0) << m.All();
  auto c = strata({"identifiers", "check"});
  EXPECT_EQ(c.exit_code, 0) << c.All();
  auto d = strata({"--json", "identifiers", "digest"});
  ASSERT_EQ(d.exit_code, 0) << d.All();
  auto j = nlohmann::json::parse(d.out);
  ASSERT_EQ(j["identifiers"].size(), 2u) << j.dump(2);
  EXPECT_EQ(j["identifiers"][0]["identifier"], "quote_number");
  EXPECT_EQ(j["identifiers"][1]["identifier"], "outbox_event_id");
  ASSERT_EQ(strata({"identifiers", "protect", "quote_number"}).exit_code, 0);
  auto u = db::ParseUrl(url);
  auto conn = db::Connect(*u, "t");
  ASSERT_TRUE(conn.ok());
  const char* id = "'6f1c2a52-8d1e-4b5a-9c61-0a1b2c3d4e5f'";
  ASSERT_TRUE((*conn)
                  ->Exec(fmt::format("INSERT INTO quote (id, customer_id, state, created_at, "
                                     "updated_at) VALUES ({0}, {0}, 'DRAFT', {1}, {1})",
                                     id, pg() ? "now()" : "'2026-12-07'"))
                  .ok());
  auto upd = (*conn)->Exec(fmt::format(
      "UPDATE quote SET id = '00000000-0000-0000-0000-000000000001' WHERE id = {}", id));
  ASSERT_FALSE(upd.ok());
  EXPECT_NE(upd.message().find("identifier quote_number (held by order management, partner "
                               "portal, billing export) must not change"),
            std::string::npos)
      << upd.ToString();
}

INSTANTIATE_TEST_SUITE_P(Dialects, IdentifiersTest, ::testing::Values(Db::kSqlite, Db::kPostgres),
                         DbName);

// A change renaming a contracted column is refused at start, before anything is expanded (the
// identifier gate, ID102; the mapping is the safe path), and nothing is left open.
TEST(IdentifiersChangeTest, StartingARenameOfAContractedColumnIsRefused) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres);
  p.dir().Write("db/identifiers.toml",
                "[[identifier]]\nname = \"quote_number\"\ntable = \"quote\"\n"
                "column = \"quote_number\"\n");
  p.Write("V1__schema.sql", "CREATE TABLE quote (id int PRIMARY KEY, quote_number text);\n");
  p.Hash();
  ASSERT_EQ(p.Run({"migrate"}).exit_code, 0);
  p.Exec("INSERT INTO quote SELECT g, 'Q-' || g FROM generate_series(1, 50) g");
  std::string file = p.Write("V2__rename.sql",
                             "-- strata:change\nALTER TABLE quote RENAME COLUMN quote_number TO "
                             "quote_no;\n");
  auto start = p.Run({"change", "start", file});
  EXPECT_EQ(start.exit_code, kExitLint) << start.All();
  EXPECT_NE(start.All().find("ID102"), std::string::npos) << start.All();
  EXPECT_EQ(p.Count("information_schema.columns WHERE table_name = 'quote' AND column_name = "
                    "'quote_no'"),
            0);
}

// kill -9 during a digest of a large table: nothing is left behind, and the rerun gives the
// numbers of the data (nothing counted twice).
TEST(IdentifiersKillTest, KillNineDuringADigestThenRerun) {
  STRATA_REQUIRE_POSTGRES();
  Project p(Db::kPostgres);
  p.dir().Write("db/identifiers.toml",
                "[[identifier]]\nname = \"n\"\ntable = \"big\"\ncolumn = \"id\"\n"
                "format = \"integer\"\n");
  p.Exec("CREATE TABLE big (id bigint)");
  p.Exec("INSERT INTO big SELECT g FROM generate_series(1, 3000000) g");
  p.Exec("INSERT INTO big VALUES (7), (NULL)");
  int pid = p.Spawn({"identifiers", "digest"}, p.dir() / "digest.log");
  ASSERT_TRUE(Eventually(
      [&] {
        return p.Scalar(
                   "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE "
                   "'strata identifiers digest%' AND state = 'active'") == "1";
      },
      std::chrono::seconds(20)));
  kill(pid, SIGKILL);
  EXPECT_EQ(WaitExit(pid), 128 + SIGKILL);
  auto j = p.Json({"identifiers", "digest"});
  ASSERT_EQ(j["identifiers"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["identifiers"][0]["rows"], 3000002);
  EXPECT_EQ(j["identifiers"][0]["nulls"], 1);
  EXPECT_EQ(j["identifiers"][0]["duplicates"], 1);
  EXPECT_EQ(j["identifiers"][0]["format_violations"], 0);
  EXPECT_EQ(p.Scalar("SELECT count(*) FROM pg_class WHERE relname LIKE 'strata_%'"), "0");
}

}  // namespace
}  // namespace strata::testing
