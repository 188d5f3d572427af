// ID104 identifier-generation-changed: how new ids of a contracted column are made changes — SET
// or DROP DEFAULT, ADD/SET/DROP identity, DROP EXPRESSION, or the column's sequence (ALTER
// SEQUENCE <table>_<column>_seq or one OWNED BY the column; setval on it). The next ids then
// collide with or skip ones partners already hold. The doc is identifier-generation-changed.md;
// cases are in identifier-generation-changed.test.
#include "lint/rules/identifier_helpers.h"

namespace strata::lint {

namespace {
// The contract whose column's sequence is `seq`: `<table>_<column>_seq` (serial and identity
// name theirs so), or nullptr.
const identifiers::Contract* ContractOfSequence(const Context& ctx, std::string_view seq) {
  for (const auto& c : ctx.config().identifiers.all()) {
    for (const auto& col : c.columns) {
      if (base::EqualsIgnoreCase(seq, c.table + "_" + col + "_seq")) return &c;
    }
  }
  return nullptr;
}
}  // namespace

void CheckIdentifierGenerationChanged(Context& ctx) {
  using namespace rules;  // NOLINT
  const auto& ids = ctx.config().identifiers;
  if (ids.empty()) return;
  JsonRef node = ctx.stmt()->node();
  if (JsonRef alter = node.As("AlterTableStmt")) {
    analysis::TableRef t = analysis::TableRefFromRangeVar(alter.Get("relation"));
    ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
      std::string_view what;
      if (sub == "AT_ColumnDefault" || sub == "AT_CookedColumnDefault") {
        what = cmd.Get("def") ? "sets a new DEFAULT on" : "drops the DEFAULT of";
      } else if (sub == "AT_AddIdentity") {
        what = "adds an identity to";
      } else if (sub == "AT_SetIdentity") {
        what = "changes the identity (RESTART, INCREMENT, ...) of";
      } else if (sub == "AT_DropIdentity") {
        what = "drops the identity of";
      } else if (sub == "AT_DropExpression") {
        what = "drops the generation expression of";
      } else {
        return;
      }
      std::string col(cmd.Get("name").Str());
      if (const Contract* c = ContractedColumn(ctx, t, col)) {
        ctx.Report(fmt::format("{} column `{}` of `{}`: the {}; the next ids no longer follow "
                               "the ones its consumers hold (collisions, gaps, another form)",
                               what, col, t.Display(), Named(*c)),
                   MappingHelp(*c));
      }
    });
    return;
  }
  if (JsonRef seq = node.As("AlterSeqStmt")) {
    analysis::TableRef s = analysis::TableRefFromRangeVar(seq.Get("sequence"));
    const Contract* c = ContractOfSequence(ctx, s.name);
    JsonRef opts = seq.Get("options");
    for (size_t i = 0; !c && i < opts.size(); ++i) {
      JsonRef d = opts.At(i).Get("DefElem");
      if (d.Get("defname").Str() != "owned_by") continue;
      JsonRef items = d.Get("arg").Get("List").Get("items");
      size_t n = items.size();
      if (n < 2) continue;
      analysis::TableRef t;
      t.name = std::string(items.At(n - 2).Get("String").Get("sval").Str());
      if (n >= 3) t.schema = std::string(items.At(n - 3).Get("String").Get("sval").Str());
      c = ContractedColumn(ctx, t, std::string(items.At(n - 1).Get("String").Get("sval").Str()));
    }
    if (c) {
      ctx.Report(fmt::format("alters sequence `{}`, which generates the {}; the next ids no "
                             "longer follow the ones its consumers hold",
                             s.Display(), Named(*c)),
                 MappingHelp(*c));
    }
    return;
  }
  // setval('quote_quote_number_seq', ...) in a SELECT.
  if (ctx.node_type() == "SelectStmt") {
    std::string text = base::ToLower(ctx.stmt()->text());
    if (text.find("setval") == std::string::npos) return;
    for (const auto& c : ids.all()) {
      for (const auto& col : c.columns) {
        std::string seq = base::ToLower(c.table + "_" + col + "_seq");
        if (text.find(seq) != std::string::npos) {
          ctx.Report(fmt::format("calls setval on `{}`, which generates the {}; the next ids no "
                                 "longer follow the ones its consumers hold",
                                 seq, Named(c)),
                     MappingHelp(c));
          return;
        }
      }
    }
  }
}

}  // namespace strata::lint
