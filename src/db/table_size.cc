#include "db/table_size.h"

#include <fmt/format.h>

#include <cstdlib>

namespace strata::db {

namespace {

constexpr std::string_view kPostgresSizes =
    "SELECT n.nspname, c.relname, c.reltuples::bigint, "
    "CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_locks l WHERE l.locktype = 'relation' "
    "AND l.relation = c.oid AND l.mode = 'AccessExclusiveLock') "
    "THEN (c.relpages::bigint + coalesce((SELECT sum(i.relpages) FROM pg_catalog.pg_index x "
    "JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = c.oid), 0) + "
    "coalesce((SELECT t.relpages FROM pg_catalog.pg_class t WHERE t.oid = c.reltoastrelid), "
    "0)) * current_setting('block_size')::bigint "
    "ELSE pg_catalog.pg_total_relation_size(c.oid) END "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r','p','m') AND n.nspname NOT IN ('pg_catalog','information_schema') "
    "AND n.nspname NOT LIKE 'pg_toast%'";

std::int64_t ToInt(const Value& v) { return v ? std::atoll(v->c_str()) : -1; }

}  // namespace

Result<std::vector<TableSize>> ReadTableSizes(Connection& conn, std::string_view table) {
  std::vector<TableSize> out;
  std::string name(
      table.substr(table.rfind('.') == std::string_view::npos ? 0 : table.rfind('.') + 1));
  if (conn.dialect() == Dialect::kPostgres) {
    auto q = name.empty() ? conn.Query(std::string(kPostgresSizes))
                          : conn.Query(fmt::format("{} AND c.relname = $1 AND "
                                                   "pg_catalog.pg_table_is_visible(c.oid) LIMIT 1",
                                                   kPostgresSizes),
                                       {name});
    if (!q) return q.status();
    for (const auto& row : q->rows) {
      if (row.size() < 4 || !row[0] || !row[1]) continue;
      out.push_back({*row[0], *row[1], ToInt(row[2]), ToInt(row[3])});
    }
    return out;
  }
  if (name.empty()) return out;
  auto exists = conn.TableExists("", name);
  if (!exists || !*exists) return out;
  TableSize ts{"main", name};
  auto r = conn.Query(fmt::format("SELECT count(*) FROM {}", QuoteIdent(name)));
  if (r && !r->rows.empty()) ts.rows = ToInt(r->rows[0][0]);
  out.push_back(std::move(ts));
  return out;
}

}  // namespace strata::db
