// Text helpers that know nothing about strata: UTF-8 validation, line-ending and BOM
// normalisation, offset → line/column, trimming. All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strata::base {

// Returns the byte offset of the first invalid UTF-8 sequence, or nullopt if `s` is valid.
std::optional<size_t> FindInvalidUtf8(std::string_view s);

// Removes a leading UTF-8 BOM and turns CRLF and lone CR into LF. Used for checksums, so a
// CRLF checkout of a file hashes the same as its LF original.
std::string NormalizeText(std::string_view s);
// The same for a string the caller gives up: returned as is (no copy) when it has neither a
// BOM nor a carriage return, the common case.
std::string NormalizeTextOwned(std::string s);

// Maps byte offsets in a text to 1-based line and column (column counts bytes).
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  int LineOf(size_t offset) const;
  int ColumnOf(size_t offset) const;
  // The text of 1-based line `line` without its newline.
  std::string_view Line(std::string_view text, int line) const;

 private:
  std::vector<size_t> starts_;
};

std::string_view Trim(std::string_view s);
std::string ToLower(std::string_view s);

// Text for one Markdown table cell: `|` escaped, newlines turned into spaces.
std::string MarkdownCell(std::string_view s);
std::string ToUpper(std::string_view s);
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::vector<std::string_view> SplitLines(std::string_view s);
// Levenshtein distance, for "did you mean" suggestions.
size_t EditDistance(std::string_view a, std::string_view b);
// The candidate nearest `word` by edit distance if that distance is at most `max_distance` (a
// likely typo), else empty; the first of equally near candidates wins.
std::string_view ClosestMatch(std::string_view word, std::span<const std::string_view> candidates,
                              size_t max_distance = 3);

}  // namespace strata::base
