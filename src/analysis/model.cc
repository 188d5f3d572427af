#include "analysis/model.h"

#include <algorithm>

namespace strata::analysis {

namespace {
std::string Pair(const TableRef& t, std::string_view s) {
  std::string k = t.Key();
  k += '|';
  k += s;
  return k;
}

// If `expr` is `col IS NOT NULL`, returns col.
std::string NotNullColumn(JsonRef expr) {
  JsonRef nt = expr.Get("NullTest");
  if (!nt || nt.Get("nulltesttype").Str() != "IS_NOT_NULL") return {};
  JsonRef fields = nt.Get("arg").Get("ColumnRef").Get("fields");
  if (fields.size() == 0) return {};
  return std::string(fields.At(fields.size() - 1).Get("String").Get("sval").Str());
}

// PostgreSQL's makeObjectName: `name1`, `name2` (when not empty) and `label` joined by '_' and
// cut to 63 bytes by shortening the longer of name1 and name2. A collision would add a number;
// not modelled.
std::string MakeObjectName(std::string a, std::string b, std::string_view label) {
  const size_t overhead = (b.empty() ? 0 : 1) + 1 + label.size();
  while (a.size() + b.size() + overhead > 63) {
    if (a.size() > b.size()) {
      a.pop_back();
    } else {
      b.pop_back();
    }
  }
  return (b.empty() ? a : a + "_" + b) + "_" + std::string(label);
}

// The name PostgreSQL gives an index expression's column (FigureIndexColname): a function's
// name, a cast's operand's name or else its type, a column's name; "" for anything else.
std::string IndexExprName(JsonRef e) {
  if (JsonRef f = e.Get("FuncCall")) {
    JsonRef names = f.Get("funcname");
    return names.size() ? std::string(names.At(names.size() - 1).Get("String").Get("sval").Str())
                        : std::string();
  }
  if (JsonRef c = e.Get("TypeCast")) {
    std::string inner = IndexExprName(c.Get("arg"));
    return inner.empty() ? std::string(TypeNameLast(c.Get("typeName"))) : inner;
  }
  if (JsonRef c = e.Get("ColumnRef")) {
    JsonRef fields = c.Get("fields");
    return fields.size() ? std::string(fields.At(fields.size() - 1).Get("String").Get("sval").Str())
                         : std::string();
  }
  if (JsonRef c = e.Get("CollateClause")) return IndexExprName(c.Get("arg"));
  return {};
}

// PostgreSQL's generated index name (ChooseIndexName): the table, the key column names (an
// expression's natural name, else "expr") and "idx".
std::string GeneratedIndexName(const std::string& table, JsonRef params) {
  std::string cols;
  for (size_t i = 0; i < params.size(); ++i) {
    JsonRef p = params.At(i).Get("IndexElem");
    std::string n(p.Get("name").Str());
    if (n.empty()) n = std::string(p.Get("indexcolname").Str());
    if (n.empty()) n = IndexExprName(p.Get("expr"));
    if (!cols.empty()) cols += '_';
    cols += n.empty() ? std::string("expr") : n;
  }
  return MakeObjectName(table, cols, "idx");
}

// PostgreSQL's generated foreign key name (ChooseForeignKeyConstraintNameAddition +
// ChooseConstraintName): `<table>_<col>_<col>_fkey`.
std::string GeneratedForeignKeyName(const std::string& table,
                                    const std::vector<std::string>& cols) {
  std::string joined;
  for (const auto& c : cols) {
    if (!joined.empty()) joined += '_';
    joined += c;
    if (joined.size() >= 63) break;
  }
  if (joined.size() > 63) joined.resize(63);
  return MakeObjectName(table, joined, "fkey");
}

std::vector<std::string> StringList(JsonRef list) {
  std::vector<std::string> out;
  for (size_t i = 0; i < list.size(); ++i)
    out.emplace_back(list.At(i).Get("String").Get("sval").Str());
  return out;
}

// Columns `expr` tests with IS NOT NULL when it is nothing else (`a IS NOT NULL AND b IS NOT
// NULL`); false for any other predicate.
bool NotNullTests(JsonRef expr, std::vector<std::string>* cols) {
  if (JsonRef b = expr.Get("BoolExpr")) {
    if (b.Get("boolop").Str() != "AND_EXPR") return false;
    JsonRef args = b.Get("args");
    for (size_t i = 0; i < args.size(); ++i) {
      if (!NotNullTests(args.At(i), cols)) return false;
    }
    return true;
  }
  JsonRef nt = expr.Get("NullTest");
  if (!nt || nt.Get("nulltesttype").Str() != "IS_NOT_NULL") return false;
  JsonRef fields = nt.Get("arg").Get("ColumnRef").Get("fields");
  if (fields.size() == 0) return false;
  cols->emplace_back(fields.At(fields.size() - 1).Get("String").Get("sval").Str());
  return true;
}

ColumnInfo ColumnFrom(JsonRef col) {
  ColumnInfo c;
  JsonRef tn = col.Get("typeName");
  c.type = std::string(TypeNameLast(tn));
  c.mods = TypeMods(tn);
  JsonRef cons = col.Get("constraints");
  for (size_t i = 0; i < cons.size(); ++i) {
    std::string_view ct = cons.At(i).Get("Constraint").Get("contype").Str();
    if (ct == "CONSTR_NOTNULL" || ct == "CONSTR_PRIMARY") c.not_null = true;
  }
  return c;
}
// The foreign key a Constraint node declares on `child` (column-level when `column` is set).
void AppendForeignKey(std::vector<ForeignKey>& out, const TableRef& child, JsonRef c,
                      std::string_view column) {
  if (c.Get("contype").Str() != "CONSTR_FOREIGN") return;
  ForeignKey fk;
  fk.child = child;
  fk.parent = TableRefFromRangeVar(c.Get("pktable"));
  JsonRef attrs = c.Get("fk_attrs");
  for (size_t i = 0; i < attrs.size(); ++i)
    fk.columns.emplace_back(attrs.At(i).Get("String").Get("sval").Str());
  if (fk.columns.empty() && !column.empty()) fk.columns.emplace_back(column);
  fk.ref_columns = StringList(c.Get("pk_attrs"));
  fk.name = ForeignKeyName(child, c, fk.columns);
  std::string_view act = c.Get("fk_del_action").Str();
  fk.on_delete = act.empty() ? 'a' : act[0];
  out.push_back(std::move(fk));
}

// A view's shape from its SELECT: one table in FROM, no grouping, set operation or DISTINCT
// makes it simple (PostgreSQL then lets UPDATE and DELETE through it to the table).
ViewInfo ViewFrom(JsonRef view_stmt) {
  ViewInfo v;
  JsonRef sel = view_stmt.Get("query").Get("SelectStmt");
  if (!sel) return v;
  JsonRef from = sel.Get("fromClause");
  if (from.size() != 1 || !from.At(0).Get("RangeVar")) return v;
  v.base = TableRefFromRangeVar(from.At(0).Get("RangeVar"));
  v.simple = !sel.Get("groupClause") && !sel.Get("distinctClause") && !sel.Get("havingClause") &&
             !sel.Get("larg") && !sel.Get("limitCount");
  JsonRef aliases = view_stmt.Get("aliases");
  JsonRef targets = sel.Get("targetList");
  for (size_t i = 0; i < targets.size(); ++i) {
    JsonRef rt = targets.At(i).Get("ResTarget");
    JsonRef fields = rt.Get("val").Get("ColumnRef").Get("fields");
    if (fields.size() == 0) continue;
    JsonRef last = fields.At(fields.size() - 1);
    if (last.Get("A_Star")) {
      v.star = true;
      continue;
    }
    std::string base(last.Get("String").Get("sval").Str());
    std::string name(rt.Get("name").Str());
    if (name.empty()) name = base;
    if (i < aliases.size()) name = std::string(aliases.At(i).Get("String").Get("sval").Str());
    v.columns[name] = base;
  }
  return v;
}
}  // namespace

bool IndexServesLookup(const IndexKey& ix, const std::vector<std::string>& columns) {
  auto has = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  // The lookup is `col1 = $1 AND col2 = $2 ...`: an index whose first key column is one of them
  // narrows it to the matching rows (an index on `order_id` serves a key (order_id, line_no)).
  if (columns.empty() || ix.columns.empty() || !has(columns, ix.columns.front())) return false;
  if (!ix.partial) return true;
  // `WHERE c IS NOT NULL` on lookup columns: `c = $1` implies it, so the planner uses the index.
  if (ix.not_null_predicate.empty()) return false;
  for (const auto& c : ix.not_null_predicate) {
    if (!has(columns, c)) return false;
  }
  return true;
}

IndexKey IndexKeyFrom(JsonRef b, std::string name) {
  IndexKey ix;
  ix.name = std::move(name);
  JsonRef params = b.Get("indexParams");
  for (size_t i = 0; i < params.size(); ++i) {
    std::string_view n = params.At(i).Get("IndexElem").Get("name").Str();
    if (n.empty()) break;  // an expression: the prefix of plain columns ends here
    ix.columns.emplace_back(n);
  }
  if (JsonRef where = b.Get("whereClause")) {
    ix.partial = true;
    if (!NotNullTests(where, &ix.not_null_predicate)) ix.not_null_predicate.clear();
  }
  return ix;
}

bool ConstraintIndexKey(JsonRef c, std::string_view column, IndexKey* out) {
  std::string_view ct = c.Get("contype").Str();
  if (ct != "CONSTR_PRIMARY" && ct != "CONSTR_UNIQUE") return false;
  out->name = std::string(c.Get("conname").Str());
  out->primary = ct == "CONSTR_PRIMARY";
  out->columns = StringList(c.Get("keys"));
  if (out->columns.empty() && !column.empty()) out->columns.emplace_back(column);
  return !out->columns.empty() || !c.Get("indexname").Str().empty();
}

std::string ForeignKeyName(const TableRef& child, JsonRef c, const std::vector<std::string>& cols) {
  std::string name(c.Get("conname").Str());
  return name.empty() ? GeneratedForeignKeyName(child.name, cols) : name;
}

const ForeignKey* SchemaModel::FindForeignKey(const TableRef& child, std::string_view name) const {
  const std::string key = child.Key();
  for (const ForeignKey* fk : ForeignKeysOf(child)) {
    if (fk->name == name && fk->child.Key() == key) return fk;
  }
  return nullptr;
}

std::vector<const ForeignKey*> SchemaModel::ForeignKeysOf(const TableRef& t) const {
  std::vector<const ForeignKey*> out;
  auto it = fk_by_table_.find(t.Key());
  if (it == fk_by_table_.end()) return out;
  out.reserve(it->second.size());
  for (size_t i : it->second) out.push_back(&foreign_keys_[i]);
  return out;
}

void SchemaModel::AddForeignKey(const TableRef& child, JsonRef constraint,
                                std::string_view column) {
  const size_t before = foreign_keys_.size();
  AppendForeignKey(foreign_keys_, child, constraint, column);
  if (foreign_keys_.size() == before) return;
  const ForeignKey& fk = foreign_keys_.back();
  std::string child_key = fk.child.Key(), parent_key = fk.parent.Key();
  fk_by_table_[child_key].push_back(before);
  if (parent_key != child_key) fk_by_table_[parent_key].push_back(before);
}

template <typename Pred>
bool SchemaModel::EraseForeignKeys(const TableRef& t, Pred drop) {
  bool any = false;
  for (const ForeignKey* fk : ForeignKeysOf(t)) any = any || drop(*fk);
  if (!any) return false;
  std::erase_if(foreign_keys_, drop);
  ReindexForeignKeys();
  return true;
}

void SchemaModel::ReindexForeignKeys() {
  fk_by_table_.clear();
  for (size_t i = 0; i < foreign_keys_.size(); ++i) {
    std::string child_key = foreign_keys_[i].child.Key(),
                parent_key = foreign_keys_[i].parent.Key();
    fk_by_table_[child_key].push_back(i);
    if (parent_key != child_key) fk_by_table_[parent_key].push_back(i);
  }
}

const SchemaModel::TableIndexes* SchemaModel::Indexes(const TableRef& t) const {
  auto it = table_indexes_.find(t.Key());
  return it == table_indexes_.end() ? nullptr : &it->second;
}

const ViewInfo* SchemaModel::View(const TableRef& v) const {
  auto it = views_.find(v.Key());
  return it == views_.end() ? nullptr : &it->second;
}

const TableInfo* SchemaModel::Find(const TableRef& t) const {
  auto it = tables_.find(t.Key());
  return it == tables_.end() ? nullptr : &it->second;
}

bool SchemaModel::IsNew(const TableRef& t) const {
  const TableInfo* ti = Find(t);
  return ti && (new_means_same_file_ ? ti->created_in_file : ti->created_in_set);
}

const ColumnInfo* SchemaModel::Column(const TableRef& t, const std::string& column) const {
  const TableInfo* ti = Find(t);
  if (!ti) return nullptr;
  auto it = ti->columns.find(column);
  return it == ti->columns.end() ? nullptr : &it->second;
}

bool SchemaModel::IsNewColumn(const TableRef& t, const std::string& column) const {
  const ColumnInfo* c = Column(t, column);
  if (!c || c->added_in_file < 0) return false;
  return !new_means_same_file_ || c->added_in_file == file_seq_;
}

bool SchemaModel::ColumnsNotNull(const TableRef& t, const std::vector<std::string>& columns,
                                 int pg_version) const {
  if (columns.empty()) return false;
  for (const auto& col : columns) {
    const ColumnInfo* c = Column(t, col);
    if (c && c->not_null) continue;
    if (pg_version >= 12 && HasValidNotNullCheck(t, col)) continue;
    return false;
  }
  return true;
}

const std::vector<std::string>* SchemaModel::IndexColumns(const std::string& name) const {
  auto it = index_columns_.find(name);
  return it == index_columns_.end() ? nullptr : &it->second;
}

void SchemaModel::AddExistingIndex(const std::string& index_key, TableRef table) {
  index_tables_.emplace(index_key, std::move(table));
}

void SchemaModel::AddExistingColumn(const TableRef& table, const std::string& column,
                                    ColumnInfo info) {
  info.added_in_file = -1;
  tables_[table.Key()].columns[column] = std::move(info);
}

const TableRef* SchemaModel::IndexTable(const std::string& name) const {
  auto it = index_tables_.find(name);
  return it == index_tables_.end() ? nullptr : &it->second;
}

bool SchemaModel::NotValidInFile(const TableRef& t, const std::string& constraint) const {
  return not_valid_in_file_.count(Pair(t, constraint)) > 0;
}

bool SchemaModel::HasValidNotNullCheck(const TableRef& t, const std::string& column) const {
  if (valid_not_null_.count(Pair(t, column)) > 0) return true;
  auto it = validated_unknown_.find(t.Key());
  if (it == validated_unknown_.end()) return false;
  for (const auto& name : it->second) {
    if (name.find(column) != std::string::npos) return true;
  }
  return false;
}

void SchemaModel::BeginFile() {
  ++file_seq_;
  not_valid_in_file_.clear();
  // Only the tables the previous file created carry the flag: resetting those keeps a long
  // history linear (iterating every table per file was 37 % of linting 10,000 files).
  for (const auto& key : created_in_file_) {
    if (auto it = tables_.find(key); it != tables_.end()) it->second.created_in_file = false;
  }
  created_in_file_.clear();
}

void SchemaModel::ApplyAlter(const TableRef& t, JsonRef body, bool pending) {
  JsonRef cmds = body.Get("cmds");
  TableInfo* ti = nullptr;
  if (auto it = tables_.find(t.Key()); it != tables_.end()) ti = &it->second;
  for (size_t i = 0; i < cmds.size(); ++i) {
    JsonRef cmd = cmds.At(i).Get("AlterTableCmd");
    std::string_view sub = cmd.Get("subtype").Str();
    JsonRef def = cmd.Get("def");
    if (sub == "AT_AddColumn") {
      JsonRef col = def.Get("ColumnDef");
      std::string name(col.Get("colname").Str());
      // An existing table the model has not seen (created before the files it read): track the
      // columns the pending set adds to it.
      if (!ti && pending) ti = &tables_[t.Key()];
      if (!ti) continue;
      // ADD COLUMN IF NOT EXISTS of a column that may already exist creates nothing new.
      bool known = ti->columns.count(name) > 0;
      if (cmd.Get("missing_ok").Bool() && (known || !ti->created_in_set)) {
        if (!known) ti->columns[name] = ColumnFrom(col);
        continue;
      }
      ColumnInfo ci = ColumnFrom(col);
      if (pending) ci.added_in_file = file_seq_;
      ti->columns[name] = std::move(ci);
      JsonRef cons = col.Get("constraints");
      for (size_t k = 0; k < cons.size(); ++k) {
        JsonRef c = cons.At(k).Get("Constraint");
        AddForeignKey(t, c, name);
        IndexKey ix;
        if (ConstraintIndexKey(c, name, &ix))
          table_indexes_[t.Key()].indexes.push_back(std::move(ix));
      }
    } else if (sub == "AT_AlterColumnType" && ti) {
      JsonRef col = def.Get("ColumnDef");
      ColumnInfo& ci = ti->columns[std::string(cmd.Get("name").Str())];
      ColumnInfo next = ColumnFrom(col);
      ci.type = std::move(next.type);
      ci.mods = std::move(next.mods);
    } else if (sub == "AT_SetNotNull" && ti) {
      ti->columns[std::string(cmd.Get("name").Str())].not_null = true;
    } else if (sub == "AT_DropNotNull" && ti) {
      ti->columns[std::string(cmd.Get("name").Str())].not_null = false;
    } else if (sub == "AT_DropColumn") {
      std::string col(cmd.Get("name").Str());
      if (ti) ti->columns.erase(col);
      // Its foreign keys and the indexes that use it go with it.
      EraseForeignKeys(t, [&](const ForeignKey& fk) {
        return fk.child.Key() == t.Key() &&
               std::find(fk.columns.begin(), fk.columns.end(), col) != fk.columns.end();
      });
      if (auto it = table_indexes_.find(t.Key()); it != table_indexes_.end()) {
        std::erase_if(it->second.indexes, [&](const IndexKey& ix) {
          return std::find(ix.columns.begin(), ix.columns.end(), col) != ix.columns.end();
        });
      }
    } else if (sub == "AT_DropConstraint") {
      std::string name(cmd.Get("name").Str());
      EraseForeignKeys(
          t, [&](const ForeignKey& fk) { return fk.name == name && fk.child.Key() == t.Key(); });
      if (auto it = table_indexes_.find(t.Key()); it != table_indexes_.end()) {
        std::erase_if(it->second.indexes, [&](const IndexKey& ix) { return ix.name == name; });
      }
    } else if (sub == "AT_AddConstraint") {
      JsonRef c = def.Get("Constraint");
      AddForeignKey(t, c, "");
      IndexKey ix;
      if (ConstraintIndexKey(c, "", &ix)) {
        auto& list = table_indexes_[t.Key()].indexes;
        if (!c.Get("indexname").Str().empty()) {
          // USING INDEX: the index becomes the constraint's, under the constraint's name.
          for (auto& existing : list) {
            if (existing.name == c.Get("indexname").Str()) {
              if (!ix.name.empty()) existing.name = ix.name;
              existing.partial = false;
            }
          }
        } else {
          list.push_back(std::move(ix));
        }
      }
      std::string name(c.Get("conname").Str());
      bool not_valid = c.Get("skip_validation").Bool();
      if (c.Get("contype").Str() == "CONSTR_PRIMARY" && ti) {
        JsonRef keys = c.Get("keys");
        for (size_t k = 0; k < keys.size(); ++k) {
          ti->columns[std::string(keys.At(k).Get("String").Get("sval").Str())].not_null = true;
        }
        if (const auto* cols = IndexColumns(std::string(c.Get("indexname").Str()))) {
          for (const auto& col : *cols) ti->columns[col].not_null = true;
        }
      }
      if (not_valid && !name.empty()) not_valid_in_file_.insert(Pair(t, name));
      if (c.Get("contype").Str() == "CONSTR_CHECK") {
        std::string col = NotNullColumn(c.Get("raw_expr"));
        if (!col.empty()) {
          if (!name.empty()) not_null_checks_[Pair(t, name)] = col;
          if (!not_valid) valid_not_null_.insert(Pair(t, col));
        }
      }
    } else if (sub == "AT_ValidateConstraint") {
      std::string name(cmd.Get("name").Str());
      auto it = not_null_checks_.find(Pair(t, name));
      if (it != not_null_checks_.end()) {
        valid_not_null_.insert(Pair(t, it->second));
      } else {
        // Defined elsewhere (an earlier, applied migration): remember the name; a name that
        // mentions the column is taken as its IS NOT NULL check.
        validated_unknown_[t.Key()].push_back(name);
      }
    }
  }
}

void SchemaModel::Apply(JsonRef node, bool pending) {
  std::string_view type = node.NodeType();
  JsonRef b = node.NodeBody();
  // SELECT ... INTO creates a table like CREATE TABLE AS.
  bool select_into = type == "SelectStmt" && b.Get("intoClause");
  if (type == "CreateStmt" || type == "CreateTableAsStmt" || select_into) {
    TableRef t = TableRefFromRangeVar(type == "CreateStmt" ? b.Get("relation")
                                      : select_into        ? IntoRel(b.Get("intoClause"))
                                                           : IntoRel(b.Get("into")));
    if (b.Get("if_not_exists").Bool() && tables_.count(t.Key())) return;
    TableInfo ti;
    ti.created_in_set = pending;
    ti.created_in_file = pending;
    JsonRef elts = b.Get("tableElts");
    for (size_t i = 0; i < elts.size(); ++i) {
      JsonRef col = elts.At(i).Get("ColumnDef");
      if (col) ti.columns[std::string(col.Get("colname").Str())] = ColumnFrom(col);
    }
    // A partition inherits its parent's indexes, LIKE ... INCLUDING copies another table's:
    // the model does not see those.
    TableIndexes tix;
    tix.known = !b.Get("partbound");
    for (size_t i = 0; i < elts.size(); ++i) {
      IndexKey ix;
      if (JsonRef col = elts.At(i).Get("ColumnDef")) {
        JsonRef cons = col.Get("constraints");
        for (size_t k = 0; k < cons.size(); ++k) {
          JsonRef c = cons.At(k).Get("Constraint");
          AddForeignKey(t, c, col.Get("colname").Str());
          IndexKey cix;
          if (ConstraintIndexKey(c, col.Get("colname").Str(), &cix)) tix.indexes.push_back(cix);
        }
      } else if (JsonRef c = elts.At(i).Get("Constraint")) {
        AddForeignKey(t, c, "");
        if (ConstraintIndexKey(c, "", &ix)) tix.indexes.push_back(std::move(ix));
      } else if (JsonRef like = elts.At(i).Get("TableLikeClause")) {
        if (like.Get("options").Int(0) != 0) tix.known = false;
      }
    }
    TableIndexes& slot = table_indexes_[t.Key()];
    // An applied table's indexes may already be known from the live catalog (made outside the
    // migrations, too): keep them.
    if (!pending) tix.indexes.insert(tix.indexes.end(), slot.indexes.begin(), slot.indexes.end());
    slot = std::move(tix);
    if (pending) created_in_file_.push_back(t.Key());
    tables_[t.Key()] = std::move(ti);
  } else if (type == "AlterTableStmt") {
    ApplyAlter(TableRefFromRangeVar(b.Get("relation")), b, pending);
  } else if (type == "ViewStmt") {
    views_[TableRefFromRangeVar(b.Get("view")).Key()] = ViewFrom(b);
  } else if (type == "IndexStmt") {
    TableRef t = TableRefFromRangeVar(b.Get("relation"));
    std::string name(b.Get("idxname").Str());
    if (name.empty()) name = GeneratedIndexName(t.name, b.Get("indexParams"));
    std::string key = name;
    if (!t.schema.empty() && t.schema != "public") key = t.schema + "." + name;
    // An index read from the live catalog keeps the table as the catalog named it.
    if (pending || !index_tables_.count(key)) index_tables_[key] = t;
    std::vector<std::string> cols;
    JsonRef params = b.Get("indexParams");
    for (size_t i = 0; i < params.size(); ++i) {
      std::string_view n = params.At(i).Get("IndexElem").Get("name").Str();
      if (n.empty()) {
        cols.clear();
        break;
      }
      cols.emplace_back(n);
    }
    index_columns_[name] = std::move(cols);
    if (b.Get("concurrent").Bool() || IsNew(t)) concurrent_indexes_.insert(name);
    table_indexes_[t.Key()].indexes.push_back(IndexKeyFrom(b, name));
  } else if (type == "RenameStmt" && b.Get("renameType").Str() == "OBJECT_TABLE") {
    TableRef from = TableRefFromRangeVar(b.Get("relation"));
    auto it = tables_.find(from.Key());
    if (it != tables_.end()) {
      TableInfo ti = std::move(it->second);
      tables_.erase(it);
      TableRef to = from;
      to.name = std::string(b.Get("newname").Str());
      if (ti.created_in_file) created_in_file_.push_back(to.Key());
      tables_[to.Key()] = std::move(ti);
    }
    TableRef to = from;
    to.name = std::string(b.Get("newname").Str());
    if (auto ix = table_indexes_.find(from.Key()); ix != table_indexes_.end()) {
      TableIndexes moved = std::move(ix->second);
      table_indexes_.erase(ix);
      table_indexes_[to.Key()] = std::move(moved);
    }
    if (auto fks = ForeignKeysOf(from); !fks.empty()) {
      for (const ForeignKey* p : fks) {
        ForeignKey& fk = foreign_keys_[static_cast<size_t>(p - foreign_keys_.data())];
        if (fk.child.Key() == from.Key()) fk.child = to;
        if (fk.parent.Key() == from.Key()) fk.parent = to;
      }
      ReindexForeignKeys();
    }
  } else if (type == "RenameStmt" && b.Get("renameType").Str() == "OBJECT_COLUMN") {
    TableRef t = TableRefFromRangeVar(b.Get("relation"));
    std::string from(b.Get("subname").Str()), to(b.Get("newname").Str());
    auto rename = [&](std::vector<std::string>& cols) {
      std::replace(cols.begin(), cols.end(), from, to);
    };
    for (const ForeignKey* p : ForeignKeysOf(t)) {
      ForeignKey& fk = foreign_keys_[static_cast<size_t>(p - foreign_keys_.data())];
      if (fk.child.Key() == t.Key()) rename(fk.columns);
    }
    if (auto ix = table_indexes_.find(t.Key()); ix != table_indexes_.end()) {
      for (auto& k : ix->second.indexes) {
        rename(k.columns);
        rename(k.not_null_predicate);
      }
    }
  } else if (type == "DropStmt" && (b.Get("removeType").Str() == "OBJECT_TABLE" ||
                                    b.Get("removeType").Str() == "OBJECT_VIEW")) {
    JsonRef objs = b.Get("objects");
    for (size_t i = 0; i < objs.size(); ++i) {
      TableRef t = DropObject(b, i);
      tables_.erase(t.Key());
      views_.erase(t.Key());
      table_indexes_.erase(t.Key());
      EraseForeignKeys(t, [&](const ForeignKey& fk) { return fk.child.Key() == t.Key(); });
    }
  } else if (type == "DropStmt" && b.Get("removeType").Str() == "OBJECT_INDEX") {
    JsonRef objs = b.Get("objects");
    for (size_t i = 0; i < objs.size(); ++i) {
      JsonRef list = objs.At(i).Get("List").Get("items");
      size_t n = list.size();
      if (n == 0) continue;
      std::string name(list.At(n - 1).Get("String").Get("sval").Str());
      std::string key = name;
      if (n >= 2 && list.At(n - 2).Get("String").Get("sval").Str() != "public") {
        key = std::string(list.At(n - 2).Get("String").Get("sval").Str()) + "." + name;
      }
      auto owner = index_tables_.find(key);
      if (owner == index_tables_.end()) continue;
      if (auto ix = table_indexes_.find(owner->second.Key()); ix != table_indexes_.end()) {
        std::erase_if(ix->second.indexes, [&](const IndexKey& k) { return k.name == name; });
      }
    }
  } else if (type == "CreateEnumStmt" && pending) {
    JsonRef names = b.Get("typeName");
    if (names.size() > 0) {
      enums_.insert(std::string(names.At(names.size() - 1).Get("String").Get("sval").Str()));
    }
  }
}

}  // namespace strata::analysis
