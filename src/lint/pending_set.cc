#include "lint/pending_set.h"

#include "db/connection.h"
#include "migrate/discovery.h"

namespace strata::lint {

Result<Target> ReadTarget(LintConfig config, db::Connection* conn) {
  Target t;
  if (conn) {
    config.dialect = conn->dialect();
    STRATA_ASSIGN_OR_RETURN(t.live, ReadLiveInfo(*conn, &config.identifiers));
    if (config.dialect == db::Dialect::kPostgres && t.live->server_major > 0 &&
        config.pg_version_source != "flag") {
      config.pg_version = t.live->server_major;
      config.pg_version_source = "live";
    }
  }
  t.config = std::move(config);
  return t;
}

LintResult LintPendingSet(const std::vector<LintInput>& inputs, const Target& target, int jobs) {
  return Lint(inputs, target.config, target.live ? &*target.live : nullptr, jobs);
}

Result<LintResult> LintPending(const Options& options,
                               const std::vector<const migrate::Migration*>& pending,
                               db::Connection* live) {
  STRATA_ASSIGN_OR_RETURN(LintConfig config, LoadLintConfig(options));
  STRATA_ASSIGN_OR_RETURN(Target target, ReadTarget(std::move(config), live));
  std::vector<LintInput> inputs;
  inputs.reserve(pending.size());
  for (const migrate::Migration* m : pending) {
    inputs.push_back({m->path, m->script, m->text, true, m->kind == migrate::Kind::kRepeatable});
  }
  return LintPendingSet(inputs, target);
}

}  // namespace strata::lint
