#include "identifiers/live.h"

#include "base/duration.h"
#include "base/text.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <optional>
#include <regex>

namespace strata::identifiers {

namespace {

using db::Dialect;
using db::QuoteIdent;

constexpr std::string_view kUuidRe =
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
constexpr std::string_view kIntegerRe = "^-?[0-9]+$";

std::string_view ClosestOf(std::string_view word, const std::vector<std::string>& names) {
  std::vector<std::string_view> views(names.begin(), names.end());
  std::string_view m = base::ClosestMatch(word, views);
  if (m.empty()) {  // a difference of case only is further than 3 edits on long names
    for (std::string_view n : views) {
      if (base::EqualsIgnoreCase(n, word)) return n;
    }
  }
  return m;
}

Status Problem(const Contract& c, std::string message, std::string hint) {
  Status s =
      Status(ErrorCode::kConfig, std::move(message)).WithSpan(SourceSpan{c.file, c.line, c.column});
  if (!hint.empty()) s = std::move(s).WithHint(std::move(hint));
  return s;
}

Result<std::vector<std::string>> Strings(db::Connection& conn, std::string_view sql,
                                         const std::vector<db::Value>& params) {
  STRATA_ASSIGN_OR_RETURN(auto r, conn.Query(sql, params));
  std::vector<std::string> out;
  for (auto& row : r.rows) {
    if (!row.empty() && row[0]) out.push_back(*row[0]);
  }
  return out;
}

// The tables a contract's table could have meant: in its schema (or visible, without one).
Result<std::vector<std::string>> TableNames(db::Connection& conn, const Contract& c) {
  if (conn.dialect() == Dialect::kPostgres) {
    return Strings(conn,
                   "SELECT c.relname FROM pg_class c "
                   "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN "
                   "('r','p','v','m','f') AND (($1 = '' AND pg_table_is_visible(c.oid)) OR "
                   "n.nspname = $1) ORDER BY 1",
                   {c.schema});
  }
  std::string schema = c.schema.empty() ? "main" : c.schema;
  return Strings(conn,
                 fmt::format("SELECT name FROM {}.sqlite_schema WHERE type IN ('table','view') "
                             "ORDER BY 1",
                             QuoteIdent(schema)),
                 {});
}

// The table's columns; nullopt when the table does not exist.
Result<std::optional<std::vector<std::string>>> ColumnNames(db::Connection& conn,
                                                            const Contract& c) {
  if (conn.dialect() == Dialect::kPostgres) {
    STRATA_ASSIGN_OR_RETURN(
        auto oid, Strings(conn,
                          "SELECT c.oid::text FROM pg_class c JOIN pg_namespace n ON n.oid = "
                          "c.relnamespace WHERE c.relkind IN ('r','p','v','m','f') AND "
                          "c.relname = $2 AND (($1 = '' AND pg_table_is_visible(c.oid)) OR "
                          "n.nspname = $1)",
                          {c.schema, c.table}));
    if (oid.empty()) return std::optional<std::vector<std::string>>();
    STRATA_ASSIGN_OR_RETURN(auto cols, Strings(conn,
                                               "SELECT attname FROM pg_attribute WHERE attrelid "
                                               "= $1::oid AND attnum > 0 AND NOT attisdropped "
                                               "ORDER BY attnum",
                                               {oid[0]}));
    return std::optional<std::vector<std::string>>(std::move(cols));
  }
  std::string schema = c.schema.empty() ? "main" : c.schema;
  STRATA_ASSIGN_OR_RETURN(
      auto found,
      Strings(conn,
              fmt::format("SELECT name FROM {}.sqlite_schema WHERE type IN ('table','view') AND "
                          "name = $1",
                          QuoteIdent(schema)),
              {c.table}));
  if (found.empty()) return std::optional<std::vector<std::string>>();
  STRATA_ASSIGN_OR_RETURN(
      auto cols,
      Strings(conn, "SELECT name FROM pragma_table_info($1, $2) ORDER BY cid", {c.table, schema}));
  return std::optional<std::vector<std::string>>(std::move(cols));
}

// md5 of `text`, its first 8 bytes as a big-endian 64-bit integer (SQLite's digest).
std::int64_t Hash64(std::string_view text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), md, &len, EVP_md5(), nullptr);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | md[i];
  return static_cast<std::int64_t>(v);
}

