// [lint] section of strata.toml → LintConfig.
#include "config/config.h"

#include "base/text.h"
#include "config/releases.h"
#include "config/toml_values.h"
#include "lint/linter.h"
#include "verify/settings.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <cctype>
#include <cstdio>
#include <filesystem>

namespace strata::lint {

using config::TomlError;

namespace {

Result<std::int64_t> Bytes(const std::string& path, const toml::node& n) {
  if (auto i = n.value<std::int64_t>()) return *i;
  if (auto s = n.value<std::string>()) {
    std::string v = base::ToLower(*s);
    std::int64_t mult = 1;
    auto ends = [&](std::string_view suf) {
      return v.size() > suf.size() && v.compare(v.size() - suf.size(), suf.size(), suf) == 0;
    };
    if (ends("tb"))
      mult = 1LL << 40;
    else if (ends("gb"))
      mult = 1LL << 30;
    else if (ends("mb"))
      mult = 1LL << 20;
    else if (ends("kb"))
      mult = 1LL << 10;
    try {
      return static_cast<std::int64_t>(std::stod(v) * static_cast<double>(mult));
    } catch (...) {
    }
  }
  return TomlError(path, n, "`lint.large_bytes` must be a number of bytes or a size like \"1GB\"");
}

// What PO106 and DM106 check against, from the project: the release manifest (each migration a
// release lists → the release and its stated surfaces) and the tables seed packages own. Only
// for a project (a strata.toml or a release manifest exists); a seed manifest strata cannot
// read is the seed verbs' to report, not lint's.
Status ReadProjectGates(const Options& options, const toml::table& doc, LintConfig& c) {
  namespace fs = std::filesystem;
  std::error_code ec;
  STRATA_ASSIGN_OR_RETURN(verify::Settings settings, verify::LoadSettings(options));
  bool project = (!options.config_path.empty() && fs::exists(options.config_path, ec)) ||
                 fs::exists(settings.releases_file, ec);
  if (!project) return Status::Ok();
  c.releases_file = settings.releases_file;
  STRATA_ASSIGN_OR_RETURN(auto releases, config::LoadReleases(settings.releases_file));
  for (const auto& r : releases) {
    LintConfig::Release entry{r.name, {}};
    for (const auto& [surface, text] : r.surfaces) entry.surfaces.push_back(surface);
    for (const auto& m : r.migrations) {
      bool digits = !m.empty() && std::isdigit(static_cast<unsigned char>(m[0]));
      size_t i = 0;
      while (digits && i + 1 < m.size() && m[i] == '0' &&
             std::isdigit(static_cast<unsigned char>(m[i + 1]))) {
        ++i;
      }
      c.releases[m.substr(i)] = entry;
    }
  }
  std::string location = "db/seed";
  if (auto v = doc["seed"]["location"].value<std::string>()) location = *v;
  fs::path root = fs::path(options.project_dir.empty() ? "." : options.project_dir) / location;
  if (!fs::is_directory(root, ec)) return Status::Ok();
  for (const auto& cls : fs::directory_iterator(root, ec)) {
    if (!cls.is_directory(ec)) continue;
    for (const auto& pkg : fs::directory_iterator(cls.path(), ec)) {
      fs::path manifest = pkg.path() / "manifest.toml";
      if (!fs::exists(manifest, ec)) continue;
      auto parsed = config::ParseTomlFile(manifest.string());
      if (!parsed) continue;
      std::string id =
          (*parsed)["package"].value<std::string>().value_or(pkg.path().filename().string());
      std::string owner = fmt::format("seed package `{}` ({})", id, cls.path().filename().string());
      if (const toml::array* tables = (*parsed)["tables"].as_array()) {
        for (const auto& t : *tables) {
          if (auto name =
                  t.as_table() ? (*t.as_table())["table"].value<std::string>() : std::nullopt) {
            c.seed_tables.emplace(base::ToLower(*name), owner);
          }
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace

// Parses "15" or "14.3" into major/minor.
static bool ParseVersion(std::string_view s, int* major, int* minor) {
  try {
    size_t dot = s.find('.');
    *major = std::stoi(std::string(s.substr(0, dot)));
    *minor = dot == std::string_view::npos ? -1 : std::stoi(std::string(s.substr(dot + 1)));
    return *major >= 9 && *major < 100;
  } catch (...) {
    return false;
  }
}

Result<LintConfig> LoadLintConfig(const Options& options) {
  LintConfig c;
  c.ledger_table = options.ledger_table;
  c.engine_lock_timeout = options.lock_timeout.count() > 0;
  c.engine_statement_timeout = options.statement_timeout.has_value();
  c.protected_patterns.push_back(options.ledger_table);
  // Identifier contracts (db/identifiers.toml): none declared, the ID rules stay silent.
  STRATA_ASSIGN_OR_RETURN(c.identifiers, identifiers::Contracts::ForProject(options));
  // The [lint] keys of strata.toml, each overridable by STRATA_LINT_<KEY>.
  STRATA_ASSIGN_OR_RETURN(toml::table doc, config::LoadProjectToml(options.config_path));
  STRATA_TRY(ReadProjectGates(options, doc, c));
  const toml::table* lint = doc["lint"].as_table();
  if (!lint) return c;
  const std::string& path = options.config_path;
  for (const auto& [k, n] : *lint) {
    std::string_view key = k.str();
    if (key == "pg_version") {
      std::string v = n.is_integer() ? std::to_string(*n.value<std::int64_t>())
                                     : std::string(n.value<std::string>().value_or(""));
      if (!ParseVersion(v, &c.pg_version, &c.pg_minor)) {
        return TomlError(path, n,
                         "`lint.pg_version` must be a PostgreSQL version like 15 or \"14.3\"");
      }
      c.pg_version_source = "config";
    } else if (key == "dialect") {
      STRATA_ASSIGN_OR_RETURN(std::string v, config::GetString(path, n, "lint.dialect"));
      if (v == "sqlite") {
        c.dialect = db::Dialect::kSqlite;
      } else if (v == "postgres" || v == "postgresql") {
        c.dialect = db::Dialect::kPostgres;
      } else {
        return TomlError(path, n, "`lint.dialect` must be \"postgres\" or \"sqlite\"");
      }
      c.dialect_declared = true;
    } else if (key == "sqlite_version") {
      STRATA_ASSIGN_OR_RETURN(std::string v, config::GetString(path, n, "lint.sqlite_version"));
      int major = 0, minor = 0, patch = 0;
      if (std::sscanf(v.c_str(), "%d.%d.%d", &major, &minor, &patch) < 2 || major != 3) {
        return TomlError(path, n, "`lint.sqlite_version` must be a SQLite version like \"3.31\"");
      }
      c.sqlite_version = major * 1'000'000 + minor * 1000 + patch;
    } else if (key == "gate" || key == "fail_on") {
      std::string name = fmt::format("lint.{}", key);
      STRATA_ASSIGN_OR_RETURN(std::string v, config::GetString(path, n, name));
      auto s = ParseSeverity(v);
      if (!s) return TomlError(path, n, fmt::format("`{}` must be info, warning or error", name));
      (key == "gate" ? c.gate : c.fail_on) = *s;
    } else if (key == "grant_roles") {
      STRATA_ASSIGN_OR_RETURN(c.grant_allow_roles, config::GetStrings(path, n, "lint.grant_roles"));
    } else if (key == "protected") {
      STRATA_ASSIGN_OR_RETURN(auto v, config::GetStrings(path, n, "lint.protected"));
      c.protected_patterns.insert(c.protected_patterns.end(), v.begin(), v.end());
    } else if (key == "disable" || key == "enable") {
      STRATA_ASSIGN_OR_RETURN(auto v, config::GetStrings(path, n, fmt::format("lint.{}", key)));
      (key == "disable" ? c.disabled : c.enabled).insert(v.begin(), v.end());
    } else if (key == "vague_names") {
      STRATA_ASSIGN_OR_RETURN(c.vague_names, config::GetStrings(path, n, "lint.vague_names"));
    } else if (key == "large_rows") {
      STRATA_ASSIGN_OR_RETURN(c.large_rows, config::GetInt(path, n, "lint.large_rows", 0));
    } else if (key == "large_bytes") {
      STRATA_ASSIGN_OR_RETURN(c.large_bytes, Bytes(path, n));
    } else if (key == "safety_assured") {
      STRATA_ASSIGN_OR_RETURN(c.safety_assured, config::GetBool(path, n, "lint.safety_assured"));
    } else if (key == "max_file_bytes") {
      STRATA_ASSIGN_OR_RETURN(c.max_file_bytes, Bytes(path, n));
    } else if (key == "severity") {
      STRATA_ASSIGN_OR_RETURN(const toml::table* t, config::GetTable(path, n, "lint.severity"));
      for (const auto& [rk, rv] : *t) {
        std::string name = fmt::format("lint.severity.{}", rk.str());
        STRATA_ASSIGN_OR_RETURN(std::string v, config::GetString(path, rv, name));
        auto s = ParseSeverity(v);
        if (!s) {
          return TomlError(path, rv, fmt::format("`{}` must be info, warning or error", name));
        }
        c.severity_overrides[std::string(rk.str())] = *s;
      }
    } else {
      return config::UnknownKey(
          path, n, "lint", key,
          {"pg_version", "dialect", "sqlite_version", "gate", "fail_on", "grant_roles", "protected",
           "disable", "enable", "severity", "large_rows", "large_bytes", "max_file_bytes",
           "safety_assured", "vague_names"});
    }
  }
  return c;
}

}  // namespace strata::lint
