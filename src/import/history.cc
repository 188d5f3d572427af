// The other tools' history tables, read (never written). Each reader names the source that
// defines the table it expects.
#include <fmt/format.h>

#include <regex>

#include "import/import.h"

namespace strata::import {

namespace {

std::string Text(const db::Value& v) { return v ? *v : std::string(); }

// `s` as an SQL string literal (quotes doubled), the same on PostgreSQL and SQLite.
std::string Literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    out.push_back(c);
    if (c == '\'') out.push_back('\'');
  }
  return out + "'";
}

// `name` or `schema.name`, as an SQL identifier: unquoted (so PostgreSQL folds it as the tool
// did when it created the table) when it is a plain name; refused otherwise.
Result<std::pair<std::string, std::string>> SplitName(const std::string& name) {
  static const std::regex kPlain(R"(^([A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_]*$)");
  if (!std::regex_match(name, kPlain)) {
    return Status(ErrorCode::kUsage, fmt::format("--table '{}' is not a table name", name))
        .WithHint("give the table as name or schema.name");
  }
  size_t dot = name.find('.');
  if (dot == std::string::npos) return std::make_pair(std::string(), name);
  return std::make_pair(name.substr(0, dot), name.substr(dot + 1));
}

// Whether the table exists, trying the name as given and in lower case (Liquibase creates
// DATABASECHANGELOG unquoted: databasechangelog on PostgreSQL).
Result<std::optional<std::string>> Find(db::Connection& conn, const std::string& name) {
  STRATA_ASSIGN_OR_RETURN(auto parts, SplitName(name));
  for (bool lower : {false, true}) {
    std::string table = parts.second;
    if (lower) {
      for (auto& c : table) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    STRATA_ASSIGN_OR_RETURN(bool exists, conn.TableExists(parts.first, table));
    if (exists) return std::optional<std::string>(name);
  }
  return std::optional<std::string>();
}

Result<db::QueryResult> Read(db::Connection& conn, const std::string& sql,
                             const std::string& table) {
  auto r = conn.Query(sql);
  if (!r) {
    return Status(ErrorCode::kValidation, fmt::format("cannot read {} as the tool defines it: {}",
                                                      table, r.status().message()))
        .WithHint("the table does not have the tool's columns; check --from and --table");
  }
  return std::move(*r);
}

}  // namespace

