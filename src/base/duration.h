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

// Parses a duration. Errors (kConfig) name the accepted units.
Result<Millis> ParseDuration(std::string_view text);
// "1.2s", "350ms", "2m05s".
std::string FormatDuration(Millis d);
// UTC now as ISO-8601 with milliseconds: "2026-11-21T20:54:15.123Z".
std::string NowIso8601();
// Milliseconds on a monotonic clock, for measuring.
std::int64_t MonotonicMillis();

}  // namespace strata::base
