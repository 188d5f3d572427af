#include "verify/settings.h"

#include "base/file.h"
#include "config/config.h"
#include "config/toml_values.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>

namespace strata::verify {

namespace fs = std::filesystem;

using config::GetBool;
using config::GetDuration;
using config::GetNumber;
using config::GetString;
using config::GetTable;
using config::TomlError;

namespace {

Result<std::vector<std::string>> IntentKeyList(const std::string& path, const toml::node& n,
                                               std::string_view key) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> out, config::GetStrings(path, n, key));
  for (size_t i = 0; i < out.size(); ++i) {
    bool ok = false;
    for (const auto& k : IntentKeys()) ok = ok || k.key == out[i];
    if (!ok) {
      std::vector<std::string_view> keys;
      for (const auto& k : IntentKeys()) keys.push_back(k.key);
      const toml::array* arr = n.as_array();
      return TomlError(path, arr ? *arr->get(i) : n,
                       fmt::format("`{}` is not an intent key", out[i]),
                       fmt::format("intent keys: {}", fmt::join(keys, ", ")));
    }
  }
  return out;
}

}  // namespace

const std::string& SmokeCheck::QueryFor(db::Dialect dialect) const {
  if (dialect == db::Dialect::kSqlite && !query_sqlite.empty()) return query_sqlite;
  if (dialect == db::Dialect::kPostgres && !query_postgres.empty()) return query_postgres;
  return query;
}

