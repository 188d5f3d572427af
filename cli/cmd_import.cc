// import: adopt another tool's migration history (docs/import.md).
#include "cli/commands.h"

#include <fmt/format.h>

namespace strata::cli {

namespace {

nlohmann::json ToJson(const ImportResult& r) {
  nlohmann::json migrations = nlohmann::json::array();
  for (const auto& m : r.migrations) {
    migrations.push_back({{"source", m.source},
                          {"tool_id", m.tool_id},
                          {"script", m.script},
                          {"version", m.version},
                          {"transactional", m.transactional},
                          {"applied", m.applied},
                          {"tool_checksum", m.tool_checksum},
                          {"applied_on", m.applied_on},
                          {"applied_by", m.applied_by},
                          {"written", m.written},
                          {"notes", m.notes}});
  }
  return {{"tool", r.tool},
          {"source", r.source},
          {"location", r.location},
          {"target", r.target},
          {"table", r.table},
          {"dry_run", r.dry_run},
          {"migrations", migrations},
          {"not_carried", r.not_carried},
          {"files_written", r.files_written},
          {"ledger_rows", r.ledger_rows}};
}

std::string ToText(const ImportResult& r) {
  std::string out;
  if (!r.status.ok()) return out;  // the error says what stopped it; nothing was written
  out += fmt::format("{} {} migration(s) from {} into {}{}\n",
                     r.dry_run ? "would import" : "imported", r.migrations.size(), r.source,
                     r.location, r.dry_run ? " (dry run: nothing written)" : "");
  for (const auto& m : r.migrations) {
    out += fmt::format("  {:<9} {} <- {}{}\n", m.applied ? "applied" : "pending", m.script,
                       m.source, m.transactional ? "" : "  [no transaction]");
    for (const auto& n : m.notes) out += fmt::format("            note: {}\n", n);
  }
  if (!r.target.empty()) {
    out += r.table.empty()
               ? fmt::format("{} has no {} table: no ledger rows to write\n", r.target, r.tool)
               : fmt::format("{}: {} {} ledger row(s) from {}\n", r.target,
                             r.dry_run ? "would write" : "wrote", r.ledger_rows, r.table);
  } else {
    out += "no database (--url, or its SQLite file does not exist): files only, no ledger rows\n";
  }
  if (!r.not_carried.empty()) {
    out += fmt::format("not carried ({}):\n", r.not_carried.size());
    for (const auto& n : r.not_carried) out += fmt::format("  {}\n", n);
  }
  if (!r.dry_run && r.status.ok()) {
    out += "next: `strata validate`, then commit the files and strata.sum\n";
  }
  return out;
}

const VerbRegistrar kRegister("import", [](CLI::App& app, GlobalFlags& g, Registry& reg) {
  auto* cmd = app.add_subcommand(
      "import", "adopt a Flyway, golang-migrate, dbmate, Diesel, Liquibase or sqitch history");
  auto req = std::make_shared<ImportRequest>();
  cmd->add_option("--from", req->from,
                  "the tool: flyway, golang-migrate, dbmate, diesel, "
                  "liquibase, sqitch")
      ->required()
      ->check(
          CLI::IsMember({"flyway", "golang-migrate", "dbmate", "diesel", "liquibase", "sqitch"}));
  cmd->add_option("--source", req->source,
                  "the tool's migrations (directory; Liquibase: a changelog file or directory; "
                  "sqitch: the directory of sqitch.plan); default: the tool's usual path");
  cmd->add_option("--table", req->table, "the tool's history table, when not its default");
  cmd->add_option("--registry", req->registry,
                  "sqitch on SQLite: URL of its registry (default sqlite:<dir>/sqitch.db)");
  cmd->add_flag("--dry-run", req->dry_run, "check and show everything; write nothing");
  Examples(cmd, {{"strata import --from flyway --source src/main/resources/db/migration --dry-run",
                  "show what would be converted and recorded; write nothing"},
                 {"strata --url postgres://app@db/app import --from diesel --source migrations",
                  "convert a Diesel history and record what its table says is applied"}});
  reg.commands.emplace_back(cmd, [&g, req] {
    int code = 0;
    auto opts = LoadOptions(g, code);
    if (!opts) return code;
    auto r = Import(*opts, *req);
    return g.json ? Finish(g, r.status, ToJson(r), std::string())
                  : Finish(g, r.status, nlohmann::json(), ToText(r));
  });
});

}  // namespace

}  // namespace strata::cli
