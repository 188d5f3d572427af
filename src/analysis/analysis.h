// Analysis of one migration file: parse it once with libpg_query, place every statement at its
// file:line:col, compute its Facts against the pending-set SchemaModel, look inside DO blocks
// (PL/pgSQL) for the DML and RAISEs they hide, and advance the model. The caller (the linter)
// observes each statement between "facts computed" and "model advanced", so rules see the
// schema as it was before the statement. Not thread-safe per model; distinct models are
// independent.
#pragma once

#include "analysis/facts.h"
#include "analysis/model.h"
#include "analysis/parse.h"
#include "base/text.h"
#include "db/connection.h"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace strata::analysis {

struct StatementAnalysis {
  const ParsedStatement* parsed = nullptr;  // owned by FileAnalysis::parsed
  size_t index = 0;                         // 0-based statement index in the file
  int line = 0;                             // 1-based position of the first token
  int column = 0;
  Facts facts;
  // DO blocks and PL/pgSQL bodies: the statements run inside, and whether the body raises an
  // exception (a verification step that aborts the migration).
  std::vector<Facts> embedded;
  bool raises = false;
  bool dynamic_sql = false;  // EXECUTE of a computed string (not inspectable)

  JsonRef node() const { return parsed ? parsed->node : JsonRef(); }
  bool parse_failed() const { return parsed && !parsed->error.empty(); }
  std::string_view text() const { return parsed ? parsed->text : std::string_view(); }
};

struct FileAnalysis {
  std::string path;
  std::string_view text;  // the caller keeps the text alive
  ParsedFile parsed;
  std::unique_ptr<base::LineIndex> lines;
  std::vector<StatementAnalysis> statements;

  // 1-based line/column of a file offset.
  int LineOf(size_t offset) const { return lines->LineOf(offset); }
  int ColumnOf(size_t offset) const { return lines->ColumnOf(offset); }
};

using StatementObserver =
    std::function<void(const FileAnalysis&, const StatementAnalysis&, const SchemaModel&)>;

// Parses and walks `text`. For each statement, computes facts, calls `observe` (may be empty)
// with the model state before the statement, then applies the statement to `model`.
// `pending` = false reads an applied migration for context only. Never fails: a statement
// that does not parse has kind kParseError and its error in `parsed->error`.
// `dialect` kSqlite splits by SQLite's rules and reads each statement with
// ParseSqliteAsPostgres: statements PostgreSQL's grammar does not read have kind kParseError,
// and only SQLite itself can say whether they are wrong.
std::unique_ptr<FileAnalysis> AnalyzeFile(std::string_view text, std::string path,
                                          SchemaModel& model, int pg_version, bool pending,
                                          const StatementObserver& observe,
                                          db::Dialect dialect = db::Dialect::kPostgres);

}  // namespace strata::analysis
