// Real migration histories (../shared/corpora: ory-kratos, kestra, temporal, synapse) laid out
// in strata naming in the verified order of their APPLY-ORDER*.txt files (NO-TX files get
// `-- strata:transaction off`), applied with `strata migrate` to a fresh database, then checked
// with `strata info --json` (every file applied) and `strata validate`.
#include "support/pg_cluster.h"
#include "support/run.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

const std::string kCorpora = std::string(STRATA_SOURCE_DIR) + "/../shared/corpora";

struct Laid {
  int files = 0;
  int no_tx = 0;
};

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Copies the files listed in `order` (relative to the corpus folder) into dir/db/migration as
// V0001__<name>.sql, V0002__..., in order.
Laid LayOut(const std::string& corpus, const std::string& order, const TempDir& dir) {
  Laid laid;
  std::ifstream in(fs::path(kCorpora) / corpus / order);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::string path = line.substr(0, line.find('\t'));
    std::string flags = line.find('\t') == std::string::npos ? "" : line.substr(line.find('\t'));
    std::string content = Slurp(fs::path(kCorpora) / corpus / path);
    if (flags.find("NO-TX") != std::string::npos) {
      content = "-- strata:transaction off\n" + content;
      ++laid.no_tx;
    }
    std::string base = fs::path(path).filename().string();
    for (char& c : base) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    ++laid.files;
    char version[16];
    std::snprintf(version, sizeof(version), "V%04d", laid.files);
    dir.Write("db/migration/" + std::string(version) + "__" + base + ".sql", content);
  }
  return laid;
}

void ApplyAndCheck(const std::string& corpus, const std::string& order, const std::string& url) {
  if (!fs::exists(fs::path(kCorpora) / corpus)) {
    GTEST_SKIP() << "corpus " << corpus << " not found at " << kCorpora;
  }
  TempDir dir;
  Laid laid = LayOut(corpus, order, dir);
  ASSERT_GT(laid.files, 0);
  dir.Write("strata.toml", "url = \"" + url + "\"\n[migrate]\nlock_timeout = \"30s\"\n");
  auto hash = RunStrata({"hash"}, dir.path());
  ASSERT_EQ(hash.exit_code, 0) << hash.All();
  auto m = RunStrata({"migrate"}, dir.path());
  ASSERT_EQ(m.exit_code, 0) << corpus << "/" << order << ":\n" << m.All();
  auto info = RunStrata({"--json", "info"}, dir.path());
  ASSERT_EQ(info.exit_code, 0) << info.All();
  auto j = nlohmann::json::parse(info.out);
  ASSERT_EQ(j["migrations"].size(), static_cast<size_t>(laid.files));
  for (const auto& mig : j["migrations"]) {
    EXPECT_EQ(mig["state"], "applied") << mig["script"];
  }
  auto v = RunStrata({"validate"}, dir.path());
  EXPECT_EQ(v.exit_code, 0) << v.All();
  std::printf("[corpus] %s %s: %d files applied (%d without a transaction)\n", corpus.c_str(),
              order.c_str(), laid.files, laid.no_tx);
}

class PgCorpus : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(PgCorpus, AppliesInVerifiedOrder) {
  STRATA_REQUIRE_POSTGRES();
  std::string url = PgCluster::Get().CreateDatabase("corpus");
  // Extensions the histories need (contrib), created by the harness as the verified runs did.
  PgCluster::Query(url, "CREATE EXTENSION IF NOT EXISTS btree_gin");
  PgCluster::Query(url, "CREATE EXTENSION IF NOT EXISTS pg_trgm");
  ApplyAndCheck(GetParam().first, GetParam().second, url);
}

INSTANTIATE_TEST_SUITE_P(
    Histories, PgCorpus,
    ::testing::Values(std::make_pair("ory-kratos", "APPLY-ORDER.txt"),
                      std::make_pair("kestra", "APPLY-ORDER.txt"),
                      std::make_pair("temporal", "APPLY-ORDER-temporal-db.txt"),
                      std::make_pair("temporal", "APPLY-ORDER-visibility-db.txt"),
                      std::make_pair("synapse", "APPLY-ORDER.txt")),
    [](const auto& info) {
      std::string n = info.param.first + "_" + info.param.second;
      for (char& c : n) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return n;
    });

