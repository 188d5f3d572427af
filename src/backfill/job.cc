#include "backfill/job.h"

#include "analysis/fragment.h"
#include "base/file.h"
#include "base/sha256.h"
#include "base/text.h"
#include "config/toml_values.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <filesystem>

namespace strata::backfill {

using config::GetBool;
using config::GetDuration;
using config::GetInt;
using config::GetNumber;
using config::GetString;
using config::GetStrings;
using config::GetTable;
using config::TomlError;
using config::UnknownKey;

namespace {

Status Missing(const std::string& path, std::string_view field, std::string hint) {
  return Status(ErrorCode::kConfig, fmt::format("missing required field `{}`", field))
      .WithSpan({path, 0, 0})
      .WithHint(std::move(hint));
}

// A SQL fragment that is spliced into a statement: non-empty and one statement only.
Status CheckFragment(const std::string& path, const toml::node& n, std::string_view field,
                     const std::string& sql) {
  if (base::Trim(sql).empty()) {
    return TomlError(path, n, fmt::format("`{}` must not be empty", field));
  }
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == ';') {
      return TomlError(path, n, fmt::format("`{}` must be one SQL expression, without `;`", field),
                       "a job runs exactly one UPDATE per chunk; put other work in a migration");
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      return TomlError(path, n, fmt::format("`{}` must not contain a `--` comment", field),
                       "comments would swallow the SQL strata appends; use /* */ or a TOML "
                       "comment");
    }
  }
  if (quote) return TomlError(path, n, fmt::format("`{}` has an unterminated quote", field));
  return Status::Ok();
}

}  // namespace

const char* KindName(JobKind kind) { return kind == JobKind::kDelete ? "delete" : "update"; }

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 127) return false;
  bool start = true;
  for (char c : s) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = (c >= '0' && c <= '9') || c == '$';
    if (c == '.') {
      if (start) return false;
      start = true;
      continue;
    }
    if (start ? !alpha : !(alpha || digit)) return false;
    start = false;
  }
  return !start;
}

