// The intent header of a migration file (seed 003 §2.1): why the change exists, what it
// touches, which app version depends on it, what production and users will see, its risk class
// and its recovery direction — machine-readable in SQL comments after `-- strata:intent`:
//
//   -- strata:intent
//   -- Business capability: price quote lines by contract term
//   -- Schema/data object affected: quote_line.contract_term_months
//   -- Application version dependency: quote-service >= 1.15 writes the column
//   -- Expected production effect: none until the backfill runs
//   -- User-visible effect: none
//   -- Risk class: small-additive-ddl
//   -- Recovery direction: roll-forward; the old app ignores the new column
//
// Keys are matched without regard to case or punctuation; unknown keys are errors (with a
// suggestion), and which keys are required depends on the risk class (IntentPolicy, configured
// in strata.toml [evidence.intent]). docs/formats/intent-header.md is the reference.
// Pure functions; thread-safe.
#pragma once

#include "strata/result.h"

#include "base/duration.h"
#include "verify/checks.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::verify {

struct IntentKeyInfo {
  std::string_view key;    // canonical: "business-capability"
  std::string_view label;  // as in the seed template: "Business capability"
  std::string_view doc;
};
// Every key the header accepts, in template order.
const std::vector<IntentKeyInfo>& IntentKeys();

// Risk classes a header may name (the lint engine's classes, seed 003 §3.1), strictest first.
// Integration point: when src/lint is present this list is lint::RiskClasses(); kept here so
// verify does not depend on lint.
const std::vector<std::string_view>& KnownRiskClasses();

enum class Recovery { kUnknown, kRollForward, kRollback, kNone };
std::string_view RecoveryName(Recovery r);  // "roll-forward", "rollback", "none"

struct IntentField {
  std::string value;
  int line = 0;
};

struct Intent {
  bool present = false;  // the file has `-- strata:intent`
  std::string file;
  int line = 0;                                            // line of `-- strata:intent`
  std::map<std::string, IntentField, std::less<>> fields;  // canonical key → value

  std::string risk_class;  // the known class the `Risk class` value starts with
  Recovery recovery = Recovery::kUnknown;
  std::optional<Expectation> expected_rows;  // `Expected rows: between 100 and 5000`
  std::optional<base::Millis> rehearsal;     // `Rehearsal duration: 40s`

  // The value of `key`, or "" when absent.
  std::string_view Get(std::string_view key) const;
  bool Has(std::string_view key) const { return fields.count(key) > 0; }
};

// Parses the header. A file without `-- strata:intent` yields present = false. Errors
// (kDirective) name file:line: an unknown key (with the closest known one), a line that is not
// `Key: value`, a repeated key, an unknown risk class, a recovery direction that is not
// roll-forward / rollback / none, a malformed expected-rows or rehearsal duration, a second
// header. The header line is read where it is a real comment of `dialect`
// (sql::ForEachDirectiveLine, the one scanner of `-- strata:` lines): inside a string literal,
// a dollar-quoted body or a /* */ comment it is text.
Result<Intent> ParseIntent(std::string_view text, std::string_view file,
                           db::Dialect dialect = db::Dialect::kPostgres);

// Which keys must be present. `always` applies to every header; `by_class` adds keys for a
// risk class. `require_header` makes a missing header itself an error.
struct IntentPolicy {
  bool require_header = false;
  std::vector<std::string> always;
  std::map<std::string, std::vector<std::string>, std::less<>> by_class;

  // The defaults: business-capability, risk-class, recovery-direction always; all seven
  // template keys for breaking-ddl, large-table-ddl, large-backfill and dml-correction.
  static IntentPolicy Defaults();
};

// Checks the required keys of `intent` under `policy`. Errors (kDirective) name the file and
// the header's line and list every missing key.
Status CheckRequired(const Intent& intent, const IntentPolicy& policy);

}  // namespace strata::verify
