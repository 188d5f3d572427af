// `strata plan`: the runbook before the change (seed 000 §27, 003 §4, §14-16). For the pending
// migrations (every file with --all), grouped into the releases of the manifest: intent,
// statement effects and locks (live table sizes when the database is reachable), the deployment
// order, pre-checks, verification queries, stop criteria, failure handling, recovery direction
// and roll-forward plan, the compatibility matrix (database state × old/new app) and the
// release's statements about the other surfaces. Reads the database; never changes it.
//
// Statement facts come from the safety analyzer (strata lint, once per release, live-aware on
// PostgreSQL): lock, table, whether the table is new in the release, rewrite and scan, the
// migration's risk class and gates, and the lint findings. The compatibility
// effect is derived from the analyzer's statement kind and parse tree; only a statement
// PostgreSQL's grammar cannot parse falls back to the keyword classifier (and says so).
#include "strata/commands.h"

#include "analysis/parse.h"
#include "base/duration.h"
#include "base/text.h"
#include "config/releases.h"
#include "db/connection.h"
#include "db/table_size.h"
#include "lint/linter.h"
#include "lint/pending_set.h"
#include "lint/risk.h"
#include "migrate/discovery.h"
#include "migrate/state.h"
#include "session/session.h"
#include "sql/directives.h"
#include "sql/splitter.h"
#include "verify/annotations.h"
#include "verify/checks.h"
#include "verify/intent.h"
#include "verify/settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "plan/classify.h"

namespace strata {

namespace {

struct Live {
  std::int64_t rows = -1, bytes = -1;
};

Live LiveSize(db::Connection& conn, const std::string& table) {
  Live l;
  if (table.empty() || table == "(") return l;
  auto sizes = db::ReadTableSizes(conn, table);
  if (sizes && !sizes->empty()) l = {sizes->front().rows, sizes->front().bytes};
  return l;
}

std::string SurfaceVerdict(const std::string& statement) {
  std::string s = base::ToLower(statement);
  if (s.rfind("passed", 0) == 0) return "passed";
  if (s.rfind("not required", 0) == 0 || s.rfind("not_required", 0) == 0) return "not-required";
  if (s.rfind("not applicable", 0) == 0 || s.rfind("n/a", 0) == 0 ||
      s.rfind("not_applicable", 0) == 0) {
    return "not-applicable";
  }
  if (s.rfind("failed", 0) == 0 || s.rfind("fails", 0) == 0) return "failed";
  return "stated";
}

bool HasBecause(const std::string& s) {
  return base::ToLower(s).find("because") != std::string::npos;
}

// 0 = strictest; RiskClasses().size() when unknown.
size_t RiskRank(std::string_view cls) {
  const auto& all = lint::RiskClasses();
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].name == cls) return i;
  }
  return all.size();
}

// Fills `ps` from the analyzer's facts of the same statement.
void FromAnalyzer(const lint::StatementReport& sr, const analysis::ParsedStatement& parsed,
                  PlanStatement& ps) {
  ps.classified_by = "analyzer";
  ps.kind = sr.kind;
  ps.effect = std::string(plan::EffectOf(plan::StatementKindFromName(sr.kind), parsed.node));
  ps.lock = sr.lock;
  ps.table = sr.target;
  ps.target_is_new = sr.target_is_new;
  ps.blocks_reads = sr.blocks_reads;
  ps.blocks_writes = sr.blocks_writes;
  ps.rewrite = sr.rewrite;
  ps.scan = sr.scan;
  ps.rewrites = sr.rewrite || sr.scan;
  ps.reasons = sr.reasons;
  ps.live_rows = sr.size.rows;
  ps.live_bytes = sr.size.bytes;
}

void FromKeywords(std::string_view sql, PlanStatement& ps) {
  auto cls = plan::ClassifyStatement(sql);
  ps.classified_by = "keywords";
  ps.effect = cls.effect;
  ps.lock = cls.lock;
  ps.table = cls.table;
  ps.rewrites = cls.rewrites;
  ps.blocks_reads = cls.lock == "ACCESS EXCLUSIVE";
  ps.blocks_writes =
      !cls.lock.empty() && cls.lock != "ROW EXCLUSIVE" && cls.lock != "SHARE UPDATE EXCLUSIVE";
}

