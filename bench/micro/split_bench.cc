// Statement splitting per migration (engine::Prepare runs it once per pending file):
// libpg_query's scanner for PostgreSQL, sqlite3_complete for SQLite.
#include "sql/splitter.h"

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "corpus.h"

namespace {

using strata::db::Dialect;

void SplitAll(benchmark::State& state, Dialect dialect) {
  std::vector<std::string> bodies;
  for (int n = 1; n <= 1000; ++n) bodies.push_back(strata::bench::MigrationBody(n));
  for (auto _ : state) {
    for (const auto& b : bodies) {
      auto r = strata::sql::Split(b, dialect, "bench.sql");
      if (!r) state.SkipWithError("split failed");
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(bodies.size()));
}
void BM_Split1000Migrations_Postgres(benchmark::State& state) {
  SplitAll(state, Dialect::kPostgres);
}
void BM_Split1000Migrations_Sqlite(benchmark::State& state) { SplitAll(state, Dialect::kSqlite); }
BENCHMARK(BM_Split1000Migrations_Postgres)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Split1000Migrations_Sqlite)->Unit(benchmark::kMillisecond);

void BM_SplitLargeFile(benchmark::State& state, Dialect dialect) {
  std::string text = strata::bench::SqlOfSize(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto r = strata::sql::Split(text, dialect, "bench.sql");
    if (!r) state.SkipWithError("split failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK_CAPTURE(BM_SplitLargeFile, postgres, Dialect::kPostgres)
    ->Arg(64 << 10)
    ->Arg(1 << 20)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SplitLargeFile, sqlite, Dialect::kSqlite)
    ->Arg(64 << 10)
    ->Arg(1 << 20)
    ->Unit(benchmark::kMillisecond);

}  // namespace
