// `strata seed plan|apply|status|diff`: seed data packages (docs/formats/seed-manifest.md)
// against a database, under the environment policy (seed/environment.h).
//
// plan   computes, per package, the exact row diff against the database by stable key:
//        insert, update, deprecate, delete, unchanged (and, for insert-only packages, drift
//        it will not touch), plus every policy and meaning-protection violation. Writes nothing.
// apply  refuses before any write when any selected package has a violation; otherwise applies
//        each package that has something to do in its own transaction under the migration
//        lock, and appends a `SEED` row with the package checksum to the ledger in that same
//        transaction. A second apply finds nothing to do and writes nothing.
// status one line per package: never applied / applied / changed since applied / drifted.
//        A row whose package is unchanged since it was applied but which differs in the
//        database was edited there: drift (restorable), never blamed on the package; only
//        `apply --restore` writes it back.
// diff   the rows where the database and the packages disagree (drift); status kValidation
//        when there is any.
//
// Request/result structs follow include/strata/commands.h (they belong there once seed is
// wired into the public API). Not thread-safe per call; calls are independent.
#pragma once

#include "strata/events.h"
#include "strata/options.h"
#include "strata/result.h"

#include <optional>
#include <string>
#include <vector>

#include "seed/environment.h"
#include "seed/package.h"

namespace strata::seed {

// Stored in JSON and evidence: never rename.
enum class RowAction { kInsert, kUpdate, kDeprecate, kDelete, kUnchanged, kDrift };
std::string_view ActionName(RowAction a);  // insert update deprecate delete unchanged drift

struct ColumnChange {
  std::string column;
  std::optional<std::string> before;  // database text; nullopt = NULL
  std::optional<std::string> after;
};

struct RowDiff {
  RowAction action = RowAction::kUnchanged;
  std::string table;
  std::string key;                    // "CODE" or "CODE|2" for composite keys
  SourceSpan span;                    // the CSV line (or manifest for rows only in the database)
  std::vector<ColumnChange> changes;  // insert: every column; update/deprecate: changed ones
  std::string note;                   // "superseded by X", "closes version", ...
  // For apply: column → value to write (insert/update/deprecate) and the key values.
  std::vector<std::pair<std::string, std::optional<std::string>>> write;
  std::vector<std::pair<std::string, std::string>> key_values;
  // kDrift only: the row was edited in the database after its package (unchanged since) was
  // applied; `write` holds the package's values, which `seed apply --restore` puts back.
  bool restorable = false;
};

struct PackagePlan {
  std::string id;
  std::string rel_dir;
  SeedClass cls = SeedClass::kReference;
  SeedMode mode = SeedMode::kUpsert;
  std::string owner;
  std::string checksum;
  std::string applied_checksum;  // latest SEED ledger row; empty: never applied
  std::string applied_on;
  bool in_scope = true;  // false: the environment's policy leaves it out
  std::string skipped_reason;
  std::vector<RowDiff> rows;  // every row that is not unchanged
  int inserts = 0, updates = 0, deprecates = 0, deletes = 0, unchanged = 0, drift = 0;
  std::vector<Violation> violations;
  bool applied = false;  // apply: this package's transaction committed
  int restored = 0;      // apply --restore: drifted rows put back to the package's values
  std::int64_t elapsed_ms = 0;

  int Changes() const { return inserts + updates + deprecates + deletes; }
  // status: never-applied, up-to-date, changed (files differ from the applied checksum),
  // drifted (database differs from the package: rows edited by hand since it was applied),
  // out-of-scope. After `seed apply` applied it: up-to-date, or drifted while rows it does not
  // touch (insert-only, or edited by hand without --restore) still differ.
  std::string State() const;
};

struct SeedRequest {
  std::string env;                    // required: --env or STRATA_ENV
  std::vector<std::string> packages;  // explicit package ids (empty: all in scope)
  std::vector<std::string> classes;   // explicit classes (empty: all in scope)
  // apply: also put back rows edited in the database since their package was applied
  // (RowDiff::restorable), recorded in the ledger row and the run record.
  bool restore = false;
  // apply: progress per package (kMigrationStarted/Done/Failed with script = package dir,
  // statement_count = rows to write), so the CLI's progress and --log-json renderers apply.
  EventSink sink;
};

struct SeedResult {
  Status status;
  std::string verb;    // plan, apply, status, diff
  std::string target;  // redacted URL
  std::string env;
  std::string tier;
  std::vector<PackagePlan> packages;
  std::vector<Violation> violations;  // all packages' violations, in order
  std::string run_id;                 // apply: the evidence run record (strata_run), if written
  std::vector<std::string> warnings;
};

SeedResult SeedPlanCmd(const Options& options, const SeedRequest& request);
SeedResult SeedApplyCmd(const Options& options, const SeedRequest& request);
SeedResult SeedStatusCmd(const Options& options, const SeedRequest& request);
SeedResult SeedDiffCmd(const Options& options, const SeedRequest& request);

}  // namespace strata::seed
