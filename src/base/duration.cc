#include "base/duration.h"

#include "base/text.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <ctime>

namespace strata::base {

Result<Millis> ParseDuration(std::string_view text) {
  std::string_view s = Trim(text);
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  std::string num(s.substr(0, i));
  std::string unit = ToLower(Trim(s.substr(i)));
  char* end = nullptr;
  double v = num.empty() ? -1 : std::strtod(num.c_str(), &end);
  if (num.empty() || end != num.c_str() + num.size() || v < 0) {
    return Status(ErrorCode::kConfig,
                  fmt::format("invalid duration '{}': expected a number with a unit such as "
                              "500ms, 5s, 2min or 1h",
                              text));
  }
  double factor;
  if (unit.empty() || unit == "ms") {
    factor = 1;
  } else if (unit == "s" || unit == "sec" || unit == "secs" || unit == "second" ||
             unit == "seconds") {
    factor = 1000;
  } else if (unit == "m" || unit == "min" || unit == "mins" || unit == "minute" ||
             unit == "minutes") {
    factor = 60'000;
  } else if (unit == "h" || unit == "hour" || unit == "hours") {
    factor = 3'600'000;
  } else {
    return Status(
        ErrorCode::kConfig,
        fmt::format("invalid duration unit '{}' in '{}': use ms, s, min or h", unit, text));
  }
  // Compared as a double before converting: a value past int64's range (1e20h) has no
  // defined conversion and came out negative.
  const double ms = v * factor;
  if (!(ms <= static_cast<double>(kMaxDuration.count()))) {
    return Status(ErrorCode::kConfig,
                  fmt::format("duration '{}' is too long: the maximum is {}ms (about 596h, 24 "
                              "days)",
                              text, kMaxDuration.count()));
  }
  return Millis(static_cast<std::int64_t>(std::llround(ms)));
}

std::string FormatDuration(Millis d) {
  auto ms = d.count();
  if (ms < 1000) return fmt::format("{}ms", ms);
  if (ms < 60'000) return fmt::format("{:.1f}s", ms / 1000.0);
  return fmt::format("{}m{:02}s", ms / 60'000, (ms % 60'000) / 1000);
}

std::string NowIso8601() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

std::int64_t MonotonicMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace strata::base
