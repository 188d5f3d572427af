#include "identifiers/record.h"

#include "analysis/analysis.h"
#include "base/duration.h"
#include "base/text.h"
#include "base/thread.h"
#include "session/run_store.h"
#include "session/session.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>

namespace strata::identifiers {

namespace {

using analysis::StatementKind;
using db::Dialect;
using db::QuoteIdent;

constexpr int kSample = 5;

std::string DigestTable(const std::string& schema) {
  return (schema.empty() ? "" : QuoteIdent(schema) + ".") + "strata_identifier_digest";
}

Status CreateDigestTable(db::Connection& conn, const std::string& schema) {
  return conn.Exec(fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (run_id TEXT NOT NULL, identifier TEXT NOT NULL, phase TEXT "
      "NOT NULL, target TEXT NOT NULL, row_count BIGINT, null_count BIGINT, duplicate_count "
      "BIGINT, format_violations BIGINT, digest TEXT, appeared BIGINT, vanished BIGINT, sample "
      "TEXT, verdict TEXT, recorded_at TEXT NOT NULL, PRIMARY KEY (run_id, identifier, phase))",
      DigestTable(schema)));
}

// One row; written again (a rerun of the same phase) it replaces the first, never doubles.
// `explanation`: what explains an explained verdict's difference, if anything needs saying
// (recorded as "explained: <explanation>").
Status Record(db::Connection& conn, const std::string& schema, const std::string& run_id,
              const std::string& phase, const Digest& d, const Verdict* v,
              const std::string& explanation = "") {
  auto n = [](std::int64_t x) { return db::Value(std::to_string(x)); };
  // Not counted (-1: the values are the before's, see End): NULL.
  const db::Value dups = d.duplicates < 0 ? db::Value() : n(d.duplicates);
  std::vector<db::Value> p = {run_id,    d.identifier, phase, d.table,
                              n(d.rows), n(d.nulls),   dups,  n(d.format_violations),
                              d.digest};
  if (v) {
    nlohmann::json sample = {{"appeared", v->appeared_sample}, {"vanished", v->vanished_sample}};
    p.push_back(n(v->appeared));
    p.push_back(n(v->vanished));
    p.push_back(sample.dump());
    p.push_back(!v->explained         ? "unexplained: " + v->problem
                : explanation.empty() ? std::string("explained")
                                      : "explained: " + explanation);
  } else {
    p.insert(p.end(), {std::nullopt, std::nullopt, std::nullopt, std::nullopt});
  }
  p.push_back(base::NowIso8601());
  return conn
      .Query(fmt::format("INSERT INTO {} (run_id, identifier, phase, target, row_count, "
                         "null_count, duplicate_count, format_violations, digest, appeared, "
                         "vanished, sample, verdict, recorded_at) VALUES ($1, $2, $3, $4, $5, "
                         "$6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (run_id, "
                         "identifier, phase) DO UPDATE SET row_count = excluded.row_count, "
                         "null_count = excluded.null_count, duplicate_count = "
                         "excluded.duplicate_count, format_violations = "
                         "excluded.format_violations, digest = excluded.digest, appeared = "
                         "excluded.appeared, vanished = excluded.vanished, sample = "
                         "excluded.sample, verdict = excluded.verdict, recorded_at = "
                         "excluded.recorded_at",
                         DigestTable(schema)),
             p)
      .status();
}

void Touch(const Contracts& contracts, const analysis::Facts& f, Touched& out) {
  auto mark = [&](const analysis::TableRef& t, bool primary) {
    if (t.empty()) return;
    for (const Contract* c : contracts.OnTable(t.Display())) {
      Expectation& e = out[c->name];
      if (!primary) continue;
      switch (f.kind) {
        case StatementKind::kInsert:
        case StatementKind::kCopy:
        case StatementKind::kCreateTableAs:
          e.may_insert = true;
          break;
        case StatementKind::kDelete:
        case StatementKind::kTruncate:
        case StatementKind::kDropTable:
          e.may_delete = true;
          break;
        default:
          break;
      }
    }
  };
  mark(f.target, true);
  for (const auto& o : f.other_locks) mark(o.table, false);
}

std::string SampleText(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) {
    std::string shown = id;
    std::replace(shown.begin(), shown.end(), '\x1f', ',');
    out += (out.empty() ? "" : ", ") + shown;
  }
  return out;
}

}  // namespace

