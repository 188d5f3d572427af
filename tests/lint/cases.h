// Reader of rule case files (src/lint/rules/<rule>.test) and a runner that lints one case as a
// pending set. Format: `-- case bad|good: <title>` starts a case; `-- with: k=v ...` sets
// options (pg, transaction, file, applied, engine_lock_timeout, grant_roles, protected, enable,
// changed, dialect=sqlite, sqlite_version=3.34); `-- next-file: <name>` starts the next migration
// file of the same case.
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

// Lints `c` and returns all findings (suppressed ones included).
inline LintResult RunCase(const Case& c, LintConfig config = {}) {
  std::string file = "V1__case.sql";
  int applied = 0;
  std::string changed;
  std::string transaction;
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
  return Lint(inputs, config);
}

}  // namespace strata::lint::testing