// The column's type as format_type writes it ("bigint", "uuid", "text"), "" when unknown.
Result<std::string> ColumnType(db::Connection& conn, const Contract& c, const std::string& col) {
  STRATA_ASSIGN_OR_RETURN(
      auto r, conn.Query("SELECT format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = "
                         "$1::regclass AND attname = $2 AND NOT attisdropped",
                         {TableRef(c), col}));
  return r.rows.empty() || !r.rows[0][0] ? std::string() : *r.rows[0][0];
}

// Whether a valid unique index (no predicate, no expression) covers exactly the contract's
// columns: then no non-NULL value repeats, and the digest needs no DISTINCT (a sort).
Result<bool> UniqueIndexed(db::Connection& conn, const Contract& c) {
  std::vector<std::string> cols = c.columns;
  std::sort(cols.begin(), cols.end());
  std::string want;
  for (const auto& col : cols) want += (want.empty() ? "" : ",") + col;
  STRATA_ASSIGN_OR_RETURN(
      auto r,
      conn.Query("SELECT count(*) FROM pg_index i WHERE i.indrelid = $1::regclass AND "
                 "i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL "
                 "AND i.indnkeyatts = $2::int AND (SELECT string_agg(a.attname::text, ',' ORDER "
                 "BY a.attname::text COLLATE \"C\") FROM pg_attribute a WHERE a.attrelid = "
                 "i.indrelid AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1])) = $3",
                 {TableRef(c), std::to_string(cols.size()), want}));
  return !r.rows.empty() && r.rows[0][0] && *r.rows[0][0] != "0";
}

bool Collatable(std::string_view type) {
  return type == "text" || type == "character varying" || type == "character" || type == "name";
}

// A decimal integer (possibly negative, beyond 64 bits) modulo 2^64.
std::uint64_t Mod64(std::string_view dec) {
  bool neg = !dec.empty() && dec[0] == '-';
  std::uint64_t v = 0;
  for (char ch : dec.substr(neg ? 1 : 0)) {
    if (ch < '0' || ch > '9') break;
    v = v * 10 + static_cast<std::uint64_t>(ch - '0');  // wraps: arithmetic modulo 2^64
  }
  return neg ? ~v + 1 : v;
}

// The pieces of a PostgreSQL digest of one contract: the NULL test, the text (as IdText), the
// DISTINCT key and the format predicate (empty where the column types guarantee the format, or
// when neither duplicates nor the format are wanted: the types are then not looked up).
struct PgPieces {
  std::string anynull, text, key, ok;
};

