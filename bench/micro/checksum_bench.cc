// Checksums: SHA-256 (OpenSSL EVP) and the text normalisation that precedes it, per file.
#include "base/sha256.h"
#include "base/text.h"

#include <benchmark/benchmark.h>

#include <string>

#include "corpus.h"

namespace {

using strata::bench::SqlOfSize;

void BM_Sha256Hex(benchmark::State& state) {
  std::string text = SqlOfSize(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(strata::base::Sha256Hex(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_Sha256Hex)->Arg(184)->Arg(4 << 10)->Arg(1 << 20);

void BM_NormalizeText_Lf(benchmark::State& state) {
  std::string text = SqlOfSize(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(strata::base::NormalizeText(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_NormalizeText_Lf)->Arg(184)->Arg(4 << 10)->Arg(1 << 20);

void BM_NormalizeText_CrlfBom(benchmark::State& state) {
  std::string lf = SqlOfSize(static_cast<size_t>(state.range(0)));
  std::string text = "\xEF\xBB\xBF";
  for (char c : lf) {
    if (c == '\n') text += '\r';
    text += c;
  }
  for (auto _ : state) benchmark::DoNotOptimize(strata::base::NormalizeText(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_NormalizeText_CrlfBom)->Arg(4 << 10)->Arg(1 << 20);

void BM_FindInvalidUtf8(benchmark::State& state) {
  std::string text = SqlOfSize(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(strata::base::FindInvalidUtf8(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_FindInvalidUtf8)->Arg(4 << 10)->Arg(1 << 20);

// What one file costs at discovery: validate, normalise, hash.
void BM_FileChecksum(benchmark::State& state) {
  std::string text = SqlOfSize(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(strata::base::FindInvalidUtf8(text));
    benchmark::DoNotOptimize(strata::base::Sha256Hex(strata::base::NormalizeText(text)));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_FileChecksum)->Arg(184)->Arg(4 << 10);

}  // namespace
