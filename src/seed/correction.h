// Audited data corrections (seed 001 §24, seed 003 §20.3; docs/formats/correction.md):
// db/corrections/<id>.toml names a target table, its key column, a predicate, the new column
// values and the expected row-count range.
//
// plan    counts the affected rows and shows a sample, before → after. Writes nothing: its
//         queries run in a read-only scope that is rolled back (verify/read_only.h).
// apply   under the migration lock and in ONE transaction: captures each row's before image,
//         changes the rows, captures the after image, writes one strata_correction_audit row
//         per changed row, a strata_correction_run row and a `CORRECTION` ledger row. When the
//         count falls outside the expected range it rolls everything back, records a
//         `rolled-back` run and fails with kCheckFailed. A correction applies once.
// revert  restores the before images of the latest applied run as a new audited correction
//         (kind revert), refusing when a row has changed since (its image no longer equals the
//         recorded after image).
// Not thread-safe per call; calls are independent.
#pragma once

#include "strata/options.h"
#include "strata/result.h"

#include "db/connection.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace strata::seed {

struct Correction {
  std::string id;
  std::string reason;
  std::string ticket;
  std::string approved_by;
  std::string table;
  std::string key;    // one column identifying a row (target_id in the audit)
  std::string where;  // SQL predicate selecting the rows to correct: one boolean expression
  int where_line = 0, where_column = 0;  // where `where` is written in the file
  // column → value; values are data (bound as parameters), never SQL
  std::vector<std::pair<std::string, std::optional<std::string>>> set;
  std::int64_t min_rows = 0;
  std::int64_t max_rows = 0;
  int sample = 5;
  std::string path;      // absolute file path
  std::string rel_path;  // relative to the project
  std::string checksum;  // SHA-256 of the normalised file text
};

// Parses a correction file. Errors (kConfig) carry file:line:col and the next step.
Result<Correction> ParseCorrection(std::string_view text, const std::string& path,
                                   const std::string& rel_path);
// Accepts `where` only as exactly one boolean expression in `dialect` (analysis/fragment.h), so
// that it cannot end strata's statement or leave the parentheses strata puts around it.
// Errors: kConfig at the file:line:col of `where`, saying what was found and expected.
Status CheckWhere(const Correction& c, db::Dialect dialect);
// Finds db/corrections/<id>.toml (or accepts a path to a .toml file) and parses it.
Result<Correction> LoadCorrection(const Options& options, const std::string& id_or_path);

struct CorrectionRow {
  std::string key;
  std::string before;  // JSON image
  std::string after;   // JSON image
};

struct CorrectionResult {
  Status status;
  std::string verb;  // plan, apply, revert
  std::string target;
  std::string correction_id;
  std::string file;
  std::string reason;
  std::string ticket;
  std::string approved_by;
  std::string table;
  std::int64_t count = 0;  // rows matched (plan) / changed (apply, revert)
  std::int64_t min_rows = 0, max_rows = 0;
  bool in_range = false;
  std::vector<CorrectionRow> sample;  // plan: sample; apply/revert: every changed row
  std::string run_id;                 // apply/revert: strata_correction_run.run_id
  std::string evidence_run_id;        // apply/revert: the evidence run record (strata_run)
  std::string reverts_run;            // revert: the run it undoes
  std::string previous_run;           // plan: the run that already applied it, if any
  std::vector<std::string> warnings;
  bool counted = false;  // count/in_range hold a measurement
  bool applied = false;
};

CorrectionResult CorrectPlanCmd(const Options& options, const std::string& id);
CorrectionResult CorrectApplyCmd(const Options& options, const std::string& id);
CorrectionResult CorrectRevertCmd(const Options& options, const std::string& id);

}  // namespace strata::seed
