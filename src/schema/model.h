// The schema model behind `schema dump` and `drift`: a database's objects, each with its kind,
// qualified name and definition (PostgreSQL's own pg_get_*def text, or SQLite's sqlite_schema
// text), in one canonical order; the schema file that renders it; the reader that takes a
// schema file back; and the comparison that names every difference by object. Stateless.
#pragma once

#include "strata/result.h"
#include "strata/schema.h"

#include "db/connection.h"

#include <string>
#include <string_view>
#include <vector>

namespace strata::schema {

struct Column {
  std::string name;  // quoted identifier as the database would print it
  std::string type;  // format_type / declared type
  std::string collation;
  std::string identity;  // "ALWAYS", "BY DEFAULT" or ""
  bool not_null = false;
  std::string default_expr;
  bool generated = false;  // default_expr is GENERATED ALWAYS AS (...) STORED
  // `type[ COLLATE c][ GENERATED ... AS IDENTITY][ NOT NULL][ DEFAULT e | GENERATED ALWAYS AS
  // (e) STORED]`, the form the schema file holds; ParseDefinition reads it back.
  std::string Definition() const;
  static Column ParseDefinition(std::string name, std::string_view def);
};

struct Object {
  std::string kind;  // extension schema type sequence table constraint index view matview
                     // function trigger policy grant comment (SQLite: table index view trigger)
  std::string name;  // unique within its kind: "public.t", "public.t.t_pkey", "TABLE public.t TO r"
  std::string table;  // the table it belongs to (column-bearing objects' owner), or ""
  int rank = 0;       // RankOf(kind, sql): canonical order is rank, then name (bytewise)
  std::string sql;    // the definition, as written in the schema file (tables: without columns)
  std::vector<Column> columns;  // tables (and views on SQLite: none)
};

struct Snapshot {
  db::Dialect dialect = db::Dialect::kPostgres;
  int major = 0;                // server major version (PostgreSQL); pg_get_*def text is per major
  std::vector<Object> objects;  // canonical order after Canonicalize
};

struct InspectOptions {
  std::string ledger_table = "strata_schema_history";
  std::vector<std::string> ignore;  // glob patterns on object names (and their tables)
};

// The canonical position of a kind (foreign keys after other constraints): objects sort by it,
// then by name.
int RankOf(std::string_view kind, std::string_view sql);

// Reads the live schema in one read-only snapshot. strata's own objects (named strata_*, the
// ledger table) and objects belonging to extensions are left out.
Result<Snapshot> Inspect(db::Connection& conn, const InspectOptions& options);

// Sorts objects by (rank, name) and drops those matching an ignore pattern.
void Canonicalize(Snapshot& s, const std::vector<std::string>& ignore);

// The schema file: a header, then one block per object, `-- object: <kind> <name>` first.
std::string Render(const Snapshot& s);

// Reads a schema file Render wrote (`path` names it in errors, with the line).
Result<Snapshot> Parse(std::string_view text, const std::string& path);

// Every difference between `expected` (the history) and `actual` (the live database), in the
// canonical order of the objects. Column changes are reported per field.
std::vector<DriftItem> Compare(const Snapshot& expected, const Snapshot& actual);

}  // namespace strata::schema
