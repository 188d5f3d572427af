#include "seed/toml_util.h"

#include "base/text.h"

#include <fmt/format.h>

#include <sstream>

namespace strata::seed::tomlu {

Result<toml::table> Parse(std::string_view text, const std::string& path) {
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Status(ErrorCode::kConfig, fmt::format("invalid TOML: {}", e.description()))
        .WithSpan({path, static_cast<int>(e.source().begin.line),
                   static_cast<int>(e.source().begin.column)})
        .WithHint("fix the TOML syntax at that position");
  }
}

int Line(const toml::node& node) { return static_cast<int>(node.source().begin.line); }

Status KeyError(const std::string& path, const toml::node& node, std::string msg,
                std::string hint) {
  const auto& src = node.source();
  Status s =
      Status(ErrorCode::kConfig, std::move(msg))
          .WithSpan({path, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)});
  if (!hint.empty()) s = std::move(s).WithHint(std::move(hint));
  return s;
}

Status UnknownKey(const std::string& path, const toml::node& node, std::string_view key,
                  std::initializer_list<std::string_view> known) {
  std::string best;
  size_t best_d = 4;
  std::string list;
  for (auto k : known) {
    size_t d = base::EditDistance(key, k);
    if (d < best_d) best_d = d, best = std::string(k);
    if (!list.empty()) list += ", ";
    list += k;
  }
  std::string msg = fmt::format("unknown key `{}`", key);
  if (!best.empty()) msg += fmt::format(" (did you mean `{}`?)", best);
  return KeyError(path, node, std::move(msg), fmt::format("known keys here: {}", list));
}

Result<std::string> Text(const std::string& path, const toml::node& node, std::string_view key) {
  if (auto v = node.value<std::string>()) return *v;
  if (node.is_date_time() || node.is_date() || node.is_time()) {
    std::ostringstream os;
    if (auto* dt = node.as_date_time()) os << *dt;
    if (auto* d = node.as_date()) os << *d;
    if (auto* t = node.as_time()) os << *t;
    return os.str();
  }
  return KeyError(path, node, fmt::format("`{}` must be a string", key));
}

Result<std::vector<std::string>> Strings(const std::string& path, const toml::node& node,
                                         std::string_view key) {
  if (auto v = node.value<std::string>()) return std::vector<std::string>{*v};
  const toml::array* arr = node.as_array();
  if (!arr)
    return KeyError(path, node, fmt::format("`{}` must be a string or a list of strings", key));
  std::vector<std::string> out;
  for (auto&& el : *arr) {
    auto v = el.value<std::string>();
    if (!v) return KeyError(path, el, fmt::format("`{}` must list strings", key));
    out.push_back(*v);
  }
  return out;
}

Result<std::int64_t> Int(const std::string& path, const toml::node& node, std::string_view key) {
  if (auto v = node.value<std::int64_t>(); v && node.is_integer()) return *v;
  return KeyError(path, node, fmt::format("`{}` must be an integer", key));
}

Result<bool> Bool(const std::string& path, const toml::node& node, std::string_view key) {
  if (auto v = node.value<bool>(); v && node.is_boolean()) return *v;
  return KeyError(path, node, fmt::format("`{}` must be true or false", key));
}

const toml::table* Table(const toml::node& node) { return node.as_table(); }

}  // namespace strata::seed::tomlu