Result<JobSpec> ParseJob(std::string_view text, const std::string& path, const std::string& name) {
  JobSpec j;
  j.path = path;
  j.name = name;
  j.checksum = base::Sha256Hex(base::NormalizeText(text));
  bool name_ok = !name.empty() && name.size() <= 120;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) {
      name_ok = false;
    }
  }
  if (!name_ok) {
    return Status(ErrorCode::kConfig, fmt::format("job name `{}` is not a valid job key", name))
        .WithSpan({path, 0, 0})
        .WithHint("name the file <job>.toml using letters, digits, `_`, `-` or `.` (at most 120)");
  }
  STRATA_ASSIGN_OR_RETURN(toml::table tbl, config::ParseToml(text, path));
  const toml::node* where_node = nullptr;
  const toml::node* set_node = nullptr;
  const toml::node* from_node = nullptr;
  const toml::node* join_node = nullptr;
  const toml::node* verify_node = nullptr;
  const toml::node* chunk_node = nullptr;
  for (auto&& [k, node] : tbl) {
    std::string_view key = k.str();
    if (key == "kind") {
      STRATA_ASSIGN_OR_RETURN(auto kind, GetString(path, node, key));
      j.kind_at = {static_cast<int>(node.source().begin.line),
                   static_cast<int>(node.source().begin.column)};
      if (kind == "update") {
        j.kind = JobKind::kUpdate;
      } else if (kind == "delete") {
        j.kind = JobKind::kDelete;
      } else {
        return TomlError(path, node, fmt::format("`kind` = \"{}\" is not a kind of job", kind),
                         "write kind = \"update\" (SET the candidates; the default) or kind = "
                         "\"delete\" (delete them in chunks)");
      }
    } else if (key == "description") {
      STRATA_ASSIGN_OR_RETURN(j.description, GetString(path, node, key));
    } else if (key == "table") {
      STRATA_ASSIGN_OR_RETURN(j.table, GetString(path, node, key));
      if (!IsIdentifier(j.table)) {
        return TomlError(path, node, fmt::format("`table` = \"{}\" is not a table name", j.table),
                         "write the table as name or schema.name, unquoted");
      }
    } else if (key == "key") {
      STRATA_ASSIGN_OR_RETURN(j.key, GetStrings(path, node, key));
      if (j.key.empty()) return TomlError(path, node, "`key` must name at least one column");
      for (const auto& c : j.key) {
        if (!IsIdentifier(c) || c.find('.') != std::string::npos) {
          return TomlError(path, node, fmt::format("`key` column \"{}\" is not a column name", c));
        }
      }
    } else if (key == "where") {
      STRATA_ASSIGN_OR_RETURN(j.where, GetString(path, node, key));
      where_node = &node;
      j.where_at = {static_cast<int>(node.source().begin.line),
                    static_cast<int>(node.source().begin.column)};
    } else if (key == "set") {
      STRATA_ASSIGN_OR_RETURN(j.set, GetString(path, node, key));
      set_node = &node;
      j.set_at = {static_cast<int>(node.source().begin.line),
                  static_cast<int>(node.source().begin.column)};
    } else if (key == "from") {
      STRATA_ASSIGN_OR_RETURN(j.from, GetString(path, node, key));
      from_node = &node;
      j.from_at = {static_cast<int>(node.source().begin.line),
                   static_cast<int>(node.source().begin.column)};
    } else if (key == "join") {
      STRATA_ASSIGN_OR_RETURN(j.join, GetString(path, node, key));
      join_node = &node;
      j.join_at = {static_cast<int>(node.source().begin.line),
                   static_cast<int>(node.source().begin.column)};
    } else if (key == "partition_by") {
      STRATA_ASSIGN_OR_RETURN(j.partition_by, GetString(path, node, key));
      if (!IsIdentifier(j.partition_by) || j.partition_by.find('.') != std::string::npos) {
        return TomlError(path, node, "`partition_by` must be one column name of the table");
      }
    } else if (key == "chunk") {
      STRATA_ASSIGN_OR_RETURN(const toml::table* t, GetTable(path, node, key));
      chunk_node = &node;
      for (auto&& [k2, n2] : *t) {
        std::string_view f = k2.str();
        if (f == "size") {
          STRATA_ASSIGN_OR_RETURN(j.chunk_size, GetInt(path, n2, "chunk.size", 1, 10'000'000));
        } else if (f == "target_duration") {
          STRATA_ASSIGN_OR_RETURN(j.target_duration,
                                  GetDuration(path, n2, "chunk.target_duration"));
        } else if (f == "min_size") {
          STRATA_ASSIGN_OR_RETURN(j.min_chunk_size,
                                  GetInt(path, n2, "chunk.min_size", 1, 10'000'000));
        } else if (f == "max_size") {
          STRATA_ASSIGN_OR_RETURN(j.max_chunk_size,
                                  GetInt(path, n2, "chunk.max_size", 1, 10'000'000));
        } else if (f == "workers") {
          STRATA_ASSIGN_OR_RETURN(auto w, GetInt(path, n2, "chunk.workers", 1, 16));
          j.workers = static_cast<int>(w);
        } else {
          return UnknownKey(path, n2, "chunk", f,
                            {"size", "target_duration", "min_size", "max_size", "workers"});
        }
      }
    } else if (key == "throttle") {
      STRATA_ASSIGN_OR_RETURN(const toml::table* t, GetTable(path, node, key));
      for (auto&& [k2, n2] : *t) {
        std::string_view f = k2.str();
        if (f == "max_rows_per_second") {
          STRATA_ASSIGN_OR_RETURN(j.max_rows_per_second,
                                  GetNumber(path, n2, "throttle.max_rows_per_second", 0, 1e9));
        } else if (f == "lock_timeout") {
          STRATA_ASSIGN_OR_RETURN(j.lock_timeout, GetDuration(path, n2, "throttle.lock_timeout"));
        } else if (f == "statement_timeout") {
          STRATA_ASSIGN_OR_RETURN(j.statement_timeout,
                                  GetDuration(path, n2, "throttle.statement_timeout"));
        } else if (f == "max_replica_lag") {
          STRATA_ASSIGN_OR_RETURN(j.max_replica_lag,
                                  GetDuration(path, n2, "throttle.max_replica_lag"));
        } else if (f == "replica_url") {
          STRATA_ASSIGN_OR_RETURN(j.replica_url, GetString(path, n2, "throttle.replica_url"));
        } else if (f == "lock_wait_backoff") {
          STRATA_ASSIGN_OR_RETURN(j.lock_wait_backoff,
                                  GetBool(path, n2, "throttle.lock_wait_backoff"));
        } else if (f == "max_lock_wait") {
          STRATA_ASSIGN_OR_RETURN(j.max_lock_wait, GetDuration(path, n2, "throttle.max_lock_wait"));
        } else {
          return UnknownKey(
              path, n2, "throttle", f,
              {"max_rows_per_second", "lock_timeout", "statement_timeout", "max_replica_lag",
               "replica_url", "lock_wait_backoff", "max_lock_wait"});
        }
      }
    } else if (key == "failures") {
      STRATA_ASSIGN_OR_RETURN(const toml::table* t, GetTable(path, node, key));
      for (auto&& [k2, n2] : *t) {
        std::string_view f = k2.str();
        if (f == "max_failures") {
          STRATA_ASSIGN_OR_RETURN(j.max_failures,
                                  GetInt(path, n2, "failures.max_failures", 0, 1'000'000'000));
        } else if (f == "max_failure_ratio") {
          STRATA_ASSIGN_OR_RETURN(j.max_failure_ratio,
                                  GetNumber(path, n2, "failures.max_failure_ratio", 0, 1));
        } else if (f == "ratio_min_rows") {
          STRATA_ASSIGN_OR_RETURN(j.ratio_min_rows,
                                  GetInt(path, n2, "failures.ratio_min_rows", 1, 1'000'000'000));
        } else if (f == "retries") {
          STRATA_ASSIGN_OR_RETURN(auto r, GetInt(path, n2, "failures.retries", 0, 100));
          j.retries = static_cast<int>(r);
        } else if (f == "retry_backoff") {
          STRATA_ASSIGN_OR_RETURN(j.retry_backoff, GetDuration(path, n2, "failures.retry_backoff"));
        } else if (f == "reconnect_attempts") {
          STRATA_ASSIGN_OR_RETURN(auto r, GetInt(path, n2, "failures.reconnect_attempts", 0, 1000));
          j.reconnect_attempts = static_cast<int>(r);
        } else if (f == "reconnect_backoff") {
          STRATA_ASSIGN_OR_RETURN(j.reconnect_backoff,
                                  GetDuration(path, n2, "failures.reconnect_backoff"));
        } else {
          return UnknownKey(path, n2, "failures", f,
                            {"max_failures", "max_failure_ratio", "ratio_min_rows", "retries",
                             "retry_backoff", "reconnect_attempts", "reconnect_backoff"});
        }
      }
    } else if (key == "verify") {
      STRATA_ASSIGN_OR_RETURN(const toml::table* t, GetTable(path, node, key));
      verify_node = &node;
      bool have_expect = false;
      for (auto&& [k2, n2] : *t) {
        std::string_view f = k2.str();
        if (f == "query") {
          STRATA_ASSIGN_OR_RETURN(j.verify_query, GetString(path, n2, "verify.query"));
          j.verify_at = {static_cast<int>(n2.source().begin.line),
                         static_cast<int>(n2.source().begin.column)};
          std::string q = j.verify_query;
          while (!q.empty() &&
                 (std::isspace(static_cast<unsigned char>(q.back())) || q.back() == ';')) {
            q.pop_back();
          }
          j.verify_query = q;
          STRATA_TRY(CheckFragment(path, n2, "verify.query", q));
        } else if (f == "expect") {
          have_expect = true;
          if (auto s = n2.value_exact<std::string>()) {
            j.verify_expect = *s;
          } else if (auto i = n2.value_exact<std::int64_t>()) {
            j.verify_expect = std::to_string(*i);
          } else if (auto b = n2.value_exact<bool>()) {
            j.verify_expect = *b ? "true" : "false";
          } else {
            return TomlError(path, n2, "`verify.expect` must be a string, an integer or a boolean");
          }
        } else {
          return UnknownKey(path, n2, "verify", f, {"query", "expect"});
        }
      }
      if (j.verify_query.empty()) {
        return TomlError(path, node, "[verify] needs `query`",
                         "e.g. query = \"SELECT count(*) FROM t WHERE col IS NULL\"");
      }
      if (!have_expect) {
        return TomlError(path, node, "[verify] needs `expect`, the value the query must return",
                         "e.g. expect = 0");
      }
    } else {
      return UnknownKey(path, node, "", key,
                        {"kind", "description", "table", "key", "where", "set", "from", "join",
                         "partition_by", "chunk", "throttle", "failures", "verify"});
    }
  }
  if (j.table.empty()) return Missing(path, "table", "add table = \"<table to change>\"");
  if (j.key.empty()) {
    return Missing(path, "key", "add key = \"id\" (or [\"a\", \"b\"]): unique, orderable columns");
  }
  if (j.where.empty() && j.kind == JobKind::kDelete) {
    return Missing(path, "where",
                   "add where = \"<predicate>\": the rows to delete (a delete job never deletes "
                   "a whole table)");
  }
  if (j.where.empty()) {
    return Missing(path, "where",
                   "add where = \"<col> IS NULL\": the predicate of rows still needing the change "
                   "(it is what makes reruns idempotent)");
  }
  if (j.kind == JobKind::kDelete) {
    // A delete job deletes the candidates `where` selects: nothing to set, nothing to join.
    if (set_node) {
      return TomlError(path, *set_node, "a delete job (kind = \"delete\") has no `set`",
                       "remove `set`; the job deletes every row `where` selects");
    }
    if (from_node || join_node) {
      return TomlError(path, from_node ? *from_node : *join_node,
                       "a delete job (kind = \"delete\") takes no `from`/`join`",
                       "select the rows with a subquery in `where`, e.g. where = \"EXISTS "
                       "(SELECT 1 FROM other o WHERE o.id = t.other_id)\"");
    }
    STRATA_TRY(CheckFragment(path, *where_node, "where", j.where));
  } else {
    if (j.set.empty()) {
      return Missing(path, "set",
                     "add set = \"col = <expression>\" (or kind = \"delete\" to delete the "
                     "candidates)");
    }
    STRATA_TRY(CheckFragment(path, *where_node, "where", j.where));
    STRATA_TRY(CheckFragment(path, *set_node, "set", j.set));
  }
  if (!j.from.empty() || from_node) {
    STRATA_TRY(CheckFragment(path, *from_node, "from", j.from));
    if (j.join.empty()) {
      return TomlError(path, *from_node,
                       "`from` needs `join`, the condition that links each "
                       "row of the table to the joined rows",
                       "e.g. join = \"qr.id = quote_line.quote_revision_id\"");
    }
  }
  if (join_node) {
    STRATA_TRY(CheckFragment(path, *join_node, "join", j.join));
    if (j.from.empty()) {
      return TomlError(path, *join_node, "`join` is only meaningful with `from`",
                       "add from = \"<other table> <alias>\" or remove `join`");
    }
  }
  if (j.min_chunk_size > j.max_chunk_size) {
    return TomlError(path, *chunk_node, "`chunk.min_size` is larger than `chunk.max_size`");
  }
  if (chunk_node && (j.chunk_size < j.min_chunk_size || j.chunk_size > j.max_chunk_size)) {
    return TomlError(path, *chunk_node,
                     fmt::format("`chunk.size` {} is outside min_size..max_size ({}..{})",
                                 j.chunk_size, j.min_chunk_size, j.max_chunk_size));
  }
  (void)verify_node;
  return j;
}

Status CheckFragments(const JobSpec& job, db::Dialect dialect) {
  using analysis::FragmentKind;
  struct Piece {
    std::string_view field;
    const std::string& text;
    FragmentKind kind;
    JobSpec::Span at;
  };
  const Piece pieces[] = {
      {"where", job.where, FragmentKind::kExpression, job.where_at},
      {"set", job.set, FragmentKind::kAssignments, job.set_at},
      {"from", job.from, FragmentKind::kFromList, job.from_at},
      {"join", job.join, FragmentKind::kExpression, job.join_at},
      {"verify.query", job.verify_query, FragmentKind::kQuery, job.verify_at},
  };
  for (const auto& p : pieces) {
    if (p.text.empty()) continue;
    Status s = analysis::CheckFragment(p.text, p.kind, dialect);
    if (s.ok()) continue;
    return Status(ErrorCode::kConfig, fmt::format("`{}` is refused: {}", p.field, s.message()))
        .WithSpan({job.path, p.at.line, p.at.column})
        .WithHint(
            "strata splices this SQL into its own chunk statements; give exactly the piece the "
            "field names (docs/formats/backfill-job.md)");
  }
  return Status::Ok();
}

Result<JobSpec> LoadJob(const std::string& path) {
  std::string why;
  auto text = base::ReadFile(path, &why);
  if (!text) {
    return Status(ErrorCode::kIo, fmt::format("cannot read backfill job file {}: {}", path, why))
        .WithHint(
            "name a job in db/backfill/ (e.g. `strata backfill run <name>`) or give a path "
            "to a .toml file");
  }
  std::string name = std::filesystem::path(path).stem().string();
  return ParseJob(*text, path, name);
}

}  // namespace strata::backfill