PlanLintFinding ToPlanFinding(const lint::Finding& f) {
  PlanLintFinding p;
  p.rule_id = f.rule_id;
  p.rule_name = f.rule_name;
  p.severity = std::string(lint::SeverityName(f.severity));
  p.line = f.line;
  p.column = f.column;
  p.message = f.message;
  p.help = f.help;
  p.size_note = f.size_note;
  p.escalated = f.escalated;
  p.suppressed = f.suppressed;
  p.suppression_reason = f.suppression_reason;
  return p;
}

std::string Short(const PlanMigration& m) { return m.version.empty() ? m.script : "V" + m.version; }

void BuildRelease(PlanRelease& rel, const config::ReleaseSpec* spec,
                  const verify::Settings& settings,
                  const std::map<std::string, verify::Intent>& intents) {
  std::string effect = "other";
  for (const auto& m : rel.migrations) effect = std::string(plan::StrongerEffect(effect, m.effect));
  // Deployment order.
  if (spec && !spec->order.empty()) {
    rel.order = spec->order;
  } else if (effect == "contract") {
    rel.order = "app-before-migration";
  } else if (effect == "breaking") {
    rel.order = "phased";
  } else {
    rel.order = "migration-before-app";
  }
  std::string last_version;
  std::vector<std::string> scripts;
  for (const auto& m : rel.migrations) {
    if (!m.version.empty()) last_version = m.version;
    scripts.push_back(m.script);
  }
  std::string migrate_step = fmt::format(
      "Apply {} with `strata migrate{}` (pre-checks run first; post-checks run inside "
      "each migration's transaction)",
      fmt::join(scripts, ", "), last_version.empty() ? std::string() : " --target " + last_version);
  if (spec && !spec->steps.empty()) {
    for (const auto& s : spec->steps) {
      rel.steps.push_back(base::ToLower(s) == "migrate" ? migrate_step : s);
    }
  } else if (rel.order == "app-before-migration") {
    rel.steps = {"Confirm every running app instance is the new version (the old one must be gone)",
                 migrate_step, "Run `strata verify`",
                 fmt::format("Tag the release: `strata tag {}`", rel.name)};
  } else if (rel.order == "phased") {
    rel.steps = {"Expand: apply the additive part first",
                 "Deploy the app that dual-writes",
                 "Backfill and verify",
                 "Switch reads to the new structure",
                 migrate_step,
                 "Contract only in a later release, after the old app is gone",
                 fmt::format("Tag the release: `strata tag {}`", rel.name)};
  } else {
    rel.steps = {migrate_step, "Run `strata verify`",
                 "Deploy the new application version (it may now rely on the change)",
                 fmt::format("Tag the release: `strata tag {}`", rel.name)};
  }
  // Compatibility matrix: before the release, then after each migration.
  auto intent_of = [&](const PlanMigration& m) -> const verify::Intent* {
    auto it = intents.find(m.script);
    return it == intents.end() ? nullptr : &it->second;
  };
  {
    PlanCell c;
    c.db_state = "before the release";
    c.old_app = "works";
    bool needs = effect == "additive" || effect == "breaking" || effect == "contract";
    if (!needs || rel.order == "app-before-migration") {
      c.new_app = "works";
      if (rel.order == "app-before-migration" && needs) {
        c.justification = "the new app is deployed first and must tolerate the old schema";
      }
    } else {
      c.new_app = "not-required";
      std::string why;
      for (const auto& m : rel.migrations) {
        if (const auto* in = intent_of(m); in && in->Has("new-app-old-db")) {
          why = std::string(in->Get("new-app-old-db"));
        }
      }
      if (why.empty() && spec) why = spec->new_app_before;
      c.justification = why;
      c.justified = !why.empty();
      if (!c.justified) {
        rel.findings.push_back(fmt::format(
            "new app × database before release {} is not required (the app must not run before "
            "the migration) but nobody says why: add `New app before migration: not required "
            "because ...` to the intent header, or new_app_before to the release manifest",
            rel.name));
      }
    }
    rel.matrix.push_back(std::move(c));
  }
  std::string cumulative = "other";
  for (const auto& m : rel.migrations) {
    cumulative = std::string(plan::StrongerEffect(cumulative, m.effect));
    PlanCell c;
    c.db_state = fmt::format("after {} ({})", Short(m), m.effect);
    c.new_app = "works";
    const auto* in = intent_of(m);
    if (m.effect == "contract" || m.effect == "breaking") {
      c.old_app = "fails";
      std::string why = in && in->Has("old-app") ? std::string(in->Get("old-app")) : "";
      if (why.empty() && spec) why = spec->old_app;
      c.justification = why;
      c.justified = !why.empty();
      if (!c.justified) {
        rel.findings.push_back(fmt::format(
            "{} is {}: the old app may fail against it and nobody says why that is acceptable: "
            "add `Old app: ...` (e.g. not required because the old app is gone before this "
            "release) to its intent header",
            m.script, m.effect));
      }
    } else {
      c.old_app = "works";
      if (in && in->Has("old-app")) c.justification = std::string(in->Get("old-app"));
    }
    rel.matrix.push_back(std::move(c));
  }
  // Surfaces.
  std::vector<std::string> unstated;
  for (const auto& s : config::Surfaces()) {
    PlanSurface ps;
    ps.surface = s;
    if (spec) {
      if (auto it = spec->surfaces.find(s); it != spec->surfaces.end()) ps.statement = it->second;
    }
    ps.verdict = ps.statement.empty() ? "unstated" : SurfaceVerdict(ps.statement);
    if (ps.verdict == "unstated") unstated.push_back(s);
    if ((ps.verdict == "not-required" || ps.verdict == "failed") && !HasBecause(ps.statement)) {
      rel.findings.push_back(fmt::format(
          "surface {} is {} without a reason: write `{} because <deployment order or why>`", s,
          ps.verdict, ps.verdict == "failed" ? "failed" : "not required"));
    }
    rel.surfaces.push_back(std::move(ps));
  }
  if (!unstated.empty()) {
    rel.findings.push_back(fmt::format(
        "release {} does not state the surfaces {}: add them under [release.surfaces] in the "
        "release manifest (passed / not required because ... / not applicable)",
        rel.name, fmt::join(unstated, ", ")));
  }
  // Stop criteria.
  rel.stop_criteria.push_back(fmt::format(
      "Stop if a migration waits for a lock longer than {} (strata's lock_timeout retries "
      "give up on their own)",
      base::FormatDuration(settings.stop.lock_wait)));
  for (const auto& m : rel.migrations) {
    const auto* in = intent_of(m);
    if (in && in->rehearsal) {
      auto limit = base::Millis(static_cast<std::int64_t>(
          static_cast<double>(in->rehearsal->count()) * settings.stop.duration_factor));
      rel.stop_criteria.push_back(
          fmt::format("Stop if {} runs longer than {} ({}× its rehearsal of {})", m.script,
                      base::FormatDuration(limit), settings.stop.duration_factor,
                      base::FormatDuration(*in->rehearsal)));
    }
    if (in && in->expected_rows) {
      rel.stop_criteria.push_back(fmt::format(
          "Stop if {} affects a number of rows outside `{}` (check `strata evidence --run <id>`)",
          m.script, in->expected_rows->source));
    }
  }
  if (settings.stop.max_duration) {
    rel.stop_criteria.push_back(fmt::format("Stop if any migration runs longer than {}",
                                            base::FormatDuration(*settings.stop.max_duration)));
  }
  rel.stop_criteria.push_back(
      "Stop if a post-check fails (strata rolls a transactional migration back by itself) or "
      "`strata verify` reports a failure");
  // Failure handling and roll-forward.
  bool any_nontx = false;
  for (const auto& m : rel.migrations) any_nontx = any_nontx || !m.transactional;
  rel.failure_handling.push_back(
      "If a migration fails before commit: strata rolled it back and recorded the run; stop and "
      "investigate (`strata evidence --run <id> --format md`)");
  if (any_nontx) {
    rel.failure_handling.push_back(
        "If a non-transactional migration fails: its completed statements are recorded; fix the "
        "failed statement and `strata migrate --resume`");
  }
  if (effect == "additive" || effect == "data" || effect == "other") {
    rel.failure_handling.push_back(
        "If the new app fails: roll back the app and keep the schema (the change is additive)");
  } else {
    rel.failure_handling.push_back(
        "If the old app fails after the migration: the contract ran too early; roll forward "
        "(restore compatibility in a new migration), do not edit the applied one");
  }
  std::set<std::string> recoveries;
  for (const auto& m : rel.migrations) {
    const auto* in = intent_of(m);
    if (in && in->Has("recovery-direction")) {
      rel.roll_forward.push_back(fmt::format("{}: {}", m.script, in->Get("recovery-direction")));
    } else {
      rel.roll_forward.push_back(fmt::format(
          "{}: no recovery direction stated — add `Recovery direction:` to its intent header",
          m.script));
    }
  }
  rel.roll_forward.push_back(
      "A correction is a new migration with the next version; never edit or delete an applied "
      "one (`strata validate` refuses it)");
}