Result<PgPieces> Pieces(db::Connection& conn, const Contract& c, DigestOptions o) {
  PgPieces p;
  for (size_t i = 0; i < c.columns.size(); ++i) {
    std::string q = QuoteIdent(c.columns[i]);
    p.anynull += fmt::format("{}{} IS NULL", i ? " OR " : "", q);
    p.text += fmt::format("{}{}::text", i ? " || chr(31) || " : "", q);
    if (!o.duplicates && !o.format) continue;  // the type matters to neither
    STRATA_ASSIGN_OR_RETURN(std::string type, ColumnType(conn, c, c.columns[i]));
    // Byte order for DISTINCT: the same equality (deterministic collations compare bytes for
    // equality), without the collation's costly comparisons.
    p.key += fmt::format("{}{}{}", i ? ", " : "", q, Collatable(type) ? " COLLATE \"C\"" : "");
    std::string pred;
    switch (c.format.kind) {
      case FormatKind::kUuid:
        if (type != "uuid") pred = fmt::format("{}::text ~ {}", q, db::QuoteLiteral(kUuidRe));
        break;
      case FormatKind::kInteger:
        if (type != "smallint" && type != "integer" && type != "bigint") {
          pred = fmt::format("{}::text ~ {}", q, db::QuoteLiteral(kIntegerRe));
        }
        break;
      case FormatKind::kRegex:
        pred = fmt::format("{}::text ~ {}", q, db::QuoteLiteral(c.format.pattern));
        break;
      case FormatKind::kPrefix:
        // LIKE on bytes (COLLATE "C") takes about a third of starts_with's CPU per value; the
        // same test when the prefix holds none of LIKE's special characters.
        if (c.format.pattern.find_first_of("%_\\") == std::string::npos) {
          pred = fmt::format("{}::text COLLATE \"C\" LIKE {}", q,
                             db::QuoteLiteral(c.format.pattern + "%"));
        } else {
          pred = fmt::format("starts_with({}::text, {})", q, db::QuoteLiteral(c.format.pattern));
        }
        break;
      case FormatKind::kAny:
        break;
    }
    if (pred.empty() || !o.format) continue;
    p.ok += fmt::format("{}({})", p.ok.empty() ? "" : " AND ", pred);
  }
  return p;
}

// One aggregate query, no subquery: PostgreSQL's hashtextextended (the hash its hash indexes
// and partitions use, 64 bits) of each value's text, summed (an int128 accumulator); the
// format is checked only where the column's type does not already guarantee it (a uuid column
// holds uuids, an integer column integers).
Result<Digest> PostgresDigest(db::Connection& conn, const Contract& c, DigestOptions o) {
  STRATA_ASSIGN_OR_RETURN(PgPieces pieces, Pieces(conn, c, o));
  const std::string &anynull = pieces.anynull, &text = pieces.text, &key = pieces.key,
                    &ok = pieces.ok;
  const bool all_typed = ok.empty();
  bool unique = !o.duplicates;  // not counted: no DISTINCT either
  if (!unique) {
    STRATA_ASSIGN_OR_RETURN(unique, UniqueIndexed(conn, c));
  }
  // Counted only if free: without a unique index, not counted (-1) and no DISTINCT.
  const bool counted = o.duplicates && (o.sort || unique);
  if (!counted) unique = true;
  std::string sql;
  const std::string bad =
      all_typed ? std::string("0") : fmt::format("count(*) FILTER (WHERE NOT ({}))", ok);
  if (c.columns.size() == 1) {
    // count(col) skips NULLs, hashtextextended(NULL) is NULL and sum skips it.
    const std::string q = QuoteIdent(c.columns[0]);
    sql = fmt::format(
        "SELECT count(*), count(*) - count({0}), {1}, {2}, sum(hashtextextended({3}, 0)) FROM {4}",
        q, unique ? std::string("0") : fmt::format("count({}) - count(DISTINCT {})", q, key), bad,
        text, TableRef(c));
  } else {
    sql = fmt::format(
        "SELECT count(*), count(*) FILTER (WHERE {0}), {1}, {2}, "
        "sum(hashtextextended({3}, 0)) FROM {4}",
        anynull,
        unique ? std::string("0")
               : fmt::format("count(*) FILTER (WHERE NOT ({0})) - count(DISTINCT ROW({1})) "
                             "FILTER (WHERE NOT ({0}))",
                             anynull, key),
        all_typed ? std::string("0")
                  : fmt::format("count(*) FILTER (WHERE NOT ({}) AND NOT ({}))", anynull, ok),
        text, TableRef(c));
  }
  STRATA_ASSIGN_OR_RETURN(auto r, conn.Query(sql));
  Digest d;
  const auto& row = r.rows.at(0);
  auto num = [&](size_t i) { return row[i] ? std::stoll(*row[i]) : 0; };
  d.rows = num(0);
  d.nulls = num(1);
  d.duplicates = counted ? num(2) : -1;
  d.format_violations = o.format ? num(3) : -1;
  d.digest = fmt::format("{:016x}", row[4] ? Mod64(*row[4]) : 0);
  return d;
}