Touched TouchedTable(const Contracts& contracts, std::string_view table, Expectation e) {
  Touched out;
  for (const Contract* c : contracts.OnTable(table)) out[c->name] = e;
  return out;
}

Touched TouchedBySql(const Contracts& contracts, const std::vector<std::string_view>& files,
                     int pg_version) {
  Touched out;
  if (contracts.empty()) return out;
  analysis::SchemaModel model;
  for (std::string_view text : files) {
    analysis::AnalyzeFile(text, "", model, pg_version, true,
                          [&](const analysis::FileAnalysis&, const analysis::StatementAnalysis& s,
                              const analysis::SchemaModel&) {
                            Touch(contracts, s.facts, out);
                            for (const auto& f : s.embedded) Touch(contracts, f, out);
                          });
  }
  return out;
}

struct Guard::Impl {
  session::Session session;
  std::string schema;                              // the ledger's
  std::unique_ptr<session::RunRecorder> recorder;  // when Begin started the run record
  struct Item {
    const Contract* contract;
    Expectation expect;
    Digest before;
    std::string snapshot;        // temporary table with the before set
    bool absent_before = false;  // the table or column did not exist yet: no before set
    bool kept = false;           // `snapshot` is DigestKeepingSet's (else a row per id)

    // The before set as a query of one text column `id`, a row per non-NULL value.
    std::string BeforeSet() const {
      return kept ? KeptSet(snapshot) : fmt::format("SELECT id FROM {}", snapshot);
    }
  };
  std::vector<Item> items;
  Contracts contracts;
  BeforeTiming timing = BeforeTiming::kBeforeRun;
  // The before phase's outcome; not ok: the items' before digests and sets are missing.
  Status before_status = Status::Ok();
  std::unique_ptr<base::Thread> before_thread;  // kBesideRun; last, so joined first

  // Reads each present item's digest and before set, and records the digest under `run_id`.
  // `in_snapshot`: the connection is in the REPEATABLE READ transaction Begin opened, committed
  // here (rolled back on an error) before the records are written.
  Status ReadBefore(const std::string& run_id, bool in_snapshot);
};

Status Guard::Impl::ReadBefore(const std::string& run_id, bool in_snapshot) {
  db::Connection& conn = *session.conn;
  Status s = [&]() -> Status {
    for (auto& item : items) {
      if (item.absent_before) continue;
      const Contract& c = *item.contract;
      // No duplicate sort beside the run: counted from the before set only if the run changed
      // the values (End); a unique index still gives 0 for free. A plain table's digest and
      // before set come from one scan; other relations', from two.
      STRATA_ASSIGN_OR_RETURN(auto kept, DigestKeepingSet(conn, c, item.snapshot));
      if (kept) {
        item.before = std::move(*kept);
        item.kept = true;
        continue;
      }
      STRATA_ASSIGN_OR_RETURN(item.before, ComputeDigest(conn, c, {.sort = false}));
      STRATA_TRY(conn.Exec(fmt::format("DROP TABLE IF EXISTS {}.{}",
                                       conn.dialect() == Dialect::kPostgres ? "pg_temp" : "temp",
                                       item.snapshot)));
      STRATA_TRY(conn.Exec(
          fmt::format("CREATE TEMP TABLE {} AS SELECT {} AS id FROM {} WHERE NOT ({})",
                      item.snapshot, IdText(c, conn.dialect()), TableRef(c), AnyNull(c))));
    }
    if (in_snapshot) STRATA_TRY(conn.Exec("COMMIT"));
    for (auto& item : items) {
      if (!item.absent_before)
        STRATA_TRY(Record(conn, schema, run_id, "before", item.before, nullptr));
    }
    return Status::Ok();
  }();
  if (!s.ok() && in_snapshot && conn.InTransaction()) (void)conn.Exec("ROLLBACK");
  return s;
}

Guard::~Guard() = default;