// The safety analyzer (strata lint's entry point, lint/pending_set.h), one release at a time.
// Every known migration file (applied, pending, staged) is read in apply order as context; the
// release's own files are the pending set. So a table is new (empty, used by nobody yet) only
// when a migration of the same release created it: the release's files deploy together, while
// tables of applied migrations and earlier releases exist and hold data. Against the target as
// the gate of `migrate` reads it: server version, table sizes, identifier relations, SQLite's
// live schema.
struct Analyzer {
  const std::vector<const migrate::Migration*>& files;  // apply order
  db::Dialect dialect = db::Dialect::kPostgres;
  db::Connection* conn = nullptr;                    // null with --all
  const std::set<std::string>* unapplied = nullptr;  // pending and staged scripts (with conn)
  lint::Target target;
  const lint::LintConfig& config = target.config;

  bool sqlite() const { return dialect == db::Dialect::kSqlite; }

  // Reads [lint] and the target. Errors: kConfig ([lint] invalid), kConnection.
  Status Load(const Options& options) {
    STRATA_ASSIGN_OR_RETURN(lint::LintConfig c, lint::LoadLintConfig(options));
    c.dialect = dialect;
    // Without a database (--all) there is no pending set: each file is judged on its own, so a
    // breaking change to an older table is not taken for one on a new table (docs/lint.md).
    if (!conn) c.new_means_same_file = true;
    STRATA_ASSIGN_OR_RETURN(target, lint::ReadTarget(std::move(c), conn));
    return Status::Ok();
  }

