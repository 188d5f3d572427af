#include "scratch/fixtures.h"

#include "strata/commands.h"

#include "base/file.h"
#include "config/releases.h"
#include "config/toml_values.h"
#include "migrate/version.h"
#include "sql/splitter.h"
#include "verify/settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;

namespace strata::scratch {

Result<std::vector<Fixture>> FindFixtures(const Options& options) {
  std::vector<Fixture> out;
  fs::path root = fs::path(options.project_dir) / "db" / "migration-test";
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  std::vector<std::pair<migrate::Version, Fixture>> found;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    if (!e.is_directory()) continue;
    std::string name = e.path().filename().string();
    auto v = migrate::Version::Parse(name);
    if (!v) {
      return Status(ErrorCode::kConfig,
                    fmt::format("{}: a fixture folder is named after a migration's version",
                                e.path().string()))
          .WithHint("rename it to the version of the migration it prepares, e.g. 3 or 1.2");
    }
    found.push_back({*v, Fixture{name, e.path().string()}});
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [v, f] : found) out.push_back(std::move(f));
  return out;
}

Status LoadBefore(db::Connection& conn, const Fixture& f) {
  std::string path = (fs::path(f.dir) / "before.sql").string();
  if (!fs::exists(path)) return Status::Ok();
  std::string err;
  auto text = base::ReadFile(path, &err);
  if (!text) return Status(ErrorCode::kIo, fmt::format("{}: {}", path, err));
  STRATA_ASSIGN_OR_RETURN(auto stmts, sql::Split(*text, conn.dialect(), path));
  for (const auto& s : stmts) {
    if (Status st = conn.Exec(s.text); !st.ok()) {
      return Status(ErrorCode::kCheckFailed,
                    fmt::format("{}:{}:{}: the fixture statement failed: {}", path, s.line,
                                s.column, st.message()))
          .WithHint("fix the fixture: it runs on the schema as it is just before migration " +
                    f.version);
    }
  }
  return Status::Ok();
}

Status RunExpect(db::Connection& conn, const Fixture& f, std::vector<TestStep>& steps,
                 int& checks) {
  std::string path = (fs::path(f.dir) / "expect.toml").string();
  if (!fs::exists(path)) return Status::Ok();
  STRATA_ASSIGN_OR_RETURN(toml::table tbl, config::ParseTomlFile(path));
  Status first = Status::Ok();
  for (auto&& [k, node] : tbl) {
    if (k.str() != "check") {
      return config::UnknownKey(path, node, "", k.str(), {"check"});
    }
    const toml::array* arr = node.as_array();
    if (!arr) {
      return config::TomlError(path, node, "`check` must be an array of tables ([[check]])");
    }
    for (const auto& item : *arr) {
      const toml::table* t = item.as_table();
      if (!t) return config::TomlError(path, item, "each [[check]] must be a table");
      std::string name, query, expect;
      bool has_query = false, has_expect = false;
      for (auto&& [k2, n2] : *t) {
        if (k2.str() == "name") {
          STRATA_ASSIGN_OR_RETURN(name, config::GetString(path, n2, "check.name"));
        } else if (k2.str() == "query") {
          STRATA_ASSIGN_OR_RETURN(query, config::GetString(path, n2, "check.query"));
          has_query = true;
        } else if (k2.str() == "expect") {
          STRATA_ASSIGN_OR_RETURN(expect, config::GetText(path, n2, "check.expect"));
          has_expect = true;
        } else {
          return config::UnknownKey(path, n2, "check", k2.str(), {"name", "query", "expect"});
        }
      }
      if (!has_query || !has_expect) {
        return config::TomlError(path, item, "a [[check]] needs `query` and `expect`");
      }
      const auto& src = item.source();
      std::string where = fmt::format("{}:{}:{}", path, src.begin.line, src.begin.column);
      std::string label = fmt::format("fixture {}: {}", f.version, name.empty() ? query : name);
      ++checks;
      auto r = conn.Query(query);
      std::string got = "NULL";
      std::string message;
      bool ok = false;
      if (!r) {
        message = fmt::format("{}: the query failed: {}", where, r.error().message());
      } else {
        if (!r->rows.empty() && !r->rows[0].empty() && r->rows[0][0]) got = *r->rows[0][0];
        ok = got == expect;
        message = ok ? fmt::format("= {}", got)
                     : fmt::format("{}: expected {}, got {}", where, expect, got);
      }
      steps.push_back({label, ok ? "passed" : "failed", message, 0});
      if (!ok && first.ok()) {
        first = Status(ErrorCode::kCheckFailed,
                       fmt::format("{} after migration {}", message, f.version))
                    .WithHint(
                        "the migration does not do to the fixture's rows what expect.toml "
                        "says: fix the migration or the expectation");
      }
    }
  }
  return first;
}

