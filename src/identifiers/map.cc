#include "identifiers/map.h"

#include "base/duration.h"
#include "base/file.h"
#include "base/sha256.h"
#include "db/connection.h"
#include "ledger/ledger.h"
#include "session/session.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <optional>

#include "identifiers/contract.h"

namespace strata::identifiers {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRegistry = "strata_id_mapping";
constexpr const char* kStateFilling = "filling";      // stored: never rename
constexpr const char* kStatePublished = "published";  // stored: never rename

// SQL literal 'text'.
// A TOML basic string "text".
std::string TomlStr(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string MapTable(const std::string& name) { return "strata_idmap_" + name; }

// What a mapping's SQL spells differently on PostgreSQL and SQLite. Times are timestamptz on
// PostgreSQL and ISO 8601 UTC text (milliseconds) on SQLite.
struct Dialect {
  bool pg = true;
  explicit Dialect(const db::Connection& conn) : pg(conn.dialect() == db::Dialect::kPostgres) {}
  std::string Text(std::string_view e) const {
    return pg ? fmt::format("({})::text", e) : fmt::format("CAST({} AS TEXT)", e);
  }
  std::string_view Sep() const { return pg ? "chr(31)" : "char(31)"; }
  std::string Now() const { return pg ? "now()" : "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"; }
  std::string NowPlus(std::int64_t ms) const {
    return pg ? fmt::format("now() + interval '{} milliseconds'", ms)
              : fmt::format("strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+{} seconds')", ms / 1000);
  }
  std::string_view Time() const { return pg ? "timestamptz" : "text"; }
  bool Pg() const { return pg; }
};

// An identifier's value as a mapping stores it, over the row `alias`: one column's text, or a
// composite identifier's columns' texts joined by U+001F (the form the digest hashes), so one
// text key stands for the tuple (docs/formats/identifiers.md).
std::string KeyText(const std::vector<std::string>& cols, std::string_view alias, Dialect d) {
  std::string out;
  for (const auto& c : cols) {
    if (!out.empty()) out += fmt::format(" || {} || ", d.Sep());
    out += d.Pg() ? fmt::format("{}.{}::text", alias, db::QuoteIdent(c))
                  : d.Text(fmt::format("{}.{}", alias, db::QuoteIdent(c)));
  }
  return out;
}

// The row has a value: no column of the identifier is NULL.
std::string KeyNotNull(const std::vector<std::string>& cols, std::string_view alias) {
  std::string out;
  for (const auto& c : cols) {
    out += fmt::format("{}{}.{} IS NOT NULL", out.empty() ? "" : " AND ", alias, db::QuoteIdent(c));
  }
  return out;
}

// The read view: any id (an old one while the mapping is published and within the stability
// window, or a new one) → the current id. A composite identifier's view also splits the id into
// one text column per identifier column, so a consumer looks a tuple up by its parts.
std::string LookupViewSql(const std::string& m, const Contract& c, Dialect d) {
  std::string body = fmt::format(
      "SELECT m.old_id AS id, m.new_id AS current_id, true AS superseded, m.since, m.why FROM "
      "{0} m JOIN strata_id_mapping r ON r.name = {1} WHERE m.new_id IS NOT NULL AND r.status = "
      "'published' AND (r.resolvable_until IS NULL OR {2} < r.resolvable_until) UNION ALL "
      "SELECT DISTINCT m.new_id, m.new_id, false, {3}, {4} FROM {0} m "
      "WHERE m.new_id IS NOT NULL",
      m, db::QuoteLiteral(c.name), d.Now(), d.pg ? "NULL::timestamptz" : "NULL",
      d.pg ? "NULL::text" : "NULL");
  if (c.columns.size() > 1) {
    std::string parts;
    // SQLite has no split_part: part i is what precedes the first separator of the rest after
    // i - 1 separators (the rest is nested, fine for the few columns of an identifier).
    std::string rest = "l.id";
    for (size_t i = 0; i < c.columns.size(); ++i) {
      std::string part;
      if (d.pg) {
        part = fmt::format("split_part(l.id, chr(31), {})", i + 1);
      } else {
        part = i + 1 == c.columns.size()
                   ? rest
                   : fmt::format("substr({0}, 1, instr({0}, char(31)) - 1)", rest);
        rest = fmt::format("substr({0}, instr({0}, char(31)) + 1)", rest);
      }
      parts += fmt::format(", {} AS {}", part, db::QuoteIdent(c.columns[i]));
    }
    body = fmt::format("SELECT l.*{} FROM ({}) l", parts, body);
  }
  return fmt::format("CREATE VIEW {}_lookup AS {}", m, body);
}

// "a, b" → {"a", "b"}; the registry stores column lists joined by ",".
std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// The registry and, on PostgreSQL, the guard function (per mapping: nothing else). Idempotent.
std::vector<std::string> RegistryDdl(Dialect d) {
  if (d.pg) {
    return {
        R"sql(
CREATE TABLE IF NOT EXISTS strata_id_mapping (
  name text PRIMARY KEY,
  source_table text NOT NULL,
  source_column text NOT NULL,  -- composite: the columns joined by ","
  new_expr text NOT NULL,
  home_column text,             -- composite: the columns joined by ","
  why text NOT NULL,
  map_table text NOT NULL,
  job_file text NOT NULL,
  status text NOT NULL DEFAULT 'filling',
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL DEFAULT current_user,
  published_at timestamptz,
  published_by text,
  old_ids bigint,
  chain_head text,
  resolvable_until timestamptz,
  merges boolean NOT NULL DEFAULT false
))sql",
        R"sql(CREATE OR REPLACE FUNCTION strata_idmap_guard() RETURNS trigger LANGUAGE plpgsql AS $strata$
BEGIN
  IF EXISTS (SELECT 1 FROM strata_id_mapping WHERE map_table = TG_TABLE_NAME
             AND status = 'published') THEN
    RAISE EXCEPTION 'strata: % is a published identifier mapping; it is never edited',
      TG_TABLE_NAME
      USING HINT = 'a published mapping is final: re-key again through a new mapping '
                   '(strata identifiers map create)';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$strata$)sql"};
  }
  return {R"sql(
CREATE TABLE IF NOT EXISTS strata_id_mapping (
  name text PRIMARY KEY NOT NULL,
  source_table text NOT NULL,
  source_column text NOT NULL,
  new_expr text NOT NULL,
  home_column text,
  why text NOT NULL,
  map_table text NOT NULL,
  job_file text NOT NULL,
  status text NOT NULL DEFAULT 'filling',
  created_at text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  created_by text NOT NULL DEFAULT '',
  published_at text,
  published_by text,
  old_ids integer,
  chain_head text,
  resolvable_until text,
  merges boolean NOT NULL DEFAULT false
))sql"};
}

// The guard of one mapping table: refuses every edit once the mapping is published.
std::vector<std::string> GuardDdl(const std::string& m, Dialect d) {
  if (d.pg) {
    return {fmt::format("CREATE TRIGGER strata_idmap_guard BEFORE INSERT OR UPDATE OR DELETE ON "
                        "{} FOR EACH ROW EXECUTE FUNCTION strata_idmap_guard()",
                        m),
            fmt::format("CREATE TRIGGER strata_idmap_guard_truncate BEFORE TRUNCATE ON {} FOR "
                        "EACH STATEMENT EXECUTE FUNCTION strata_idmap_guard()",
                        m)};
  }
  std::vector<std::string> out;
  for (std::string_view op : {"insert", "update", "delete"}) {
    out.push_back(fmt::format(
        "CREATE TRIGGER {0}_guard_{1} BEFORE {1} ON {0} WHEN EXISTS (SELECT 1 FROM "
        "strata_id_mapping WHERE map_table = {2} AND status = 'published') BEGIN SELECT "
        "RAISE(ABORT, {3}); END",
        m, op, db::QuoteLiteral(m),
        db::QuoteLiteral(
            fmt::format("strata: {} is a published identifier mapping; it is never edited (a "
                        "published mapping is final: re-key again through a new mapping)",
                        m))));
  }
  return out;
}

struct Registered {
  std::string table;
  std::vector<std::string> columns;  // the identifier's (old) columns
  std::vector<std::string> home;     // --to: the new id's columns; empty with --expr
  std::string new_expr, why, map_table, job_file, state;
  std::string published_at, chain_head, resolvable_until;
  bool merges = false;
};

struct Opened {
  session::Session s;
  Contract contract;
};

// The identifier's contract and a session on the target; sets st.target.
Result<Opened> Open(const Options& options, const std::string& name, std::string_view verb,
                    MapStatus& st) {
  STRATA_ASSIGN_OR_RETURN(Contracts contracts, Contracts::ForProject(options));
  const Contract* c = contracts.Find(name);
  if (!c) {
    STRATA_ASSIGN_OR_RETURN(std::string file, Contracts::ProjectFile(options));
    return Status(ErrorCode::kConfig, fmt::format("no identifier `{}` in {}", name, file))
        .WithHint(
            "a mapping re-keys a declared identifier: add its [[identifier]] first "
            "(docs/formats/identifiers.md)");
  }
  Opened o{{}, *c};
  STRATA_ASSIGN_OR_RETURN(o.s, session::Open(options, fmt::format("identifiers map {}", verb)));
  st.target = o.s.url.redacted;
  return o;
}

Result<std::optional<Registered>> ReadRegistry(db::Connection& conn, const std::string& name) {
  STRATA_ASSIGN_OR_RETURN(bool exists, conn.TableExists("", kRegistry));
  if (!exists) return std::optional<Registered>();
  STRATA_ASSIGN_OR_RETURN(
      auto r, conn.Query("SELECT source_table, source_column, new_expr, home_column, why, "
                         "map_table, job_file, status, CAST(published_at AS TEXT), chain_head, "
                         "CAST(resolvable_until AS TEXT), merges FROM strata_id_mapping WHERE "
                         "name = $1",
                         {name}));
  if (r.rows.empty()) return std::optional<Registered>();
  const auto& row = r.rows[0];
  auto v = [&](size_t i) { return row[i].value_or(""); };
  Registered reg;
  reg.table = v(0);
  reg.columns = SplitList(v(1));
  reg.new_expr = v(2);
  reg.home = SplitList(v(3));
  reg.why = v(4);
  reg.map_table = v(5);
  reg.job_file = v(6);
  reg.state = v(7);
  reg.published_at = v(8);
  reg.chain_head = v(9);
  reg.resolvable_until = v(10);
  reg.merges = row[11] && (*row[11] == "t" || *row[11] == "true" || *row[11] == "1");
  return std::optional<Registered>(std::move(reg));
}

Status NotCreated(const std::string& name) {
  return Status(ErrorCode::kValidation, fmt::format("no mapping for identifier `{}`", name))
      .WithHint(fmt::format("create it: `strata identifiers map create {} --to <column> "
                            "--why \"...\"`",
                            name));
}

void Describe(MapStatus& st, const Registered& r) {
  st.table = r.table;
  st.column = fmt::format("{}", fmt::join(r.columns, ", "));
  st.new_id = r.new_expr;
  st.map_table = r.map_table;
  st.lookup_view = r.map_table + "_lookup";
  st.job_file = r.job_file;
  st.state = r.state;
  st.why = r.why;
  st.published_at = r.published_at;
  st.published_head = r.chain_head;
  st.resolvable_until = r.resolvable_until;
  st.merge = r.merges;
}

// The mapping's registry row (kValidation when it was never created), described into `st`:
// what fill, status and publish read first.
Result<Registered> Mapping(db::Connection& conn, const std::string& name, MapStatus& st) {
  STRATA_ASSIGN_OR_RETURN(auto reg, ReadRegistry(conn, name));
  if (!reg) return NotCreated(name);
  Describe(st, *reg);
  return std::move(*reg);
}

// Coverage counts, in one statement.
Status Measure(db::Connection& conn, const Registered& r, MapStatus& st) {
  const Dialect d(conn);
  const std::string key = KeyText(r.columns, "src", d), has = KeyNotNull(r.columns, "src");
  // The table's distinct old ids, and how many mapping rows answer a condition on m.
  const std::string old_ids =
      fmt::format("SELECT DISTINCT {} AS id FROM {} src WHERE {}", key, r.table, has);
  auto rows_where = [&](std::string_view cond) {
    return fmt::format("(SELECT count(*) FROM {} m WHERE {})", r.map_table, cond);
  };
  std::string orphans =
      r.home.empty() ? "-1"
                     : rows_where(fmt::format("m.new_id IS NOT NULL AND NOT EXISTS (SELECT 1 "
                                              "FROM {} h WHERE {} = m.new_id)",
                                              r.table, KeyText(r.home, "h", d)));
  STRATA_ASSIGN_OR_RETURN(
      auto q,
      conn.Query(fmt::format(
          "SELECT (SELECT count(*) FROM ({0}) s), {1}, {2}, "
          "(SELECT count(*) FROM ({0}) s WHERE NOT EXISTS (SELECT 1 FROM {3} m WHERE m.old_id "
          "= s.id AND m.new_id IS NOT NULL)), "
          "(SELECT count(*) FROM (SELECT new_id FROM {3} WHERE new_id IS NOT NULL GROUP BY "
          "new_id HAVING count(*) > 1) c), {4}, {5}",
          old_ids, rows_where("true"), rows_where("m.new_id IS NOT NULL"), r.map_table, orphans,
          rows_where(fmt::format("NOT EXISTS (SELECT 1 FROM {} src WHERE {} = m.old_id)", r.table,
                                 key)))));
  auto n = [&](size_t i) { return std::stoll(q.rows[0][i].value_or("0")); };
  st.old_ids = n(0);
  st.rows = n(1);
  st.mapped = n(2);
  st.unmapped = n(3);
  st.collisions = n(4);
  st.orphans = n(5);
  st.stale = n(6);
  st.coverage = st.old_ids == 0 ? 1.0
                                : static_cast<double>(st.old_ids - st.unmapped) /
                                      static_cast<double>(st.old_ids);
  st.problems.clear();
  if (st.rows == 0) st.problems.push_back("the mapping is empty: run `map fill`");
  if (st.unmapped > 0) {
    st.problems.push_back(fmt::format("{} old id(s) have no new id", st.unmapped));
  }
  if (st.collisions > 0 && !r.merges) {
    st.problems.push_back(
        fmt::format("{} new id(s) are shared by several old ids (a collision)", st.collisions));
  }
  if (st.orphans > 0) {
    st.problems.push_back(
        fmt::format("{} new id(s) resolve to no row of {} (orphaned)", st.orphans, r.table));
  }
  if (st.stale > 0) {
    st.problems.push_back(
        fmt::format("{} mapping row(s) name an old id no longer in {}", st.stale, r.table));
  }
  return Status::Ok();
}

// The mapping's hash chain, like the ledger's: from the genesis hash, each row's hash is
// SHA-256 of the previous hash and the row's fields joined by U+001F, rows in old_id order
// (byte order). Streams the rows: constant memory.
Result<std::string> ChainHead(db::Connection& conn, const std::string& map_table) {
  std::string head(ledger::kGenesisHash);
  std::string buf;
  STRATA_TRY(conn.QueryRows(
      conn.dialect() == db::Dialect::kPostgres
          ? fmt::format("SELECT old_id, new_id, to_char(since AT TIME ZONE 'UTC', "
                        "'YYYY-MM-DD\"T\"HH24:MI:SS.US'), why FROM {} ORDER BY old_id COLLATE "
                        "\"C\"",
                        map_table)
          : fmt::format("SELECT old_id, new_id, since, why FROM {} ORDER BY old_id", map_table),
      {}, [&](std::span<const db::ValueView> row) {
        buf.assign(head);
        for (const auto& v : row) {
          buf += '\x1f';
          if (v) {
            buf.append(v->data(), v->size());
          } else {
            buf += '\0';
          }
        }
        head = base::Sha256Hex(buf);
      }));
  return head;
}

MapStatus Fail(MapStatus st, Status s) {
  st.status = std::move(s);
  return st;
}

}  // namespace

