// backfill plan: a dry run that changes nothing. Every query that reads runs in a read-only
// scope (verify/read_only.h); the one sample chunk UPDATE (or DELETE), whose fragments
// CheckSchema has accepted, runs inside a transaction that is always rolled back.
#include "base/duration.h"
#include "session/session.h"
#include "verify/read_only.h"

#include <fmt/format.h>

#include "backfill/backfill.h"
#include "backfill/chunk.h"
#include "backfill/common.h"
#include "backfill/schema.h"
#include "backfill/store.h"

namespace strata::backfill {

namespace {

// Whole rows of the given keys, for the before/after sample (by key, not by predicate, so the
// same rows are shown after the change).
std::string SampleSql(const JobSpec& job, const std::vector<db::Row>& keys,
                      std::vector<db::Value>& params) {
  std::string alias = TableAlias(job);
  std::string cond;
  for (const auto& k : keys) {
    if (!cond.empty()) cond += " OR ";
    cond += "(";
    for (size_t i = 0; i < job.key.size(); ++i) {
      params.push_back(k[i]);
      if (i) cond += " AND ";
      cond += fmt::format("{}.{} = ${}", alias, job.key[i], params.size());
    }
    cond += ")";
  }
  std::string order;
  for (size_t i = 0; i < job.key.size(); ++i) {
    order += (i ? ", " : "") + fmt::format("{}.{}", alias, job.key[i]);
  }
  return fmt::format("SELECT {}.* FROM {} WHERE {} ORDER BY {}", alias, job.table, cond, order);
}

}  // namespace

PlanResult Plan(const Options& options, const PlanRequest& request) {
  PlanResult res;
  res.status = [&]() -> Status {
    STRATA_ASSIGN_OR_RETURN(auto settings, LoadSettings(options));
    STRATA_ASSIGN_OR_RETURN(auto path, ResolveJobPath(options, settings, request.job));
    STRATA_ASSIGN_OR_RETURN(auto spec, LoadJob(path));
    res.job = spec.name;
    res.job_file = spec.path;
    res.table = spec.table;
    res.kind = KindName(spec.kind);
    STRATA_ASSIGN_OR_RETURN(auto session, session::Open(options, "backfill plan"));
    res.target = session.url.redacted;
    db::Connection& conn = *session.conn;
    bool pg = conn.dialect() == db::Dialect::kPostgres;
    STRATA_TRY(CheckSchema(conn, spec));
    Store store(conn);
    STRATA_ASSIGN_OR_RETURN(bool have_state, store.Exists());
    ChunkBounds b;
    if (have_state) {
      STRATA_ASSIGN_OR_RETURN(auto latest, store.Latest(spec.name));
      if (latest) {
        res.existing_status = fmt::format("run {} is {} after {} row(s)", latest->run_no,
                                          latest->status, latest->processed);
        if (latest->checksum != spec.checksum) {
          res.warnings.push_back(
              fmt::format("{} changed since run {} started; `run` will need --restart", spec.path,
                          latest->run_no));
        }
      }
    }
    if (!spec.partition_by.empty()) {
      STRATA_ASSIGN_OR_RETURN(auto parts,
                              verify::QueryReadOnly(conn, DistinctPartitions(spec) + " LIMIT 1"));
      if (!parts.rows.empty()) {
        b.has_partition = true;
        b.partition = parts.rows[0][0];
      }
    }
    {
      auto cnt = CountCandidates(spec, ChunkBounds{});
      STRATA_ASSIGN_OR_RETURN(auto r, verify::QueryReadOnly(conn, cnt.sql, cnt.params));
      res.candidates = r.rows.empty() ? 0 : ToInt(r.rows[0][0]);
    }
    res.chunk_size = spec.chunk_size;
    auto sel = SelectKeys(spec, b, spec.chunk_size);
    res.select_sql = Inline(sel);
    if (!pg && spec.max_replica_lag.count() > 0) {
      res.warnings.push_back("throttle.max_replica_lag is ignored on SQLite (no replicas)");
    }
    // Everything below runs in a transaction that is rolled back.
    STRATA_TRY(conn.Exec("BEGIN"));
    auto rollback = [&] { (void)conn.Exec("ROLLBACK"); };
    Status st = [&]() -> Status {
      if (pg) {
        STRATA_TRY(
            conn.Exec(fmt::format("SET LOCAL lock_timeout = {}", spec.lock_timeout.count())));
        STRATA_TRY(conn.Exec(
            fmt::format("SET LOCAL statement_timeout = {}", spec.statement_timeout.count())));
      }
      auto t0 = base::MonotonicMillis();
      // The reads before the sample chunk: read-only (a savepoint inside this transaction).
      STRATA_ASSIGN_OR_RETURN(auto read_only, verify::ReadOnlyScope::Begin(conn));
      STRATA_ASSIGN_OR_RETURN(auto keys, conn.Query(sel.sql, sel.params));
      if (keys.rows.empty()) {
        res.chunk_sql = "-- no candidates: nothing to do";
        return Status::Ok();
      }
      b.upper = keys.rows.back();
      auto upd = ChangeRange(spec, b);
      res.chunk_sql = Inline(upd);
      std::vector<db::Value> sp;
      std::vector<db::Row> sample_keys(
          keys.rows.begin(),
          keys.rows.begin() + std::min<size_t>(keys.rows.size(), static_cast<size_t>(std::max(
                                                                     request.sample_rows, 1))));
      std::string sample_sql = SampleSql(spec, sample_keys, sp);
      STRATA_ASSIGN_OR_RETURN(auto before, conn.Query(sample_sql, sp));
      // EXPLAIN of the chunk's UPDATE (not executed by EXPLAIN itself).
      auto ex = conn.Query((pg ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + upd.sql, upd.params);
      if (ex.ok()) {
        for (const auto& row : ex->rows) {
          std::string line;
          for (const auto& v : row) {
            if (!line.empty()) line += " | ";
            line += Text(v);
          }
          if (!pg && row.size() >= 4) line = Text(row[3]);
          res.explain.push_back(line);
        }
      } else {
        res.warnings.push_back("EXPLAIN failed: " + ex.error().message());
      }
      STRATA_TRY(read_only.End());
      auto r = conn.Query(upd.sql, upd.params);
      if (!r.ok()) {
        return Status(r.error().code(),
                      fmt::format("the sample chunk fails: {}", r.error().message()))
            .WithSqlState(r.error().sqlstate())
            .WithSpan({spec.path, 0, 0})
            .WithHint(
                "fix `set`, `where`, `from` or `join` in the job file; a failing row would "
                "be quarantined by `run`, a failing statement stops it");
      }
      res.sample_chunk_rows = std::max<std::int64_t>(r->rows_affected, 0);
      res.sample_chunk_ms = base::MonotonicMillis() - t0;
      STRATA_ASSIGN_OR_RETURN(auto after, conn.Query(sample_sql, sp));
      // The key columns of a row, by name, as text: pairs a row before with itself after (a
      // delete job's sample chunk deleted some or all of them).
      auto key_of = [&](const db::QueryResult& r, size_t i) {
        std::vector<std::string> key;
        for (const auto& k : spec.key) {
          for (size_t c = 0; c < r.columns.size(); ++c) {
            if (r.columns[c] == k) key.push_back(Text(r.rows[i][c]));
          }
        }
        return key;
      };
      auto show = [](const db::Value& v) { return v ? *v : std::string("NULL"); };
      for (size_t i = 0; i < before.rows.size(); ++i) {
        SampleRow s;
        s.key = key_of(before, i);
        for (size_t c = 0; c < before.columns.size(); ++c) {
          s.before.emplace_back(before.columns[c], show(before.rows[i][c]));
        }
        s.deleted = true;
        for (size_t a = 0; a < after.rows.size(); ++a) {
          if (key_of(after, a) != s.key) continue;
          s.deleted = false;
          for (size_t c = 0; c < after.columns.size(); ++c) {
            s.after.emplace_back(after.columns[c], show(after.rows[a][c]));
          }
          break;
        }
        res.sample.push_back(std::move(s));
      }
      return Status::Ok();
    }();
    rollback();
    STRATA_TRY(st);
    res.estimated_chunks =
        (res.candidates + spec.chunk_size - 1) / std::max<std::int64_t>(spec.chunk_size, 1);
    std::int64_t per_chunk =
        spec.target_duration.count() > 0 ? spec.target_duration.count() : res.sample_chunk_ms;
    if (res.sample_chunk_rows > 0 && spec.target_duration.count() == 0) {
      res.estimated_ms = res.sample_chunk_ms * res.candidates / res.sample_chunk_rows;
    } else {
      res.estimated_ms = per_chunk * res.estimated_chunks;
    }
    // Workers run that many chunks at a time (the runner's Workers()): a rate-limited job and
    // SQLite one. As many free CPUs on the server are assumed.
    res.workers = pg && spec.max_rows_per_second <= 0 ? std::max(spec.workers, 1) : 1;
    res.estimated_ms = (res.estimated_ms + res.workers - 1) / res.workers;
    if (spec.max_rows_per_second > 0) {
      auto floor = static_cast<std::int64_t>(static_cast<double>(res.candidates) * 1000.0 /
                                             spec.max_rows_per_second);
      res.estimated_ms = std::max(res.estimated_ms, floor);
    }
    return Status::Ok();
  }();
  return res;
}

}  // namespace strata::backfill
