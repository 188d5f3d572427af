#include "identifiers/commands.h"

#include "base/text.h"
#include "db/connection.h"
#include "session/run_store.h"
#include "session/session.h"

#include <fmt/format.h>

namespace strata::identifiers {

namespace {

using db::Dialect;
using db::QuoteIdent;
using nlohmann::json;

// The contracts `names` selects (all when empty); an unknown name is kUsage with the nearest.
Result<std::vector<const Contract*>> Select(const Contracts& contracts,
                                            const std::vector<std::string>& names) {
  std::vector<const Contract*> out;
  if (names.empty()) {
    for (const auto& c : contracts.all()) out.push_back(&c);
    return out;
  }
  for (const auto& n : names) {
    const Contract* c = contracts.Find(n);
    if (!c) {
      std::vector<std::string_view> known;
      for (const auto& k : contracts.all()) known.push_back(k.name);
      std::string_view near = base::ClosestMatch(n, known);
      return Status(ErrorCode::kUsage,
                    fmt::format("no identifier `{}` in {}{}", n, contracts.path(),
                                near.empty() ? "" : fmt::format(" (did you mean `{}`?)", near)))
          .WithHint(known.empty() ? "declare it in the identifiers file first "
                                    "(docs/formats/identifiers.md)"
                                  : fmt::format("the identifiers are: {}", fmt::join(known, ", ")));
    }
    out.push_back(c);
  }
  return out;
}

std::string Held(const Contract& c) {
  return c.consumers.empty() ? std::string()
                             : fmt::format(" (held by {})", fmt::join(c.consumers, ", "));
}

std::string GuardName(const Contract& c, std::string_view what) {
  return fmt::format("strata_idguard_{}{}", base::ToLower(c.name), what);
}

// The schema prefix objects beside the table get ("" or "\"s\".").
std::string SchemaPrefix(const Contract& c) {
  return c.schema.empty() ? std::string() : QuoteIdent(c.schema) + ".";
}

std::vector<std::string> ProtectSql(const Contract& c, Dialect d, bool refuse_delete,
                                    std::vector<std::string>& objects) {
  const std::string cols = [&] {
    std::string s;
    for (const auto& col : c.columns) s += (s.empty() ? "" : ", ") + QuoteIdent(col);
    return s;
  }();
  const std::string update_msg = fmt::format(
      "strata: identifier {}{} must not change: UPDATE of {} refused (strata identifiers "
      "protect; change it through a mapping)",
      c.name, Held(c), c.Target());
  const std::string delete_msg =
      c.deletes == Deletes::kTombstone
          ? fmt::format(
                "strata: identifier {}{}: rows of {} are never deleted: set {} instead "
                "(strata identifiers protect)",
                c.name, Held(c), c.QualifiedTable(), c.tombstone_column)
          : fmt::format(
                "strata: identifier {}{}: rows of {} are never deleted (strata "
                "identifiers protect)",
                c.name, Held(c), c.QualifiedTable());
  std::vector<std::string> sql;
  const std::string upd = GuardName(c, "_update"), del = GuardName(c, "_delete"),
                    trunc = GuardName(c, "_truncate"), fn = GuardName(c, "");
  if (d == Dialect::kPostgres) {
    auto esc = [](std::string m) {  // a RAISE format string: % doubled
      std::string out;
      for (char ch : m) out += ch == '%' ? std::string("%%") : std::string(1, ch);
      return db::QuoteLiteral(out);
    };
    std::string old_cols, new_cols;
    for (const auto& col : c.columns) {
      old_cols += (old_cols.empty() ? "" : ", ") + ("OLD." + QuoteIdent(col));
      new_cols += (new_cols.empty() ? "" : ", ") + ("NEW." + QuoteIdent(col));
    }
    sql.push_back(fmt::format(
        "CREATE OR REPLACE FUNCTION {0}{1}() RETURNS trigger LANGUAGE plpgsql AS $strata$\n"
        "BEGIN\n"
        "  IF TG_OP = 'UPDATE' THEN\n"
        "    IF ROW({2}) IS DISTINCT FROM ROW({3}) THEN\n"
        "      RAISE EXCEPTION {4} USING ERRCODE = 'P0001';\n"
        "    END IF;\n"
        "    RETURN NEW;\n"
        "  END IF;\n"
        "  RAISE EXCEPTION {5} USING ERRCODE = 'P0001';\n"
        "END\n$strata$",
        SchemaPrefix(c), fn, new_cols, old_cols, esc(update_msg), esc(delete_msg)));
    objects.push_back("function " + SchemaPrefix(c) + fn + "()");
    sql.push_back(fmt::format("DROP TRIGGER IF EXISTS {} ON {}", upd, TableRef(c)));
    // AFTER every UPDATE, on the row as stored: `BEFORE UPDATE OF <columns>` would not fire when
    // another BEFORE trigger rewrites the id on an UPDATE of other columns (or a generated id
    // follows them), and a BEFORE trigger sorted after ours could change it once checked. The
    // WHEN is evaluated as the row is written; where it is false no event is queued.
    sql.push_back(fmt::format(
        "CREATE TRIGGER {} AFTER UPDATE ON {} FOR EACH ROW WHEN (ROW({}) IS DISTINCT FROM "
        "ROW({})) EXECUTE PROCEDURE {}{}()",
        upd, TableRef(c), new_cols, old_cols, SchemaPrefix(c), fn));
    objects.push_back("trigger " + upd);
    sql.push_back(fmt::format("DROP TRIGGER IF EXISTS {} ON {}", del, TableRef(c)));
    sql.push_back(fmt::format("DROP TRIGGER IF EXISTS {} ON {}", trunc, TableRef(c)));
    if (refuse_delete) {
      sql.push_back(
          fmt::format("CREATE TRIGGER {} BEFORE DELETE ON {} FOR EACH ROW EXECUTE "
                      "PROCEDURE {}{}()",
                      del, TableRef(c), SchemaPrefix(c), fn));
      sql.push_back(
          fmt::format("CREATE TRIGGER {} BEFORE TRUNCATE ON {} FOR EACH STATEMENT "
                      "EXECUTE PROCEDURE {}{}()",
                      trunc, TableRef(c), SchemaPrefix(c), fn));
      objects.push_back("trigger " + del);
      objects.push_back("trigger " + trunc);
    }
    return sql;
  }
  std::string changed;
  for (const auto& col : c.columns) {
    changed += fmt::format("{}NEW.{} IS NOT OLD.{}", changed.empty() ? "" : " OR ", QuoteIdent(col),
                           QuoteIdent(col));
  }
  sql.push_back(fmt::format("DROP TRIGGER IF EXISTS {}{}", SchemaPrefix(c), upd));
  sql.push_back(fmt::format(
      "CREATE TRIGGER {}{} BEFORE UPDATE OF {} ON {} FOR EACH ROW WHEN {} "
      "BEGIN SELECT RAISE(ABORT, {}); END",
      SchemaPrefix(c), upd, cols, QuoteIdent(c.table), changed, db::QuoteLiteral(update_msg)));
  objects.push_back("trigger " + upd);
  sql.push_back(fmt::format("DROP TRIGGER IF EXISTS {}{}", SchemaPrefix(c), del));
  if (refuse_delete) {
    sql.push_back(
        fmt::format("CREATE TRIGGER {}{} BEFORE DELETE ON {} FOR EACH ROW BEGIN SELECT "
                    "RAISE(ABORT, {}); END",
                    SchemaPrefix(c), del, QuoteIdent(c.table), db::QuoteLiteral(delete_msg)));
    objects.push_back("trigger " + del);
  }
  return sql;
}

std::vector<std::string> UnprotectSql(const Contract& c, Dialect d,
                                      std::vector<std::string>& objects) {
  std::vector<std::string> sql;
  for (std::string_view what : {"_update", "_delete", "_truncate"}) {
    if (d == Dialect::kSqlite && what == "_truncate") continue;
    const std::string t = GuardName(c, what);
    sql.push_back(d == Dialect::kPostgres
                      ? fmt::format("DROP TRIGGER IF EXISTS {} ON {}", t, TableRef(c))
                      : fmt::format("DROP TRIGGER IF EXISTS {}{}", SchemaPrefix(c), t));
    objects.push_back("trigger " + t);
  }
  if (d == Dialect::kPostgres) {
    sql.push_back(fmt::format("DROP FUNCTION IF EXISTS {}{}()", SchemaPrefix(c), GuardName(c, "")));
    objects.push_back("function " + SchemaPrefix(c) + GuardName(c, "") + "()");
  }
  return sql;
}

json ProblemJson(const SchemaProblem& p) {
  json j = {{"identifier", p.identifier},
            {"message", p.status.message()},
            {"file", p.status.span().file},
            {"line", p.status.span().line},
            {"column", p.status.span().column}};
  if (!p.status.hint().empty()) j["hint"] = p.status.hint();
  return j;
}

json DigestJson(const Digest& d) {
  return {{"identifier", d.identifier},
          {"target", d.table},
          {"rows", d.rows},
          {"nulls", d.nulls},
          {"duplicates", d.duplicates},
          {"format_violations", d.format_violations},
          {"digest", d.digest},
          {"duration_ms", d.duration_ms}};
}

}  // namespace

namespace {

// What every verb here starts with: the project's contracts, those `names` selects (all when
// empty), a session on the target and, when `check_schema`, where the contracts do not match
// the live schema. `file` and `target` are set as soon as they are known, so a report names
// them even when a later step fails.
struct Live {
  Contracts contracts;
  std::vector<const Contract*> selected;  // into `contracts`
  session::Session session;
  std::vector<SchemaProblem> problems;