MapStatus MapCreate(const Options& options, const MapCreateRequest& req) {
  MapStatus st;
  st.name = req.identifier;
  if (req.to.empty() == req.expr.empty()) {
    return Fail(st, Status(ErrorCode::kUsage,
                           "give the new id as exactly one of --to <column> "
                           "or --expr <SQL over src>"));
  }
  if (req.why.empty()) {
    return Fail(st, Status(ErrorCode::kUsage,
                           "--why is required: every mapping row records why its id changed"));
  }
  auto o = Open(options, req.identifier, "create", st);
  if (!o) return Fail(st, o.error());
  db::Connection& conn = *o->s.conn;
  const Contract& c = o->contract;
  Registered r;
  r.table = c.QualifiedTable();
  r.columns = c.columns;
  for (const auto& col : c.columns) {
    if (col.find(',') != std::string::npos) {
      return Fail(st, Status(ErrorCode::kValidation,
                             fmt::format("identifier `{}`: column `{}` has a comma in its name; "
                                         "a mapping cannot record it",
                                         c.name, col))
                          .WithHint("rename the column, or map a column without a comma"));
    }
  }
  // --to: one column, or several for a tuple (a composite new id), as the old id is stored.
  r.home = SplitList(req.to);
  const Dialect d(conn);
  r.new_expr = req.to.empty()       ? req.expr
               : r.home.size() == 1 ? "src." + db::QuoteIdent(r.home[0])
                                    : KeyText(r.home, "src", d);
  r.why = req.why;
  r.merges = req.merge;
  r.map_table = MapTable(c.name);
  r.state = kStateFilling;
  auto ids_file = Contracts::ProjectFile(options);
  if (!ids_file) return Fail(st, ids_file.error());
  r.job_file =
      (fs::path(*ids_file).parent_path() / "identifier-maps" / fmt::format("idmap_{}.toml", c.name))
          .string();
  auto existing = ReadRegistry(conn, c.name);
  if (!existing) return Fail(st, existing.error());
  if (*existing) {
    Describe(st, **existing);
    if ((*existing)->new_expr != r.new_expr) {
      return Fail(st, Status(ErrorCode::kValidation,
                             fmt::format("a mapping for `{}` already exists with new id {}", c.name,
                                         (*existing)->new_expr))
                          .WithHint("a mapping is created once; see `strata identifiers map "
                                    "status " +
                                    c.name + "`"));
    }
    st.next_step = fmt::format("already created; `strata identifiers map fill {}`", c.name);
    return st;
  }
  // The new-id expression must read the table's row as `src`.
  if (auto probe =
          conn.Query(fmt::format("SELECT {} FROM {} AS src LIMIT 0", d.Text(r.new_expr), r.table));
      !probe) {
    return Fail(st, Status(ErrorCode::kValidation,
                           fmt::format("the new id `{}` does not read as an expression over a "
                                       "row of {} (src): {}",
                                       r.new_expr, r.table, probe.error().message()))
                        .WithHint("--to names a column of the identifier's table; --expr is SQL "
                                  "over its row as `src`"));
  }
  std::string m = r.map_table;
  std::vector<std::string> sql = {std::string(conn.BeginSql())};
  for (auto& ddl : RegistryDdl(d)) sql.push_back(std::move(ddl));
  sql.push_back(fmt::format(
      "CREATE TABLE {} (old_id text PRIMARY KEY NOT NULL, new_id text, since {}, why text)", m,
      d.Time()));
  for (auto& ddl : GuardDdl(m, d)) sql.push_back(std::move(ddl));
  sql.insert(
      sql.end(),
      {LookupViewSql(m, c, d),
       fmt::format(
           "INSERT INTO strata_id_mapping (name, source_table, source_column, new_expr, "
           "home_column, why, map_table, job_file, merges) VALUES ({}, {}, {}, {}, {}, {}, "
           "{}, {}, {})",
           db::QuoteLiteral(c.name), db::QuoteLiteral(r.table),
           db::QuoteLiteral(fmt::format("{}", fmt::join(r.columns, ","))),
           db::QuoteLiteral(r.new_expr),
           r.home.empty() ? "NULL" : db::QuoteLiteral(fmt::format("{}", fmt::join(r.home, ","))),
           db::QuoteLiteral(r.why), db::QuoteLiteral(m), db::QuoteLiteral(r.job_file),
           r.merges ? "true" : "false"),
       "COMMIT"});
  for (const auto& s : sql) {
    if (Status e = conn.Exec(s); !e.ok()) {
      (void)conn.Exec("ROLLBACK");
      return Fail(st, std::move(e));
    }
  }
  Describe(st, r);
  st.next_step = fmt::format("fill it: `strata identifiers map fill {}`", c.name);
  return st;
}

