#include "plan/classify.h"

#include "base/text.h"

#include <cctype>
#include <vector>

namespace strata::plan {

namespace {

// Upper-cased words, quotes and punctuation dropped (identifiers keep their case in `raw`).
struct Words {
  std::vector<std::string> up;
  std::vector<std::string> raw;
};

Words Tokenize(std::string_view sql) {
  Words w;
  std::string cur;
  auto flush = [&] {
    if (cur.empty()) return;
    w.raw.push_back(cur);
    w.up.push_back(base::ToUpper(cur));
    cur.clear();
  };
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      flush();
      while (i < sql.size() && sql[i] != '\n') ++i;
      continue;
    }
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.') {
      cur += c;
    } else {
      flush();
      if (c == '(' || c == ')' || c == ',') w.up.emplace_back(1, c), w.raw.emplace_back(1, c);
    }
    if (w.up.size() > 400) break;  // enough to classify
  }
  flush();
  return w;
}

bool Has(const Words& w, std::string_view word, size_t from = 0) {
  for (size_t i = from; i < w.up.size(); ++i) {
    if (w.up[i] == word) return true;
  }
  return false;
}

std::string After(const Words& w, size_t i) {
  static const char* kSkip[] = {"IF", "NOT", "EXISTS", "ONLY", "CONCURRENTLY", "TABLE"};
  while (i < w.up.size()) {
    bool skip = false;
    for (auto* s : kSkip) skip = skip || w.up[i] == s;
    if (!skip) return base::ToLower(w.raw[i]);
    ++i;
  }
  return {};
}

int Rank(std::string_view e) {
  if (e == "contract") return 4;
  if (e == "breaking") return 3;
  if (e == "data") return 2;
  if (e == "additive") return 1;
  return 0;
}

}  // namespace

std::string_view StrongerEffect(std::string_view a, std::string_view b) {
  return Rank(a) >= Rank(b) ? a : b;
}

StatementClass ClassifyStatement(std::string_view sql) {
  StatementClass c;
  c.effect = "other";
  Words w = Tokenize(sql);
  if (w.up.empty()) return c;
  const auto& u = w.up;
  auto at = [&](size_t i) -> std::string_view { return i < u.size() ? u[i] : std::string_view(); };
  if (u[0] == "CREATE") {
    size_t i = 1;
    if (at(i) == "OR" && at(i + 1) == "REPLACE") i += 2;
    if (at(i) == "UNIQUE") ++i;
    if (at(i) == "TABLE" || (at(i) == "TEMP" || at(i) == "UNLOGGED")) {
      c.effect = "additive";
      c.table = After(w, i + 1);
    } else if (at(i) == "INDEX") {
      c.effect = "additive";
      bool conc = at(i + 1) == "CONCURRENTLY";
      c.lock = conc ? "SHARE UPDATE EXCLUSIVE" : "SHARE";
      c.rewrites = true;  // reads the whole table
      for (size_t k = i; k + 1 < u.size(); ++k) {
        if (u[k] == "ON") {
          c.table = After(w, k + 1);
          break;
        }
      }
    } else {
      c.effect = "additive";  // views, functions, types, sequences, schemas
    }
    return c;
  }
  if (u[0] == "ALTER" && at(1) == "TABLE") {
    c.table = After(w, 2);
    c.lock = "ACCESS EXCLUSIVE";
    if (Has(w, "RENAME")) {
      c.effect = "breaking";
    } else if (Has(w, "DROP") && (Has(w, "COLUMN") || Has(w, "CONSTRAINT")) && !Has(w, "ADD")) {
      c.effect = Has(w, "CONSTRAINT") ? "additive" : "contract";
    } else if (Has(w, "SET") && Has(w, "NOT") && Has(w, "NULL") && !Has(w, "ADD")) {
      c.effect = "contract";
      c.rewrites = true;  // scans every row to prove no NULL remains
    } else if (Has(w, "DROP") && Has(w, "NOT") && Has(w, "NULL")) {
      c.effect = "additive";
    } else if (Has(w, "TYPE")) {
      c.effect = "breaking";
      c.rewrites = true;
    } else if (Has(w, "VALIDATE")) {
      c.effect = "contract";
      c.lock = "SHARE UPDATE EXCLUSIVE";
      c.rewrites = true;
    } else if (Has(w, "ADD") && Has(w, "CONSTRAINT")) {
      bool not_valid = Has(w, "VALID");
      c.effect = not_valid ? "additive" : "contract";
      c.rewrites = !not_valid;
      if (Has(w, "FOREIGN")) c.lock = "SHARE ROW EXCLUSIVE";
    } else if (Has(w, "ADD")) {
      bool not_null = false, has_default = Has(w, "DEFAULT");
      for (size_t k = 0; k + 1 < u.size(); ++k) {
        if (u[k] == "NOT" && u[k + 1] == "NULL") not_null = true;
      }
      c.effect = not_null && !has_default ? "breaking" : "additive";
    } else {
      c.effect = "other";
    }
    return c;
  }
  if (u[0] == "DROP") {
    c.effect = "contract";
    c.lock = "ACCESS EXCLUSIVE";
    if (at(1) == "TABLE") c.table = After(w, 2);
    if (at(1) == "INDEX")
      c.lock = Has(w, "CONCURRENTLY") ? "SHARE UPDATE EXCLUSIVE" : "ACCESS EXCLUSIVE";
    if (at(1) == "VIEW" || at(1) == "FUNCTION") c.effect = "breaking";
    return c;
  }
  if (u[0] == "UPDATE" || u[0] == "DELETE" || u[0] == "INSERT" || u[0] == "WITH" ||
      u[0] == "MERGE" || u[0] == "COPY") {
    c.effect = "data";
    c.lock = "ROW EXCLUSIVE";
    size_t i = 1;
    if (u[0] == "DELETE" || u[0] == "INSERT") i = 2;  // FROM / INTO
    if (u[0] == "WITH") {
      for (size_t k = 1; k + 1 < u.size(); ++k) {
        if ((u[k] == "UPDATE" || (u[k] == "INTO" && k > 0 && u[k - 1] == "INSERT") ||
             (u[k] == "FROM" && k > 0 && u[k - 1] == "DELETE")) &&
            u[k + 1] != "(") {
          c.table = After(w, k + 1);
          break;
        }
      }
    } else {
      c.table = After(w, i);
    }
    if (c.table == "(") c.table.clear();
    return c;
  }
  if (u[0] == "TRUNCATE") {
    c.effect = "contract";
    c.lock = "ACCESS EXCLUSIVE";
    c.table = After(w, 1);
  }
  return c;
}

