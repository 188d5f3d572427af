// Reader of rule case files (src/lint/rules/<rule>.test) and a runner that lints one case as a
// pending set. Format: `-- case bad|good: <title>` starts a case; `-- with: k=v ...` sets
// options (pg, transaction, file, applied, engine_lock_timeout, grant_roles, protected, enable,
// changed, live_rows=table:rows,..., live_index=table:index:col|col,..., seeded=table,...,
// releases=path, release=migration:surface|..., dialect=sqlite, sqlite_version=3.34); `--
// next-file: <name>` starts the next migration file of the same case; `-- identifier: name=..
// table=.. column=..|columns=a,b deletes=.. tombstone=.. consumers=a,b
// format=uuid|integer|prefix:P|regex:R` declares an identifier contract (db/identifiers.toml) for
// the case, one per line.
#pragma once

#include "lint/linter.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace strata::lint::testing {

struct Case {
  bool bad = false;
  std::string title;
  int line = 0;  // in the .test file
  std::vector<std::pair<std::string, std::string>> with;
  std::vector<std::string> identifiers;  // `-- identifier:` lines, without the prefix
  std::string sql;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::vector<Case> ParseCases(const std::string& text) {
  std::vector<Case> out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("-- case ", 0) == 0) {
      Case c;
      std::string rest = line.substr(8);
      c.bad = rest.rfind("bad:", 0) == 0;
      c.title = rest.substr(rest.find(':') + 1);
      c.line = n;
      out.push_back(c);
      continue;
    }
    if (out.empty()) continue;
    if (line.rfind("-- identifier: ", 0) == 0) out.back().identifiers.push_back(line.substr(15));
    if (line.rfind("-- with: ", 0) == 0) {
      std::istringstream ws(line.substr(9));
      std::string kv;
      while (ws >> kv) {
        auto eq = kv.find('=');
        out.back().with.emplace_back(kv.substr(0, eq),
                                     eq == std::string::npos ? "" : kv.substr(eq + 1));
      }
    }
    out.back().sql += line + "\n";
  }
  return out;
}

inline std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string p;
  while (std::getline(ss, p, ',')) out.push_back(p);
  return out;
}

// The `-- identifier:` lines of a case as the text of a db/identifiers.toml.
inline std::string IdentifiersToml(const std::vector<std::string>& lines) {
  auto quoted = [](const std::string& v) {
    std::string out = "\"";
    for (char ch : v) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    return out + "\"";
  };
  auto list = [&](const std::string& v) {
    std::string out = "[";
    for (const auto& p : SplitComma(v)) out += (out.size() > 1 ? ", " : "") + quoted(p);
    return out + "]";
  };
  std::string toml;
  for (const auto& l : lines) {
    toml += "[[identifier]]\n";
    std::istringstream ws(l);
    std::string kv;
    while (ws >> kv) {
      auto eq = kv.find('=');
      std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
      if (k == "columns" || k == "consumers") {
        toml += k + " = " + list(v) + "\n";
      } else if (k == "format" && v.find(':') != std::string::npos) {
        auto colon = v.find(':');
        toml += "format = { " + v.substr(0, colon) + " = " + quoted(v.substr(colon + 1)) + " }\n";
      } else {
        toml += k + " = " + quoted(v) + "\n";
      }
    }
  }
  return toml;
}

// Lints `c` and returns all findings (suppressed ones included).
inline LintResult RunCase(const Case& c, LintConfig config = {}) {
  if (!c.identifiers.empty()) {
    auto parsed =
        identifiers::Contracts::Parse(IdentifiersToml(c.identifiers), "db/identifiers.toml");
    if (!parsed) {
      LintResult bad;
      bad.status = parsed.error();
      return bad;
    }
    config.identifiers = std::move(*parsed);
  }
  std::string file = "V1__case.sql";
  int applied = 0;
  std::string changed;
  std::string transaction;
  LiveInfo live;
  bool has_live = false;
  for (const auto& [k, v] : c.with) {
    if (k == "pg") {
      auto dot = v.find('.');
      config.pg_version = std::stoi(v.substr(0, dot));
      config.pg_minor = dot == std::string::npos ? -1 : std::stoi(v.substr(dot + 1));
    } else if (k == "transaction") {
      config.default_transactional = v != "off";
    } else if (k == "file") {
      file = v;
    } else if (k == "applied") {
      applied = std::stoi(v);
    } else if (k == "engine_lock_timeout") {
      config.engine_lock_timeout = v != "off";
    } else if (k == "grant_roles") {
      config.grant_allow_roles = SplitComma(v);
    } else if (k == "protected") {
      for (auto& p : SplitComma(v)) config.protected_patterns.push_back(p);
    } else if (k == "enable") {
      for (auto& p : SplitComma(v)) config.enabled.insert(p);
    } else if (k == "changed") {
      changed = v;
    } else if (k == "live_rows") {  // table:rows,...: live row estimates (no planner)
      for (auto& p : SplitComma(v)) {
        auto colon = p.find(':');
        live.tables[p.substr(0, colon)] = {std::stoll(p.substr(colon + 1)), 8192};
      }
      has_live = true;
    } else if (k == "live_index") {  // table:index:col|col,...: live indexes (pg_get_indexdef)
      for (auto& p : SplitComma(v)) {
        auto c1 = p.find(':'), c2 = p.find(':', c1 + 1);
        std::string cols = p.substr(c2 + 1);
        for (char& ch : cols) ch = ch == '|' ? ',' : ch;
        live.index_definitions.push_back("CREATE INDEX " + p.substr(c1 + 1, c2 - c1 - 1) +
                                         " ON public." + p.substr(0, c1) + " USING btree (" + cols +
                                         ")");
      }
      has_live = true;
    } else if (k == "seeded") {  // tables a seed package owns
      for (auto& t : SplitComma(v)) config.seed_tables[t] = "seed package `case` (reference)";
    } else if (k == "releases") {  // the manifest's path: a project with a release manifest
      config.releases_file = v;
    } else if (k == "release") {  // migration:surface|surface (empty: none stated)
      auto colon = v.find(':');
      LintConfig::Release r{"R", {}};
      std::stringstream ss(v.substr(colon + 1));
      for (std::string surface; std::getline(ss, surface, '|');) r.surfaces.push_back(surface);
      config.releases[v.substr(0, colon)] = r;
      if (config.releases_file.empty()) config.releases_file = "db/releases.toml";
    } else if (k == "max_file_bytes") {
      config.max_file_bytes = std::stoll(v);
    } else if (k == "dialect") {
      config.dialect = v == "sqlite" ? db::Dialect::kSqlite : db::Dialect::kPostgres;
    } else if (k == "sqlite_version") {
      int major = 0, minor = 0;
      std::sscanf(v.c_str(), "%d.%d", &major, &minor);
      config.sqlite_version = major * 1'000'000 + minor * 1000;
    }
  }
  std::vector<LintInput> inputs;
  std::istringstream in(c.sql);
  std::string line;
  LintInput cur{file, file, "", true, false, changed};
  while (std::getline(in, line)) {
    if (line.rfind("-- next-file: ", 0) == 0) {
      inputs.push_back(cur);
      std::string name = line.substr(14);
      cur = LintInput{name, name, "", true, false, ""};
      continue;
    }
    cur.text += line + "\n";
  }
  inputs.push_back(cur);
  for (int i = 0; i < applied && i < static_cast<int>(inputs.size()); ++i)
    inputs[i].pending = false;
  return Lint(inputs, config, has_live ? &live : nullptr);
}

}  // namespace strata::lint::testing