MapStatus MapPrepareFill(const Options& options, const std::string& name) {
  MapStatus st;
  st.name = name;
  auto o = Open(options, name, "fill", st);
  if (!o) return Fail(st, o.error());
  db::Connection& conn = *o->s.conn;
  auto reg = Mapping(conn, name, st);
  if (!reg) return Fail(st, reg.error());
  const Registered& r = *reg;
  if (r.state == kStatePublished) {
    return Fail(st, Status(ErrorCode::kValidation,
                           fmt::format("the mapping for `{}` is published ({}); it is never "
                                       "edited",
                                       name, r.published_at))
                        .WithHint("a further re-key goes through a new mapping"));
  }
  // One row per old id, including those that appeared since the last fill. Idempotent.
  const Dialect d(conn);
  const std::string key = KeyText(r.columns, "src", d);
  if (Status s = conn.Exec(fmt::format(
          "INSERT INTO {0} (old_id) SELECT DISTINCT {1} FROM {2} src WHERE {3} ON CONFLICT "
          "(old_id) DO NOTHING",
          r.map_table, key, r.table, KeyNotNull(r.columns, "src")));
      !s.ok()) {
    return Fail(st, std::move(s));
  }
  // The backfill job that computes the new ids: chunked by old_id, one transaction per chunk,
  // only rows still without a new id, so a rerun after any interruption changes each row once.
  std::string text = fmt::format(
      "# Written by `strata identifiers map fill {0}`; run by it. Do not edit: the mapping's\n"
      "# registry row (strata_id_mapping) is the source.\n"
      "description = {1}\n"
      "table = {2}\n"
      "key = \"old_id\"\n"
      "where = {3}\n"
      "set = {4}\n"
      "from = {5}\n"
      "join = {6}\n",
      name, TomlStr(fmt::format("identifier mapping `{}`: old → new ({})", name, r.why)),
      TomlStr(r.map_table), TomlStr(fmt::format("{}.new_id IS NULL", r.map_table)),
      TomlStr(fmt::format("new_id = {}, since = {}, why = {}", d.Text(r.new_expr), d.Now(),
                          db::QuoteLiteral(r.why))),
      TomlStr(fmt::format("{} AS src", r.table)),
      TomlStr(fmt::format("{} = {}.old_id", key, r.map_table)));
  std::error_code ec;
  fs::create_directories(fs::path(r.job_file).parent_path(), ec);
  auto old = base::ReadFile(r.job_file);
  if (!old || *old != text) {
    std::string why;
    if (!base::WriteFileAtomic(r.job_file, text, &why)) {
      return Fail(st, Status(ErrorCode::kIo, fmt::format("cannot write {}: {}", r.job_file, why)));
    }
  }
  return st;
}