// Heap blocks per row of a kept before set: 512 kB of the table, at most some 18,000 ids.
constexpr int kKeptBlocks = 64;

Result<std::optional<Digest>> PostgresDigestKeepingSet(db::Connection& conn, const Contract& c,
                                                       const std::string& kept) {
  // TID range scans came with PostgreSQL 14: before, each range below would be a scan of the
  // whole table.
  if (conn.ServerMajorVersion() < 14) return std::optional<Digest>();
  // A plain table of at most a quarter of shared_buffers: the TID range scans below read
  // through shared buffers without the ring a larger table's sequential scan gets (so as not
  // to evict the server's cache): PostgreSQL's own threshold for that ring.
  STRATA_ASSIGN_OR_RETURN(
      auto fits,
      Strings(conn,
              "SELECT coalesce((SELECT 'lz4' = ANY (enumvals) FROM pg_settings WHERE name = "
              "'default_toast_compression'), false)::text FROM pg_class c WHERE c.oid = "
              "$1::regclass AND c.relkind = 'r' AND pg_relation_size(c.oid) <= (SELECT "
              "setting::bigint FROM pg_settings WHERE name = 'shared_buffers') * "
              "current_setting('block_size')::bigint / 4",
              {TableRef(c)}));
  if (fits.empty()) return std::optional<Digest>();
  const bool lz4 = fits[0] == "true";
  STRATA_ASSIGN_OR_RETURN(PgPieces p, Pieces(conn, c, {.duplicates = false}));
  STRATA_ASSIGN_OR_RETURN(bool unique, UniqueIndexed(conn, c));
  // No JIT: the nested loop's estimate (a thousand ranges) would compile it, for ~10 ms. The
  // arrays compressed with lz4 where the server has it: pglz doubles the statement's CPU. (No
  // ALTER TABLE ... SET STORAGE EXTERNAL, as cheap: a user's event trigger on ALTER TABLE would
  // fire before the before set is read.)
  STRATA_TRY(conn.Exec(fmt::format(
      "SET jit = off; DROP TABLE IF EXISTS pg_temp.{0}; CREATE TEMP TABLE {0} (n bigint, nulls "
      "bigint, bad bigint, h numeric, ids text[]{1})",
      kept, lz4 ? " COMPRESSION lz4" : "")));
  // The text is NULL exactly when a column is (`||` and the casts keep NULLs).
  const std::string bad =
      p.ok.empty() ? std::string("0")
                   : fmt::format("count(*) FILTER (WHERE NOT ({}) AND NOT ({}))", p.anynull, p.ok);
  // One row per kKeptBlocks heap blocks (a TID range scan each), the last range open-ended:
  // every row version the statement's snapshot sees is in exactly one range.
  STRATA_ASSIGN_OR_RETURN(
      auto r,
      conn.Query(fmt::format(
          "WITH s AS (INSERT INTO {0} SELECT x.* FROM (SELECT pg_relation_size({1}::regclass) / "
          "current_setting('block_size')::bigint / {2} AS last) k, generate_series(0, k.last) "
          "b, LATERAL (SELECT count(*), count(*) - count({3}), {4}, sum(hashtextextended({3}, "
          "0)), array_agg({3}) FROM {5} WHERE ctid >= format('(%s,0)', b * {2})::tid AND ctid "
          "< CASE WHEN b = k.last THEN '(4294967295,0)'::tid ELSE format('(%s,0)', (b + 1) * "
          "{2})::tid END) x RETURNING n, nulls, bad, h) SELECT coalesce(sum(n), 0), "
          "coalesce(sum(nulls), 0), coalesce(sum(bad), 0), sum(h) FROM s",
          kept, db::QuoteLiteral(TableRef(c)), kKeptBlocks, p.text, bad, TableRef(c))));
  STRATA_TRY(conn.Exec("RESET jit"));
  Digest d;
  const auto& row = r.rows.at(0);
  auto num = [&](size_t i) { return row[i] ? std::stoll(*row[i]) : 0; };
  d.rows = num(0);
  d.nulls = num(1);
  d.duplicates = unique ? 0 : -1;
  d.format_violations = num(2);
  d.digest = fmt::format("{:016x}", row[3] ? Mod64(*row[3]) : 0);
  return std::optional<Digest>(std::move(d));
}

