#include "lint/identifier_gate.h"

#include "base/file.h"
#include "base/text.h"
#include "db/connection.h"
#include "lint/linter.h"
#include "lint/registry.h"

#include <fmt/format.h>

#include <optional>

namespace strata::lint {

Status RefuseIdentifierChanges(const Options& options, std::string_view sql, const SourceSpan& at,
                               std::string_view verb, db::Connection* live) {
  STRATA_ASSIGN_OR_RETURN(LintConfig config, LoadLintConfig(options));
  if (config.identifiers.empty()) return Status::Ok();
  for (const auto& r : AllRules()) {
    if (!r.id.starts_with("ID")) config.disabled.insert(std::string(r.id));
  }
  std::optional<LiveInfo> li;
  if (live && live->dialect() == db::Dialect::kPostgres) {
    STRATA_ASSIGN_OR_RETURN(li, ReadLiveInfo(*live, &config.identifiers));
  }
  std::string script = at.file.empty() ? "input.sql" : at.file;
  LintInput in{script, script, base::NormalizeText(sql), true, false, ""};
  LintResult res = Lint({in}, config, li ? &*li : nullptr);
  STRATA_TRY(res.status);
  const Finding* first = nullptr;
  int n = 0;
  for (const auto& f : res.findings) {
    if (f.suppressed || !f.rule_id.starts_with("ID") || f.severity < config.gate) continue;
    if (!first) first = &f;
    ++n;
  }
  if (!first) return Status::Ok();
  SourceSpan span = at.line > 0 ? at : SourceSpan{at.file, first->line, first->column};
  std::string more = n > 1 ? fmt::format(" ({} more finding{})", n - 1, n > 2 ? "s" : "") : "";
  return Status(ErrorCode::kLint, fmt::format("{} refused: {} [{} {}]{}", verb, first->message,
                                              first->rule_id, first->rule_name, more))
      .WithSpan(std::move(span))
      .WithHint(first->help);
}

Status RefuseIdentifierChangesInFile(const Options& options, const std::string& path,
                                     std::string_view verb, db::Connection* live) {
  std::string why;
  auto text = base::ReadFile(path, &why);
  if (!text) return Status(ErrorCode::kIo, fmt::format("cannot read {}: {}", path, why));
  return RefuseIdentifierChanges(options, *text, SourceSpan{path, 0, 0}, verb, live);
}

}  // namespace strata::lint
