#include "lint/suppress.h"

#include "base/text.h"
#include "lint/registry.h"
#include "sql/directives.h"

#include <fmt/format.h>

namespace strata::lint {

namespace {

// diesel-guard's blocks: `-- safety-assured:start`, the statements, `-- safety-assured:end`. The
// reason is the comment right after the start line, else a note naming the block.
void ParseSafetyAssured(std::string_view text, const std::string& path,
                        const analysis::FileAnalysis& file, std::vector<Suppression>& out) {
  int line_no = 0;
  Suppression* open = nullptr;
  for (std::string_view line : base::SplitLines(text)) {
    ++line_no;
    std::string_view t = base::Trim(line);
    if (t.substr(0, 2) != "--") {
      continue;
    }
    std::string_view rest = base::Trim(t.substr(2));
    if (rest == "safety-assured:start") {
      out.emplace_back();
      open = &out.back();
      open->block = true;
      open->record.file = path;
      open->record.line = line_no;
      open->record.rules = {"safety-assured"};
      open->column = static_cast<int>(line.find("--")) + 1;
      continue;
    }
    if (!open) continue;
    if (rest == "safety-assured:end") {
      int first = -1, last = -1;
      for (const auto& st : file.statements) {
        if (st.line > open->record.line && st.line < line_no) {
          if (first < 0) first = static_cast<int>(st.index);
          last = static_cast<int>(st.index);
        }
      }
      open->statement_index = first;
      open->last_statement = last;
      if (open->record.reason.empty()) {
        open->record.reason = fmt::format("-- safety-assured block (diesel-guard), lines {}-{}",
                                          open->record.line, line_no);
      }
      open = nullptr;
    } else if (open->record.reason.empty() && !rest.empty()) {
      open->record.reason = std::string(rest);
    }
  }
  // A block never closed covers nothing: diesel-guard itself reports it.
  if (open) out.pop_back();
}

}  // namespace

std::vector<Suppression> ParseSuppressions(std::string_view text, const std::string& path,
                                           const analysis::FileAnalysis& file,
                                           bool safety_assured) {
  std::vector<Suppression> out;
  if (safety_assured && text.find("safety-assured:start") != std::string_view::npos) {
    ParseSafetyAssured(text, path, file, out);
  }
  if (text.find("strata:allow") == std::string_view::npos) return out;
  // The `-- strata:` lines of real comments, as the engine reads its directives: inside a string
  // literal, dollar body or /* */ comment the line is text (the linter reads PostgreSQL). Each
  // line is read on its own, so a bad directive elsewhere (refused by the engine, SY findings
  // here) loses no suppression.
  int first_stmt_line = file.statements.empty() ? 1 << 30 : file.statements.front().line;
  (void)sql::ForEachDirectiveLine(
      text, db::Dialect::kPostgres, [&](int line_no, std::string_view line, std::string_view body) {
        if (body.substr(0, 5) != "allow") return Status::Ok();
        std::string_view rest = base::Trim(body.substr(5));
        Suppression s;
        s.record.file = path;
        s.record.line = line_no;
        s.column = static_cast<int>(line.find("--")) + 1;
        // Rules up to the first blank, then key="value" pairs.
        size_t sp = rest.find_first_of(" \t");
        std::string_view rules = rest.substr(0, sp);
        std::string_view tail = sp == std::string_view::npos ? std::string_view() : rest.substr(sp);
        while (!rules.empty()) {
          size_t comma = rules.find(',');
          std::string_view r = base::Trim(rules.substr(0, comma));
          if (!r.empty()) s.record.rules.emplace_back(r);
          if (comma == std::string_view::npos) break;
          rules = rules.substr(comma + 1);
        }
        size_t rpos = tail.find("reason=");
        if (rpos != std::string_view::npos) {
          std::string_view v = tail.substr(rpos + 7);
          if (!v.empty() && (v[0] == '"' || v[0] == '\'')) {
            char q = v[0];
            size_t end = v.find(q, 1);
            s.record.reason =
                std::string(v.substr(1, end == std::string_view::npos ? v.size() - 1 : end - 1));
          } else {
            s.record.reason = std::string(base::Trim(v.substr(0, v.find_first_of(" \t"))));
          }
        }
        s.record.file_scope = line_no < first_stmt_line;
        if (!s.record.file_scope) {
          for (const auto& st : file.statements) {
            if (st.line > line_no) {
              s.statement_index = static_cast<int>(st.index);
              break;
            }
          }
        }
        out.push_back(std::move(s));
        return Status::Ok();
      });
  return out;
}

void ApplySuppressions(std::vector<Suppression>& sups, std::vector<Finding>& findings,
                       const LintConfig& config,
                       const std::function<bool(std::string_view)>& meta_enabled,
                       std::vector<Finding>* meta) {
  (void)config;
  auto make = [&](const Suppression& s, std::string_view id, std::string_view name, Severity sev,
                  std::string message, std::string help) {
    Finding f;
    f.rule_id = std::string(id);
    f.rule_name = std::string(name);
    f.severity = sev;
    f.file = s.record.file;
    f.line = s.record.line;
    f.column = s.column;
    f.message = std::move(message);
    f.help = std::move(help);
    return f;
  };
  for (auto& s : sups) {
    if (s.block) {
      // Every finding of the statements inside the block, except strata's own meta findings.
      for (auto& f : findings) {
        if (f.suppressed || f.statement_index < s.statement_index ||
            f.statement_index > s.last_statement || f.statement_index < 0 ||
            f.rule_id.starts_with("SY")) {
          continue;
        }
        f.suppressed = true;
        f.suppression_reason = s.record.reason;
        ++s.record.used;
      }
      continue;
    }
    std::vector<const RuleInfo*> rules;
    for (const auto& name : s.record.rules) {
      const RuleInfo* r = FindRule(name);
      if (!r) {
        if (meta_enabled("suppression-unknown-rule")) {
          std::vector<std::string_view> names;
          for (const auto& k : AllRules()) names.push_back(k.name);
          std::string_view best = base::ClosestMatch(name, names);
          meta->push_back(make(s, "SY103", "suppression-unknown-rule", Severity::kError,
                               fmt::format("`-- strata:allow {}` names no known rule", name),
                               best.empty() ? "run `strata lint --rules` for the rule names"
                                            : fmt::format("did you mean `{}`?", best)));
        }
        continue;
      }
      rules.push_back(r);
    }
    if (s.record.rules.empty() && meta_enabled("suppression-unknown-rule")) {
      meta->push_back(make(s, "SY103", "suppression-unknown-rule", Severity::kError,
                           "`-- strata:allow` names no rule",
                           "write `-- strata:allow <rule> reason=\"...\"`"));
    }
    if (s.record.reason.empty() && meta_enabled("suppression-missing-reason")) {
      meta->push_back(make(s, "SY102", "suppression-missing-reason", Severity::kError,
                           "suppression without a reason",
                           "add reason=\"why this is safe here\"; it is recorded with the run"));
    }
    for (auto& f : findings) {
      if (f.suppressed) continue;
      if (!s.record.file_scope && f.statement_index != s.statement_index) continue;
      for (const RuleInfo* r : rules) {
        if (f.rule_id == r->id) {
          f.suppressed = true;
          f.suppression_reason = s.record.reason;
          ++s.record.used;
          break;
        }
      }
    }
    if (s.record.used == 0 && !rules.empty() && meta_enabled("unused-suppression")) {
      meta->push_back(make(
          s, "SY104", "unused-suppression", Severity::kWarning,
          fmt::format("`-- strata:allow {}` suppresses nothing", fmt::join(s.record.rules, ",")),
          s.record.file_scope
              ? "remove the directive"
              : "remove the directive, or move it right above the statement it is for"));
    }
  }
}

}  // namespace strata::lint
