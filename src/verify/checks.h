// Pre- and post-checks in a migration file, and the expectation language they are judged by.
//
// A check is a `-- strata:pre-check` or `-- strata:post-check` directive followed by the
// check's query on the next comment lines (docs/formats/checks.md):
//
//   -- strata:pre-check as lines_before
//   -- SELECT count(*) FROM quote_line;
//   -- strata:post-check = lines_before
//   -- SELECT count(*) FROM quote_line;
//   -- strata:post-check = 0
//   --   SELECT count(*) FROM quote_line WHERE contract_term_months IS NULL;
//
// The query returns one value (one column of at most one row). The expectation compares it
// with a number (`= 0`, `> 0`, `<= 10`, `!= 3`, `between 1 and 5`), a quoted text (`= 'NO'`),
// the rows the migration's statements affected (`= rows affected`), or a value an earlier
// pre-check captured (`= lines_before`). A pre-check may have no expectation and only capture.
//
// Parsing is pure and thread-safe. Running uses the caller's connection (not thread-safe).
#pragma once

#include "strata/commands.h"
#include "strata/result.h"

#include "db/connection.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::verify {

enum class Phase { kPre, kPost };
std::string_view PhaseName(Phase p);  // "pre-check" / "post-check"

enum class Op { kNone, kEq, kNe, kLt, kLe, kGt, kGe, kBetween };

// What the value is compared with.
enum class Operand {
  kNone,          // no expectation (capture-only pre-check)
  kNumber,        // a literal number: `= 0`
  kText,          // a quoted literal: `= 'NO'`
  kRowsAffected,  // `= rows affected`: rows the migration's statements affected
  kCaptured,      // `= lines_before`: a value captured by a pre-check of the same file
};

struct Expectation {
  Op op = Op::kNone;
  Operand operand = Operand::kNone;
  double number = 0;     // kNumber; lower bound for kBetween
  double number_hi = 0;  // upper bound for kBetween
  std::string text;      // kText literal, or kCaptured name
  std::string source;    // as written, normalised: "= 0", "between 1 and 5"

  // Whether the expectation depends on the run that applied the migration (rows affected or
  // a captured value), so `strata verify` cannot judge it again later.
  bool RunDependent() const {
    return operand == Operand::kRowsAffected || operand == Operand::kCaptured;
  }
};

// Parses the expectation language. Errors (kDirective) say what was expected; `file`/`line`
// locate them.
Result<Expectation> ParseExpectation(std::string_view text, std::string_view file, int line);

struct Check {
  Phase phase = Phase::kPost;
  Expectation expect;
  std::string capture;  // `as <name>`: the value is remembered under this name
  std::string query;    // the query text, without the comment markers
  std::string file;
  int line = 0;  // line of the directive
  // The name shown in output: the capture name, or "" (then the line identifies it).
  std::string Name() const;
};

struct FileChecks {
  std::vector<Check> pre;
  std::vector<Check> post;
  bool empty() const { return pre.empty() && post.empty(); }
};

// Reads every check block in a migration file. Errors (kDirective) name file:line: a missing
// query, a malformed expectation, `rows affected` in a pre-check, a capture name used before it
// is defined or defined twice. A check's first line is read where it is a real comment of
// `dialect` (sql::ForEachDirectiveLine, the one scanner of `-- strata:` lines): inside a string
// literal, a dollar-quoted body or a /* */ comment it is text. Use ReadAnnotations unless only
// the checks are wanted.
Result<FileChecks> ParseChecks(std::string_view text, std::string_view file,
                               db::Dialect dialect = db::Dialect::kPostgres);

// Accepts `check`'s query only as exactly one read-only query (SELECT, WITH ... SELECT, VALUES)
// in `dialect` (analysis/fragment.h). Errors: kDirective at the check's file:line, saying what
// was found and what was expected.
Status ValidateCheck(const Check& check, db::Dialect dialect);
// ValidateCheck of every check in `checks`: the first refusal.
Status ValidateChecks(const FileChecks& checks, db::Dialect dialect);

// The outcome of running one check.
struct CheckOutcome {
  const Check* check = nullptr;
  std::optional<std::string> value;  // nullopt: NULL or no row
  std::string expected;              // the expectation with operands resolved: "= 42"
  bool ok = false;
  std::int64_t elapsed_ms = 0;
  std::string message;  // why it failed (or the error of the query); empty when ok
  Status error;         // the query's own failure, if it failed to run
};

using Captured = std::map<std::string, std::optional<std::string>, std::less<>>;

// Runs one check on `conn`. `rows_affected` is the migration's total (for `= rows affected`;
// -1 when unknown). `captured` receives `as` captures and supplies captured operands.
// The query must pass ValidateCheck and runs in a read-only scope (verify/read_only.h), which
// rolls back whatever it did; inside the caller's transaction that transaction stays usable.
// Never returns an error: a query that is refused or fails yields ok = false with `error` set.
CheckOutcome RunCheck(db::Connection& conn, const Check& check, std::int64_t rows_affected,
                      Captured& captured);

// Runs `checks` in order on `conn`, appending one CheckResult per check to `results`. Returns
// ok, or kCheckFailed for the first check that did not hold: its file:line, the expected and
// actual value, the query's first line, and `hint` as the next step. Stops after a query that
// failed to run (on PostgreSQL that aborted the transaction). `on_done` (may be empty) is called
// with each check's result as soon as it has run, before the next one starts.
using CheckObserver = std::function<void(const CheckResult&)>;
Status RunChecks(db::Connection& conn, const std::vector<Check>& checks, std::int64_t rows_affected,
                 Captured& captured, std::vector<CheckResult>& results, std::string_view hint,
                 const CheckObserver& on_done = {});

// Whether `sql` changes rows (INSERT, UPDATE, DELETE, MERGE, or WITH ... one of them): only
// these count toward `= rows affected` (drivers report stale counts for DDL).
bool IsDml(std::string_view sql);

// The CheckResult form of an outcome.
CheckResult ToResult(const CheckOutcome& o);

// Judges a value against an expectation with operands resolved; fills `expected` and
// `message`. Pure (exposed for tests).
bool Judge(const Expectation& e, const std::optional<std::string>& value,
           std::int64_t rows_affected, const Captured& captured, std::string* expected,
           std::string* message);

}  // namespace strata::verify
