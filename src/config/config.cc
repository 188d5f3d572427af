#include "config/config.h"

#include "base/file.h"
#include "base/redact.h"
#include "base/sha256.h"
#include "config/toml_values.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <sstream>

extern char** environ;

namespace strata::config {

namespace fs = std::filesystem;

namespace {

std::string Resolve(const std::string& dir, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute() || dir.empty()) return p;
  return (fs::path(dir) / p).lexically_normal().string();
}

struct SettingInfo {
  std::string_view key;
  std::string_view type;
};
constexpr SettingInfo kSettings[] = {
#define STRATA_SETTING(key, type, def, secret, doc) {key, type},
#include "config/settings.def"
#undef STRATA_SETTING
};

constexpr std::string_view kPlaceholderPrefix = "STRATA_PLACEHOLDERS_";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string TrimmedCopy(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

// `value` as a TOML node whose source is `$VAR`, so that the typed readers' errors name the
// variable (TomlError) instead of a line of strata.toml. `toml_text`: the value is TOML
// syntax (an array, an inline table, a number, a boolean); otherwise a string.
Result<toml::table> EnvNode(std::string_view var, std::string_view value, bool toml_text) {
  std::string doc;
  if (toml_text) {
    doc = fmt::format("v = {}\n", value);
  } else {
    toml::table t;
    t.insert("v", std::string(value));
    std::ostringstream os;
    os << t;
    doc = os.str() + "\n";
  }
  try {
    return toml::parse(doc, "$" + std::string(var));
  } catch (const toml::parse_error& e) {
    return Status(ErrorCode::kConfig, fmt::format("environment variable {}: `{}` is not valid "
                                                  "here: {}",
                                                  var, value, e.description()))
        .WithHint(
            "arrays are comma-separated (a,b) or TOML ([\"a\", \"b\"]); tables are TOML "
            "inline tables ({ key = \"value\" })");
  }
}

// The environment's value of one settings.def key as a node of the type the key takes.
Result<toml::table> EnvValue(std::string_view var, std::string_view type, std::string raw) {
  std::string v = TrimmedCopy(raw);
  auto bad = [&](std::string_view expected) {
    return Status(ErrorCode::kConfig,
                  fmt::format("environment variable {}: `{}` is not {}", var, v, expected))
        .WithHint(fmt::format("set {} to {}, or unset it", var, expected));
  };
  if (type == "boolean") {
    std::string l = Lower(v);
    if (l == "true" || l == "1" || l == "yes" || l == "on") return EnvNode(var, "true", true);
    if (l == "false" || l == "0" || l == "no" || l == "off") return EnvNode(var, "false", true);
    return bad("a boolean (true/false, 1/0, yes/no, on/off)");
  }
  if (type == "integer") {
    std::string_view digits = v;
    if (!digits.empty() && digits[0] == '-') digits.remove_prefix(1);
    if (!AllDigits(digits) || digits.size() > 18) return bad("an integer");
    return EnvNode(var, v, true);
  }
  if (type == "duration" || type == "integer or string" || type == "bytes or size") {
    return EnvNode(var, v, AllDigits(v) && v.size() <= 18);
  }
  if (type == "number") {
    // [-]digits[.digits]: TOML's own spelling of an integer or a float.
    std::string_view n = v;
    if (!n.empty() && n[0] == '-') n.remove_prefix(1);
    size_t dot = n.find('.');
    std::string_view whole = n.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? "0" : n.substr(dot + 1);
    if (!AllDigits(whole) || !AllDigits(frac) || n.size() > 30) return bad("a number");
    return EnvNode(var, v, true);
  }
  if (type == "array of strings") {
    if (!v.empty() && v[0] == '[') return EnvNode(var, v, true);
    std::string arr = "[";
    std::string_view rest = v;
    bool first = true;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string item = TrimmedCopy(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (item.empty()) continue;
      toml::table t;
      t.insert("v", item);
      std::ostringstream os;
      os << t;
      std::string line = os.str();  // v = "item"
      arr += (first ? "" : ", ") + line.substr(line.find('=') + 2);
      first = false;
    }
    arr += "]";
    return EnvNode(var, arr, true);
  }
  if (type == "table") return EnvNode(var, v, true);
  return EnvNode(var, v, false);  // string, severity, ...
}

// Sets `tbl[a][b]...[z]` for the dotted `key` to the node `v` of `src`, creating the section
// tables on the way.
void Put(toml::table& tbl, std::string_view key, toml::table& src) {
  toml::node* n = src.get("v");
  if (!n) return;
  toml::table* t = &tbl;
  size_t dot;
  while ((dot = key.find('.')) != std::string_view::npos) {
    std::string section(key.substr(0, dot));
    if (!t->contains(section)) t->insert(section, toml::table{});
    // A section that is not a table in the file is left for the reader to report.
    t = (*t)[section].as_table();
    if (!t) return;
    key.remove_prefix(dot + 1);
  }
  t->insert_or_assign(std::string(key), std::move(*n));
}

}  // namespace

std::string EnvName(std::string_view key) {
  std::string out = "STRATA_";
  for (char c : key) {
    if (c == '.') {
      out += '_';
    } else if (c == '<') {
      break;  // placeholders.<name>
    } else {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

Status ApplyEnvironment(toml::table& tbl) {
  for (const auto& s : kSettings) {
    // `url` keeps its own rule in Load (STRATA_URL, then DATABASE_URL); placeholders below.
    if (s.key == "url" || s.key.find('<') != std::string_view::npos) continue;
    std::string var = EnvName(s.key);
    const char* v = std::getenv(var.c_str());
    if (!v || !*v) continue;
    STRATA_ASSIGN_OR_RETURN(toml::table node, EnvValue(var, s.type, v));
    Put(tbl, s.key, node);
  }
  // STRATA_PLACEHOLDERS_<NAME>: the placeholder `name` (lower case), or the one strata.toml
  // declares with that name in any case. A declared table keeps its `secret`.
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry = *e;
    if (!entry.starts_with(kPlaceholderPrefix)) continue;
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq == kPlaceholderPrefix.size()) continue;
    std::string var(entry.substr(0, eq));
    std::string value(entry.substr(eq + 1));
    std::string name =
        Lower(entry.substr(kPlaceholderPrefix.size(), eq - kPlaceholderPrefix.size()));
    if (!tbl.contains("placeholders")) tbl.insert("placeholders", toml::table{});
    toml::table* ph = tbl["placeholders"].as_table();
    if (!ph) continue;
    for (auto&& [k, n] : *ph) {
      if (Lower(k.str()) == name) {
        name = std::string(k.str());
        break;
      }
    }
    STRATA_ASSIGN_OR_RETURN(toml::table node, EnvNode(var, value, false));
    toml::node* declared = ph->get(name);
    if (toml::table* t = declared ? declared->as_table() : nullptr) {
      t->erase("env");
      t->insert_or_assign("value", std::move(*node.get("v")));
    } else {
      ph->insert_or_assign(name, std::move(*node.get("v")));
    }
  }
  return Status::Ok();
}

std::vector<std::string_view> SettingKeys(std::string_view section) {
  std::vector<std::string_view> out;
  for (const auto& s : kSettings) {
    std::string_view rest = s.key;
    if (!section.empty()) {
      if (!rest.starts_with(section) || rest.size() <= section.size() ||
          rest[section.size()] != '.') {
        continue;
      }
      rest.remove_prefix(section.size() + 1);
    }
    rest = rest.substr(0, rest.find('.'));
    if (std::find(out.begin(), out.end(), rest) == out.end()) out.push_back(rest);
  }
  return out;
}

Status UnknownSetting(const std::string& path, const toml::node& node, std::string_view section,
                      std::string_view key, std::string_view shown) {
  std::vector<std::string_view> known = SettingKeys(section);
  return UnknownKey(path, node, shown.empty() ? section : shown, key, known);
}

Result<toml::table> LoadProjectToml(const std::string& path) {
  toml::table tbl;
  if (!path.empty()) {
    STRATA_ASSIGN_OR_RETURN(tbl, ParseTomlFile(path));
  }
  STRATA_TRY(ApplyEnvironment(tbl));
  return tbl;
}

namespace {

Result<Options> ParseTable(const toml::table& tbl, std::string_view text, const std::string& path,
                           const std::string& dir) {
  Options o;
  o.config_path = path;
  o.project_dir = dir;
  if (!path.empty()) o.config_checksum = base::Sha256Hex(text);
  o.locations = {Resolve(dir, "db/migration")};
  o.ignore_patterns = {"*.md", "*.txt", "strata.sum", ".*"};
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
          return UnknownSetting(path, n2, key, k2.str());
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
          return UnknownSetting(path, n2, key, key2);
        }
      }
    } else if (key == "validate") {
      STRATA_ASSIGN_OR_RETURN(const toml::table* t, GetTable(path, node, key));
      for (auto&& [k2, n2] : *t) {
        if (k2.str() != "ignore") return UnknownSetting(path, n2, key, k2.str());
        STRATA_ASSIGN_OR_RETURN(o.validate_ignore, GetStrings(path, n2, "validate.ignore"));
        for (const auto& state : o.validate_ignore) {
          if (state != "pending" && state != "future") {
            return TomlError(path, n2, fmt::format("validate.ignore: unknown state `{}`", state))
                .WithHint("the states validate may accept are \"pending\" and \"future\"");
          }
        }
      }
    } else if (key == "database") {
      STRATA_ASSIGN_OR_RETURN(const toml::table* t, GetTable(path, node, key));
      for (auto&& [k2, n2] : *t) {
        if (k2.str() == "connect_timeout") {
          STRATA_ASSIGN_OR_RETURN(o.connect_timeout,
                                  GetDuration(path, n2, "database.connect_timeout"));
        } else {
          return UnknownSetting(path, n2, key, k2.str());
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
          return UnknownSetting(path, n2, key, k2.str());
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
               key == "smoke" || key == "evidence" || key == "identifiers") {
      // Sections owned by other capabilities; each validates its own keys when it runs.
    } else {
      return UnknownSetting(path, node, "", key);
    }
  }
  return o;
}

}  // namespace

Result<Options> Parse(std::string_view text, const std::string& path, const std::string& dir) {
  STRATA_ASSIGN_OR_RETURN(toml::table tbl, ParseToml(text, path));
  return ParseTable(tbl, text, path, dir);
}

Result<Options> Load(const Overrides& overrides) {
  std::string path = overrides.config_path;
  bool explicit_config = !path.empty();
  if (path.empty() && fs::exists("strata.toml")) path = "strata.toml";
  Options o;
  std::string text;
  std::string dir;
  if (!path.empty()) {
    std::string why;
    auto read = base::ReadFile(path, &why);
    if (!read) {
      return Status(ErrorCode::kConfig, fmt::format("cannot read config file {}: {}", path, why))
          .WithHint(explicit_config ? "check the --config path" : "");
    }
    text = std::move(*read);
    dir = fs::path(path).parent_path().string();
  }
  toml::table tbl;
  if (!path.empty()) {
    STRATA_ASSIGN_OR_RETURN(tbl, ParseToml(text, path));
  }
  // strata.toml < STRATA_<SECTION>_<KEY> < flags.
  STRATA_TRY(ApplyEnvironment(tbl));
  STRATA_ASSIGN_OR_RETURN(o, ParseTable(tbl, text, path, dir));
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
