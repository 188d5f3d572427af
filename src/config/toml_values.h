// Typed readers over toml++ nodes, shared by every TOML file strata reads (strata.toml and the
// sections capabilities own, backfill jobs, seed manifests, corrections). Each reader returns
// the value or a kConfig Status whose span is the node's file:line:column, whose message names
// the key (as the caller spells it, dotted: `migrate.lock_wait`) and the type expected and
// found, and, where one helps, a one-line next step as the hint. Stateless; thread-safe.
#pragma once

#include "strata/result.h"

#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strata::config {

// Parses TOML text. A syntax error is kConfig at the error's position in `path`.
Result<toml::table> ParseToml(std::string_view text, const std::string& path);
// Reads and parses the file at `path`; unreadable is kConfig naming the file.
Result<toml::table> ParseTomlFile(const std::string& path);

// kConfig with `message` at `node`'s line and column in `path`, and `hint` when not empty.
Status TomlError(const std::string& path, const toml::node& node, std::string message,
                 std::string hint = {});

// A string.
Result<std::string> GetString(const std::string& path, const toml::node& node,
                              std::string_view key);
// A string; a TOML date, time or date-time is accepted too, as its ISO-8601 text.
Result<std::string> GetText(const std::string& path, const toml::node& node, std::string_view key);
// A string (one element) or an array of strings.
Result<std::vector<std::string>> GetStrings(const std::string& path, const toml::node& node,
                                            std::string_view key);
// An array of strings and integers, an integer read as its decimal text (versions: [5, "6"]).
Result<std::vector<std::string>> GetStringsOrInts(const std::string& path, const toml::node& node,
                                                  std::string_view key);
// An integer in lo..hi.
Result<std::int64_t> GetInt(const std::string& path, const toml::node& node, std::string_view key,
                            std::int64_t lo = std::numeric_limits<std::int64_t>::min(),
                            std::int64_t hi = std::numeric_limits<std::int64_t>::max());
// An integer or a float in lo..hi.
Result<double> GetNumber(const std::string& path, const toml::node& node, std::string_view key,
                         double lo = -std::numeric_limits<double>::infinity(),
                         double hi = std::numeric_limits<double>::infinity());
// true or false.
Result<bool> GetBool(const std::string& path, const toml::node& node, std::string_view key);
// A duration: text with a unit ("500ms", "5s", "2min", "1h") or a non-negative integer of
// milliseconds.
Result<std::chrono::milliseconds> GetDuration(const std::string& path, const toml::node& node,
                                              std::string_view key);
// A table ([key]); the pointer is into `node`, valid while the document lives.
Result<const toml::table*> GetTable(const std::string& path, const toml::node& node,
                                    std::string_view key);

// kConfig "unknown key `section.key` (did you mean `k`?)" at `node`, suggesting the known key
// within edit distance 3, with the known keys of `section` as the hint. `section` is the dotted
// table the key sits in, empty at top level.
Status UnknownKey(const std::string& path, const toml::node& node, std::string_view section,
                  std::string_view key, std::initializer_list<std::string_view> known);
Status UnknownKey(const std::string& path, const toml::node& node, std::string_view section,
                  std::string_view key, std::span<const std::string_view> known);

}  // namespace strata::config
