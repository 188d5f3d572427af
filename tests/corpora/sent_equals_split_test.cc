// What strata sends is what the splitter cut, byte for byte (issue 14, "Nothing skipped, nothing
// run twice, nothing injected").
//
// For every file of the real histories in ../shared/corpora (each APPLY-ORDER*.txt list, on
// its dialect, plus every Synapse schema file) and of pg15-regress, the file goes through
// strata's own path — migrate::Resolve (the encoding checks and normalisation discovery
// applies), sql::Split, engine::Prepare — and the test asserts:
//   - every statement Prepare hands the executor (PreparedStatement::sql, the exact string
//     passed to libpq / SQLite) equals its span of the file, byte for byte, and a C-string
//     reader (libpq's PQexec/PQsendQueryParams take `const char*`) sees all of it: strlen of
//     the sent text == length of the span. A NUL inside a statement fails here.
//   - COPY ... FROM STDIN rows are sent as the exact bytes between the statement and `\.`.
//   - nothing is lost between spans: every byte of the file outside the statements and COPY rows
//     is a blank, a comment, a `;` or a COPY `\.` line.
// The only transforms between split and send, each documented in docs/formats/splitting.md:
// leading blanks and `--` comments and the trailing `;` and blanks are not part of a statement,
// `${name}` placeholders are expanded (checked on a synthetic file below: the real histories
// declare none), COPY rows go through the copy protocol. Directives are comments and are never
// stripped from inside a statement.
#include "base/text.h"
#include "engine/plan.h"
#include "migrate/discovery.h"
#include "sql/directives.h"
#include "sql/splitter.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace strata {
namespace {

namespace fs = std::filesystem;
using db::Dialect;
using namespace std::string_literals;

// ../shared/corpora next to the checkout; STRATA_CORPORA points elsewhere (a git worktree).
const fs::path kCorpora = std::getenv("STRATA_CORPORA") != nullptr
                              ? fs::path(std::getenv("STRATA_CORPORA"))
                              : fs::path(STRATA_SOURCE_DIR).parent_path() / "shared" / "corpora";

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Files as discovery would hand them to Resolve, named V<n>__<original name>.sql so that every
// file of a corpus is its own migration (the original path stays in `location` for messages).
struct Corpus {
  std::vector<migrate::SourceFile> files;
  void Add(const fs::path& path) {
    migrate::SourceFile f;
    std::string base = path.filename().string();
    for (char& c : base) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    f.script = "V" + std::to_string(files.size() + 1) + "__" + base + ".sql";
    f.path = path.string();
    f.location = "corpus";
    f.bytes = Slurp(path);
    files.push_back(std::move(f));
  }
};

Corpus FromOrder(const std::string& corpus, const std::string& order) {
  Corpus c;
  std::ifstream in(kCorpora / corpus / order);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    c.Add(kCorpora / corpus / line.substr(0, line.find('\t')));
  }
  return c;
}

Corpus FromTree(const fs::path& dir, const std::vector<std::string>& suffixes) {
  std::vector<fs::path> paths;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::string name = e.path().filename().string();
    for (const auto& s : suffixes) {
      if (name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
        paths.push_back(e.path());
        break;
      }
    }
  }
  std::sort(paths.begin(), paths.end());
  Corpus c;
  for (const auto& p : paths) c.Add(p);
  return c;
}

// Whether `gap` (text between statements) holds nothing but blanks, comments, `;` and COPY
// `\.` lines, by the dialect's comment rules. Returns the offset of the first other byte in
// `gap`, or npos.
size_t FirstLostByte(std::string_view gap, Dialect dialect) {
  std::string_view rest = gap;
  for (;;) {
    rest = sql::SkipLeadingComments(rest, dialect);
    if (rest.empty()) return std::string_view::npos;
    if (rest.front() == ';') {
      rest.remove_prefix(1);
      continue;
    }
    if (dialect == Dialect::kPostgres && rest.substr(0, 2) == "\\.") {
      size_t nl = rest.find('\n');
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      continue;
    }
    return gap.size() - rest.size();
  }
}

struct Totals {
  size_t files = 0, statements = 0, copies = 0, bytes_sent = 0, refused_by_prepare = 0;
};

