// Connecting for the evidence verbs (verify, tag, evidence, plan): the URL, the connection and
// the schema history, like engine::Open but without depending on the engine. Not thread-safe.
#pragma once

#include "strata/options.h"
#include "strata/result.h"

#include "db/connection.h"
#include "ledger/ledger.h"

#include <memory>
#include <string_view>

namespace strata::evidence {

struct Db {
  db::DbUrl url;
  std::unique_ptr<db::Connection> conn;
  std::unique_ptr<ledger::Ledger> ledger;
};

// Parses options.url and connects. Errors: kConfig (bad URL), kConnection.
Result<Db> OpenDb(const Options& options, std::string_view verb);

// Fails (kValidation) when the database has no schema history yet: there is nothing to verify,
// tag or report on.
Status RequireLedger(Db& db);

}  // namespace strata::evidence