Result<Digest> SqliteDigest(db::Connection& conn, const Contract& c, DigestOptions o) {
  std::optional<std::regex> re;
  switch (o.format ? c.format.kind : FormatKind::kAny) {
    case FormatKind::kUuid:
      re.emplace(std::string(kUuidRe), std::regex::extended);
      break;
    case FormatKind::kInteger:
      re.emplace(std::string(kIntegerRe), std::regex::extended);
      break;
    case FormatKind::kRegex:
      re.emplace(c.format.pattern, std::regex::extended);
      break;
    default:
      break;
  }
  std::string cols;
  for (size_t i = 0; i < c.columns.size(); ++i) {
    cols += fmt::format("{}CAST({} AS TEXT)", i ? ", " : "", QuoteIdent(c.columns[i]));
  }
  // Ordered, so a duplicate is the row before it: one pass, one previous value in memory.
  // (No unique index shortcut here: without `sort`, the duplicates are not counted.)
  const bool count_duplicates = o.duplicates && o.sort;
  const std::string sql = fmt::format("SELECT {0} FROM {1}{2}", cols, TableRef(c),
                                      count_duplicates ? " ORDER BY " + cols : std::string());
  Digest d;
  if (!count_duplicates) d.duplicates = -1;
  std::uint64_t sum = 0;
  std::string prev, text;
  bool have_prev = false;
  STRATA_TRY(conn.QueryRows(sql, {}, [&](std::span<const db::ValueView> row) {
    ++d.rows;
    text.clear();
    bool null = false, bad = false;
    for (size_t i = 0; i < row.size(); ++i) {
      if (!row[i]) {
        null = true;
        break;
      }
      if (i) text += '\x1f';
      text += *row[i];
      if (re) {
        bad = bad || !std::regex_search(row[i]->begin(), row[i]->end(), *re);
      } else if (o.format && c.format.kind == FormatKind::kPrefix) {
        bad = bad || !row[i]->starts_with(c.format.pattern);
      }
    }
    if (null) {
      ++d.nulls;
      return;
    }
    if (bad) ++d.format_violations;
    if (count_duplicates) {
      if (have_prev && text == prev) ++d.duplicates;
      prev = text;
      have_prev = true;
    }
    sum += static_cast<std::uint64_t>(Hash64(text));  // modulo 2^64
  }));
  d.digest = fmt::format("{:016x}", sum);
  if (!o.format) d.format_violations = -1;
  return d;
}

}  // namespace

bool Digest::Same(const Digest& o) const { return SameValues(o) && duplicates == o.duplicates; }

bool Digest::SameSet(const Digest& o) const {
  return rows == o.rows && nulls == o.nulls && digest == o.digest;
}

bool Digest::SameValues(const Digest& o) const {
  return rows == o.rows && nulls == o.nulls && format_violations == o.format_violations &&
         digest == o.digest;
}

std::string TableRef(const Contract& c) {
  return c.schema.empty() ? QuoteIdent(c.table) : QuoteIdent(c.schema) + "." + QuoteIdent(c.table);
}

std::string IdText(const Contract& c, Dialect dialect) {
  std::string out;
  for (size_t i = 0; i < c.columns.size(); ++i) {
    if (i) out += dialect == Dialect::kPostgres ? " || chr(31) || " : " || char(31) || ";
    out += dialect == Dialect::kPostgres
               ? fmt::format("{}::text", QuoteIdent(c.columns[i]))
               : fmt::format("CAST({} AS TEXT)", QuoteIdent(c.columns[i]));
  }
  return out;
}

