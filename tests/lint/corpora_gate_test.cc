// Issue 16: the apply-time gate on real histories (../shared/corpora: kratos, kestra, temporal,
// synapse, crates-io), on a real PostgreSQL. Each history is laid out in strata naming in its
// verified order (APPLY-ORDER*.txt; NO-TX files get `-- strata:transaction off`) and
//  1. the gate (`migrate --dry-run`) judges the whole history against an empty database;
//  2. the history minus its last 20 files is applied (gate off, as an imported history would
//     be), and the gate judges those last 20 against the database holding all the earlier ones.
// Every error-level finding in both was reviewed (docs/lint-corpus-review.md); the expected
// ones are listed here by file and rule, so a new false error, or a lost true one, fails.
#include "support/pg_cluster.h"
#include "support/run.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

const std::string kCorpora = std::string(STRATA_SOURCE_DIR) + "/../shared/corpora";
constexpr int kTail = 20;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Lays the history out as db/migration/V0001__<name>.sql ...; returns the number of files.
int LayOut(const std::string& corpus, const std::string& order, const TempDir& dir) {
  int files = 0;
  std::ifstream in(fs::path(kCorpora) / corpus / order);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::string path = line.substr(0, line.find('\t'));
    std::string flags = line.find('\t') == std::string::npos ? "" : line.substr(line.find('\t'));
    std::string content = Slurp(fs::path(kCorpora) / corpus / path);
    if (flags.find("NO-TX") != std::string::npos) content = "-- strata:transaction off\n" + content;
    // Diesel (crates-io) names every file up.sql: the folder names the migration.
    fs::path rel(path);
    std::string base = rel.filename() == "up.sql" ? rel.parent_path().filename().string()
                                                  : rel.filename().string();
    for (char& c : base) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    ++files;
    char version[16];
    std::snprintf(version, sizeof(version), "V%04d", files);
    dir.Write("db/migration/" + std::string(version) + "__" + base + ".sql", content);
  }
  return files;
}

// "V0123__name.sql RULE" for every blocking finding of a gate run (`migrate --dry-run`).
std::multiset<std::string> Blocking(const TempDir& dir, std::string* all) {
  auto r = RunStrata({"--json", "migrate", "--dry-run"}, dir.path());
  *all = r.All();
  std::multiset<std::string> out;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_discarded()) {
    out.insert("unparsable output");
    return out;
  }
  for (const auto& f : j["lint"]["blocking"]) {
    out.insert(fs::path(f.value("file", "")).filename().string() + " " + f.value("rule_id", ""));
  }
  return out;
}

// The reviewed error-level findings (docs/lint-corpus-review.md says why each is right): file,
// rule, how many.
struct Expected {
  const char* file;
  const char* rule;
  int count;
};

const Expected kKratosTail[] = {
    {"V0307__20250505150900000000_code_address_type_autocommit_up_sql.sql", "CL104", 2},
    {"V0309__20250708190000000001_identities_external_id_index_up_sql.sql", "LK101", 1},
    {"V0313__20251105000000000004_identity_id_not_null_fks_postgres_up_sql.sql", "LK101", 2},
};
const Expected kKestraTail[] = {
    {"V0010__V1_10__multitenant_indices_sql.sql", "LK101", 16},
    {"V0011__V1_12__execution_triggerid_sql.sql", "CL101", 1},
    {"V0011__V1_12__execution_triggerid_sql.sql", "LK101", 1},
    {"V0012__V1_13__log_fulltext_sql.sql", "CL101", 1},
    {"V0013__V1_14__subflow_executions_sql.sql", "BC102", 1},
    {"V0014__V1_15__trigger_store_next_date_sql.sql", "CL101", 1},
    {"V0015__V1_16__log_timestamp_index_sql.sql", "LK101", 1},
    {"V0019__V1_20__drop_worker_instance_sql.sql", "BC105", 1},
    {"V0020__V1_21__trigger_worker_id_sql.sql", "CL101", 1},
};
const Expected kTemporalVisibilityTail[] = {
    {"V0002__index_sql.sql", "LK101", 1},
    {"V0003__advanced_visibility_sql.sql", "CL101", 35},
    {"V0003__advanced_visibility_sql.sql", "LK101", 42},
    {"V0004__add_history_size_bytes_sql.sql", "LK101", 1},
    {"V0005__add_build_ids_search_attribute_sql.sql", "CL101", 1},
    {"V0005__add_build_ids_search_attribute_sql.sql", "LK101", 1},
    {"V0006__add_execution_duration_sql.sql", "LK101", 1},
    {"V0007__add_state_transition_count_sql.sql", "LK101", 1},
    {"V0008__add_parent_workflow_info_sql.sql", "LK101", 2},
    {"V0009__add_root_workflow_info_sql.sql", "LK101", 2},
    {"V0010__fix_root_workflow_info_sql.sql", "LK101", 2},
    {"V0011__add_pause_info_search_attribute_sql.sql", "CL101", 1},
    {"V0011__add_pause_info_search_attribute_sql.sql", "LK101", 1},
    {"V0012__add_deployment_search_attributes_sql.sql", "CL101", 3},
    {"V0012__add_deployment_search_attributes_sql.sql", "LK101", 3},
    {"V0014__combined_v1_10_v1_13_sql.sql", "CL101", 17},
    {"V0015__add_external_payload_size_and_count_search_attributes_sql.sql", "CL101", 2},
};
const Expected kSynapseTail[] = {
    {"V0059__01_drop_old_tables_sql.sql", "BC105", 5},
};
const Expected kCratesIoTail[] = {
    {"V0268__2026_05_27_130000_0000_drop_semver_ord.sql", "BC104", 1},
    {"V0277__2026_06_17_112535_0000_drop_versions_checksum.sql", "BC104", 1},
    {"V0279__2026_06_18_084149_0000_drop_users_gh_avatar.sql", "BC104", 1},
    {"V0283__2026_07_15_182934_0000_drop_users_gh_encrypted_token.sql", "BC104", 1},
};