  // Fills each migration of `rel` with its statements (facts and effect), effect, analyzed risk
  // class, gates and lint findings, and the plan findings that follow from them.
  Status Analyze(PlanRelease& rel) const {
    if (rel.migrations.empty()) return Status::Ok();
    std::set<std::string> mine;
    for (const auto& pm : rel.migrations) mine.insert(pm.script);
    std::vector<lint::LintInput> inputs;
    std::map<std::string, const migrate::Migration*> by_script;
    size_t last = 0;
    for (size_t i = 0; i < files.size(); ++i) {
      if (mine.count(files[i]->script)) last = i + 1;
    }
    for (size_t i = 0; i < last; ++i) {
      const migrate::Migration& m = *files[i];
      bool pending = mine.count(m.script) > 0;
      if (pending) by_script[m.script] = &m;
      inputs.push_back({m.path, m.script, m.text, pending, m.kind == migrate::Kind::kRepeatable});
      inputs.back().applied = !pending && unapplied && !unapplied->count(m.script);
    }
    lint::LintResult lr = lint::LintPendingSet(inputs, target);
    if (!lr.status.ok()) return lr.status;
    std::map<std::string, const lint::MigrationReport*> reports;
    for (const auto& mr : lr.migrations) reports[mr.path] = &mr;
    for (auto& pm : rel.migrations) {
      auto it = by_script.find(pm.script);
      if (it == by_script.end()) continue;
      const migrate::Migration& m = *it->second;
      auto rit = reports.find(m.path);
      STRATA_TRY(Fill(m, rit == reports.end() ? nullptr : rit->second, lr, pm));
    }
    return Status::Ok();
  }

