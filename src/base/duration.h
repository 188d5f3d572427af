// Durations as users write them ("500ms", "5s", "2min", "1h", "1.5s", bare numbers = ms),
// and wall-clock helpers. Pure functions, thread-safe.
#pragma once

#include "strata/result.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace strata::base {

using Millis = std::chrono::milliseconds;

// The longest duration strata accepts: 2,147,483,647 ms (~596 h, 24.8 days), the largest
// timeout PostgreSQL takes (lock_timeout, statement_timeout are int milliseconds). Longer ones
// would overflow the timeouts and deadlines computed from them.
inline constexpr Millis kMaxDuration{2'147'483'647};

// Parses a duration. Errors (kConfig) name the accepted units, or the maximum (kMaxDuration)
// when the value is longer.
Result<Millis> ParseDuration(std::string_view text);
// "1.2s", "350ms", "2m05s".
std::string FormatDuration(Millis d);
// UTC now as ISO-8601 with milliseconds: "2026-11-21T20:54:15.123Z".
std::string NowIso8601();
// A point in time as users write it for a selection (`evidence --since`): an ISO-8601 date or
// date-time ("2026-12-06", "2026-12-06T09:30", "2026-12-06 09:30:00Z", "...+01:00"), or a
// duration back from now ("36h"). Returns it in NowIso8601's form, so it compares as text with
// recorded times. A date that does not exist (2026-13-45, 2026-02-30) or other text is an error
// (kUsage) naming `what` and the accepted forms.
Result<std::string> ParsePointInTime(std::string_view text, std::string_view what);
// Milliseconds on a monotonic clock, for measuring.
std::int64_t MonotonicMillis();

}  // namespace strata::base
