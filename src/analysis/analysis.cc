#include "analysis/analysis.h"

#include "analysis/prepared.h"
#include "sql/transaction_block.h"

namespace strata::analysis {

namespace {

// The body of a DO block (`DO $$ ... $$` → the text between the quotes).
std::string_view DoBody(JsonRef body) {
  JsonRef args = body.Get("args");
  for (size_t i = 0; i < args.size(); ++i) {
    JsonRef d = args.At(i).Get("DefElem");
    if (d.Get("defname").Str() == "as") return d.Get("arg").Get("String").Get("sval").Str();
  }
  return {};
}

bool DoIsPlpgsql(JsonRef body) {
  JsonRef args = body.Get("args");
  for (size_t i = 0; i < args.size(); ++i) {
    JsonRef d = args.At(i).Get("DefElem");
    if (d.Get("defname").Str() == "language") {
      return d.Get("arg").Get("String").Get("sval").Str() == "plpgsql";
    }
  }
  return true;
}

// What cannot run inside a transaction block is one list, the one the engine runs by
// (sql::NonTransactionalConstruct), for the server version the analysis is for.
std::string_view NonTransactional(std::string_view statement, db::Dialect dialect, int pg_version) {
  return sql::NonTransactionalConstruct(statement, dialect,
                                        pg_version > 0 ? pg_version : sql::kNewestPostgres);
}

void InspectPlpgsql(std::string_view body, const SchemaModel& model, int pg_version,
                    StatementAnalysis& sa) {
  auto tree = ParsePlpgsqlBody(body);
  if (!tree) return;
  WalkJson(tree->root(), [&](JsonRef n) {
    if (JsonRef ex = n.As("PLpgSQL_stmt_execsql")) {
      std::string q(ex.Get("sqlstmt").Get("PLpgSQL_expr").Get("query").Str());
      auto snip = ParseSnippet(q);
      for (JsonRef s : snip.statements) {
        Facts f = ComputeFacts(s, model, pg_version);
        if (snip.statements.size() == 1) {
          f.non_transactional = NonTransactional(q, db::Dialect::kPostgres, pg_version);
        }
        // Keep only what matters; the tree dies with `snip`.
        f.node_type = {};
        sa.embedded.push_back(std::move(f));
      }
      return false;
    }
    if (JsonRef r = n.As("PLpgSQL_stmt_raise")) {
      if (r.Get("elog_level").Int(0) >= 21) sa.raises = true;  // ERROR and above
      return false;
    }
    if (n.NodeType() == "PLpgSQL_stmt_assert") {
      sa.raises = true;
      return false;
    }
    if (n.NodeType() == "PLpgSQL_stmt_dynexecute") {
      sa.dynamic_sql = true;
      return false;
    }
    return true;
  });
}

}  // namespace

PreparedFile PrepareFile(std::string_view text, db::Dialect dialect) {
  PreparedFile p;
  p.parsed = dialect == db::Dialect::kSqlite ? ParseSqliteAsPostgres(text) : ParsePostgres(text);
  p.lines = std::make_unique<base::LineIndex>(text);
  p.dialect = dialect;
  p.non_transactional.reserve(p.parsed.statements.size());
  for (const ParsedStatement& ps : p.parsed.statements) {
    p.non_transactional.push_back(ps.error.empty() ? NonTransactional(ps.text, dialect, 0)
                                                   : std::string_view());
  }
  return p;
}

std::unique_ptr<FileAnalysis> AnalyzeFile(std::string_view text, std::string path,
                                          SchemaModel& model, int pg_version, bool pending,
                                          const StatementObserver& observe, db::Dialect dialect) {
  return AnalyzeFile(PrepareFile(text, dialect), text, std::move(path), model, pg_version, pending,
                     observe);
}

std::unique_ptr<FileAnalysis> AnalyzeFile(PreparedFile prepared, std::string_view text,
                                          std::string path, SchemaModel& model, int pg_version,
                                          bool pending, const StatementObserver& observe) {
  auto fa = std::make_unique<FileAnalysis>();
  fa->path = std::move(path);
  fa->text = text;
  fa->parsed = std::move(prepared.parsed);
  fa->lines = std::move(prepared.lines);
  fa->statements.reserve(fa->parsed.statements.size());
  model.BeginFile();
  for (size_t i = 0; i < fa->parsed.statements.size(); ++i) {
    const ParsedStatement& ps = fa->parsed.statements[i];
    StatementAnalysis sa;
    sa.parsed = &ps;
    sa.index = i;
    sa.line = fa->lines->LineOf(ps.offset);
    sa.column = fa->lines->ColumnOf(ps.offset);
    if (!ps.error.empty()) {
      sa.facts.kind = StatementKind::kParseError;
    } else {
      sa.facts = ComputeFacts(ps.node, model, pg_version);
      // The prepared answer is the newest server's; only ALTER TYPE ... ADD VALUE differs
      // before 12, so an older target asks again.
      sa.facts.non_transactional = pg_version > 0 && pg_version < 12
                                       ? NonTransactional(ps.text, prepared.dialect, pg_version)
                                       : prepared.non_transactional[i];
      if (JsonRef d = ps.node.As("DoStmt"); d && DoIsPlpgsql(d)) {
        InspectPlpgsql(DoBody(d), model, pg_version, sa);
        for (const Facts& e : sa.embedded) {
          sa.facts.dml = sa.facts.dml || e.dml;
          sa.facts.ddl = sa.facts.ddl || e.ddl;
        }
      }
    }
    fa->statements.push_back(std::move(sa));
    if (observe) observe(*fa, fa->statements.back(), model);
    if (ps.error.empty()) model.Apply(ps.node, pending);
  }
  return fa;
}

}  // namespace strata::analysis
