// The before/after digest guard's failure path (issue 21, seed 004, invariant 8) for the runs
// the identifier lint gate lets through because nothing they declare touches an identifier:
// a trigger created by hand (which no analyzer of the run's files can see) rewrites or deletes
// quote numbers while `backfill run`, `correct apply` and `change complete` write other columns.
// The after digest catches it: the run fails with exit 8, the message gives the numbers, a
// sample of the ids that appeared and vanished and the identifier's consumers, and the ledger
// and the evidence package record the failed verification. Real PostgreSQL.
#include <fmt/format.h>

#include "integration/engine_fixture.h"

namespace strata::testing {
namespace {

constexpr int kExitCheckFailed = 8;

constexpr const char* kContracts = R"([[identifier]]
name = "quote_number"
table = "quote"
column = "quote_number"
format = { prefix = "Q-" }
consumers = ["partner portal", "billing export"]
deletes = "tombstone"
tombstone = "deleted_at"
)";

class IdentifierGuardFails : public ::testing::Test {
 protected:
  void SetUp() override {
    STRATA_REQUIRE_POSTGRES();
    p_ = std::make_unique<Project>(Db::kPostgres);
    p_->dir().Write("db/identifiers.toml", kContracts);
    p_->Write("V1__schema.sql",
              "CREATE TABLE quote (id int PRIMARY KEY, quote_number text, note text, "
              "deleted_at timestamptz);\n");
    p_->Hash();
    auto m = p_->Run({"migrate"});
    ASSERT_EQ(m.exit_code, 0) << m.All();
    p_->Exec(
        "INSERT INTO quote (id, quote_number, note) SELECT g, 'Q-' || g, 'n' FROM "
        "generate_series(1, 20) g");
  }

  // A PL/pgSQL row trigger `name` on quote, `timing` ("BEFORE" or "AFTER") UPDATE OF note, on
  // the rows `when` selects (empty: every row), running `body` and returning NEW: what a run
  // cannot see.
  void NoteTrigger(const std::string& name, const std::string& timing, const std::string& when,
                   const std::string& body) const {
    p_->Exec(fmt::format(
        "CREATE FUNCTION {0}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {1} RETURN NEW; END $$",
        name, body));
    p_->Exec(
        fmt::format("CREATE TRIGGER {0} {1} UPDATE OF note ON quote FOR EACH ROW {2}EXECUTE "
                    "FUNCTION {0}()",
                    name, timing, when.empty() ? "" : "WHEN (" + when + ") "));
  }

  // db/backfill/notes.toml: an update job setting note = 'done' where `where` holds, then `tail`
  // (e.g. "[chunk]\nsize = 10\n").
  void NotesJob(const std::string& tail = "", const std::string& where = "note <> 'done'") const {
    p_->dir().Write("db/backfill/notes.toml",
                    fmt::format("table = \"quote\"\nkey = \"id\"\nwhere = \"{}\"\nset = \"note = "
                                "'done'\"\n{}",
                                where, tail));
  }

  // A trigger the run cannot see: when `note` changes, the quote number is rewritten.
  void RenumberOnNoteUpdate() const {
    NoteTrigger("renumber", "BEFORE", "", "NEW.quote_number := 'Q-R' || NEW.id;");
  }