// `strata test` from scratch on each history (issue 20): every migration applied on a scratch
// database of the shared cluster, each transactional statement observed (locks, rewrites) and
// compared with the analyzer. Passing means the history applies, checks and verifies; the
// disagreements are printed (docs/lint-observed-locks.md explains each).
class PgCorpusTest : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(PgCorpusTest, StrataTestFromScratchPasses) {
  STRATA_REQUIRE_POSTGRES();
  const auto& [corpus, order] = GetParam();
  if (!fs::exists(fs::path(kCorpora) / corpus)) {
    GTEST_SKIP() << "corpus " << corpus << " not found at " << kCorpora;
  }
  TempDir dir;
  Laid laid = LayOut(corpus, order, dir);
  ASSERT_GT(laid.files, 0);
  // The contrib extensions the histories assume (the verified runs created them beforehand).
  dir.Write("db/migration/V0000__extensions.sql",
            "CREATE EXTENSION IF NOT EXISTS btree_gin;\nCREATE EXTENSION IF NOT EXISTS pg_trgm;\n");
  // The live database is never touched by `strata test`: any URL of the right dialect.
  dir.Write("strata.toml",
            "url = \"" + PgCluster::Get().AdminUrl() + "\"\n[migrate]\nlock_timeout = \"30s\"\n");
  ASSERT_EQ(RunStrata({"hash"}, dir.path()).exit_code, 0);
  auto t = RunStrata({"--json", "test", "--scratch", PgCluster::Get().AdminUrl(), "--trace",
                      dir.path() + "/trace.json"},
                     dir.path());
  ASSERT_EQ(t.exit_code, 0) << corpus << "/" << order << ":\n" << t.All();
  auto j = nlohmann::json::parse(t.out);
  EXPECT_EQ(j["migrations"], laid.files + 1) << j["steps"].dump(1);
  const auto& ol = j["observed_locks"];
  EXPECT_GT(ol["statements"].get<int>(), laid.files / 2) << ol.dump(1);
  auto trace = nlohmann::json::parse(Slurp(fs::path(dir.path()) / "trace.json"));
  EXPECT_EQ(trace["format"], "strata-trace/1");
  std::printf("[corpus-test] %s %s: %d files, %d statements observed, %zu disagreement(s), %s ms\n",
              corpus.c_str(), order.c_str(), laid.files, ol["statements"].get<int>(),
              ol["findings"].size(), j["elapsed_ms"].dump().c_str());
  for (const auto& f : ol["findings"]) {
    std::printf("[corpus-test]   %s:%d #%d %s %s: predicted %s, observed %s\n",
                fs::path(f["file"].get<std::string>()).filename().c_str(), f["line"].get<int>(),
                f["statement"].get<int>(), f["what"].get<std::string>().c_str(),
                f["relation"].get<std::string>().c_str(), f["predicted"].get<std::string>().c_str(),
                f["observed"].get<std::string>().c_str());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Histories, PgCorpusTest,
    ::testing::Values(std::make_pair("ory-kratos", "APPLY-ORDER.txt"),
                      std::make_pair("kestra", "APPLY-ORDER.txt"),
                      std::make_pair("temporal", "APPLY-ORDER-temporal-db.txt"),
                      std::make_pair("temporal", "APPLY-ORDER-visibility-db.txt"),
                      std::make_pair("synapse", "APPLY-ORDER.txt"),
                      std::make_pair("crates-io", "APPLY-ORDER.txt")),
    [](const auto& info) {
      std::string n = info.param.first + "_" + info.param.second;
      for (char& c : n) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return n;
    });

TEST(SqliteCorpus, KratosAppliesInVerifiedOrder) {
  TempDir db;
  ApplyAndCheck("ory-kratos", "APPLY-ORDER-sqlite.txt", "sqlite:" + db.path() + "/kratos.db");
}

}  // namespace
}  // namespace strata::testing
