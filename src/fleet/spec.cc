#include "fleet/spec.h"

#include "base/file.h"
#include "base/redact.h"
#include "config/toml_values.h"
#include "db/connection.h"

#include <fmt/format.h>

#include <cstdlib>
#include <map>
#include <set>

namespace strata::fleet {

using config::GetBool;
using config::GetDuration;
using config::GetInt;
using config::GetString;
using config::GetStrings;
using config::TomlError;
using config::UnknownKey;

namespace {

std::string Where(const std::string& path, const toml::node& node) {
  const auto& s = node.source().begin;
  return fmt::format("{}:{}:{}", path, s.line, s.column);
}

bool IsNameChar(char c, bool first) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (!first && c >= '0' && c <= '9');
}

std::string PercentEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string ResolveSqlite(const std::string& url, const std::string& project_dir) {
  if (url.rfind("sqlite:", 0) != 0 || project_dir.empty()) return url;
  std::string rest = url.substr(7);
  if (rest.rfind("//", 0) == 0) rest = rest.substr(2);
  if (rest.empty() || rest == ":memory:" || rest[0] == '/') return url;
  return "sqlite:" + project_dir + "/" + rest;
}

// A URL key: expands it (registering the expanded values as secrets) and keeps the display.
Status ReadUrl(const std::string& path, const toml::node& node, std::string_view key,
               const EnvFn& env, std::string* url, std::string* display) {
  STRATA_ASSIGN_OR_RETURN(std::string written, GetString(path, node, key));
  auto expanded = ExpandEnv(written, env);
  if (!expanded) {
    return TomlError(path, node, fmt::format("`{}`: {}", key, expanded.error().message()),
                     "export the variable before running strata (secrets stay out of the "
                     "fleet file), or write `$$` for a literal `$`");
  }
  *url = std::move(*expanded);
  *display = base::RedactUrl(written);
  base::RegisterUrlSecrets(*url);
  return Status::Ok();
}

Result<const toml::array*> GetTables(const std::string& path, const toml::node& node,
                                     std::string_view key) {
  const toml::array* arr = node.as_array();
  if (!arr || !arr->is_array_of_tables()) {
    return TomlError(path, node, fmt::format("`{}` must be an array of tables", key),
                     fmt::format("write each entry as a [[{}]] section", key));
  }
  return arr;
}

}  // namespace

Result<std::string> ExpandEnv(std::string_view text, const EnvFn& env) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '$') {
      out += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (i + 1 >= text.size() || text[i + 1] != '{') {
      out += c;
      continue;
    }
    size_t end = text.find('}', i + 2);
    std::string name(text.substr(i + 2, end == std::string_view::npos ? 0 : end - i - 2));
    bool valid = end != std::string_view::npos && !name.empty();
    for (size_t k = 0; valid && k < name.size(); ++k) valid = IsNameChar(name[k], k == 0);
    if (!valid) {
      return Status(
          ErrorCode::kConfig,
          fmt::format("malformed environment reference at offset {}: write ${{NAME}}", i));
    }
    auto value = env(name);
    if (!value) {
      return Status(ErrorCode::kConfig, fmt::format("environment variable {} is not set", name));
    }
    base::RegisterSecret(*value);
    out += *value;
    i = end;
  }
  return out;
}

