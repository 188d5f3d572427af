// Flyway-style callbacks during `strata migrate`: the SQL of `beforeMigrate.sql`,
// `beforeEachMigrate.sql`, `afterEachMigrate.sql`, `afterMigrate.sql` and
// `afterMigrateError.sql` (and their `<event>__<description>.sql` variants, in name order) in
// the migration locations, with placeholders expanded and directives obeyed like a migration's
// (`-- strata:transaction off`). They run under the migration lock of a run that applies
// something: an up-to-date migrate runs none. A callback is not a migration: it has no ledger
// row; each one that ran is listed in MigrateResult::callbacks and the run record
// (strata_run.detail). Not thread-safe (uses the session's connection).
#pragma once

#include "strata/commands.h"

#include "migrate/discovery.h"
#include "session/session.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace strata::engine {

class Callbacks {
 public:
  Callbacks(session::Session& ctx, const Options& options,
            const std::vector<migrate::Callback>& callbacks, std::vector<CallbackRun>& ran)
      : ctx_(ctx), options_(options), callbacks_(callbacks), ran_(ran) {}

  // Runs every callback of `event` in name order; `migration` names the migration of an
  // each-migration event. A transactional callback runs in its own transaction. Errors:
  // kMigrationFailed at the callback's file:line with the database's message (a failed
  // transactional callback left nothing behind), or Prepare's errors (kPlaceholder, ...).
  Status Run(std::string_view event, const std::string& migration = {});

  // Whether any callback of `event` exists.
  bool Has(std::string_view event) const;

 private:
  session::Session& ctx_;
  const Options& options_;
  const std::vector<migrate::Callback>& callbacks_;
  std::vector<CallbackRun>& ran_;
};

// The SQL --dry-run shows for the callbacks of `event` ("" when none).
Result<std::string> CallbackDryRun(const std::vector<migrate::Callback>& callbacks,
                                   std::string_view event, db::Dialect dialect,
                                   const Options& options);

// The run record's detail: {"callbacks": [{event, script, checksum, migration, ok}...]}.
nlohmann::json CallbacksDetail(const std::vector<CallbackRun>& ran);

}  // namespace strata::engine
