#include "migrate/state.h"

#include <algorithm>
#include <map>
#include <set>

namespace strata::migrate {

std::string_view StateName(State s) {
  switch (s) {
    case State::kPending:
      return "pending";
    case State::kApplied:
      return "applied";
    case State::kFailed:
      return "failed";
    case State::kOutdated:
      return "outdated";
    case State::kMissing:
      return "missing";
    case State::kFuture:
      return "future";
    case State::kOutOfOrder:
      return "out-of-order";
    case State::kBaseline:
      return "baseline";
    case State::kBelowBaseline:
      return "below-baseline";
  }
  return "?";
}

namespace {
struct VersionLess {
  bool operator()(const Version& a, const Version& b) const { return a < b; }
};
}  // namespace

StateReport Join(const MigrationSet& set, const std::vector<AppliedRow>& rows) {
  StateReport report;
  // Effective row per version, with repairs applied in rank order.
  std::map<Version, const AppliedRow*, VersionLess> by_version;
  std::map<Version, std::string_view, VersionLess> accepted;  // accepted checksum per version
  std::map<std::string, const AppliedRow*> by_repeatable;     // latest row per description
  const AppliedRow* baseline_row = nullptr;
  for (const auto& row : rows) {
    std::optional<Version> v;
    if (row.version) v = Version::Parse(*row.version);
    if (row.type == kTypeRepair) {
      if (!v) {
        // A repeatable migration's failed row is cleared by script (it has no version).
        if (row.description == kRepairClearFailed) {
          std::erase_if(by_repeatable, [&](const auto& kv) {
            return kv.second->script == row.script && !kv.second->success;
          });
        }
        continue;
      }
      if (row.description == kRepairAcceptChecksum && row.checksum) {
        accepted[*v] = *row.checksum;
      } else if (row.description == kRepairClearFailed) {
        auto it = by_version.find(*v);
        if (it != by_version.end() && !it->second->success) by_version.erase(it);
      }
      continue;
    }
    if (row.type == kTypeRepeatable || (row.type == kTypeImported && !v)) {
      by_repeatable[row.description] = &row;
      continue;
    }
    if (!v) continue;
    if (row.type == kTypeBaseline) {
      baseline_row = &row;
      report.baseline = *v;
    }
    // Rows mostly come in version order: appending at the end needs no search.
    if (by_version.empty() || std::prev(by_version.end())->first < *v) {
      by_version.emplace_hint(by_version.end(), *v, &row);
    } else {
      by_version[*v] = &row;
    }
    // A new row for the version carries its own checksum.
    if (!accepted.empty()) accepted.erase(*v);
    if (row.success && (!report.latest_applied || *report.latest_applied < *v)) {
      report.latest_applied = std::move(*v);
    }
  }
  report.entries.reserve(set.migrations.size() + by_version.size() + by_repeatable.size() + 1);
  std::optional<Version> max_file;
  std::vector<const Version*> file_versions;  // sorted: a lookup per applied row
  std::set<std::string_view> file_repeatables;
  file_versions.reserve(set.migrations.size());
  for (const auto& m : set.migrations) {
    if (m.kind == Kind::kVersioned) {
      file_versions.push_back(&m.version);
      if (!max_file || *max_file < m.version) max_file = m.version;
    } else {
      file_repeatables.insert(m.description);
    }
  }
  auto by_value = [](const Version* a, const Version* b) { return *a < *b; };
  if (!std::is_sorted(file_versions.begin(), file_versions.end(), by_value)) {
    std::sort(file_versions.begin(), file_versions.end(), by_value);
  }
  auto has_file = [&](const Version& v) {
    return std::binary_search(file_versions.begin(), file_versions.end(), &v, by_value);
  };
  if (baseline_row) {
    Entry e;
    e.state = State::kBaseline;
    e.version = *baseline_row->version;
    e.description = baseline_row->description;
    e.script = baseline_row->script;
    e.applied = baseline_row;
    report.entries.push_back(std::move(e));
  }
  // Files are in version order too: the row after the last one found is usually the next's.
  auto next_row = by_version.begin();
  for (const auto& m : set.migrations) {
    Entry e;
    e.kind = m.kind;
    e.description = m.description;
    e.script = m.script;
    e.checksum = m.checksum;
    e.resolved = &m;
    if (m.kind == Kind::kVersioned) {
      e.version = m.version.text();
      auto it = next_row != by_version.end() && next_row->first == m.version
                    ? next_row
                    : by_version.find(m.version);
      if (it != by_version.end()) next_row = std::next(it);
      if (it != by_version.end() && it->second->type != kTypeBaseline) {
        e.applied = it->second;
        auto acc = accepted.find(m.version);
        e.accepted_checksum = acc != accepted.end()  ? acc->second
                              : it->second->checksum ? std::string_view(*it->second->checksum)
                                                     : std::string_view();
        if (!it->second->success) {
          e.state = State::kFailed;
        } else {
          e.state = State::kApplied;
          e.checksum_mismatch = e.accepted_checksum != m.checksum;
        }
      } else if (report.baseline && !(*report.baseline < m.version)) {
        e.state = State::kBelowBaseline;
      } else if (report.latest_applied && m.version < *report.latest_applied) {
        e.state = State::kOutOfOrder;
      } else {
        e.state = State::kPending;
      }
    } else {
      auto it = by_repeatable.find(m.description);
      if (it == by_repeatable.end()) {
        e.state = State::kPending;
      } else {
        e.applied = it->second;
        if (!it->second->success) {
          e.state = State::kFailed;
        } else {
          e.state = it->second->checksum == m.checksum ? State::kApplied : State::kOutdated;
        }
      }
    }
    report.entries.push_back(std::move(e));
  }
  for (const auto& [v, row_ptr] : by_version) {
    const AppliedRow& row = *row_ptr;
    if (row.type == kTypeBaseline || has_file(v)) continue;
    if (report.baseline && !(*report.baseline < v)) continue;
    Entry e;
    e.version = v.text();
    e.description = row.description;
    e.script = row.script;
    if (row.checksum) e.checksum = *row.checksum;
    e.applied = &row;
    e.state = !row.success                   ? State::kFailed
              : (!max_file || *max_file < v) ? State::kFuture
                                             : State::kMissing;
    report.entries.push_back(std::move(e));
  }
  for (const auto& [desc, row_ptr] : by_repeatable) {
    const AppliedRow& row = *row_ptr;
    if (file_repeatables.count(desc)) continue;
    Entry e;
    e.kind = Kind::kRepeatable;
    e.description = desc;
    e.script = row.script;
    if (row.checksum) e.checksum = *row.checksum;
    e.applied = &row;
    e.state = State::kMissing;
    report.entries.push_back(std::move(e));
  }
  return report;
}

}  // namespace strata::migrate
