// Observed locks: what each statement of each transactional migration really did on the
// scratch PostgreSQL server while `strata test` applied it (engine: MigrateRequest::observe),
// compared with the analyzer's prediction (strata lint). Per statement: the table locks its
// backend held right after it (and which it took itself: the difference with the previous
// statement's), the tables it gave a new relfilenode (rewrites), and its duration on the
// server clock. Where observation and prediction disagree on a lock mode or a rewrite, a
// LockFinding. docs/lint-observed-locks.md. Not thread-safe: one per test run.
#pragma once

#include "strata/events.h"
#include "strata/options.h"
#include "strata/schema.h"

#include "db/connection.h"
#include "engine/lint_gate.h"
#include "lint/linter.h"

#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace strata::scratch {

class LockObserver {
 public:
  // Reads the tables that exist now (before a migrate on the scratch database), so a rewrite
  // of one is seen. Tables created later start with relfilenode = oid.
  Status Snapshot(db::Connection& conn);
  // Starts linting the project's migrations for server major `pg_major` on a thread of its
  // own, while the migrations run (the lint does not depend on what they do). Once per run.
  // Only for runs whose migrate gate does not lint ([migrate] lint_gate = false).
  void StartLint(const Options& options, int pg_major);
  // Feed every event of the scratch migrate runs.
  void OnEvent(const Event& e);
  // The migrate gate's lint of a scratch migrate run (MigrateResult::gate_lint): its
  // predictions are the analyzer's side of the comparison, so the files are not linted again.
  void AddGateLint(std::shared_ptr<const engine::GateLint> gate);
  // Aligns the analyzer's predictions (the gates' lints; when one does not cover an observed
  // migration, StartLint's result or a lint of the project's migrations) with the observed
  // statements and fills r.trace, r.lock_findings and r.observed_statements. Errors: those of
  // lint's config.
  Status Finish(const Options& options, int pg_major, TestResult& r);
  // After Finish: whether it linted the migration files itself (false: the gates' lints
  // covered every observed migration).
  bool linted_files() const { return linted_files_; }
  ~LockObserver();

 private:
  struct Rel {
    std::string name;
    char relkind = 0;
    std::uint32_t relfilenode = 0;
  };
  struct Script {
    std::string name;
    int statement_count = 0;
    std::vector<ObservedStatement> statements;
    std::vector<std::vector<std::string>> created;  // per statement: tables it created
    // per statement: tables it renamed, old name → new name
    std::vector<std::map<std::string, std::string>> renamed;
  };
  struct Linted {
    std::vector<lint::LintInput> inputs;
    lint::LintResult result;
  };
  static Result<Linted> LintAll(const Options& options, int pg_major);
  std::future<Result<Linted>> linting_;
  std::vector<std::shared_ptr<const engine::GateLint>> gates_;
  bool linted_files_ = false;
  int lint_major_ = 0;
  std::map<std::uint32_t, Rel> rels_;
  std::vector<Script> scripts_;
  std::vector<Event::StatementObserved::Lock> prev_;
  double prev_at_ = 0;
};

}  // namespace strata::scratch