// Checks one migration; returns the number of failures reported.
void CheckMigration(const migrate::Migration& m, Dialect dialect, const Options& options,
                    Totals& totals) {
  SCOPED_TRACE(m.path);
  const std::string& text = m.text;
  auto split = sql::Split(text, dialect, m.path);
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  std::vector<engine::PreparedStatement> sent;
  auto prepared = engine::Prepare(m, dialect, options);
  if (prepared) {
    sent = std::move(prepared->statements);
  } else {
    // Prepare refuses a whole file for what it contains (BEGIN/COMMIT and VACUUM in PostgreSQL's
    // regression files, an undeclared `${...}`): the statement text it would send is still
    // produced by PrepareStatement, which is checked statement by statement.
    ++totals.refused_by_prepare;
    const auto code = prepared.error().code();
    ASSERT_TRUE(code == ErrorCode::kNotTransactional || code == ErrorCode::kPlaceholder)
        << prepared.error().ToString();
    const sql::Placeholders ph = engine::PlaceholdersOf(options);
    for (const auto& s : *split) {
      auto ps = engine::PrepareStatement(s, ph, m.path);
      if (!ps) {
        // Only an undeclared placeholder, and only where the span has one.
        EXPECT_EQ(ps.error().code(), ErrorCode::kPlaceholder) << ps.error().ToString();
        EXPECT_TRUE(sql::HasPlaceholders(s.text) || sql::HasPlaceholders(s.copy_data));
        engine::PreparedStatement skipped;
        skipped.sql = std::string(s.text);  // compared below as if sent
        skipped.offset = s.offset;
        skipped.line = s.line;
        skipped.column = s.column;
        skipped.copy_in = s.copy_from_stdin;
        skipped.copy_data = std::string(s.copy_data);
        sent.push_back(std::move(skipped));
        continue;
      }
      sent.push_back(std::move(*ps));
    }
  }
  ++totals.files;
  ASSERT_EQ(sent.size(), split->size()) << "statements sent vs statements split";
  size_t covered = 0;  // end of the last statement (or its COPY rows)
  for (size_t i = 0; i < sent.size(); ++i) {
    const sql::Statement& s = (*split)[i];
    const engine::PreparedStatement& ps = sent[i];
    SCOPED_TRACE(::testing::Message() << "statement " << i + 1 << " at line " << s.line);
    // The span really is the file's bytes at its offset.
    ASSERT_LE(s.offset + s.text.size(), text.size());
    ASSERT_EQ(text.compare(s.offset, s.text.size(), s.text), 0);
    // Sent == span, and a C-string reader sees all of it.
    EXPECT_EQ(ps.offset, s.offset);
    EXPECT_EQ(ps.line, s.line);
    EXPECT_EQ(ps.column, s.column);
    EXPECT_EQ(ps.sql.size(), s.text.size());
    EXPECT_TRUE(ps.sql == s.text) << "sent text differs from the span";
    EXPECT_EQ(std::strlen(ps.sql.c_str()), s.text.size())
        << "a C-string driver would send only part of the statement";
    EXPECT_EQ(ps.copy_in, s.copy_from_stdin);
    // Nothing lost before it.
    ASSERT_LE(covered, s.offset);
    std::string_view gap = std::string_view(text).substr(covered, s.offset - covered);
    size_t lost = FirstLostByte(gap, dialect);
    EXPECT_EQ(lost, std::string_view::npos)
        << "text between statements that is neither blank, comment nor `;`: `"
        << gap.substr(lost == std::string_view::npos ? 0 : lost, 80) << "`";
    covered = s.offset + s.text.size();
    if (s.copy_from_stdin) {
      EXPECT_TRUE(ps.copy_data == s.copy_data) << "COPY rows sent differ from the file";
      size_t data_at = static_cast<size_t>(s.copy_data.data() - text.data());
      if (!s.copy_data.empty()) {
        ASSERT_GE(data_at, covered);
        std::string_view between = std::string_view(text).substr(covered, data_at - covered);
        EXPECT_EQ(FirstLostByte(between, dialect), std::string_view::npos) << between;
        covered = data_at + s.copy_data.size();
      }
      ++totals.copies;
    }
    totals.bytes_sent += ps.sql.size();
    ++totals.statements;
  }
  std::string_view tail = std::string_view(text).substr(covered);
  size_t lost = FirstLostByte(tail, dialect);
  EXPECT_EQ(lost, std::string_view::npos)
      << "text after the last statement: `"
      << tail.substr(lost == std::string_view::npos ? 0 : lost, 80) << "`";
}

void CheckCorpus(Corpus corpus, Dialect dialect, const std::string& name) {
  if (corpus.files.empty()) GTEST_SKIP() << name << " not found under " << kCorpora;
  auto set = migrate::Resolve(std::move(corpus.files));
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  Options options;
  Totals totals;
  for (const auto& m : set->migrations) {
    CheckMigration(m, dialect, options, totals);
    if (::testing::Test::HasFatalFailure()) return;
  }
  std::printf(
      "[sent==split] %s: %zu files, %zu statements (%zu COPY), %zu bytes sent, "
      "%zu files checked statement by statement (refused whole by Prepare)\n",
      name.c_str(), totals.files, totals.statements, totals.copies, totals.bytes_sent,
      totals.refused_by_prepare);
}