template <size_t N>
std::multiset<std::string> Set(const Expected (&list)[N]) {
  std::multiset<std::string> out;
  for (const auto& e : list) {
    for (int i = 0; i < e.count; ++i) out.insert(std::string(e.file) + " " + e.rule);
  }
  return out;
}

struct History {
  std::string corpus;
  std::string order;
  // The reviewed-as-correct error-level findings, "file rule", for each of the two runs.
  std::multiset<std::string> empty_db;
  std::multiset<std::string> last_20;
};

std::string Dump(const std::multiset<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += "  " + x + "\n";
  return out;
}

class CorporaGate : public ::testing::TestWithParam<History> {};

TEST_P(CorporaGate, OnlyReviewedErrors) {
  STRATA_REQUIRE_POSTGRES();
  const History& h = GetParam();
  if (!fs::exists(fs::path(kCorpora) / h.corpus)) GTEST_SKIP() << "corpora not found";
  TempDir dir;
  int files = LayOut(h.corpus, h.order, dir);
  ASSERT_GT(files, 1);
  const int tail_files = std::min(kTail, files - 1);  // temporal's visibility history has 15
  std::string url = PgCluster::Get().CreateDatabase("gate");
  PgCluster::Query(url, "CREATE EXTENSION IF NOT EXISTS btree_gin");
  PgCluster::Query(url, "CREATE EXTENSION IF NOT EXISTS pg_trgm");
  dir.Write("strata.toml", "url = \"" + url + "\"\n[migrate]\nlock_timeout = \"30s\"\n");
  ASSERT_EQ(RunStrata({"hash"}, dir.path()).exit_code, 0);

  std::string out;
  auto empty = Blocking(dir, &out);
  std::printf("[gate] %s %s, empty database: %zu error(s)\n%s", h.corpus.c_str(), h.order.c_str(),
              empty.size(), Dump(empty).c_str());
  EXPECT_EQ(empty, h.empty_db) << out;

  // Apply all but the last 20 (an imported history: the gate judged it above).
  char target[16];
  std::snprintf(target, sizeof(target), "%04d", files - tail_files);
  dir.Write("strata.toml",
            "url = \"" + url + "\"\n[migrate]\nlock_timeout = \"30s\"\nlint_gate = false\n");
  auto m = RunStrata({"migrate", "--target", target}, dir.path());
  ASSERT_EQ(m.exit_code, 0) << m.All();
  dir.Write("strata.toml", "url = \"" + url + "\"\n[migrate]\nlock_timeout = \"30s\"\n");
  auto tail = Blocking(dir, &out);
  std::printf("[gate] %s %s, last %d against the earlier ones: %zu error(s)\n%s", h.corpus.c_str(),
              h.order.c_str(), tail_files, tail.size(), Dump(tail).c_str());
  EXPECT_EQ(tail, h.last_20) << out;
}

INSTANTIATE_TEST_SUITE_P(
    Histories, CorporaGate,
    ::testing::Values(
        History{"ory-kratos", "APPLY-ORDER.txt", {}, Set(kKratosTail)},
        History{"kestra", "APPLY-ORDER.txt", {}, Set(kKestraTail)},
        History{"temporal", "APPLY-ORDER-temporal-db.txt", {}, {}},
        History{"temporal", "APPLY-ORDER-visibility-db.txt", {}, Set(kTemporalVisibilityTail)},
        History{"synapse", "APPLY-ORDER.txt", {}, Set(kSynapseTail)},
        History{"crates-io", "APPLY-ORDER.txt", {}, Set(kCratesIoTail)}),
    [](const auto& info) {
      std::string n = info.param.corpus + "_" + info.param.order;
      for (char& c : n) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return n;
    });

}  // namespace
}  // namespace strata::testing