MapStatus MapStatusOf(const Options& options, const std::string& name) {
  MapStatus st;
  st.name = name;
  auto o = Open(options, name, "status", st);
  if (!o) return Fail(st, o.error());
  db::Connection& conn = *o->s.conn;
  auto reg = Mapping(conn, name, st);
  if (!reg) return Fail(st, reg.error());
  const Registered& r = *reg;
  if (Status s = Measure(conn, r, st); !s.ok()) return Fail(st, std::move(s));
  if (r.state != kStatePublished) {
    st.next_step = st.problems.empty()
                       ? fmt::format("complete: `strata identifiers map publish {}`", name)
                       : fmt::format("`strata identifiers map fill {}`, then status again", name);
    return st;
  }
  auto head = ChainHead(conn, r.map_table);
  if (!head) return Fail(st, head.error());
  st.chain_head = *head;
  // The head the ledger recorded at publish (the registry row could be edited too).
  std::string ledger_head;
  if (auto rows = o->s.ledger->ReadAll(); rows) {
    for (const auto& row : *rows) {
      if (row.type == kLedgerTypeIdMap && row.description == "map " + name && row.checksum) {
        ledger_head = *row.checksum;
      }
    }
  }
  st.edited_after_publish = *head != r.chain_head || (!ledger_head.empty() && *head != ledger_head);
  if (st.edited_after_publish) {
    st.status = Status(ErrorCode::kCheckFailed,
                       fmt::format("the published mapping `{}` was edited after publish: its "
                                   "hash chain ends in {} but {} was published{} ({} rows now, "
                                   "{} unmapped, {} stale)",
                                   name, head->substr(0, 12), r.chain_head.substr(0, 12),
                                   ledger_head.empty() ? "" : " and recorded in the ledger",
                                   st.rows, st.unmapped, st.stale))
                    .WithHint(fmt::format("find who bypassed the guard trigger on {} (it refuses "
                                          "edits; disabling it takes the table's owner) and "
                                          "restore the rows from a backup",
                                          r.map_table));
  }
  return st;
}