TEST(SentEqualsSplit, MigrationHistories) {
  struct H {
    const char* corpus;
    const char* order;
    Dialect dialect;
  };
  for (const H& h : {H{"ory-kratos", "APPLY-ORDER.txt", Dialect::kPostgres},
                     H{"ory-kratos", "APPLY-ORDER-sqlite.txt", Dialect::kSqlite},
                     H{"kestra", "APPLY-ORDER.txt", Dialect::kPostgres},
                     H{"temporal", "APPLY-ORDER-temporal-db.txt", Dialect::kPostgres},
                     H{"temporal", "APPLY-ORDER-visibility-db.txt", Dialect::kPostgres},
                     H{"synapse", "APPLY-ORDER.txt", Dialect::kPostgres},
                     H{"crates-io", "APPLY-ORDER.txt", Dialect::kPostgres}}) {
    SCOPED_TRACE(std::string(h.corpus) + "/" + h.order);
    CheckCorpus(FromOrder(h.corpus, h.order), h.dialect, std::string(h.corpus) + "/" + h.order);
  }
}

// Every Synapse schema file, the linter-only deltas included: PostgreSQL and SQLite variants.
TEST(SentEqualsSplit, SynapseEverySchemaFile) {
  fs::path dir = kCorpora / "synapse" / "synapse" / "storage" / "schema";
  if (!fs::exists(dir)) GTEST_SKIP() << "synapse not found";
  CheckCorpus(FromTree(dir, {".sql", ".sql.postgres"}), Dialect::kPostgres, "synapse (postgres)");
  CheckCorpus(FromTree(dir, {".sql.sqlite"}), Dialect::kSqlite, "synapse (sqlite)");
}

TEST(SentEqualsSplit, PostgresRegressionSuite) {
  fs::path dir = kCorpora / "pg15-regress" / "src";
  if (!fs::exists(dir)) GTEST_SKIP() << "pg15-regress not found";
  CheckCorpus(FromTree(dir, {".sql"}), Dialect::kPostgres, "pg15-regress");
}

// The documented transform: `${name}` expanded in statements and COPY rows, nothing else.
TEST(SentEqualsSplit, PlaceholdersAreTheOnlyChange) {
  std::vector<migrate::SourceFile> files(1);
  files[0].script = "V1__ph.sql";
  files[0].path = "V1__ph.sql";
  files[0].bytes =
      "-- strata:lock-timeout 3s\nCREATE TABLE ${schema}.t (a text DEFAULT '${v}');\n"
      "COPY ${schema}.t (a) FROM stdin;\n${v}\n\\.\n/* ${schema} */ SELECT 1;\n";
  auto set = migrate::Resolve(std::move(files));
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  Options options;
  options.placeholders["schema"] = {"app", false};
  options.placeholders["v"] = {"x", true};
  auto p = engine::Prepare(set->migrations[0], Dialect::kPostgres, options);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  ASSERT_EQ(p->statements.size(), 3u);
  EXPECT_EQ(p->statements[0].sql, "CREATE TABLE app.t (a text DEFAULT 'x')");
  EXPECT_EQ(p->statements[1].sql, "COPY app.t (a) FROM stdin");
  EXPECT_EQ(p->statements[1].copy_data, "x\n");
  EXPECT_EQ(p->statements[2].sql, "/* app */ SELECT 1");
}

// A NUL never reaches Prepare: Resolve (discovery, LoadText) refuses the file with its line and
// column. Were it let through, CheckMigration's strlen assertion fails: the driver would send
// only the text before the NUL.
TEST(SentEqualsSplit, NulIsRefusedBeforePrepare) {
  for (Dialect d : {Dialect::kPostgres, Dialect::kSqlite}) {
    std::vector<migrate::SourceFile> files(1);
    files[0].script = "V1__nul.sql";
    files[0].path = "db/migration/V1__nul.sql";
    files[0].bytes = "CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\0 DROP TABLE t;\n"s;
    auto set = migrate::Resolve(std::move(files));
    ASSERT_FALSE(set.ok());
    EXPECT_EQ(set.status().code(), ErrorCode::kEncoding);
    EXPECT_EQ(set.status().span().file, "db/migration/V1__nul.sql");
    EXPECT_EQ(set.status().span().line, 2);
    EXPECT_EQ(set.status().span().column, 26);
    // And PrepareStatement itself never hands on a statement with a NUL.
    std::string text = "SELECT 1;\nSELECT 'a\0b';\n"s;
    auto split = sql::Split(text, d, "x.sql");
    ASSERT_TRUE(split.ok());
    ASSERT_EQ(split->size(), 2u);
    auto ps = engine::PrepareStatement((*split)[1], {}, "x.sql");
    ASSERT_FALSE(ps.ok());
    EXPECT_EQ(ps.error().span().line, 2);
    EXPECT_EQ(ps.error().span().column, 10);
  }
}

}  // namespace
}  // namespace strata
