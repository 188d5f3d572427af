// strata identifiers check | digest | protect | unprotect: the external identifier contracts of
// db/identifiers.toml against the live database (docs/formats/identifiers.md).
#include "cli/commands.h"

#include "identifiers/commands.h"

namespace strata::cli {
namespace {

static VerbRegistrar reg("identifiers", [](CLI::App& app, GlobalFlags& g, Registry& r) {
  auto* ids = VerbGroup(app, "identifiers", "external identifier contracts");
  ids->description("external identifier contracts: check, digest, protect, unprotect, map");
  Examples(ids, {{"strata identifiers check", "every contract's table and columns exist"},
                 {"strata --json identifiers digest quote_number",
                  "counts and the digest of one identifier"}});

  auto* check = ids->add_subcommand(
      "check",
      "compare the contracts with the live schema (a missing table or column is an "
      "error naming the closest match)");
  Examples(check, {{"strata identifiers check", "after editing db/identifiers.toml"}});
  r.commands.emplace_back(check, [&g] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto res = identifiers::Check(*opts);
    return Finish(g, res.status, identifiers::ToJson(res), identifiers::ToText(res));
  });

  auto* digest = ids->add_subcommand(
      "digest",
      "row, NULL, duplicate and format-violation counts and an order-independent "
      "digest of each identifier's values, computed in the database in one pass");
  auto dreq = std::make_shared<identifiers::DigestRequest>();
  digest->add_option("names", dreq->names, "identifiers to digest (default: all)");
  Examples(digest, {{"strata identifiers digest", "every identifier"},
                    {"strata --json identifiers digest quote_number event_id", "two, as JSON"}});
  r.commands.emplace_back(digest, [&g, dreq] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto res = identifiers::DigestAll(*opts, *dreq);
    return Finish(g, res.status, identifiers::ToJson(res), identifiers::ToText(res));
  });

  for (bool remove : {false, true}) {
    auto* cmd = ids->add_subcommand(
        remove ? "unprotect" : "protect",
        remove ? "remove the protection triggers (recorded in the evidence ledger)"
               : "install triggers that refuse UPDATE of identifier columns and DELETE where "
                 "the contract forbids it (recorded in the evidence ledger)");
    auto req = std::make_shared<identifiers::ProtectRequest>();
    req->remove = remove;
    cmd->add_option("names", req->names, "identifiers (default: all)");
    Examples(cmd,
             {{remove ? "strata identifiers unprotect quote_number" : "strata identifiers protect",
               remove ? "drop one identifier's triggers" : "protect every identifier"}});
    r.commands.emplace_back(cmd, [&g, req] {
      int code = 0;
      auto opts = LoadOptions(g, code);
      if (!opts) return code;
      auto res = identifiers::Protect(*opts, *req);
      return Finish(g, res.status, identifiers::ToJson(res), identifiers::ToText(res));
    });
  }
});

}  // namespace
}  // namespace strata::cli
