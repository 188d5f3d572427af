// Derive: a `-- strata:change` file → operations, from libpg_query's parse tree (the
// analyzer's ParsePostgres). Only column-level operations are derived today; every other
// statement is refused with the reason and the file:line:col.
#include "analysis/analysis.h"
#include "analysis/facts.h"
#include "analysis/fragment.h"
#include "analysis/parse.h"
#include "base/sha256.h"
#include "base/text.h"
#include "sql/directives.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <map>

#include "change/change.h"
#include "change/internal.h"

namespace strata::change {

namespace {

using analysis::JsonRef;

Status Refuse(const std::string& path, int line, int col, std::string message, std::string hint) {
  return Status(ErrorCode::kValidation, std::move(message))
      .WithSpan({path, line, col})
      .WithHint(std::move(hint));
}

// "col = expr" → (col, expr). The column is an identifier, lower-cased unless quoted.
bool SplitAssignment(std::string_view args, std::string& column, std::string& expr) {
  size_t eq = args.find('=');
  if (eq == std::string_view::npos) return false;
  std::string_view lhs = base::Trim(args.substr(0, eq));
  expr = std::string(base::Trim(args.substr(eq + 1)));
  if (lhs.empty() || expr.empty()) return false;
  if (lhs.size() >= 2 && lhs.front() == '"' && lhs.back() == '"') {
    column = std::string(lhs.substr(1, lhs.size() - 2));
    return true;
  }
  for (char c : lhs) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  column = base::ToLower(lhs);
  return true;
}

struct Directives {
  bool change = false;
  std::int64_t chunk_size = 1000;
  double max_rows_per_second = 0;
  struct Expr {
    std::string expr;
    int line = 0;
    bool used = false;
  };
  std::map<std::string, Expr> up, down;
};

Result<Directives> ReadDirectives(std::string_view text, const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(auto settings, sql::ParseDirectives(text, path));
  Directives d;
  for (const auto& dir : settings.directives) {
    if (dir.name == "change") {
      d.change = true;
      std::string_view rest = dir.args;
      while (!(rest = base::Trim(rest)).empty()) {
        size_t sp = rest.find_first_of(" \t");
        std::string_view word = rest.substr(0, sp);
        rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp);
        size_t eq = word.find('=');
        std::string key(word.substr(0, eq));
        std::string value(eq == std::string_view::npos ? "" : word.substr(eq + 1));
        char* end = nullptr;
        double v = value.empty() ? -1 : std::strtod(value.c_str(), &end);
        bool ok = end && *end == '\0' && v > 0;
        if (ok && key == "chunk_size") {
          d.chunk_size = static_cast<std::int64_t>(v);
        } else if (ok && key == "max_rows_per_second") {
          d.max_rows_per_second = v;
        } else {
          return Refuse(path, dir.line, 1,
                        fmt::format("`-- strata:change` argument `{}` is not understood", word),
                        "arguments are chunk_size=<n> and max_rows_per_second=<n>");
        }
      }
    } else if (dir.name == "up" || dir.name == "down") {
      std::string column, expr;
      if (!SplitAssignment(dir.args, column, expr)) {
        return Status(ErrorCode::kDirective,
                      fmt::format("`-- strata:{} {}` is not `<column> = <expression>`", dir.name,
                                  dir.args))
            .WithSpan({path, dir.line, 1})
            .WithHint(
                fmt::format("write e.g. `-- strata:{} contract_term_months = term`", dir.name));
      }
      Status s = analysis::CheckFragment(expr, analysis::FragmentKind::kExpression,
                                         db::Dialect::kPostgres);
      if (!s.ok()) {
        return std::move(s).Wrap(fmt::format("`-- strata:{}` for `{}`", dir.name, column));
      }
      auto& map = dir.name == "up" ? d.up : d.down;
      if (map.count(column)) {
        return Refuse(path, dir.line, 1,
                      fmt::format("a second `-- strata:{}` for column `{}`", dir.name, column),
                      "give one expression per column");
      }
      map[column] = {expr, dir.line, false};
    }
  }
  return d;
}

std::string TypeText(JsonRef type_name) {
  // A typed field is written without its {"TypeName": ...} wrapper; accept both forms.
  if (JsonRef inner = type_name.As("TypeName")) type_name = inner;
  std::string t = analysis::DottedName(type_name.Get("names"));
  auto mods = analysis::TypeMods(type_name);
  if (!mods.empty()) {
    t += "(";
    for (size_t i = 0; i < mods.size(); ++i) t += (i ? "," : "") + std::to_string(mods[i]);
    t += ")";
  }
  if (analysis::TypeIsArray(type_name)) t += "[]";
  return t;
}

// `text` (a CREATE [UNIQUE] INDEX statement, maybe after comments) with CONCURRENTLY after
// INDEX; "" when the words are not where expected.
std::string MakeConcurrent(std::string_view text) {
  size_t i = 0;
  auto skip = [&] {
    for (;;) {
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      if (text.substr(i, 2) == "--") {
        size_t nl = text.find('\n', i);
        i = nl == std::string_view::npos ? text.size() : nl + 1;
      } else if (text.substr(i, 2) == "/*") {
        size_t end = text.find("*/", i + 2);
        i = end == std::string_view::npos ? text.size() : end + 2;
      } else {
        return;
      }
    }
  };
  auto word = [&](std::string_view w) {
    skip();
    if (i + w.size() > text.size() || base::ToLower(text.substr(i, w.size())) != w) return false;
    size_t end = i + w.size();
    if (end < text.size() &&
        (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) {
      return false;
    }
    i = end;
    return true;
  };
  if (!word("create")) return "";
  (void)word("unique");
  if (!word("index")) return "";
  std::string out(text);
  out.insert(i, " CONCURRENTLY");
  return out;
}

std::string StripSemicolon(std::string_view text) {
  std::string t(base::Trim(text));
  while (!t.empty() && (t.back() == ';' || std::isspace(static_cast<unsigned char>(t.back())))) {
    t.pop_back();
  }
  return t;
}

}  // namespace

std::string_view OpKindName(OpKind k) {
  switch (k) {
    case OpKind::kRenameColumn:
      return "rename_column";
    case OpKind::kAlterType:
      return "alter_type";
    case OpKind::kSetNotNull:
      return "set_not_null";
    case OpKind::kAddColumn:
      return "add_column";
    case OpKind::kDropColumn:
      return "drop_column";
    case OpKind::kAddCheck:
      return "add_check";
    case OpKind::kAddForeignKey:
      return "add_foreign_key";
    case OpKind::kAddUnique:
      return "add_unique";
    case OpKind::kCreateIndex:
      return "create_index";
    case OpKind::kRenameTable:
      return "rename_table";
  }
  return "";
}

namespace {

// The end of the identifier (plain or "quoted") that starts at `pos` of `s`.
size_t IdentEnd(std::string_view s, size_t pos) {
  if (pos < s.size() && s[pos] == '"') {
    for (size_t i = pos + 1; i < s.size(); ++i) {
      if (s[i] != '"') continue;
      if (i + 1 < s.size() && s[i + 1] == '"') {
        ++i;
        continue;
      }
      return i + 1;
    }
    return s.size();
  }
  size_t i = pos;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' ||
                          s[i] == '$' || static_cast<unsigned char>(s[i]) >= 0x80)) {
    ++i;
  }
  return i;
}

