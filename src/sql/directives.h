// `-- strata:` directives and `${name}` placeholders in migration text. Pure functions;
// thread-safe.
#pragma once

#include "strata/result.h"

#include "base/duration.h"
#include "db/connection.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::sql {

struct Directive {
  std::string name;  // "lock-timeout"
  std::string args;  // "5s"
  int line = 0;      // 1-based line in the file
};

// The file-level settings the engine needs, resolved from the directives.
struct FileSettings {
  bool transactional = true;
  bool split = true;  // `-- strata:split off`: the body is sent as one statement
  std::optional<base::Millis> lock_timeout;
  std::optional<base::Millis> statement_timeout;
  std::vector<Directive> directives;  // all of them, in order, including statement-scoped
};

// Reads every line that starts (after blanks) with `-- strata:` where that `--` is a real SQL
// comment of the dialect (sql::LineCommentOffsets): the same line inside a string literal, a
// dollar-quoted body, a quoted identifier, a /* */ comment or COPY data is text, not a
// directive, and is ignored. Errors (kDirective) name the file and line, and suggest the
// closest known directive for a typo.
Result<FileSettings> ParseDirectives(std::string_view text, std::string_view file,
                                     db::Dialect dialect = db::Dialect::kPostgres);

// The one scanner of `-- strata:` comments, under ParseDirectives, lint's suppressions, the
// intent header (verify::ParseIntent) and the check blocks (verify::ParseChecks): calls
// fn(line_no, line, body) for every line of `text` that starts (after blanks) with
// `-- strata:` in a real comment of the dialect (as ParseDirectives reads them), `body` being
// the text after `strata:`. It judges nothing itself, so a reader that must keep going past a
// bad line (lint: one bad directive must not lose the file's other suppressions) returns Ok for
// it; the first error fn returns stops the scan and is returned.
using DirectiveLineFn =
    std::function<Status(int line_no, std::string_view line, std::string_view body)>;
Status ForEachDirectiveLine(std::string_view text, db::Dialect dialect, const DirectiveLineFn& fn);

// Names of all known directives (from directives.def).
std::vector<std::string_view> KnownDirectives();

struct Placeholder {
  std::string value;
  bool secret = false;
  std::string unset_env;  // read from this environment variable, which is not set: no value
};
using Placeholders = std::map<std::string, Placeholder, std::less<>>;

// Replaces `${name}` for declared names. An undeclared name is an error (kPlaceholder) with
// file:line:col. With `redact_secrets`, secret values are rendered as `<secret:name>` (for
// --dry-run and logs) instead of their value, and a placeholder without a value (`unset_env`)
// as `<unset:VAR>`; without it, such a placeholder is an error (kPlaceholder) naming VAR.
Result<std::string> ExpandPlaceholders(std::string_view text, const Placeholders& placeholders,
                                       std::string_view file, int first_line, bool redact_secrets);

// Whether text contains "${" at all (fast path).
inline bool HasPlaceholders(std::string_view text) {
  return text.find("${") != std::string_view::npos;
}

}  // namespace strata::sql
