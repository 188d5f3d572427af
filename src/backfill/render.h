// Renderers for the backfill verbs: the JSON of each result (the machine twin of --json), its
// text, the JSON line of a progress event (--log-json and non-TTY progress), the progress bar of
// a TTY and the line an event other than a chunk prints there. The CLI picks one and writes it;
// nothing here prints. Secrets are redacted by the caller as it writes (base::RedactSecrets).
// Stateless; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "backfill/backfill.h"

namespace strata::backfill {

// "chunk", "throttle", "row_failed", ...: the event's name after `backfill.` in its JSON line.
std::string EventName(const BackfillEvent& e);

// One job's checkpoint row as `status --json` and `run --json` show it.
nlohmann::json JobJson(const JobState& job);
// One progress event as a JSON line: `event` ("backfill.<kind>"), `at` (now), counts, rate and
// ETA, and the fields of its kind (chunk, throttle, retry, connection_lost...).
nlohmann::json EventJson(const BackfillEvent& e);

// The progress bar of `e` in at most `columns` - 1 characters (a line that wraps cannot be
// redrawn in place with \r). The bar shrinks first (at most 30 wide); under 10 the details
// after the counts go; a bar under 5 goes; then the line is cut. `note` follows the details.
std::string ProgressBar(const BackfillEvent& e, int columns, std::string_view note = {});
// The line a TTY shows for an event that is not drawn as the bar (started, paused, resumed,
// reconfigured, connection lost, retry...). Not for Chunk, Throttle, Verify or Done, which
// update the bar.
std::string EventLine(const BackfillEvent& e);

nlohmann::json ToJson(const PlanResult& r);
std::string ToText(const PlanResult& r);
nlohmann::json ToJson(const RunResult& r);
std::string ToText(const RunResult& r);
nlohmann::json ToJson(const StatusResult& r);
std::string ToText(const StatusResult& r);
nlohmann::json ToJson(const ControlResult& r);
std::string ToText(const ControlResult& r);
nlohmann::json ToJson(const SetResult& r);
std::string ToText(const SetResult& r);

}  // namespace strata::backfill
