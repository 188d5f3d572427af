#include "analysis/facts.h"

#include "analysis/model.h"

#include <algorithm>
#include <array>

namespace strata::analysis {

std::string_view LockModeName(LockMode m) {
  switch (m) {
    case LockMode::kNone:
      return "";
    case LockMode::kAccessShare:
      return "ACCESS SHARE";
    case LockMode::kRowShare:
      return "ROW SHARE";
    case LockMode::kRowExclusive:
      return "ROW EXCLUSIVE";
    case LockMode::kShareUpdateExclusive:
      return "SHARE UPDATE EXCLUSIVE";
    case LockMode::kShare:
      return "SHARE";
    case LockMode::kShareRowExclusive:
      return "SHARE ROW EXCLUSIVE";
    case LockMode::kExclusive:
      return "EXCLUSIVE";
    case LockMode::kAccessExclusive:
      return "ACCESS EXCLUSIVE";
  }
  return "";
}

bool BlocksReads(LockMode m) { return m == LockMode::kAccessExclusive; }
bool BlocksWrites(LockMode m) { return m >= LockMode::kShare; }

std::string_view StatementKindName(StatementKind k) {
  static constexpr std::array<std::string_view, 38> kNames = {"other",
                                                              "create-table",
                                                              "create-table-as",
                                                              "alter-table",
                                                              "create-index",
                                                              "drop-index",
                                                              "drop-table",
                                                              "drop",
                                                              "rename",
                                                              "truncate",
                                                              "insert",
                                                              "update",
                                                              "delete",
                                                              "select",
                                                              "copy",
                                                              "vacuum",
                                                              "cluster",
                                                              "reindex",
                                                              "refresh-matview",
                                                              "lock",
                                                              "set",
                                                              "transaction",
                                                              "create-function",
                                                              "do",
                                                              "create-view",
                                                              "create-trigger",
                                                              "grant",
                                                              "role",
                                                              "create-type",
                                                              "alter-enum",
                                                              "create-domain",
                                                              "alter-domain",
                                                              "create-schema",
                                                              "create-extension",
                                                              "comment",
                                                              "sequence",
                                                              "call",
                                                              "parse-error"};
  auto i = static_cast<size_t>(k);
  return i < kNames.size() ? kNames[i] : "other";
}

JsonRef IntoRel(JsonRef into) {
  if (JsonRef wrapped = into.Get("IntoClause")) return wrapped.Get("rel");
  return into.Get("rel");
}

std::string TableRef::Key() const {
  if (schema.empty() || schema == "public") return name;
  return schema + "." + name;
}

std::string TableRef::Display() const { return schema.empty() ? name : schema + "." + name; }

TableRef TableRefFromRangeVar(JsonRef rv) {
  TableRef t;
  t.schema = std::string(rv.Get("schemaname").Str());
  t.name = std::string(rv.Get("relname").Str());
  return t;
}

TableRef DropObject(JsonRef body, size_t i) {
  TableRef t;
  JsonRef obj = body.Get("objects").At(i);
  JsonRef list = obj.Get("List").Get("items");
  if (!list) list = obj.Get("List");
  size_t n = list.size();
  if (n >= 1) t.name = std::string(list.At(n - 1).Get("String").Get("sval").Str());
  if (n >= 2) t.schema = std::string(list.At(n - 2).Get("String").Get("sval").Str());
  return t;
}

std::string_view TypeNameLast(JsonRef tn) {
  JsonRef names = tn.Get("names");
  if (names.size() == 0) return {};
  return names.At(names.size() - 1).Get("String").Get("sval").Str();
}

std::vector<std::int64_t> TypeMods(JsonRef tn) {
  std::vector<std::int64_t> out;
  JsonRef mods = tn.Get("typmods");
  for (size_t i = 0; i < mods.size(); ++i) {
    JsonRef c = mods.At(i).Get("A_Const");
    if (c) out.push_back(c.Get("ival").Get("ival").Int(0));
  }
  return out;
}

bool TypeIsArray(JsonRef tn) { return tn.Get("arrayBounds").size() > 0; }

std::string DottedName(JsonRef names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!out.empty()) out += '.';
    out += names.At(i).Get("String").Get("sval").Str();
  }
  return out;
}

std::string ConstText(JsonRef node) {
  JsonRef c = node.Get("A_Const");
  if (!c) c = node;
  if (JsonRef s = c.Get("sval")) return std::string(s.Get("sval").Str());
  if (JsonRef i = c.Get("ival")) return std::to_string(i.Get("ival").Int(0));
  if (JsonRef f = c.Get("fval")) return std::string(f.Get("fval").Str());
  if (JsonRef b = c.Get("boolval")) return b.Get("boolval").Bool() ? "true" : "false";
  if (JsonRef s = c.Get("String")) return std::string(s.Get("sval").Str());
  return {};
}