std::string WithParams(const std::string& url, const std::string& schema,
                       const std::string& application_name) {
  if (url.rfind("postgres", 0) != 0) return url;
  std::string base = url, query;
  std::string fragment;
  if (auto q = url.find('?'); q != std::string::npos) {
    base = url.substr(0, q);
    query = url.substr(q + 1);
  }
  std::vector<std::string> params;
  bool has_app = false, merged = false;
  std::string search;
  if (!schema.empty()) {
    // search_path's value is an identifier list: quote it; libpq's options split on spaces.
    std::string quoted = "\"";
    for (char ch : schema) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    quoted += "\"";
    std::string escaped;
    for (char ch : quoted) {
      if (ch == ' ' || ch == '\\') escaped += '\\';
      escaped += ch;
    }
    search = "-c search_path=" + escaped;
  }
  size_t start = 0;
  while (start <= query.size() && !query.empty()) {
    size_t amp = query.find('&', start);
    std::string p = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (!p.empty()) {
      if (p.rfind("application_name=", 0) == 0) has_app = true;
      if (!search.empty() && p.rfind("options=", 0) == 0) {
        p += "%20" + PercentEncode(search);
        merged = true;
      }
      params.push_back(p);
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  if (!search.empty() && !merged) params.push_back("options=" + PercentEncode(search));
  if (!has_app && !application_name.empty()) {
    params.push_back("application_name=" + PercentEncode(application_name));
  }
  std::string out = base;
  for (size_t i = 0; i < params.size(); ++i) out += (i == 0 ? "?" : "&") + params[i];
  return out;
}

Result<FleetSpec> ParseFleet(std::string_view text, const std::string& path, const EnvFn& env) {
  STRATA_ASSIGN_OR_RETURN(toml::table doc, config::ParseToml(text, path));
  FleetSpec spec;
  spec.path = path;
  for (auto&& [k, node] : doc) {
    std::string key(k.str());
    if (key == "fleet") {
      STRATA_ASSIGN_OR_RETURN(const toml::table* t, config::GetTable(path, node, key));
      for (auto&& [k2, n2] : *t) {
        std::string f(k2.str()), dotted = "fleet." + f;
        if (f == "parallel") {
          STRATA_ASSIGN_OR_RETURN(auto v, GetInt(path, n2, dotted, 1, 1024));
          spec.parallel = static_cast<int>(v);
        } else if (f == "wave_size") {
          STRATA_ASSIGN_OR_RETURN(auto v, GetInt(path, n2, dotted, 0, 1'000'000));
          spec.wave_size = static_cast<int>(v);
        } else if (f == "max_failures") {
          STRATA_ASSIGN_OR_RETURN(auto v, GetInt(path, n2, dotted, 1, 1'000'000));
          spec.max_failures = static_cast<int>(v);
        } else if (f == "keep_going") {
          STRATA_ASSIGN_OR_RETURN(spec.keep_going, GetBool(path, n2, dotted));
        } else if (f == "canary") {
          STRATA_ASSIGN_OR_RETURN(spec.canary, GetStrings(path, n2, dotted));
        } else if (f == "target_timeout") {
          STRATA_ASSIGN_OR_RETURN(spec.target_timeout, GetDuration(path, n2, dotted));
        } else if (f == "state") {
          STRATA_ASSIGN_OR_RETURN(spec.state_file, GetString(path, n2, dotted));
        } else {
          return UnknownKey(path, n2, "fleet", f,
                            {"parallel", "wave_size", "max_failures", "keep_going", "canary",
                             "target_timeout", "state"});
        }
      }
    } else if (key == "target") {
      STRATA_ASSIGN_OR_RETURN(const toml::array* arr, GetTables(path, node, key));
      for (auto&& el : *arr) {
        Target t;
        t.origin = Where(path, el);
        bool has_url = false;
        for (auto&& [k2, n2] : *el.as_table()) {
          std::string f(k2.str());
          if (f == "name") {
            STRATA_ASSIGN_OR_RETURN(t.name, GetString(path, n2, "target.name"));
          } else if (f == "url") {
            STRATA_TRY(ReadUrl(path, n2, "target.url", env, &t.url, &t.display));
            has_url = true;
          } else if (f == "labels") {
            STRATA_ASSIGN_OR_RETURN(t.labels, GetStrings(path, n2, "target.labels"));
          } else if (f == "schema") {
            STRATA_ASSIGN_OR_RETURN(t.schema, GetString(path, n2, "target.schema"));
          } else {
            return UnknownKey(path, n2, "target", f, {"name", "url", "labels", "schema"});
          }
        }
        if (t.name.empty() || !has_url) {
          return TomlError(path, el, "a [[target]] needs `name` and `url`",
                           "add name = \"tenant-1\" and url = \"postgres://...\"");
        }
        spec.targets.push_back(std::move(t));
      }
    } else if (key == "discover") {
      STRATA_ASSIGN_OR_RETURN(const toml::array* arr, GetTables(path, node, key));
      for (auto&& el : *arr) {
        Discovery d;
        d.origin = Where(path, el);
        for (auto&& [k2, n2] : *el.as_table()) {
          std::string f(k2.str());
          if (f == "url") {
            STRATA_TRY(ReadUrl(path, n2, "discover.url", env, &d.url, &d.display));
          } else if (f == "query") {
            STRATA_ASSIGN_OR_RETURN(d.query, GetString(path, n2, "discover.query"));
          } else if (f == "labels") {
            STRATA_ASSIGN_OR_RETURN(d.labels, GetStrings(path, n2, "discover.labels"));
          } else {
            return UnknownKey(path, n2, "discover", f, {"url", "query", "labels"});
          }
        }
        if (d.url.empty() || d.query.empty()) {
          return TomlError(path, el,
                           "a [[discover]] needs `url` (the control database) and "
                           "`query`",
                           "e.g. query = \"SELECT name, url FROM tenants WHERE active\"");
        }
        spec.discover.push_back(std::move(d));
      }
    } else if (key == "schemas") {
      STRATA_ASSIGN_OR_RETURN(const toml::array* arr, GetTables(path, node, key));
      for (auto&& el : *arr) {
        SchemaGroup g;
        g.origin = Where(path, el);
        bool has_list = false;
        for (auto&& [k2, n2] : *el.as_table()) {
          std::string f(k2.str());
          if (f == "name") {
            STRATA_ASSIGN_OR_RETURN(g.name, GetString(path, n2, "schemas.name"));
          } else if (f == "url") {
            STRATA_TRY(ReadUrl(path, n2, "schemas.url", env, &g.url, &g.display));
          } else if (f == "list") {
            STRATA_ASSIGN_OR_RETURN(g.list, GetStrings(path, n2, "schemas.list"));
            has_list = true;
          } else if (f == "query") {
            STRATA_ASSIGN_OR_RETURN(g.query, GetString(path, n2, "schemas.query"));
          } else if (f == "labels") {
            STRATA_ASSIGN_OR_RETURN(g.labels, GetStrings(path, n2, "schemas.labels"));
          } else {
            return UnknownKey(path, n2, "schemas", f, {"name", "url", "list", "query", "labels"});
          }
        }
        if (g.url.empty() || has_list == !g.query.empty()) {
          return TomlError(path, el, "a [[schemas]] group needs `url` and either `list` or `query`",
                           "list = [\"tenant_a\", \"tenant_b\"] or query = \"SELECT nspname FROM "
                           "pg_namespace WHERE nspname LIKE 'tenant\\\\_%'\"");
        }
        if (g.url.rfind("postgres", 0) != 0) {
          return TomlError(path, el, "schema-per-tenant needs a PostgreSQL url",
                           "SQLite has no schemas: list each file as a [[target]]");
        }
        spec.schemas.push_back(std::move(g));
      }
    } else {
      return UnknownKey(path, node, "", key, {"fleet", "target", "discover", "schemas"});
    }
  }
  return spec;
}

Result<FleetSpec> LoadFleet(const std::string& path) {
  std::string error;
  auto text = base::ReadFile(path, &error);
  if (!text) {
    return Status(ErrorCode::kConfig, fmt::format("cannot read fleet file {}: {}", path, error))
        .WithHint("write db/fleet.toml (docs/formats/fleet.md) or pass --fleet <file>");
  }
  return ParseFleet(*text, path, [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  });
}

bool Matches(const Target& t, const std::vector<std::string>& sel) {
  for (const auto& s : sel) {
    std::string_view v = s;
    bool label_only = v.rfind("label:", 0) == 0;
    if (label_only) v.remove_prefix(6);
    if (!label_only && t.name == v) return true;
    for (const auto& l : t.labels) {
      if (l == v) return true;
    }
  }
  return false;
}

Result<std::vector<Target>> ResolveTargets(const FleetSpec& spec, const std::string& project_dir) {
  std::vector<Target> out = spec.targets;
  for (const auto& d : spec.discover) {
    STRATA_ASSIGN_OR_RETURN(auto url, db::ParseUrl(d.url));
    url.may_create = false;
    auto conn = db::Connect(url, "strata fleet discovery");
    if (!conn) return std::move(conn).error().Wrap(fmt::format("{}: discovery", d.origin));
    auto rows = (*conn)->Query(d.query);
    if (!rows) return std::move(rows).error().Wrap(fmt::format("{}: discovery query", d.origin));
    int name_col = -1, url_col = -1, labels_col = -1, schema_col = -1;
    for (size_t i = 0; i < rows->columns.size(); ++i) {
      const auto& c = rows->columns[i];
      if (c == "name") name_col = static_cast<int>(i);
      if (c == "url") url_col = static_cast<int>(i);
      if (c == "labels") labels_col = static_cast<int>(i);
      if (c == "schema") schema_col = static_cast<int>(i);
    }
    if (name_col < 0 || url_col < 0) {
      return Status(ErrorCode::kConfig,
                    fmt::format("{}: the discovery query must return columns `name` and `url`",
                                d.origin))
          .WithHint("alias them: SELECT tenant_id AS name, dsn AS url FROM tenants");
    }
    for (const auto& row : rows->rows) {
      Target t;
      t.name = row[name_col].value_or("");
      std::string written = row[url_col].value_or("");
      auto expanded = ExpandEnv(written, [](const std::string& n) -> std::optional<std::string> {
        const char* v = std::getenv(n.c_str());
        if (!v) return std::nullopt;
        return std::string(v);
      });
      if (!expanded) {
        return std::move(expanded).error().Wrap(
            fmt::format("{}: discovered target `{}`", d.origin, t.name));
      }
      t.url = *expanded;
      base::RegisterUrlSecrets(t.url);
      t.display = base::RedactUrl(written);
      t.labels = d.labels;
      if (labels_col >= 0 && row[labels_col]) {
        std::string_view ls = *row[labels_col];
        while (!ls.empty()) {
          size_t comma = ls.find(',');
          std::string_view one = ls.substr(0, comma);
          while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
          while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
          if (!one.empty()) t.labels.emplace_back(one);
          if (comma == std::string_view::npos) break;
          ls.remove_prefix(comma + 1);
        }
      }
      if (schema_col >= 0 && row[schema_col]) t.schema = *row[schema_col];
      t.origin = d.origin + " (discovered)";
      out.push_back(std::move(t));
    }
  }
  for (const auto& g : spec.schemas) {
    std::vector<std::string> names = g.list;
    if (!g.query.empty()) {
      STRATA_ASSIGN_OR_RETURN(auto url, db::ParseUrl(g.url));
      auto conn = db::Connect(url, "strata fleet discovery");
      if (!conn) return std::move(conn).error().Wrap(fmt::format("{}: schema list", g.origin));
      auto rows = (*conn)->Query(g.query);
      if (!rows) return std::move(rows).error().Wrap(fmt::format("{}: schema query", g.origin));
      for (const auto& row : rows->rows) {
        if (!row.empty() && row[0]) names.push_back(*row[0]);
      }
    }
    for (const auto& s : names) {
      Target t;
      t.name = g.name.empty() ? s : g.name + "." + s;
      t.url = g.url;
      t.display = g.display;
      t.schema = s;
      t.labels = g.labels;
      t.origin = g.origin;
      out.push_back(std::move(t));
    }
  }
  std::map<std::string, std::string> seen;
  for (auto& t : out) {
    if (t.name.empty()) {
      return Status(ErrorCode::kConfig, fmt::format("{}: a target without a name", t.origin));
    }
    auto [it, fresh] = seen.emplace(t.name, t.origin);
    if (!fresh) {
      return Status(ErrorCode::kConfig, fmt::format("{}: target name `{}` is already used at {}",
                                                    t.origin, t.name, it->second))
          .WithHint(
              "target names identify a target in the state file and reports: make them "
              "unique");
    }
    t.url = ResolveSqlite(t.url, project_dir);
  }
  return out;
}

}  // namespace strata::fleet
