#include "backfill/job.h"

#include "base/duration.h"
#include "base/sha256.h"
#include "base/text.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace strata::backfill {

namespace {

Status FieldError(const std::string& path, const toml::node& node, std::string msg,
                  std::string hint = {}) {
  const auto& src = node.source();
  Status s =
      Status(ErrorCode::kConfig, std::move(msg))
          .WithSpan({path, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)});
  if (!hint.empty()) s = std::move(s).WithHint(std::move(hint));
  return s;
}

Status Missing(const std::string& path, std::string_view field, std::string hint) {
  return Status(ErrorCode::kConfig, fmt::format("missing required field `{}`", field))
      .WithSpan({path, 0, 0})
      .WithHint(std::move(hint));
}

Status UnknownKey(const std::string& path, const toml::node& node, std::string_view section,
                  std::string_view key, std::initializer_list<std::string_view> known) {
  std::string best;
  size_t best_d = 4;
  for (auto k : known) {
    size_t d = base::EditDistance(key, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  std::string field = section.empty() ? std::string(key) : fmt::format("{}.{}", section, key);
  return FieldError(path, node, fmt::format("unknown field `{}`", field),
                    best.empty() ? fmt::format("known fields here: {}", fmt::join(known, ", "))
                                 : fmt::format("did you mean `{}`?", best));
}

Result<std::string> Str(const std::string& path, const toml::node& n, std::string_view field) {
  if (auto v = n.value<std::string>()) return *v;
  return FieldError(path, n, fmt::format("`{}` must be a string", field));
}

Result<std::int64_t> Int(const std::string& path, const toml::node& n, std::string_view field,
                         std::int64_t lo, std::int64_t hi) {
  auto v = n.value<std::int64_t>();
  if (!v || *v < lo || *v > hi) {
    return FieldError(path, n, fmt::format("`{}` must be an integer {}..{}", field, lo, hi));
  }
  return *v;
}

Result<double> Num(const std::string& path, const toml::node& n, std::string_view field, double lo,
                   double hi) {
  std::optional<double> v;
  if (auto i = n.value_exact<std::int64_t>()) v = static_cast<double>(*i);
  if (auto d = n.value_exact<double>()) v = *d;
  if (!v || *v < lo || *v > hi) {
    return FieldError(path, n, fmt::format("`{}` must be a number {}..{}", field, lo, hi));
  }
  return *v;
}

Result<Millis> Dur(const std::string& path, const toml::node& n, std::string_view field) {
  if (auto i = n.value_exact<std::int64_t>()) {
    if (*i < 0) return FieldError(path, n, fmt::format("`{}` must not be negative", field));
    return Millis(*i);
  }
  if (auto s = n.value<std::string>()) {
    auto d = base::ParseDuration(*s);
    if (!d) return FieldError(path, n, fmt::format("`{}`: {}", field, d.error().message()));
    return *d;
  }
  return FieldError(path, n, fmt::format("`{}` must be a duration like \"200ms\"", field));
}

Result<bool> Bool(const std::string& path, const toml::node& n, std::string_view field) {
  if (auto b = n.value<bool>()) return *b;
  return FieldError(path, n, fmt::format("`{}` must be true or false", field));
}

// A SQL fragment that is spliced into a statement: non-empty and one statement only.
Status CheckFragment(const std::string& path, const toml::node& n, std::string_view field,
                     const std::string& sql) {
  if (base::Trim(sql).empty()) {
    return FieldError(path, n, fmt::format("`{}` must not be empty", field));
  }
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == ';') {
      return FieldError(path, n, fmt::format("`{}` must be one SQL expression, without `;`", field),
                        "a job runs exactly one UPDATE per chunk; put other work in a migration");
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      return FieldError(path, n, fmt::format("`{}` must not contain a `--` comment", field),
                        "comments would swallow the SQL strata appends; use /* */ or a TOML "
                        "comment");
    }
  }
  if (quote) return FieldError(path, n, fmt::format("`{}` has an unterminated quote", field));
  return Status::Ok();
}

}  // namespace

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
  toml::table tbl;
  try {
    tbl = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Status(ErrorCode::kConfig, fmt::format("invalid TOML: {}", e.description()))
        .WithSpan({path, static_cast<int>(e.source().begin.line),
                   static_cast<int>(e.source().begin.column)});
  }
  const toml::node* where_node = nullptr;
  const toml::node* set_node = nullptr;
  const toml::node* from_node = nullptr;
  const toml::node* join_node = nullptr;
  const toml::node* verify_node = nullptr;
  const toml::node* chunk_node = nullptr;
  for (auto&& [k, node] : tbl) {
    std::string_view key = k.str();
    if (key == "description") {
      STRATA_ASSIGN_OR_RETURN(j.description, Str(path, node, key));
    } else if (key == "table") {
      STRATA_ASSIGN_OR_RETURN(j.table, Str(path, node, key));
      if (!IsIdentifier(j.table)) {
        return FieldError(path, node, fmt::format("`table` = \"{}\" is not a table name", j.table),
                          "write the table as name or schema.name, unquoted");
      }
    } else if (key == "key") {
      if (auto s = node.value<std::string>()) {
        j.key = {*s};
      } else if (const toml::array* arr = node.as_array()) {
        for (const auto& el : *arr) {
          auto s2 = el.value<std::string>();
          if (!s2) return FieldError(path, el, "`key` must contain only column names");
          j.key.push_back(*s2);
        }
      } else {
        return FieldError(path, node, "`key` must be a column name or an array of them");
      }
      if (j.key.empty()) return FieldError(path, node, "`key` must name at least one column");
      for (const auto& c : j.key) {
        if (!IsIdentifier(c) || c.find('.') != std::string::npos) {
          return FieldError(path, node, fmt::format("`key` column \"{}\" is not a column name", c));
        }
      }
    } else if (key == "where") {
      STRATA_ASSIGN_OR_RETURN(j.where, Str(path, node, key));
      where_node = &node;
    } else if (key == "set") {
      STRATA_ASSIGN_OR_RETURN(j.set, Str(path, node, key));
      set_node = &node;
    } else if (key == "from") {
      STRATA_ASSIGN_OR_RETURN(j.from, Str(path, node, key));
      from_node = &node;
    } else if (key == "join") {
      STRATA_ASSIGN_OR_RETURN(j.join, Str(path, node, key));
      join_node = &node;
    } else if (key == "partition_by") {
      STRATA_ASSIGN_OR_RETURN(j.partition_by, Str(path, node, key));
      if (!IsIdentifier(j.partition_by) || j.partition_by.find('.') != std::string::npos) {
        return FieldError(path, node, "`partition_by` must be one column name of the table");
      }
    } else if (key == "chunk") {
      const toml::table* t = node.as_table();
      if (!t) return FieldError(path, node, "`chunk` must be a table ([chunk])");
      chunk_node = &node;
      for (auto&& [k2, n2] : *t) {
        std::string_view f = k2.str();
        if (f == "size") {
          STRATA_ASSIGN_OR_RETURN(j.chunk_size, Int(path, n2, "chunk.size", 1, 10'000'000));
        } else if (f == "target_duration") {
          STRATA_ASSIGN_OR_RETURN(j.target_duration, Dur(path, n2, "chunk.target_duration"));
        } else if (f == "min_size") {
          STRATA_ASSIGN_OR_RETURN(j.min_chunk_size, Int(path, n2, "chunk.min_size", 1, 10'000'000));
        } else if (f == "max_size") {
          STRATA_ASSIGN_OR_RETURN(j.max_chunk_size, Int(path, n2, "chunk.max_size", 1, 10'000'000));
        } else {
          return UnknownKey(path, n2, "chunk", f,
                            {"size", "target_duration", "min_size", "max_size"});
        }
      }
    } else if (key == "throttle") {
      const toml::table* t = node.as_table();
      if (!t) return FieldError(path, node, "`throttle` must be a table ([throttle])");
      for (auto&& [k2, n2] : *t) {
        std::string_view f = k2.str();
        if (f == "max_rows_per_second") {
          STRATA_ASSIGN_OR_RETURN(j.max_rows_per_second,
                                  Num(path, n2, "throttle.max_rows_per_second", 0, 1e9));
        } else if (f == "lock_timeout") {
          STRATA_ASSIGN_OR_RETURN(j.lock_timeout, Dur(path, n2, "throttle.lock_timeout"));
        } else if (f == "statement_timeout") {
          STRATA_ASSIGN_OR_RETURN(j.statement_timeout, Dur(path, n2, "throttle.statement_timeout"));
        } else if (f == "max_replica_lag") {
          STRATA_ASSIGN_OR_RETURN(j.max_replica_lag, Dur(path, n2, "throttle.max_replica_lag"));
        } else if (f == "replica_url") {
          STRATA_ASSIGN_OR_RETURN(j.replica_url, Str(path, n2, "throttle.replica_url"));
        } else if (f == "lock_wait_backoff") {
          STRATA_ASSIGN_OR_RETURN(j.lock_wait_backoff,
                                  Bool(path, n2, "throttle.lock_wait_backoff"));
        } else {
          return UnknownKey(path, n2, "throttle", f,
                            {"max_rows_per_second", "lock_timeout", "statement_timeout",
                             "max_replica_lag", "replica_url", "lock_wait_backoff"});
        }
      }
    } else if (key == "failures") {
      const toml::table* t = node.as_table();
      if (!t) return FieldError(path, node, "`failures` must be a table ([failures])");
      for (auto&& [k2, n2] : *t) {
        std::string_view f = k2.str();
        if (f == "max_failures") {
          STRATA_ASSIGN_OR_RETURN(j.max_failures,
                                  Int(path, n2, "failures.max_failures", 0, 1'000'000'000));
        } else if (f == "max_failure_ratio") {
          STRATA_ASSIGN_OR_RETURN(j.max_failure_ratio,
                                  Num(path, n2, "failures.max_failure_ratio", 0, 1));
        } else if (f == "ratio_min_rows") {
          STRATA_ASSIGN_OR_RETURN(j.ratio_min_rows,
                                  Int(path, n2, "failures.ratio_min_rows", 1, 1'000'000'000));
        } else if (f == "retries") {
          STRATA_ASSIGN_OR_RETURN(auto r, Int(path, n2, "failures.retries", 0, 100));
          j.retries = static_cast<int>(r);
        } else if (f == "retry_backoff") {
          STRATA_ASSIGN_OR_RETURN(j.retry_backoff, Dur(path, n2, "failures.retry_backoff"));
        } else if (f == "reconnect_attempts") {
          STRATA_ASSIGN_OR_RETURN(auto r, Int(path, n2, "failures.reconnect_attempts", 0, 1000));
          j.reconnect_attempts = static_cast<int>(r);
        } else if (f == "reconnect_backoff") {
          STRATA_ASSIGN_OR_RETURN(j.reconnect_backoff, Dur(path, n2, "failures.reconnect_backoff"));
        } else {
          return UnknownKey(path, n2, "failures", f,
                            {"max_failures", "max_failure_ratio", "ratio_min_rows", "retries",
                             "retry_backoff", "reconnect_attempts", "reconnect_backoff"});
        }
      }
    } else if (key == "verify") {
      const toml::table* t = node.as_table();
      if (!t) return FieldError(path, node, "`verify` must be a table ([verify])");
      verify_node = &node;
      bool have_expect = false;
      for (auto&& [k2, n2] : *t) {
        std::string_view f = k2.str();
        if (f == "query") {
          STRATA_ASSIGN_OR_RETURN(j.verify_query, Str(path, n2, "verify.query"));
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
            return FieldError(path, n2,
                              "`verify.expect` must be a string, an integer or a boolean");
          }
        } else {
          return UnknownKey(path, n2, "verify", f, {"query", "expect"});
        }
      }
      if (j.verify_query.empty()) {
        return FieldError(path, node, "[verify] needs `query`",
                          "e.g. query = \"SELECT count(*) FROM t WHERE col IS NULL\"");
      }
      if (!have_expect) {
        return FieldError(path, node, "[verify] needs `expect`, the value the query must return",
                          "e.g. expect = 0");
      }
    } else {
      return UnknownKey(path, node, "", key,
                        {"description", "table", "key", "where", "set", "from", "join",
                         "partition_by", "chunk", "throttle", "failures", "verify"});
    }
  }
  if (j.table.empty()) return Missing(path, "table", "add table = \"<table to change>\"");
  if (j.key.empty()) {
    return Missing(path, "key", "add key = \"id\" (or [\"a\", \"b\"]): unique, orderable columns");
  }
  if (j.where.empty()) {
    return Missing(path, "where",
                   "add where = \"<col> IS NULL\": the predicate of rows still needing the change "
                   "(it is what makes reruns idempotent)");
  }
  if (j.set.empty()) return Missing(path, "set", "add set = \"col = <expression>\"");
  STRATA_TRY(CheckFragment(path, *where_node, "where", j.where));
  STRATA_TRY(CheckFragment(path, *set_node, "set", j.set));
  if (!j.from.empty() || from_node) {
    STRATA_TRY(CheckFragment(path, *from_node, "from", j.from));
    if (j.join.empty()) {
      return FieldError(path, *from_node,
                        "`from` needs `join`, the condition that links each "
                        "row of the table to the joined rows",
                        "e.g. join = \"qr.id = quote_line.quote_revision_id\"");
    }
  }
  if (join_node) {
    STRATA_TRY(CheckFragment(path, *join_node, "join", j.join));
    if (j.from.empty()) {
      return FieldError(path, *join_node, "`join` is only meaningful with `from`",
                        "add from = \"<other table> <alias>\" or remove `join`");
    }
  }
  if (j.min_chunk_size > j.max_chunk_size) {
    return FieldError(path, *chunk_node, "`chunk.min_size` is larger than `chunk.max_size`");
  }
  if (chunk_node && (j.chunk_size < j.min_chunk_size || j.chunk_size > j.max_chunk_size)) {
    return FieldError(path, *chunk_node,
                      fmt::format("`chunk.size` {} is outside min_size..max_size ({}..{})",
                                  j.chunk_size, j.min_chunk_size, j.max_chunk_size));
  }
  (void)verify_node;
  return j;
}

Result<JobSpec> LoadJob(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(ErrorCode::kIo, fmt::format("cannot read backfill job file {}", path))
        .WithHint(
            "name a job in db/backfill/ (e.g. `strata backfill run <name>`) or give a path "
            "to a .toml file");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string name = std::filesystem::path(path).stem().string();
  return ParseJob(ss.str(), path, name);
}

}  // namespace strata::backfill