  Status Fill(const migrate::Migration& m, const lint::MigrationReport* mr,
              const lint::LintResult& lr, PlanMigration& pm) const {
    auto stmts = sql::Split(m.text, dialect, m.path);
    if (!stmts) return stmts.error();
    // The analyzer's statements (libpg_query, the same parse lint made) beside strata's split
    // for the target dialect, matched by position.
    analysis::ParsedFile parsed = analysis::ParsePostgres(m.text);
    if (mr && mr->statements.size() != parsed.statements.size()) mr = nullptr;
    auto analyzed = [&](const sql::Statement& s) -> std::optional<size_t> {
      if (!mr) return std::nullopt;
      for (size_t j = 0; j < parsed.statements.size(); ++j) {
        const auto& sr = mr->statements[j];
        if (parsed.statements[j].offset != s.offset &&
            (sr.line != s.line || sr.column != s.column)) {
          continue;
        }
        if (!parsed.statements[j].error.empty() || !parsed.statements[j].node) break;
        return j;
      }
      return std::nullopt;
    };
    pm.statements.clear();
    pm.effect = "other";
    bool dml = false;
    for (const auto& s : *stmts) {
      PlanStatement ps;
      ps.line = s.line;
      ps.summary = std::string(s.FirstLine());
      if (auto j = analyzed(s)) {
        FromAnalyzer(mr->statements[*j], parsed.statements[*j], ps);
      } else {
        FromKeywords(s.text, ps);
      }
      if (conn && (sqlite() || ps.classified_by == "keywords") && !ps.target_is_new) {
        Live l = LiveSize(*conn, ps.table);
        ps.live_rows = l.rows;
        ps.live_bytes = l.bytes;
      }
      pm.effect = std::string(plan::StrongerEffect(pm.effect, ps.effect));
      dml = dml || ps.effect == "data";
      pm.statements.push_back(std::move(ps));
    }
    if (mr) {
      pm.analyzed_risk_class = mr->risk_class;
      pm.risk_classes = mr->classes;
      pm.gates = mr->gates;
    }
    for (const auto& f : lr.findings) {
      if (f.file != m.path || (sqlite() && !lint::MeansTheSameOnSqlite(f))) continue;
      pm.lint.push_back(ToPlanFinding(f));
    }
    if (!pm.risk_class.empty() && !pm.analyzed_risk_class.empty() &&
        std::find(pm.risk_classes.begin(), pm.risk_classes.end(), pm.risk_class) ==
            pm.risk_classes.end() &&
        RiskRank(pm.analyzed_risk_class) < RiskRank(pm.risk_class)) {
      pm.findings.push_back(fmt::format(
          "{} declares risk class {} but the analyzer classes it {} (gates: {}): correct "
          "`Risk class:` in its intent header, or change the migration",
          m.script, pm.risk_class, pm.analyzed_risk_class, fmt::join(pm.gates, "; ")));
    }
    bool post_checks = false;
    for (const auto& c : pm.checks) post_checks = post_checks || c.phase == "post-check";
    if (dml && !post_checks) {
      pm.findings.push_back(fmt::format(
          "{} changes data but has no post-check: add `-- strata:post-check <expectation>` with "
          "a query that proves the result (seed 003 §5.3)",
          m.script));
    }
    return Status::Ok();
  }
};

// Staged releases: their files live outside `locations` until the release is due.
struct StagedFiles {
  std::set<std::string> scripts;
  std::vector<migrate::MigrationSet> sets;
};

Result<StagedFiles> DiscoverStaged(const Options& options,
                                   const std::vector<config::ReleaseSpec>& specs) {
  StagedFiles out;
  for (const auto& spec : specs) {
    if (spec.location.empty()) continue;
    Options o = options;
    std::filesystem::path loc(spec.location);
    if (loc.is_relative()) loc = std::filesystem::path(options.project_dir) / loc;
    o.locations = {loc.lexically_normal().string()};
    STRATA_ASSIGN_OR_RETURN(auto more, migrate::Discover(o));
    for (const auto& m : more.migrations) out.scripts.insert(m.script);
    out.sets.push_back(std::move(more));
  }
  return out;
}