analysis::StatementKind StatementKindFromName(std::string_view name) {
  using analysis::StatementKind;
  for (int k = 0; k <= static_cast<int>(StatementKind::kParseError); ++k) {
    auto kind = static_cast<StatementKind>(k);
    if (analysis::StatementKindName(kind) == name) return kind;
  }
  return StatementKind::kOther;
}

namespace {

// A new column that old INSERTs cannot satisfy: NOT NULL (or PRIMARY KEY) without a DEFAULT,
// identity or generated value.
bool RequiredNewColumn(analysis::JsonRef col) {
  bool not_null = col.Get("is_not_null").Bool(), filled = false;
  analysis::JsonRef cons = col.Get("constraints");
  for (size_t i = 0; i < cons.size(); ++i) {
    std::string_view ct = cons.At(i).Get("Constraint").Get("contype").Str();
    if (ct == "CONSTR_NOTNULL" || ct == "CONSTR_PRIMARY") not_null = true;
    if (ct == "CONSTR_DEFAULT" || ct == "CONSTR_IDENTITY" || ct == "CONSTR_GENERATED") {
      filled = true;
    }
  }
  std::string_view type = analysis::TypeNameLast(col.Get("typeName"));
  if (type.find("serial") != std::string_view::npos) filled = true;
  return not_null && !filled;
}

std::string_view AlterTableCmdEffect(analysis::JsonRef cmd) {
  std::string_view sub = cmd.Get("subtype").Str();
  analysis::JsonRef def = cmd.Get("def");
  if (sub == "AT_AddColumn") {
    return RequiredNewColumn(def.Get("ColumnDef")) ? "breaking" : "additive";
  }
  if (sub == "AT_DropColumn" || sub == "AT_SetNotNull" || sub == "AT_ValidateConstraint" ||
      sub == "AT_AddIndexConstraint" || sub == "AT_DetachPartition") {
    return "contract";
  }
  if (sub == "AT_AlterColumnType") return "breaking";
  if (sub == "AT_DropNotNull" || sub == "AT_DropConstraint" || sub == "AT_AttachPartition") {
    return "additive";
  }
  if (sub == "AT_ColumnDefault") return def ? "additive" : "breaking";  // DROP DEFAULT
  if (sub == "AT_AddConstraint") {
    return def.Get("Constraint").Get("skip_validation").Bool() ? "additive" : "contract";
  }
  return "other";
}

}  // namespace

std::string_view EffectOf(analysis::StatementKind kind, analysis::JsonRef node) {
  using analysis::StatementKind;
  analysis::JsonRef body = node.NodeBody();
  switch (kind) {
    case StatementKind::kCreateTable:
    case StatementKind::kCreateTableAs:
    case StatementKind::kCreateIndex:
    case StatementKind::kCreateFunction:
    case StatementKind::kCreateView:
    case StatementKind::kCreateTrigger:
    case StatementKind::kCreateType:
    case StatementKind::kCreateDomain:
    case StatementKind::kCreateSchema:
    case StatementKind::kCreateExtension:
      return "additive";
    case StatementKind::kSequence:
      return node.NodeType() == "CreateSeqStmt" ? "additive" : "other";
    case StatementKind::kAlterEnum:
      return body.Get("oldVal") ? "breaking" : "additive";  // RENAME VALUE / ADD VALUE
    case StatementKind::kAlterTable: {
      std::string_view effect = "other";
      analysis::JsonRef cmds = body.Get("cmds");
      for (size_t i = 0; i < cmds.size(); ++i) {
        effect = StrongerEffect(effect, AlterTableCmdEffect(cmds.At(i).Get("AlterTableCmd")));
      }
      return effect;
    }
    case StatementKind::kDropTable:
    case StatementKind::kDropIndex:
    case StatementKind::kTruncate:
      return "contract";
    case StatementKind::kDropOther: {
      std::string_view rt = body.Get("removeType").Str();
      if (rt == "OBJECT_VIEW" || rt == "OBJECT_MATVIEW" || rt == "OBJECT_FUNCTION" ||
          rt == "OBJECT_PROCEDURE") {
        return "breaking";
      }
      return "contract";
    }
    case StatementKind::kRename:
      return body.Get("renameType").Str() == "OBJECT_INDEX" ? "other" : "breaking";
    case StatementKind::kInsert:
    case StatementKind::kUpdate:
    case StatementKind::kDelete:
    case StatementKind::kCopy:
      return "data";
    case StatementKind::kSelect:
      return body.Get("intoClause") ? "additive" : "other";  // SELECT ... INTO new_table
    default:
      return node.NodeType() == "MergeStmt" ? "data" : "other";
  }
}

}  // namespace strata::plan
