// Inspect: the live schema from PostgreSQL's catalog (pg_get_*def, format_type, aclexplode) in
// one read-only snapshot with search_path = pg_catalog, so every name outside pg_catalog is
// schema-qualified and the text does not depend on the session; or from SQLite's sqlite_schema
// and pragma_table_info.
#include <fmt/format.h>

#include <map>

#include "schema/model.h"

namespace strata::schema {
namespace {

using db::Row;

std::string S(const db::Value& v) { return v ? *v : std::string(); }
bool B(const db::Value& v) { return v && (*v == "t" || *v == "1"); }

// The user's relations: not in a system schema, not strata's (strata_*, the ledger table: $1),
// not an extension's.
constexpr std::string_view kRel = R"(WITH rel AS (
  SELECT c.oid, c.relkind, format('%I.%I', n.nspname, c.relname) AS qname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
    AND c.relname NOT LIKE 'strata\_%' AND c.relname <> $1
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                    AND d.objid = c.oid AND d.deptype = 'e')) )";

constexpr std::string_view kUserNs =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'";

std::string NotExt(std::string_view cls, std::string_view oid) {
  return fmt::format(
      "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{}'::regclass AND d.objid = {} "
      "AND d.deptype = 'e')",
      cls, oid);
}

std::string FuncName() {
  return "format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))";
}
std::string UserFunc() {
  return fmt::format(
      "{} AND p.prokind IN ('f', 'p', 'w') AND p.proname NOT LIKE 'strata\\_%' AND {}", kUserNs,
      NotExt("pg_proc", "p.oid"));
}

struct Queries {
  std::vector<std::string> sql;
  std::vector<std::string> kind;
};

