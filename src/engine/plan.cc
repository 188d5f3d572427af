#include "engine/plan.h"

#include "base/sha256.h"
#include "ledger/ledger.h"

#include <fmt/format.h>

namespace strata::engine {

Result<PreparedMigration> Prepare(const migrate::Migration& m, db::Dialect dialect,
                                  const Options& options) {
  PreparedMigration p;
  p.migration = &m;
  STRATA_ASSIGN_OR_RETURN(p.settings, sql::ParseDirectives(m.text, m.path));
  STRATA_ASSIGN_OR_RETURN(p.checks, verify::ParseChecks(m.text, m.path));
  STRATA_TRY(verify::ValidateChecks(p.checks, dialect));  // before anything runs (issue 14)
  STRATA_ASSIGN_OR_RETURN(p.intent, verify::ParseIntent(m.text, m.path));
  STRATA_ASSIGN_OR_RETURN(auto stmts, sql::Split(m.text, dialect, m.path));
  sql::Placeholders ph;
  for (const auto& [k, v] : options.placeholders) ph[k] = sql::Placeholder{v.value, v.secret};
  p.statements.reserve(stmts.size());
  for (const auto& s : stmts) {
    PreparedStatement ps;
    ps.line = s.line;
    ps.column = s.column;
    ps.offset = s.offset;
    if (sql::HasPlaceholders(s.text)) {
      STRATA_ASSIGN_OR_RETURN(ps.sql, sql::ExpandPlaceholders(s.text, ph, m.path, s.line, false));
      STRATA_ASSIGN_OR_RETURN(ps.display_sql,
                              sql::ExpandPlaceholders(s.text, ph, m.path, s.line, true));
    } else {
      ps.sql = std::string(s.text);
      ps.display_sql = ps.sql;
    }
    SourceSpan span{m.path, s.line, s.column};
    if (s.copy_from_stdin) {
      // The rows go through the copy sub-protocol after the statement (executor.cc).
      ps.copy_in = true;
      if (sql::HasPlaceholders(s.copy_data)) {
        STRATA_ASSIGN_OR_RETURN(
            ps.copy_data, sql::ExpandPlaceholders(s.copy_data, ph, m.path, s.line + 1, false));
      } else {
        ps.copy_data = std::string(s.copy_data);
      }
    }
    if (sql::IsTransactionControl(ps.sql)) {
      return Status(ErrorCode::kNotTransactional,
                    fmt::format("transaction control `{}` inside a migration", s.FirstLine()))
          .WithSpan(span)
          .WithHint(
              "remove it: strata runs each migration in its own transaction (or statement "
              "by statement with `-- strata:transaction off`)");
    }
    if (p.settings.transactional) {
      std::string_view what = dialect == db::Dialect::kPostgres
                                  ? sql::NonTransactionalConstruct(ps.sql)
                                  : std::string_view();
      if (dialect == db::Dialect::kSqlite &&
          sql::SkipLeadingComments(ps.sql).substr(0, 6) == "VACUUM") {
        what = "VACUUM";
      }
      if (!what.empty()) {
        return Status(ErrorCode::kNotTransactional,
                      fmt::format("{} cannot run inside a transaction, and {} is transactional",
                                  what, m.script))
            .WithSpan(span)
            .WithHint(
                "add `-- strata:transaction off` at the top of the file and keep that "
                "statement in a migration of its own; nothing was run");
      }
    }
    p.statements.push_back(std::move(ps));
  }
  return p;
}

std::vector<std::string> SessionSettings(const PreparedMigration& p, db::Dialect dialect,
                                         const Options& options, bool local) {
  std::vector<std::string> out;
  if (dialect != db::Dialect::kPostgres) return out;
  const char* scope = local ? "LOCAL " : "";
  auto lock = p.settings.lock_timeout.value_or(options.lock_timeout);
  out.push_back(fmt::format("SET {}lock_timeout = '{}ms'", scope, lock.count()));
  auto st = p.settings.statement_timeout ? p.settings.statement_timeout : options.statement_timeout;
  if (st) out.push_back(fmt::format("SET {}statement_timeout = '{}ms'", scope, st->count()));
  return out;
}

std::string PrefixHash(const PreparedMigration& p, size_t n) {
  std::string h(ledger::kGenesisHash);
  for (size_t i = 0; i < n && i < p.statements.size(); ++i) {
    const auto& st = p.statements[i];
    h = base::Sha256Hex(h + "\x1f" + st.sql + (st.copy_in ? "\x1e" + st.copy_data : ""));
  }
  return h;
}

}  // namespace strata::engine