// The end of the dotted name of `parts` identifiers starting at `pos` (blanks around dots).
size_t DottedEnd(std::string_view s, size_t pos, size_t parts) {
  size_t i = IdentEnd(s, pos);
  for (size_t k = 1; k < parts; ++k) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size() || s[i] != '.') return i;
    ++i;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    i = IdentEnd(s, i);
  }
  return i;
}

}  // namespace

Result<RowExpression> QualifyForTrigger(std::string_view expr, std::string_view table) {
  const std::string prefix = "SELECT ";
  std::string sql = prefix + std::string(expr);
  auto parsed = analysis::ParseSnippet(sql);
  if (parsed.statements.size() != 1 ||
      parsed.statements[0].As("SelectStmt").Get("targetList").size() != 1) {
    return Status(ErrorCode::kValidation, fmt::format("`{}` is not one expression", expr));
  }
  RowExpression out;
  Status bad;
  auto fail = [&](std::string message) {
    if (bad.ok()) bad = Status(ErrorCode::kValidation, std::move(message));
    return false;
  };
  auto add_ref = [&](JsonRef cr, size_t parts, std::string column) {
    size_t at = static_cast<size_t>(cr.Get("location").Int()) - prefix.size();
    size_t end = DottedEnd(expr, at, parts);
    size_t col_at = parts == 1 ? at : expr.find_last_of('.', end) + 1;
    while (col_at < end && std::isspace(static_cast<unsigned char>(expr[col_at]))) ++col_at;
    out.refs.push_back({at, end - at, column, std::string(expr.substr(col_at, end - col_at))});
  };
  std::function<void(JsonRef, bool)> walk = [&](JsonRef root, bool in_sub) {
    analysis::WalkJson(root, [&](JsonRef n) {
      if (!bad.ok()) return false;
      if (JsonRef sub = n.As("SubLink")) {
        out.subquery = true;
        walk(sub, true);
        return false;
      }
      if (n.IsObject()) {
        std::string_view alias = n.Get("aliasname").Str();
        if (alias.empty()) alias = n.Get("ctename").Str();
        if (!table.empty() && alias == table) {
          return fail(
              fmt::format("`{}` names something else `{}` inside a subquery; "
                          "`{}.<column>` must mean the changed row",
                          expr, alias, table));
        }
      }
      if (JsonRef rv = n.As("RangeVar")) {
        std::string_view rel = rv.Get("relname").Str();
        if (!table.empty() && rel == table) {
          return fail(fmt::format(
              "`{}` reads `{}` itself: the trigger computes the value before the row is "
              "written and sees neither it nor the other rows the same statement writes, so "
              "the trigger and the backfill would disagree",
              expr, table));
        }
        std::string schema(rv.Get("schemaname").Str());
        out.tables.push_back((schema.empty() ? "" : schema + ".") + std::string(rel));
        return true;
      }
      if (JsonRef fc = n.As("FuncCall")) {
        out.functions.push_back(analysis::DottedName(fc.Get("funcname")));
        return true;
      }
      JsonRef cr = n.As("ColumnRef");
      if (!cr) return true;
      JsonRef fields = cr.Get("fields");
      bool all_names = true;
      for (size_t i = 0; i < fields.size(); ++i) all_names &= bool(fields.At(i).As("String"));
      auto name = [&](size_t i) {
        return std::string(fields.At(i).As("String").Get("sval").Str());
      };
      if (all_names && fields.size() == 2 && !table.empty() && name(0) == table) {
        out.columns.push_back(name(1));
        add_ref(cr, 2, name(1));
        return false;
      }
      if (in_sub) {
        if (all_names && fields.size() == 3 && !table.empty() && name(1) == table) {
          return fail(fmt::format("`{}` names the changed row with its schema; write `{}.<column>`",
                                  expr, table));
        }
        return false;  // a column of the subquery's own tables
      }
      if (fields.size() != 1 || !all_names) {
        return fail(fmt::format(
            "`{}` names a column qualified{} or with `*`; outside a subquery write the changed "
            "table's columns unqualified{}",
            expr, table.empty() ? "" : " with another name than `" + std::string(table) + "`",
            table.empty() ? "" : " (or as `" + std::string(table) + ".<column>`)"));
      }
      out.columns.push_back(name(0));
      add_ref(cr, 1, name(0));
      return false;
    });
  };
  walk(parsed.statements[0], false);
  if (!bad.ok()) return bad;
  std::sort(out.refs.begin(), out.refs.end(),
            [](const RowExpression::Ref& a, const RowExpression::Ref& b) { return a.pos < b.pos; });
  out.text = expr;
  for (auto it = out.refs.rbegin(); it != out.refs.rend(); ++it) {
    out.text.replace(it->pos, it->len, "NEW." + it->written);
  }
  return out;
}