Queries PgQueries(int major) {
  Queries q;
  auto add = [&](std::string kind, std::string sql) {
    q.kind.push_back(std::move(kind));
    q.sql.push_back(std::move(sql));
  };
  // Every query: name, table, sql (kind-specific extra columns after).
  add("extension", R"(SELECT quote_ident(e.extname), NULL,
      format('CREATE EXTENSION IF NOT EXISTS %I WITH SCHEMA %I VERSION %L;', e.extname, n.nspname, e.extversion)
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname <> 'plpgsql' AND $1::text IS NOT NULL)");
  add("schema",
      fmt::format(R"(SELECT quote_ident(n.nspname), NULL, format('CREATE SCHEMA %I;', n.nspname)
    FROM pg_namespace n WHERE {} AND n.nspname <> 'public' AND {} AND $1::text IS NOT NULL)",
                  kUserNs, NotExt("pg_namespace", "n.oid")));
  add("type", fmt::format(R"(SELECT format('%I.%I', n.nspname, t.typname), NULL,
    CASE t.typtype
    WHEN 'e' THEN format('CREATE TYPE %I.%I AS ENUM (%s);', n.nspname, t.typname,
      (SELECT string_agg(quote_literal(enumlabel), ', ' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid))
    WHEN 'd' THEN format('CREATE DOMAIN %I.%I AS %s%s%s%s;', n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod),
      CASE WHEN t.typcollation <> 0 AND t.typcollation <> (SELECT typcollation FROM pg_type WHERE oid = t.typbasetype)
        THEN (SELECT ' COLLATE ' || format('%I.%I', cn.nspname, co.collname) FROM pg_collation co
              JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = t.typcollation) ELSE '' END,
      CASE WHEN t.typdefault IS NOT NULL THEN ' DEFAULT ' || t.typdefault ELSE '' END,
      CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END ||
      coalesce((SELECT string_agg(' CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid), '' ORDER BY conname)
                FROM pg_constraint WHERE contypid = t.oid), ''))
    WHEN 'c' THEN format('CREATE TYPE %I.%I AS (%s);', n.nspname, t.typname,
      (SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum)
       FROM pg_attribute WHERE attrelid = t.typrelid AND attnum > 0 AND NOT attisdropped))
    WHEN 'r' THEN format('CREATE TYPE %I.%I AS RANGE (SUBTYPE = %s);', n.nspname, t.typname,
      (SELECT format_type(rngsubtype, NULL) FROM pg_range WHERE rngtypid = t.oid))
    END
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE {} AND {} AND t.typname NOT LIKE 'strata\_%' AND $1::text IS NOT NULL
      AND (t.typtype IN ('e', 'd', 'r')
           OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')))",
                          kUserNs, NotExt("pg_type", "t.oid")));
  add("sequence", std::string(kRel) + R"(SELECT r.qname, NULL,
      format('CREATE SEQUENCE %s AS %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s%s;',
             r.qname, format_type(s.seqtypid, NULL), s.seqincrement, s.seqmin, s.seqmax, s.seqstart,
             s.seqcache, CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END) ||
      coalesce((SELECT format(E'\nALTER SEQUENCE %s OWNED BY %I.%I.%I;', r.qname, tn.nspname, tc.relname, a.attname)
                FROM pg_depend d JOIN pg_class tc ON tc.oid = d.refobjid
                JOIN pg_namespace tn ON tn.oid = tc.relnamespace
                JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid
                  AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'), '')
    FROM rel r JOIN pg_sequence s ON s.seqrelid = r.oid
    WHERE r.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                          AND d.objid = r.oid AND d.deptype = 'i'))");
  // Tables: the text around the columns (Render puts them between the first line and the rest).
  add("table", std::string(kRel) + R"(SELECT r.qname, NULL,
      'CREATE ' || CASE c.relpersistence WHEN 'u' THEN 'UNLOGGED ' ELSE '' END || 'TABLE ' || r.qname || E' (\n)' ||
      coalesce(CASE WHEN NOT c.relispartition THEN
        (SELECT ' INHERITS (' || string_agg(format('%I.%I', pn.nspname, pc.relname), ', ' ORDER BY i.inhseqno) || ')'
         FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
         WHERE i.inhrelid = c.oid) END, '') ||
      CASE WHEN c.relkind = 'p' THEN ' PARTITION BY ' || pg_get_partkeydef(c.oid) ELSE '' END ||
      coalesce(' WITH (' || array_to_string(c.reloptions, ', ') || ')', '') || ';' ||
      coalesce(CASE WHEN c.relispartition THEN
        (SELECT format(E'\nALTER TABLE %I.%I ATTACH PARTITION %s %s;', pn.nspname, pc.relname, r.qname,
                       pg_get_expr(c.relpartbound, c.oid))
         FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
         WHERE i.inhrelid = c.oid) END, '') ||
      CASE WHEN c.relrowsecurity THEN format(E'\nALTER TABLE %s ENABLE ROW LEVEL SECURITY;', r.qname) ELSE '' END ||
      CASE WHEN c.relforcerowsecurity THEN format(E'\nALTER TABLE %s FORCE ROW LEVEL SECURITY;', r.qname) ELSE '' END,
      r.oid::text
    FROM rel r JOIN pg_class c ON c.oid = r.oid WHERE r.relkind IN ('r', 'p'))");
  add("column",
      std::string(kRel) +
          R"(SELECT quote_ident(a.attname), a.attrelid::text, format_type(a.atttypid, a.atttypmod),
      CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN
        (SELECT format('%I.%I', cn.nspname, co.collname) FROM pg_collation co
         JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation) END,
      a.attidentity, a.attnotnull, a.attgenerated, pg_get_expr(ad.adbin, ad.adrelid)
    FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    WHERE r.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attrelid, a.attnum)");
  add("constraint", std::string(kRel) + R"(SELECT format('%s.%I', r.qname, con.conname), r.qname,
      format('ALTER TABLE %s ADD CONSTRAINT %I %s;', r.qname, con.conname, pg_get_constraintdef(con.oid))
    FROM rel r JOIN pg_constraint con ON con.conrelid = r.oid
    WHERE con.contype IN ('p', 'u', 'f', 'c', 'x') AND con.conislocal AND con.conparentid = 0)");
  add("index", std::string(kRel) + R"(SELECT format('%I.%I', n.nspname, ic.relname), r.qname,
      pg_get_indexdef(i.indexrelid) || ';' ||
      CASE WHEN NOT i.indisvalid THEN E'\n-- INVALID: a failed CREATE INDEX CONCURRENTLY; drop it and build it again' ELSE '' END
    FROM rel r JOIN pg_index i ON i.indrelid = r.oid JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_namespace n ON n.oid = ic.relnamespace
    WHERE r.relkind IN ('r', 'p', 'm')
      AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid
                      AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))
      AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid))");
  add("view", std::string(kRel) + R"(SELECT r.qname, NULL,
      CASE r.relkind WHEN 'v' THEN 'CREATE VIEW ' ELSE 'CREATE MATERIALIZED VIEW ' END || r.qname ||
      coalesce(' WITH (' || array_to_string(c.reloptions, ', ') || ')', '') || E' AS\n' ||
      rtrim(pg_get_viewdef(r.oid, true), ';') || ';',
      r.relkind
    FROM rel r JOIN pg_class c ON c.oid = r.oid WHERE r.relkind IN ('v', 'm'))");
  add("function", fmt::format(R"(SELECT {}, NULL, rtrim(pg_get_functiondef(p.oid), E'\n') || ';'
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {} AND $1::text IS NOT NULL)",
                              FuncName(), UserFunc()));
  add("trigger",
      std::string(kRel) + fmt::format(R"(SELECT format('%s.%I', r.qname, t.tgname), r.qname,
      pg_get_triggerdef(t.oid, false) || ';' ||
      CASE t.tgenabled WHEN 'D' THEN format(E'\nALTER TABLE %s DISABLE TRIGGER %I;', r.qname, t.tgname)
                       WHEN 'R' THEN format(E'\nALTER TABLE %s ENABLE REPLICA TRIGGER %I;', r.qname, t.tgname)
                       WHEN 'A' THEN format(E'\nALTER TABLE %s ENABLE ALWAYS TRIGGER %I;', r.qname, t.tgname)
                       ELSE '' END
    FROM rel r JOIN pg_trigger t ON t.tgrelid = r.oid
    WHERE NOT t.tgisinternal AND t.tgname NOT LIKE 'strata\_%' {})",
                                      major >= 13 ? "AND t.tgparentid = 0" : ""));
  add("policy", std::string(kRel) + R"(SELECT format('%s.%I', r.qname, pol.polname), r.qname,
      format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s;', pol.polname, r.qname,
        CASE WHEN pol.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
        CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                        WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
        CASE WHEN pol.polroles = '{0}' THEN 'PUBLIC' ELSE
          (SELECT string_agg(quote_ident(rolname), ', ' ORDER BY rolname) FROM pg_roles WHERE oid = ANY (pol.polroles)) END,
        CASE WHEN pol.polqual IS NOT NULL THEN ' USING (' || pg_get_expr(pol.polqual, pol.polrelid) || ')' ELSE '' END,
        CASE WHEN pol.polwithcheck IS NOT NULL THEN ' WITH CHECK (' || pg_get_expr(pol.polwithcheck, pol.polrelid) || ')' ELSE '' END)
    FROM rel r JOIN pg_policy pol ON pol.polrelid = r.oid)");
  add("grant", std::string(kRel) + fmt::format(R"(, acl AS (
      SELECT CASE r.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS objtype, r.qname AS obj,
             c.relowner AS owner, c.relacl AS acl
      FROM rel r JOIN pg_class c ON c.oid = r.oid
      WHERE r.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.relacl IS NOT NULL
      UNION ALL
      SELECT 'FUNCTION', {}, p.proowner, p.proacl FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE {} AND p.proacl IS NOT NULL
      UNION ALL
      SELECT 'SCHEMA', quote_ident(n.nspname), n.nspowner, n.nspacl FROM pg_namespace n
      WHERE {} AND n.nspacl IS NOT NULL AND {})
    SELECT format('%s %s TO %s%s', a.objtype, a.obj, g.grantee, CASE WHEN g.grantable THEN ' WITH GRANT OPTION' ELSE '' END),
           NULL,
           format('GRANT %s ON %s %s TO %s%s;', g.privs, a.objtype, a.obj, g.grantee,
                  CASE WHEN g.grantable THEN ' WITH GRANT OPTION' ELSE '' END)
    FROM acl a CROSS JOIN LATERAL (
      SELECT CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END AS grantee,
             x.is_grantable AS grantable, string_agg(x.privilege_type, ', ' ORDER BY x.privilege_type) AS privs
      FROM aclexplode(a.acl) x WHERE x.grantee <> a.owner GROUP BY 1, 2) g)",
                                               FuncName(), UserFunc(), kUserNs,
                                               NotExt("pg_namespace", "n.oid")));
  add("comment",
      std::string(kRel) + fmt::format(R"(SELECT x.kind || ' ' || x.obj, NULL,
      format('COMMENT ON %s %s IS %L;', x.kind, x.obj, x.description)
    FROM (
      SELECT CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                            WHEN 'i' THEN 'INDEX' ELSE 'TABLE' END AS kind, r.qname AS obj, d.description
      FROM rel r JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = r.oid AND d.objsubid = 0
      UNION ALL
      SELECT 'COLUMN', r.qname || '.' || quote_ident(a.attname), d.description
      FROM rel r JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = r.oid AND d.objsubid > 0
      JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = d.objsubid
      UNION ALL
      SELECT 'FUNCTION', {}, d.description FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      JOIN pg_description d ON d.classoid = 'pg_proc'::regclass AND d.objoid = p.oid WHERE {}
      UNION ALL
      SELECT 'TYPE', format('%I.%I', n.nspname, t.typname), d.description FROM pg_type t
      JOIN pg_namespace n ON n.oid = t.typnamespace
      JOIN pg_description d ON d.classoid = 'pg_type'::regclass AND d.objoid = t.oid WHERE {} AND {}
      UNION ALL
      SELECT 'SCHEMA', quote_ident(n.nspname), d.description FROM pg_namespace n
      JOIN pg_description d ON d.classoid = 'pg_namespace'::regclass AND d.objoid = n.oid WHERE {} AND {}) x)",
                                      FuncName(), UserFunc(), kUserNs, NotExt("pg_type", "t.oid"),
                                      kUserNs, NotExt("pg_namespace", "n.oid")));
  return q;
}

