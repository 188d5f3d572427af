#include "config/config.h"

#include "base/file.h"
#include "base/redact.h"
#include "base/sha256.h"
#include "config/toml_values.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>

namespace strata::config {

namespace fs = std::filesystem;

namespace {

std::string Resolve(const std::string& dir, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute() || dir.empty()) return p;
  return (fs::path(dir) / p).lexically_normal().string();
}

}  // namespace

Result<Options> Parse(std::string_view text, const std::string& path, const std::string& dir) {
  Options o;
  o.config_path = path;
  o.project_dir = dir;
  o.config_checksum = base::Sha256Hex(text);
  o.locations = {Resolve(dir, "db/migration")};
  o.ignore_patterns = {"*.md", "*.txt", "strata.sum", ".*"};
  STRATA_ASSIGN_OR_RETURN(toml::table tbl, ParseToml(text, path));
  for (auto&& [k, node] : tbl) {
    std::string_view key = k.str();
    if (key == "url") {
      STRATA_ASSIGN_OR_RETURN(o.url, GetString(path, node, key));
    } else if (key == "locations") {
      STRATA_ASSIGN_OR_RETURN(auto locs, GetStrings(path, node, key));
      o.locations.clear();
      for (auto& l : locs) o.locations.push_back(Resolve(dir, l));
    } else if (key == "ignore") {
      STRATA_ASSIGN_OR_RETURN(auto pats, GetStrings(path, node, key));
      o.ignore_patterns.insert(o.ignore_patterns.end(), pats.begin(), pats.end());
    } else if (key == "ledger") {
      STRATA_ASSIGN_OR_RETURN(const toml::table* t, GetTable(path, node, key));
      for (auto&& [k2, n2] : *t) {
        if (k2.str() == "table") {
          STRATA_ASSIGN_OR_RETURN(o.ledger_table, GetString(path, n2, "ledger.table"));
        } else if (k2.str() == "schema") {
          STRATA_ASSIGN_OR_RETURN(o.ledger_schema, GetString(path, n2, "ledger.schema"));
        } else {
          return UnknownKey(path, n2, key, k2.str(), {"table", "schema"});
        }
      }
    } else if (key == "migrate") {
      STRATA_ASSIGN_OR_RETURN(const toml::table* t, GetTable(path, node, key));
      for (auto&& [k2, n2] : *t) {
        std::string_view key2 = k2.str();
        if (key2 == "lock_wait") {
          STRATA_ASSIGN_OR_RETURN(o.lock_wait, GetDuration(path, n2, "migrate.lock_wait"));
        } else if (key2 == "lock_timeout") {
          STRATA_ASSIGN_OR_RETURN(o.lock_timeout, GetDuration(path, n2, "migrate.lock_timeout"));
        } else if (key2 == "statement_timeout") {
          STRATA_ASSIGN_OR_RETURN(auto d, GetDuration(path, n2, "migrate.statement_timeout"));
          o.statement_timeout = d;
        } else if (key2 == "lock_retries") {
          STRATA_ASSIGN_OR_RETURN(auto v, GetInt(path, n2, "migrate.lock_retries", 0, 100));
          o.lock_retries = static_cast<int>(v);
        } else if (key2 == "out_of_order") {
          STRATA_ASSIGN_OR_RETURN(o.out_of_order, GetBool(path, n2, "migrate.out_of_order"));
        } else if (key2 == "require_sum") {
          STRATA_ASSIGN_OR_RETURN(o.require_sum, GetBool(path, n2, "migrate.require_sum"));
        } else if (key2 == "lint_gate") {
          STRATA_ASSIGN_OR_RETURN(o.lint_gate, GetBool(path, n2, "migrate.lint_gate"));
        } else if (key2 == "stat_cache") {
          STRATA_ASSIGN_OR_RETURN(o.stat_cache, GetBool(path, n2, "migrate.stat_cache"));
        } else {
          return UnknownKey(path, n2, key, key2,
                            {"lock_wait", "lock_timeout", "lock_retries", "statement_timeout",
                             "out_of_order", "require_sum", "lint_gate", "stat_cache"});
        }
      }
    } else if (key == "schema") {
      STRATA_ASSIGN_OR_RETURN(const toml::table* t, GetTable(path, node, key));
      for (auto&& [k2, n2] : *t) {
        if (k2.str() == "file") {
          STRATA_ASSIGN_OR_RETURN(auto f, GetString(path, n2, "schema.file"));
          o.schema_file = Resolve(dir, f);
        } else if (k2.str() == "ignore") {
          STRATA_ASSIGN_OR_RETURN(o.schema_ignore, GetStrings(path, n2, "schema.ignore"));
        } else {
          return UnknownKey(path, n2, key, k2.str(), {"file", "ignore"});
        }
      }
    } else if (key == "placeholders") {
      STRATA_ASSIGN_OR_RETURN(const toml::table* t, GetTable(path, node, key));
      for (auto&& [k2, n2] : *t) {
        PlaceholderValue pv;
        if (auto s = n2.value<std::string>()) {
          pv.value = *s;
        } else if (const toml::table* pt = n2.as_table()) {
          bool have = false;
          const std::string section = fmt::format("placeholders.{}", k2.str());
          for (auto&& [k3, n3] : *pt) {
            if (k3.str() == "value") {
              STRATA_ASSIGN_OR_RETURN(pv.value, GetString(path, n3, section + ".value"));
              have = true;
            } else if (k3.str() == "env") {
              STRATA_ASSIGN_OR_RETURN(auto var, GetString(path, n3, section + ".env"));
              // Unset: only the verbs that run SQL using the placeholder need its value
              // (hash, lint, info, validate, plan do not); they fail where it is expanded.
              const char* v = std::getenv(var.c_str());
              if (v) {
                pv.value = v;
              } else {
                pv.unset_env = var;
              }
              have = true;
            } else if (k3.str() == "secret") {
              STRATA_ASSIGN_OR_RETURN(pv.secret, GetBool(path, n3, section + ".secret"));
            } else {
              return UnknownKey(path, n3, section, k3.str(), {"value", "env", "secret"});
            }
          }
          if (!have) {
            return TomlError(path, n2,
                             fmt::format("placeholder `{}` needs `value` or `env`", k2.str()));
          }
        } else {
          return TomlError(path, n2,
                           fmt::format("placeholder `{}` must be a string or a table", k2.str()));
        }
        if (pv.secret) base::RegisterSecret(pv.value);
        o.placeholders.emplace(std::string(k2.str()), std::move(pv));
      }
    } else if (key == "lint" || key == "environments" || key == "seed" || key == "backfill" ||
               key == "smoke" || key == "evidence") {
      // Sections owned by other capabilities; each validates its own keys when it runs.
    } else {
      return UnknownKey(path, node, "", key,
                        {"url", "locations", "ignore", "ledger", "migrate", "schema", "placeholders", "lint",
                         "environments", "seed", "backfill", "smoke", "evidence"});
    }
  }
  return o;
}

