// The part of AnalyzeFile that does not read the model: the parse, the line index and the
// per-statement text checks. Reentrant (libpg_query keeps its parser state per thread), so a
// caller may prepare later files on other threads while it analyses earlier ones in order
// (`strata lint --jobs`, lint/pipeline.h).
#pragma once

#include "analysis/analysis.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace strata::analysis {

struct PreparedFile {
  ParsedFile parsed;
  std::unique_ptr<base::LineIndex> lines;
  db::Dialect dialect = db::Dialect::kPostgres;
  // By statement: sql::NonTransactionalConstruct for the newest PostgreSQL (AnalyzeFile asks
  // again for an older one).
  std::vector<std::string_view> non_transactional;
};

PreparedFile PrepareFile(std::string_view text, db::Dialect dialect = db::Dialect::kPostgres);

// AnalyzeFile over a PreparedFile of the same `text`: the same result.
std::unique_ptr<FileAnalysis> AnalyzeFile(PreparedFile prepared, std::string_view text,
                                          std::string path, SchemaModel& model, int pg_version,
                                          bool pending, const StatementObserver& observe);

}  // namespace strata::analysis
