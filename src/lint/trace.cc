#include "lint/trace.h"

#include "base/file.h"

#include <fmt/format.h>

#include <map>

namespace strata::lint {

nlohmann::json TraceToJson(const Trace& trace) {
  nlohmann::json migs = nlohmann::json::array();
  for (const auto& m : trace.migrations) {
    nlohmann::json sts = nlohmann::json::array();
    for (const auto& s : m.statements) {
      nlohmann::json locks = nlohmann::json::array();
      for (const auto& l : s.locks) {
        locks.push_back({{"relation", l.relation}, {"mode", l.mode}, {"acquired", l.acquired}});
      }
      sts.push_back({{"index", s.index},
                     {"line", s.line},
                     {"elapsed_ms", s.elapsed_ms},
                     {"locks", locks},
                     {"rewrites", s.rewrites}});
    }
    migs.push_back({{"script", m.script}, {"sha256", m.sha256}, {"statements", sts}});
  }
  return {{"format", kTraceFormat}, {"server", trace.server}, {"migrations", migs}};
}

Result<Trace> ReadTrace(const std::string& path) {
  std::string err;
  std::optional<std::string> text = base::ReadFile(path, &err);
  if (!text) {
    return Status(ErrorCode::kIo, fmt::format("{}: {}", path, err))
        .WithHint("write a trace with `strata test --trace FILE`");
  }
  auto bad = [&](std::string_view why) {
    return Status(ErrorCode::kConfig, fmt::format("{}: not a strata trace: {}", path, why))
        .WithHint("write a trace with `strata test --trace FILE` (docs/trace.md)");
  };
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  if (j.value("format", "") != kTraceFormat) {
    return bad(fmt::format("\"format\" is not \"{}\"", kTraceFormat));
  }
  Trace t;
  t.server = j.value("server", "");
  try {
    for (const auto& m : j.at("migrations")) {
      ObservedMigration om;
      om.script = m.at("script").get<std::string>();
      om.sha256 = m.at("sha256").get<std::string>();
      for (const auto& s : m.at("statements")) {
        ObservedStatement os;
        os.index = s.at("index").get<int>();
        os.line = s.value("line", 0);
        os.elapsed_ms = s.value("elapsed_ms", 0.0);
        for (const auto& l : s.at("locks")) {
          os.locks.push_back({l.at("relation").get<std::string>(), l.at("mode").get<std::string>(),
                              l.value("acquired", false)});
        }
        os.rewrites = s.value("rewrites", std::vector<std::string>{});
        om.statements.push_back(std::move(os));
      }
      t.migrations.push_back(std::move(om));
    }
  } catch (const nlohmann::json::exception& e) {
    return bad(e.what());
  }
  return t;
}

const ObservedStatement* FindObserved(const Trace& trace, std::string_view script,
                                      std::string_view sha256, size_t index) {
  for (const auto& m : trace.migrations) {
    if (m.script != script || m.sha256 != sha256) continue;
    for (const auto& s : m.statements) {
      if (s.index == static_cast<int>(index)) return &s;
    }
  }
  return nullptr;
}

analysis::LockMode LockModeFromName(std::string_view name) {
  for (int i = 1; i <= static_cast<int>(analysis::LockMode::kAccessExclusive); ++i) {
    auto m = static_cast<analysis::LockMode>(i);
    if (analysis::LockModeName(m) == name) return m;
  }
  return analysis::LockMode::kNone;
}

std::string RelationKey(std::string_view relation) {
  if (relation.rfind("public.", 0) == 0) return std::string(relation.substr(7));
  return std::string(relation);
}

analysis::Facts ApplyObserved(const analysis::Facts& facts, const ObservedStatement& observed) {
  analysis::Facts f = facts;
  std::string target = facts.target.empty() ? std::string() : facts.target.Key();
  // The strongest mode the statement took, per table.
  std::map<std::string, analysis::LockMode> taken;
  // A table the statement creates is seen by no other session: its locks block nothing, and
  // the analyzer's "no lock" for it stands.
  bool creates = facts.kind == analysis::StatementKind::kCreateTable ||
                 facts.kind == analysis::StatementKind::kCreateTableAs;
  for (const auto& l : observed.locks) {
    if (!l.acquired || (creates && RelationKey(l.relation) == target)) continue;
    auto& m = taken[RelationKey(l.relation)];
    m = std::max(m, LockModeFromName(l.mode));
  }
  if (!target.empty()) {
    if (auto it = taken.find(target); it != taken.end()) f.lock = it->second;
    bool rewritten = false;
    for (const auto& r : observed.rewrites) rewritten |= RelationKey(r) == target;
    if (facts.kind != analysis::StatementKind::kTruncate) f.rewrite = rewritten;
  }
  f.other_locks.clear();
  for (const auto& [key, mode] : taken) {
    if (key == target) continue;
    analysis::OtherLock o;
    size_t dot = key.find('.');
    if (dot != std::string::npos) {
      o.table.schema = key.substr(0, dot);
      o.table.name = key.substr(dot + 1);
    } else {
      o.table.name = key;
    }
    o.mode = mode;
    f.other_locks.push_back(std::move(o));
  }
  return f;
}

}  // namespace strata::lint
