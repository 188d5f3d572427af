// The stable-key diff of a seed package against the database, with meaning protection.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "seed/dbutil.h"
#include "seed/plan_internal.h"

namespace strata::seed {

std::string_view ActionName(RowAction a) {
  switch (a) {
    case RowAction::kInsert:
      return "insert";
    case RowAction::kUpdate:
      return "update";
    case RowAction::kDeprecate:
      return "deprecate";
    case RowAction::kDelete:
      return "delete";
    case RowAction::kUnchanged:
      return "unchanged";
    case RowAction::kDrift:
      return "drift";
  }
  return "?";
}

std::string PackagePlan::State() const {
  if (!in_scope) return "out-of-scope";
  if (applied) return drift > restored ? "drifted" : "up-to-date";
  if (applied_checksum.empty()) return "never-applied";
  if (applied_checksum != checksum) return "changed";
  if (Changes() > 0 || drift > 0 || !violations.empty()) return "drifted";
  return "up-to-date";
}

namespace {

std::string Show(const std::optional<std::string>& v) {
  return v ? fmt::format("'{}'", *v) : std::string("NULL");
}

struct UsedCount {
  std::string where;  // "quote_transition_log.reason_code"
  std::int64_t rows = 0;
};

// How many rows reference `code` through each used_by column.
Result<std::vector<UsedCount>> CountUses(db::Connection& conn, const TableSpec& t,
                                         const std::string& code) {
  std::vector<UsedCount> out;
  for (const auto& u : t.used_by) {
    auto dot = u.find('.');
    std::string sql = fmt::format("SELECT count(*) FROM {} WHERE {} = $1",
                                  QuoteIdent(u.substr(0, dot)), QuoteIdent(u.substr(dot + 1)));
    auto r = conn.Query(sql, {code});
    if (!r) {
      return Status(ErrorCode::kConfig,
                    fmt::format("used_by `{}` cannot be counted: {}", u, r.error().message()))
          .WithHint("used_by names an existing table.column that holds the code");
    }
    out.push_back({u, std::stoll(r->rows.at(0).at(0).value_or("0"))});
  }
  return out;
}

std::string UsesText(const std::vector<UsedCount>& uses) {
  std::string out;
  for (const auto& u : uses) {
    if (u.rows == 0) continue;
    out += fmt::format("{}{} row(s) of {}", out.empty() ? "" : ", ", u.rows, u.where);
  }
  return out;
}

std::int64_t TotalUses(const std::vector<UsedCount>& uses) {
  std::int64_t n = 0;
  for (const auto& u : uses) n += u.rows;
  return n;
}

struct DbRow {
  std::vector<std::optional<std::string>> key;  // CAST(key AS TEXT)
  std::optional<std::string> active;
  bool matched = false;
};

std::string JoinKey(const std::vector<std::optional<std::string>>& k) {
  std::string out;
  for (size_t i = 0; i < k.size(); ++i) {
    if (i) out += '|';
    out += k[i].value_or("");
  }
  return out;
}

}  // namespace

namespace {

// The plan of one table of a package, in steps: the columns it names exist (CheckColumns), the
// rows the table holds (LoadDbRows), each package row against its database row (PlanPackageRow:
// insert, drift, a meaning change refused, or an update of the other columns), then the rows only
// the database has (PlanDbOnlyRow: deprecate, keep, refuse or delete). Violations and row diffs
// go into `plan`.
class TablePlanner {
 public:
  TablePlanner(db::Connection& conn, const Package& p, const TableSpec& t, PackagePlan& plan)
      : conn_(conn),
        d_(conn.dialect()),
        p_(p),
        t_(t),
        plan_(plan),
        csv_path_(p.rel_dir + "/" + t.data_file),
        dated_(!t.effective_from_column.empty()),
        protect_(MeaningProtected(p.cls)) {}

