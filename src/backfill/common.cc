#include "backfill/common.h"

#include "config/config.h"
#include "config/toml_values.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>

namespace strata::backfill {

namespace fs = std::filesystem;

Result<Settings> LoadSettings(const Options& options) {
  Settings s;
  // strata.toml (none: defaults) with the environment (STRATA_BACKFILL_*) applied.
  STRATA_ASSIGN_OR_RETURN(toml::table tbl, config::LoadProjectToml(options.config_path));
  if (const toml::node* n = tbl.get("backfill")) {
    const std::string& path = options.config_path;
    STRATA_ASSIGN_OR_RETURN(const toml::table* t, config::GetTable(path, *n, "backfill"));
    for (auto&& [k, v] : *t) {
      if (k.str() == "directory") {
        STRATA_ASSIGN_OR_RETURN(s.directory, config::GetString(path, v, "backfill.directory"));
      } else if (k.str() == "replica_url") {
        STRATA_ASSIGN_OR_RETURN(s.replica_url, config::GetString(path, v, "backfill.replica_url"));
      } else {
        return config::UnknownSetting(path, v, "backfill", k.str());
      }
    }
  }
  if (!fs::path(s.directory).is_absolute() && !options.project_dir.empty()) {
    s.directory = (fs::path(options.project_dir) / s.directory).lexically_normal().string();
  }
  return s;
}

Result<std::string> ResolveJobPath(const Options& options, const Settings& settings,
                                   const std::string& job) {
  (void)options;
  if (job.empty()) {
    return Status(ErrorCode::kUsage, "no job given")
        .WithHint("name a job file in " + settings.directory);
  }
  bool looks_like_path = job.find('/') != std::string::npos ||
                         (job.size() > 5 && job.substr(job.size() - 5) == ".toml");
  if (looks_like_path) {
    if (fs::exists(job)) return job;
    return Status(ErrorCode::kIo, fmt::format("backfill job file {} does not exist", job))
        .WithHint(fmt::format("list the jobs in {} or check the path", settings.directory));
  }
  std::string p = (fs::path(settings.directory) / (job + ".toml")).string();
  if (fs::exists(p)) return p;
  std::vector<std::string> known;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(settings.directory, ec)) {
    if (e.path().extension() == ".toml") known.push_back(e.path().stem().string());
  }
  std::sort(known.begin(), known.end());
  return Status(ErrorCode::kIo, fmt::format("no backfill job `{}`: {} does not exist", job, p))
      .WithHint(known.empty()
                    ? fmt::format("create {} (format: docs/formats/backfill-job.md)", p)
                    : fmt::format("jobs in {}: {}", settings.directory, fmt::join(known, ", ")));
}

std::string JobLockName(const std::string& job_key) { return "backfill-" + job_key; }

std::string KeyToJson(const std::vector<db::Value>& key) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& v : key) j.push_back(v ? nlohmann::json(*v) : nlohmann::json(nullptr));
  return j.dump();
}

std::vector<db::Value> KeyFromJson(const std::string& json) {
  std::vector<db::Value> out;
  if (json.empty()) return out;
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& el : j) {
    if (el.is_null()) {
      out.emplace_back(std::nullopt);
    } else if (el.is_string()) {
      out.emplace_back(el.get<std::string>());
    } else {
      out.emplace_back(el.dump());
    }
  }
  return out;
}

bool IsTransient(const Status& s) {
  const std::string& st = s.sqlstate();
  return st == "40001" || st == "40P01" || st == "55P03" || st == "57014" || st == "SQLITE_BUSY" ||
         st == "SQLITE_LOCKED" || (st.empty() && s.code() == ErrorCode::kLockTimeout);
}

bool IsConnectionLost(const Status& s) { return s.code() == ErrorCode::kConnection; }

std::int64_t ToInt(const db::Value& v, std::int64_t fallback) {
  if (!v || v->empty()) return fallback;
  try {
    return std::stoll(*v);
  } catch (...) {
    return fallback;
  }
}

std::string Text(const db::Value& v) { return v ? *v : std::string(); }

std::string NewUuid() {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                          (static_cast<std::uint64_t>(getpid()) << 32));
  std::uint64_t a = rng(), b = rng();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  std::string h = fmt::format("{:016x}{:016x}", a, b);
  return fmt::format("{}-{}-{}-{}-{}", h.substr(0, 8), h.substr(8, 4), h.substr(12, 4),
                     h.substr(16, 4), h.substr(20, 12));
}

}  // namespace strata::backfill
