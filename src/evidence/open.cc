#include "evidence/open.h"

#include "base/host.h"

#include <fmt/format.h>
#include <unistd.h>

#include "evidence/run_store.h"

namespace strata::evidence {

Result<Db> OpenDb(const Options& options, std::string_view verb) {
  Db d;
  STRATA_ASSIGN_OR_RETURN(d.url, db::ParseUrl(options.url));
  d.url.may_create = false;                 // verify, evidence, tag, plan: never create a database
  d.url.missing_is_empty = verb == "plan";  // the runbook of what migrate would do to it
  std::string app = fmt::format("strata {} pid {} on {}", verb, getpid(), base::HostName());
  STRATA_ASSIGN_OR_RETURN(d.conn, db::Connect(d.url, app));
  d.ledger = std::make_unique<ledger::Ledger>(*d.conn, options.ledger_table, options.ledger_schema);
  return d;
}

Status RequireLedger(Db& d) {
  STRATA_ASSIGN_OR_RETURN(bool exists, d.ledger->Exists());
  if (exists) return Status::Ok();
  return Status(ErrorCode::kValidation,
                fmt::format("{} has no schema history ({}): nothing has been applied here",
                            d.url.redacted, d.ledger->qualified()))
      .WithHint("run `strata migrate` first, or point --url at the database you mean");
}

}  // namespace strata::evidence