Result<std::unique_ptr<Guard>> Guard::Begin(const Options& options, const Contracts& contracts,
                                            const Touched& touched, std::string run_id,
                                            std::string verb, BeforeTiming timing) {
  if (contracts.empty() || touched.empty()) return std::unique_ptr<Guard>();
  STRATA_ASSIGN_OR_RETURN(db::DbUrl url, db::ParseUrl(options.url));
  if (url.dialect == Dialect::kSqlite && url.sqlite_path == ":memory:") {
    return std::unique_ptr<Guard>();
  }
  std::unique_ptr<Guard> g(new Guard());
  g->impl_ = std::make_unique<Impl>();
  Impl& im = *g->impl_;
  im.contracts = contracts;
  im.schema = options.ledger_schema;
  im.timing = timing;
  STRATA_ASSIGN_OR_RETURN(im.session, session::Open(options, verb + " identifiers"));
  db::Connection& conn = *im.session.conn;
  if (run_id.empty()) {
    STRATA_ASSIGN_OR_RETURN(im.recorder,
                            session::RunRecorder::Start(conn, options, verb, url.redacted));
    run_id = im.recorder->run_id();
  }
  g->run_id_ = run_id;
  STRATA_TRY(CreateDigestTable(conn, im.schema));
  // A touched contract whose table or column does not exist yet is one the run creates: it
  // has no before set, and after the run it must exist (End).
  STRATA_ASSIGN_OR_RETURN(auto problems, CheckSchema(conn, contracts));
  auto absent = [&](const std::string& name) {
    for (const auto& p : problems) {
      if (p.identifier == name) return true;
    }
    return false;
  };
  int i = 0;
  std::vector<std::string> tables;  // the present ones, to lock
  for (const auto& [name, expect] : touched) {
    const Contract* c = im.contracts.Find(name);
    if (!c) continue;
    Impl::Item item{c, expect, {}, fmt::format("strata_idsnap_{}", i++)};
    item.before.identifier = c->name;
    item.before.table = c->Target();
    if (absent(name)) {
      item.absent_before = true;
      STRATA_TRY(Record(conn, im.schema, run_id, "before", item.before, nullptr));
    } else if (std::find(tables.begin(), tables.end(), TableRef(*c)) == tables.end()) {
      tables.push_back(TableRef(*c));
    }
    im.items.push_back(std::move(item));
  }
  if (timing == BeforeTiming::kBesideRun && conn.dialect() == Dialect::kPostgres &&
      !tables.empty()) {
    // The snapshot, under a lock that keeps the tables' definitions (and their rows' MVCC
    // visibility: a rewrite is not) as they are until the reads are done; the SELECT takes it.
    // One round trip (a simple-query message: they run in order, the first error stops it
    // and leaves the transaction aborted). No parallel workers beside the run, on a server it
    // keeps busy: they would only add their start-up and merge to the CPU they take from it
    // (about 30 % more per scan).
    Status s = conn.Exec(fmt::format(
        "BEGIN ISOLATION LEVEL REPEATABLE READ; SET LOCAL max_parallel_workers_per_gather = 0; "
        "LOCK TABLE {} IN ACCESS SHARE MODE; SELECT 1",
        fmt::join(tables, ", ")));
    if (s.ok()) {
      im.before_thread = std::make_unique<base::Thread>(
          std::function<void()>([&im, run_id] { im.before_status = im.ReadBefore(run_id, true); }));
      return g;
    }
    // A relation LOCK TABLE refuses: read before the run, which reports a real error.
    if (conn.InTransaction()) STRATA_TRY(conn.Exec("ROLLBACK"));
  }
  STRATA_TRY(im.ReadBefore(run_id, false));
  return g;
}

