// Identifier contracts (`db/identifiers.toml`, docs/formats/identifiers.md): the identifiers
// other systems hold (quote numbers, order ids, event keys), each with its table and columns,
// the format it keeps, who holds it, whether its rows may be deleted and how long old values
// stay resolvable. Loaded once per verb; a plain value type, immutable after loading, safe to
// share between threads.
//
// Lookups are what the rest of strata asks: "is column X of table T contracted, by which
// identifier, may rows of T be deleted". Table names compare case-insensitively; a name without
// a schema matches a contract with one, and the other way round (a contract guards more rather
// than less).
#pragma once

#include "strata/options.h"
#include "strata/result.h"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace strata::identifiers {

// The format an identifier keeps. A composite identifier's format applies to each column.
enum class FormatKind {
  kAny,      // no format declared
  kUuid,     // 8-4-4-4-12 hex digits, either case
  kInteger,  // an optional minus sign and decimal digits
  kRegex,    // a POSIX extended regular expression (PostgreSQL `~`), in `pattern`
  kPrefix,   // starts with `pattern`
};

struct Format {
  FormatKind kind = FormatKind::kAny;
  std::string pattern;  // kRegex: the expression; kPrefix: the prefix
};
// "uuid", "integer", "regex \"^Q-[0-9]+$\"", "prefix \"Q-\"", "any".
std::string Describe(const Format& f);

enum class Deletes {
  kNever,      // rows are never deleted
  kTombstone,  // rows are marked in `tombstone_column`, never deleted
  kAllowed,    // rows may be deleted
};
std::string_view DeletesName(Deletes d);  // "never", "tombstone", "allowed"

struct Contract {
  std::string name;                  // unique in the file
  std::string schema;                // empty: the connection's default schema
  std::string table;                 // unqualified
  std::vector<std::string> columns;  // one, or several for a composite identifier
  Format format;
  std::vector<std::string> consumers;  // who holds it: free text
  Deletes deletes = Deletes::kNever;
  std::string tombstone_column;  // deletes == kTombstone only
  // How long an old value stays resolvable after a mapping replaces it; 0 = not declared.
  std::chrono::milliseconds stability_window{0};
  // Where it is declared: the file and the [[identifier]] table's line and column.
  std::string file;
  int line = 0;
  int column = 0;

  // "schema.table" or "table".
  std::string QualifiedTable() const;
  // "table(col)" / "schema.table(a, b)".
  std::string Target() const;
  bool MatchesTable(std::string_view table) const;  // `table` may be schema-qualified
  bool HasColumn(std::string_view column) const;
  bool MayDelete() const { return deletes == Deletes::kAllowed; }
};

class Contracts {
 public:
  Contracts() = default;

  // Parses the text of an identifiers file; errors are kConfig at `path`:line:col with the
  // next step (unknown key, missing columns, bad regex or format, duplicate name...).
  static Result<Contracts> Parse(std::string_view text, const std::string& path);
  // Reads `path`; a file that does not exist is no contracts (not an error).
  static Result<Contracts> Load(const std::string& path);
  // The project's file: `[identifiers] file` in strata.toml (or its STRATA_IDENTIFIERS_FILE
  // environment variable), relative to the project; default db/identifiers.toml.
  static Result<Contracts> ForProject(const Options& options);
  // Just that path (absolute when the project's directory is).
  static Result<std::string> ProjectFile(const Options& options);

  const std::string& path() const { return path_; }
  const std::vector<Contract>& all() const { return contracts_; }
  bool empty() const { return contracts_.empty(); }

  // By name; nullptr when there is none.
  const Contract* Find(std::string_view name) const;
  // The contracts on `table` (which may be schema-qualified), in file order.
  std::vector<const Contract*> OnTable(std::string_view table) const;
  // The contract that `column` of `table` belongs to (as an identifier column, not a
  // tombstone), or nullptr when the column is not contracted.
  const Contract* ForColumn(std::string_view table, std::string_view column) const;
  // Whether rows of `table` may be deleted: true when no contract on it forbids it.
  bool MayDeleteFrom(std::string_view table) const;

 private:
  std::string path_;
  std::vector<Contract> contracts_;
};

}  // namespace strata::identifiers