Result<History> ReadHistory(Tool tool, db::Connection& conn, const std::string& table_override,
                            const std::string& project) {
  History h;
  std::vector<std::string> names;
  switch (tool) {
    case Tool::kFlyway:
      names = {"flyway_schema_history", "schema_version"};  // Flyway 5+, Flyway before 5
      break;
    case Tool::kGolangMigrate:
    case Tool::kDbmate:
      names = {"schema_migrations"};
      break;
    case Tool::kDiesel:
      names = {"__diesel_schema_migrations"};
      break;
    case Tool::kLiquibase:
      names = {"DATABASECHANGELOG"};
      break;
    case Tool::kSqitch:
      names = {conn.dialect() == db::Dialect::kPostgres ? "sqitch.changes" : "changes"};
      break;
  }
  if (!table_override.empty()) names = {table_override};
  for (const auto& n : names) {
    STRATA_ASSIGN_OR_RETURN(auto found, Find(conn, n));
    if (found) {
      h.table = *found;
      break;
    }
  }
  if (h.table.empty()) return h;
  const std::string& t = h.table;
  switch (tool) {
    case Tool::kFlyway: {
      // flyway/flyway flyway-core/src/main/resources/org/flywaydb/core/internal/database/
      // postgresql/createMetaDataTable.sql (Flyway 10): installed_rank, version, description,
      // type, script, checksum (integer), installed_by, installed_on, execution_time, success.
      STRATA_ASSIGN_OR_RETURN(
          auto r, Read(conn,
                       fmt::format("SELECT installed_rank, version, description, type, script, "
                                   "checksum, installed_by, installed_on, execution_time, "
                                   "success FROM {} ORDER BY installed_rank",
                                   t),
                       t));
      for (const auto& row : r.rows) {
        ToolRow tr;
        tr.where = fmt::format("{} installed_rank {}", t, Text(row[0]));
        tr.kind = Text(row[3]);
        // A versioned row is keyed by its version, a repeatable one by its description.
        tr.key = row[1] ? *row[1] : Text(row[2]);
        if (!row[1]) tr.kind = "R:" + tr.kind;
        tr.checksum = Text(row[5]);
        tr.applied_by = Text(row[6]);
        tr.applied_on = Text(row[7]);
        tr.execution_time_ms = row[8] ? std::stoll(*row[8]) : 0;
        tr.success = db::IsTrue(row[9]);
        h.rows.push_back(std::move(tr));
      }
      break;
    }
    case Tool::kGolangMigrate: {
      // golang-migrate/migrate database/postgres/postgres.go ensureVersionTable (v4):
      // CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key,
      // dirty boolean not null); one row, the version reached.
      STRATA_ASSIGN_OR_RETURN(auto r,
                              Read(conn, fmt::format("SELECT version, dirty FROM {}", t), t));
      if (!r.rows.empty()) {
        h.current_version = Text(r.rows[0][0]);
        h.dirty = db::IsTrue(r.rows[0][1]);
      }
      break;
    }
    case Tool::kDbmate: {
      // amacneil/dbmate pkg/driver/postgres/postgres.go CreateMigrationsTable (v2):
      // create table if not exists schema_migrations (version varchar(128) primary key).
      STRATA_ASSIGN_OR_RETURN(
          auto r, Read(conn, fmt::format("SELECT version FROM {} ORDER BY version", t), t));
      for (const auto& row : r.rows) {
        ToolRow tr;
        tr.key = Text(row[0]);
        tr.where = fmt::format("{} version {}", t, tr.key);
        h.rows.push_back(std::move(tr));
      }
      break;
    }
    case Tool::kDiesel: {
      // diesel-rs/diesel diesel_migrations/src/migration_harness.rs (2.x): table!
      // __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP
      // NOT NULL DEFAULT CURRENT_TIMESTAMP).
      STRATA_ASSIGN_OR_RETURN(
          auto r, Read(conn, fmt::format("SELECT version, run_on FROM {} ORDER BY version", t), t));
      for (const auto& row : r.rows) {
        ToolRow tr;
        tr.key = Text(row[0]);
        tr.applied_on = Text(row[1]);
        tr.where = fmt::format("{} version {}", t, tr.key);
        h.rows.push_back(std::move(tr));
      }
      break;
    }
    case Tool::kLiquibase: {
      // liquibase/liquibase liquibase-standard/src/main/java/liquibase/changelog/
      // StandardChangeLogHistoryService.java: ID, AUTHOR, FILENAME, DATEEXECUTED,
      // ORDEREXECUTED, EXECTYPE, MD5SUM, DESCRIPTION, COMMENTS, TAG, LIQUIBASE, CONTEXTS,
      // LABELS, DEPLOYMENT_ID.
      STRATA_ASSIGN_OR_RETURN(
          auto r, Read(conn,
                       fmt::format("SELECT ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, "
                                   "EXECTYPE, MD5SUM FROM {} ORDER BY ORDEREXECUTED",
                                   t),
                       t));
      for (const auto& row : r.rows) {
        ToolRow tr;
        tr.key = Text(row[1]) + ":" + Text(row[0]);
        tr.applied_on = Text(row[3]);
        tr.kind = Text(row[5]);
        tr.checksum = Text(row[6]);
        tr.where = fmt::format("{} changeset {} (file {}, ORDEREXECUTED {})", t, tr.key,
                               Text(row[2]), Text(row[4]));
        h.rows.push_back(std::move(tr));
      }
      break;
    }
    case Tool::kSqitch: {
      // sqitchers/sqitch lib/App/Sqitch/Engine/pg.sql (registry 1.1): changes (change_id,
      // script_hash, change, project, note, committed_at, committer_name, committer_email,
      // planned_at, planner_name, planner_email); the deployed changes only.
      STRATA_ASSIGN_OR_RETURN(
          auto r,
          Read(conn,
               fmt::format("SELECT change, script_hash, committed_at, committer_name, "
                           "committer_email, change_id FROM {}{} ORDER BY committed_at",
                           t, project.empty() ? "" : " WHERE project = " + Literal(project)),
               t));
      for (const auto& row : r.rows) {
        ToolRow tr;
        tr.key = Text(row[0]);
        tr.checksum = Text(row[1]);
        tr.applied_on = Text(row[2]);
        tr.applied_by = fmt::format("{} <{}>", Text(row[3]), Text(row[4]));
        tr.where = fmt::format("{} change {} ({})", t, tr.key, Text(row[5]));
        h.rows.push_back(std::move(tr));
      }
      break;
    }
  }
  return h;
}

}  // namespace strata::import
