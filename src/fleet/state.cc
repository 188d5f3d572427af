#include "fleet/state.h"

#include "base/duration.h"
#include "base/file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>

namespace strata::fleet {

namespace {

nlohmann::json ToJson(const FleetState& s) {
  nlohmann::json targets = nlohmann::json::object();
  for (const auto& [name, t] : s.targets) {
    targets[name] = {{"result", t.result},         {"before", t.before},
                     {"after", t.after},           {"applied", t.applied},
                     {"run_id", t.run_id},         {"error", t.error},
                     {"elapsed_ms", t.elapsed_ms}, {"finished_at", t.finished_at}};
  }
  return {{"format", s.format},
          {"fleet_run_id", s.fleet_run_id},
          {"verb", s.verb},
          {"fleet_file", s.fleet_file},
          {"started_at", s.started_at},
          {"updated_at", s.updated_at},
          {"finished_at", s.finished_at},
          {"attempts", s.attempts},
          {"targets", targets}};
}

Result<FleetState> FromJson(const nlohmann::json& j) {
  FleetState s;
  try {
    s.format = j.value("format", 1);
    s.fleet_run_id = j.value("fleet_run_id", "");
    s.verb = j.value("verb", "");
    s.fleet_file = j.value("fleet_file", "");
    s.started_at = j.value("started_at", "");
    s.updated_at = j.value("updated_at", "");
    s.finished_at = j.value("finished_at", "");
    s.attempts = j.value("attempts", 1);
    if (j.contains("targets")) {
      for (const auto& [name, t] : j.at("targets").items()) {
        TargetState ts;
        ts.result = t.value("result", "");
        ts.before = t.value("before", "");
        ts.after = t.value("after", "");
        ts.applied = t.value("applied", 0);
        ts.run_id = t.value("run_id", "");
        ts.error = t.value("error", "");
        ts.elapsed_ms = t.value("elapsed_ms", std::int64_t{0});
        ts.finished_at = t.value("finished_at", "");
        s.targets[name] = ts;
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return Status(ErrorCode::kConfig, fmt::format("fleet state: {}", e.what()));
  }
  return s;
}

// Holds an flock on `<path>.lock` for its lifetime.
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    fd_ = open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ >= 0) flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace

std::string DefaultStatePath(const std::string& fleet_file) {
  std::string stem = fleet_file;
  if (stem.size() > 5 && stem.substr(stem.size() - 5) == ".toml") stem.resize(stem.size() - 5);
  return stem + ".state.json";
}

Result<std::optional<FleetState>> StateFile::Load() const {
  std::string error;
  auto text = base::ReadFile(path_, &error);
  if (!text) {
    if (access(path_.c_str(), F_OK) != 0) return std::optional<FleetState>();
    return Status(ErrorCode::kIo, fmt::format("cannot read fleet state {}: {}", path_, error));
  }
  auto j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status(ErrorCode::kConfig, fmt::format("fleet state {} is not valid JSON", path_))
        .WithHint("it is rewritten by the next `strata fleet migrate` (without --resume)");
  }
  auto s = FromJson(j);
  if (!s) return std::move(s).error().Wrap(path_);
  return std::optional<FleetState>(std::move(*s));
}

template <typename Fn>
Status StateFile::Update(Fn&& fn) {
  std::lock_guard<std::mutex> guard(mu_);
  FileLock lock(path_);
  if (!lock.ok()) {
    return Status(ErrorCode::kIo, fmt::format("cannot lock fleet state {}.lock", path_));
  }
  STRATA_ASSIGN_OR_RETURN(auto current, Load());
  FleetState s = current ? std::move(*current) : FleetState{};
  fn(s);
  s.updated_at = base::NowIso8601();
  std::string error;
  if (!base::WriteFileAtomic(path_, ToJson(s).dump(2) + "\n", &error)) {
    return Status(ErrorCode::kIo, fmt::format("cannot write fleet state {}: {}", path_, error));
  }
  return Status::Ok();
}

Status StateFile::Reset(const FleetState& state) {
  return Update([&](FleetState& s) { s = state; });
}

Status StateFile::Record(const std::string& run_id, const std::string& name, const TargetState& t) {
  return Update([&](FleetState& s) {
    // A run that started after ours owns the file now: still record what we did to the
    // target, it is the freshest truth about it.
    (void)run_id;
    s.targets[name] = t;
  });
}

Status StateFile::Finish(const std::string& run_id, const nlohmann::json& summary) {
  STRATA_TRY(Update([&](FleetState& s) {
    if (s.fleet_run_id == run_id) s.finished_at = base::NowIso8601();
  }));
  std::string history = path_;
  if (history.size() > 11 && history.substr(history.size() - 11) == ".state.json") {
    history.resize(history.size() - 11);
  }
  history += ".history.jsonl";
  FILE* f = std::fopen(history.c_str(), "a");
  if (!f) return Status(ErrorCode::kIo, fmt::format("cannot append to {}", history));
  std::string line = summary.dump() + "\n";
  std::fwrite(line.data(), 1, line.size(), f);
  std::fclose(f);
  return Status::Ok();
}

}  // namespace strata::fleet