Result<Snapshot> InspectPostgres(db::Connection& conn, const InspectOptions& options) {
  Snapshot s;
  s.dialect = db::Dialect::kPostgres;
  s.major = conn.ServerMajorVersion();
  Queries q = PgQueries(s.major);
  // One round trip: a read-only snapshot, names qualified against an empty search path.
  std::vector<db::Statement> stmts;
  stmts.push_back({"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", {}});
  stmts.push_back({"SET LOCAL search_path = pg_catalog", {}});
  for (const auto& sql : q.sql) stmts.push_back({sql, {options.ledger_table}});
  stmts.push_back({"COMMIT", {}});
  auto res = conn.QueryPipeline(stmts);
  if (!res) {
    if (conn.InTransaction()) (void)conn.Exec("ROLLBACK");
    return Status(res.error()).Wrap("reading the schema from the catalog failed");
  }
  std::map<std::string, size_t> table_by_oid;  // oid -> index in s.objects
  for (size_t k = 0; k < q.kind.size(); ++k) {
    const auto& kind = q.kind[k];
    const auto& rows = (*res)[k + 2].rows;
    for (const Row& row : rows) {
      if (kind == "column") {
        auto it = table_by_oid.find(S(row[1]));
        if (it == table_by_oid.end()) continue;
        Column c;
        c.name = S(row[0]);
        c.type = S(row[2]);
        c.collation = S(row[3]);
        std::string ident = S(row[4]);
        c.identity = ident == "a" ? "ALWAYS" : ident == "d" ? "BY DEFAULT" : "";
        // An identity column is NOT NULL by definition; the clause says it once.
        c.not_null = B(row[5]);
        c.generated = S(row[6]) == "s";
        c.default_expr = S(row[7]);
        s.objects[it->second].columns.push_back(std::move(c));
        continue;
      }
      Object o;
      o.kind = kind;
      o.name = S(row[0]);
      o.table = S(row[1]);
      o.sql = S(row[2]);
      if (kind == "table") table_by_oid[S(row[3])] = s.objects.size();
      if (kind == "view" && S(row[3]) == "m") o.kind = "matview";
      o.rank = RankOf(o.kind, o.sql);
      s.objects.push_back(std::move(o));
    }
  }
  return s;
}

