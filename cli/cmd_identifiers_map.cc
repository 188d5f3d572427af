// strata identifiers map create|fill|status|publish <identifier>: re-keying an identifier
// through a verified, hash-chained mapping instead of in place (src/identifiers/map.h,
// docs/identifiers-map.md). `fill` runs the mapping's job through the backfill engine.
#include "cli/commands.h"

#include <fmt/format.h>

#include <memory>

#include "backfill/backfill.h"
#include "identifiers/map.h"

namespace strata::cli {
namespace {

int Render(const GlobalFlags& g, const identifiers::MapStatus& s) {
  return Finish(g, s.status, identifiers::ToJson(s), identifiers::ToText(s));
}

void Register(CLI::App& app, GlobalFlags& g, Registry& reg) {
  auto* map =
      VerbGroup(app, "identifiers", "external identifier contracts")
          ->add_subcommand(
              "map",
              "re-key an identifier through a verified mapping (old id → new id), never in place");
  map->require_subcommand(1);
  Examples(map, {{"strata identifiers map create quote_number --to quote_number_v2 --why "
                  "\"new numbering\"",
                  "a mapping from the old quote numbers to the new column's"},
                 {"strata identifiers map status quote_number", "coverage and the chain check"}});

  auto* create = map->add_subcommand(
      "create", "create the mapping table, its guard trigger and its lookup view");
  auto creq = std::make_shared<identifiers::MapCreateRequest>();
  create->add_option("identifier", creq->identifier, "a name in db/identifiers.toml")->required();
  create->add_option("--to", creq->to, "the column of the same table holding the new ids");
  create->add_option("--expr", creq->expr, "the new id as SQL over the table's row `src`");
  create->add_option("--why", creq->why, "why the ids change (recorded with every row)")
      ->required();
  create->add_flag("--merge", creq->merge,
                   "a merge: several old ids may map to one new id (duplicates folded)");
  Examples(create, {{"strata identifiers map create quote_number --to quote_number_v2 --why "
                     "\"new numbering\"",
                     "old quote numbers → the new column's values"}});
  reg.commands.emplace_back(create, [&g, creq] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    return Render(g, identifiers::MapCreate(*opts, *creq));
  });

  auto* fill = map->add_subcommand(
      "fill", "map every old id through the backfill engine (resumable; rerun after any stop)");
  auto fname = std::make_shared<std::string>();
  fill->add_option("identifier", *fname, "the mapped identifier")->required();
  Examples(fill,
           {{"strata identifiers map fill quote_number", "map every old id; rerun to resume"}});
  reg.commands.emplace_back(fill, [&g, fname] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto prep = identifiers::MapPrepareFill(*opts, *fname);
    if (!prep.status.ok()) return Render(g, prep);
    backfill::RunRequest run;
    run.job = prep.job_file;
    auto r = backfill::Run(*opts, run);
    if (r.status.ok() && r.already_done) {
      // Completed before: run again only for old ids that arrived since.
      auto now = identifiers::MapStatusOf(*opts, *fname);
      if (now.status.ok() && now.unmapped > 0) {
        run.restart = true;
        r = backfill::Run(*opts, run);
      }
    }
    if (!r.status.ok()) {
      prep.status = r.status;
      return Render(g, prep);
    }
    return Render(g, identifiers::MapStatusOf(*opts, *fname));
  });

  struct Verb {
    const char* name;
    const char* help;
    identifiers::MapStatus (*fn)(const Options&, const std::string&);
  };
  static const Verb verbs[] = {
      {"status",
       "coverage (unmapped, collisions, orphans, stale) and, once published, the hash "
       "chain check",
       identifiers::MapStatusOf},
      {"publish", "verify, then freeze the mapping (guard trigger, chain head in the ledger)",
       identifiers::MapPublish},
  };
  for (const auto& v : verbs) {
    auto* sub = map->add_subcommand(v.name, v.help);
    auto name = std::make_shared<std::string>();
    sub->add_option("identifier", *name, "the mapped identifier")->required();
    Examples(sub, {{fmt::format("strata identifiers map {} quote_number", v.name), v.help}});
    auto fn = v.fn;
    reg.commands.emplace_back(sub, [&g, name, fn] {
      int code = 0;
      auto opts = LoadOptions(g, code);
      if (!opts) return code;
      return Render(g, fn(*opts, *name));
    });
  }
}

const VerbRegistrar kRegistrar("identifiers", Register);

}  // namespace
}  // namespace strata::cli
