#include "db/connection.h"

#include "base/redact.h"
#include "base/text.h"
#include "db/postgres/pg_connection.h"
#include "db/sqlite/sqlite_connection.h"

#include <fmt/format.h>

namespace strata::db {

std::string_view DialectName(Dialect d) { return d == Dialect::kSqlite ? "sqlite" : "postgres"; }

Result<DbUrl> ParseUrl(std::string_view url) {
  DbUrl out;
  out.raw = std::string(url);
  out.redacted = base::RedactUrl(url);
  if (base::StartsWithIgnoreCase(url, "postgres://") ||
      base::StartsWithIgnoreCase(url, "postgresql://")) {
    out.dialect = Dialect::kPostgres;
    return out;
  }
  if (base::StartsWithIgnoreCase(url, "sqlite:")) {
    std::string_view rest = url.substr(7);
    if (rest.substr(0, 2) == "//") rest.remove_prefix(2);
    if (rest.empty()) {
      return Status(ErrorCode::kConfig, "sqlite URL without a path")
          .WithHint("use sqlite:path/to/file.db or sqlite::memory:");
    }
    out.dialect = Dialect::kSqlite;
    out.sqlite_path = rest == ":memory:" ? ":memory:" : std::string(rest);
    return out;
  }
  return Status(ErrorCode::kConfig, fmt::format("unsupported database URL '{}'", out.redacted))
      .WithHint("use sqlite:<path>, sqlite::memory:, postgres://user@host:port/db");
}

bool IsTrue(ValueView v) { return v && (*v == "t" || *v == "1" || *v == "true"); }

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

BatchResult Connection::ExecBatchKeeping(const std::vector<std::string_view>& statements,
                                         bool pipeline, const std::vector<bool>&) {
  return ExecBatch(statements, pipeline);
}

Status Connection::Exec(std::string_view sql) {
  auto r = Query(sql);
  return r.status();
}

Result<std::vector<QueryResult>> Connection::QueryPipeline(
    const std::vector<Statement>& statements) {
  std::vector<QueryResult> out;
  out.reserve(statements.size());
  for (const auto& st : statements) {
    STRATA_ASSIGN_OR_RETURN(auto r, Query(st.sql, st.params));
    out.push_back(std::move(r));
  }
  return out;
}

Status Connection::QueryRowsEach(const std::vector<RowQuery>& queries, size_t* failed) {
  for (size_t i = 0; i < queries.size(); ++i) {
    if (Status s = QueryRows(queries[i].sql, {}, queries[i].fn); !s.ok()) {
      if (failed) *failed = i;
      return s;
    }
  }
  return Status::Ok();
}

BatchResult Connection::CopyIn(std::string_view, std::string_view) {
  BatchResult out;
  out.status = Status(ErrorCode::kMigrationFailed,
                      "COPY ... FROM STDIN is PostgreSQL's; this database has no COPY")
                   .WithHint("load the rows with INSERT ... VALUES");
  return out;
}

Result<std::unique_ptr<Connection>> Connect(const DbUrl& url, std::string_view application) {
  if (url.dialect == Dialect::kSqlite) return OpenSqlite(url);
  return ConnectPostgres(url, application);
}

}  // namespace strata::db