Result<Settings> ParseSettings(std::string_view text, const std::string& path,
                               const std::string& dir) {
  Settings out;
  out.releases_file = (fs::path(dir.empty() ? "." : dir) / "db/releases.toml").string();
  STRATA_ASSIGN_OR_RETURN(toml::table tbl, config::ParseToml(text, path));
  // Each settings.def key of [evidence] can come from the environment (STRATA_EVIDENCE_*).
  STRATA_TRY(config::ApplyEnvironment(tbl));
  if (const toml::node* ev = tbl.get("evidence")) {
    STRATA_ASSIGN_OR_RETURN(const toml::table* t, GetTable(path, *ev, "evidence"));
    for (auto&& [k, n] : *t) {
      std::string_view key = k.str();
      if (key == "releases") {
        STRATA_ASSIGN_OR_RETURN(auto p, GetString(path, n, "evidence.releases"));
        out.releases_file = fs::path(p).is_absolute() ? p : (fs::path(dir) / p).string();
      } else if (key == "stop_lock_wait") {
        STRATA_ASSIGN_OR_RETURN(out.stop.lock_wait,
                                GetDuration(path, n, "evidence.stop_lock_wait"));
      } else if (key == "stop_max_duration") {
        STRATA_ASSIGN_OR_RETURN(out.stop.max_duration,
                                GetDuration(path, n, "evidence.stop_max_duration"));
      } else if (key == "stop_duration_factor") {
        STRATA_ASSIGN_OR_RETURN(out.stop.duration_factor,
                                GetNumber(path, n, "evidence.stop_duration_factor", 1.0));
      } else if (key == "intent") {
        STRATA_ASSIGN_OR_RETURN(const toml::table* it, GetTable(path, n, "evidence.intent"));
        for (auto&& [k2, n2] : *it) {
          std::string_view key2 = k2.str();
          if (key2 == "require_header") {
            STRATA_ASSIGN_OR_RETURN(out.intent.require_header,
                                    GetBool(path, n2, "evidence.intent.require_header"));
          } else if (key2 == "required") {
            STRATA_ASSIGN_OR_RETURN(out.intent.always,
                                    IntentKeyList(path, n2, "evidence.intent.required"));
          } else if (key2 == "required_for") {
            STRATA_ASSIGN_OR_RETURN(const toml::table* rf,
                                    GetTable(path, n2, "evidence.intent.required_for"));
            for (auto&& [cls, keys] : *rf) {
              const auto& known = KnownRiskClasses();
              if (std::find(known.begin(), known.end(), cls.str()) == known.end()) {
                return TomlError(path, keys, fmt::format("unknown risk class `{}`", cls.str()),
                                 fmt::format("risk classes: {}", fmt::join(known, ", ")));
              }
              STRATA_ASSIGN_OR_RETURN(
                  out.intent.by_class[std::string(cls.str())],
                  IntentKeyList(path, keys,
                                fmt::format("evidence.intent.required_for.{}", cls.str())));
            }
          } else {
            return config::UnknownSetting(path, n2, "evidence.intent", key2);
          }
        }
      } else {
        return config::UnknownSetting(path, n, "evidence", key);
      }
    }
  }
  if (const toml::node* sm = tbl.get("smoke")) {
    const toml::table* t = sm->as_table();
    if (!t) {
      return TomlError(path, *sm, "[smoke] must be a table of [smoke.<name>] tables",
                       "write [smoke.<name>] with query = \"...\" and expect = \"= 0\"");
    }
    for (auto&& [k, n] : *t) {
      const toml::table* c = n.as_table();
      if (!c) {
        return TomlError(path, n, fmt::format("`smoke.{}` must be a table", k.str()),
                         "write [smoke.<name>] with query = \"...\" and expect = \"= 0\"");
      }
      SmokeCheck sc;
      sc.name = std::string(k.str());
      sc.check.phase = Phase::kPost;
      sc.check.capture = sc.name;
      sc.check.file = path;
      sc.check.line = static_cast<int>(n.source().begin.line);
      std::string expect;
      const std::string section = "smoke." + sc.name;
      for (auto&& [k2, n2] : *c) {
        std::string_view key2 = k2.str();
        if (key2 == "query") {
          STRATA_ASSIGN_OR_RETURN(sc.query, GetString(path, n2, section + ".query"));
        } else if (key2 == "query_sqlite") {
          STRATA_ASSIGN_OR_RETURN(sc.query_sqlite, GetString(path, n2, section + ".query_sqlite"));
        } else if (key2 == "query_postgres") {
          STRATA_ASSIGN_OR_RETURN(sc.query_postgres,
                                  GetString(path, n2, section + ".query_postgres"));
        } else if (key2 == "expect") {
          STRATA_ASSIGN_OR_RETURN(expect, GetString(path, n2, section + ".expect"));
        } else if (key2 == "description") {
          STRATA_ASSIGN_OR_RETURN(sc.description, GetString(path, n2, section + ".description"));
        } else {
          return config::UnknownSetting(path, n2, "smoke.<name>", key2, section);
        }
      }
      if (sc.query.empty() && (sc.query_sqlite.empty() || sc.query_postgres.empty())) {
        return TomlError(path, n, fmt::format("[smoke.{}] has no query", sc.name),
                         "add query = \"SELECT count(*) FROM ...\"");
      }
      auto e = ParseExpectation(expect, path, sc.check.line);
      if (!e) return e.error();
      if (e->op == Op::kNone || e->RunDependent()) {
        return TomlError(
            path, n, fmt::format("[smoke.{}] needs expect = \"<op> <number or 'text'>\"", sc.name),
            "e.g. expect = \"= 0\"; smoke checks cannot use rows affected or "
            "captured values");
      }
      sc.check.expect = std::move(*e);
      sc.check.query = sc.query;
      out.smoke.push_back(std::move(sc));
    }
  }
  return out;
}

Result<Settings> LoadSettings(const Options& options) {
  if (options.config_path.empty()) {
    return ParseSettings("", "strata.toml", options.project_dir);
  }
  std::string why;
  auto text = base::ReadFile(options.config_path, &why);
  if (!text) {
    return Status(ErrorCode::kIo, fmt::format("cannot read {}: {}", options.config_path, why))
        .WithHint("check the path given with --config");
  }
  return ParseSettings(*text, options.config_path, options.project_dir);
}

}  // namespace strata::verify
