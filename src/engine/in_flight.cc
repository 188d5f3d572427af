#include "engine/in_flight.h"

#include "analysis/facts.h"
#include "analysis/parse.h"
#include "sql/splitter.h"

#include <fmt/format.h>

namespace strata::engine {

namespace {

using Outcome = InFlightVerdict::Outcome;

std::string Qualified(std::string_view schema, std::string_view name) {
  return schema.empty() ? db::QuoteIdent(name)
                        : db::QuoteIdent(schema) + "." + db::QuoteIdent(name);
}

// The first value of the first row, or nullopt when there is no row.
Result<std::optional<std::string>> One(db::Connection& conn, std::string_view sql,
                                       const std::vector<db::Value>& params) {
  STRATA_ASSIGN_OR_RETURN(auto r, conn.Query(sql, params));
  if (r.rows.empty() || r.rows[0].empty()) return std::optional<std::string>();
  return std::optional<std::string>(r.rows[0][0].value_or(""));
}

InFlightVerdict Verdict(Outcome o, std::string evidence, std::string hint = {}) {
  return InFlightVerdict{o, std::move(evidence), std::move(hint)};
}

// A relation in a schema, or visible through the search path when `schema` is empty.
constexpr std::string_view kRelationWhere =
    "c.relname = $1 AND (CASE WHEN $2 = '' THEN pg_catalog.pg_table_is_visible(c.oid) "
    "ELSE n.nspname = $2 END)";

Result<InFlightVerdict> JudgeCreateIndex(db::Connection& conn, analysis::JsonRef stmt) {
  std::string index(stmt["idxname"].Str());
  analysis::TableRef table = analysis::TableRefFromRangeVar(stmt["relation"]);
  if (index.empty()) {
    return Verdict(Outcome::kUnknown,
                   fmt::format("the CREATE INDEX CONCURRENTLY on {} names no index, so strata "
                               "cannot find what it built",
                               table.Display()),
                   fmt::format("look for a new index on {} (`\\d {}` in psql): if it is valid the "
                               "statement took effect; if it is INVALID, drop it with DROP INDEX "
                               "CONCURRENTLY; then resume with --in-flight done or rerun",
                               table.Display(), table.Display()));
  }
  STRATA_ASSIGN_OR_RETURN(
      auto valid, One(conn,
                      fmt::format("SELECT ix.indisvalid FROM pg_catalog.pg_index ix "
                                  "JOIN pg_catalog.pg_class i ON i.oid = ix.indexrelid "
                                  "WHERE i.relname = $3 AND ix.indrelid = (SELECT c.oid FROM "
                                  "pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
                                  "c.relnamespace WHERE {})",
                                  kRelationWhere),
                      {table.name, table.schema, index}));
  std::string shown = fmt::format("index {} on {}", index, table.Display());
  if (!valid) return Verdict(Outcome::kNotRun, shown + " does not exist");
  if (db::IsTrue(*valid)) return Verdict(Outcome::kTookEffect, shown + " exists and is valid");
  return Verdict(
      Outcome::kUnknown,
      shown +
          " exists but is INVALID: the interrupted CREATE INDEX CONCURRENTLY left it "
          "half-built",
      fmt::format("drop it with `DROP INDEX CONCURRENTLY {};`, then `strata migrate --resume` "
                  "builds it again",
                  Qualified(table.schema, index)));
}

Result<InFlightVerdict> JudgeDropIndex(db::Connection& conn, analysis::JsonRef stmt) {
  analysis::JsonRef objects = stmt["objects"];
  if (objects.size() != 1) {
    return Verdict(Outcome::kUnknown, "the DROP INDEX CONCURRENTLY names several indexes",
                   "check which of them still exist, then resume with --in-flight done or rerun");
  }
  analysis::JsonRef items = objects.At(0)["List"]["items"];
  std::vector<std::string_view> parts;
  for (size_t i = 0; i < items.size(); ++i) parts.push_back(items.At(i)["String"]["sval"].Str());
  std::string_view name = parts.empty() ? "" : parts.back();
  std::string_view schema = parts.size() > 1 ? parts[parts.size() - 2] : "";
  STRATA_ASSIGN_OR_RETURN(
      auto found,
      One(conn,
          fmt::format("SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON "
                      "n.oid = c.relnamespace WHERE c.relkind IN ('i', 'I') AND {}",
                      kRelationWhere),
          {std::string(name), std::string(schema)}));
  std::string shown = fmt::format("index {}", Qualified(schema, name));
  if (found) return Verdict(Outcome::kNotRun, shown + " still exists");
  return Verdict(Outcome::kTookEffect, shown + " no longer exists");
}

// An object in a shared catalog that the statement creates (or drops).
Result<InFlightVerdict> JudgeShared(db::Connection& conn, std::string_view what,
                                    std::string_view catalog, std::string_view column,
                                    std::string_view name, bool creates) {
  STRATA_ASSIGN_OR_RETURN(
      auto found,
      One(conn, fmt::format("SELECT 1 FROM pg_catalog.{} WHERE {} = $1", catalog, column),
          {std::string(name)}));
  std::string shown = fmt::format("{} {}", what, name);
  if (found.has_value() == creates) {
    return Verdict(Outcome::kTookEffect, shown + (creates ? " exists" : " no longer exists"));
  }
  return Verdict(Outcome::kNotRun, shown + (creates ? " does not exist" : " still exists"));
}

Result<InFlightVerdict> JudgePostgres(db::Connection& conn, std::string_view sql) {
  analysis::ParsedSnippet parsed = analysis::ParseSnippet(std::string(sql));
  if (parsed.statements.size() != 1) {
    return Verdict(Outcome::kUnknown, "strata cannot parse the statement to look for its effect",
                   "check by hand whether it took effect, then resume with --in-flight done "
                   "or rerun");
  }
  analysis::JsonRef node = parsed.statements[0];
  std::string_view type = node.NodeType();
  analysis::JsonRef body = node.NodeBody();
  if (type == "IndexStmt") return JudgeCreateIndex(conn, body);
  if (type == "DropStmt" && body["removeType"].Str() == "OBJECT_INDEX") {
    return JudgeDropIndex(conn, body);
  }
  if (type == "CreatedbStmt") {
    return JudgeShared(conn, "database", "pg_database", "datname", body["dbname"].Str(), true);
  }
  if (type == "DropdbStmt") {
    return JudgeShared(conn, "database", "pg_database", "datname", body["dbname"].Str(), false);
  }
  if (type == "CreateTableSpaceStmt") {
    return JudgeShared(conn, "tablespace", "pg_tablespace", "spcname", body["tablespacename"].Str(),
                       true);
  }
  if (type == "DropTableSpaceStmt") {
    return JudgeShared(conn, "tablespace", "pg_tablespace", "spcname", body["tablespacename"].Str(),
                       false);
  }
  if (type == "CreateSubscriptionStmt") {
    return JudgeShared(conn, "subscription", "pg_subscription", "subname", body["subname"].Str(),
                       true);
  }
  if (type == "DropSubscriptionStmt") {
    return JudgeShared(conn, "subscription", "pg_subscription", "subname", body["subname"].Str(),
                       false);
  }
  if (type == "VacuumStmt" || type == "AlterSystemStmt" || type == "CheckPointStmt" ||
      type == "ClusterStmt") {
    return Verdict(Outcome::kRerunSafe, "running it again is harmless");
  }
  if (type == "ReindexStmt") {
    return Verdict(Outcome::kRerunSafe,
                   "running it again is harmless (an interrupted REINDEX CONCURRENTLY may leave "
                   "invalid *_ccnew indexes to drop by hand)");
  }
  return Verdict(Outcome::kUnknown,
                 fmt::format("strata has no catalog check for {}", type.empty() ? "it" : type),
                 "check by hand whether it took effect, then resume with --in-flight done or "
                 "rerun");
}

}  // namespace

bool IsSessionSetting(std::string_view sql, db::Dialect dialect) {
  auto w = sql::StatementWords(sql, 3, dialect);
  auto at = [&](size_t i) -> std::string_view { return i < w.size() ? w[i] : std::string_view(); };
  if (dialect == db::Dialect::kSqlite) {
    return at(0) == "PRAGMA" && sql.find('=') != std::string_view::npos;
  }
  if (at(0) == "RESET") return true;
  if (at(0) != "SET") return false;
  // SET LOCAL ends with its transaction; SET TRANSACTION / CONSTRAINTS act on one.
  return at(1) != "LOCAL" && at(1) != "TRANSACTION" && at(1) != "CONSTRAINTS";
}

Result<InFlightVerdict> JudgeInFlight(db::Connection& conn, std::string_view sql) {
  if (conn.dialect() == db::Dialect::kPostgres) return JudgePostgres(conn, sql);
  // SQLite's statements that run outside a transaction are settings and maintenance.
  return Verdict(Outcome::kRerunSafe, "running it again is harmless");
}

}  // namespace strata::engine