bool IsChangeFile(const sql::FileSettings& settings) {
  for (const auto& d : settings.directives) {
    if (d.name == "change") return true;
  }
  return false;
}

Status CheckPlainMigration(const std::vector<std::string>& open_tables, std::string_view text,
                           const std::string& path) {
  if (open_tables.empty()) return Status::Ok();
  analysis::SchemaModel model;
  auto fa = analysis::AnalyzeFile(text, path, model, 15, true, {});
  for (const auto& st : fa->statements) {
    std::vector<analysis::TableRef> refs{st.facts.target};
    for (const auto& o : st.facts.other_locks) refs.push_back(o.table);
    for (const auto& t : refs) {
      if (t.empty()) continue;
      std::string key = t.Key();
      if (std::find(open_tables.begin(), open_tables.end(), key) == open_tables.end()) continue;
      return Status(ErrorCode::kValidation,
                    fmt::format("`{}` touches table `{}`, which has an open zero-downtime change "
                                "(old and new representations kept in step by triggers)",
                                base::Trim(st.text()).substr(0, 120), key))
          .WithSpan({path, st.line, st.column})
          .WithHint(
              "finish the change first (`strata change status`, then `strata change "
              "complete` or `abort`), or run with --allow-open-changes if this statement "
              "is safe beside it");
    }
  }
  return Status::Ok();
}

