// strata init and strata new: start a project and author its next migration. Neither opens a
// database.
#include "strata/authoring.h"

#include "cli/commands.h"
#include "report/authoring.h"

namespace strata::cli {
namespace {

static VerbRegistrar init_verb("init", [](CLI::App& app, GlobalFlags& g, Registry& r) {
  auto* init = app.add_subcommand(
      "init", "start a project: a commented strata.toml, db/migration and its strata.sum");
  auto ireq = std::make_shared<InitRequest>();
  init->add_option("--dialect", ireq->dialect,
                   "postgres or sqlite (default: the --url's, else sqlite)")
      ->check(CLI::IsMember({"postgres", "sqlite"}));
  init->add_option("--dir", ireq->dir, "the project directory (default: the current one)");
  init->footer("Never overwrites a file. The global --url is written without its password.");
  Examples(init, {{"strata init", "a SQLite project in the current directory"},
                  {"strata init --dialect postgres --url postgres://app@localhost/app",
                   "a PostgreSQL project (the password stays out of strata.toml)"}});
  r.commands.emplace_back(init, [&g, ireq] {
    ireq->url = g.url;
    auto res = Init(*ireq);
    return Finish(g, res.status, report::ToJson(res), report::ToText(res));
  });
});

static VerbRegistrar new_verb("new", [](CLI::App& app, GlobalFlags& g, Registry& r) {
  auto* nw = app.add_subcommand("new", "create the next migration file (and its strata.sum line)");
  auto nreq = std::make_shared<NewRequest>();
  nw->add_option("description", nreq->description, "what the migration does, a few words")
      ->required();
  nw->add_flag("--no-transaction", nreq->no_transaction,
               "the file runs outside a transaction (-- strata:transaction off)");
  nw->add_flag("--repeatable", nreq->repeatable, "an R__ migration, re-run when it changes");
  Examples(nw, {{"strata new \"add email to customer\"", "the next versioned migration"},
                {"strata new --no-transaction \"index customer email\"",
                 "one that runs outside a transaction (CREATE INDEX CONCURRENTLY)"}});
  r.commands.emplace_back(nw, [&g, nreq] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto res = New(*opts, *nreq);
    return Finish(g, res.status, report::ToJson(res), report::ToText(res));
  });
});

}  // namespace
}  // namespace strata::cli