  Status Run() {
    STRATA_TRY(CheckColumns());
    STRATA_TRY(LoadDbRows());
    for (const auto& [old_code, new_code] : t_.supersede) deprecate_.insert(old_code);
    deprecate_.insert(t_.deprecate.begin(), t_.deprecate.end());
    reactivate_.insert(t_.reactivate.begin(), t_.reactivate.end());
    const std::string lookup = LookupSql();
    for (const auto& row : t_.data.rows) STRATA_TRY(PlanPackageRow(row, lookup));
    for (auto& [key_text, dr] : db_rows_) {
      if (!dr.matched) STRATA_TRY(PlanDbOnlyRow(key_text, dr));
    }
    return Status::Ok();
  }

 private:
  // The table exists and has every column the data file and the manifest name.
  Status CheckColumns();
  // Every row of the table, by key (with its active flag), to find rows the package no longer
  // has.
  Status LoadDbRows();
  // The keyed lookup of one package row: the database's key and values, and per data column
  // whether it equals the package's value. Comparisons happen in the database so that types
  // (timestamps, numerics, booleans) compare by value, not by text.
  std::string LookupSql() const;
  Status PlanPackageRow(const CsvRow& row, const std::string& lookup);
  // A changed meaning column of a protected package: refused, naming what uses the code.
  Status RefuseMeaningChange(const std::string& key_text, const std::string& code,
                             const SourceSpan& span, const std::vector<ColumnChange>& meaning);
  Status PlanDbOnlyRow(const std::string& key_text, DbRow& dr);

  static std::string Cast(const std::string& c) {
    return fmt::format("CAST({} AS TEXT)", QuoteIdent(c));
  }
  static std::string CodeOf(const std::string& key_text) {
    return key_text.substr(0, key_text.find('|'));
  }
  bool Marked(const std::string& code, const std::string& key_text) const {
    return deprecate_.count(code) > 0 || deprecate_.count(key_text) > 0;
  }
  void AddViolation(const Rule& r, const std::string& key, SourceSpan span, std::string msg,
                    std::string hint);
  std::vector<std::pair<std::string, std::string>> KeyValuesOf(const CsvRow& row) const;
  void DeprecateRow(const std::string& key_text,
                    std::vector<std::pair<std::string, std::string>> kv,
                    const std::optional<std::string>& db_active, SourceSpan span);