Status Guard::End(const Status& run_status) {
  Impl& im = *impl_;
  if (im.before_thread) {
    im.before_thread->Join();
    im.before_thread.reset();
  }
  db::Connection& conn = *im.session.conn;
  std::vector<std::string> unexplained;
  for (auto& item : im.items) {
    const Contract& c = *item.contract;
    Verdict v;
    v.identifier = c.name;
    v.before = item.before;
    if (!item.absent_before && !im.before_status.ok()) {
      // Read beside the run, the before phase failed: nothing to compare against. The after
      // digest is still recorded, as evidence of what the run left.
      v.explained = false;
      v.problem = fmt::format("its values could not be read or recorded before the run: {}",
                              im.before_status.message());
      if (auto after = ComputeDigest(conn, c); after.ok()) {
        v.after = *after;
        (void)Record(conn, im.schema, run_id_, "after", *after, &v);
      }
      unexplained.push_back(fmt::format("identifier `{}` ({}): {}", c.name, c.Target(), v.problem));
      verdicts_.push_back(std::move(v));
      continue;
    }
    // The after digest counts duplicates and checks the format only when its values differ
    // from the before's: the same multiset (as many rows, NULLs and non-NULL values with the
    // same sum of hashes, which is also what judges the run's ids unchanged below) has the same
    // duplicates and format violations, so the run waits for one plain scan. The before digest
    // did not count duplicates either (no sort beside the run, unless a unique index makes them
    // 0): unchanged values record them as not counted in both phases; changed ones are counted
    // exactly, the before's from the before set (docs/formats/identifiers.md).
    auto after =
        ComputeDigest(conn, c, {.duplicates = item.absent_before, .format = item.absent_before});
    if (after && !item.absent_before) {
      if (after->SameSet(item.before)) {
        after->duplicates = item.before.duplicates;
        after->format_violations = item.before.format_violations;
      } else if (item.before.duplicates >= 0) {
        after = ComputeDigest(conn, c);
      } else {
        // Both phases' duplicates of the ids' text (the before's from the before set, read in
        // the same snapshot), so a type whose equality is not its text's (citext, numeric)
        // compares like with like; the before's row is rewritten with its count.
        after = ComputeDigest(conn, c, {.duplicates = false});
        auto text_duplicates = [&](const std::string& set_sql) -> Result<std::int64_t> {
          STRATA_ASSIGN_OR_RETURN(
              auto r, conn.Query(fmt::format(
                          "SELECT count(*) - count(DISTINCT id{}) FROM ({}) x",
                          conn.dialect() == Dialect::kPostgres ? " COLLATE \"C\"" : "", set_sql)));
          return std::stoll(r.rows.at(0).at(0).value_or("0"));
        };
        if (after) {
          STRATA_ASSIGN_OR_RETURN(
              after->duplicates,
              text_duplicates(fmt::format("SELECT {} AS id FROM {} WHERE NOT ({})",
                                          IdText(c, conn.dialect()), TableRef(c), AnyNull(c))));
          STRATA_ASSIGN_OR_RETURN(item.before.duplicates, text_duplicates(item.BeforeSet()));
          v.before = item.before;
          STRATA_TRY(Record(conn, im.schema, run_id_, "before", item.before, nullptr));
        }
      }
    }
    if (!after) {
      v.explained = false;
      v.problem =
          fmt::format("its values could not be read after the run: {}", after.status().message());
      Digest gone = item.before;
      gone.rows = gone.nulls = gone.duplicates = gone.format_violations = 0;
      gone.digest.clear();
      (void)Record(conn, im.schema, run_id_, "after", gone, &v);
      unexplained.push_back(fmt::format("identifier `{}` ({}): {}", c.name, c.Target(), v.problem));
      verdicts_.push_back(std::move(v));
      continue;
    }
    v.after = *after;
    std::string explanation;  // of an explained difference, recorded in the verdict
    if (item.absent_before) {
      v.appeared = after->rows - after->nulls;  // a new table's rows are all new
    } else if (!item.before.Same(*after)) {
      const std::string now_set = fmt::format("SELECT {} AS id FROM {} WHERE NOT ({})",
                                              IdText(c, conn.dialect()), TableRef(c), AnyNull(c));
      const std::string before_set = item.BeforeSet();
      // The multiset difference (EXCEPT ALL, which SQLite lacks): each id with how many more
      // rows hold it in `from` than in `minus`, so a row repeating an id that came or went
      // counts, and is named, as that id appearing or vanishing.
      auto diff = [](const std::string& from, const std::string& minus) {
        return fmt::format(
            "SELECT a.id, a.n - coalesce(b.n, 0) AS k FROM (SELECT id, count(*) AS n FROM ({}) f "
            "GROUP BY id) a LEFT JOIN (SELECT id, count(*) AS n FROM ({}) m GROUP BY id) b ON "
            "b.id = a.id WHERE a.n > coalesce(b.n, 0)",
            from, minus);
      };
      auto count_of = [&](const std::string& diff_sql) -> Result<std::int64_t> {
        STRATA_ASSIGN_OR_RETURN(auto r,
                                conn.Query("SELECT coalesce(sum(k), 0) FROM (" + diff_sql + ") x"));
        return std::stoll(r.rows.at(0).at(0).value_or("0"));
      };
      auto sample_of = [&](const std::string& diff_sql) -> Result<std::vector<std::string>> {
        STRATA_ASSIGN_OR_RETURN(
            auto r, conn.Query(fmt::format("SELECT id FROM ({}) x ORDER BY 1 LIMIT {}", diff_sql,
                                           kSample)));
        std::vector<std::string> out;
        for (auto& row : r.rows) out.push_back(row.at(0).value_or(""));
        return out;
      };
      const std::string appeared_sql = diff(now_set, before_set);
      const std::string vanished_sql = diff(before_set, now_set);
      STRATA_ASSIGN_OR_RETURN(v.appeared, count_of(appeared_sql));
      STRATA_ASSIGN_OR_RETURN(v.vanished, count_of(vanished_sql));
      STRATA_ASSIGN_OR_RETURN(v.appeared_sample, sample_of(appeared_sql));
      STRATA_ASSIGN_OR_RETURN(v.vanished_sample, sample_of(vanished_sql));
      std::vector<std::string> why;
      const bool rose = after->nulls > item.before.nulls ||
                        after->duplicates > item.before.duplicates ||
                        after->format_violations > item.before.format_violations;
      if (v.appeared > 0 && !item.expect.may_insert && im.timing == BeforeTiming::kBesideRun &&
          (v.vanished == 0 || item.expect.only_deletes) && !rose) {
        // A run beside the application that only updates rows makes no id appear without
        // another vanishing (the difference is a multiset's), and one that only deletes rows
        // makes none appear at all: ids that appeared while none vanished (or beside a delete
        // job's deletes, judged on their own below), and no NULL, duplicate or format violation
        // more, are rows other sessions inserted while it ran (a table that takes inserts all
        // day).
        explanation = fmt::format("{} inserted by other sessions while the run ran", v.appeared);
      } else if (v.appeared > 0 && !item.expect.may_insert) {
        why.push_back(fmt::format("{} appeared that the run declared no insert for (e.g. {})",
                                  v.appeared, SampleText(v.appeared_sample)));
      }
      // An update-only run beside the application makes an id vanish only with another
      // appearing or a NULL more: ids that vanished alone, where the contract allows deletes,
      // are rows other sessions deleted while it ran (an outbox whose consumer deletes).
      const bool others_deleted = v.vanished > 0 && v.appeared == 0 && item.expect.only_updates &&
                                  im.timing == BeforeTiming::kBesideRun && c.MayDelete() && !rose;
      if (others_deleted && !(item.expect.may_delete && c.MayDelete())) {
        explanation = fmt::format("{} deleted by other sessions while the run ran", v.vanished);
      } else if (v.vanished > 0 && !(item.expect.may_delete && c.MayDelete())) {
        why.push_back(fmt::format(
            "{} vanished{} (e.g. {})", v.vanished,
            c.MayDelete() ? " that the run declared no delete for"
                          : fmt::format(" though its rows may never be deleted (deletes = {})",
                                        DeletesName(c.deletes)),
            SampleText(v.vanished_sample)));
      }
      if (after->nulls > item.before.nulls) {
        why.push_back(fmt::format("NULLs rose from {} to {}", item.before.nulls, after->nulls));
      }
      if (after->duplicates > item.before.duplicates) {
        why.push_back(fmt::format("duplicates rose from {} to {}", item.before.duplicates,
                                  after->duplicates));
      }
      if (after->format_violations > item.before.format_violations) {
        why.push_back(fmt::format("values outside its format ({}) rose from {} to {}",
                                  Describe(c.format), item.before.format_violations,
                                  after->format_violations));
      }
      if (why.empty() && v.appeared == 0 && v.vanished == 0 && after->rows != item.before.rows) {
        // The same ids, as many times each (the difference counts multiplicities): rows whose
        // identifier is NULL came or went.
        why.push_back(fmt::format("rows went from {} to {} with the same ids", item.before.rows,
                                  after->rows));
      }
      if (!why.empty()) {
        v.explained = false;
        v.problem =
            fmt::format("{} (rows {} → {})", fmt::join(why, "; "), item.before.rows, after->rows);
        unexplained.push_back(
            fmt::format("identifier `{}` ({}, held by {}): {}", c.name, c.Target(),
                        c.consumers.empty() ? std::string("its consumers")
                                            : fmt::format("{}", fmt::join(c.consumers, ", ")),
                        v.problem));
      }
    }
    // The before set is left to go with the connection (a DROP would wait for its commit).
    STRATA_TRY(Record(conn, im.schema, run_id_, "after", *after, &v, explanation));
    verdicts_.push_back(std::move(v));
  }
  Status verdict = Status::Ok();
  if (!unexplained.empty()) {
    verdict = Status(ErrorCode::kCheckFailed,
                     fmt::format("identifiers changed in a way the run does not explain: {}",
                                 fmt::join(unexplained, "; ")))
                  .WithHint(fmt::format(
                      "the digests before and after are in the evidence ledger (run {}); an id "
                      "must change only through a mapping, never in place",
                      run_id_));
  }
  if (im.recorder) {
    (void)im.recorder->Finish(!run_status.ok() ? run_status : verdict);
  }
  return verdict;
}