namespace {

// Built-in functions that are STABLE or IMMUTABLE: a default using them is evaluated once
// when the column is added (PG11+), so no rewrite.
constexpr std::string_view kNonVolatileFunctions[] = {"now",
                                                      "current_timestamp",
                                                      "transaction_timestamp",
                                                      "statement_timestamp",
                                                      "current_date",
                                                      "lower",
                                                      "upper",
                                                      "coalesce",
                                                      "concat",
                                                      "length",
                                                      "to_char",
                                                      "to_timestamp",
                                                      "to_date",
                                                      "jsonb_build_object",
                                                      "json_build_object",
                                                      "jsonb_build_array",
                                                      "array",
                                                      "abs",
                                                      "round",
                                                      "make_interval",
                                                      "date_trunc",
                                                      "current_setting",
                                                      "btrim",
                                                      "trim",
                                                      "replace",
                                                      "substr",
                                                      "substring",
                                                      "md5",
                                                      "format",
                                                      "cast",
                                                      "timezone",
                                                      "int4",
                                                      "int8",
                                                      "text",
                                                      "numeric",
                                                      "array_fill",
                                                      "nullif",
                                                      "greatest",
                                                      "least",
                                                      "to_jsonb",
                                                      "to_json"};

bool IsNonVolatileFunction(std::string_view name) {
  for (auto f : kNonVolatileFunctions) {
    if (f == name) return true;
  }
  return false;
}

}  // namespace

bool ExprIsVolatile(JsonRef expr) {
  bool volatile_found = false;
  WalkJson(expr, [&](JsonRef n) {
    if (volatile_found) return false;
    if (JsonRef f = n.As("FuncCall")) {
      JsonRef names = f.Get("funcname");
      std::string_view last = names.At(names.size() - 1).Get("String").Get("sval").Str();
      if (!IsNonVolatileFunction(last)) volatile_found = true;
    } else if (n.NodeType() == "SubLink") {
      volatile_found = true;
    }
    return true;
  });
  return volatile_found;
}

