#include "config/toml_values.h"

#include "base/duration.h"
#include "base/file.h"
#include "base/text.h"

#include <fmt/format.h>

#include <optional>
#include <sstream>

namespace strata::config {

namespace {

// The type of `node` with its article, as the "not ..." part of a type error.
std::string_view TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

Status TypeError(const std::string& path, const toml::node& node, std::string_view key,
                 std::string_view expected, std::string hint = {}) {
  return TomlError(path, node,
                   fmt::format("`{}` must be {}, not {}", key, expected, TypeName(node)),
                   std::move(hint));
}

// " 1..10", " >= 0", " <= 5" or "" for the bounds of a range; unbounded ends are the limits.
template <typename T>
std::string Range(T lo, T hi, T min, T max) {
  if (lo != min && hi != max) return fmt::format(" {}..{}", lo, hi);
  if (lo != min) return fmt::format(" >= {}", lo);
  if (hi != max) return fmt::format(" <= {}", hi);
  return "";
}
std::string Range(std::int64_t lo, std::int64_t hi) {
  return Range(lo, hi, std::numeric_limits<std::int64_t>::min(),
               std::numeric_limits<std::int64_t>::max());
}
std::string Range(double lo, double hi) {
  return Range(lo, hi, -std::numeric_limits<double>::infinity(),
               std::numeric_limits<double>::infinity());
}

// The last part of a dotted key: what the user writes on the line.
std::string_view LastPart(std::string_view key) {
  size_t dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

std::string QuoteHint(std::string_view key) {
  return fmt::format("quote it: {} = \"...\"", LastPart(key));
}

}  // namespace

Result<toml::table> ParseToml(std::string_view text, const std::string& path) {
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Status(ErrorCode::kConfig, fmt::format("invalid TOML: {}", e.description()))
        .WithSpan({path, static_cast<int>(e.source().begin.line),
                   static_cast<int>(e.source().begin.column)})
        .WithHint("fix the TOML syntax at that position");
  }
}

Result<toml::table> ParseTomlFile(const std::string& path) {
  std::string why;
  auto text = base::ReadFile(path, &why);
  if (!text) {
    return Status(ErrorCode::kConfig, fmt::format("cannot read {}: {}", path, why))
        .WithHint("check that the file exists and is readable");
  }
  return ParseToml(*text, path);
}

Status TomlError(const std::string& path, const toml::node& node, std::string message,
                 std::string hint) {
  const auto& src = node.source();
  // A value from the environment (config::ApplyEnvironment) names its variable, not a line of
  // strata.toml.
  if (src.path && src.path->size() > 1 && (*src.path)[0] == '$') {
    Status s = Status(ErrorCode::kConfig, fmt::format("{} (environment variable {})", message,
                                                      std::string_view(*src.path).substr(1)));
    if (!hint.empty()) s = std::move(s).WithHint(std::move(hint));
    return s;
  }
  Status s =
      Status(ErrorCode::kConfig, std::move(message))
          .WithSpan({path, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)});
  if (!hint.empty()) s = std::move(s).WithHint(std::move(hint));
  return s;
}

Result<std::string> GetString(const std::string& path, const toml::node& node,
                              std::string_view key) {
  if (auto v = node.value_exact<std::string>()) return *v;
  return TypeError(path, node, key, "a string", QuoteHint(key));
}

Result<std::string> GetText(const std::string& path, const toml::node& node, std::string_view key) {
  if (auto v = node.value_exact<std::string>()) return *v;
  std::ostringstream os;
  if (const auto* dt = node.as_date_time()) {
    os << *dt;
  } else if (const auto* d = node.as_date()) {
    os << *d;
  } else if (const auto* t = node.as_time()) {
    os << *t;
  } else {
    return TypeError(path, node, key, "a string", QuoteHint(key));
  }
  return os.str();
}

