// The real migration histories in ../shared/corpora (ory-kratos, kestra, temporal, synapse):
// lint never crashes, every file of the verified PostgreSQL apply sets parses (PostgreSQL 15
// applied them all), and the synapse 12-72 history is analysed too. Findings per rule are
// printed for docs/lint-corpus-review.md.
#include "base/text.h"
#include "lint/cases.h"
#include "lint/linter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace strata::lint {
namespace {

const std::string kCorpora = std::string(STRATA_SOURCE_DIR) + "/../shared/corpora/";

std::vector<LintInput> FromApplyOrder(const std::string& corpus, const std::string& list) {
  std::vector<LintInput> out;
  std::ifstream in(kCorpora + corpus + "/" + list);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::string path = line.substr(0, line.find('\t'));
    bool no_tx =
        line.find("NO-TX") != std::string::npos || line.find("AUTOCOMMIT") != std::string::npos;
    std::string text = base::NormalizeText(testing::ReadFile(kCorpora + corpus + "/" + path));
    if (no_tx) text = "-- strata:transaction off\n" + text;
    // Diesel (crates-io) names every file up.sql: the folder names the migration.
    std::filesystem::path rel(path);
    std::string script = rel.filename() == "up.sql" ? rel.parent_path().filename().string() + ".sql"
                                                    : rel.filename().string();
    out.push_back({corpus + "/" + path, script, std::move(text), true, false, ""});
  }
  return out;
}

void Summarise(const std::string& name, const LintResult& r) {
  std::map<std::string, int> by_rule;
  for (const auto& f : r.findings) by_rule[f.rule_id + " " + f.rule_name]++;
  std::cout << name << ": " << r.migrations.size() << " files, " << r.statements << " statements, "
            << r.findings.size() << " findings\n";
  for (const auto& [k, n] : by_rule) std::cout << "  " << k << ": " << n << "\n";
}

struct Corpus {
  std::string name;
  std::string list;
  // Reviewed error-level findings ("file RULE", docs/lint-corpus-review.md): the whole history
  // as one pending set (an empty database), and its last 20 files pending after the others.
  std::multiset<std::string> empty_db = {};
  std::multiset<std::string> last_20 = {};
};

std::multiset<std::string> Errors(const LintResult& r) {
  std::multiset<std::string> out;
  for (const auto& f : r.findings) {
    if (f.suppressed || f.severity < Severity::kError) continue;
    out.insert(f.file + " " + f.rule_id);
  }
  return out;
}

std::string Dump(const std::multiset<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += "  " + x + "\n";
  return out;
}

class CorpusTest : public ::testing::TestWithParam<Corpus> {};

TEST_P(CorpusTest, ApplySetParsesAndLints) {
  // The corpora live beside the checkout (../shared/corpora); a clone elsewhere has none.
  if (!std::filesystem::exists(kCorpora)) GTEST_SKIP() << "corpora not found at " << kCorpora;
  auto inputs = FromApplyOrder(GetParam().name, GetParam().list);
  ASSERT_FALSE(inputs.empty());
  LintConfig config;
  LintResult r = Lint(inputs, config);
  EXPECT_EQ(r.migrations.size(), inputs.size());
  EXPECT_GT(r.statements, inputs.size());
  for (const auto& f : r.findings) {
    EXPECT_NE(f.rule_id, "SY101") << f.file << ":" << f.line << ": " << f.message;
  }
  Summarise(GetParam().name + "/" + GetParam().list, r);
  // The apply-time gate on an empty database sees exactly this pending set.
  EXPECT_EQ(Errors(r), GetParam().empty_db) << Dump(Errors(r));

  // The last 20 files pending, every earlier one applied (what `lint --url` and the gate see on
  // a database that holds the rest of the history).
  {
    auto tail = inputs;
    size_t n = std::min<size_t>(20, tail.size() - 1);
    for (size_t i = 0; i + n < tail.size(); ++i) tail[i].pending = false;
    LintResult lr = Lint(tail, LintConfig{});
    Summarise(GetParam().name + "/" + GetParam().list + " (last 20 pending)", lr);
    EXPECT_EQ(Errors(lr), GetParam().last_20) << Dump(Errors(lr));
  }
  // Review mode: each file as the next migration to ship, every earlier one applied.
  config.new_means_same_file = true;
  LintResult review = Lint(inputs, config);
  EXPECT_EQ(review.migrations.size(), inputs.size());
  Summarise(GetParam().name + "/" + GetParam().list + " (each file as the only pending one)",
            review);
}

INSTANTIATE_TEST_SUITE_P(Corpora, CorpusTest,
                         ::testing::Values(Corpus{"ory-kratos", "APPLY-ORDER.txt"},
                                           Corpus{"kestra", "APPLY-ORDER.txt"},
                                           Corpus{"temporal", "APPLY-ORDER-temporal-db.txt"},
                                           Corpus{"temporal", "APPLY-ORDER-visibility-db.txt"},
                                           Corpus{"synapse", "APPLY-ORDER.txt"},
                                           Corpus{"crates-io", "APPLY-ORDER.txt"}),
                         [](const auto& info) {
                           std::string n = info.param.name + "_" + info.param.list;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(Corpora, SynapseHistoryNeverCrashes) {
  // The corpora live beside the checkout (../shared/corpora); a clone elsewhere has none.
  if (!std::filesystem::exists(kCorpora)) GTEST_SKIP() << "corpora not found at " << kCorpora;
  std::vector<LintInput> inputs;
  std::string root = kCorpora + "synapse/synapse/storage/schema";
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    std::string p = e.path().string();
    if (!e.is_regular_file()) continue;
    bool pg = p.size() > 4 && (p.compare(p.size() - 4, 4, ".sql") == 0 ||
                               p.find(".sql.postgres") != std::string::npos);
    if (!pg) continue;
    inputs.push_back({p.substr(kCorpora.size()), e.path().filename().string(),
                      base::NormalizeText(testing::ReadFile(p)), true, false, ""});
  }
  std::sort(inputs.begin(), inputs.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  ASSERT_GT(inputs.size(), 250u);
  LintResult r = Lint(inputs, LintConfig{});
  EXPECT_EQ(r.migrations.size(), inputs.size());
  Summarise("synapse history", r);
}

}  // namespace
}  // namespace strata::lint