Result<Options> Load(const Overrides& overrides) {
  std::string path = overrides.config_path;
  bool explicit_config = !path.empty();
  if (path.empty() && fs::exists("strata.toml")) path = "strata.toml";
  Options o;
  if (!path.empty()) {
    std::string why;
    auto text = base::ReadFile(path, &why);
    if (!text) {
      return Status(ErrorCode::kConfig, fmt::format("cannot read config file {}: {}", path, why))
          .WithHint(explicit_config ? "check the --config path" : "");
    }
    std::string dir = fs::path(path).parent_path().string();
    STRATA_ASSIGN_OR_RETURN(o, Parse(*text, path, dir));
  } else {
    o.locations = {"db/migration"};
    o.ignore_patterns = {"*.md", "*.txt", "strata.sum", ".*"};
  }
  if (!overrides.url.empty()) {
    o.url = overrides.url;
  } else if (const char* u = std::getenv("STRATA_URL"); u && *u) {
    o.url = u;
  } else if (const char* d = std::getenv("DATABASE_URL"); d && *d) {
    o.url = d;
  }
  if (o.url.empty()) {
    std::string dir = o.project_dir.empty() ? "." : o.project_dir;
    o.url = "sqlite:" + (fs::path(dir) / "strata.db").lexically_normal().string();
  } else if (o.url.rfind("sqlite:", 0) == 0 && o.url != "sqlite::memory:" &&
             overrides.url.empty() && !o.project_dir.empty()) {
    // A relative SQLite path in strata.toml is relative to the project, not the cwd.
    std::string p = o.url.substr(7);
    if (!p.empty() && p[0] != '/' && p.rfind("//", 0) != 0) {
      o.url = "sqlite:" + Resolve(o.project_dir, p);
    }
  }
  if (!overrides.locations.empty()) o.locations = overrides.locations;
  // Any password in the URL, as written or as libpq decodes it, must never be printed, even
  // inside a database's own message.
  base::RegisterUrlSecrets(o.url);
  return o;
}

}  // namespace strata::config
