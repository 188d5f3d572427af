#include "lint/sqlite_lint.h"

#include "analysis/parse.h"
#include "base/text.h"
#include "sql/splitter.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

namespace strata::lint {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string VersionName(int v) {
  return fmt::format("{}.{}.{}", v / 1'000'000, v / 1000 % 1000, v % 1000);
}

bool DropsColumn(const analysis::StatementAnalysis& sa) {
  analysis::JsonRef alter = sa.node().As("AlterTableStmt");
  if (!alter) return false;
  analysis::JsonRef cmds = alter.Get("cmds");
  for (size_t i = 0; i < cmds.size(); ++i) {
    if (cmds.At(i).Get("AlterTableCmd").Get("subtype").Str() == "AT_DropColumn") return true;
  }
  return false;
}

bool ChangesColumnType(const analysis::StatementAnalysis& sa, std::string_view text) {
  // ALTER TABLE ... ALTER COLUMN ... TYPE: PostgreSQL's grammar reads it; SQLite's does not.
  analysis::JsonRef alter = sa.node().As("AlterTableStmt");
  if (alter) {
    analysis::JsonRef cmds = alter.Get("cmds");
    for (size_t i = 0; i < cmds.size(); ++i) {
      if (cmds.At(i).Get("AlterTableCmd").Get("subtype").Str() == "AT_AlterColumnType") {
        return true;
      }
    }
  }
  std::string t = Lower(text);
  return t.find("alter column") != std::string::npos && t.find(" type ") != std::string::npos;
}

// An error about the schema (what exists), not the statement's syntax.
bool SchemaMismatch(std::string_view error) {
  // ... or SQLite's compile-time limits, which the target's build may set otherwise.
  for (std::string_view k :
       {"no such ", "already exists", "has no column named", "too large", "too many"}) {
    if (error.find(k) != std::string_view::npos) return true;
  }
  return false;
}

constexpr const char* kRebuildRecipe =
    "rebuild the table the 12-step way (sqlite.org/lang_altertable.html#otheralter): "
    "`-- strata:transaction off`, PRAGMA foreign_keys=OFF, BEGIN, CREATE TABLE new_t, INSERT "
    "INTO new_t SELECT ... FROM t, DROP TABLE t, ALTER TABLE new_t RENAME TO t, recreate "
    "indexes and triggers, PRAGMA foreign_key_check, COMMIT, PRAGMA foreign_keys=ON";

}  // namespace

SqliteLinter::SqliteLinter(const LintConfig& config, const LiveInfo* live) {
  target_version_ = config.sqlite_version > 0          ? config.sqlite_version
                    : live && live->sqlite_version > 0 ? live->sqlite_version
                                                       : SqliteScratch::LibraryVersion();
  if (live && !live->sqlite_schema.empty()) {
    scratch_.Seed(live->sqlite_schema);
    seeded_ = true;
  }
}

void SqliteLinter::BeginFile(bool run, bool report, bool transactional) {
  run_ = run || !seeded_;
  report_ = report;
  transactional_ = transactional;
  dropped_.clear();
  dangling_seen_.clear();
  rebuilt_drops_.clear();
  dangling_before_.clear();
  copy_seen_ = false;
  if (!run_) return;
  if (report_) dangling_before_ = scratch_.DanglingForeignKeys();
  if (transactional_) scratch_.Exec("BEGIN");
}