namespace {

void Raise(Facts& f, LockMode m) { f.lock = std::max(f.lock, m); }

// The facts of a column definition being added to an existing table.
void AddColumnFacts(Facts& f, JsonRef col, int pg_version) {
  JsonRef tn = col.Get("typeName");
  std::string_view type = TypeNameLast(tn);
  if (type == "serial" || type == "bigserial" || type == "smallserial" || type == "serial4" ||
      type == "serial8" || type == "serial2") {
    f.rewrite = true;
    f.reasons.push_back("a serial column fills every existing row from a sequence");
  }
  JsonRef cons = col.Get("constraints");
  for (size_t i = 0; i < cons.size(); ++i) {
    JsonRef c = cons.At(i).Get("Constraint");
    std::string_view ct = c.Get("contype").Str();
    if (ct == "CONSTR_DEFAULT") {
      if (pg_version < 11) {
        f.rewrite = true;
        f.reasons.push_back("before PostgreSQL 11 any DEFAULT on a new column rewrites the table");
      } else if (ExprIsVolatile(c.Get("raw_expr"))) {
        f.rewrite = true;
        f.reasons.push_back("a volatile DEFAULT is evaluated for every existing row");
      }
    } else if (ct == "CONSTR_IDENTITY") {
      f.rewrite = true;
      f.reasons.push_back("an identity column fills every existing row");
    } else if (ct == "CONSTR_GENERATED") {
      f.rewrite = true;
      f.reasons.push_back("a STORED generated column computes every existing row");
    } else if (ct == "CONSTR_PRIMARY" || ct == "CONSTR_UNIQUE") {
      f.scan = true;
      f.reasons.push_back("builds an index over every row");
    } else if (ct == "CONSTR_CHECK") {
      f.scan = true;
      f.reasons.push_back("a CHECK on the new column is verified against every row");
    } else if (ct == "CONSTR_FOREIGN") {
      f.other_locks.push_back(
          {TableRefFromRangeVar(c.Get("pktable")), LockMode::kShareRowExclusive});
    }
  }
}

// Whether ALTER COLUMN TYPE from `old` to the new TypeName avoids a rewrite (binary coercible
// or a widening PostgreSQL knows to skip). `old` may be null (unknown existing column).
bool TypeChangeIsSafe(const ColumnInfo* old, JsonRef tn, JsonRef using_expr) {
  if (!old || using_expr) return false;
  std::string_view to = TypeNameLast(tn);
  auto mods = TypeMods(tn);
  const std::string& from = old->type;
  // The type the column already has (a history that restates it): PostgreSQL keeps the data.
  if (from == to && mods == old->mods) return true;
  auto is_varchar = [](std::string_view t) { return t == "varchar"; };
  if ((is_varchar(from) || from == "text") && to == "text") return true;
  if (is_varchar(from) && is_varchar(to)) {
    if (mods.empty()) return true;
    return !old->mods.empty() && mods[0] >= old->mods[0];
  }
  if (from == "text" && is_varchar(to) && mods.empty()) return true;
  if (from == "numeric" && to == "numeric") {
    if (mods.empty()) return true;
    if (old->mods.empty()) return false;
    std::int64_t old_scale = old->mods.size() > 1 ? old->mods[1] : 0;
    std::int64_t new_scale = mods.size() > 1 ? mods[1] : 0;
    return mods[0] >= old->mods[0] && new_scale == old_scale;
  }
  if ((from == "varbit") && to == "varbit") {
    return mods.empty() || (!old->mods.empty() && mods[0] >= old->mods[0]);
  }
  if (from == "cidr" && to == "inet") return true;
  return false;
}

// Removing a foreign key removes its RI triggers from the table at its other end, which takes
// ACCESS EXCLUSIVE there (PostgreSQL 15: RemoveTriggerById; ATExecDropConstraint locks the
// referenced table "to match"). A statement drops one when it drops the constraint, a column or
// table it is on, and re-creates it when it changes the type of one of its columns. `matches`
// picks the foreign keys among those with one of `tables` (default: `f.target`) at either end
// (`child_side`: the statement is on the referencing table, so the referenced one is locked;
// else the other way round).
template <typename Pred>
void LockOtherEndOfForeignKeys(Facts& f, const SchemaModel& model, bool child_side, Pred matches,
                               const std::vector<TableRef>* tables = nullptr) {
  std::vector<const ForeignKey*> fks;
  if (!tables) {
    fks = model.ForeignKeysOf(f.target);
  } else {
    for (const TableRef& t : *tables) {
      auto more = model.ForeignKeysOf(t);
      fks.insert(fks.end(), more.begin(), more.end());
    }
    // In the model's order, each once (pointers into one vector order as their positions).
    std::sort(fks.begin(), fks.end());
    fks.erase(std::unique(fks.begin(), fks.end()), fks.end());
  }
  for (const ForeignKey* fkp : fks) {
    const ForeignKey& fk = *fkp;
    if (!matches(fk)) continue;
    const TableRef& other = child_side ? fk.parent : fk.child;
    if (other.Key() == (child_side ? fk.child : fk.parent).Key()) continue;  // self-reference
    f.other_locks.push_back({other, LockMode::kAccessExclusive});
  }
}

bool Contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Whether `column` of `table` is referenced by `fk` (its referenced columns, or the primary key
// of `table` when the foreign key names none).
bool References(const SchemaModel& model, const ForeignKey& fk, const TableRef& table,
                std::string_view column) {
  if (fk.parent.Key() != table.Key()) return false;
  if (!fk.ref_columns.empty()) return Contains(fk.ref_columns, column);
  if (const auto* ix = model.Indexes(table)) {
    for (const auto& k : ix->indexes) {
      if (k.primary) return Contains(k.columns, column);
    }
  }
  return false;
}

// One entry per other table, with the strongest mode the statement takes there (a statement that
// drops and re-adds a foreign key takes ACCESS EXCLUSIVE, not SHARE ROW EXCLUSIVE); none on the
// target itself (a self-reference), whose lock is `lock` already.
void MergeOtherLocks(Facts& f) {
  std::vector<OtherLock> merged;
  for (auto& o : f.other_locks) {
    if (o.table.empty() || o.table.Key() == f.target.Key()) continue;
    auto same = std::find_if(merged.begin(), merged.end(),
                             [&](const OtherLock& m) { return m.table.Key() == o.table.Key(); });
    if (same == merged.end()) {
      merged.push_back(std::move(o));
    } else {
      same->mode = std::max(same->mode, o.mode);
    }
  }
  f.other_locks = std::move(merged);
}

void AlterTableFacts(Facts& f, JsonRef body, const SchemaModel& model, int pg_version) {
  f.kind = StatementKind::kAlterTable;
  f.ddl = true;
  f.target = TableRefFromRangeVar(body.Get("relation"));
  JsonRef cmds = body.Get("cmds");
  for (size_t i = 0; i < cmds.size(); ++i) {
    JsonRef cmd = cmds.At(i).Get("AlterTableCmd");
    std::string_view sub = cmd.Get("subtype").Str();
    JsonRef def = cmd.Get("def");
    if (sub == "AT_AddColumn") {
      Raise(f, LockMode::kAccessExclusive);
      AddColumnFacts(f, def.Get("ColumnDef"), pg_version);
    } else if (sub == "AT_AddConstraint") {
      JsonRef c = def.Get("Constraint");
      std::string_view ct = c.Get("contype").Str();
      bool not_valid = c.Get("skip_validation").Bool();
      if (ct == "CONSTR_FOREIGN") {
        Raise(f, LockMode::kShareRowExclusive);
        f.other_locks.push_back(
            {TableRefFromRangeVar(c.Get("pktable")), LockMode::kShareRowExclusive});
        if (!not_valid) {
          f.scan = true;
          f.reasons.push_back("a validated FOREIGN KEY checks every existing row");
        }
      } else {
        Raise(f, LockMode::kAccessExclusive);
        if (ct == "CONSTR_CHECK" && !not_valid) {
          f.scan = true;
          f.reasons.push_back("a validated CHECK reads every existing row");
        } else if ((ct == "CONSTR_PRIMARY" || ct == "CONSTR_UNIQUE" || ct == "CONSTR_EXCLUSION") &&
                   c.Get("indexname").Str().empty()) {
          f.scan = true;
          f.reasons.push_back("builds an index over every row");
        } else if (ct == "CONSTR_PRIMARY") {
          // USING INDEX: the index exists; PRIMARY KEY still sets NOT NULL on its columns,
          // which scans unless every one is already proven NOT NULL.
          const auto* cols = model.IndexColumns(std::string(c.Get("indexname").Str()));
          if (!cols || !model.ColumnsNotNull(f.target, *cols, pg_version)) {
            f.scan = true;
            f.reasons.push_back("PRIMARY KEY sets NOT NULL on its columns, which scans the table");
          }
        }
      }
    } else if (sub == "AT_ValidateConstraint") {
      Raise(f, LockMode::kShareUpdateExclusive);
      f.scan = true;
      f.reasons.push_back("VALIDATE CONSTRAINT reads every row (without blocking writes)");
    } else if (sub == "AT_SetNotNull") {
      Raise(f, LockMode::kAccessExclusive);
      std::string col(cmd.Get("name").Str());
      if (!(pg_version >= 12 && model.HasValidNotNullCheck(f.target, col))) {
        f.scan = true;
        f.reasons.push_back("SET NOT NULL reads every row to prove there is no NULL");
      }
    } else if (sub == "AT_DropConstraint") {
      Raise(f, LockMode::kAccessExclusive);
      std::string_view name = cmd.Get("name").Str();
      LockOtherEndOfForeignKeys(f, model, true, [&](const ForeignKey& fk) {
        return fk.name == name && fk.child.Key() == f.target.Key();
      });
    } else if (sub == "AT_DropColumn") {
      Raise(f, LockMode::kAccessExclusive);
      std::string_view col = cmd.Get("name").Str();
      LockOtherEndOfForeignKeys(f, model, true, [&](const ForeignKey& fk) {
        return fk.child.Key() == f.target.Key() && Contains(fk.columns, col);
      });
      if (cmd.Get("behavior").Str() == "DROP_CASCADE") {
        LockOtherEndOfForeignKeys(f, model, false, [&](const ForeignKey& fk) {
          return References(model, fk, f.target, col);
        });
      }
    } else if (sub == "AT_AlterColumnType") {
      Raise(f, LockMode::kAccessExclusive);
      // The foreign keys on the column, either end, are dropped and re-created.
      std::string_view col = cmd.Get("name").Str();
      LockOtherEndOfForeignKeys(f, model, true, [&](const ForeignKey& fk) {
        return fk.child.Key() == f.target.Key() && Contains(fk.columns, col);
      });
      LockOtherEndOfForeignKeys(f, model, false, [&](const ForeignKey& fk) {
        return References(model, fk, f.target, col);
      });
      JsonRef cd = def.Get("ColumnDef");
      const ColumnInfo* old = model.Column(f.target, std::string(cmd.Get("name").Str()));
      if (!TypeChangeIsSafe(old, cd.Get("typeName"), cd.Get("raw_default"))) {
        f.rewrite = true;
        f.reasons.push_back("changing the column type rewrites the table and its indexes");
      }
    } else if (sub == "AT_SetLogged" || sub == "AT_SetUnLogged" || sub == "AT_SetTableSpace" ||
               sub == "AT_SetAccessMethod") {
      Raise(f, LockMode::kAccessExclusive);
      f.rewrite = true;
      f.reasons.push_back("copies the whole table");
    } else if (sub == "AT_AttachPartition") {
      Raise(f, pg_version >= 12 ? LockMode::kShareUpdateExclusive : LockMode::kAccessExclusive);
      f.scan = true;
      f.reasons.push_back("ATTACH PARTITION scans the partition unless a matching CHECK exists");
    } else if (sub == "AT_DetachPartition") {
      bool conc = def.Get("PartitionCmd").Get("concurrent").Bool();
      f.concurrent = f.concurrent || conc;
      Raise(f, conc ? LockMode::kShareUpdateExclusive : LockMode::kAccessExclusive);
    } else if (sub == "AT_SetStatistics" || sub == "AT_SetOptions" || sub == "AT_ResetOptions" ||
               sub == "AT_ClusterOn" || sub == "AT_DropCluster" || sub == "AT_SetRelOptions" ||
               sub == "AT_ResetRelOptions") {
      Raise(f, LockMode::kShareUpdateExclusive);
    } else if (sub == "AT_EnableTrig" || sub == "AT_DisableTrig" || sub == "AT_EnableTrigAll" ||
               sub == "AT_DisableTrigAll" || sub == "AT_EnableTrigUser" ||
               sub == "AT_DisableTrigUser" || sub == "AT_EnableAlwaysTrig" ||
               sub == "AT_EnableReplicaTrig") {
      Raise(f, LockMode::kShareRowExclusive);
    } else {
      Raise(f, LockMode::kAccessExclusive);
    }
  }
  if (body.Get("objtype").Str() == "OBJECT_INDEX" && f.lock == LockMode::kAccessExclusive) {
    // ALTER INDEX ... mostly SHARE UPDATE EXCLUSIVE (SET, ATTACH PARTITION).
    f.lock = LockMode::kShareUpdateExclusive;
  }
}

bool DropHasTargets(JsonRef body) { return body.Get("objects").size() > 0; }

// CREATE TABLE: no lock anyone else sees (the table is new); SHARE ROW EXCLUSIVE on each table
// its foreign keys reference, ACCESS EXCLUSIVE on the parent it is a partition of.
void CreateTableFacts(Facts& f, JsonRef b) {
  f.kind = StatementKind::kCreateTable;
  f.ddl = true;
  f.target = TableRefFromRangeVar(b.Get("relation"));
  JsonRef inh = b.Get("inhRelations");
  if (b.Get("partbound") && inh.size() > 0) {
    f.other_locks.push_back(
        {TableRefFromRangeVar(inh.At(0).Get("RangeVar")), LockMode::kAccessExclusive});
  }
  JsonRef elts = b.Get("tableElts");
  for (size_t i = 0; i < elts.size(); ++i) {
    JsonRef cons = elts.At(i).Get("ColumnDef").Get("constraints");
    JsonRef tc = elts.At(i).Get("Constraint");
    for (size_t j = 0; j <= cons.size(); ++j) {
      JsonRef c = j < cons.size() ? cons.At(j).Get("Constraint") : tc;
      if (j == cons.size()) tc = JsonRef();
      if (c && c.Get("contype").Str() == "CONSTR_FOREIGN") {
        f.other_locks.push_back(
            {TableRefFromRangeVar(c.Get("pktable")), LockMode::kShareRowExclusive});
      }
    }
  }
}

void IndexFacts(Facts& f, JsonRef b) {
  f.kind = StatementKind::kCreateIndex;
  f.ddl = true;
  f.target = TableRefFromRangeVar(b.Get("relation"));
  f.concurrent = b.Get("concurrent").Bool();
  f.lock = f.concurrent ? LockMode::kShareUpdateExclusive : LockMode::kShare;
  f.scan = true;
  f.reasons.push_back(f.concurrent ? "builds the index with two scans, without blocking writes"
                                   : "builds the index while blocking writes");
}

// DROP of a table, index, view, trigger, rule, policy or another object.
void DropFacts(Facts& f, JsonRef b, const SchemaModel& model) {
  std::string_view rt = b.Get("removeType").Str();
  f.ddl = true;
  if (DropHasTargets(b)) f.target = DropObject(b, 0);
  if (rt == "OBJECT_INDEX") {
    f.kind = StatementKind::kDropIndex;
    f.concurrent = b.Get("concurrent").Bool();
    f.lock = f.concurrent ? LockMode::kShareUpdateExclusive : LockMode::kAccessExclusive;
    if (const TableRef* owner = model.IndexTable(f.target.Key())) {
      f.target = *owner;
    } else {
      f.target_is_index = true;
    }
  } else if (rt == "OBJECT_TABLE" || rt == "OBJECT_MATVIEW" || rt == "OBJECT_VIEW" ||
             rt == "OBJECT_FOREIGN_TABLE") {
    f.kind = rt == "OBJECT_TABLE" ? StatementKind::kDropTable : StatementKind::kDropOther;
    f.lock = LockMode::kAccessExclusive;
    if (rt == "OBJECT_TABLE") {
      // The foreign keys of the dropped tables go with them (ACCESS EXCLUSIVE on the tables
      // they reference); with CASCADE, so do the ones referencing them.
      std::vector<std::string> dropped;
      std::vector<TableRef> dropped_refs;
      for (size_t i = 0; i < b.Get("objects").size(); ++i) {
        TableRef d = DropObject(b, i);
        dropped.push_back(d.Key());
        dropped_refs.push_back(d);
        if (i > 0) f.other_locks.push_back({d, LockMode::kAccessExclusive});
      }
      LockOtherEndOfForeignKeys(
          f, model, true,
          [&](const ForeignKey& fk) {
            return Contains(dropped, fk.child.Key()) && !Contains(dropped, fk.parent.Key());
          },
          &dropped_refs);
      if (b.Get("behavior").Str() == "DROP_CASCADE") {
        LockOtherEndOfForeignKeys(
            f, model, false,
            [&](const ForeignKey& fk) {
              return Contains(dropped, fk.parent.Key()) && !Contains(dropped, fk.child.Key());
            },
            &dropped_refs);
      }
    }
  } else if (rt == "OBJECT_TRIGGER" || rt == "OBJECT_RULE" || rt == "OBJECT_POLICY") {
    f.kind = StatementKind::kDropOther;
    f.lock = LockMode::kAccessExclusive;
    // objects: [table..., trigger]; the table is all but the last name.
    JsonRef list = b.Get("objects").At(0).Get("List").Get("items");
    size_t n = list.size();
    TableRef tr;
    if (n >= 2) tr.name = std::string(list.At(n - 2).Get("String").Get("sval").Str());
    if (n >= 3) tr.schema = std::string(list.At(n - 3).Get("String").Get("sval").Str());
    f.target = tr;
  } else {
    f.kind = StatementKind::kDropOther;
    f.target = TableRef();
  }
}

void RenameFacts(Facts& f, JsonRef b) {
  f.kind = StatementKind::kRename;
  f.ddl = true;
  if (JsonRef rel = b.Get("relation")) f.target = TableRefFromRangeVar(rel);
  std::string_view rt = b.Get("renameType").Str();
  if (rt == "OBJECT_SCHEMA" || rt == "OBJECT_TYPE" || rt == "OBJECT_DOMAIN" ||
      rt == "OBJECT_FUNCTION" || rt == "OBJECT_ROLE") {
    f.lock = LockMode::kNone;
  } else {
    f.lock = rt == "OBJECT_INDEX" ? LockMode::kShareUpdateExclusive : LockMode::kAccessExclusive;
  }
}

// TRUNCATE, INSERT, UPDATE, DELETE, SELECT (and SELECT INTO), COPY; false for other statements.
bool DataFacts(Facts& f, std::string_view t, JsonRef b, const SchemaModel& model) {
  if (t == "TruncateStmt") {
    f.kind = StatementKind::kTruncate;
    f.dml = true;
    f.lock = LockMode::kAccessExclusive;
    JsonRef rels = b.Get("relations");
    if (rels.size() > 0) f.target = TableRefFromRangeVar(rels.At(0).Get("RangeVar"));
  } else if (t == "InsertStmt") {
    f.kind = StatementKind::kInsert;
    f.dml = true;
    f.lock = LockMode::kRowExclusive;
    f.target = TableRefFromRangeVar(b.Get("relation"));
  } else if (t == "UpdateStmt" || t == "DeleteStmt") {
    f.kind = t == "UpdateStmt" ? StatementKind::kUpdate : StatementKind::kDelete;
    f.dml = true;
    f.lock = LockMode::kRowExclusive;
    f.target = TableRefFromRangeVar(b.Get("relation"));
    f.unbounded_dml = !b.Get("whereClause");
    if (f.unbounded_dml) {
      f.scan = true;
      f.reasons.push_back("touches every row of the table in one transaction");
    }
  } else if (t == "SelectStmt") {
    f.kind = StatementKind::kSelect;
    if (JsonRef into = b.Get("intoClause")) {
      // SELECT ... INTO t creates t, like CREATE TABLE t AS.
      f.kind = StatementKind::kCreateTableAs;
      f.ddl = true;
      f.target = TableRefFromRangeVar(IntoRel(into));
    } else {
      JsonRef from = b.Get("fromClause");
      for (size_t i = 0; i < from.size() && !f.reads_existing; ++i) {
        JsonRef rv = from.At(i).Get("RangeVar");
        if (rv && !model.IsNew(TableRefFromRangeVar(rv))) f.reads_existing = true;
      }
    }
  } else if (t == "CopyStmt") {
    f.kind = StatementKind::kCopy;
    f.dml = b.Get("is_from").Bool();
    if (JsonRef rel = b.Get("relation")) f.target = TableRefFromRangeVar(rel);
    f.lock = f.dml ? LockMode::kRowExclusive : LockMode::kAccessShare;
  } else {
    return false;
  }
  return true;
}

// VACUUM, CLUSTER, REINDEX, REFRESH MATERIALIZED VIEW, LOCK; false for other statements.
bool MaintenanceFacts(Facts& f, std::string_view t, JsonRef b) {
  if (t == "VacuumStmt") {
    f.kind = StatementKind::kVacuum;
    bool full = false;
    JsonRef opts = b.Get("options");
    for (size_t i = 0; i < opts.size(); ++i) {
      JsonRef d = opts.At(i).Get("DefElem");
      if (d.Get("defname").Str() == "full") {
        JsonRef arg = d.Get("arg");
        std::string v = arg ? ConstText(arg) : "true";
        full = !(v == "false" || v == "0" || v == "off");
      }
    }
    JsonRef rels = b.Get("rels");
    if (rels.size() > 0) {
      f.target = TableRefFromRangeVar(rels.At(0).Get("VacuumRelation").Get("relation"));
    }
    f.lock = full ? LockMode::kAccessExclusive : LockMode::kShareUpdateExclusive;
    if (full) {
      f.rewrite = true;
      f.reasons.push_back("VACUUM FULL writes a new copy of the table");
    }
  } else if (t == "ClusterStmt") {
    f.kind = StatementKind::kCluster;
    if (JsonRef rel = b.Get("relation")) f.target = TableRefFromRangeVar(rel);
    f.lock = LockMode::kAccessExclusive;
    f.rewrite = true;
    f.reasons.push_back("CLUSTER writes a new copy of the table in index order");
  } else if (t == "ReindexStmt") {
    f.kind = StatementKind::kReindex;
    if (JsonRef rel = b.Get("relation")) f.target = TableRefFromRangeVar(rel);
    JsonRef params = b.Get("params");
    for (size_t i = 0; i < params.size(); ++i) {
      JsonRef d = params.At(i).Get("DefElem");
      if (d.Get("defname").Str() == "concurrently") {
        JsonRef arg = d.Get("arg");
        std::string v = arg ? ConstText(arg) : "true";
        f.concurrent = !(v == "false" || v == "0" || v == "off");
      }
    }
    f.lock = f.concurrent                                    ? LockMode::kShareUpdateExclusive
             : b.Get("kind").Str() == "REINDEX_OBJECT_INDEX" ? LockMode::kAccessExclusive
                                                             : LockMode::kShare;
    f.scan = true;
    f.reasons.push_back("rebuilds the index from a full scan");
  } else if (t == "RefreshMatViewStmt") {
    f.kind = StatementKind::kRefreshMatView;
    f.target = TableRefFromRangeVar(b.Get("relation"));
    f.concurrent = b.Get("concurrent").Bool();
    f.lock = f.concurrent ? LockMode::kExclusive : LockMode::kAccessExclusive;
    f.rewrite = true;
    f.reasons.push_back("recomputes the materialized view");
  } else if (t == "LockStmt") {
    f.kind = StatementKind::kLock;
    JsonRef rels = b.Get("relations");
    if (rels.size() > 0) f.target = TableRefFromRangeVar(rels.At(0).Get("RangeVar"));
    std::int64_t mode = b.Get("mode").Int(8);
    f.lock = static_cast<LockMode>(std::clamp<std::int64_t>(mode, 1, 8));
  } else {
    return false;
  }
  return true;
}

// The statements that lock no table of their own: settings, transactions, functions, views,
// triggers, grants, roles, types, domains, schemas, extensions, comments, sequences.
void ObjectFacts(Facts& f, std::string_view t, JsonRef b, int /*pg_version*/) {
  if (t == "VariableSetStmt") {
    f.kind = StatementKind::kSet;
  } else if (t == "TransactionStmt") {
    f.kind = StatementKind::kTransaction;
  } else if (t == "CreateFunctionStmt") {
    f.kind = StatementKind::kCreateFunction;
    f.ddl = true;
  } else if (t == "DoStmt") {
    f.kind = StatementKind::kDo;
  } else if (t == "ViewStmt") {
    f.kind = StatementKind::kCreateView;
    f.ddl = true;
    f.target = TableRefFromRangeVar(b.Get("view"));
  } else if (t == "CreateTrigStmt") {
    f.kind = StatementKind::kCreateTrigger;
    f.ddl = true;
    f.target = TableRefFromRangeVar(b.Get("relation"));
    f.lock = LockMode::kShareRowExclusive;
  } else if (t == "GrantStmt" || t == "GrantRoleStmt" || t == "AlterDefaultPrivilegesStmt") {
    f.kind = StatementKind::kGrant;
    f.ddl = true;
  } else if (t == "CreateRoleStmt" || t == "AlterRoleStmt" || t == "DropRoleStmt" ||
             t == "CreatePolicyStmt" || t == "AlterPolicyStmt") {
    f.kind = StatementKind::kRole;
    f.ddl = true;
    if (JsonRef rel = b.Get("table")) f.target = TableRefFromRangeVar(rel);
  } else if (t == "CreateEnumStmt" || t == "CompositeTypeStmt" || t == "CreateRangeStmt") {
    f.kind = StatementKind::kCreateType;
    f.ddl = true;
  } else if (t == "AlterEnumStmt") {
    f.kind = StatementKind::kAlterEnum;
    f.ddl = true;
  } else if (t == "CreateDomainStmt") {
    f.kind = StatementKind::kCreateDomain;
    f.ddl = true;
  } else if (t == "AlterDomainStmt") {
    f.kind = StatementKind::kAlterDomain;
    f.ddl = true;
    if (b.Get("subtype").Str() == "C") {
      f.scan = true;
      f.reasons.push_back("checks every column that uses the domain");
    }
  } else if (t == "CreateSchemaStmt") {
    f.kind = StatementKind::kCreateSchema;
    f.ddl = true;
  } else if (t == "CreateExtensionStmt" || t == "AlterExtensionStmt") {
    f.kind = StatementKind::kCreateExtension;
    f.ddl = true;
  } else if (t == "CommentStmt") {
    f.kind = StatementKind::kComment;
    f.ddl = true;
  } else if (t == "CreateSeqStmt" || t == "AlterSeqStmt") {
    f.kind = StatementKind::kSequence;
    f.ddl = true;
  } else if (t == "CallStmt") {
    f.kind = StatementKind::kCall;
  } else if (t == "CreatedbStmt" || t == "DropdbStmt" || t == "AlterSystemStmt") {
    f.kind = StatementKind::kOther;
  } else if (!t.empty() && t != "ExplainStmt") {
    f.ddl =
        t.find("Create") == 0 || t.find("Alter") == 0 || t.find("Drop") == 0 || t == "DefineStmt";
  }
}

}  // namespace

Facts ComputeFacts(JsonRef node, const SchemaModel& model, int pg_version) {
  Facts f;
  f.node_type = node.NodeType();
  JsonRef b = node.NodeBody();
  std::string_view t = f.node_type;
  if (t == "CreateStmt") {
    CreateTableFacts(f, b);
  } else if (t == "CreateTableAsStmt") {
    f.kind = StatementKind::kCreateTableAs;
    f.ddl = true;
    f.target = TableRefFromRangeVar(IntoRel(b.Get("into")));
  } else if (t == "AlterTableStmt") {
    AlterTableFacts(f, b, model, pg_version);
  } else if (t == "IndexStmt") {
    IndexFacts(f, b);
  } else if (t == "DropStmt") {
    DropFacts(f, b, model);
  } else if (t == "RenameStmt") {
    RenameFacts(f, b);
  } else if (!DataFacts(f, t, b, model) && !MaintenanceFacts(f, t, b)) {
    ObjectFacts(f, t, b, pg_version);
  }
  MergeOtherLocks(f);
  if (!f.target.empty()) {
    f.target_is_new = model.IsNew(f.target);
    // CREATE TABLE, CREATE TABLE AS, CREATE MATERIALIZED VIEW and SELECT INTO create the
    // relation (IF NOT EXISTS of one that exists creates nothing, and touches nothing either).
    if (f.kind == StatementKind::kCreateTable || f.kind == StatementKind::kCreateTableAs) {
      f.target_is_new = true;
    }
  }
  return f;
}

}  // namespace strata::analysis
