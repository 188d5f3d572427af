#include "engine/plan.h"

#include "base/sha256.h"
#include "base/text.h"
#include "ledger/ledger.h"
#include "sql/transaction_block.h"
#include "verify/annotations.h"

#include <fmt/format.h>

namespace strata::engine {

Result<PreparedStatement> PrepareStatement(const sql::Statement& s, const sql::Placeholders& ph,
                                           std::string_view path) {
  PreparedStatement ps;
  ps.line = s.line;
  ps.column = s.column;
  ps.offset = s.offset;
  // Discovery refuses a file with a NUL (migrate::LoadText); this keeps any other source of
  // text from reaching a driver that reads statements as C strings and would run only the part
  // before it.
  if (size_t nul = s.text.find('\0'); nul != std::string_view::npos) {
    base::LineIndex li(s.text);
    int line = s.line + li.LineOf(nul) - 1;
    int column = li.LineOf(nul) == 1 ? s.column + li.ColumnOf(nul) - 1 : li.ColumnOf(nul);
    return Status(ErrorCode::kEncoding, "a NUL byte inside a statement")
        .WithSpan({std::string(path), line, column})
        .WithHint("remove it; nothing was run");
  }
  if (sql::HasPlaceholders(s.text)) {
    STRATA_ASSIGN_OR_RETURN(ps.sql, sql::ExpandPlaceholders(s.text, ph, path, s.line, false));
    STRATA_ASSIGN_OR_RETURN(ps.display_sql,
                            sql::ExpandPlaceholders(s.text, ph, path, s.line, true));
  } else {
    ps.sql = std::string(s.text);
    ps.display_sql = ps.sql;
  }
  if (s.copy_from_stdin) {
    // The rows go through the copy sub-protocol after the statement (executor.cc).
    ps.copy_in = true;
    if (sql::HasPlaceholders(s.copy_data)) {
      STRATA_ASSIGN_OR_RETURN(ps.copy_data,
                              sql::ExpandPlaceholders(s.copy_data, ph, path, s.line + 1, false));
    } else {
      ps.copy_data = std::string(s.copy_data);
    }
  }
  return ps;
}

sql::Placeholders PlaceholdersOf(const Options& options, PrepareFor purpose) {
  sql::Placeholders ph;
  for (const auto& [k, v] : options.placeholders) {
    if (purpose == PrepareFor::kCheck && !v.unset_env.empty()) {
      ph[k] = sql::Placeholder{fmt::format("<unset:{}>", v.unset_env), false, ""};
    } else {
      ph[k] = sql::Placeholder{v.value, v.secret, v.unset_env};
    }
  }
  return ph;
}

Result<PreparedMigration> Prepare(const migrate::Migration& m, db::Dialect dialect,
                                  const Options& options, PrepareFor purpose) {
  PreparedMigration p;
  p.migration = &m;
  STRATA_ASSIGN_OR_RETURN(auto annotations, verify::ReadAnnotations(m.text, m.path, dialect));
  p.settings = std::move(annotations.settings);
  p.checks = std::move(annotations.checks);
  p.intent = std::move(annotations.intent);
  STRATA_ASSIGN_OR_RETURN(auto stmts, sql::Split(m.text, dialect, m.path));
  const sql::Placeholders ph = PlaceholdersOf(options, purpose);
  p.statements.reserve(stmts.size());
  for (const auto& s : stmts) {
    STRATA_ASSIGN_OR_RETURN(PreparedStatement ps, PrepareStatement(s, ph, m.path));
    SourceSpan span{m.path, s.line, s.column};
    if (sql::IsTransactionControl(ps.sql, dialect)) {
      return Status(ErrorCode::kNotTransactional,
                    fmt::format("transaction control `{}` inside a migration", s.FirstLine()))
          .WithSpan(span)
          .WithHint(
              "remove it: strata runs each migration in its own transaction (or statement "
              "by statement with `-- strata:transaction off`)");
    }
    if (p.settings.transactional) {
      std::string_view what = sql::NonTransactionalConstruct(ps.sql, dialect);
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
  // `-- strata:split off`: the body, from its first statement to the end of its last, is sent
  // as one statement (the simple query protocol runs its commands in one implicit transaction).
  if (!p.settings.split && stmts.size() > 1) {
    for (size_t i = 0; i < stmts.size(); ++i) {
      SourceSpan span{m.path, stmts[i].line, stmts[i].column};
      if (stmts[i].copy_from_stdin) {
        return Status(ErrorCode::kDirective,
                      "COPY ... FROM STDIN in a file with `-- strata:split off`")
            .WithSpan(span)
            .WithHint(
                "its rows go through the copy protocol, statement by statement: remove "
                "`-- strata:split off` or move the COPY into a migration of its own");
      }
      std::string_view what = sql::NonTransactionalConstruct(p.statements[i].sql, dialect);
      if (!what.empty()) {
        return Status(ErrorCode::kNotTransactional,
                      fmt::format("{} cannot run inside a transaction, and `-- strata:split off` "
                                  "sends {}'s statements together, in one",
                                  what, m.script))
            .WithSpan(span)
            .WithHint(
                "remove `-- strata:split off`, or keep that statement in a migration of "
                "its own; nothing was run");
      }
    }
    const auto& first = stmts.front();
    const auto& last = stmts.back();
    sql::Statement whole;
    whole.text = std::string_view(m.text).substr(first.offset,
                                                 last.offset + last.text.size() - first.offset);
    whole.offset = first.offset;
    whole.line = first.line;
    whole.column = first.column;
    STRATA_ASSIGN_OR_RETURN(PreparedStatement ps, PrepareStatement(whole, ph, m.path));
    p.statements.clear();
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