void SqliteLinter::Statement(const LintInput& in, const analysis::FileAnalysis& fa,
                             const analysis::StatementAnalysis& sa, const Emit& emit) {
  (void)fa;
  if (!run_ || !sa.parsed) return;
  const analysis::ParsedStatement& ps = *sa.parsed;
  std::string_view orig =
      std::string_view(in.text).substr(std::min(ps.offset, in.text.size()), ps.length);
  const bool placeholder = orig.find("${") != std::string_view::npos;
  std::string sql = placeholder ? analysis::MaskPlaceholders(orig) : std::string(orig);
  auto words = sql::StatementWords(orig, 2, db::Dialect::kSqlite);
  std::string first = words.empty() ? "" : words[0];
  // The scratch touches no files (ATTACH, VACUUM INTO) and runs no VACUUM (the engine runs it
  // outside the transaction). COPY is PostgreSQL's: the engine refuses it with its own message,
  // and its inline rows after it are data, not statements.
  if (first == "ATTACH" || first == "DETACH" || first == "VACUUM") return;
  if (first == "COPY") copy_seen_ = true;
  if (copy_seen_) return;
  if (transactional_ && (first == "BEGIN" || first == "COMMIT" || first == "END" ||
                         first == "ROLLBACK" || first == "SAVEPOINT" || first == "RELEASE")) {
    return;  // strata's own transaction holds the file (TX102 says the rest)
  }
  const int index = static_cast<int>(sa.index);

  // DROP TABLE: what the table was, and who references it, before it goes.
  std::vector<std::string> referenced_by;
  bool fk_on = false;
  std::string dropped_name;
  if (sa.facts.kind == analysis::StatementKind::kDropTable && !sa.facts.target.empty() &&
      scratch_.TableExists(sa.facts.target.name)) {
    dropped_name = sa.facts.target.name;
    Dropped d;
    d.statement = index;
    d.columns = scratch_.Columns(dropped_name);
    d.strict = scratch_.Strict(dropped_name);
    dropped_[Lower(dropped_name)] = std::move(d);
    for (auto& t : scratch_.ReferencedBy(dropped_name)) {
      if (!base::EqualsIgnoreCase(t, dropped_name)) referenced_by.push_back(t);
    }
    fk_on = !referenced_by.empty() && scratch_.ForeignKeysOn();
  }
  const bool drop_column = DropsColumn(sa);

  SqliteScratch::Outcome outcome = scratch_.Run(sql);

  if (report_) {
    if (drop_column && target_version_ < 3'035'000) {
      emit("sqlite-drop-column", ps.offset, index,
           fmt::format("SQLite {} has no ALTER TABLE ... DROP COLUMN (added in 3.35.0): the "
                       "migration fails here",
                       VersionName(target_version_)),
           std::string(kRebuildRecipe) + " — or set [lint] sqlite_version if the target is newer");
    } else if (!outcome.ok && !placeholder &&
               (context_ || !SchemaMismatch(outcome.error) || drop_column)) {
      size_t at = ps.offset;
      if (outcome.offset >= 0 && static_cast<size_t>(outcome.offset) <= ps.length) {
        at += static_cast<size_t>(outcome.offset);
      }
      if (drop_column) {
        emit("sqlite-drop-column", at, index,
             fmt::format("SQLite cannot drop this column: {}", outcome.error), kRebuildRecipe);
      } else {
        std::string help;
        std::string_view rule = "sqlite-rejects-statement";
        if (SchemaMismatch(outcome.error) && !ChangesColumnType(sa, orig)) {
          // The scratch's schema may differ from the real one (objects made outside the
          // migrations, a partly applied non-transactional file being resumed): a warning.
          rule = "sqlite-schema-mismatch";
        }
        if (ChangesColumnType(sa, orig)) {
          help = std::string("SQLite has no ALTER COLUMN ... TYPE; ") + kRebuildRecipe;
        } else if (outcome.error.find("no such") != std::string::npos ||
                   outcome.error.find("has no column") != std::string::npos) {
          help =
              "create it in an earlier migration or fix the name: strata ran the pending set in "
              "order against a scratch SQLite database and it was not there";
        } else {
          help = "fix the statement: SQLite rejects it, so the migration would fail here";
        }
        emit(rule, at, index,
             (rule == "sqlite-schema-mismatch"
                  ? "SQLite rejects this statement against the schema the migrations build: "
                  : "SQLite rejects this statement: ") +
                 outcome.error,
             std::move(help));
      }
    }
    if (fk_on) {
      emit("sqlite-rebuild-foreign-keys", ps.offset, index,
           fmt::format("foreign keys are on: dropping {} deletes the referencing rows of {} (ON "
                       "DELETE CASCADE) or fails, even when the table is rebuilt right after",
                       dropped_name, fmt::join(referenced_by, ", ")),
           kRebuildRecipe);
    }
  }

  if (first != "ALTER" && first != "DROP" && first != "CREATE") return;
  // A dropped table back under its name: a rebuild. Declared types it changed are not applied
  // to the rows copied in (SQ104).
  for (auto it = dropped_.begin(); it != dropped_.end();) {
    if (static_cast<int>(sa.index) == it->second.statement || !scratch_.TableExists(it->first)) {
      ++it;
      continue;
    }
    rebuilt_drops_.insert(it->second.statement);
    if (report_ && !scratch_.Strict(it->first)) {
      std::vector<std::string> changes;
      for (const auto& [name, type] : scratch_.Columns(it->first)) {
        for (const auto& [old_name, old_type] : it->second.columns) {
          if (!base::EqualsIgnoreCase(name, old_name) || base::EqualsIgnoreCase(type, old_type)) {
            continue;
          }
          std::string_view a = SqliteAffinity(old_type), b = SqliteAffinity(type);
          if (a != b) {
            changes.push_back(fmt::format("{} from {} ({} affinity) to {} ({} affinity)", name,
                                          old_type.empty() ? "no type" : old_type, a,
                                          type.empty() ? "no type" : type, b));
          } else if (type.find('(') != std::string::npos ||
                     old_type.find('(') != std::string::npos) {
            changes.push_back(
                fmt::format("{} from {} to {} (SQLite ignores the length)", name, old_type, type));
          }
        }
      }
      if (!changes.empty()) {
        emit("sqlite-type-change-ignored", ps.offset, index,
             fmt::format("the rebuild of {} changes {}: SQLite neither converts nor checks the "
                         "rows copied in, values that do not fit keep their old type",
                         it->first, fmt::join(changes, "; ")),
             "convert in the copy (INSERT INTO new_t SELECT CAST(c AS ...) ...), check with "
             "SELECT count(*) FROM t WHERE typeof(c) <> '...', or declare the table STRICT");
      }
    }
    it = dropped_.erase(it);
  }
  if (first == "CREATE" || !report_) return;
  auto now = scratch_.DanglingForeignKeys();
  for (auto it = dangling_seen_.begin(); it != dangling_seen_.end();) {
    it = now.count(it->first) ? std::next(it) : dangling_seen_.erase(it);
  }
  for (const auto& k : now) {
    if (!dangling_before_.count(k) && !dangling_seen_.count(k)) {
      dangling_seen_[k] = {index, ps.offset};
    }
  }
}

std::set<int> SqliteLinter::EndFile(const Emit& emit) {
  if (run_ && transactional_) scratch_.Exec("COMMIT");
  if (report_ && !dangling_seen_.empty()) {
    // Only what is still dangling once the file is done (a rebuild drops, then renames back).
    auto now = scratch_.DanglingForeignKeys();
    for (auto it = dangling_seen_.begin(); it != dangling_seen_.end();) {
      it = now.count(it->first) ? std::next(it) : dangling_seen_.erase(it);
    }
    for (const auto& [key, where] : dangling_seen_) {
      emit("sqlite-rebuild-foreign-keys", where.second, where.first,
           fmt::format("after this migration the foreign key {} points at a table that no longer "
                       "exists: renaming a referenced table rewrites the references to the new "
                       "name (SQLite 3.26+), so dropping it afterwards leaves them dangling",
                       key),
           kRebuildRecipe);
    }
  }
  std::set<int> out = std::move(rebuilt_drops_);
  rebuilt_drops_.clear();
  dangling_seen_.clear();
  dropped_.clear();
  return out;
}

}  // namespace strata::lint