MapStatus MapPublish(const Options& options, const std::string& name) {
  MapStatus st;
  st.name = name;
  auto o = Open(options, name, "publish", st);
  if (!o) return Fail(st, o.error());
  session::Session& s = o->s;
  db::Connection& conn = *s.conn;
  session::RunLock lock;
  if (Status e = lock.Acquire(s, options.lock_wait, {}); !e.ok()) return Fail(st, std::move(e));
  auto exists = s.ledger->Exists();
  if (!exists) return Fail(st, exists.error());
  if (!*exists) {
    return Fail(st, Status(ErrorCode::kValidation, fmt::format("{} has no ledger", st.target))
                        .WithHint("run `strata migrate` first: a published mapping is recorded "
                                  "in the ledger"));
  }
  if (auto all = s.ledger->ReadAll(); !all) return Fail(st, all.error());
  auto reg = Mapping(conn, name, st);
  if (!reg) return Fail(st, reg.error());
  const Registered& r = *reg;
  if (r.state == kStatePublished) {
    st.next_step = "already published; `strata identifiers map status " + name + "` checks it";
    return st;
  }
  auto body = [&]() -> Status {
    STRATA_TRY(conn.Exec(conn.BeginSql()));
    // Nothing changes the mapping between the checks and the freeze.
    // (SQLite: BEGIN IMMEDIATE already holds the database's write lock.)
    const Dialect d(conn);
    if (d.pg) {
      STRATA_TRY(conn.Exec(fmt::format("LOCK TABLE {} IN EXCLUSIVE MODE", r.map_table)));
    }
    STRATA_TRY(Measure(conn, r, st));
    if (!st.problems.empty()) {
      return Status(ErrorCode::kCheckFailed, fmt::format("mapping `{}` cannot be published: {}",
                                                         name, fmt::join(st.problems, "; ")))
          .WithHint(fmt::format("`strata identifiers map fill {0}` and `map status {0}`; a "
                                "collision or orphan needs a better new-id expression (a new "
                                "mapping)",
                                name));
    }
    STRATA_ASSIGN_OR_RETURN(st.chain_head, ChainHead(conn, r.map_table));
    auto window = o->contract.stability_window.count();
    STRATA_ASSIGN_OR_RETURN(
        auto upd,
        conn.Query(
            fmt::format("UPDATE strata_id_mapping SET status = 'published', published_at "
                        "= {}, published_by = {}, old_ids = $1, chain_head "
                        "= $2, resolvable_until = {} WHERE name = $3 RETURNING "
                        "CAST(published_at AS TEXT), CAST(resolvable_until AS TEXT)",
                        d.Now(), d.pg ? "current_user" : db::QuoteLiteral(conn.DatabaseUser()),
                        window > 0 ? d.NowPlus(window) : "NULL"),
            {std::to_string(st.old_ids), st.chain_head, name}));
    st.published_at = upd.rows[0][0].value_or("");
    st.resolvable_until = upd.rows[0][1].value_or("");
    migrate::AppliedRow row;
    row.description = "map " + name;
    row.type = std::string(kLedgerTypeIdMap);
    row.script = r.job_file;
    row.checksum = st.chain_head;
    row.installed_by = conn.DatabaseUser();
    row.installed_on = base::NowIso8601();
    row.success = true;
    row.statements_done = static_cast<int>(st.rows);
    row.reason = fmt::format("{}({}) re-keyed to {}: {} old ids, {} rows; {}", r.table, st.column,
                             r.new_expr, st.old_ids, st.rows, r.why);
    STRATA_TRY(s.ledger->Append(row));
    return conn.Exec("COMMIT");
  };
  if (Status e = body(); !e.ok()) {
    (void)conn.Exec("ROLLBACK");
    s.ledger->Rewind();
    return Fail(st, std::move(e));
  }
  st.state = kStatePublished;
  st.published_head = st.chain_head;
  st.next_step = fmt::format("consumers resolve old ids through {}{}", st.lookup_view,
                             st.resolvable_until.empty() ? "" : " until " + st.resolvable_until);
  return st;
}