Result<ChangeSpec> Derive(std::string_view raw, const std::string& path) {
  std::string text = base::NormalizeText(raw);
  ChangeSpec spec;
  spec.path = path;
  spec.name = std::filesystem::path(path).stem().string();
  spec.checksum = base::Sha256Hex(text);
  STRATA_ASSIGN_OR_RETURN(auto dirs, ReadDirectives(text, path));
  if (!dirs.change) {
    return Refuse(path, 1, 1, "the file is not marked `-- strata:change`",
                  "add the line `-- strata:change` before its statements");
  }
  spec.chunk_size = dirs.chunk_size;
  spec.max_rows_per_second = dirs.max_rows_per_second;

  analysis::SchemaModel model;
  auto fa = analysis::AnalyzeFile(text, path, model, 15, true, {});
  std::map<std::string, std::string> touched;  // table.column → statement position
  for (const auto& st : fa->statements) {
    auto refuse = [&](std::string message, std::string hint) {
      return Refuse(path, st.line, st.column, std::move(message), std::move(hint));
    };
    if (st.parse_failed()) {
      return refuse(fmt::format("syntax error: {}", st.parsed->error),
                    "fix the statement; a change file holds plain PostgreSQL DDL");
    }
    JsonRef node = st.node();
    Operation op;
    op.line = st.line;
    op.col = st.column;
    op.statement = std::string(base::Trim(st.text()));
    auto take_table = [&](JsonRef rv) {
      op.schema = std::string(rv.Get("schemaname").Str());
      op.table = std::string(rv.Get("relname").Str());
    };
    std::vector<Operation> ops;
    if (JsonRef r = node.As("RenameStmt"); r && r.Get("renameType").Str() == "OBJECT_TABLE") {
      take_table(r.Get("relation"));
      op.kind = OpKind::kRenameTable;
      op.object = std::string(r.Get("newname").Str());
      ops.push_back(op);
    } else if (JsonRef r = node.As("RenameStmt")) {
      if (r.Get("renameType").Str() != "OBJECT_COLUMN" ||
          r.Get("relationType").Str() != "OBJECT_TABLE") {
        return refuse(fmt::format("`{}` is not a column rename; strata change derives column "
                                  "renames, type changes, SET NOT NULL, ADD COLUMN ... NOT NULL "
                                  "and DROP COLUMN so far",
                                  op.statement),
                      "move it to a plain migration, or split it into a change of its own once "
                      "strata supports it");
      }
      take_table(r.Get("relation"));
      op.kind = OpKind::kRenameColumn;
      op.column = std::string(r.Get("subname").Str());
      op.new_column = std::string(r.Get("newname").Str());
      ops.push_back(op);
    } else if (JsonRef a = node.As("AlterTableStmt")) {
      if (a.Get("objtype").Str() != "OBJECT_TABLE") {
        return refuse("only ALTER TABLE is derived in a change file",
                      "move it to a plain migration");
      }
      take_table(a.Get("relation"));
      JsonRef cmds = a.Get("cmds");
      for (size_t i = 0; i < cmds.size(); ++i) {
        JsonRef c = cmds.At(i).As("AlterTableCmd");
        std::string_view sub = c.Get("subtype").Str();
        Operation o = op;
        o.column = std::string(c.Get("name").Str());
        if (sub == "AT_SetNotNull") {
          o.kind = OpKind::kSetNotNull;
        } else if (sub == "AT_AlterColumnType") {
          o.kind = OpKind::kAlterType;
          JsonRef def = c.Get("def").As("ColumnDef");
          if (def.Get("raw_default") || def.Get("collClause")) {
            return refuse("ALTER COLUMN TYPE ... USING/COLLATE in a change file",
                          "give the conversion as `-- strata:up <column> = <expression>` "
                          "instead of USING");
          }
          o.new_type = TypeText(def.Get("typeName"));
        } else if (sub == "AT_AddColumn") {
          o.kind = OpKind::kAddColumn;
          JsonRef def = c.Get("def").As("ColumnDef");
          o.column = std::string(def.Get("colname").Str());
          o.new_column = o.column;
          o.new_type = TypeText(def.Get("typeName"));
          bool not_null = false;
          JsonRef cons = def.Get("constraints");
          for (size_t k = 0; k < cons.size(); ++k) {
            std::string_view ct = cons.At(k).As("Constraint").Get("contype").Str();
            if (ct == "CONSTR_NOTNULL") {
              not_null = true;
            } else {
              return refuse(
                  fmt::format("ADD COLUMN `{}` with a {} clause in a change file", o.column,
                              base::ToLower(ct.substr(7))),
                  "a nullable column, or one with a constant DEFAULT, is already online: put "
                  "it in a plain migration; in a change write `ADD COLUMN c type NOT NULL` with "
                  "`-- strata:up c = <expression>`");
            }
          }
          o.nullable = !not_null;  // refused below unless an `up` computes it (a split)
        } else if (sub == "AT_DropColumn") {
          o.kind = OpKind::kDropColumn;
        } else if (sub == "AT_AddConstraint") {
          JsonRef con = c.Get("def").As("Constraint");
          std::string_view ct = con.Get("contype").Str();
          o.object = std::string(con.Get("conname").Str());
          o.column.clear();
          if (ct != "CONSTR_CHECK" && ct != "CONSTR_FOREIGN" && ct != "CONSTR_UNIQUE") {
            std::string what = base::ToLower(ct.substr(7));
            if (what == "primary") what = "primary key";
            return refuse(fmt::format("`{}`: a {} constraint is not derived in a change file",
                                      op.statement, what),
                          "change files add CHECK, FOREIGN KEY and UNIQUE constraints; put "
                          "other constraints in a plain migration");
          }
          if (o.object.empty()) {
            return refuse(
                fmt::format("`{}` does not name its constraint", op.statement),
                "write `ADD CONSTRAINT <name> ...`: start, complete and abort find it by name");
          }
          if (cmds.size() != 1) {
            return refuse("ADD CONSTRAINT together with other changes in one ALTER TABLE",
                          "write one ALTER TABLE ... ADD CONSTRAINT statement per constraint");
          }
          if (ct == "CONSTR_UNIQUE") {
            o.kind = OpKind::kAddUnique;
            if (con.Get("including").size() > 0 || con.Get("options").size() > 0 ||
                !con.Get("indexspace").Str().empty() || !con.Get("indexname").Str().empty() ||
                con.Get("deferrable").Bool()) {
              return refuse(
                  "UNIQUE with INCLUDE, WITH, USING INDEX, a tablespace or DEFERRABLE in a "
                  "change file",
                  "write `ADD CONSTRAINT <name> UNIQUE (<columns>)`; strata builds the index "
                  "CONCURRENTLY itself");
            }
            std::vector<std::string> keys;
            JsonRef k = con.Get("keys");
            for (size_t j = 0; j < k.size(); ++j) {
              keys.push_back(QuoteIdent(std::string(k.At(j).As("String").Get("sval").Str())));
            }
            o.column = keys.empty() ? "" : std::string(k.At(0).As("String").Get("sval").Str());
            o.ddl = fmt::format("({}){}", fmt::join(keys, ", "),
                                con.Get("nulls_not_distinct").Bool() ? " NULLS NOT DISTINCT" : "");
          } else {
            o.kind = ct == "CONSTR_CHECK" ? OpKind::kAddCheck : OpKind::kAddForeignKey;
            if (con.Get("skip_validation").Bool()) {
              return refuse(
                  fmt::format("`{}` is already NOT VALID: it needs no change window", op.statement),
                  "put it in a plain migration and VALIDATE it in a later one, or "
                  "drop NOT VALID and let the change do both");
            }
            o.ddl = StripSemicolon(op.statement) + "\nNOT VALID";
          }
        } else {
          return refuse(
              fmt::format("`{}`: {} is not derived in a change file yet", op.statement, sub),
              "move it to a plain migration, or split the change");
        }
        ops.push_back(o);
      }
    } else if (JsonRef ix = node.As("IndexStmt")) {
      take_table(ix.Get("relation"));
      op.kind = OpKind::kCreateIndex;
      op.object = std::string(ix.Get("idxname").Str());
      if (op.object.empty()) {
        return refuse(fmt::format("`{}` does not name its index", op.statement),
                      "write `CREATE INDEX <name> ON ...`: start and abort find it by name");
      }
      if (ix.Get("if_not_exists").Bool()) {
        return refuse("CREATE INDEX IF NOT EXISTS in a change file",
                      "drop IF NOT EXISTS: strata checks for the index itself, and rebuilds one "
                      "an interrupted CONCURRENTLY left invalid");
      }
      std::string text = StripSemicolon(op.statement);
      op.ddl = ix.Get("concurrent").Bool() ? text : MakeConcurrent(text);
      if (op.ddl.empty()) {
        return refuse(fmt::format("`{}`: cannot place CONCURRENTLY in it", op.statement),
                      "write CREATE INDEX CONCURRENTLY yourself");
      }
      ops.push_back(op);
    } else {
      return refuse(fmt::format("`{}` ({}) is not derived in a change file", op.statement,
                                analysis::StatementKindName(st.facts.kind)),
                    "a change file holds ALTER TABLE column changes only; put other statements "
                    "in a plain migration before or after it");
    }
    for (auto& o : ops) {
      bool object_op = !o.object.empty();
      std::string key = o.schema + "." + o.table + "." + (object_op ? "#" + o.object : o.column);
      if (touched.count(key)) {
        return refuse(
            fmt::format("{} `{}` of `{}` is changed twice in one change file",
                        object_op ? "object" : "column", object_op ? o.object : o.column, o.table),
            fmt::format("one operation per column; the first is at {}", touched[key]));
      }
      touched[key] = fmt::format("{}:{}", path, o.line);
      if (o.kind == OpKind::kRenameColumn) {
        touched[o.schema + "." + o.table + "." + o.new_column] = touched[key];
      }
      // up: keyed by the new representation's name; down: by the old column's.
      if (object_op) {
        spec.operations.push_back(std::move(o));
        continue;
      }
      std::string up_key = o.kind == OpKind::kRenameColumn ? o.new_column : o.column;
      if (auto it = dirs.up.find(up_key); it != dirs.up.end()) {
        it->second.used = true;
        o.up = it->second.expr;
      }
      if (auto it = dirs.down.find(o.column); it != dirs.down.end()) {
        it->second.used = true;
        o.down = it->second.expr;
      }
      switch (o.kind) {
        case OpKind::kRenameColumn:
          if (o.up.empty()) o.up = QuoteIdent(o.column), o.up_inferred = true;
          if (o.down.empty()) o.down = QuoteIdent(o.new_column), o.down_inferred = true;
          break;
        case OpKind::kAlterType:
          if (o.up.empty()) {
            o.up = fmt::format("{}::{}", QuoteIdent(o.column), o.new_type);
            o.up_inferred = true;
          }
          // down is inferred with the old type, known only from the database (Plan).
          break;
        case OpKind::kSetNotNull:
        case OpKind::kAddColumn:
          if (o.up.empty() && o.nullable) {
            return refuse(
                fmt::format("ADD COLUMN `{}` without NOT NULL needs no change window", o.column),
                fmt::format("put it in a plain migration; or, for a split or merge, compute it "
                            "from the old columns with `-- strata:up {} = <expression>`",
                            o.column));
          }
          if (o.up.empty()) {
            return refuse(
                fmt::format("`{}` needs a value for rows whose `{}` is NULL: the old version "
                            "keeps writing them during the window",
                            o.statement, o.column),
                fmt::format("add `-- strata:up {} = <expression over the row>`, e.g. "
                            "`coalesce({}, 0)`",
                            o.column, o.kind == OpKind::kSetNotNull ? o.column : "other_column"));
          }
          break;
        default:
          break;
      }
      spec.operations.push_back(std::move(o));
    }
  }
  // A table rename moves the table under a view for the old version at start; a column or
  // object change of the same table in the same window would have to be made on the table under
  // its new name, through the old name's view for the old version, and contracted before the
  // view drops. strata does not combine them: one window per shape change of a table.
  for (const auto& ren : spec.operations) {
    if (ren.kind != OpKind::kRenameTable) continue;
    for (const auto& o : spec.operations) {
      if (&o == &ren || o.schema != ren.schema || (o.table != ren.table && o.table != ren.object)) {
        continue;
      }
      const Operation& later = o.line > ren.line ? o : ren;
      const Operation& first = o.line > ren.line ? ren : o;
      return Refuse(
          path, later.line, later.col,
          fmt::format("`{}` and `{}` change the same table in one change file: a table rename "
                      "and other changes of `{}` cannot share one window",
                      first.statement, later.statement, ren.table),
          fmt::format("put `ALTER TABLE {} RENAME TO {}` in a change file of its own; complete "
                      "it, then change `{}` in the next one (or the other way round)",
                      ren.table, ren.object, ren.object));
    }
  }
  for (const auto* m : {&dirs.up, &dirs.down}) {
    for (const auto& [col, e] : *m) {
      if (!e.used) {
        return Refuse(path, e.line, 1,
                      fmt::format("`-- strata:{} {} = ...` matches no operation of this file",
                                  m == &dirs.up ? "up" : "down", col),
                      "`up` names the new representation's column, `down` the old column");
      }
    }
  }
  if (spec.operations.empty()) {
    return Refuse(path, 1, 1, "the change file holds no statement",
                  "write the DDL of the end state");
  }
  return spec;
}

}  // namespace strata::change
