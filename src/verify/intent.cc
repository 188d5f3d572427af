#include "verify/intent.h"

#include "base/text.h"
#include "sql/directives.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace strata::verify {

namespace {

// Lowercase, and every run of non-alphanumerics becomes one '-'.
std::string KeyNorm(std::string_view s) {
  std::string out;
  for (char c : base::Trim(s)) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

struct Alias {
  std::string_view alias;  // normalised
  std::string_view key;
};
constexpr Alias kAliases[] = {
    {"schema-data-object-affected", "objects-affected"},
    {"schema-data-objects-affected", "objects-affected"},
    {"object-affected", "objects-affected"},
    {"application-version-dependency", "app-dependency"},
    {"app-version-dependency", "app-dependency"},
    {"expected-production-effect", "expected-effect"},
    {"new-app-before-migration", "new-app-old-db"},
    {"new-app-on-old-database", "new-app-old-db"},
    {"old-app-after-migration", "old-app"},
    {"change-ticket", "ticket"},
};

Status Err(std::string_view file, int line, std::string msg, std::string hint) {
  return Status(ErrorCode::kDirective, std::move(msg))
      .WithSpan({std::string(file), line, 0})
      .WithHint(std::move(hint));
}

const IntentKeyInfo* FindKey(std::string_view norm) {
  for (const auto& a : kAliases) {
    if (a.alias == norm) norm = a.key;
  }
  for (const auto& k : IntentKeys()) {
    if (k.key == norm || KeyNorm(k.label) == norm) return &k;
  }
  return nullptr;
}

std::string SuggestKey(std::string_view norm) {
  std::string_view best;
  size_t best_d = std::max<size_t>(2, norm.size() / 3) + 1;  // close enough to be a typo
  for (const auto& k : IntentKeys()) {
    size_t d =
        std::min(base::EditDistance(norm, k.key), base::EditDistance(norm, KeyNorm(k.label)));
    if (d < best_d) {
      best_d = d;
      best = k.label;
    }
  }
  if (!best.empty()) return fmt::format("did you mean `{}:`?", best);
  std::vector<std::string_view> labels;
  for (const auto& k : IntentKeys()) labels.push_back(k.label);
  return fmt::format("known keys: {}", fmt::join(labels, ", "));
}

}  // namespace

const std::vector<IntentKeyInfo>& IntentKeys() {
  static const std::vector<IntentKeyInfo> kKeys = {
      {"business-capability", "Business capability", "what the business gains (seed 003 §2.1)"},
      {"objects-affected", "Schema/data object affected", "tables, columns, rows touched"},
      {"app-dependency", "Application version dependency",
       "which app version needs or tolerates this change"},
      {"expected-effect", "Expected production effect", "locks, rewrites, rows, duration"},
      {"user-visible-effect", "User-visible effect", "what users notice, or none"},
      {"risk-class", "Risk class", "one of the risk classes, then free text"},
      {"recovery-direction", "Recovery direction", "roll-forward, rollback or none, then how"},
      {"old-app", "Old app",
       "justifies the cell old app × database after this migration when it fails"},
      {"new-app-old-db", "New app before migration",
       "justifies the cell new app × database before this migration (deployment order)"},
      {"expected-rows", "Expected rows",
       "rows the statements should affect, in the check language: between 1 and 5000"},
      {"rehearsal-duration", "Rehearsal duration",
       "how long the staging rehearsal took; a stop criterion compares with it"},
      {"owner", "Owner", "the team answerable for the change"},
      {"ticket", "Ticket", "change ticket or PR link"},
      {"approval", "Approval", "who approved it"},
  };
  return kKeys;
}

const std::vector<std::string_view>& KnownRiskClasses() {
  static const std::vector<std::string_view> kClasses = {
      "repair",         "baseline",       "breaking-ddl", "large-backfill", "large-table-ddl",
      "dml-correction", "security-grant", "stored-logic", "reference-data", "small-additive-ddl"};
  return kClasses;
}

std::string_view RecoveryName(Recovery r) {
  switch (r) {
    case Recovery::kRollForward:
      return "roll-forward";
    case Recovery::kRollback:
      return "rollback";
    case Recovery::kNone:
      return "none";
    case Recovery::kUnknown:
      break;
  }
  return "";
}

std::string_view Intent::Get(std::string_view key) const {
  auto it = fields.find(key);
  return it == fields.end() ? std::string_view() : std::string_view(it->second.value);
}

Result<Intent> ParseIntent(std::string_view text, std::string_view file, db::Dialect dialect) {
  Intent out;
  out.file = std::string(file);
  if (text.find("strata:intent") == std::string_view::npos) return out;
  std::vector<std::string_view> lines;  // for the field lines below the header's first line
  Status st = sql::ForEachDirectiveLine(
      text, dialect, [&](int line_no, std::string_view, std::string_view t) -> Status {
        if (t.substr(0, 6) != "intent") return Status::Ok();
        if (t.size() > 6 && !std::isspace(static_cast<unsigned char>(t[6]))) return Status::Ok();
        if (lines.empty()) lines = base::SplitLines(text);
        if (out.present) {
          return Err(
              file, line_no,
              fmt::format("a second `-- strata:intent` (the first is at line {})", out.line),
              "one intent per migration (seed 003 §5.2): merge the headers or split the file");
        }
        if (!base::Trim(t.substr(6)).empty()) {
          return Err(file, line_no, "`-- strata:intent` takes no arguments",
                     "put each field on its own comment line below it: `-- Risk class: ...`");
        }
        out.present = true;
        out.line = line_no;
        std::string last_key;
        for (size_t j = static_cast<size_t>(line_no); j < lines.size(); ++j) {
          std::string_view raw = base::Trim(lines[j]);
          if (raw.substr(0, 2) != "--") break;
          std::string_view body = raw.substr(2);
          std::string_view v = base::Trim(body);
          if (v.empty() || v.substr(0, 7) == "strata:") break;
          int ln = static_cast<int>(j) + 1;
          if (v.substr(0, 2) == "##") continue;  // "## Migration Intent" title, as in the template
          // Continuation: indented by two or more spaces after `--`.
          size_t indent = 0;
          while (indent < body.size() && (body[indent] == ' ' || body[indent] == '\t')) ++indent;
          if (indent >= 3 && !last_key.empty()) {
            auto& f = out.fields[last_key];
            f.value += ' ';
            f.value += v;
            continue;
          }
          if (v.substr(0, 2) == "- " || v.substr(0, 2) == "* ") v = base::Trim(v.substr(2));
          size_t colon = v.find(':');
          if (colon == std::string_view::npos || colon == 0 || colon > 60) {
            return Err(
                file, ln, fmt::format("expected `Key: value` in the intent header, got '{}'", v),
                "write `-- Key: value`, indent a continuation by three spaces after `--`, or "
                "end the header with an empty `--` line");
          }
          std::string norm = KeyNorm(v.substr(0, colon));
          const IntentKeyInfo* info = FindKey(norm);
          if (!info) {
            return Err(file, ln,
                       fmt::format("unknown intent key `{}`", base::Trim(v.substr(0, colon))),
                       SuggestKey(norm));
          }
          std::string key(info->key);
          if (auto it = out.fields.find(key); it != out.fields.end()) {
            return Err(
                file, ln,
                fmt::format("`{}` is given twice (first at line {})", info->label, it->second.line),
                "keep one; indent a continuation line by three spaces after `--`");
          }
          std::string value(base::Trim(v.substr(colon + 1)));
          if (value.empty()) {
            return Err(file, ln, fmt::format("`{}` has no value", info->label),
                       "write the value after the colon, or remove the line");
          }
          out.fields[key] = IntentField{std::move(value), ln};
          last_key = key;
        }
        return Status::Ok();
      });
  STRATA_TRY(st);
  if (!out.present) return out;
  // Typed fields.
  if (auto it = out.fields.find("risk-class"); it != out.fields.end()) {
    std::string_view v = it->second.value;
    size_t end = 0;
    while (end < v.size() && (std::isalnum(static_cast<unsigned char>(v[end])) || v[end] == '-')) {
      ++end;
    }
    std::string cls = base::ToLower(v.substr(0, end));
    const auto& known = KnownRiskClasses();
    if (std::find(known.begin(), known.end(), cls) == known.end()) {
      std::string_view best = base::ClosestMatch(cls, known, 4);
      return Err(file, it->second.line,
                 fmt::format("`Risk class: {}` does not start with a known risk class", v),
                 best.empty()
                     ? fmt::format("start it with one of: {}", fmt::join(known, ", "))
                     : fmt::format("did you mean `{}`? (known: {})", best, fmt::join(known, ", ")));
    }
    out.risk_class = cls;
  }
  if (auto it = out.fields.find("recovery-direction"); it != out.fields.end()) {
    std::string v = base::ToLower(it->second.value);
    auto starts = [&](std::string_view w) {
      return v.substr(0, w.size()) == w &&
             (v.size() == w.size() || !std::isalnum(static_cast<unsigned char>(v[w.size()])));
    };
    if (starts("roll-forward") || starts("roll forward") || starts("rollforward")) {
      out.recovery = Recovery::kRollForward;
    } else if (starts("rollback") || starts("roll-back") || starts("roll back")) {
      out.recovery = Recovery::kRollback;
    } else if (starts("none")) {
      out.recovery = Recovery::kNone;
    } else {
      return Err(file, it->second.line,
                 fmt::format("`Recovery direction: {}` must start with roll-forward, rollback or "
                             "none",
                             it->second.value),
                 "e.g. `Recovery direction: roll-forward; the old app ignores the new column`");
    }
  }
  if (auto it = out.fields.find("expected-rows"); it != out.fields.end()) {
    STRATA_ASSIGN_OR_RETURN(auto e, ParseExpectation(it->second.value, file, it->second.line));
    if (e.operand != Operand::kNumber) {
      return Err(file, it->second.line,
                 fmt::format("`Expected rows: {}` must compare with numbers", it->second.value),
                 "e.g. `Expected rows: between 1 and 5000` or `Expected rows: = 0`");
    }
    out.expected_rows = std::move(e);
  }
  if (auto it = out.fields.find("rehearsal-duration"); it != out.fields.end()) {
    auto d = base::ParseDuration(it->second.value);
    if (!d) {
      return Err(file, it->second.line,
                 fmt::format("`Rehearsal duration: {}` is not a duration", it->second.value),
                 "e.g. `Rehearsal duration: 40s` (units ms, s, min, h)");
    }
    out.rehearsal = *d;
  }
  return out;
}

IntentPolicy IntentPolicy::Defaults() {
  IntentPolicy p;
  p.always = {"business-capability", "risk-class", "recovery-direction"};
  std::vector<std::string> all = {"business-capability", "objects-affected",    "app-dependency",
                                  "expected-effect",     "user-visible-effect", "risk-class",
                                  "recovery-direction"};
  for (auto c : {"breaking-ddl", "large-table-ddl", "large-backfill", "dml-correction"}) {
    p.by_class[c] = all;
  }
  return p;
}

Status CheckRequired(const Intent& intent, const IntentPolicy& policy) {
  if (!intent.present) {
    if (!policy.require_header) return Status::Ok();
    return Status(ErrorCode::kDirective, "the migration has no intent header")
        .WithSpan({intent.file, 1, 0})
        .WithHint(
            "add `-- strata:intent` and the fields of docs/formats/intent-header.md at the "
            "top of the file (required by [evidence.intent] require_header)");
  }
  std::vector<std::string> missing;
  auto need = [&](const std::string& k) {
    if (!intent.Has(k) && std::find(missing.begin(), missing.end(), k) == missing.end()) {
      missing.push_back(k);
    }
  };
  for (const auto& k : policy.always) need(k);
  if (auto it = policy.by_class.find(intent.risk_class); it != policy.by_class.end()) {
    for (const auto& k : it->second) need(k);
  }
  if (missing.empty()) return Status::Ok();
  std::vector<std::string> labels;
  for (const auto& k : missing) {
    for (const auto& info : IntentKeys()) {
      if (info.key == k) labels.push_back(fmt::format("`{}:`", info.label));
    }
  }
  return Status(ErrorCode::kDirective,
                fmt::format("the intent header{} is missing {}",
                            intent.risk_class.empty()
                                ? std::string()
                                : fmt::format(" of a {} migration", intent.risk_class),
                            fmt::join(labels, ", ")))
      .WithSpan({intent.file, intent.line, 0})
      .WithHint(
          "add the missing lines below `-- strata:intent` (required keys per risk class "
          "are set in strata.toml [evidence.intent])");
}

}  // namespace strata::verify
