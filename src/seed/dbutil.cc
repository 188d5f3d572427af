#include "seed/dbutil.h"

#include "base/text.h"

#include <fmt/format.h>

#include <cctype>
#include <random>

namespace strata::seed {

bool IsPlainIdent(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

Result<std::vector<ColumnInfo>> TableColumns(db::Connection& conn, std::string_view table) {
  std::vector<ColumnInfo> out;
  db::QueryResult r;
  if (conn.dialect() == db::Dialect::kPostgres) {
    STRATA_ASSIGN_OR_RETURN(
        r, conn.Query("SELECT column_name, data_type FROM information_schema.columns "
                      "WHERE table_schema = current_schema() AND table_name = $1 "
                      "ORDER BY ordinal_position",
                      {std::string(table)}));
  } else {
    STRATA_ASSIGN_OR_RETURN(r,
                            conn.Query("SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
                                       {std::string(table)}));
  }
  for (const auto& row : r.rows) {
    ColumnInfo c;
    c.name = row[0].value_or("");
    c.type = base::ToLower(row[1].value_or(""));
    c.boolean = c.type.find("bool") != std::string::npos;
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<std::string> BindValue(db::Dialect d, const ColumnInfo* column,
                                     const std::optional<std::string>& value) {
  if (!value || d != db::Dialect::kSqlite || !column || !column->boolean) return value;
  std::string v = base::ToLower(*value);
  if (v == "true" || v == "t") return std::string("1");
  if (v == "false" || v == "f") return std::string("0");
  return value;
}

std::string NullSafeEq(db::Dialect d, std::string_view lhs, int n) {
  if (d == db::Dialect::kPostgres) return fmt::format("({} IS NOT DISTINCT FROM ${})", lhs, n);
  return fmt::format("({} IS ${})", lhs, n);
}

bool IsFalse(const std::optional<std::string>& v) {
  if (!v) return false;
  std::string s = base::ToLower(*v);
  return s == "false" || s == "f" || s == "0";
}

std::string NewUuid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t a = rng(), b = rng();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  std::string h = fmt::format("{:016x}{:016x}", a, b);
  return fmt::format("{}-{}-{}-{}-{}", h.substr(0, 8), h.substr(8, 4), h.substr(12, 4),
                     h.substr(16, 4), h.substr(20, 12));
}

}  // namespace strata::seed
