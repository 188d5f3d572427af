// SchemaModel: what analysis knows about the schema while walking the pending set in order.
// Tables (and ADD COLUMN columns) the pending set creates are "new" (empty, invisible to the
// running app; docs/lint.md "New and existing"), so
// indexing them needs no CONCURRENTLY and NOT NULL on them scans nothing. It also remembers
// column types, NOT VALID constraints and validated IS NOT NULL checks, indexes built
// CONCURRENTLY, and enum types created in the set. Not thread-safe; one per lint run.
#pragma once

#include "analysis/facts.h"
#include "analysis/json_tree.h"

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace strata::analysis {

struct ColumnInfo {
  std::string type;  // last type name, "varchar"
  std::vector<std::int64_t> mods;
  bool not_null = false;
  // Sequence number of the pending file whose ADD COLUMN created it (-1: an existing column,
  // or one created with its table).
  int added_in_file = -1;
};

struct TableInfo {
  bool created_in_set = false;   // by a pending migration
  bool created_in_file = false;  // by the migration being analysed
  std::unordered_map<std::string, ColumnInfo> columns;
};

// A foreign key the model has seen (created in the files read, or from the live catalog).
struct ForeignKey {
  std::string name;                  // as declared, or PostgreSQL's generated `<table>_<cols>_fkey`
  TableRef child;                    // the referencing table
  std::vector<std::string> columns;  // its referencing columns
  TableRef parent;                   // the referenced table
  std::vector<std::string> ref_columns;  // referenced columns; empty: the parent's primary key
  char on_delete = 'a';  // pg_constraint.confdeltype: a no action, r restrict, c cascade,
                         // n set null, d set default
};

// An index (or the index of a PRIMARY KEY / UNIQUE constraint) as far as a lookup by its
// leading columns is concerned: which leading key columns it has (up to the first expression)
// and whether every row is in it (not partial, or partial only on `col IS NOT NULL` of columns a
// lookup by equality implies anyway).
struct IndexKey {
  std::string name;                  // empty for a constraint's index whose name is unknown
  std::vector<std::string> columns;  // leading plain key columns
  bool partial = false;
  std::vector<std::string> not_null_predicate;  // partial on `c IS NOT NULL [AND ...]` only
  bool primary = false;                         // a PRIMARY KEY's index
};
// Whether `ix` serves an equality lookup on every one of `columns` (a foreign key's check: its
// first key column is one of them; a partial index only when its predicate is implied by the
// lookup).
bool IndexServesLookup(const IndexKey& ix, const std::vector<std::string>& columns);
// The index `CREATE INDEX` declares (IndexStmt body).
IndexKey IndexKeyFrom(JsonRef index_stmt, std::string name);
// The index a PRIMARY KEY or UNIQUE Constraint node builds (`column`: of a column definition);
// false for other constraints.
bool ConstraintIndexKey(JsonRef constraint, std::string_view column, IndexKey* out);
// A foreign key Constraint's name: as declared, or PostgreSQL's generated `<table>_<cols>_fkey`
// (ChooseConstraintName, cut to 63 bytes; a numbered name after a collision is not modelled).
std::string ForeignKeyName(const TableRef& child, JsonRef constraint,
                           const std::vector<std::string>& columns);

// A view over one table (a simple, automatically updatable view in PostgreSQL's sense when
// `simple`): which base table its rows are, and which base column each output column is.
struct ViewInfo {
  TableRef base;  // empty when the view reads no single table
  bool simple = false;
  bool star = false;  // selects `*`: every base column under its own name
  std::unordered_map<std::string, std::string> columns;  // view column → base column
};

class SchemaModel {
 public:
  // Table lookup by TableRef::Key(); nullptr when unknown (an existing table).
  const TableInfo* Find(const TableRef& t) const;
  bool IsNew(const TableRef& t) const;
  const ColumnInfo* Column(const TableRef& t, const std::string& column) const;

  // A column the pending set added with ALTER TABLE ... ADD COLUMN (no deployed application
  // uses it yet). Follows the same "new" rule as IsNew.
  bool IsNewColumn(const TableRef& t, const std::string& column) const;
  // Whether every one of `columns` of `t` is known NOT NULL (declared, SET NOT NULL, a primary
  // key, or a validated CHECK (c IS NOT NULL) on PostgreSQL 12+).
  bool ColumnsNotNull(const TableRef& t, const std::vector<std::string>& columns,
                      int pg_version) const;
  // The key columns of an index created in the set (empty when unknown or an expression).
  const std::vector<std::string>* IndexColumns(const std::string& name) const;
  // Indexes that exist in the live catalog, by TableRef::Key() of the index name → their
  // table, so DROP INDEX resolves to the table whose size matters.
  void AddExistingIndex(const std::string& index_key, TableRef table);
  // A column of an existing table as the live catalog has it (type, typmods, NOT NULL), so a
  // type change of an existing column is judged against its real type.
  void AddExistingColumn(const TableRef& table, const std::string& column, ColumnInfo info);

  // Foreign keys seen so far, in order (dropped ones removed).
  const std::vector<ForeignKey>& foreign_keys() const { return foreign_keys_; }
  // The foreign key `name` declared on `child`, or nullptr.
  const ForeignKey* FindForeignKey(const TableRef& child, std::string_view name) const;
  // The foreign keys with `t` at either end (child or parent), in the order of foreign_keys():
  // an index lookup, not a scan, so a long pending set stays linear.
  std::vector<const ForeignKey*> ForeignKeysOf(const TableRef& t) const;

  // Indexes of a table the model read the CREATE TABLE of (its primary key and unique
  // constraints included): `known` is false when its indexes are not all visible to the model
  // (an existing table, one made with LIKE ... INCLUDING, a partition).
  struct TableIndexes {
    bool known = false;
    std::vector<IndexKey> indexes;
  };
  // nullptr when the model has seen nothing of the table.
  const TableIndexes* Indexes(const TableRef& t) const;
  // A view created by the files read (or from the live catalog), or nullptr.
  const ViewInfo* View(const TableRef& v) const;

  // Index created CONCURRENTLY in the set (name → unique?).
  bool HasConcurrentIndex(const std::string& name) const { return concurrent_indexes_.count(name); }
  // The table an index created in the set belongs to, or nullptr.
  const TableRef* IndexTable(const std::string& name) const;
  // A NOT VALID constraint added in the current file (for VALIDATE-in-the-same-transaction).
  bool NotValidInFile(const TableRef& t, const std::string& constraint) const;
  // A validated CHECK (col IS NOT NULL) exists, so SET NOT NULL skips its scan (PG12+).
  bool HasValidNotNullCheck(const TableRef& t, const std::string& column) const;
  bool EnumCreatedInSet(const std::string& type) const { return enums_.count(type) > 0; }

  // Each file on its own (`strata lint` without --url or --since; docs/lint.md, "New and
  // existing"): "new" means created in the same file only, every earlier file counts as applied.
  void SetNewMeansSameFile(bool v) { new_means_same_file_ = v; }

  // Starts a new migration file: file-scoped state (created_in_file, NOT VALID) resets.
  void BeginFile();
  // Records the effect of a statement. `pending` is false for already-applied migrations
  // that are read only for context (their tables are existing, not new).
  void Apply(JsonRef node, bool pending);

 private:
  void ApplyAlter(const TableRef& t, JsonRef body, bool pending);
  // The foreign key a Constraint node declares on `child`, added and indexed.
  void AddForeignKey(const TableRef& child, JsonRef constraint, std::string_view column);
  // Removes the foreign keys with `t` at either end that `drop` selects; true when any went.
  template <typename Pred>
  bool EraseForeignKeys(const TableRef& t, Pred drop);
  void ReindexForeignKeys();
  bool new_means_same_file_ = false;
  std::unordered_map<std::string, TableInfo> tables_;
  std::vector<std::string> created_in_file_;  // keys whose created_in_file is set
  int file_seq_ = 0;  // the current file's sequence number (BeginFile increments)
  std::unordered_map<std::string, TableRef> index_tables_;
  std::unordered_map<std::string, std::vector<std::string>> index_columns_;
  std::unordered_set<std::string> concurrent_indexes_;
  std::unordered_set<std::string> not_valid_in_file_;             // "table|constraint"
  std::unordered_map<std::string, std::string> not_null_checks_;  // "table|constraint" → column
  std::unordered_set<std::string> valid_not_null_;                // "table|column"
  std::unordered_set<std::string> enums_;
  std::vector<ForeignKey> foreign_keys_;
  // Table key → positions in foreign_keys_ of the foreign keys with that table at either end.
  std::unordered_map<std::string, std::vector<size_t>> fk_by_table_;
  std::unordered_map<std::string, TableIndexes> table_indexes_;  // by table key
  std::unordered_map<std::string, ViewInfo> views_;
  std::unordered_map<std::string, std::vector<std::string>> validated_unknown_;  // table → names
};

}  // namespace strata::analysis