nlohmann::json ToJson(const MapStatus& s) {
  nlohmann::json j = {{"name", s.name},
                      {"target", s.target},
                      {"table", s.table},
                      {"column", s.column},
                      {"new_id", s.new_id},
                      {"map_table", s.map_table},
                      {"lookup_view", s.lookup_view},
                      {"job_file", s.job_file},
                      {"state", s.state},
                      {"why", s.why},
                      {"old_ids", s.old_ids},
                      {"rows", s.rows},
                      {"mapped", s.mapped},
                      {"unmapped", s.unmapped},
                      {"collisions", s.collisions},
                      {"merge", s.merge},
                      {"orphans", s.orphans},
                      {"stale", s.stale},
                      {"coverage", s.coverage},
                      {"problems", s.problems},
                      {"chain_head", s.chain_head},
                      {"published_head", s.published_head},
                      {"published_at", s.published_at},
                      {"resolvable_until", s.resolvable_until},
                      {"edited_after_publish", s.edited_after_publish},
                      {"next_step", s.next_step}};
  return j;
}

std::string ToText(const MapStatus& s) {
  std::string out;
  if (s.map_table.empty()) return out;
  out += fmt::format("mapping {}: {}.{} → {} ({})\n", s.name, s.table, s.column, s.new_id, s.state);
  if (s.rows > 0 || s.old_ids > 0) {
    out += fmt::format(
        "  coverage {:.1f}%: {} of {} old ids mapped; {} unmapped, {} {}, "
        "{} orphaned, {} stale\n",
        s.coverage * 100.0, s.old_ids - s.unmapped, s.old_ids, s.unmapped, s.collisions,
        s.merge ? "new ids shared (a merge)" : "collisions",
        s.orphans < 0 ? std::string("-") : std::to_string(s.orphans), s.stale);
  }
  for (const auto& p : s.problems) out += "  - " + p + "\n";
  if (!s.published_at.empty()) {
    out += fmt::format(
        "  published {} (chain {}){}\n", s.published_at, s.published_head.substr(0, 12),
        s.resolvable_until.empty() ? "" : "; old ids resolve until " + s.resolvable_until);
  }
  if (!s.chain_head.empty()) {
    out += s.edited_after_publish
               ? "  EDITED after publish: chain " + s.chain_head.substr(0, 12) + "\n"
               : "  chain intact\n";
  }
  out += fmt::format("  lookup view {}; job {}\n", s.lookup_view, s.job_file);
  if (!s.next_step.empty()) out += "next: " + s.next_step + "\n";
  return out;
}

}  // namespace strata::identifiers
