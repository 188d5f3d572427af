// Small helpers shared by the rule checks: iterate ALTER TABLE commands and column
// definitions, name things in messages. Header-only; pure.
#pragma once

#include "analysis/facts.h"
#include "base/text.h"
#include "lint/rule.h"

#include <fmt/format.h>

#include <cctype>
#include <string>
#include <string_view>

namespace strata::lint::rules {

using analysis::JsonRef;
using analysis::LockMode;
using analysis::StatementKind;

// Calls fn(cmd_body, subtype) for every ALTER TABLE command of the current statement.
template <typename Fn>
void ForEachAlterCmd(const Context& ctx, Fn&& fn) {
  JsonRef b = ctx.stmt()->node().As("AlterTableStmt");
  if (!b) return;
  JsonRef cmds = b.Get("cmds");
  for (size_t i = 0; i < cmds.size(); ++i) {
    JsonRef cmd = cmds.At(i).Get("AlterTableCmd");
    fn(cmd, cmd.Get("subtype").Str());
  }
}

// Calls fn(column_def) for columns of CREATE TABLE and ALTER TABLE ADD COLUMN, and
// fn(column_def) for ALTER COLUMN TYPE (whose ColumnDef carries the new type).
template <typename Fn>
void ForEachColumnDef(const Context& ctx, Fn&& fn) {
  JsonRef node = ctx.stmt()->node();
  if (JsonRef c = node.As("CreateStmt")) {
    JsonRef elts = c.Get("tableElts");
    for (size_t i = 0; i < elts.size(); ++i) {
      if (JsonRef col = elts.At(i).Get("ColumnDef")) fn(col);
    }
    return;
  }
  ForEachAlterCmd(ctx, [&](JsonRef cmd, std::string_view sub) {
    if (sub == "AT_AddColumn" || sub == "AT_AlterColumnType") {
      if (JsonRef col = cmd.Get("def").Get("ColumnDef")) fn(col);
    }
  });
}

// Calls fn(constraint) for each constraint of a column definition.
template <typename Fn>
void ForEachColumnConstraint(JsonRef col, Fn&& fn) {
  JsonRef cons = col.Get("constraints");
  for (size_t i = 0; i < cons.size(); ++i) fn(cons.At(i).Get("Constraint"));
}

inline std::string Target(const Context& ctx) {
  std::string t = ctx.facts().target.Display();
  return t.empty() ? "the table" : "`" + t + "`";
}

// The lock phrase for messages: "ACCESS EXCLUSIVE lock on `orders` (blocks reads and writes)".
inline std::string LockPhrase(const Context& ctx, LockMode m) {
  std::string_view blocks = analysis::BlocksReads(m)    ? "blocks reads and writes"
                            : analysis::BlocksWrites(m) ? "blocks writes"
                                                        : "blocks other DDL";
  return fmt::format("{} lock on {} ({})", analysis::LockModeName(m), Target(ctx), blocks);
}

// The phrase with its indefinite article: "an ACCESS EXCLUSIVE lock ...", "a SHARE lock ...".
// Lock names start with a letter pronounced as written, so a leading vowel decides.
inline std::string WithArticle(std::string_view phrase) {
  char c =
      phrase.empty() ? 'x' : static_cast<char>(std::tolower(static_cast<unsigned char>(phrase[0])));
  bool vowel = c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
  return fmt::format("{} {}", vowel ? "an" : "a", phrase);
}

inline bool SubtypeIs(std::string_view sub, std::initializer_list<std::string_view> any) {
  for (auto s : any) {
    if (s == sub) return true;
  }
  return false;
}

// Case-insensitive substring search without allocating; `needle` must be lower case.
// `needle` is lower case; ASCII case folding inline (std::tolower is a locale-aware libc call
// per byte, which was 10 % of lint time on a 100,000-statement file).
inline bool ContainsIgnoreCase(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  if (hay.size() < needle.size()) return false;
  auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; };
  const char first = needle[0];
  for (size_t i = 0, last = hay.size() - needle.size(); i <= last; ++i) {
    if (fold(hay[i]) != first) continue;
    size_t j = 1;
    while (j < needle.size() && fold(hay[i + j]) == needle[j]) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

inline std::int64_t Loc(JsonRef n) { return n.Get("location").Int(-1); }

}  // namespace strata::lint::rules