// SQLite prints identifiers as written; quote those that need it, like quote_ident.
std::string SqliteIdent(std::string_view name) {
  bool plain = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (char ch : name) {
    plain = plain && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_');
  }
  return plain ? std::string(name) : db::QuoteIdent(name);
}

Result<Snapshot> InspectSqlite(db::Connection& conn, const InspectOptions& options) {
  Snapshot s;
  s.dialect = db::Dialect::kSqlite;
  constexpr std::string_view kWhere =
      "m.sql IS NOT NULL AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.tbl_name NOT LIKE "
      "'strata\\_%' ESCAPE '\\' AND m.tbl_name <> $1";
  auto objs = conn.Query(
      fmt::format("SELECT m.type, m.name, m.tbl_name, m.sql FROM sqlite_schema m WHERE {}", kWhere),
      {options.ledger_table});
  if (!objs) return Status(objs.error()).Wrap("reading sqlite_schema failed");
  std::map<std::string, size_t> table_at;
  for (const Row& row : objs->rows) {
    Object o;
    o.kind = S(row[0]);
    o.name = SqliteIdent(S(row[1]));
    if (o.kind != "table") o.table = SqliteIdent(S(row[2]));
    o.sql = S(row[3]) + ";";
    o.rank = RankOf(o.kind, o.sql);
    if (o.kind == "table") table_at[S(row[1])] = s.objects.size();
    s.objects.push_back(std::move(o));
  }
  auto cols = conn.Query(
      fmt::format("SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value FROM sqlite_schema m "
                  "JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND {} "
                  "ORDER BY m.name, p.cid",
                  kWhere),
      {options.ledger_table});
  if (!cols) return Status(cols.error()).Wrap("reading the columns (pragma_table_info) failed");
  for (const Row& row : cols->rows) {
    auto it = table_at.find(S(row[0]));
    if (it == table_at.end()) continue;
    Column c;
    c.name = SqliteIdent(S(row[1]));
    c.type = S(row[2]);
    c.not_null = B(row[3]);
    c.default_expr = S(row[4]);
    s.objects[it->second].columns.push_back(std::move(c));
  }
  return s;
}

}  // namespace

Result<Snapshot> Inspect(db::Connection& conn, const InspectOptions& options) {
  auto s = conn.dialect() == db::Dialect::kPostgres ? InspectPostgres(conn, options)
                                                    : InspectSqlite(conn, options);
  if (s) Canonicalize(*s, options.ignore);
  return s;
}

}  // namespace strata::schema