  // The run failed its verification as a user sees it: exit 8, the identifier and its
  // consumers, the numbers and sample ids; the ledger marks the run failed and records the
  // unexplained after digest; the evidence package carries both digests of the failed run.
  void ExpectFailedVerification(const RunResult& r, const std::string& verb,
                                const std::vector<std::string>& expected) const {
    EXPECT_EQ(r.exit_code, kExitCheckFailed) << r.All();
    EXPECT_NE(r.err.find("identifiers changed in a way the run does not explain"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("identifier `quote_number` (quote(quote_number), held by partner "
                         "portal, billing export)"),
              std::string::npos)
        << r.err;
    for (const auto& e : expected)
      EXPECT_NE(r.err.find(e), std::string::npos) << e << "\n" << r.err;
    EXPECT_EQ(p_->Count(fmt::format("strata_run WHERE verb = '{}' AND outcome = 'failed'", verb)),
              1);
    const std::string run_id = p_->Scalar(fmt::format(
        "SELECT run_id FROM strata_run WHERE verb = '{}' AND outcome = 'failed'", verb));
    EXPECT_EQ(p_->Count(fmt::format("strata_identifier_digest WHERE run_id = '{}' AND phase = "
                                    "'after' AND verdict LIKE 'unexplained%'",
                                    run_id)),
              1);
    auto e = p_->Json({"evidence", "--format", "json"});
    auto pkg = nlohmann::json::parse(e["package"].get<std::string>(), nullptr, false);
    ASSERT_FALSE(pkg.is_discarded()) << e.dump(2);
    bool found = false;
    for (const auto& run : pkg["content"]["runs"]) {
      if (run.value("run_id", "") != run_id) continue;
      found = true;
      EXPECT_EQ(run["outcome"], "failed") << run.dump(2);
      ASSERT_EQ(run["identifiers"].size(), 2u) << run.dump(2);
      EXPECT_EQ(run["identifiers"][0]["phase"], "before");
      EXPECT_EQ(run["identifiers"][1]["phase"], "after");
      EXPECT_NE(run["identifiers"][1]["verdict"].get<std::string>().find("unexplained"),
                std::string::npos)
          << run.dump(2);
    }
    EXPECT_TRUE(found) << run_id << "\n" << e.dump(2);
  }

  std::unique_ptr<Project> p_;
};

TEST_F(IdentifierGuardFails, BackfillRunWhoseWritesATriggerTurnsIntoNewIds) {
  RenumberOnNoteUpdate();
  NotesJob("[chunk]\nsize = 10\n");
  auto r = p_->Run({"backfill", "run", "notes"});
  ExpectFailedVerification(
      r, "backfill run",
      {"20 appeared that the run declared no insert for (e.g. Q-R1, Q-R10, Q-R11, Q-R12, "
       "Q-R13)",
       "20 vanished though its rows may never be deleted (deletes = tombstone) (e.g. Q-1, Q-10, "
       "Q-11, Q-12, Q-13)",
       "(rows 20 → 20)"});
  EXPECT_EQ(p_->Count("quote WHERE quote_number LIKE 'Q-R%'"), 20);
}

// A backfill does not wait for its before digest: the guard takes a snapshot before the run's
// first write and reads the digest and the before set in it, beside the run. Held up here (a
// session locks the table the guard records into), the backfill still writes every chunk; the
// before digest and set are the table as it was, so the ids the trigger rewrote are caught, the
// old ones as vanished — read after the run's writes, they would be the new ones and match.
TEST_F(IdentifierGuardFails, ABackfillRunsBesideItsBeforeDigestWhichSeesTheTableAsItWas) {
  RenumberOnNoteUpdate();
  NotesJob("[chunk]\nsize = 10\n");
  ASSERT_TRUE(p_->TableExists("strata_identifier_digest"));
  auto holder = p_->Connect("holder");
  ASSERT_TRUE(holder);
  ASSERT_TRUE(holder->Exec("BEGIN").ok());
  ASSERT_TRUE(holder->Exec("LOCK TABLE strata_identifier_digest IN EXCLUSIVE MODE").ok());
  const std::string log = p_->dir() / "backfill.log";
  const int pid = p_->Spawn({"backfill", "run", "notes"}, log);
  EXPECT_TRUE(Eventually([&] { return p_->Count("quote WHERE note = 'done'") == 20; },
                         std::chrono::seconds(30)))
      << "the backfill waited for its before digest\n"
      << Slurp(log);
  EXPECT_EQ(p_->Count("quote WHERE quote_number LIKE 'Q-R%'"), 20);
  ASSERT_TRUE(holder->Exec("COMMIT").ok());
  RunResult r;
  r.exit_code = WaitExitFor(pid, std::chrono::seconds(60));
  r.err = Slurp(log);
  ExpectFailedVerification(
      r, "backfill run",
      {"20 appeared that the run declared no insert for (e.g. Q-R1, Q-R10, Q-R11, Q-R12, "
       "Q-R13)",
       "20 vanished though its rows may never be deleted (deletes = tombstone) (e.g. Q-1, Q-10, "
       "Q-11, Q-12, Q-13)",
       "(rows 20 → 20)"});
}

TEST_F(IdentifierGuardFails, CorrectApplyWhoseUpdateATriggerTurnsIntoADeletedId) {
  // This one deletes: fixing one quote's note makes its row (and its number) vanish.
  NoteTrigger("purge", "AFTER", "", "DELETE FROM quote WHERE id = NEW.id + 1;");
  p_->dir().Write("db/corrections/FIX-1.toml",
                  "id = \"FIX-1\"\nreason = \"r\"\napproved_by = \"lead\"\n"
                  "table = \"quote\"\nkey = \"id\"\nwhere = \"id = 4\"\n[set]\n"
                  "note = \"fixed\"\n[expect]\nmin_rows = 1\nmax_rows = 1\n");
  auto r = p_->Run({"correct", "apply", "FIX-1"});
  ExpectFailedVerification(r, "correct apply",
                           {"1 vanished though its rows may never be deleted (deletes = "
                            "tombstone) (e.g. Q-5)",
                            "(rows 20 → 19)"});
  EXPECT_EQ(r.err.find("appeared"), std::string::npos) << r.err;
}

TEST_F(IdentifierGuardFails, ChangeCompleteWhoseDdlAnEventTriggerTurnsIntoNewIds) {
  const std::string file =
      p_->dir().Write("db/changes/note_not_null.sql",
                      "-- strata:change\n-- strata:up note = coalesce(note, '')\n"
                      "ALTER TABLE quote ALTER COLUMN note SET NOT NULL;\n");
  auto start = p_->Run({"change", "start", file});
  ASSERT_EQ(start.exit_code, 0) << start.All();
  // An event trigger, created after the expand: the contract phase's ALTER TABLE fires it,
  // and it renumbers three quotes.
  p_->Exec(
      "CREATE FUNCTION renumber_on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN "
      "UPDATE quote SET quote_number = 'Q-D' || id WHERE id <= 3 AND quote_number NOT LIKE "
      "'Q-D%'; END $$");
  p_->Exec(
      "CREATE EVENT TRIGGER renumber_on_ddl ON ddl_command_end WHEN TAG IN ('ALTER TABLE') "
      "EXECUTE FUNCTION renumber_on_ddl()");
  auto r = p_->Run({"change", "complete", file});
  p_->Exec("DROP EVENT TRIGGER renumber_on_ddl");
  ExpectFailedVerification(
      r, "change complete",
      {"3 appeared that the run declared no insert for (e.g. Q-D1, Q-D2, Q-D3)",
       "3 vanished though its rows may never be deleted (deletes = tombstone) (e.g. Q-1, Q-2, "
       "Q-3)"});
}

// Neither digest of a run sorts to count duplicates unless the values changed: the before
// digest, read beside the run, and the after digest of an unchanged multiset (the backfill
// rewrote every row, so in a new physical order: not a change) record them as not counted
// (NULL); a run that adds a duplicate is counted exactly, the after's from the table and the
// before's from the before set, and fails.
TEST_F(IdentifierGuardFails, DuplicatesAreCountedOnlyWhenTheValuesChanged) {
  p_->Exec("INSERT INTO quote (id, quote_number, note) VALUES (21, 'Q-1', 'n')");
  NotesJob();
  auto ok = p_->Run({"backfill", "run", "notes"});
  ASSERT_EQ(ok.exit_code, 0) << ok.All();
  EXPECT_EQ(p_->Count("strata_identifier_digest WHERE phase = 'after' AND duplicate_count IS "
                      "NULL AND row_count = 21 AND verdict = 'explained'"),
            1);
  EXPECT_EQ(p_->Count("strata_identifier_digest WHERE phase = 'before' AND duplicate_count IS "
                      "NULL AND row_count = 21"),
            1);
  // A trigger copies quote 2's number onto the row the next backfill touches.
  NoteTrigger("copy_number", "BEFORE", "NEW.id = 3", "NEW.quote_number := 'Q-2';");
  p_->dir().Write("db/backfill/again.toml",
                  "table = \"quote\"\nkey = \"id\"\nwhere = \"id = 3\"\n"
                  "set = \"note = 'again'\"\n");
  auto r = p_->Run({"backfill", "run", "again"});
  EXPECT_EQ(r.exit_code, kExitCheckFailed) << r.All();
  EXPECT_NE(r.err.find("duplicates rose from 1 to 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 vanished though its rows may never be deleted (deletes = tombstone) "
                       "(e.g. Q-3)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(p_->Count("strata_identifier_digest WHERE phase = 'after' AND duplicate_count = 2"), 1);
  EXPECT_EQ(p_->Count("strata_identifier_digest WHERE phase = 'before' AND duplicate_count = 1"),
            1);
}

// A unique index makes the duplicate count free (0, no sort): both digests of a run record it.
TEST_F(IdentifierGuardFails, AUniqueIndexRecordsNoDuplicatesWithoutASort) {
  p_->Exec("CREATE UNIQUE INDEX quote_number_key ON quote (quote_number)");
  NotesJob();
  auto ok = p_->Run({"backfill", "run", "notes"});
  ASSERT_EQ(ok.exit_code, 0) << ok.All();
  EXPECT_EQ(p_->Count("strata_identifier_digest WHERE duplicate_count = 0 AND row_count = 20 AND "
                      "(phase = 'before' OR verdict = 'explained')"),
            2);
}

// A non-unique identifier whose duplicate loses a row (two rows with Q-1 become one): the ids
// as a set are the same, as a multiset not. The guard names it as the id that vanished.
TEST_F(IdentifierGuardFails, ADuplicateThatLosesARowIsNamedAsVanished) {
  p_->Exec("INSERT INTO quote (id, quote_number, note) VALUES (21, 'Q-1', 'n')");
  NoteTrigger("purge_copy", "AFTER", "NEW.id = 1", "DELETE FROM quote WHERE id = 21;");
  NotesJob("", "note <> 'done' AND id <= 20");
  auto r = p_->Run({"backfill", "run", "notes"});
  ExpectFailedVerification(r, "backfill run",
                           {"1 vanished though its rows may never be deleted (deletes = "
                            "tombstone) (e.g. Q-1)",
                            "(rows 21 → 20)"});
  EXPECT_EQ(r.err.find("appeared"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("duplicates rose"), std::string::npos) << r.err;
  EXPECT_EQ(p_->Count("quote WHERE quote_number = 'Q-1'"), 1);
}

// A run that changed the values counts duplicates of the ids' text in both phases (the before's
// from its before set): a numeric identifier holding 1.0 and 1.00 (one number, two texts, two
// ids to a consumer) compares like with like, so a migration that inserts another id is explained.
TEST_F(IdentifierGuardFails, DuplicatesOfAChangedRunAreCountedOnTheIdsTextInBothPhases) {
  p_->dir().Write("db/identifiers.toml", std::string(kContracts) +
                                             "\n[[identifier]]\nname = \"part_code\"\n"
                                             "table = \"part\"\ncolumn = \"code\"\n"
                                             "deletes = \"allowed\"\n");
  p_->Write("V2__part.sql", "CREATE TABLE part (code numeric);\n");
  p_->Hash();
  auto m = p_->Run({"migrate"});
  ASSERT_EQ(m.exit_code, 0) << m.All();
  p_->Exec("INSERT INTO part VALUES (1.0), (1.00), (2)");
  p_->Write("V3__more.sql", "INSERT INTO part VALUES (7);\n");
  p_->Hash();
  auto r = p_->Run({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p_->Count("strata_identifier_digest WHERE identifier = 'part_code' AND phase = "
                      "'after' AND row_count = 4 AND duplicate_count = 0 AND appeared = 1 AND "
                      "verdict = 'explained'"),
            1);
  EXPECT_EQ(p_->Count("strata_identifier_digest WHERE identifier = 'part_code' AND phase = "
                      "'before' AND row_count = 3 AND duplicate_count = 0"),
            1);
}

// Likewise the format: the after digest of an unchanged set records the before's violations
// without checking each value again; a run whose trigger writes an id outside the format is
// checked exactly and fails.
TEST_F(IdentifierGuardFails, FormatViolationsAreCheckedAfterTheRunOnlyWhenTheValuesChanged) {
  p_->Exec("INSERT INTO quote (id, quote_number, note) VALUES (21, 'X-21', 'n')");
  NotesJob();
  auto ok = p_->Run({"backfill", "run", "notes"});
  ASSERT_EQ(ok.exit_code, 0) << ok.All();
  EXPECT_EQ(p_->Count("strata_identifier_digest WHERE phase = 'after' AND format_violations = 1 "
                      "AND duplicate_count IS NULL AND verdict = 'explained'"),
            1);
  NoteTrigger("misnumber", "BEFORE", "NEW.id = 3", "NEW.quote_number := 'BAD-' || NEW.id;");
  p_->dir().Write("db/backfill/again.toml",
                  "table = \"quote\"\nkey = \"id\"\nwhere = \"id = 3\"\n"
                  "set = \"note = 'again'\"\n");
  auto r = p_->Run({"backfill", "run", "again"});
  EXPECT_EQ(r.exit_code, kExitCheckFailed) << r.All();
  EXPECT_NE(r.err.find("1 appeared that the run declared no insert for (e.g. BAD-3)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("rose from 1 to 2"), std::string::npos) << r.err;
  EXPECT_EQ(p_->Count("strata_identifier_digest WHERE phase = 'after' AND format_violations = 2 "
                      "AND verdict LIKE 'unexplained%'"),
            1);
}

// The before set of a plain table is kept per range of 64 heap blocks, read by TID range scans
// in the same statement as the before digest (identifiers/live.h, DigestKeepingSet). Here the
// table spans several ranges and a trigger rewrites ids in each, the last (open-ended) range
// too, and deletes one: every changed id is counted once and named (from the before set, the
// vanished ones), no row at a range's edge is counted twice or missed, and a row whose id is
// NULL is in no set.
TEST_F(IdentifierGuardFails, ABeforeSetOverManyBlockRangesNamesEveryChangedId) {
  p_->Exec(
      "INSERT INTO quote (id, quote_number, note) SELECT g, 'Q-' || g, repeat('n', 1000) FROM "
      "generate_series(21, 3000) g");
  p_->Exec("INSERT INTO quote (id, quote_number, note) VALUES (3001, NULL, 'n')");
  ASSERT_GE(std::stoll(p_->Scalar("SELECT pg_relation_size('quote') / 8192")), 5 * 64);
  NoteTrigger("renumber", "BEFORE", "NEW.id % 500 = 0", "NEW.quote_number := 'Q-R' || NEW.id;");
  NoteTrigger("purge", "AFTER", "NEW.id = 1", "DELETE FROM quote WHERE id = 2222;");
  NotesJob("[chunk]\nsize = 500\n");
  auto r = p_->Run({"backfill", "run", "notes"});
  ExpectFailedVerification(
      r, "backfill run",
      {"6 appeared that the run declared no insert for (e.g. Q-R1000, Q-R1500, Q-R2000, "
       "Q-R2500, Q-R3000)",
       "7 vanished though its rows may never be deleted (deletes = tombstone) (e.g. Q-1000, "
       "Q-1500, Q-2000, Q-2222, Q-2500)",
       "(rows 3001 → 3000)"});
  EXPECT_EQ(p_->Count("strata_identifier_digest WHERE phase = 'before' AND row_count = 3001 AND "
                      "null_count = 1 AND format_violations = 0"),
            1);
  EXPECT_EQ(p_->Count("strata_identifier_digest WHERE phase = 'after' AND row_count = 3000 AND "
                      "null_count = 1 AND appeared = 6 AND vanished = 7"),
            1);
}

// An application inserting rows into the contracted table while a backfill updates it
// (issue 21): deterministic, the other session holds a row lock the backfill's chunk waits for
// (so the guard's snapshot is taken), inserts three quotes in that transaction and commits. A
// run that only updates rows makes no id appear without another vanishing, so ids that appeared
// while none vanished are the other session's: the run succeeds and the after row records them
// with what explains them. With a trigger that also renumbers one quote, an id vanished: the
// run fails as before, naming the vanished id and every id that appeared.
class IdentifierGuardBesideInserts : public IdentifierGuardFails {
 protected:
  // `job`: the job's file, by default an update job over every row; it must reach row 15,
  // which the application holds locked while it writes.
  // `app`: what the application does meanwhile, by default insert Q-21..Q-23.
  static constexpr const char* kUpdateJob =
      "table = \"quote\"\nkey = \"id\"\nwhere = \"note <> 'done'\"\nset = \"note = 'done'\"\n"
      "[chunk]\nsize = 10\n[throttle]\nlock_timeout = \"60s\"\n";

  // The contract with deletes = "allowed" (rows may go; ids never change).
  void AllowDeletes() const {
    p_->dir().Write("db/identifiers.toml",
                    "[[identifier]]\nname = \"quote_number\"\ntable = \"quote\"\n"
                    "column = \"quote_number\"\nformat = { prefix = \"Q-\" }\n"
                    "deletes = \"allowed\"\n");
  }

  RunResult BackfillWhileAnotherSessionInserts(
      const std::string& job = kUpdateJob,
      const std::string& app_sql =
          "INSERT INTO quote (id, quote_number, note) VALUES (21, 'Q-21', 'done'), (22, 'Q-22', "
          "'done'), (23, 'Q-23', 'done')") const {
    p_->dir().Write("db/backfill/notes.toml", job);
    auto app = p_->Connect("application");
    EXPECT_TRUE(app);
    RunResult r;
    if (!app) return r;
    EXPECT_TRUE(app->Exec("BEGIN").ok());
    EXPECT_TRUE(app->Exec("SELECT 1 FROM quote WHERE id = 15 FOR UPDATE").ok());
    const std::string log = p_->dir() / "backfill.log";
    const int pid = p_->Spawn({"backfill", "run", "notes"}, log);
    EXPECT_TRUE(Eventually(
        [&] {
          return p_->Count(
                     "pg_stat_activity WHERE wait_event_type = 'Lock' AND (query ILIKE "
                     "'%UPDATE%quote%' OR query ILIKE '%DELETE%quote%')") == 1;
        },
        std::chrono::seconds(30)))
        << Slurp(log);
    EXPECT_TRUE(app->Exec(app_sql).ok());
    EXPECT_TRUE(app->Exec("COMMIT").ok());
    r.exit_code = WaitExitFor(pid, std::chrono::seconds(60));
    r.err = Slurp(log);
    return r;
  }

  // The run succeeded, and its after row explains Q-21..Q-23 as other sessions' inserts beside
  // `vanished` ids (their sample `vanished_sample`) among `rows`.
  void ExpectTheInsertsExplained(int rows, const nlohmann::json& vanished_sample,
                                 int vanished = 0) const {
    EXPECT_EQ(p_->Count("strata_run WHERE verb = 'backfill run' AND outcome = 'succeeded'"), 1);
    EXPECT_EQ(p_->Count(fmt::format(
                  "strata_identifier_digest WHERE phase = 'after' AND row_count = {} AND appeared "
                  "= 3 AND vanished = {} AND verdict = 'explained: 3 inserted by other sessions "
                  "while the run ran'",
                  rows, vanished)),
              1);
    const std::string sample = p_->Scalar(
        "SELECT sample FROM strata_identifier_digest WHERE phase = 'after' AND "
        "appeared = 3");
    EXPECT_EQ(nlohmann::json::parse(sample), nlohmann::json({{"appeared", {"Q-21", "Q-22", "Q-23"}},
                                                             {"vanished", vanished_sample}}))
        << sample;
  }
};

TEST_F(IdentifierGuardBesideInserts, IdsAnotherSessionInsertedDuringABackfillAreExplained) {
  auto r = BackfillWhileAnotherSessionInserts();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p_->Count("quote WHERE note = 'done'"), 23);
  EXPECT_EQ(p_->Count("strata_identifier_digest WHERE phase = 'before' AND row_count = 20"), 1);
  ExpectTheInsertsExplained(23, nlohmann::json::array());
  // The evidence package carries the verdict, its field names unchanged.
  auto e = p_->Json({"evidence", "--format", "json"});
  auto pkg = nlohmann::json::parse(e["package"].get<std::string>(), nullptr, false);
  ASSERT_FALSE(pkg.is_discarded()) << e.dump(2);
  bool found = false;
  for (const auto& run : pkg["content"]["runs"]) {
    if (run.value("verb", "") != "backfill run") continue;
    found = true;
    ASSERT_EQ(run["identifiers"].size(), 2u) << run.dump(2);
    EXPECT_EQ(run["identifiers"][1]["phase"], "after");
    EXPECT_EQ(run["identifiers"][1]["appeared"], 3);
    EXPECT_EQ(run["identifiers"][1]["verdict"],
              "explained: 3 inserted by other sessions while the run ran")
        << run.dump(2);
  }
  EXPECT_TRUE(found) << e.dump(2);
}

TEST_F(IdentifierGuardBesideInserts, AnIdThatVanishedBesideTheInsertsStillFailsTheBackfill) {
  NoteTrigger("renumber", "BEFORE", "NEW.id = 3", "NEW.quote_number := 'Q-R' || NEW.id;");
  auto r = BackfillWhileAnotherSessionInserts();
  ExpectFailedVerification(
      r, "backfill run",
      {"4 appeared that the run declared no insert for (e.g. Q-21, Q-22, Q-23, Q-R3)",
       "1 vanished though its rows may never be deleted (deletes = tombstone) (e.g. Q-3)",
       "(rows 20 → 23)"});
  EXPECT_EQ(r.err.find("inserted by other sessions"), std::string::npos) << r.err;
  EXPECT_EQ(p_->Count("strata_identifier_digest WHERE verdict LIKE 'explained:%'"), 0);
}

// A delete job beside an application that inserts: the ids its deletes made vanish are declared
// and permitted (deletes = "allowed"), and the ids that appeared are other sessions' inserts (a
// delete makes none appear), so the run succeeds with both explained.
TEST_F(IdentifierGuardBesideInserts, ADeleteJobBesideAnotherSessionsInsertsIsExplained) {
  AllowDeletes();
  auto r = BackfillWhileAnotherSessionInserts(
      "kind = \"delete\"\ntable = \"quote\"\nkey = \"id\"\nwhere = \"id > 10 AND id <= 20\"\n"
      "[chunk]\nsize = 10\n[throttle]\nlock_timeout = \"60s\"\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p_->Scalar("SELECT string_agg(quote_number, ',' ORDER BY id) FROM quote WHERE id > 10"),
            "Q-21,Q-22,Q-23");
  ExpectTheInsertsExplained(13, {"Q-11", "Q-12", "Q-13", "Q-14", "Q-15"}, 10);
}

// An update job beside an application that deletes rows of an identifier whose rows may be deleted
// (an outbox whose consumer deletes what it sent): an update makes an id vanish only with another
// appearing or a NULL more, so ids that vanished alone are the other session's deletes.
TEST_F(IdentifierGuardBesideInserts, RowsAnotherSessionDeletedBesideAnUpdateJobAreExplained) {
  AllowDeletes();
  auto r = BackfillWhileAnotherSessionInserts(kUpdateJob, "DELETE FROM quote WHERE id IN (18, 19)");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(p_->Count("quote WHERE note = 'done'"), 18);
  EXPECT_EQ(p_->Count("strata_identifier_digest WHERE phase = 'after' AND row_count = 18 AND "
                      "appeared = 0 AND vanished = 2 AND verdict = 'explained: 2 deleted by "
                      "other sessions while the run ran'"),
            1);
}

// The same deletes where the contract never lets rows go (deletes = "tombstone") fail the run:
// the ids are gone, whoever deleted them.
TEST_F(IdentifierGuardBesideInserts, RowsDeletedBesideAnUpdateJobStillFailWhereDeletesAreNot) {
  auto r = BackfillWhileAnotherSessionInserts(kUpdateJob, "DELETE FROM quote WHERE id IN (18, 19)");
  ExpectFailedVerification(
      r, "backfill run",
      {"2 vanished though its rows may never be deleted (deletes = tombstone) (e.g. Q-18, Q-19)",
       "(rows 20 → 18)"});
  EXPECT_EQ(r.err.find("deleted by other sessions"), std::string::npos) << r.err;
}

// kill -9 while the guard reads its before digest and set beside the backfill: the temporary
// table goes with the connection, the rerun resumes the job and records its own before digest
// of the whole table (nothing counted twice), and its ids are explained.
TEST_F(IdentifierGuardFails, KillNineDuringTheBeforePhaseThenRerun) {
  // A regular expression per id: a before phase of a few hundred milliseconds to be caught in.
  p_->dir().Write("db/identifiers.toml",
                  "[[identifier]]\nname = \"quote_number\"\ntable = \"quote\"\n"
                  "column = \"quote_number\"\nformat = { regex = \"^Q-[0-9]+(-[a-z]+)*$\" }\n");
  p_->Exec(
      "INSERT INTO quote (id, quote_number, note) SELECT g, 'Q-' || g, 'n' FROM "
      "generate_series(21, 400000) g");
  NotesJob("[chunk]\nsize = 1000\n");
  const std::string log = p_->dir() / "killed.log";
  const int pid = p_->Spawn({"backfill", "run", "notes"}, log);
  const bool caught = Eventually(
      [&] {
        return p_->Count(
                   "pg_stat_activity WHERE state = 'active' AND query LIKE 'WITH s AS "
                   "(INSERT INTO strata_idsnap%'") == 1;
      },
      std::chrono::seconds(30));
  kill(pid, SIGKILL);
  EXPECT_EQ(WaitExit(pid), 128 + SIGKILL) << Slurp(log);
  ASSERT_TRUE(caught) << Slurp(log);
  EXPECT_TRUE(
      Eventually([&] { return p_->Count("pg_class WHERE relname LIKE 'strata_idsnap%'") == 0; },
                 std::chrono::seconds(30)));
  auto r = p_->Run({"backfill", "run", "notes"});
  ASSERT_EQ(r.exit_code, 0) << r.All();
  EXPECT_EQ(p_->Count("quote WHERE note = 'done'"), 400000);
  EXPECT_EQ(p_->Count("strata_identifier_digest WHERE phase = 'before' AND row_count = 400000 "
                      "AND null_count = 0"),
            1);
  EXPECT_EQ(p_->Count("strata_identifier_digest WHERE phase = 'after' AND row_count = 400000 AND "
                      "verdict = 'explained'"),
            1);
  EXPECT_EQ(p_->Count("strata_run WHERE verb = 'backfill run' AND outcome = 'succeeded'"), 1);
}

}  // namespace
}  // namespace strata::testing