// The scripts the ledger of `d` says are still to run: pending, out of order or outdated.
Result<std::set<std::string>> PendingScripts(session::Session& d,
                                             const migrate::MigrationSet& set) {
  STRATA_ASSIGN_OR_RETURN(auto rows, d.ledger->ReadAll());
  std::set<std::string> pending;
  auto report = migrate::Join(set, rows);
  for (const auto& e : report.entries) {
    if (e.resolved &&
        (e.state == migrate::State::kPending || e.state == migrate::State::kOutOfOrder ||
         e.state == migrate::State::kOutdated)) {
      pending.insert(std::string(e.script));
    }
  }
  return pending;
}

// One file's part of the runbook: its annotations (transaction mode, intent, checks) and the
// findings about them; its intent goes into `intents`.
Result<PlanMigration> PlanFile(const migrate::Migration& m, bool staged, db::Dialect dialect,
                               const verify::Settings& settings,
                               std::map<std::string, verify::Intent>& intents) {
  PlanMigration pm;
  pm.script = m.script;
  pm.version = m.version.text();
  pm.description = m.description;
  pm.pending = true;
  if (staged) {
    pm.findings.push_back(fmt::format(
        "{} is staged outside `locations`: when the release is due, move it to a migration "
        "location (or pass --locations) and run `strata migrate`",
        m.script));
  }
  STRATA_ASSIGN_OR_RETURN(auto annotations, verify::ReadAnnotations(m.text, m.path, dialect));
  pm.transactional = annotations.settings.transactional;
  const verify::Intent& intent = annotations.intent;
  const verify::FileChecks& checks = annotations.checks;
  if (Status s = verify::CheckRequired(intent, settings.intent); !s.ok()) {
    pm.findings.push_back(s.ToString());
  }
  if (!intent.present) {
    pm.findings.push_back(fmt::format(
        "{} has no intent header: add `-- strata:intent` with business capability, risk class "
        "and recovery direction (docs/formats/intent-header.md)",
        m.script));
  }
  for (const auto& info : verify::IntentKeys()) {
    if (intent.Has(info.key)) {
      pm.intent.emplace_back(std::string(info.label), std::string(intent.Get(info.key)));
    }
  }
  pm.risk_class = intent.risk_class;
  pm.recovery = std::string(verify::RecoveryName(intent.recovery));
  for (const auto* list : {&checks.pre, &checks.post}) {
    for (const auto& c : *list) {
      pm.checks.push_back(
          {std::string(verify::PhaseName(c.phase)), c.Name(), c.line, c.query, c.expect.source});
    }
  }
  intents[m.script] = intent;
  return pm;
}

// The totals of the plan: findings on releases and migrations, unsuppressed lint findings.
void CountFindings(PlanResult& res) {
  for (const auto& r : res.releases) {
    res.findings += static_cast<int>(r.findings.size());
    for (const auto& m : r.migrations) {
      res.findings += static_cast<int>(m.findings.size());
      for (const auto& f : m.lint) res.lint_findings += f.suppressed ? 0 : 1;
    }
  }
}

}  // namespace