  db::Connection& conn_;
  const db::Dialect d_;
  const Package& p_;
  const TableSpec& t_;
  PackagePlan& plan_;
  const std::string csv_path_;
  const bool dated_;
  const bool protect_;
  std::map<std::string, const ColumnInfo*> by_name_;
  std::vector<ColumnInfo> cols_;
  const ColumnInfo* active_col_ = nullptr;
  int active_idx_ = -1;
  std::map<std::string, DbRow> db_rows_;
  std::set<std::string> deprecate_;
  std::set<std::string> reactivate_;
};

Status TablePlanner::CheckColumns() {
  STRATA_ASSIGN_OR_RETURN(cols_, TableColumns(conn_, t_.name));
  if (cols_.empty()) {
    return Status(
               ErrorCode::kValidation,
               fmt::format("package `{}` targets table `{}`, which does not exist", p_.id, t_.name))
        .WithSpan({p_.manifest_path, t_.manifest_line, 0})
        .WithHint(
            "run `strata migrate` first (set [compatibility] min_schema_version to the "
            "migration that creates it)");
  }
  for (const auto& c : cols_) by_name_[c.name] = &c;
  // A named column must exist; `where` is the CSV header or the manifest's [[tables]] entry.
  auto need = [&](const std::string& col, SourceSpan where, std::string_view what) -> Status {
    if (col.empty() || by_name_.count(col)) return Status::Ok();
    return Status(ErrorCode::kValidation,
                  fmt::format("{} `{}` is not a column of table `{}`", what, col, t_.name))
        .WithSpan(std::move(where))
        .WithHint("fix the name, or add the column with a migration first");
  };
  const SourceSpan header{csv_path_, 1, 0}, entry{p_.manifest_path, t_.manifest_line, 0};
  for (const auto& h : t_.data.header) STRATA_TRY(need(h, header, "data column"));
  STRATA_TRY(need(t_.active_column, entry, "active_column"));
  STRATA_TRY(need(t_.superseded_by_column, entry, "superseded_by_column"));
  STRATA_TRY(need(t_.effective_to_column, entry, "effective_to_column"));
  active_col_ = t_.active_column.empty() ? nullptr : by_name_[t_.active_column];
  active_idx_ = t_.active_column.empty() ? -1 : t_.data.IndexOf(t_.active_column);
  return Status::Ok();
}

Status TablePlanner::LoadDbRows() {
  std::string sel_keys;
  for (const auto& k : t_.key) sel_keys += Cast(k) + ", ";
  sel_keys += active_col_ ? Cast(t_.active_column) : std::string("NULL");
  STRATA_ASSIGN_OR_RETURN(
      auto all, conn_.Query(fmt::format("SELECT {} FROM {}", sel_keys, QuoteIdent(t_.name))));
  for (auto& r : all.rows) {
    DbRow dr;
    dr.key.assign(r.begin(), r.begin() + static_cast<long>(t_.key.size()));
    dr.active = r.back();
    db_rows_.emplace(JoinKey(dr.key), std::move(dr));
  }
  return Status::Ok();
}

std::string TablePlanner::LookupSql() const {
  std::string select;
  for (const auto& k : t_.key) select += Cast(k) + ", ";
  for (size_t c = 0; c < t_.data.header.size(); ++c) select += Cast(t_.data.header[c]) + ", ";
  const int first_col_param = static_cast<int>(t_.key.size()) + 1;
  for (size_t c = 0; c < t_.data.header.size(); ++c) {
    select += fmt::format(
        "CASE WHEN {} THEN 1 ELSE 0 END{}",
        NullSafeEq(d_, QuoteIdent(t_.data.header[c]), first_col_param + static_cast<int>(c)),
        c + 1 < t_.data.header.size() ? ", " : "");
  }
  std::string where;
  for (size_t i = 0; i < t_.key.size(); ++i) {
    where +=
        fmt::format("{}{} = ${}", i ? " AND " : "", QuoteIdent(t_.key[i]), 1 + static_cast<int>(i));
  }
  return fmt::format("SELECT {} FROM {} WHERE {}", select, QuoteIdent(t_.name), where);
}

void TablePlanner::AddViolation(const Rule& r, const std::string& key, SourceSpan span,
                                std::string msg, std::string hint) {
  Violation v;
  v.rule = RuleText(r);
  v.package = p_.id;
  v.table = t_.name;
  v.key = key;
  v.message = std::move(msg);
  v.hint = std::move(hint);
  v.span = std::move(span);
  plan_.violations.push_back(std::move(v));
}

std::vector<std::pair<std::string, std::string>> TablePlanner::KeyValuesOf(
    const CsvRow& row) const {
  std::vector<std::pair<std::string, std::string>> kv;
  for (const auto& k : t_.key) {
    kv.emplace_back(k, row.fields[static_cast<size_t>(t_.data.IndexOf(k))].value_or(""));
  }
  return kv;
}

void TablePlanner::DeprecateRow(const std::string& key_text,
                                std::vector<std::pair<std::string, std::string>> kv,
                                const std::optional<std::string>& db_active, SourceSpan span) {
  RowDiff rd;
  rd.action = RowAction::kDeprecate;
  rd.table = t_.name;
  rd.key = key_text;
  rd.span = std::move(span);
  rd.key_values = std::move(kv);
  rd.changes.push_back({t_.active_column, db_active, std::string("false")});
  rd.write.emplace_back(t_.active_column, BindValue(d_, active_col_, std::string("false")));
  if (auto it = t_.supersede.find(CodeOf(key_text)); it != t_.supersede.end()) {
    rd.note = fmt::format("superseded by {}", it->second);
    if (!t_.superseded_by_column.empty()) {
      rd.changes.push_back({t_.superseded_by_column, std::nullopt, it->second});
      rd.write.emplace_back(t_.superseded_by_column, it->second);
    }
  } else {
    rd.note = "deprecated";
  }
  plan_.deprecates++;
  plan_.rows.push_back(std::move(rd));
}

Status TablePlanner::PlanPackageRow(const CsvRow& row, const std::string& lookup) {
  const size_t nk = t_.key.size(), nc = t_.data.header.size();
  SourceSpan span{csv_path_, row.line, 0};
  std::string key_text = t_.KeyText(row);
  std::vector<db::Value> params;
  for (const auto& k : t_.key) {
    params.push_back(
        BindValue(d_, by_name_[k], row.fields[static_cast<size_t>(t_.data.IndexOf(k))]));
  }
  for (size_t c = 0; c < nc; ++c) {
    params.push_back(BindValue(d_, by_name_[t_.data.header[c]], row.fields[c]));
  }
  auto r = conn_.Query(lookup, params);
  if (!r) {
    return Status(r.error().code(), fmt::format("row {} of table `{}` cannot be compared: {}",
                                                key_text, t_.name, r.error().message()))
        .WithSpan(span)
        .WithHint(
            "check the value's type against the column (dates as ISO-8601, booleans "
            "as true/false)");
  }
  if (r->rows.empty()) {
    RowDiff rd;
    rd.action = RowAction::kInsert;
    rd.table = t_.name;
    rd.key = key_text;
    rd.span = span;
    rd.key_values = KeyValuesOf(row);
    for (size_t c = 0; c < nc; ++c) {
      rd.changes.push_back({t_.data.header[c], std::nullopt, row.fields[c]});
      rd.write.emplace_back(t_.data.header[c],
                            BindValue(d_, by_name_[t_.data.header[c]], row.fields[c]));
    }
    plan_.inserts++;
    plan_.rows.push_back(std::move(rd));
    return Status::Ok();
  }
  const auto& dbr = r->rows[0];
  std::vector<std::optional<std::string>> db_key(dbr.begin(), dbr.begin() + static_cast<long>(nk));
  std::string db_key_text = JoinKey(db_key);
  std::optional<std::string> db_active;
  if (auto it = db_rows_.find(db_key_text); it != db_rows_.end()) {
    it->second.matched = true;
    db_active = it->second.active;
  }
  const bool db_deprecated = active_col_ && IsFalse(db_active);
  std::vector<ColumnChange> meaning, other;
  for (size_t c = 0; c < nc; ++c) {
    const auto& eq = dbr[nk + nc + c];
    if (eq && *eq == "1") continue;
    ColumnChange ch{t_.data.header[c], dbr[nk + c], row.fields[c]};
    (t_.IsMeaningColumn(ch.column) ? meaning : other).push_back(std::move(ch));
  }
  std::string code = CodeOf(key_text);
  const bool marked = Marked(code, key_text);
  // Reusing a deprecated code: the database says inactive, the package says active.
  bool reactivating = false;
  if (db_deprecated && !marked && active_idx_ >= 0 &&
      !IsFalse(row.fields[static_cast<size_t>(active_idx_)])) {
    reactivating = true;
    if (!reactivate_.count(code) && !reactivate_.count(key_text)) {
      AddViolation(kRuleDeprecatedReuse, key_text, span,
                   fmt::format("`{}` in {} was deprecated; the package makes it active again",
                               key_text, t_.name),
                   "a deprecated code is never reused: add a new code instead (or list it in "
                   "reactivate if its meaning is exactly the old one)");
    }
  }
  if (p_.mode == SeedMode::kInsertOnly) {
    if (!meaning.empty() || !other.empty()) {
      RowDiff rd;
      rd.action = RowAction::kDrift;
      rd.table = t_.name;
      rd.key = key_text;
      rd.span = span;
      rd.changes = meaning;
      rd.changes.insert(rd.changes.end(), other.begin(), other.end());
      rd.note = "insert-only: existing rows are never changed";
      plan_.drift++;
      plan_.rows.push_back(std::move(rd));
    } else {
      plan_.unchanged++;
    }
    return Status::Ok();
  }
  // The package is byte for byte what was last applied, so a difference was made in the
  // database (a hand edit), not by the package: drift, counted and restorable, never a
  // meaning change blamed on the package.
  if ((!meaning.empty() || (protect_ && !other.empty())) && !plan_.applied_checksum.empty() &&
      plan_.applied_checksum == plan_.checksum) {
    RowDiff rd;
    rd.action = RowAction::kDrift;
    rd.table = t_.name;
    rd.key = key_text;
    rd.span = span;
    rd.restorable = true;
    for (size_t i = 0; i < nk; ++i) rd.key_values.emplace_back(t_.key[i], db_key[i].value_or(""));
    rd.changes = meaning;
    rd.changes.insert(rd.changes.end(), other.begin(), other.end());
    for (const auto& ch : rd.changes) {
      rd.write.emplace_back(ch.column, BindValue(d_, by_name_[ch.column], ch.after));
    }
    rd.note =
        "edited in the database after the package was applied; `strata seed apply "
        "--restore` puts the package's values back";
    plan_.drift++;
    plan_.rows.push_back(std::move(rd));
    return Status::Ok();
  }
  if (!meaning.empty() && protect_) return RefuseMeaningChange(key_text, code, span, meaning);
  // Non-meaning columns: the active flag, superseded_by, effective_to (closing a version).
  RowDiff rd;
  rd.table = t_.name;
  rd.key = key_text;
  rd.span = span;
  for (size_t i = 0; i < nk; ++i) rd.key_values.emplace_back(t_.key[i], db_key[i].value_or(""));
  bool deprecating_by_data = false;
  std::vector<ColumnChange> candidates = other;
  if (!protect_) candidates.insert(candidates.begin(), meaning.begin(), meaning.end());
  for (auto& ch : candidates) {
    if (marked && ch.column == t_.active_column) continue;  // the mark decides
    if (protect_ && ch.column == t_.effective_to_column && dated_ && ch.before) {
      AddViolation(
          kRuleVersionImmutable, key_text, span,
          fmt::format("version {} of `{}` already closes at {}; the package moves it to {}",
                      key_text, code, *ch.before, Show(ch.after)),
          "a closed version keeps its window: start a new version instead");
      continue;
    }
    if (protect_ && ch.column == t_.active_column && IsFalse(ch.after) && !db_deprecated) {
      deprecating_by_data = true;
    }
    if (ch.column == t_.effective_to_column && !ch.before) rd.note = "closes version";
    rd.write.emplace_back(ch.column, BindValue(d_, by_name_[ch.column], ch.after));
    rd.changes.push_back(std::move(ch));
  }
  if (marked && !db_deprecated && !deprecating_by_data && active_col_) {
    // Explicit deprecation of a code the package still lists.
    if (rd.changes.empty()) {
      DeprecateRow(key_text, rd.key_values, db_active, span);
      return Status::Ok();
    }
    rd.changes.push_back({t_.active_column, db_active, std::string("false")});
    rd.write.emplace_back(t_.active_column, BindValue(d_, active_col_, std::string("false")));
    deprecating_by_data = true;
  }
  if (rd.changes.empty()) {
    plan_.unchanged++;
    return Status::Ok();
  }
  if (deprecating_by_data) {
    rd.action = RowAction::kDeprecate;
    if (rd.note.empty()) rd.note = "deprecated";
    plan_.deprecates++;
  } else {
    rd.action = RowAction::kUpdate;
    if (reactivating) rd.note = "reactivated";
    plan_.updates++;
  }
  plan_.rows.push_back(std::move(rd));
  return Status::Ok();
}

Status TablePlanner::RefuseMeaningChange(const std::string& key_text, const std::string& code,
                                         const SourceSpan& span,
                                         const std::vector<ColumnChange>& meaning) {
  STRATA_ASSIGN_OR_RETURN(auto uses, CountUses(conn_, t_, code));
  std::string used = UsesText(uses);
  std::string what;
  for (const auto& m : meaning) {
    what += fmt::format("{}{} {} → {}", what.empty() ? "" : "; ", m.column, Show(m.before),
                        Show(m.after));
  }
  if (dated_) {
    AddViolation(
        kRuleVersionImmutable, key_text, span,
        fmt::format("version {} of `{}` in {} would be overwritten ({}){}", key_text, code, t_.name,
                    what, used.empty() ? "" : fmt::format("; it is used by {}", used)),
        fmt::format("effective-dated rows are never overwritten: add a new version with a "
                    "later {} and close this one{}",
                    t_.effective_from_column,
                    t_.effective_to_column.empty()
                        ? ""
                        : fmt::format(" by setting its {}", t_.effective_to_column)));
  } else {
    AddViolation(
        kRuleMeaningChange, key_text, span,
        fmt::format("the meaning of `{}` in {} would change ({}){}", key_text, t_.name, what,
                    used.empty() ? "" : fmt::format("; it is used by {}", used)),
        fmt::format("never change an old code's meaning: keep `{}` as it is, add a new code "
                    "with the new meaning and mark [tables.supersede] {} = \"<NEW_CODE>\"",
                    key_text, code));
  }
  return Status::Ok();
}

Status TablePlanner::PlanDbOnlyRow(const std::string& key_text, DbRow& dr) {
  const size_t nk = t_.key.size();
  std::string code = CodeOf(key_text);
  std::vector<std::pair<std::string, std::string>> kv;
  for (size_t i = 0; i < nk; ++i) kv.emplace_back(t_.key[i], dr.key[i].value_or(""));
  SourceSpan span{p_.manifest_path, t_.manifest_line, 0};
  bool deprecated = active_col_ && IsFalse(dr.active);
  if (Marked(code, key_text)) {
    if (!deprecated) DeprecateRow(key_text, kv, dr.active, span);
    return Status::Ok();
  }
  if (p_.mode != SeedMode::kSync) return Status::Ok();  // not the package's business
  if (protect_) {
    if (deprecated) return Status::Ok();  // a deprecated code stays, so history keeps its meaning
    STRATA_ASSIGN_OR_RETURN(auto uses, CountUses(conn_, t_, code));
    std::string used = UsesText(uses);
    AddViolation(
        kRuleCodeDeletion, key_text, span,
        fmt::format("sync would delete `{}` from {}, which the package no longer lists{}", key_text,
                    t_.name, used.empty() ? "" : fmt::format("; it is used by {}", used)),
        active_col_ ? fmt::format("codes are deprecated, never deleted: add deprecate = "
                                  "[\"{}\"] (or a supersede entry) to the manifest, or put "
                                  "the row back",
                                  code)
                    : fmt::format("put `{}` back in the data file: codes are never deleted "
                                  "(give the table an active_column to deprecate them)",
                                  key_text));
    return Status::Ok();
  }
  STRATA_ASSIGN_OR_RETURN(auto uses, CountUses(conn_, t_, code));
  if (TotalUses(uses) > 0) {
    AddViolation(kRuleSyncReferenced, key_text, span,
                 fmt::format("sync would delete `{}` from {}, but it is still referenced by {}",
                             key_text, t_.name, UsesText(uses)),
                 "remove the referencing rows first, or put the row back in the package");
    return Status::Ok();
  }
  RowDiff rd;
  rd.action = RowAction::kDelete;
  rd.table = t_.name;
  rd.key = key_text;
  rd.span = span;
  rd.key_values = std::move(kv);
  rd.note = "not in the package (sync)";
  plan_.deletes++;
  plan_.rows.push_back(std::move(rd));
  return Status::Ok();
}

}  // namespace

Status PlanTable(db::Connection& conn, const Package& p, const TableSpec& t, PackagePlan& plan) {
  return TablePlanner(conn, p, t, plan).Run();
}

}  // namespace strata::seed
