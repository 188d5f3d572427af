// Shared plumbing of the seed and correction integration tests: a copy of the example quote
// service (strata.toml, migrations, seed packages, corrections) in a TempDir, bound to a fresh
// real database — a SQLite file or a database in the private PostgreSQL 15 cluster — migrated,
// with helpers to edit package files, run `strata --json ...` and read rows back directly.
// Not thread-safe: one SeedProject per test.
#pragma once

#include "db/connection.h"
#include "support/pg_cluster.h"
#include "support/run.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace strata::testing {

enum class SeedDb { kSqlite, kPostgres };

inline std::string SeedDbName(const ::testing::TestParamInfo<SeedDb>& info) {
  return info.param == SeedDb::kSqlite ? "Sqlite" : "Postgres";
}

// Exit codes from include/strata/error_codes.def.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 3;      // validation
inline constexpr int kExitCheckFailed = 8;  // check-failed

class SeedProject {
 public:
  explicit SeedProject(SeedDb db) : db_(db) {
    namespace fs = std::filesystem;
    fs::path src = fs::path(STRATA_SOURCE_DIR) / "examples/quote-service";
    fs::copy(src / "strata.toml", fs::path(dir_.path()) / "strata.toml");
    for (const char* sub : {"db/migration", "db/seed", "db/corrections"}) {
      fs::create_directories(fs::path(dir_.path()) / sub);
      fs::copy(src / sub, fs::path(dir_.path()) / sub,
               fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    }
    url_ = db == SeedDb::kSqlite ? "sqlite:" + dir_ / "quote.db"
                                 : PgCluster::Get().CreateDatabase("seed");
  }

  bool pg() const { return db_ == SeedDb::kPostgres; }
  const std::string& url() const { return url_; }
  const TempDir& dir() const { return dir_; }

  RunResult Run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--url", url_});
    return RunStrata(args, dir_.path());
  }
  // `strata --json <args>`: the parsed output and the exit code.
  nlohmann::json Json(std::vector<std::string> args, int* exit_code = nullptr) const {
    args.insert(args.begin(), "--json");
    auto r = Run(args);
    if (exit_code) *exit_code = r.exit_code;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.All();
    return j;
  }
  void Migrate() const {
    auto r = Run({"migrate"});
    ASSERT_EQ(r.exit_code, 0) << r.All();
  }

  std::string Read(const std::string& rel) const { return dir_.Read(rel); }
  void Write(const std::string& rel, const std::string& content) const { dir_.Write(rel, content); }
  // Replaces the first occurrence of `from` in file `rel`; fails the test when absent.
  void Edit(const std::string& rel, const std::string& from, const std::string& to) const {
    std::string text = Read(rel);
    auto pos = text.find(from);
    ASSERT_NE(pos, std::string::npos) << rel << " has no " << from;
    text.replace(pos, from.size(), to);
    Write(rel, text);
  }

  std::unique_ptr<db::Connection> Connect() const {
    auto u = db::ParseUrl(url_);
    EXPECT_TRUE(u.ok());
    auto c = db::Connect(*u, "strata-seed-test");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c ? std::move(*c) : nullptr;
  }
  // All rows of `sql` as text (NULL as "NULL").
  std::vector<std::vector<std::string>> Rows(const std::string& sql,
                                             const std::vector<db::Value>& params = {}) const {
    std::vector<std::vector<std::string>> out;
    auto c = Connect();
    if (!c) return out;
    auto r = c->Query(sql, params);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    if (!r) return out;
    for (const auto& row : r->rows) {
      std::vector<std::string> v;
      for (const auto& f : row) v.push_back(f.value_or("NULL"));
      out.push_back(std::move(v));
    }
    return out;
  }
  std::string Scalar(const std::string& sql, const std::vector<db::Value>& params = {}) const {
    auto rows = Rows(sql, params);
    return rows.empty() || rows[0].empty() ? "" : rows[0][0];
  }
  int Count(const std::string& from_where) const {
    return std::stoi(Scalar("SELECT count(*) FROM " + from_where));
  }
  // Boolean columns read back as "true"/"false" on both dialects.
  std::string BoolText(const std::string& v) const {
    return v == "1" || v == "t" || v == "true" ? "true" : "false";
  }

 private:
  SeedDb db_;
  TempDir dir_;
  std::string url_;
};

class SeedTest : public ::testing::TestWithParam<SeedDb> {
 protected:
  void SetUp() override {
    if (GetParam() == SeedDb::kPostgres) STRATA_REQUIRE_POSTGRES();
  }
};

// The package entry of `id` in a seed --json result.
inline nlohmann::json PackageOf(const nlohmann::json& j, const std::string& id) {
  for (const auto& p : j["packages"]) {
    if (p["package"] == id) return p;
  }
  ADD_FAILURE() << "no package " << id << " in " << j.dump(2);
  return nlohmann::json::object();
}

inline bool HasRule(const nlohmann::json& j, const std::string& rule) {
  for (const auto& v : j["violations"]) {
    if (v["rule"].get<std::string>().find(rule) != std::string::npos) return true;
  }
  return false;
}

}  // namespace strata::testing