Result<std::unique_ptr<Guard>> GuardSql(const Options& options,
                                        const std::vector<std::string_view>& files,
                                        std::string run_id, std::string verb) {
  STRATA_ASSIGN_OR_RETURN(Contracts contracts, Contracts::ForProject(options));
  if (contracts.empty()) return std::unique_ptr<Guard>();
  return Guard::Begin(options, contracts, TouchedBySql(contracts, files), std::move(run_id),
                      std::move(verb));
}

namespace {

Result<std::unique_ptr<Guard>> GuardOn(const Options& options,
                                       const std::vector<std::string>& tables, Expectation e,
                                       std::string run_id, std::string verb, BeforeTiming timing) {
  STRATA_ASSIGN_OR_RETURN(Contracts contracts, Contracts::ForProject(options));
  if (contracts.empty()) return std::unique_ptr<Guard>();
  Touched touched;
  for (const auto& t : tables) touched.merge(TouchedTable(contracts, t, e));
  return Guard::Begin(options, contracts, touched, std::move(run_id), std::move(verb), timing);
}

}  // namespace

Result<std::unique_ptr<Guard>> GuardTable(const Options& options, std::string_view table,
                                          Expectation e, std::string run_id, std::string verb) {
  return GuardOn(options, {std::string(table)}, e, std::move(run_id), std::move(verb),
                 BeforeTiming::kBesideRun);
}