std::string AnyNull(const Contract& c) {
  std::string out;
  for (size_t i = 0; i < c.columns.size(); ++i) {
    out += fmt::format("{}{} IS NULL", i ? " OR " : "", QuoteIdent(c.columns[i]));
  }
  return out;
}

Result<std::vector<SchemaProblem>> CheckSchema(db::Connection& conn, const Contracts& contracts) {
  std::vector<SchemaProblem> out;
  for (const Contract& c : contracts.all()) {
    STRATA_ASSIGN_OR_RETURN(auto cols, ColumnNames(conn, c));
    if (!cols) {
      STRATA_ASSIGN_OR_RETURN(auto names, TableNames(conn, c));
      std::string_view near = ClosestOf(c.table, names);
      out.push_back(
          {c.name,
           Problem(c,
                   fmt::format(
                       "identifier `{}`: table {} does not exist{}", c.name, c.QualifiedTable(),
                       near.empty() ? std::string() : fmt::format(" (did you mean `{}`?)", near)),
                   near.empty()
                       ? "fix table in the identifiers file, or apply the migration "
                         "that creates it first"
                       : fmt::format("fix table in the identifiers file: table = \"{}\"",
                                     c.schema.empty() ? std::string(near)
                                                      : c.schema + "." + std::string(near)))});
      continue;
    }
    auto missing = [&](const std::string& col, std::string_view role) {
      for (const auto& have : *cols) {
        if (have == col) return;
      }
      std::string_view near = ClosestOf(col, *cols);
      out.push_back(
          {c.name,
           Problem(c,
                   fmt::format(
                       "identifier `{}`: {} column {} of {} does not exist{}", c.name, role, col,
                       c.QualifiedTable(),
                       near.empty() ? std::string() : fmt::format(" (did you mean `{}`?)", near)),
                   near.empty() ? fmt::format("the table has: {}", fmt::join(*cols, ", "))
                                : fmt::format("fix the {} column in the identifiers file: \"{}\"",
                                              role, near))});
    };
    for (const auto& col : c.columns) missing(col, "identifier");
    if (!c.tombstone_column.empty()) missing(c.tombstone_column, "tombstone");
  }
  return out;
}

Result<std::optional<Digest>> DigestKeepingSet(db::Connection& conn, const Contract& c,
                                               const std::string& kept) {
  if (conn.dialect() != Dialect::kPostgres) return std::optional<Digest>();
  const auto t0 = base::MonotonicMillis();
  auto d = PostgresDigestKeepingSet(conn, c, kept);
  if (!d.ok()) {
    return Status(d.status().code(), fmt::format("identifier `{}`: digest of {} failed: {}", c.name,
                                                 c.Target(), d.status().message()))
        .WithHint("run `strata identifiers check` to compare the contract with the schema");
  }
  if (*d) {
    (*d)->identifier = c.name;
    (*d)->table = c.Target();
    (*d)->duration_ms = base::MonotonicMillis() - t0;
  }
  return d;
}

std::string KeptSet(const std::string& kept) {
  return fmt::format("SELECT u.id FROM {}, unnest(ids) AS u(id) WHERE u.id IS NOT NULL", kept);
}

Result<Digest> ComputeDigest(db::Connection& conn, const Contract& c, DigestOptions o) {
  const auto t0 = base::MonotonicMillis();
  auto d =
      conn.dialect() == Dialect::kPostgres ? PostgresDigest(conn, c, o) : SqliteDigest(conn, c, o);
  if (!d.ok()) {
    return Status(d.status().code(), fmt::format("identifier `{}`: digest of {} failed: {}", c.name,
                                                 c.Target(), d.status().message()))
        .WithHint("run `strata identifiers check` to compare the contract with the schema");
  }
  d->identifier = c.name;
  d->table = c.Target();
  d->duration_ms = base::MonotonicMillis() - t0;
  return d;
}

}  // namespace strata::identifiers
