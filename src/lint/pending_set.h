// The one entry point that runs the analyzer over a pending set. `strata lint`, the `migrate`
// gate (engine/lint_gate.h) and `plan` (plan/runbook.cc) all go through it, so the same files
// against the same target get the same findings: what "new" and "existing" mean (docs/lint.md,
// "New and existing") and what is read from a live target are decided here, once.
//
// A pending set is the files in apply order. A pending input is judged and reported; the others
// are context, read for the model only. A relation is new only if a pending input creates it.
// `LintInput::applied` says which context the target already has: on a live SQLite target the
// scratch database starts from the live schema, so applied files are not run again, while
// context that is not applied yet (an earlier release of `plan`, a file `--since` kept as
// context) is run before the pending files. Reentrant.
#pragma once

#include "strata/result.h"

#include "lint/linter.h"

#include <optional>
#include <vector>

namespace strata::db {
class Connection;
}

namespace strata::lint {

// What a pending set is judged against: the [lint] settings and, for a live target, what was read
// from it.
struct Target {
  LintConfig config;
  std::optional<LiveInfo> live;
};

// Reads the target: without a connection, `config` as given (a static lint). With one, its
// dialect (a SQLite database is linted as SQLite), its server version (unless a flag chose one:
// pg_version_source "flag"), its table sizes and, with identifier contracts, the views and
// cascading foreign keys the ID rules follow; on SQLite its schema. Errors: kConnection.
Result<Target> ReadTarget(LintConfig config, db::Connection* conn);

// Lints `inputs` (apply order) against `target`. Never fails on SQL: parse errors are findings;
// result.status is not ok only for I/O errors. `jobs`: threads for the per-file work (Lint).
LintResult LintPendingSet(const std::vector<LintInput>& inputs, const Target& target, int jobs = 1);

}  // namespace strata::lint