namespace {

// The elements of `arr`, each a string (or, with `ints`, an integer read as its decimal text).
Result<std::vector<std::string>> StringElements(const std::string& path, const toml::array& arr,
                                                std::string_view key, bool ints,
                                                std::string_view hint) {
  std::vector<std::string> out;
  for (const auto& el : arr) {
    if (auto v = el.value_exact<std::string>()) {
      out.push_back(*v);
    } else if (auto i = ints ? el.value_exact<std::int64_t>() : std::nullopt) {
      out.push_back(std::to_string(*i));
    } else {
      return TomlError(path, el,
                       fmt::format("`{}` must contain only strings, not {}", key, TypeName(el)),
                       std::string(hint));
    }
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> GetStrings(const std::string& path, const toml::node& node,
                                            std::string_view key) {
  if (auto v = node.value_exact<std::string>()) return std::vector<std::string>{*v};
  const std::string hint = fmt::format("write {} = [\"a\", \"b\"]", LastPart(key));
  const toml::array* arr = node.as_array();
  if (!arr) return TypeError(path, node, key, "a string or an array of strings", hint);
  return StringElements(path, *arr, key, false, hint);
}

Result<std::vector<std::string>> GetStringsOrInts(const std::string& path, const toml::node& node,
                                                  std::string_view key) {
  const toml::array* arr = node.as_array();
  if (!arr) {
    return TypeError(path, node, key, "an array of strings",
                     fmt::format("write {} = [\"5\", \"6\"]", LastPart(key)));
  }
  return StringElements(path, *arr, key, true, "quote it");
}

Result<std::int64_t> GetInt(const std::string& path, const toml::node& node, std::string_view key,
                            std::int64_t lo, std::int64_t hi) {
  auto v = node.value_exact<std::int64_t>();
  if (!v) return TypeError(path, node, key, "an integer" + Range(lo, hi));
  if (*v < lo || *v > hi) {
    return TomlError(path, node,
                     fmt::format("`{}` must be an integer{}, not {}", key, Range(lo, hi), *v));
  }
  return *v;
}

Result<double> GetNumber(const std::string& path, const toml::node& node, std::string_view key,
                         double lo, double hi) {
  std::optional<double> v;
  if (auto i = node.value_exact<std::int64_t>()) v = static_cast<double>(*i);
  if (auto d = node.value_exact<double>()) v = *d;
  if (!v) return TypeError(path, node, key, "a number" + Range(lo, hi));
  if (*v < lo || *v > hi) {
    return TomlError(path, node,
                     fmt::format("`{}` must be a number{}, not {}", key, Range(lo, hi), *v));
  }
  return *v;
}

Result<bool> GetBool(const std::string& path, const toml::node& node, std::string_view key) {
  if (auto b = node.value_exact<bool>()) return *b;
  return TypeError(path, node, key, "true or false");
}

Result<std::chrono::milliseconds> GetDuration(const std::string& path, const toml::node& node,
                                              std::string_view key) {
  if (auto i = node.value_exact<std::int64_t>()) {
    if (*i < 0) {
      return TomlError(path, node, fmt::format("`{}` must not be negative, not {}", key, *i));
    }
    if (*i > base::kMaxDuration.count()) {
      return TomlError(path, node,
                       fmt::format("`{}` is too long: {}ms, the maximum is {}ms (about 596h)", key,
                                   *i, base::kMaxDuration.count()));
    }
    return std::chrono::milliseconds(*i);
  }
  if (auto s = node.value_exact<std::string>()) {
    auto d = base::ParseDuration(*s);
    if (!d) return TomlError(path, node, fmt::format("`{}`: {}", key, d.error().message()));
    return *d;
  }
  return TypeError(path, node, key, "a duration like \"5s\" or \"200ms\"",
                   "write a number with a unit: ms, s, min or h");
}

Result<const toml::table*> GetTable(const std::string& path, const toml::node& node,
                                    std::string_view key) {
  if (const toml::table* t = node.as_table()) return t;
  return TypeError(path, node, key, "a table", fmt::format("write it as a [{}] section", key));
}

Status UnknownKey(const std::string& path, const toml::node& node, std::string_view section,
                  std::string_view key, std::initializer_list<std::string_view> known) {
  return UnknownKey(path, node, section, key, std::span(known.begin(), known.size()));
}

Status UnknownKey(const std::string& path, const toml::node& node, std::string_view section,
                  std::string_view key, std::span<const std::string_view> known) {
  std::string name = section.empty() ? std::string(key) : fmt::format("{}.{}", section, key);
  std::string message = fmt::format("unknown key `{}`", name);
  if (auto best = base::ClosestMatch(key, known); !best.empty()) {
    message += fmt::format(" (did you mean `{}`?)", best);
  }
  std::vector<std::string> quoted;
  for (auto k : known) quoted.push_back(fmt::format("`{}`", k));
  return TomlError(
      path, node, std::move(message),
      fmt::format("known keys {}: {}",
                  section.empty() ? std::string("here") : fmt::format("in [{}]", section),
                  fmt::join(quoted, ", ")));
}

}  // namespace strata::config