Status RunPgTap(db::Connection& conn, const Options& options, std::vector<TestStep>& steps) {
  fs::path dir = fs::path(options.project_dir) / "db" / "test";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::Ok();
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".sql") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) return Status::Ok();
  if (conn.dialect() != db::Dialect::kPostgres) {
    steps.push_back({"pgtap", "skipped",
                     fmt::format("{} holds {} file(s); pgTAP runs on PostgreSQL only", dir.string(),
                                 files.size()),
                     0});
    return Status::Ok();
  }
  auto avail = conn.Query("SELECT 1 FROM pg_available_extensions WHERE name = 'pgtap'");
  if (!avail) return avail.error();
  if (avail->rows.empty()) {
    steps.push_back(
        {"pgtap", "skipped",
         fmt::format("{} holds {} file(s), but the pgtap extension is not installed on the "
                     "scratch server (Debian: apt-get install postgresql-{}-pgtap)",
                     dir.string(), files.size(), conn.ServerMajorVersion()),
         0});
    return Status::Ok();
  }
  if (Status s = conn.Exec("CREATE EXTENSION IF NOT EXISTS pgtap"); !s.ok()) return s;
  Status first = Status::Ok();
  for (const auto& path : files) {
    std::string err;
    auto text = base::ReadFile(path, &err);
    std::string name = "pgtap " + fs::path(path).filename().string();
    if (!text) return Status(ErrorCode::kIo, fmt::format("{}: {}", path, err));
    auto stmts = sql::Split(*text, db::Dialect::kPostgres, path);
    if (!stmts) return stmts.error();
    int ok = 0, not_ok = 0;
    std::string first_failure;
    (void)conn.Exec("BEGIN");
    for (const auto& st : *stmts) {
      if (sql::IsTransactionControl(st.text)) continue;  // the file's own BEGIN/ROLLBACK
      auto r = conn.Query(st.text);
      if (!r) {
        ++not_ok;
        if (first_failure.empty()) {
          first_failure =
              fmt::format("{}:{}:{}: {}", path, st.line, st.column, r.error().message());
        }
        break;
      }
      for (const auto& row : r->rows) {
        if (row.empty() || !row[0]) continue;
        std::string_view line = *row[0];
        if (line.starts_with("ok ")) ++ok;
        if (line.starts_with("not ok")) {
          ++not_ok;
          if (first_failure.empty()) first_failure = fmt::format("{}: {}", path, line);
        }
      }
    }
    (void)conn.Exec("ROLLBACK");
    std::string message = fmt::format("{} ok, {} not ok", ok, not_ok);
    if (!first_failure.empty()) message += "; " + first_failure;
    steps.push_back({name, not_ok ? "failed" : "passed", message, 0});
    if (not_ok && first.ok()) {
      first = Status(ErrorCode::kCheckFailed, fmt::format("{}: {}", name, message))
                  .WithHint("fix the migration or the pgTAP test");
    }
  }
  return first;
}

Result<std::string> FromTarget(const Options& options, const std::string& from) {
  InfoResult files = Info(options);
  std::optional<migrate::Version> wanted = migrate::Version::Parse(from);
  for (const auto& row : files.migrations) {
    auto v = migrate::Version::Parse(row.version);
    if (!row.version.empty() && v && wanted && *v == *wanted) return row.version;
  }
  auto settings = verify::LoadSettings(options);
  if (!settings) return settings.error();
  auto specs = config::LoadReleases(settings->releases_file);
  if (!specs) return specs.error();
  for (const auto& spec : *specs) {
    if (spec.name != from) continue;
    std::optional<migrate::Version> newest;
    std::string text;
    for (const auto& m : spec.migrations) {
      auto v = migrate::Version::Parse(m);
      if (v && (!newest || *newest < *v)) {
        newest = v;
        text = m;
      }
    }
    if (!newest) {
      return Status(ErrorCode::kUsage,
                    fmt::format("--from {}: release {} lists no versioned migration", from, from))
          .WithHint("pass a version with --from");
    }
    return text;
  }
  return Status(ErrorCode::kUsage,
                fmt::format("--from {}: neither a migration's version nor a release of {}", from,
                            settings->releases_file))
      .WithHint("pass a version (strata info lists them) or a release name of the manifest");
}

}  // namespace strata::scratch