  // The first schema problem of a selected contract; OK when there is none.
  Status SelectedProblem() const {
    for (const Contract* c : selected) {
      for (const auto& p : problems) {
        if (p.identifier == c->name) return p.status;
      }
    }
    return Status::Ok();
  }
};

struct Preamble {
  std::string_view verb;
  const std::vector<std::string>* names = nullptr;  // nullptr: every contract
  bool require_one = false;                         // no contract selected is kUsage
  bool check_schema = true;
};

Status OpenLive(const Options& options, const Preamble& what, Live& live, std::string* file,
                std::string* target) {
  STRATA_ASSIGN_OR_RETURN(live.contracts, Contracts::ForProject(options));
  if (file) *file = live.contracts.path();
  static const std::vector<std::string> kAll;
  STRATA_ASSIGN_OR_RETURN(live.selected, Select(live.contracts, what.names ? *what.names : kAll));
  if (what.require_one && live.selected.empty()) {
    return Status(ErrorCode::kUsage,
                  fmt::format("no identifiers declared in {}", live.contracts.path()))
        .WithHint("declare them first (docs/formats/identifiers.md)");
  }
  STRATA_ASSIGN_OR_RETURN(live.session, session::Open(options, std::string(what.verb)));
  if (target) *target = live.session.url.redacted;
  if (what.check_schema) {
    STRATA_ASSIGN_OR_RETURN(live.problems, CheckSchema(*live.session.conn, live.contracts));
  }
  return Status::Ok();
}

}  // namespace

namespace {

// Whether the update trigger `protect` names for `c` exists on its table, and of which kind.
Result<Protection> ProtectionOf(db::Connection& conn, const Contract& c) {
  const std::string upd = GuardName(c, "_update");
  if (conn.dialect() == Dialect::kPostgres) {
    // tgtype bit 1 (2): a BEFORE trigger, what an earlier strata installed.
    STRATA_ASSIGN_OR_RETURN(auto r, conn.Query("SELECT tgtype::int & 2 FROM pg_trigger WHERE "
                                               "tgrelid = to_regclass($1) AND tgname = $2",
                                               {TableRef(c), upd}));
    if (r.rows.empty()) return Protection::kNone;
    return r.rows[0].at(0).value_or("0") == "0" ? Protection::kProtected : Protection::kOutdated;
  }
  STRATA_ASSIGN_OR_RETURN(
      auto r, conn.Query(fmt::format("SELECT 1 FROM {}.sqlite_schema WHERE type = 'trigger' AND "
                                     "name = $1",
                                     QuoteIdent(c.schema.empty() ? "main" : c.schema)),
                         {upd}));
  return r.rows.empty() ? Protection::kNone : Protection::kProtected;
}

}  // namespace

std::string_view ProtectionName(Protection p) {
  switch (p) {
    case Protection::kNone:
      return "none";
    case Protection::kProtected:
      return "protected";
    case Protection::kOutdated:
      return "outdated";
  }
  return "none";
}

CheckReport Check(const Options& options) {
  CheckReport r;
  Live live;
  r.status = OpenLive(options, {.verb = "identifiers check"}, live, &r.file, &r.target);
  if (!r.status.ok()) return r;
  r.contracts = static_cast<int>(live.contracts.all().size());
  for (const Contract& c : live.contracts.all()) {
    bool matches = true;
    for (const auto& p : live.problems) matches = matches && p.identifier != c.name;
    if (!matches) continue;
    auto state = ProtectionOf(*live.session.conn, c);
    if (!state) {
      r.status = state.status();
      return r;
    }
    r.protection.emplace_back(c.name, *state);
  }
  r.problems = std::move(live.problems);
  if (!r.problems.empty()) {
    r.status = r.problems.size() == 1
                   ? r.problems[0].status
                   : Status(ErrorCode::kConfig,
                            fmt::format("{} identifier contracts do not match the schema of {}",
                                        r.problems.size(), r.target))
                         .WithHint("fix each one listed above in " + r.file);
  }
  return r;
}

DigestReport DigestAll(const Options& options, const DigestRequest& request) {
  DigestReport r;
  Live live;
  r.status = OpenLive(options, {.verb = "identifiers digest", .names = &request.names}, live,
                      &r.file, &r.target);
  if (r.status.ok()) r.status = live.SelectedProblem();
  if (!r.status.ok()) return r;
  for (const Contract* c : live.selected) {
    auto d = ComputeDigest(*live.session.conn, *c);
    if (!d) {
      r.status = d.status();
      return r;
    }
    r.digests.push_back(std::move(*d));
  }
  return r;
}

ProtectReport Protect(const Options& options, const ProtectRequest& request) {
  ProtectReport r;
  r.remove = request.remove;
  const std::string verb = request.remove ? "identifiers unprotect" : "identifiers protect";
  Live live;
  r.status = OpenLive(
      options,
      {.verb = verb, .names = &request.names, .require_one = true, .check_schema = !request.remove},
      live, nullptr, &r.target);
  if (r.status.ok()) r.status = live.SelectedProblem();
  if (!r.status.ok()) return r;
  session::Session& s = live.session;
  db::Connection& conn = *s.conn;
  session::RunLock lock;
  if (Status l = lock.Acquire(s, options.lock_wait, EventSink{}); !l.ok()) {
    r.status = l;
    return r;
  }
  auto rec = session::RunRecorder::Start(conn, options, verb, r.target);
  if (!rec) {
    r.status = rec.status();
    return r;
  }
  r.run_id = (*rec)->run_id();
  std::vector<std::string> sql;
  for (const Contract* c : live.selected) {
    ProtectedIdentifier p;
    p.identifier = c->name;
    p.target = c->Target();
    p.refuses_delete = !request.remove && !c->MayDelete();
    auto part = request.remove ? UnprotectSql(*c, conn.dialect(), p.objects)
                               : ProtectSql(*c, conn.dialect(), p.refuses_delete, p.objects);
    sql.insert(sql.end(), part.begin(), part.end());
    r.identifiers.push_back(std::move(p));
  }
  // All or nothing: one transaction.
  Status st = conn.Exec(conn.BeginSql());
  for (size_t i = 0; st.ok() && i < sql.size(); ++i) st = conn.Exec(sql[i]);
  st = st.ok() ? conn.Exec("COMMIT") : st;
  if (!st.ok() && conn.InTransaction()) (void)conn.Exec("ROLLBACK");
  json detail = ToJson(r);
  detail.erase("target");
  (void)(*rec)->Finish(st, detail.dump());
  r.status = st;
  return r;
}

json ToJson(const CheckReport& r) {
  json probs = json::array();
  for (const auto& p : r.problems) probs.push_back(ProblemJson(p));
  json prot = json::array();
  for (const auto& [name, state] : r.protection) {
    prot.push_back({{"identifier", name}, {"protection", ProtectionName(state)}});
  }
  return {{"target", r.target},
          {"file", r.file},
          {"contracts", r.contracts},
          {"problems", probs},
          {"protection", prot}};
}

std::string ToText(const CheckReport& r) {
  std::string out;
  // One problem is the error itself, which the CLI prints; several are listed first.
  for (const auto& p : r.problems) {
    if (r.problems.size() == 1) break;
    out += fmt::format("{}: error: {}\n", p.status.span().ToString(), p.status.message());
    if (!p.status.hint().empty()) out += fmt::format("  hint: {}\n", p.status.hint());
  }
  if (r.problems.empty() && r.status.ok()) {
    out += fmt::format("{} identifier contract{} of {} match the schema of {}\n", r.contracts,
                       r.contracts == 1 ? "" : "s", r.file, r.target);
  }
  for (const auto& [name, state] : r.protection) {
    switch (state) {
      case Protection::kNone:
        out += fmt::format("  {}: not protected in the database (strata identifiers protect {})\n",
                           name, name);
        break;
      case Protection::kProtected:
        out += fmt::format("  {}: protected\n", name);
        break;
      case Protection::kOutdated:
        out += fmt::format(
            "  {}: warning: protected by an earlier strata's trigger, which an id that another "
            "trigger rewrites gets past: run `strata identifiers protect {}` again\n",
            name, name);
        break;
    }
  }
  return out;
}

json ToJson(const DigestReport& r) {
  json ds = json::array();
  for (const auto& d : r.digests) ds.push_back(DigestJson(d));
  return {{"target", r.target}, {"file", r.file}, {"identifiers", ds}};
}

std::string ToText(const DigestReport& r) {
  if (r.digests.empty()) {
    return r.status.ok() ? fmt::format("no identifiers declared in {}\n", r.file) : "";
  }
  std::string out = fmt::format("{:<24} {:>12} {:>8} {:>10} {:>10}  {}\n", "identifier", "rows",
                                "nulls", "duplicates", "bad format", "digest");
  for (const auto& d : r.digests) {
    out += fmt::format("{:<24} {:>12} {:>8} {:>10} {:>10}  {}\n", d.identifier, d.rows, d.nulls,
                       d.duplicates, d.format_violations, d.digest);
  }
  return out;
}

json ToJson(const ProtectReport& r) {
  json ids = json::array();
  for (const auto& p : r.identifiers) {
    ids.push_back({{"identifier", p.identifier},
                   {"target", p.target},
                   {"objects", p.objects},
                   {"refuses_delete", p.refuses_delete}});
  }
  return {{"target", r.target}, {"run_id", r.run_id}, {"removed", r.remove}, {"identifiers", ids}};
}

std::string ToText(const ProtectReport& r) {
  if (!r.status.ok()) return "";
  std::string out;
  for (const auto& p : r.identifiers) {
    if (r.remove) {
      out += fmt::format("{} ({}): protection removed\n", p.identifier, p.target);
    } else {
      out += fmt::format("{} ({}): UPDATE of the identifier refused{}\n", p.identifier, p.target,
                         p.refuses_delete ? "; DELETE refused" : "");
    }
  }
  out += fmt::format("recorded as run {}\n", r.run_id);
  return out;
}

}  // namespace strata::identifiers
