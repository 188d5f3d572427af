// Parsing SQL text with libpg_query (PostgreSQL's own grammar) into per-statement parse trees.
// A file is parsed once as a whole; only when that fails is it split (sql::Split) and each
// statement parsed on its own, so one bad statement becomes one parse error with its position
// and the rest of the file is still analysed. Pure functions; thread-safe (libpg_query keeps
// per-thread memory contexts).
#pragma once

#include "analysis/json_tree.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace strata::analysis {

struct ParsedStatement {
  size_t offset = 0;         // byte offset of the statement's first token in the file
  size_t length = 0;         // bytes up to (not including) the terminating semicolon
  std::string_view text;     // view into the file text
  JsonRef node;              // {"AlterTableStmt": {...}}; null when the statement failed
  size_t location_base = 0;  // add to a node's "location" to get a file offset
  std::string error;         // parse error message (node is null)
  size_t error_offset = 0;   // file offset the parser pointed at
  // The statement was not parsed: it may nest deeper than strata's analyser goes (see
  // ParsePostgres). `error` says so; PostgreSQL may still accept it.
  bool beyond_limit = false;
};

struct ParsedFile {
  std::vector<std::shared_ptr<JsonTree>> trees;  // own the nodes referenced above
  std::vector<ParsedStatement> statements;
  std::shared_ptr<const std::string> masked_text;  // the parsed text when placeholders were masked
};

// `text` with every strata `${name}` outside quotes and comments replaced by the identifier
// `_$name_` (same length), so PostgreSQL's grammar reads a placeholder as a name or value.
std::string MaskPlaceholders(std::string_view text);

// Parses PostgreSQL `text`. Never fails: unparsable statements are returned with `error`.
// libpg_query builds and writes out its tree recursively, so a parse runs on a thread whose
// stack is sized from the text (up to 256 MB of address space, touched only as deep as the tree
// goes): any expression of up to ~1.6 million chained operators is parsed. A statement that
// could be deeper than that is not parsed; it comes back with `beyond_limit` set.
ParsedFile ParsePostgres(std::string_view text);

// `text` with SQLite-only syntax PostgreSQL's grammar does not read blanked out (same length,
// outside quotes and comments): AUTOINCREMENT, WITHOUT ROWID and STRICT table options, and
// `name` backquotes read as "name". What is left is the SQL both dialects share, so the
// dialect-neutral rules can read its tree.
std::string MaskSqliteOnly(std::string_view text);

// Parses a SQLite migration: split with SQLite's own notion of a statement (sqlite3_complete,
// CREATE TRIGGER ... END included), each statement read by PostgreSQL's grammar after
// MaskSqliteOnly. A statement PostgreSQL's grammar still does not read comes back with `error`
// set; SQLite itself (lint/sqlite_scratch.h) is the judge of whether it is valid.
ParsedFile ParseSqliteAsPostgres(std::string_view text);

// Parses one SQL string (e.g. a query inside a PL/pgSQL body). Returns null node on error.
struct ParsedSnippet {
  std::shared_ptr<JsonTree> tree;
  std::vector<JsonRef> statements;
};
ParsedSnippet ParseSnippet(const std::string& sql);

// Parses a PL/pgSQL body (the text between the $$ of a DO block or function) and returns the
// function tree (pg_query_parse_plpgsql), or null when it does not parse.
std::shared_ptr<JsonTree> ParsePlpgsqlBody(std::string_view body);

}  // namespace strata::analysis
