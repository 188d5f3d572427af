#include "lint/linter.h"

#include "analysis/parse.h"
#include "analysis/prepared.h"
#include "base/file.h"
#include "base/parallel.h"
#include "base/sha256.h"
#include "base/text.h"
#include "db/connection.h"
#include "db/table_size.h"
#include "lint/pipeline.h"
#include "lint/registry.h"
#include "lint/risk.h"
#include "lint/sqlite_lint.h"
#include "lint/suppress.h"
#include "lint/trace.h"
#include "migrate/discovery.h"
#include "sql/directives.h"
#include "verify/checks.h"
#include "verify/intent.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>

namespace strata::lint {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "warning";
}

std::optional<Severity> ParseSeverity(std::string_view s) {
  if (s == "info" || s == "note") return Severity::kInfo;
  if (s == "warning" || s == "warn") return Severity::kWarning;
  if (s == "error") return Severity::kError;
  return std::nullopt;
}

bool MeansTheSameOnSqlite(std::string_view id) {
  if (id == "SY101") return false;
  return id.starts_with("BC") || id.starts_with("DM") || id.starts_with("PO") ||
         id.starts_with("ID") || id.starts_with("SY") || id.starts_with("SQ") || id == "ST106" ||
         id == "LK103";  // by SQLite's own list (sql/transaction_block.h): VACUUM
}

bool MeansTheSameOnSqlite(const Finding& f) { return MeansTheSameOnSqlite(f.rule_id); }

bool RuleAppliesTo(std::string_view id, db::Dialect dialect) {
  if (dialect == db::Dialect::kSqlite) return MeansTheSameOnSqlite(id);
  return !id.starts_with("SQ");
}

int LintResult::CountAtLeast(Severity threshold) const {
  int n = 0;
  for (const auto& f : findings) {
    if (!f.suppressed && f.severity >= threshold) ++n;
  }
  return n;
}

const TableStats* Context::Stats(const analysis::TableRef& t) const {
  if (!live_) return nullptr;
  auto it = live_->tables.find(t.Key());
  if (it == live_->tables.end() && t.schema.empty()) it = live_->tables.find("public." + t.name);
  return it == live_->tables.end() ? nullptr : &it->second;
}

void Context::Report(std::string message, std::string help, std::int64_t location) {
  size_t offset = stmt_->parsed->offset;
  if (location >= 0) {
    size_t o = stmt_->parsed->location_base + static_cast<size_t>(location);
    if (o >= offset && o <= offset + stmt_->parsed->length) offset = o;
  }
  ReportAt(file_.LineOf(offset), file_.ColumnOf(offset), std::move(message), std::move(help));
}

void Context::ReportAt(int line, int column, std::string message, std::string help) {
  Finding f;
  f.rule_id = std::string(rule_id_);
  f.rule_name = std::string(rule_name_);
  f.severity = severity_;
  f.file = file_.path;
  f.line = line;
  f.column = column;
  f.message = std::move(message);
  f.help = std::move(help);
  f.statement_index = stmt_ ? static_cast<int>(stmt_->index) : -1;
  out_->push_back(std::move(f));
}

