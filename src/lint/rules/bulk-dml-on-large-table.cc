// DM105 bulk-dml-on-large-table: an UPDATE or DELETE that touches more than [lint] large_rows
// rows of a live table runs as one transaction of the migration; a volume that size belongs in
// a backfill job. Live only: the table's row estimate (pg_class.reltuples) for a statement
// without WHERE, the planner's estimate (EXPLAIN, not executed) for one with a WHERE. The doc is
// bulk-dml-on-large-table.md; cases are in bulk-dml-on-large-table.test.
#include "lint/rules/helpers.h"

namespace strata::lint {

namespace {

std::string Thousands(std::int64_t n) {
  std::string s = std::to_string(n < 0 ? 0 : n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

}  // namespace

void CheckBulkDmlOnLargeTable(Context& ctx) {
  using namespace rules;  // NOLINT
  if (!ctx.live()) return;
  const std::int64_t large = ctx.config().large_rows;
  // `planned`: the whole statement may be given to the planner (not one inside a DO block).
  auto check = [&](const analysis::Facts& f, bool planned) {
    if (f.kind != StatementKind::kUpdate && f.kind != StatementKind::kDelete) return;
    if (f.target.empty() || f.target_is_new) return;
    const TableStats* ts = ctx.Stats(f.target);
    if (!ts || ts->rows < large) return;  // not in the live catalog, empty or small
    std::int64_t rows = ts->rows;
    std::string_view source = "the table's row estimate";
    if (!f.unbounded_dml) {
      if (!planned || !ctx.live()->estimate_rows) return;
      auto est = ctx.live()->estimate_rows(ctx.stmt()->text());
      if (!est || *est < large) return;  // a selective WHERE, or not plannable here
      rows = *est;
      source = "the planner's estimate for its WHERE";
    }
    std::string_view verb = f.kind == StatementKind::kUpdate ? "UPDATE" : "DELETE";
    ctx.Report(
        fmt::format("{} of `{}` touches ~{} rows ({}; [lint] large_rows = {}) in one transaction "
                    "of the migration: row locks on all of them, and the WAL and replica lag of "
                    "the whole volume at once{}",
                    verb, f.target.Display(), Thousands(rows), source, Thousands(large),
                    planned ? "" : " (inside a DO block)"),
        fmt::format("move the data change to a backfill job (db/backfill/<job>.toml; `strata "
                    "backfill plan <job>`, then `strata backfill run <job>`: keyset chunks, "
                    "throttled, resumable) and keep the migration to the schema change"));
  };
  check(ctx.facts(), true);
  for (const auto& e : ctx.stmt()->embedded) check(e, false);
}

}  // namespace strata::lint
