// Discovery: name parsing, validation, checksums and version ordering of N in-memory files
// (migrate::Resolve) and of N files on disk (migrate::Discover, the no-op run's file side),
// version parsing and comparison, strata.sum rendering.
#include "migrate/discovery.h"
#include "migrate/sumfile.h"
#include "migrate/version.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "corpus.h"

namespace {

using strata::migrate::Version;

void BM_Resolve(benchmark::State& state) {
  const auto files = strata::bench::SourceFiles(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    state.PauseTiming();
    auto copy = files;  // Resolve consumes its input
    state.ResumeTiming();
    auto set = strata::migrate::Resolve(std::move(copy));
    if (!set) state.SkipWithError("Resolve failed");
    benchmark::DoNotOptimize(set);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Resolve)->Arg(200)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

// Discover over a directory of N files written once (page cache warm, as in a repeated run).
void BM_Discover(benchmark::State& state) {
  const auto files = strata::bench::SourceFiles(static_cast<int>(state.range(0)));
  char tmpl[] = "/tmp/strata-discover-bench-XXXXXX";
  if (!mkdtemp(tmpl)) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  std::string dir = tmpl;
  for (const auto& f : files) {
    std::ofstream(dir + "/" + f.script, std::ios::binary) << f.bytes;
  }
  strata::Options options;
  options.locations = {dir};
  for (auto _ : state) {
    auto set = strata::migrate::Discover(options);
    if (!set) state.SkipWithError("Discover failed");
    benchmark::DoNotOptimize(set);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_Discover)->Arg(1000)->Unit(benchmark::kMicrosecond)->UseRealTime();

std::vector<std::string> VersionTexts(int n) {
  std::vector<std::string> v;
  for (int i = 1; i <= n; ++i) {
    switch (i % 4) {
      case 0:
        v.push_back(std::to_string(i));
        break;
      case 1:
        v.push_back(fmt::format("1.{}", i));
        break;
      case 2:
        v.push_back(fmt::format("2026{}_0901", 100000 + i));
        break;
      default:
        v.push_back(fmt::format("000{}.0.1", i));
        break;
    }
  }
  return v;
}

void BM_VersionParse(benchmark::State& state) {
  auto texts = VersionTexts(1000);
  for (auto _ : state) {
    for (const auto& t : texts) benchmark::DoNotOptimize(Version::Parse(t));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(texts.size()));
}
BENCHMARK(BM_VersionParse);

void BM_VersionSort(benchmark::State& state) {
  std::vector<Version> versions;
  for (const auto& t : VersionTexts(static_cast<int>(state.range(0))))
    versions.push_back(*Version::Parse(t));
  std::mt19937 rng(42);
  std::shuffle(versions.begin(), versions.end(), rng);
  for (auto _ : state) {
    state.PauseTiming();
    auto copy = versions;
    state.ResumeTiming();
    std::stable_sort(copy.begin(), copy.end());
    benchmark::DoNotOptimize(copy);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_VersionSort)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

void BM_RenderSum(benchmark::State& state) {
  auto set = strata::migrate::Resolve(strata::bench::SourceFiles(static_cast<int>(state.range(0))));
  std::vector<const strata::migrate::Migration*> ms;
  for (const auto& m : set->migrations) ms.push_back(&m);
  for (auto _ : state) benchmark::DoNotOptimize(strata::migrate::RenderSum(ms));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_RenderSum)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
