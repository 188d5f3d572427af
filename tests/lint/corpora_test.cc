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

void Summarise(const std::string& name, const LintResult& r, bool errors = true) {
  std::map<std::string, int> by_rule;
  for (const auto& f : r.findings) by_rule[f.rule_id + " " + f.rule_name]++;
  std::cout << name << ": " << r.migrations.size() << " files, " << r.statements << " statements, "
            << r.findings.size() << " findings\n";
  for (const auto& [k, n] : by_rule) std::cout << "  " << k << ": " << n << "\n";
  for (const auto& f : r.findings) {
    if (!errors || f.suppressed || f.severity < Severity::kError) continue;
    std::cout << "    error " << f.file << ":" << f.line << " " << f.rule_id << " " << f.message
              << "\n";
  }
}

// The reviewed error-level findings of the last 20 files of each history, pending on a database
// holding every earlier file (docs/lint-corpus-review.md says why each is right): file, rule,
// how many.
struct Expected {
  const char* file;
  const char* rule;
  int count;
};

const Expected kCratesIoLast20[] = {
    {"crates-io/migrations/2026-05-27-130000-0000_drop_semver_ord/up.sql", "BC104", 1},
    {"crates-io/migrations/2026-06-17-112535-0000_drop_versions_checksum/up.sql", "BC104", 1},
    {"crates-io/migrations/2026-06-18-084149-0000_drop_users_gh_avatar/up.sql", "BC104", 1},
    {"crates-io/migrations/2026-07-15-182934-0000_drop_users_gh_encrypted_token/up.sql", "BC104",
     1},
};
const Expected kKestraLast20[] = {
    {"kestra/jdbc-postgres/src/main/resources/migrations/postgres/V1_10__multitenant_indices.sql",
     "LK101", 16},
    {"kestra/jdbc-postgres/src/main/resources/migrations/postgres/V1_12__execution_triggerid.sql",
     "CL101", 1},
    {"kestra/jdbc-postgres/src/main/resources/migrations/postgres/V1_12__execution_triggerid.sql",
     "LK101", 1},
    {"kestra/jdbc-postgres/src/main/resources/migrations/postgres/V1_13__log_fulltext.sql", "CL101",
     1},
    {"kestra/jdbc-postgres/src/main/resources/migrations/postgres/V1_14__subflow_executions.sql",
     "BC102", 1},
    {"kestra/jdbc-postgres/src/main/resources/migrations/postgres/"
     "V1_15__trigger_store_next_date.sql",
     "CL101", 1},
    {"kestra/jdbc-postgres/src/main/resources/migrations/postgres/V1_16__log_timestamp_index.sql",
     "LK101", 1},
    {"kestra/jdbc-postgres/src/main/resources/migrations/postgres/V1_20__drop_worker_instance.sql",
     "BC105", 1},
    {"kestra/jdbc-postgres/src/main/resources/migrations/postgres/V1_21__trigger_worker_id.sql",
     "CL101", 1},
};
const Expected kKratosLast20[] = {
    {"ory-kratos/persistence/sql/migrations/sql/"
     "20250505150900000000_code_address_type.autocommit.up.sql",
     "CL104", 2},
    {"ory-kratos/persistence/sql/migrations/sql/"
     "20250708190000000001_identities_external_id_index.up.sql",
     "LK101", 1},
    {"ory-kratos/persistence/sql/migrations/sql/"
     "20251105000000000004_identity_id_not_null_fks.postgres.up.sql",
     "LK101", 2},
};
const Expected kSynapseLast20[] = {
    {"synapse/synapse/storage/schema/main/delta/83/01_drop_old_tables.sql", "BC105", 5},
};
const Expected kTemporalVisibilityLast20[] = {
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.1/index.sql", "LK101", 1},
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.13/combined_v1.10_v1.13.sql", "CL101",
     17},
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.14/"
     "add_external_payload_size_and_count_search_attributes.sql",
     "CL101", 2},
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.2/advanced_visibility.sql", "CL101",
     35},
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.2/advanced_visibility.sql", "LK101",
     42},
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.3/add_build_ids_search_attribute.sql",
     "CL101", 1},
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.3/add_build_ids_search_attribute.sql",
     "LK101", 1},
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.3/add_history_size_bytes.sql", "LK101",
     1},
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.4/add_execution_duration.sql", "LK101",
     1},
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.4/add_parent_workflow_info.sql",
     "LK101", 2},
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.4/add_state_transition_count.sql",
     "LK101", 1},
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.5/add_root_workflow_info.sql", "LK101",
     2},
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.6/fix_root_workflow_info.sql", "LK101",
     2},
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.7/add_pause_info_search_attribute.sql",
     "CL101", 1},
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.7/add_pause_info_search_attribute.sql",
     "LK101", 1},
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.8/"
     "add_deployment_search_attributes.sql",
     "CL101", 3},
    {"temporal/schema/postgresql/v12/visibility/versioned/v1.8/"
     "add_deployment_search_attributes.sql",
     "LK101", 3},
};

template <size_t N>
std::multiset<std::string> Set(const Expected (&list)[N]) {
  std::multiset<std::string> out;
  for (const auto& e : list) {
    for (int i = 0; i < e.count; ++i) out.insert(std::string(e.file) + " " + e.rule);
  }
  return out;
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
  // An empty database: the live catalog holds no table (DROP TABLE IF EXISTS drops nothing).
  LiveInfo empty_db;
  empty_db.server_major = 15;
  LintResult r = Lint(inputs, config, &empty_db);
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
            review, false);
}

INSTANTIATE_TEST_SUITE_P(
    Corpora, CorpusTest,
    ::testing::Values(
        Corpus{"ory-kratos", "APPLY-ORDER.txt", {}, Set(kKratosLast20)},
        Corpus{"kestra", "APPLY-ORDER.txt", {}, Set(kKestraLast20)},
        Corpus{"temporal", "APPLY-ORDER-temporal-db.txt", {}, {}},
        Corpus{"temporal", "APPLY-ORDER-visibility-db.txt", {}, Set(kTemporalVisibilityLast20)},
        Corpus{"synapse", "APPLY-ORDER.txt", {}, Set(kSynapseLast20)},
        Corpus{"crates-io", "APPLY-ORDER.txt", {}, Set(kCratesIoLast20)}),
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
  Summarise("synapse history", r, false);
}

}  // namespace
}  // namespace strata::lint
