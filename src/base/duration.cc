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

namespace {

std::string IsoOf(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ((ms % 1000) + 1000) % 1000);
}

// Reads exactly `n` digits at `i`.
bool Digits(std::string_view s, size_t& i, int n, int& out) {
  if (i + static_cast<size_t>(n) > s.size()) return false;
  out = 0;
  for (int k = 0; k < n; ++k, ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

Result<std::string> ParsePointInTime(std::string_view text, std::string_view what) {
  std::string_view s = Trim(text);
  auto bad = [&](std::string_view why) {
    return Status(ErrorCode::kUsage, fmt::format("{} `{}` {}", what, s, why))
        .WithHint(
            "give an ISO-8601 date or UTC date-time (2026-12-06, 2026-12-06T09:30:00Z, "
            "2026-12-06T10:30+01:00) or a duration back from now (36h, 90min)");
  };
  if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0])) && s.find('-') == s.npos) {
    auto d = ParseDuration(s);
    if (!d) return bad("is neither a date nor a duration");
    auto now =
        std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    return IsoOf(now - d->count());
  }
  size_t i = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0, offset = 0;
  if (!Digits(s, i, 4, year) || i >= s.size() || s[i++] != '-' || !Digits(s, i, 2, month) ||
      i >= s.size() || s[i++] != '-' || !Digits(s, i, 2, day)) {
    return bad("is not a date");
  }
  if (i < s.size() && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
    ++i;
    if (!Digits(s, i, 2, hour) || i >= s.size() || s[i++] != ':' || !Digits(s, i, 2, minute)) {
      return bad("has no valid time of day (HH:MM)");
    }
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!Digits(s, i, 2, second)) return bad("has no valid seconds");
      if (i < s.size() && s[i] == '.') {
        ++i;
        size_t start = i;
        int scale = 100;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
          millis += (s[i] - '0') * scale;
          scale /= 10;
          ++i;
        }
        if (i == start) return bad("has no digits after the decimal point");
      }
    }
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
      ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      int sign = s[i++] == '-' ? -1 : 1;
      int oh = 0, om = 0;
      if (!Digits(s, i, 2, oh)) return bad("has an invalid UTC offset");
      if (i < s.size() && s[i] == ':') ++i;
      if (i < s.size() && !Digits(s, i, 2, om)) return bad("has an invalid UTC offset");
      if (oh > 23 || om > 59) return bad("has an invalid UTC offset");
      offset = sign * (oh * 60 + om);
    }
  }
  if (i != s.size()) return bad("has unexpected text after the date");
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return bad("is not a date that exists");
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t t = timegm(&tm);
  std::tm back{};
  gmtime_r(&t, &back);
  if (back.tm_mday != day || back.tm_mon != month - 1) return bad("is not a date that exists");
  return IsoOf((static_cast<std::int64_t>(t) - offset * 60) * 1000 + millis);
}

std::int64_t MonotonicMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace strata::base
