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

Status PlanTable(db::Connection& conn, const Package& p, const TableSpec& t, PackagePlan& plan) {
  const db::Dialect d = conn.dialect();
  const std::string csv_path = p.rel_dir + "/" + t.data_file;
  STRATA_ASSIGN_OR_RETURN(auto cols, TableColumns(conn, t.name));
  if (cols.empty()) {
    return Status(
               ErrorCode::kValidation,
               fmt::format("package `{}` targets table `{}`, which does not exist", p.id, t.name))
        .WithSpan({p.manifest_path, t.manifest_line, 0})
        .WithHint(
            "run `strata migrate` first (set [compatibility] min_schema_version to the "
            "migration that creates it)");
  }
  std::map<std::string, const ColumnInfo*> by_name;
  for (const auto& c : cols) by_name[c.name] = &c;
  // A named column must exist; `where` is the CSV header or the manifest's [[tables]] entry.
  auto need = [&](const std::string& col, SourceSpan where, std::string_view what) -> Status {
    if (col.empty() || by_name.count(col)) return Status::Ok();
    return Status(ErrorCode::kValidation,
                  fmt::format("{} `{}` is not a column of table `{}`", what, col, t.name))
        .WithSpan(std::move(where))
        .WithHint("fix the name, or add the column with a migration first");
  };
  const SourceSpan header{csv_path, 1, 0}, entry{p.manifest_path, t.manifest_line, 0};
  for (const auto& h : t.data.header) STRATA_TRY(need(h, header, "data column"));
  STRATA_TRY(need(t.active_column, entry, "active_column"));
  STRATA_TRY(need(t.superseded_by_column, entry, "superseded_by_column"));
  STRATA_TRY(need(t.effective_to_column, entry, "effective_to_column"));
  const ColumnInfo* active_col = t.active_column.empty() ? nullptr : by_name[t.active_column];
  const int active_idx = t.active_column.empty() ? -1 : t.data.IndexOf(t.active_column);

  auto key_where = [&](int first_param) {
    std::string w;
    for (size_t i = 0; i < t.key.size(); ++i) {
      w += fmt::format("{}{} = ${}", i ? " AND " : "", QuoteIdent(t.key[i]),
                       first_param + static_cast<int>(i));
    }
    return w;
  };
  auto cast = [](const std::string& c) { return fmt::format("CAST({} AS TEXT)", QuoteIdent(c)); };

  // Every row of the table, by key, to find rows the package no longer has.
  std::string sel_keys;
  for (const auto& k : t.key) sel_keys += cast(k) + ", ";
  sel_keys += active_col ? cast(t.active_column) : std::string("NULL");
  STRATA_ASSIGN_OR_RETURN(
      auto all, conn.Query(fmt::format("SELECT {} FROM {}", sel_keys, QuoteIdent(t.name))));
  std::map<std::string, DbRow> db_rows;
  for (auto& r : all.rows) {
    DbRow dr;
    dr.key.assign(r.begin(), r.begin() + static_cast<long>(t.key.size()));
    dr.active = r.back();
    db_rows.emplace(JoinKey(dr.key), std::move(dr));
  }

  std::set<std::string> deprecate(t.deprecate.begin(), t.deprecate.end());
  for (const auto& [old_code, new_code] : t.supersede) deprecate.insert(old_code);
  std::set<std::string> reactivate(t.reactivate.begin(), t.reactivate.end());
  const bool dated = !t.effective_from_column.empty();
  const bool protect = MeaningProtected(p.cls);

  auto violation = [&](const Rule& r, const std::string& key, SourceSpan span, std::string msg,
                       std::string hint) {
    Violation v;
    v.rule = RuleText(r);
    v.package = p.id;
    v.table = t.name;
    v.key = key;
    v.message = std::move(msg);
    v.hint = std::move(hint);
    v.span = std::move(span);
    plan.violations.push_back(std::move(v));
  };
  auto key_values_of = [&](const CsvRow& row) {
    std::vector<std::pair<std::string, std::string>> kv;
    for (const auto& k : t.key) {
      kv.emplace_back(k, row.fields[static_cast<size_t>(t.data.IndexOf(k))].value_or(""));
    }
    return kv;
  };
  auto deprecate_row = [&](const std::string& key_text,
                           std::vector<std::pair<std::string, std::string>> kv,
                           const std::optional<std::string>& db_active, SourceSpan span) {
    RowDiff rd;
    rd.action = RowAction::kDeprecate;
    rd.table = t.name;
    rd.key = key_text;
    rd.span = std::move(span);
    rd.key_values = std::move(kv);
    rd.changes.push_back({t.active_column, db_active, std::string("false")});
    rd.write.emplace_back(t.active_column, BindValue(d, active_col, std::string("false")));
    std::string code = key_text.substr(0, key_text.find('|'));
    if (auto it = t.supersede.find(code); it != t.supersede.end()) {
      rd.note = fmt::format("superseded by {}", it->second);
      if (!t.superseded_by_column.empty()) {
        rd.changes.push_back({t.superseded_by_column, std::nullopt, it->second});
        rd.write.emplace_back(t.superseded_by_column, it->second);
      }
    } else {
      rd.note = "deprecated";
    }
    plan.deprecates++;
    plan.rows.push_back(std::move(rd));
  };

  // Package rows against the database, one keyed lookup each; comparisons happen in the
  // database so that types (timestamps, numerics, booleans) compare by value, not by text.
  std::string select;
  for (const auto& k : t.key) select += cast(k) + ", ";
  for (size_t c = 0; c < t.data.header.size(); ++c) select += cast(t.data.header[c]) + ", ";
  const int first_col_param = static_cast<int>(t.key.size()) + 1;
  for (size_t c = 0; c < t.data.header.size(); ++c) {
    select += fmt::format(
        "CASE WHEN {} THEN 1 ELSE 0 END{}",
        NullSafeEq(d, QuoteIdent(t.data.header[c]), first_col_param + static_cast<int>(c)),
        c + 1 < t.data.header.size() ? ", " : "");
  }
  std::string lookup =
      fmt::format("SELECT {} FROM {} WHERE {}", select, QuoteIdent(t.name), key_where(1));
  const size_t nk = t.key.size(), nc = t.data.header.size();
  for (const auto& row : t.data.rows) {
    SourceSpan span{csv_path, row.line, 0};
    std::string key_text = t.KeyText(row);
    std::vector<db::Value> params;
    for (const auto& k : t.key) {
      params.push_back(
          BindValue(d, by_name[k], row.fields[static_cast<size_t>(t.data.IndexOf(k))]));
    }
    for (size_t c = 0; c < nc; ++c) {
      params.push_back(BindValue(d, by_name[t.data.header[c]], row.fields[c]));
    }
    auto r = conn.Query(lookup, params);
    if (!r) {
      return Status(r.error().code(), fmt::format("row {} of table `{}` cannot be compared: {}",
                                                  key_text, t.name, r.error().message()))
          .WithSpan(span)
          .WithHint(
              "check the value's type against the column (dates as ISO-8601, booleans "
              "as true/false)");
    }
    if (r->rows.empty()) {
      RowDiff rd;
      rd.action = RowAction::kInsert;
      rd.table = t.name;
      rd.key = key_text;
      rd.span = span;
      rd.key_values = key_values_of(row);
      for (size_t c = 0; c < nc; ++c) {
        rd.changes.push_back({t.data.header[c], std::nullopt, row.fields[c]});
        rd.write.emplace_back(t.data.header[c],
                              BindValue(d, by_name[t.data.header[c]], row.fields[c]));
      }
      plan.inserts++;
      plan.rows.push_back(std::move(rd));
      continue;
    }
    const auto& dbr = r->rows[0];
    std::vector<std::optional<std::string>> db_key(dbr.begin(),
                                                   dbr.begin() + static_cast<long>(nk));
    std::string db_key_text = JoinKey(db_key);
    std::optional<std::string> db_active;
    if (auto it = db_rows.find(db_key_text); it != db_rows.end()) {
      it->second.matched = true;
      db_active = it->second.active;
    }
    const bool db_deprecated = active_col && IsFalse(db_active);
    std::vector<ColumnChange> meaning, other;
    for (size_t c = 0; c < nc; ++c) {
      const auto& eq = dbr[nk + nc + c];
      if (eq && *eq == "1") continue;
      ColumnChange ch{t.data.header[c], dbr[nk + c], row.fields[c]};
      (t.IsMeaningColumn(ch.column) ? meaning : other).push_back(std::move(ch));
    }
    std::string code = key_text.substr(0, key_text.find('|'));
    const bool marked = deprecate.count(code) > 0 || deprecate.count(key_text) > 0;
    // Reusing a deprecated code: the database says inactive, the package says active.
    bool reactivating = false;
    if (db_deprecated && !marked && active_idx >= 0 &&
        !IsFalse(row.fields[static_cast<size_t>(active_idx)])) {
      reactivating = true;
      if (!reactivate.count(code) && !reactivate.count(key_text)) {
        violation(kRuleDeprecatedReuse, key_text, span,
                  fmt::format("`{}` in {} was deprecated; the package makes it active again",
                              key_text, t.name),
                  "a deprecated code is never reused: add a new code instead (or list it in "
                  "reactivate if its meaning is exactly the old one)");
      }
    }
    if (p.mode == SeedMode::kInsertOnly) {
      if (!meaning.empty() || !other.empty()) {
        RowDiff rd;
        rd.action = RowAction::kDrift;
        rd.table = t.name;
        rd.key = key_text;
        rd.span = span;
        rd.changes = meaning;
        rd.changes.insert(rd.changes.end(), other.begin(), other.end());
        rd.note = "insert-only: existing rows are never changed";
        plan.drift++;
        plan.rows.push_back(std::move(rd));
      } else {
        plan.unchanged++;
      }
      continue;
    }
    // The package is byte for byte what was last applied, so a difference was made in the
    // database (a hand edit), not by the package: drift, counted and restorable, never a
    // meaning change blamed on the package.
    if ((!meaning.empty() || (protect && !other.empty())) && !plan.applied_checksum.empty() &&
        plan.applied_checksum == plan.checksum) {
      RowDiff rd;
      rd.action = RowAction::kDrift;
      rd.table = t.name;
      rd.key = key_text;
      rd.span = span;
      rd.restorable = true;
      for (size_t i = 0; i < nk; ++i) rd.key_values.emplace_back(t.key[i], db_key[i].value_or(""));
      rd.changes = meaning;
      rd.changes.insert(rd.changes.end(), other.begin(), other.end());
      for (const auto& ch : rd.changes) {
        rd.write.emplace_back(ch.column, BindValue(d, by_name[ch.column], ch.after));
      }
      rd.note =
          "edited in the database after the package was applied; `strata seed apply "
          "--restore` puts the package's values back";
      plan.drift++;
      plan.rows.push_back(std::move(rd));
      continue;
    }
    if (!meaning.empty() && protect) {
      STRATA_ASSIGN_OR_RETURN(auto uses, CountUses(conn, t, code));
      std::string used = UsesText(uses);
      std::string what;
      for (const auto& m : meaning) {
        what += fmt::format("{}{} {} → {}", what.empty() ? "" : "; ", m.column, Show(m.before),
                            Show(m.after));
      }
      if (dated) {
        violation(
            kRuleVersionImmutable, key_text, span,
            fmt::format("version {} of `{}` in {} would be overwritten ({}){}", key_text, code,
                        t.name, what, used.empty() ? "" : fmt::format("; it is used by {}", used)),
            fmt::format("effective-dated rows are never overwritten: add a new version with a "
                        "later {} and close this one{}",
                        t.effective_from_column,
                        t.effective_to_column.empty()
                            ? ""
                            : fmt::format(" by setting its {}", t.effective_to_column)));
      } else {
        violation(
            kRuleMeaningChange, key_text, span,
            fmt::format("the meaning of `{}` in {} would change ({}){}", key_text, t.name, what,
                        used.empty() ? "" : fmt::format("; it is used by {}", used)),
            fmt::format("never change an old code's meaning: keep `{}` as it is, add a new code "
                        "with the new meaning and mark [tables.supersede] {} = \"<NEW_CODE>\"",
                        key_text, code));
      }
      continue;
    }
    // Non-meaning columns: the active flag, superseded_by, effective_to (closing a version).
    RowDiff rd;
    rd.table = t.name;
    rd.key = key_text;
    rd.span = span;
    for (size_t i = 0; i < nk; ++i) rd.key_values.emplace_back(t.key[i], db_key[i].value_or(""));
    bool deprecating_by_data = false;
    std::vector<ColumnChange> candidates = other;
    if (!protect) candidates.insert(candidates.begin(), meaning.begin(), meaning.end());
    for (auto& ch : candidates) {
      if (marked && ch.column == t.active_column) continue;  // the mark decides
      if (protect && ch.column == t.effective_to_column && dated && ch.before) {
        violation(kRuleVersionImmutable, key_text, span,
                  fmt::format("version {} of `{}` already closes at {}; the package moves it to {}",
                              key_text, code, *ch.before, Show(ch.after)),
                  "a closed version keeps its window: start a new version instead");
        continue;
      }
      if (protect && ch.column == t.active_column && IsFalse(ch.after) && !db_deprecated) {
        deprecating_by_data = true;
      }
      if (ch.column == t.effective_to_column && !ch.before) rd.note = "closes version";
      rd.write.emplace_back(ch.column, BindValue(d, by_name[ch.column], ch.after));
      rd.changes.push_back(std::move(ch));
    }
    if (marked && !db_deprecated && !deprecating_by_data && active_col) {
      // Explicit deprecation of a code the package still lists.
      if (rd.changes.empty()) {
        deprecate_row(key_text, rd.key_values, db_active, span);
        continue;
      }
      rd.changes.push_back({t.active_column, db_active, std::string("false")});
      rd.write.emplace_back(t.active_column, BindValue(d, active_col, std::string("false")));
      deprecating_by_data = true;
    }
    if (rd.changes.empty()) {
      plan.unchanged++;
      continue;
    }
    if (deprecating_by_data) {
      rd.action = RowAction::kDeprecate;
      if (rd.note.empty()) rd.note = "deprecated";
      plan.deprecates++;
    } else {
      rd.action = RowAction::kUpdate;
      if (reactivating) rd.note = "reactivated";
      plan.updates++;
    }
    plan.rows.push_back(std::move(rd));
  }

  // Rows only in the database.
  for (auto& [key_text, dr] : db_rows) {
    if (dr.matched) continue;
    std::string code = key_text.substr(0, key_text.find('|'));
    std::vector<std::pair<std::string, std::string>> kv;
    for (size_t i = 0; i < nk; ++i) kv.emplace_back(t.key[i], dr.key[i].value_or(""));
    SourceSpan span{p.manifest_path, t.manifest_line, 0};
    bool deprecated = active_col && IsFalse(dr.active);
    bool marked = deprecate.count(code) > 0 || deprecate.count(key_text) > 0;
    if (marked) {
      if (!deprecated) deprecate_row(key_text, kv, dr.active, span);
      continue;
    }
    if (p.mode != SeedMode::kSync) continue;  // not the package's business
    if (protect) {
      if (deprecated) continue;  // a deprecated code stays, so history keeps its meaning
      STRATA_ASSIGN_OR_RETURN(auto uses, CountUses(conn, t, code));
      std::string used = UsesText(uses);
      violation(kRuleCodeDeletion, key_text, span,
                fmt::format("sync would delete `{}` from {}, which the package no longer lists{}",
                            key_text, t.name,
                            used.empty() ? "" : fmt::format("; it is used by {}", used)),
                active_col ? fmt::format("codes are deprecated, never deleted: add deprecate = "
                                         "[\"{}\"] (or a supersede entry) to the manifest, or put "
                                         "the row back",
                                         code)
                           : fmt::format("put `{}` back in the data file: codes are never deleted "
                                         "(give the table an active_column to deprecate them)",
                                         key_text));
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(auto uses, CountUses(conn, t, code));
    if (TotalUses(uses) > 0) {
      violation(kRuleSyncReferenced, key_text, span,
                fmt::format("sync would delete `{}` from {}, but it is still referenced by {}",
                            key_text, t.name, UsesText(uses)),
                "remove the referencing rows first, or put the row back in the package");
      continue;
    }
    RowDiff rd;
    rd.action = RowAction::kDelete;
    rd.table = t.name;
    rd.key = key_text;
    rd.span = span;
    rd.key_values = std::move(kv);
    rd.note = "not in the package (sync)";
    plan.deletes++;
    plan.rows.push_back(std::move(rd));
  }
  return Status::Ok();
}

}  // namespace strata::seed