namespace {

std::string HumanBytes(std::int64_t b) {
  if (b < 0) return "?";
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", b) : fmt::format("{:.1f} {}", v, units[u]);
}

std::string Thousands(std::int64_t n) {
  std::string s = std::to_string(n < 0 ? 0 : n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

bool RuleEnabled(const RuleInfo& r, const LintConfig& c) {
  std::string id(r.id), name(r.name);
  if (c.disabled.count(id) || c.disabled.count(name)) return false;
  if (r.default_on) return true;
  return c.enabled.count(id) || c.enabled.count(name);
}

Severity RuleSeverity(const RuleInfo& r, const LintConfig& c) {
  if (auto it = c.severity_overrides.find(std::string(r.id)); it != c.severity_overrides.end()) {
    return it->second;
  }
  if (auto it = c.severity_overrides.find(std::string(r.name)); it != c.severity_overrides.end()) {
    return it->second;
  }
  return r.severity;
}

std::string_view SetName(analysis::JsonRef body) { return body.Get("name").Str(); }

bool SetValueIsZero(analysis::JsonRef body) {
  analysis::JsonRef args = body.Get("args");
  if (args.size() == 0) return true;
  std::string v = analysis::ConstText(args.At(0));
  return v == "0" || v == "0s" || v == "0ms";
}

// Advances the file state past `sa`.
void Advance(FileState& st, const analysis::StatementAnalysis& sa) {
  using analysis::StatementKind;
  const auto& f = sa.facts;
  if (f.kind == StatementKind::kSet) {
    analysis::JsonRef b = sa.node().NodeBody();
    std::string name = base::ToLower(SetName(b));
    std::string_view kind = b.Get("kind").Str();
    bool reset = kind == "VAR_RESET" || kind == "VAR_SET_DEFAULT" || SetValueIsZero(b);
    if (name == "lock_timeout") st.lock_timeout_set = !reset;
    if (name == "statement_timeout") st.statement_timeout_set = !reset;
  } else if (f.kind == StatementKind::kTransaction) {
    std::string_view kind = sa.node().NodeBody().Get("kind").Str();
    if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
      st.explicit_txn = true;
      st.in_txn = true;
    } else if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK" ||
               kind == "TRANS_STMT_COMMIT_PREPARED" || kind == "TRANS_STMT_PREPARE") {
      st.explicit_txn = false;
      st.in_txn = false;
      st.access_exclusive_at = -1;
    }
  }
  if (st.access_exclusive_at >= 0 && IsHeavy(f)) ++st.heavy_after_lock;
  // The window that LK108 measures: ACCESS EXCLUSIVE on an existing table that stays. A DROP
  // TABLE's lock is on a table that is going away; nothing can use it after the commit anyway.
  if (f.lock == analysis::LockMode::kAccessExclusive && !f.target.empty() && !f.target_is_new &&
      !f.target_is_index && f.kind != analysis::StatementKind::kDropTable &&
      st.access_exclusive_at < 0 && st.InTransaction()) {
    st.access_exclusive_at = static_cast<int>(sa.index);
    st.access_exclusive_table = f.target.Display();
    st.heavy_after_lock = 0;
  }
  if (!st.InTransaction()) st.access_exclusive_at = -1;
}

std::string DescriptionOf(std::string_view script) {
  std::string s(script);
  auto slash = s.find_last_of('/');
  if (slash != std::string::npos) s = s.substr(slash + 1);
  auto dot = s.find('.');
  if (dot != std::string::npos) s = s.substr(0, dot);
  auto sep = s.find("__");
  if (sep != std::string::npos) s = s.substr(sep + 2);
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

// Replaces the content of '...' literals with *** on lines that mention a password or secret,
// so a literal credential found by literal-secret is not printed by the report itself.
std::string MaskSecretLiterals(std::string s) {
  if (s.find('\'') == std::string::npos) return s;
  std::string lower = base::ToLower(s);
  if (lower.find("password") == std::string::npos && lower.find("secret") == std::string::npos) {
    return s;
  }
  std::string out;
  bool in = false;
  for (char c : s) {
    if (c == '\'') {
      if (!in)
        out += "'***";
      else
        out.push_back(c);
      in = !in;
      continue;
    }
    if (!in) out.push_back(c);
  }
  return out;
}

// The source line a finding quotes, secrets masked as MaskSecretLiterals does. A long line
// (one statement after another on a single line, or a minified dump) is quoted as a window of
// kQuoteBytes around the column, so each finding holds a bounded excerpt: copying the whole
// line into every finding made a 620 KB one-line file take 24 GB.
constexpr size_t kQuoteBytes = 160;

// PO105: the intent header's `Risk class` is weaker than the strictest class the statements
// themselves call for (the classes read from the file name, repair and baseline, are the
// author's to declare and are not compared).
std::optional<Finding> DeclaredClassTooWeak(const LintInput& in, const MigrationReport& mr) {
  // The header is read from real comments only (the linter reads PostgreSQL): the same lines
  // inside a string literal or a dollar-quoted body are text.
  auto intent = verify::ParseIntent(in.text, in.path, db::Dialect::kPostgres);
  if (!intent || !intent->present || intent->risk_class.empty()) return std::nullopt;
  const auto& classes = RiskClasses();
  auto rank = [&](std::string_view name) {
    for (size_t i = 0; i < classes.size(); ++i) {
      if (classes[i].name == name) return i;
    }
    return classes.size();
  };
  size_t analysed = classes.size();
  for (const auto& c : mr.classes) {
    if (c == "repair" || c == "baseline") continue;
    analysed = std::min(analysed, rank(c));
  }
  if (analysed == classes.size() || rank(intent->risk_class) <= analysed) return std::nullopt;
  const auto& strict = classes[analysed];
  Finding f;
  f.rule_id = "PO105";
  f.rule_name = "declared-risk-class-too-weak";
  f.severity = Severity::kError;
  f.file = in.path;
  auto field = intent->fields.find(std::string_view("risk-class"));
  f.line = field != intent->fields.end() ? field->second.line : intent->line;
  f.column = 1;
  f.message = fmt::format(
      "the intent header declares risk class `{}`, but the statements make it `{}`: its gates "
      "({}) would be skipped",
      intent->risk_class, strict.name, strict.gates);
  f.help = fmt::format(
      "declare `Risk class: {}` and meet its gates, or change the migration so that it is `{}`",
      strict.name, intent->risk_class);
  return f;
}

// What a release manifest entry or a file name says the version is: "005" and "5" are one.
std::string ReleaseKey(std::string_view v) {
  size_t i = 0;
  while (i + 1 < v.size() && v[i] == '0' && std::isdigit(static_cast<unsigned char>(v[i + 1]))) {
    ++i;
  }
  return std::string(v.substr(i));
}

// PO106: the gates strata can check of the classes the statements give a migration with an
// intent header (the header is where a migration declares its lifecycle): a data change needs a
// strata post-check, which migrate runs and records; a breaking change needs a release in the
// manifest that lists it and states its compatibility surfaces.
std::vector<Finding> UnmetGates(const LintInput& in, const MigrationReport& mr,
                                const LintConfig& config) {
  std::vector<Finding> out;
  // Header and checks from real comments only, as migrate reads them (the linter reads
  // PostgreSQL).
  auto intent = verify::ParseIntent(in.text, in.path, db::Dialect::kPostgres);
  if (!intent || !intent->present) return out;
  auto has = [&](std::string_view c) {
    return std::find(mr.classes.begin(), mr.classes.end(), c) != mr.classes.end();
  };
  auto finding = [&](std::string message, std::string help) {
    Finding f;
    f.rule_id = "PO106";
    f.rule_name = "risk-class-gate-unmet";
    f.severity = Severity::kError;
    f.file = in.path;
    f.line = intent->line;
    f.column = 1;
    f.message = std::move(message);
    f.help = std::move(help);
    out.push_back(std::move(f));
  };
  std::string_view data_class = has("large-backfill")   ? "large-backfill"
                                : has("dml-correction") ? "dml-correction"
                                                        : "";
  if (!data_class.empty()) {
    auto checks = verify::ParseChecks(in.text, in.path, db::Dialect::kPostgres);
    if (checks && checks->post.empty()) {
      finding(fmt::format("{} changes existing rows (risk class `{}`) but has no post-check: "
                          "nothing strata runs and records says the data is right afterwards",
                          in.script, data_class),
              "add a `-- strata:post-check = 0` block with a query counting the rows that must "
              "not remain (docs/formats/checks.md); migrate runs it before the commit");
    }
  }
  if (has("breaking-ddl") && !config.releases_file.empty()) {
    std::string script = in.script;
    std::string version;
    if (script.size() > 1 && (script[0] == 'V' || script[0] == 'v')) {
      if (auto sep = script.find("__"); sep != std::string::npos) {
        version = ReleaseKey(script.substr(1, sep - 1));
      }
    }
    auto it = config.releases.find(script);
    if (it == config.releases.end() && !version.empty()) it = config.releases.find(version);
    if (it == config.releases.end()) {
      finding(fmt::format("{} is a breaking change (risk class `breaking-ddl`) and no release in "
                          "{} lists it: nothing states what it does to the old app's surfaces",
                          in.script, config.releases_file),
              fmt::format("add it to a release (`migrations = [\"{}\"]`) with its [release."
                          "surfaces] (api, events, ...: passed, or not required because ...); "
                          "docs/formats/evidence.md",
                          version.empty() ? script : version));
    } else if (it->second.surfaces.empty()) {
      finding(fmt::format("{} is a breaking change (risk class `breaking-ddl`); release `{}` "
                          "lists it but states no compatibility surface",
                          in.script, it->second.name),
              fmt::format("add [release.surfaces] to release `{}` in {}: each surface passed, or "
                          "not required because ...",
                          it->second.name, config.releases_file));
    }
  }
  return out;
}

// Fills source_line and source_column of `findings` (sorted by line, then column). Each line is
// scanned once, whatever the number of findings on it.
void QuoteSourceLines(const analysis::FileAnalysis& fa, std::vector<Finding>& findings) {
  size_t i = 0;
  while (i < findings.size()) {
    const int line = findings[i].line;
    size_t j = i;
    while (j < findings.size() && findings[j].line == line) ++j;
    const std::string_view text = fa.lines->Line(fa.text, line);
    bool mask = false;
    if (text.find('\'') != std::string_view::npos) {
      // Case-insensitive search for "password" / "secret", without a lowered copy.
      auto has = [&](std::string_view word) {
        auto it = std::search(
            text.begin(), text.end(), word.begin(), word.end(),
            [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
        return it != text.end();
      };
      mask = has("password") || has("secret");
    }
    size_t scanned = 0;     // bytes of `text` whose quote state is known
    bool in_quote = false;  // the state at `scanned`
    for (; i < j; ++i) {
      Finding& f = findings[i];
      if (text.empty()) continue;
      const size_t at = std::min(static_cast<size_t>(std::max(f.column, 1) - 1), text.size());
      size_t begin = 0, end = text.size();
      if (text.size() > kQuoteBytes) {
        begin = at > kQuoteBytes / 2 ? at - kQuoteBytes / 2 : 0;
        end = std::min(text.size(), begin + kQuoteBytes);
        begin = end - std::min(end, kQuoteBytes);
        // Whole UTF-8 characters only.
        auto continuation = [&](size_t k) {
          return k < text.size() && (static_cast<unsigned char>(text[k]) & 0xC0) == 0x80;
        };
        while (begin < at && continuation(begin)) ++begin;
        while (end > at && continuation(end)) --end;
      }
      if (mask) {
        for (; scanned < begin; ++scanned) in_quote ^= text[scanned] == '\'';
      }
      std::string out = begin > 0 ? "..." : "";
      int column = 0;  // 1-based column of `at` in `out`
      bool q = in_quote;
      for (size_t k = begin; k < end; ++k) {
        if (k == at) column = static_cast<int>(out.size()) + 1;
        char c = text[k];
        if (!mask) {
          out.push_back(c);
        } else if (c == '\'') {
          out += q ? "'" : "'***";
          q = !q;
        } else if (!q) {
          out.push_back(c);
        }
      }
      if (column == 0) column = static_cast<int>(out.size()) + 1;
      if (end < text.size()) out += "...";
      f.source_line = std::move(out);
      f.source_column = column;
    }
  }
}

StatementReport MakeStatementReport(const analysis::StatementAnalysis& sa, const LiveInfo* live) {
  StatementReport r;
  r.line = sa.line;
  r.column = sa.column;
  const auto& f = sa.facts;
  r.kind = std::string(analysis::StatementKindName(f.kind));
  std::string_view text = sa.text();
  r.summary = std::string(text.substr(0, text.find('\n')));
  if (r.summary.size() > 120) r.summary = r.summary.substr(0, 117) + "...";
  r.summary = MaskSecretLiterals(r.summary);
  r.target = f.target.Display();
  r.target_is_new = f.target_is_new;
  r.lock = std::string(analysis::LockModeName(f.lock));
  r.blocks_reads = f.BlocksReads() && !f.target_is_new;
  r.blocks_writes = f.BlocksWrites() && !f.target_is_new;
  r.rewrite = f.rewrite;
  r.scan = f.scan;
  r.concurrent = f.concurrent;
  r.reasons = f.reasons;
  for (const auto& o : f.other_locks) {
    r.other_locks.push_back(
        fmt::format("{} on {}", analysis::LockModeName(o.mode), o.table.Display()));
  }
  if (live && !f.target.empty()) {
    auto it = live->tables.find(f.target.Key());
    if (it == live->tables.end() && f.target.schema.empty()) {
      it = live->tables.find("public." + f.target.name);
    }
    if (it != live->tables.end()) r.size = it->second;
  }
  return r;
}

}  // namespace

LintResult Lint(const std::vector<LintInput>& inputs, const LintConfig& config,
                const LiveInfo* live, int jobs) {
  LintResult result;
  result.pg_version = config.pg_version;
  result.pg_version_source = config.pg_version_source;
  result.live = live != nullptr;
  result.gate = config.gate;
  // The result owns the model (LintResult::model): `strata lint` never tears it down.
  auto model_owner = std::make_shared<analysis::SchemaModel>();
  analysis::SchemaModel& model = *model_owner;
  model.SetNewMeansSameFile(config.new_means_same_file);
  if (live) {
    for (const auto& [index, table] : live->indexes) model.AddExistingIndex(index, table);
    // The live indexes with their columns (CN111), as `CREATE INDEX` definitions.
    if (!live->index_definitions.empty()) {
      std::string defs;
      for (const auto& d : live->index_definitions) defs += d + ";\n";
      analysis::ParsedSnippet p = analysis::ParseSnippet(defs);
      for (const auto& st : p.statements) model.Apply(st, false);
    }
    for (const auto& c : live->columns) model.AddExistingColumn(c.table, c.name, c.info);
    if (!config.identifiers.empty()) {
      for (const auto& def : live->relation_definitions) {
        analysis::ParsedSnippet p = analysis::ParseSnippet(def);
        for (const auto& st : p.statements) model.Apply(st, false);
      }
    }
  }

  // Enabled rules by scope, with their effective severity.
  struct Active {
    const RuleInfo* rule;
    Severity severity;
  };
  std::vector<Active> stmt_rules, file_rules;
  const bool sqlite = config.dialect == db::Dialect::kSqlite;
  std::optional<SqliteLinter> sq;
  if (sqlite) {
    sq.emplace(config, live);
    sq->set_context(inputs.size() > 1);
    int v = sq->target_version();
    result.sqlite_version = fmt::format("{}.{}.{}", v / 1'000'000, v / 1000 % 1000, v % 1000);
  }
  for (const auto& r : AllRules()) {
    if (!RuleEnabled(r, config) || r.scope == Scope::kMeta ||
        !RuleAppliesTo(r.id, config.dialect)) {
      continue;
    }
    (r.scope == Scope::kStatement ? stmt_rules : file_rules)
        .push_back({&r, RuleSeverity(r, config)});
  }
  auto meta_enabled = [&](std::string_view name) {
    const RuleInfo* r = FindRule(name);
    return r && RuleEnabled(*r, config);
  };

  // Later migrations, for the rules that look ahead (CN111: the index may come in the next file).
  std::vector<std::string_view> texts;
  texts.reserve(inputs.size());
  for (const LintInput& in : inputs) texts.emplace_back(in.text);
  const analysis::LaterFiles later(std::move(texts));

  // Per file, what does not read the model runs on other threads (`jobs`): the parse
  // ahead of the rules (Prepare) and the classes, gates, suppressions and quotes after them
  // (Finish). The statement and file rules run here, in file order, against the one model.
  // Each file's output lands in its own slot; the result is assembled in file order, so it is
  // the same whatever the number of threads.
  struct Prepared {
    std::optional<analysis::PreparedFile> file;  // nullopt: too large to analyse
    std::optional<Result<sql::FileSettings>> settings;
  };
  struct Done {  // one file's share of the result
    std::vector<Finding> findings;
    std::vector<SuppressionRecord> suppressions;
    std::optional<MigrationReport> report;
  };
  const size_t n = inputs.size();
  std::vector<Done> done(n);
  auto prepare = [&](size_t i) {
    const LintInput& in = inputs[i];
    Prepared p;
    p.settings.emplace(sql::ParseDirectives(in.text, in.path));
    if (static_cast<std::int64_t>(in.text.size()) <= config.max_file_bytes) {
      p.file.emplace(analysis::PrepareFile(in.text, config.dialect));
    }
    return p;
  };
  // After the rules: everything left is a function of the file, its findings and `live`.
  struct Finishing {
    size_t index;
    std::unique_ptr<analysis::FileAnalysis> fa;
    MigrationInfo mi;
    MigrationReport mr;
    std::vector<Finding> findings;
    std::vector<Finding> meta;
    std::vector<std::pair<size_t, size_t>> reports_later;  // (mr.statements index, statement)
  };
  auto finish = [&](Finishing& w) {
    const LintInput& in = inputs[w.index];
    const analysis::FileAnalysis& fa = *w.fa;
    MigrationReport& mr = w.mr;
    std::vector<Finding>& file_findings = w.findings;
    std::vector<Finding>& meta = w.meta;
    for (const auto& [k, st] : w.reports_later) {
      mr.statements[k] = MakeStatementReport(fa.statements[st], live);
    }
    // The classes, from every finding (suppressed or not: a suppression accepts a statement,
    // it does not change what kind of migration it is), and the gates they need; a file-scope
    // allow covers an unmet gate.
    ClassifyMigration(fa, w.mi, file_findings, config, live, &mr);
    if (meta_enabled("risk-class-gate-unmet") && w.mi.versioned) {
      for (auto& f : UnmetGates(in, mr, config)) file_findings.push_back(std::move(f));
    }

    // A declared class weaker than the analysed one, before the suppressions, so a file-scope
    // `-- strata:allow declared-risk-class-too-weak reason=...` accepts it (as its doc says).
    if (meta_enabled("declared-risk-class-too-weak")) {
      if (auto f = DeclaredClassTooWeak(in, mr)) file_findings.push_back(std::move(*f));
    }

    // Suppressions.
    Done& out = done[w.index];
    auto sup = ParseSuppressions(in.text, in.path, fa, config.safety_assured);
    ApplySuppressions(sup, file_findings, config, meta_enabled, &meta);
    for (auto& s : sup) out.suppressions.push_back(std::move(s.record));
    for (const auto& f : file_findings) mr.findings += f.suppressed ? 0 : 1;
    for (const auto& f : meta) mr.findings += f.suppressed ? 0 : 1;
    for (auto& f : meta) file_findings.push_back(std::move(f));
    std::stable_sort(file_findings.begin(), file_findings.end(),
                     [](const Finding& a, const Finding& b) {
                       return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                     });
    QuoteSourceLines(fa, file_findings);
    out.findings = std::move(file_findings);
    out.report = std::move(mr);
    w.fa.reset();
  };
  // Files weigh their bytes: many small files are prepared far ahead, a few large ones not.
  Pipeline<Prepared, Finishing> pipeline(n, static_cast<size_t>(std::max(jobs, 1)), prepare, finish,
                                         [&](size_t i) { return inputs[i].text.size(); });

  for (size_t index = 0; index < n; ++index) {
    const LintInput& in = inputs[index];
    Prepared prepared = pipeline.Take(index);
    MigrationInfo mi;
    mi.script = in.script;
    mi.description = DescriptionOf(in.script);
    mi.repeatable = in.repeatable || in.script.rfind("R__", 0) == 0;
    mi.versioned = !mi.repeatable;

    FileState state;
    state.transactional = state.in_txn = config.default_transactional;
    state.lock_timeout_set = config.engine_lock_timeout;
    state.statement_timeout_set = config.engine_statement_timeout;
    std::vector<Finding> file_findings;
    std::vector<Finding> meta;
    // Directives: transaction mode and timeouts; a bad directive is a finding.
    const auto& settings = *prepared.settings;
    if (settings) {
      for (const auto& d : settings->directives) {
        if (d.name == "transaction") state.transactional = state.in_txn = settings->transactional;
      }
      if (settings->lock_timeout) state.lock_timeout_set = settings->lock_timeout->count() > 0;
      if (settings->statement_timeout) {
        state.statement_timeout_set = settings->statement_timeout->count() > 0;
      }
    } else if (in.pending && meta_enabled("bad-directive")) {
      Finding f;
      f.rule_id = "SY105";
      f.rule_name = "bad-directive";
      f.severity = Severity::kError;
      f.file = in.path;
      f.line = settings.error().span().line;
      f.column = 1;
      f.message = settings.error().message();
      f.help = settings.error().hint().empty() ? "fix the directive; see docs/formats/directives.md"
                                               : settings.error().hint();
      meta.push_back(std::move(f));
    }

    if (!in.changed_after_apply.empty() && meta_enabled("applied-migration-changed")) {
      Finding f;
      f.rule_id = "SY106";
      f.rule_name = "applied-migration-changed";
      f.severity = Severity::kError;
      f.file = in.path;
      f.line = 1;
      f.column = 1;
      f.message =
          fmt::format("{} is already applied and was edited ({}); applied migrations are immutable",
                      in.script, in.changed_after_apply);
      f.help = "restore the applied content and put the change in a new migration";
      meta.push_back(std::move(f));
    }
    MigrationReport mr;
    mr.path = in.path;
    if (!prepared.file) {
      // Too large to analyse within memory proportional to it: say so, and go on with the rest.
      if (in.pending && meta_enabled("file-too-large")) {
        Finding f;
        f.rule_id = "SY107";
        f.rule_name = "file-too-large";
        f.severity = RuleSeverity(*FindRule("file-too-large"), config);
        f.file = in.path;
        f.line = 1;
        f.column = 1;
        f.message = fmt::format(
            "{} was not analysed: {} bytes, over the {} bytes strata analyses in one file "
            "([lint] max_file_bytes)",
            in.script, Thousands(static_cast<std::int64_t>(in.text.size())),
            Thousands(config.max_file_bytes));
        f.help =
            "split the migration (data in a seed package or a backfill job), or raise [lint] "
            "max_file_bytes (analysis needs about 80 bytes of memory per byte of SQL)";
        done[index].findings.push_back(std::move(f));
        mr.findings = 1;
      }
      if (in.pending) done[index].report = std::move(mr);
      continue;
    }
    std::string text_sha = config.trace ? base::Sha256Hex(in.text) : std::string();
    Context* ctx_ptr = nullptr;
    const analysis::FileAnalysis* cur_fa = nullptr;
    std::vector<std::pair<size_t, size_t>> reports_later;
    // SQ findings (SQLite's own verdicts, lint/sqlite_lint.h).
    SqliteLinter::Emit emit = [&](std::string_view name, size_t offset, int statement,
                                  std::string message, std::string help) {
      const RuleInfo* r = FindRule(name);
      if (!r || !cur_fa || !RuleEnabled(*r, config)) return;
      Finding f;
      f.rule_id = std::string(r->id);
      f.rule_name = std::string(r->name);
      f.severity = RuleSeverity(*r, config);
      f.file = in.path;
      f.line = cur_fa->LineOf(offset);
      f.column = cur_fa->ColumnOf(offset);
      f.message = std::move(message);
      f.help = std::move(help);
      f.statement_index = statement;
      file_findings.push_back(std::move(f));
    };
    if (sq) sq->BeginFile(in.pending || !in.applied, in.pending, state.transactional);
    auto observe = [&](const analysis::FileAnalysis& fa, const analysis::StatementAnalysis& sa,
                       const analysis::SchemaModel& m) {
      cur_fa = &fa;
      if (sq) sq->Statement(in, fa, sa, emit);
      if (in.pending) {
        Context& ctx = *ctx_ptr;
        // lint --trace: what the server did replaces what the analyzer predicts.
        const ObservedStatement* obs =
            config.trace ? FindObserved(*config.trace, in.script, text_sha, sa.index) : nullptr;
        analysis::StatementAnalysis patched;
        if (obs) {
          patched = sa;
          patched.facts = ApplyObserved(sa.facts, *obs);
        }
        const analysis::StatementAnalysis& use = obs ? patched : sa;
        ctx.Bind(&use, &m);
        if (sa.parse_failed() && sqlite) {
          // PostgreSQL's grammar does not read it; SQLite's verdict (SQ101) is the one that
          // counts, and the dialect-neutral rules have no tree to read.
        } else if (sa.parse_failed()) {
          Finding f;
          f.rule_id = "SY101";
          f.rule_name = "parse-error";
          f.severity = Severity::kError;
          f.file = in.path;
          size_t off = std::min(sa.parsed->error_offset, in.text.size());
          if (off < sa.parsed->offset) off = sa.parsed->offset;
          f.line = fa.LineOf(off);
          f.column = fa.ColumnOf(off);
          if (sa.parsed->beyond_limit) {
            f.message = fmt::format("strata cannot analyse this statement: {}", sa.parsed->error);
            f.help =
                "split the expression into several statements; see docs/limits.md for what "
                "strata analyses";
          } else if (sa.parsed->error.find("memory exhausted") != std::string::npos) {
            // Bison's stack: PostgreSQL's grammar nests at most ~10,000 levels.
            f.message = fmt::format(
                "PostgreSQL cannot parse this statement: it nests deeper than PostgreSQL's "
                "parser allows (about 10,000 levels of parentheses or calls): {}",
                sa.parsed->error);
            f.help =
                "flatten the expression (several statements, a temporary table, a VALUES list); "
                "PostgreSQL would reject the migration at this point";
          } else {
            f.message = fmt::format("PostgreSQL cannot parse this statement: {}", sa.parsed->error);
            f.help = "fix the syntax; PostgreSQL would reject the migration at this point";
          }
          f.statement_index = static_cast<int>(sa.index);
          file_findings.push_back(std::move(f));
        } else {
          for (const Active& a : stmt_rules) {
            ctx.SetRule(a.rule->id, a.rule->name, a.severity);
            a.rule->check(ctx);
          }
        }
        if (obs) {
          mr.statements.push_back(MakeStatementReport(use, live));
          mr.statements.back().observed = true;
        } else {
          // The report reads only the statement's own facts: written after the rules (Finish).
          reports_later.emplace_back(mr.statements.size(), sa.index);
          mr.statements.emplace_back();
        }
      }
      Advance(state, sa);
    };
    // The Context needs the FileAnalysis, which exists only once AnalyzeFile starts; bind it
    // through a small shim the first time the observer runs.
    std::unique_ptr<Context> ctx;
    std::unique_ptr<analysis::FileAnalysis> fa;
    auto shim = [&](const analysis::FileAnalysis& f, const analysis::StatementAnalysis& sa,
                    const analysis::SchemaModel& m) {
      if (!ctx) {
        ctx = std::make_unique<Context>(config, f, mi, state, live, &file_findings);
        ctx->SetLaterFiles(&later, index);
        ctx_ptr = ctx.get();
      }
      observe(f, sa, m);
    };
    if (in.pending) mr.statements.reserve(prepared.file->parsed.statements.size());
    fa = analysis::AnalyzeFile(std::move(*prepared.file), in.text, in.path, model,
                               config.pg_version, in.pending, shim);
    cur_fa = fa.get();
    if (sq) {
      // A DROP TABLE whose table is back under its name by the end of the file is a rebuild
      // (SQLite's 12-step ALTER), not a dropped table.
      std::set<int> rebuilt = sq->EndFile(emit);
      std::erase_if(file_findings, [&](const Finding& f) {
        return f.rule_id == "BC105" && rebuilt.count(f.statement_index);
      });
    }
    result.statements += in.pending ? fa->statements.size() : 0;
    result.bytes += in.pending ? in.text.size() : 0;
    if (!in.pending) continue;
    if (!ctx) ctx = std::make_unique<Context>(config, *fa, mi, state, live, &file_findings);
    ctx->Bind(nullptr, &model);
    for (const Active& a : file_rules) {
      ctx->SetRule(a.rule->id, a.rule->name, a.severity);
      a.rule->check(*ctx);
    }

    // Live size: escalate size-sensitive findings on large tables, and say the size.
    if (live) {
      for (Finding& f : file_findings) {
        if (f.statement_index < 0) continue;
        const auto& sa = fa->statements[static_cast<size_t>(f.statement_index)];
        const RuleInfo* r = FindRule(f.rule_id);
        if (!r || sa.facts.target.empty()) continue;
        const TableStats* ts = ctx->Stats(sa.facts.target);
        if (!ts || (ts->rows < 0 && ts->bytes < 0)) continue;
        f.size_note = fmt::format("{}: ~{} rows, {}", sa.facts.target.Display(),
                                  Thousands(ts->rows), HumanBytes(ts->bytes));
        if (r->size_sensitive &&
            (ts->rows >= config.large_rows || ts->bytes >= config.large_bytes) &&
            f.severity < Severity::kError) {
          f.severity = Severity::kError;
          f.escalated = true;
        }
      }
    }
    ctx.reset();
    pipeline.Finish(Finishing{index, std::move(fa), std::move(mi), std::move(mr),
                              std::move(file_findings), std::move(meta), std::move(reports_later)},
                    index);
  }
  pipeline.Wait();

  size_t total_findings = 0;
  for (const Done& d : done) total_findings += d.findings.size();
  result.findings.reserve(total_findings);
  for (Done& d : done) {
    for (auto& f : d.findings) result.findings.push_back(std::move(f));
    for (auto& s : d.suppressions) result.suppressions.push_back(std::move(s));
    if (d.report) result.migrations.push_back(std::move(*d.report));
  }
  result.model = std::move(model_owner);
  return result;
}

Result<std::vector<LintInput>> LoadInputs(const std::vector<std::string>& paths,
                                          const std::vector<std::string>& ignore_patterns,
                                          int jobs) {
  namespace fs = std::filesystem;
  // The paths that are files, read first (on up to `jobs` threads: a stat and a read each);
  // then everything in `paths` order, so the first error is the first bad path.
  struct Read {
    bool directory = false;
    std::optional<std::string> text;
    std::string why;
  };
  std::vector<Read> reads(paths.size());
  base::ParallelFor(
      paths.size(), 256,
      [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) {
          std::error_code ec;
          reads[i].directory = fs::is_directory(paths[i], ec);
          if (!reads[i].directory) {
            reads[i].text = base::ReadFile(paths[i], &reads[i].why);
            if (reads[i].text) *reads[i].text = base::NormalizeTextOwned(std::move(*reads[i].text));
          }
        }
      },
      static_cast<size_t>(std::max(jobs, 1)));
  std::vector<LintInput> out;
  out.reserve(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string& p = paths[i];
    if (reads[i].directory) {
      std::vector<std::string> ignored;
      auto files = migrate::ReadLocations({p}, ignore_patterns, &ignored);
      if (!files) return files.error();
      std::vector<migrate::SourceFile> sql_files;
      for (auto& f : *files) {
        if (f.script.size() >= 4 && f.script.compare(f.script.size() - 4, 4, ".sql") == 0) {
          sql_files.push_back(f);
        }
      }
      auto set = migrate::Resolve(sql_files);
      if (set) {
        for (auto& m : set->migrations) {
          out.push_back({m.path, m.script, m.text, true, m.kind == migrate::Kind::kRepeatable});
        }
      } else {
        // Not a strata location (another tool's naming): lint every .sql file in path order.
        std::sort(sql_files.begin(), sql_files.end(),
                  [](const auto& a, const auto& b) { return a.path < b.path; });
        for (auto& f : sql_files) {
          out.push_back({f.path, f.script, base::NormalizeText(f.bytes), true, false});
        }
      }
      continue;
    }
    if (!reads[i].text) {
      return Status(ErrorCode::kIo, fmt::format("cannot read {}: {}", p, reads[i].why))
          .WithHint("check the path; `strata lint` takes migration files or directories");
    }
    std::string script = fs::path(p).filename().string();
    out.push_back({p, script, std::move(*reads[i].text), true, script.rfind("R__", 0) == 0});
  }
  return out;
}

Result<LiveInfo> ReadLiveInfo(db::Connection& c, const identifiers::Contracts* contracts) {
  LiveInfo li;
  li.server_major = c.ServerMajorVersion();
  li.server_version = c.ServerVersion();
  if (c.dialect() == db::Dialect::kSqlite) {
    // The schema the scratch database starts from (lint/sqlite_lint.h), in creation order.
    int major = 0, minor = 0, patch = 0;
    if (std::sscanf(li.server_version.c_str(), "SQLite %d.%d.%d", &major, &minor, &patch) >= 2) {
      li.sqlite_version = major * 1'000'000 + minor * 1000 + patch;
    }
    auto schema = c.Query(
        "SELECT sql, type, name FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE "
        "'sqlite\\_%' ESCAPE '\\' ORDER BY rowid");
    if (!schema) return schema.error();
    for (const auto& row : schema->rows) {
      if (row.size() < 3 || !row[0]) continue;
      li.sqlite_schema.push_back(*row[0]);
      // Known to exist (no size: SQLite keeps no row estimate), so DROP TABLE IF EXISTS of a
      // table the database does not have is told apart.
      if (row[1] && *row[1] == "table" && row[2]) {
        li.tables[analysis::TableRef{"", *row[2]}.Key()] = TableStats{};
      }
    }
    return li;
  }
  if (c.dialect() != db::Dialect::kPostgres) return li;
  // Sizes without waiting behind a migration's ACCESS EXCLUSIVE lock (db/table_size.h).
  STRATA_ASSIGN_OR_RETURN(auto sizes, db::ReadTableSizes(c));
  for (const auto& ts : sizes) {
    analysis::TableRef t{ts.schema, ts.name};
    li.tables[t.Key()] = TableStats{ts.rows, ts.bytes};
    if (ts.schema == "public") li.tables["public." + ts.name] = TableStats{ts.rows, ts.bytes};
  }
  // Row estimates of single statements (DM105). Planning an UPDATE or DELETE takes its ROW
  // EXCLUSIVE lock: in a transaction of its own, with a short lock_timeout, never waiting long
  // behind another session's lock, and rolled back at once.
  db::Connection* conn = &c;
  li.estimate_rows = [conn](std::string_view sql) -> std::optional<std::int64_t> {
    if (conn->InTransaction() || !conn->Exec("BEGIN").ok()) return std::nullopt;
    std::optional<std::int64_t> rows;
    if (conn->Exec("SET LOCAL lock_timeout = '1s'").ok() &&
        conn->Exec("SET LOCAL statement_timeout = '5s'").ok()) {
      auto r = conn->Query(fmt::format("EXPLAIN (FORMAT JSON) {}", sql));
      if (r && !r->rows.empty() && !r->rows[0].empty() && r->rows[0][0]) {
        auto j = nlohmann::json::parse(*r->rows[0][0], nullptr, /*allow_exceptions=*/false);
        if (j.is_array() && !j.empty() && j[0].contains("Plan")) {
          const nlohmann::json* plan = &j[0]["Plan"];
          // ModifyTable reports 0 rows (it returns none): its input is what it touches.
          if (plan->value("Node Type", "") == "ModifyTable" && plan->contains("Plans") &&
              !(*plan)["Plans"].empty()) {
            plan = &(*plan)["Plans"][0];
          }
          if (plan->contains("Plan Rows") && (*plan)["Plan Rows"].is_number()) {
            rows = static_cast<std::int64_t>((*plan)["Plan Rows"].get<double>());
          }
        }
      }
    }
    (void)conn->Exec("ROLLBACK");
    return rows;
  };
  // Indexes → their tables, so DROP INDEX is judged by the size of the table it locks; their
  // definitions, so a foreign key's index is found by its columns (CN111).
  auto ix = c.Query(
      "SELECT n.nspname, i.relname, tn.nspname, t.relname, "
      "pg_catalog.pg_get_indexdef(x.indexrelid) "
      "FROM pg_catalog.pg_index x "
      "JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid "
      "JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace "
      "JOIN pg_catalog.pg_class t ON t.oid = x.indrelid "
      "JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace "
      "WHERE n.nspname NOT IN ('pg_catalog','information_schema') "
      "AND n.nspname NOT LIKE 'pg_toast%'");
  if (!ix) return ix.error();
  for (const auto& row : ix->rows) {
    if (row.size() < 4 || !row[0] || !row[1] || !row[2] || !row[3]) continue;
    analysis::TableRef index{*row[0], *row[1]};
    li.indexes[index.Key()] = analysis::TableRef{*row[2] == "public" ? "" : *row[2], *row[3]};
    if (row.size() > 4 && row[4]) li.index_definitions.push_back(*row[4]);
  }
  // Columns with their types as the parser names them (typname: varchar, bpchar, numeric) and
  // typmods decoded (varchar(n): n + 4; numeric(p,s): ((p << 16) | s) + 4), so ALTER COLUMN
  // TYPE of an existing column can tell a catalog-only widening from a rewrite.
  auto cols = c.Query(
      "SELECT n.nspname, c.relname, a.attname, t.typname, a.atttypmod, a.attnotnull "
      "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
      "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','p') "
      "AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE "
      "'pg_toast%'");
  if (!cols) return cols.error();
  for (const auto& row : cols->rows) {
    if (row.size() < 6 || !row[0] || !row[1] || !row[2] || !row[3]) continue;
    LiveInfo::Column col;
    col.table = analysis::TableRef{*row[0] == "public" ? "" : *row[0], *row[1]};
    col.name = *row[2];
    col.info.type = *row[3];
    std::int64_t mod = row[4] ? std::stoll(*row[4]) : -1;
    if (mod >= 0) {
      const std::string& t = col.info.type;
      if (t == "varchar" || t == "bpchar") {
        col.info.mods = {mod - 4};
      } else if (t == "numeric" && mod >= 4) {
        col.info.mods = {((mod - 4) >> 16) & 0xffff, (mod - 4) & 0xffff};
      } else if (t == "varbit" || t == "bit") {
        col.info.mods = {mod};
      }
    }
    col.info.not_null = row[5] && (*row[5] == "t" || *row[5] == "true");
    li.columns.push_back(std::move(col));
  }
  // Views and cascading foreign keys, for the identifier rules (ID family).
  if (!contracts || contracts->empty()) return li;
  auto defs = c.Query(
      "SELECT format('CREATE VIEW %I.%I AS %s', n.nspname, c.relname, pg_get_viewdef(c.oid)) "
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind = 'v' AND n.nspname NOT IN ('pg_catalog','information_schema') "
      "UNION ALL SELECT format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s', n.nspname, c.relname, "
      "k.conname, pg_get_constraintdef(k.oid)) FROM pg_catalog.pg_constraint k "
      "JOIN pg_catalog.pg_class c ON c.oid = k.conrelid "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE k.contype = 'f' AND k.confdeltype = 'c'");
  if (!defs) return defs.error();
  for (const auto& row : defs->rows) {
    if (!row.empty() && row[0]) li.relation_definitions.push_back(*row[0]);
  }
  return li;
}

void UseStdinInput(std::vector<LintInput>& inputs, std::string text,
                   const std::string& stdin_name) {
  namespace fs = std::filesystem;
  std::string name = stdin_name.empty() ? "<stdin>" : stdin_name;
  std::string script = fs::path(name).filename().string();
  bool replaced = false;
  std::error_code ec;
  const fs::path want = fs::weakly_canonical(name, ec);
  for (auto& in : inputs) {
    in.pending = false;
    if (!stdin_name.empty() && fs::weakly_canonical(in.path, ec) == want) {
      in.text = base::NormalizeTextOwned(std::move(text));
      in.pending = true;
      replaced = true;
    }
  }
  if (!replaced) {
    inputs.push_back({name, script, base::NormalizeTextOwned(std::move(text)), true,
                      script.rfind("R__", 0) == 0});
  }
}

void MarkApplied(std::vector<LintInput>& inputs, const std::vector<InfoRow>& ledger) {
  for (auto& in : inputs) {
    for (const auto& row : ledger) {
      if (row.script != in.script) continue;
      if (row.state == "applied" || row.state == "outdated" || row.state == "success") {
        if (row.checksum_mismatch) {
          in.changed_after_apply = "checksum differs from the ledger";
        } else if (row.type != "REPEATABLE") {
          in.pending = false;
          in.applied = true;
        }
      }
    }
  }
}

}  // namespace strata::lint
