// Synthetic migration texts for the micro benchmarks: the same four kinds, cycling, as
// bench/gen-migrations.py (create table / add columns / create indexes / insert + update).
#pragma once

#include "migrate/discovery.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

namespace strata::bench {

inline std::string MigrationBody(int n) {
  int k = (n - 1) / 4 + 1;
  std::string s = fmt::format("-- migration {}\n", n);
  switch ((n - 1) % 4) {
    case 0:
      s += fmt::format("CREATE TABLE t{} (\n    id bigint PRIMARY KEY,\n", k);
      if (k > 1) s += fmt::format("    parent_id bigint REFERENCES t{} (id),\n", k - 1);
      s += "    name varchar(100) NOT NULL,\n"
           "    amount numeric(12,2) NOT NULL DEFAULT 0 CHECK (amount >= 0),\n"
           "    created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP\n);\n";
      break;
    case 1:
      s += fmt::format(
          "ALTER TABLE t{0} ADD COLUMN note text;\n"
          "ALTER TABLE t{0} ADD COLUMN status varchar(20) NOT NULL DEFAULT 'new';\n",
          k);
      break;
    case 2:
      s += fmt::format(
          "CREATE INDEX t{0}_name_idx ON t{0} (name);\n"
          "CREATE INDEX t{0}_status_created_idx ON t{0} (status, created_at);\n",
          k);
      break;
    default:
      s += fmt::format(
          "INSERT INTO t{0} (id, name, amount, note) VALUES\n"
          "    (1, 'alpha', 10.50, 'seed row'),\n    (2, 'beta', 20.00, NULL),\n"
          "    (3, 'gamma', 0, 'zero amount');\n"
          "UPDATE t{0} SET status = 'active' WHERE amount > 0;\n",
          k);
  }
  return s;
}

// n files V1..Vn in directory order (which is not version order: V10 before V2).
inline std::vector<migrate::SourceFile> SourceFiles(int n) {
  std::vector<migrate::SourceFile> files;
  files.reserve(static_cast<size_t>(n));
  for (int i = 1; i <= n; ++i) {
    std::string script = fmt::format("V{0}__migration_{0}.sql", i);
    files.push_back(
        {"db/migration", script, fmt::format("db/migration/{}", script), MigrationBody(i)});
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.script < b.script; });
  return files;
}

// About `bytes` of SQL made of whole migration bodies.
inline std::string SqlOfSize(size_t bytes) {
  std::string s;
  for (int n = 1; s.size() < bytes; ++n) s += MigrationBody(n);
  return s;
}

}  // namespace strata::bench
