// Synthetic migration texts for the micro benchmarks: the same four kinds, cycling, as
// bench/gen-migrations.py (create table / add columns / create indexes / insert + update).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "migrate/discovery.h"

namespace strata::bench {

inline std::string MigrationBody(int n) {
  int k = (n - 1) / 4 + 1;
  std::string t = "t" + std::to_string(k);
  std::string s = "-- migration " + std::to_string(n) + "\n";
  switch ((n - 1) % 4) {
    case 0:
      s += "CREATE TABLE " + t + " (\n    id bigint PRIMARY KEY,\n";
      if (k > 1) s += "    parent_id bigint REFERENCES t" + std::to_string(k - 1) + " (id),\n";
      s += "    name varchar(100) NOT NULL,\n"
           "    amount numeric(12,2) NOT NULL DEFAULT 0 CHECK (amount >= 0),\n"
           "    created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP\n);\n";
      break;
    case 1:
      s += "ALTER TABLE " + t + " ADD COLUMN note text;\n";
      s += "ALTER TABLE " + t + " ADD COLUMN status varchar(20) NOT NULL DEFAULT 'new';\n";
      break;
    case 2:
      s += "CREATE INDEX " + t + "_name_idx ON " + t + " (name);\n";
      s += "CREATE INDEX " + t + "_status_created_idx ON " + t + " (status, created_at);\n";
      break;
    default:
      s += "INSERT INTO " + t + " (id, name, amount, note) VALUES\n"
           "    (1, 'alpha', 10.50, 'seed row'),\n    (2, 'beta', 20.00, NULL),\n"
           "    (3, 'gamma', 0, 'zero amount');\n";
      s += "UPDATE " + t + " SET status = 'active' WHERE amount > 0;\n";
  }
  return s;
}

// n files V1..Vn in directory order (which is not version order: V10 before V2).
inline std::vector<migrate::SourceFile> SourceFiles(int n) {
  std::vector<migrate::SourceFile> files;
  files.reserve(static_cast<size_t>(n));
  for (int i = 1; i <= n; ++i) {
    std::string script = "V" + std::to_string(i) + "__migration_" + std::to_string(i) + ".sql";
    files.push_back({"db/migration", script, "db/migration/" + script, MigrationBody(i)});
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
