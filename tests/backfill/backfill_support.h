// Helpers for the backfill integration tests: a real SQLite file or a database on the private
// PostgreSQL cluster, a project directory with strata.toml and db/backfill/<job>.toml, and the
// JSON progress lines a run writes. Not thread-safe; one per test.
#pragma once

#include "db/connection.h"
#include "support/pg_cluster.h"
#include "support/run.h"
#include "support/temp_dir.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace strata::testing {

using nlohmann::json;

class BackfillDb {
 public:
  BackfillDb(bool pg, const TempDir& dir) : pg_(pg) {
    url_ = pg ? PgCluster::Get().CreateDatabase("bf") : "sqlite:" + dir / "app.db";
    conn_ = Open();
  }
  std::unique_ptr<db::Connection> Open() const {
    auto u = db::ParseUrl(url_);
    auto c = db::Connect(*u, "backfill test");
    EXPECT_TRUE(c.ok()) << c.error().ToString();
    return std::move(*c);
  }
  bool pg() const { return pg_; }
  const std::string& url() const { return url_; }
  db::Connection& conn() { return *conn_; }

  // Runs statements (several allowed); fails the test on error.
  void Exec(const std::string& sql) {
    auto r = conn_->ExecBatch({sql}, false);
    ASSERT_TRUE(r.status.ok()) << sql << ": " << r.status.ToString();
  }
  // First column of the first row ("" when none, "NULL" for NULL).
  std::string Q(const std::string& sql) {
    auto r = conn_->Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.error().ToString();
    if (!r.ok() || r->rows.empty() || r->rows[0].empty()) return "";
    return r->rows[0][0] ? *r->rows[0][0] : "NULL";
  }
  long long N(const std::string& sql) {
    std::string s = Q(sql);
    return s.empty() || s == "NULL" ? -1 : std::stoll(s);
  }

  // item(id, grp, v, touched): `rows` rows with v NULL — the backfill sets v = id * 2.
  void CreateItems(int rows, const std::string& table = "item") {
    Exec("CREATE TABLE " + table +
         " (id bigint PRIMARY KEY, grp integer NOT NULL, v bigint, touched integer NOT NULL "
         "DEFAULT 0, CONSTRAINT ck_" +
         table + "_poison CHECK (v IS NULL OR grp <> 99))");
    if (pg_) {
      Exec("INSERT INTO " + table + " (id, grp) SELECT g, g % 4 FROM generate_series(1, " +
           std::to_string(rows) + ") g");
    } else {
      Exec("WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < " +
           std::to_string(rows) + ") INSERT INTO " + table + " (id, grp) SELECT g, g % 4 FROM s");
    }
  }

 private:
  bool pg_;
  std::string url_;
  std::unique_ptr<db::Connection> conn_;
};

// Writes strata.toml (url) and db/backfill/<job>.toml; returns the project directory.
inline void WriteProject(const TempDir& dir, const std::string& url) {
  dir.Write("strata.toml", "url = \"" + url + "\"\nlocations = [\"db/migration\"]\n");
}
inline std::string ItemJob(const std::string& extra = "", const std::string& table = "item") {
  return "table = \"" + table + "\"\nkey = \"id\"\nwhere = \"v IS NULL\"\nset = \"v = id * 2\"\n" +
         extra;
}

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The backfill.* JSON lines in a run's log.
inline std::vector<json> Events(const std::string& log) {
  std::vector<json> out;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '{') continue;
    auto j = json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("event")) out.push_back(std::move(j));
  }
  return out;
}
inline int CountEvents(const std::string& log, const std::string& name) {
  int n = 0;
  for (const auto& e : Events(log)) n += e["event"] == "backfill." + name;
  return n;
}

// Polls `pred` every 20 ms for up to `seconds`; false on timeout.
template <typename F>
bool WaitFor(F pred, int seconds = 60) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

inline std::vector<std::string> Args(const BackfillDb& db, std::vector<std::string> rest) {
  std::vector<std::string> a = {"--url", db.url()};
  a.insert(a.end(), rest.begin(), rest.end());
  return a;
}

}  // namespace strata::testing
