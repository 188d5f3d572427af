// Small helpers over toml++ for the seed and correction file formats: typed getters whose
// errors (kConfig) carry file:line:col and a next step, and unknown-key detection with a
// "did you mean" suggestion. Internal to src/seed; stateless.
#pragma once

#include "strata/result.h"

#include <toml++/toml.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace strata::seed::tomlu {

// Parses TOML text; a syntax error becomes kConfig at the error's position in `path`.
Result<toml::table> Parse(std::string_view text, const std::string& path);

Status KeyError(const std::string& path, const toml::node& node, std::string msg,
                std::string hint = {});
// "unknown key `k` (did you mean `x`?)" listing `known`.
Status UnknownKey(const std::string& path, const toml::node& node, std::string_view key,
                  std::initializer_list<std::string_view> known);

// A string; a TOML date, time or date-time is accepted and rendered as ISO-8601 text.
Result<std::string> Text(const std::string& path, const toml::node& node, std::string_view key);
// A string or an array of strings.
Result<std::vector<std::string>> Strings(const std::string& path, const toml::node& node,
                                         std::string_view key);
Result<std::int64_t> Int(const std::string& path, const toml::node& node, std::string_view key);
Result<bool> Bool(const std::string& path, const toml::node& node, std::string_view key);
const toml::table* Table(const toml::node& node);
int Line(const toml::node& node);

}  // namespace strata::seed::tomlu
