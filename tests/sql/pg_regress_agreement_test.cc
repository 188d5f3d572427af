// Agreement with psql on PostgreSQL's own regression suite (issue 2, "Real histories").
//
// For every file of ../shared/corpora/pg15-regress that has an oracle entry and contains no psql
// meta-command, the statements strata's splitter produces must equal the statements psql sent to
// the server (oracle/psql-sent-statements.jsonl, captured from the server log). The test prints
// the agreement rate per file and per statement and fails below kMinFileAgreement. Every known
// exception is listed in kExceptions with its reason, and in docs/formats/splitting.md.
#include "base/text.h"
#include "sql/psql_meta.h"
#include "sql/splitter.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pg_query.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace strata::sql {
namespace {

namespace fs = std::filesystem;

// 100%: every included file must agree exactly. A file that cannot agree is listed below with
// its reason (and in docs/formats/splitting.md) instead of lowering the threshold, so a new
// disagreement anywhere else fails the test.
constexpr double kMinFileAgreement = 1.0;

// Files excluded from the comparison even though they contain no meta-command, with the
// reason. Keep in sync with docs/formats/splitting.md ("Known differences from psql").
const std::map<std::string, std::string>& Exceptions() {
  static const auto* m = new std::map<std::string, std::string>{};
  return *m;
}

fs::path CorpusDir() {
  return fs::path(STRATA_SOURCE_DIR).parent_path() / "shared" / "corpora" / "pg15-regress";
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Normalisation applied to both sides before comparing:
// - psql sends the terminating `;` (and any blanks before it); strata strips it, because the
//   statement is sent on its own. So trailing blanks and semicolons are removed on both sides.
// - Leading blanks are removed on both sides (psql never starts a query with whitespace; strata
//   trims it too), so the comparison is about the statement, not its indentation.
// - Empty lines are removed on both sides: psql's MainLoop skips an input line that is empty
//   (zero length) unless it is inside a quoted literal, so a statement with a blank line in it
//   reaches the server without that line; strata sends the file's text unchanged. Inside
//   literals psql keeps them, and dropping them there on both sides hides nothing strata could
//   get wrong about boundaries.
// Nothing else inside a statement is touched: `--` comments inside a statement and `/* */`
// comments anywhere (psql keeps both) must match byte for byte.
std::string Normalize(std::string_view s) {
  while (!s.empty() && (s.back() == ';' || std::isspace(static_cast<unsigned char>(s.back())))) {
    s.remove_suffix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && !out.empty() && out.back() == '\n') continue;
    out.push_back(s[i]);
  }
  return out;
}

// The oracle comes from the server log (log_statement = all), which PostgreSQL writes only after
// a statement has passed the raw parser: a statement with a syntax error never appears in it,
// although psql sent it (create_operator.sql's `CREATE OPERATOR => (...)` is one of ~40). So
// statements that PostgreSQL's parser (libpg_query, the same grammar) rejects are dropped from
// strata's side. This cannot hide a wrong split of valid SQL: cutting a valid statement in two,
// or gluing two together, leaves the oracle's statement missing on strata's side.
bool ServerWouldLog(const std::string& stmt) {
  PgQueryParseResult r = pg_query_parse(stmt.c_str());
  bool ok = r.error == nullptr;
  pg_query_free_parse_result(r);
  return ok;
}

// psql sends a lone `;` as an (empty) query, and whatever is left in its buffer at the end of
// the file even if it is only a `/* */` comment (comments.sql ends with one); the server treats
// both as empty queries. strata sends neither, so such oracle entries are dropped.
bool Empty(std::string_view s) {
  s = SkipLeadingComments(s);
  while (!s.empty() && (s.front() == ';' || std::isspace(static_cast<unsigned char>(s.front())))) {
    s.remove_prefix(1);
    s = SkipLeadingComments(s);
  }
  return s.empty();
}

// Length of the longest common subsequence: how many of the oracle's statements strata
// reproduces, in order. Used only for the statement-level rate in the report.
size_t Lcs(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<size_t> prev(b.size() + 1, 0), cur(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

TEST(PgRegressAgreement, SplitterMatchesPsql) {
  fs::path dir = CorpusDir();
  fs::path oracle_path = dir / "oracle" / "psql-sent-statements.jsonl";
  if (!fs::exists(oracle_path)) GTEST_SKIP() << "corpus not found at " << dir;

  std::ifstream oracle(oracle_path);
  std::string line;
  size_t files = 0, files_ok = 0, excluded_meta = 0, excluded_known = 0;
  size_t stmts = 0, stmts_ok = 0, syntax_errors = 0;
  std::ostringstream failures;
  while (std::getline(oracle, line)) {
    auto j = nlohmann::json::parse(line);
    std::string file = j.at("file").get<std::string>();
    std::string raw = Slurp(dir / file);
    // strata splits the text as discovery hands it over: BOM removed, line endings LF.
    std::string text = base::NormalizeText(raw);
    if (testing::HasMetaCommand(text)) {
      ++excluded_meta;
      continue;
    }
    if (Exceptions().count(file) != 0) {
      ++excluded_known;
      continue;
    }
    std::vector<std::string> want;
    for (const auto& s : j.at("statements")) {
      std::string st = s.get<std::string>();
      if (Empty(st)) continue;
      want.push_back(Normalize(st));
    }
    std::vector<std::string> got;
    auto split = Split(text, db::Dialect::kPostgres, file);
    if (split.ok()) {
      for (const auto& s : *split) {
        std::string st = Normalize(s.text);
        if (ServerWouldLog(st)) {
          got.push_back(std::move(st));
        } else {
          ++syntax_errors;
        }
      }
    }
    ++files;
    stmts += want.size();
    // STRATA_AGREEMENT_DUMP=<dir> writes both sides of every file, for diffing by hand.
    if (const char* dump = std::getenv("STRATA_AGREEMENT_DUMP")) {
      std::string stem = fs::path(file).filename().string();
      std::ofstream w(fs::path(dump) / (stem + ".psql")), g(fs::path(dump) / (stem + ".strata"));
      for (const auto& x : want) w << x << "\n-- end --\n";
      for (const auto& x : got) g << x << "\n-- end --\n";
    }
    size_t common = Lcs(want, got);
    stmts_ok += common;
    if (split.ok() && got == want) {
      ++files_ok;
      continue;
    }
    failures << file << ": ";
    if (!split.ok()) {
      failures << "split error: " << split.status().ToString() << "\n";
      continue;
    }
    failures << "psql sent " << want.size() << " statements, strata " << got.size() << "\n";
    for (size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
      std::string w = i < want.size() ? want[i] : "<none>";
      std::string g = i < got.size() ? got[i] : "<none>";
      if (w == g) continue;
      failures << "  first difference at statement " << i + 1
               << "\n    psql:   " << w.substr(0, 300) << "\n    strata: " << g.substr(0, 300)
               << "\n";
      break;
    }
  }
  double file_rate = files == 0 ? 0 : static_cast<double>(files_ok) / files;
  double stmt_rate = stmts == 0 ? 0 : static_cast<double>(stmts_ok) / stmts;
  std::printf(
      "pg15-regress agreement: %zu/%zu files (%.2f%%), %zu/%zu statements (%.2f%%); "
      "excluded: %zu files with psql meta-commands, %zu known exceptions; %zu statements with "
      "syntax errors (never logged by the server) left out\n",
      files_ok, files, 100 * file_rate, stmts_ok, stmts, 100 * stmt_rate, excluded_meta,
      excluded_known, syntax_errors);
  EXPECT_GT(files, 100u) << "the corpus should give well over 100 comparable files";
  EXPECT_GE(file_rate, kMinFileAgreement) << failures.str();
}

}  // namespace
}  // namespace strata::sql