PlanResult Plan(const Options& options, const PlanRequest& request) {
  PlanResult res;
  auto fail = [&](Status s) {
    res.status = std::move(s);
    return std::move(res);
  };
  auto settings = verify::LoadSettings(options);
  if (!settings) return fail(settings.error());
  auto specs = config::LoadReleases(settings->releases_file);
  if (!specs) return fail(specs.error());
  auto set = migrate::Discover(options);
  if (!set) return fail(set.error());
  auto staged = DiscoverStaged(options, *specs);
  if (!staged) return fail(staged.error());

  std::optional<session::Session> d;
  std::set<std::string> pending;
  if (!request.all) {
    auto opened = session::Open(options, "plan", {.missing_is_empty = true});
    if (!opened) {
      return fail(Status(opened.error())
                      .WithHint("plan reads the database to know what is pending; `strata plan "
                                "--all` plans every "
                                "file without it"));
    }
    d = std::move(*opened);
    res.target = d->url.redacted;
    res.live = true;
    auto p = PendingScripts(*d, *set);
    if (!p) return fail(p.error());
    pending = std::move(*p);
  }
  db::Dialect dialect = d ? d->conn->dialect() : db::Dialect::kPostgres;

  std::map<std::string, verify::Intent> intents;
  std::vector<PlanMigration> planned;
  std::vector<const migrate::Migration*> files;
  for (const auto& m : set->migrations) files.push_back(&m);
  for (const auto& ss : staged->sets) {
    for (const auto& m : ss.migrations) files.push_back(&m);
  }
  bool sqlite = dialect == db::Dialect::kSqlite;
  std::set<std::string> unapplied = pending;
  unapplied.insert(staged->scripts.begin(), staged->scripts.end());
  Analyzer analyzer{files, dialect, d ? d->conn.get() : nullptr, &unapplied};
  if (Status s = analyzer.Load(options); !s.ok()) return fail(std::move(s));
  res.pg_version =
      fmt::format("{} ({})", analyzer.config.pg_version, analyzer.config.pg_version_source);
  if (sqlite) {
    res.dialect_note =
        "SQLite target: statement facts and locks are PostgreSQL's; only dialect-neutral lint "
        "rules apply";
  }
  for (const migrate::Migration* mp : files) {
    if (!request.all && !pending.count(mp->script) && !staged->scripts.count(mp->script)) continue;
    auto pm = PlanFile(*mp, staged->scripts.count(mp->script) > 0, dialect, *settings, intents);
    if (!pm) return fail(pm.error());
    planned.push_back(std::move(*pm));
  }

  // Group into releases, manifest order first, then anything unassigned.
  std::set<std::string> used;
  auto take = [&](const std::string& key) -> std::optional<PlanMigration> {
    for (auto& pm : planned) {
      if (used.count(pm.script)) continue;
      if (pm.version == key || pm.script == key ||
          (!pm.version.empty() && migrate::Version::Parse(key) &&
           migrate::Version::Parse(pm.version) &&
           *migrate::Version::Parse(key) == *migrate::Version::Parse(pm.version))) {
        used.insert(pm.script);
        return pm;
      }
    }
    return std::nullopt;
  };
  for (const auto& spec : *specs) {
    if (!request.release.empty() && spec.name != request.release) continue;
    PlanRelease rel;
    rel.name = spec.name;
    rel.title = spec.title;
    for (const auto& key : spec.migrations) {
      if (auto pm = take(key)) rel.migrations.push_back(std::move(*pm));
    }
    // A release that ships migrations is planned while any of them is pending; a release of
    // steps only (a backfill, an app deploy) is planned when a later release is.
    if (rel.migrations.empty() && !spec.migrations.empty()) continue;
    if (Status s = analyzer.Analyze(rel); !s.ok()) return fail(std::move(s));
    BuildRelease(rel, &spec, *settings, intents);
    res.releases.push_back(std::move(rel));
  }
  while (!request.all && request.release.empty() && !res.releases.empty() &&
         res.releases.back().migrations.empty()) {
    res.releases.pop_back();
  }
  if (request.release.empty()) {
    PlanRelease rest;
    rest.name = "unreleased";
    rest.title = "migrations in no release of the manifest";
    for (auto& pm : planned) {
      if (!used.count(pm.script)) rest.migrations.push_back(pm);
    }
    if (!rest.migrations.empty()) {
      if (Status s = analyzer.Analyze(rest); !s.ok()) return fail(std::move(s));
      BuildRelease(rest, nullptr, *settings, intents);
      res.releases.push_back(std::move(rest));
    }
  } else if (res.releases.empty()) {
    bool known = false;
    for (const auto& s : *specs) known = known || s.name == request.release;
    if (!known) {
      std::vector<std::string> names;
      for (const auto& s : *specs) names.push_back(s.name);
      return fail(
          Status(ErrorCode::kUsage,
                 fmt::format("no release `{}` in {}", request.release, settings->releases_file))
              .WithHint(names.empty() ? "define releases in the manifest ([[release]])"
                                      : fmt::format("releases: {}", fmt::join(names, ", "))));
    }
  }
  CountFindings(res);
  return res;
}

}  // namespace strata