Result<std::unique_ptr<Guard>> GuardTables(const Options& options,
                                           const std::vector<std::string>& tables, Expectation e,
                                           std::string run_id, std::string verb) {
  return GuardOn(options, tables, e, std::move(run_id), std::move(verb), BeforeTiming::kBeforeRun);
}

Result<std::string> RecordedJson(db::Connection& conn, const std::string& ledger_schema,
                                 const std::string& run_id) {
  STRATA_ASSIGN_OR_RETURN(bool exists, conn.TableExists(ledger_schema, "strata_identifier_digest"));
  nlohmann::json out = nlohmann::json::array();
  if (!exists) return out.dump();
  STRATA_ASSIGN_OR_RETURN(
      auto r, conn.Query(fmt::format("SELECT identifier, phase, target, row_count, null_count, "
                                     "duplicate_count, format_violations, digest, appeared, "
                                     "vanished, sample, verdict FROM {} WHERE run_id = $1 ORDER "
                                     "BY identifier, phase DESC",
                                     DigestTable(ledger_schema)),
                         {run_id}));
  for (const auto& row : r.rows) {
    auto num = [&](size_t i) -> nlohmann::json {
      return row[i] ? nlohmann::json(std::stoll(*row[i])) : nlohmann::json(nullptr);
    };
    nlohmann::json j = {{"identifier", row[0].value_or("")},
                        {"phase", row[1].value_or("")},
                        {"target", row[2].value_or("")},
                        {"rows", num(3)},
                        {"nulls", num(4)},
                        {"duplicates", num(5)},
                        {"format_violations", num(6)},
                        {"digest", row[7].value_or("")}};
    if (row[8]) j["appeared"] = num(8);
    if (row[9]) j["vanished"] = num(9);
    if (row[10]) {
      auto s = nlohmann::json::parse(*row[10], nullptr, false);
      if (!s.is_discarded()) j["sample"] = s;
    }
    if (row[11]) j["verdict"] = *row[11];
    out.push_back(std::move(j));
  }
  return out.dump();
}

}  // namespace strata::identifiers
