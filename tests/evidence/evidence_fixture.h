// A throwaway strata project bound to a fresh real database (a SQLite file, or a database in
// the test binary's private PostgreSQL cluster), for the checks/evidence/plan tests.
// Not thread-safe: one Project per test.
#pragma once

#include "db/connection.h"
#include "support/pg_cluster.h"
#include "support/run.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace strata::testing {

enum class Dialect { kSqlite, kPostgres };

inline std::string DialectName(const ::testing::TestParamInfo<Dialect>& info) {
  return info.param == Dialect::kSqlite ? "Sqlite" : "Postgres";
}

inline constexpr int kExitOk = 0;
inline constexpr int kExitValidation = 3;
inline constexpr int kExitCheckFailed = 8;

class Project {
 public:
  explicit Project(Dialect d, const std::string& toml = "") : dialect_(d) {
    url_ = d == Dialect::kSqlite ? "sqlite:" + dir_ / "test.db"
                                 : PgCluster::Get().CreateDatabase("ev");
    WriteToml(toml);
    std::filesystem::create_directories(dir_ / "db/migration");
  }
  bool pg() const { return dialect_ == Dialect::kPostgres; }
  const std::string& url() const { return url_; }
  const TempDir& dir() const { return dir_; }
  void WriteToml(const std::string& toml) const {
    dir_.Write("strata.toml", "locations = [\"db/migration\"]\n" + toml);
  }
  void Write(const std::string& name, const std::string& content) const {
    dir_.Write("db/migration/" + name, content);
    auto r = Run({"hash"});
    EXPECT_EQ(r.exit_code, 0) << r.All();
  }
  RunResult Run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--url", url_});
    return RunStrata(args, dir_.path());
  }
  nlohmann::json Json(std::vector<std::string> args) const {
    args.insert(args.begin(), "--json");
    auto r = Run(args);
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.All();
    return j;
  }
  std::unique_ptr<db::Connection> Connect() const {
    auto u = db::ParseUrl(url_);
    auto c = db::Connect(*u, "strata-evidence-test");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c ? std::move(*c) : nullptr;
  }
  std::string Scalar(const std::string& sql) const {
    auto c = Connect();
    auto r = c->Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    if (!r || r->rows.empty() || !r->rows[0][0]) return "";
    return *r->rows[0][0];
  }
  void Exec(const std::string& sql) const {
    auto c = Connect();
    auto s = c->Exec(sql);
    EXPECT_TRUE(s.ok()) << sql << ": " << s.ToString();
  }

 private:
  Dialect dialect_;
  TempDir dir_;
  std::string url_;
};

class DialectTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    if (GetParam() == Dialect::kPostgres) STRATA_REQUIRE_POSTGRES();
  }
};

}  // namespace strata::testing
