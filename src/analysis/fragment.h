// SQL fragments a file supplies and strata splices into a statement of its own: a correction's
// `where`, a backfill job's `where`/`set`/`from`/`join`, a check, smoke or verify query. Each is
// accepted only as the one piece of SQL it is meant to be, in the dialect it will run on, so
// that no text in a file can end strata's statement and start another, or leave the
// parentheses strata wraps it in (issue 14).
//
// PostgreSQL: the fragment is tokenised by PostgreSQL's own scanner (libpg_query's
// pg_query_scan) and parsed by its grammar (pg_query_parse) inside a fixed wrapper whose parse
// tree must have the expected shape. The check assumes standard_conforming_strings = on (the
// server default since 9.1); the read-only scopes (verify/read_only.h) set it for the queries
// they run.
//
// SQLite: the fragment is tokenised with the rules of SQLite's own tokenizer (tokenize.c:
// '...', "...", `...` and [...] quoting, X'..' blobs, -- and non-nesting /* */ comments,
// $ @ : # ? parameters). libpg_query would reject valid SQLite (`==`, `[name]`, GLOB spellings)
// and, worse, reads some text differently (E'\'' strings, nested comments, $$ quotes), so it is
// not a sound pre-check there. SQLite offers no public tokenizer, and sqlite3_prepare cannot
// say whether a fragment stayed inside strata's parentheses; a faithful tokenizer can. The
// statement strata composes is then prepared by sqlite3 itself, which runs its first statement
// only.
//
// Every kind refuses a NUL byte, a bind parameter ($1, ?, :name), an unterminated quote or
// comment, a `;` (a query may end with one) and parentheses that do not balance.
//
// Pure functions; thread-safe.
#pragma once

#include "strata/result.h"

#include "db/connection.h"

#include <string_view>

namespace strata::analysis {

enum class FragmentKind {
  kExpression,   // one expression, e.g. a WHERE predicate or join condition
  kAssignments,  // the list of an UPDATE's SET: col = expr [, ...]
  kFromList,     // the list of a FROM: table [alias] [, ...] or joins
  kQuery,        // one read-only query: SELECT, WITH ... SELECT, VALUES (no INTO, no FOR UPDATE)
};

// What `kind` must be, for messages: "exactly one boolean expression (a WHERE predicate)".
std::string_view FragmentExpected(FragmentKind kind);

// Accepts `text` as exactly one `kind` in `dialect`. Errors are kValidation with a message that
// says what was found and what was expected, e.g. "`;` at offset 21 ends the statement: expected
// exactly one boolean expression ..."; the caller adds the file and line (WithSpan) and the
// field's name (Wrap).
Status CheckFragment(std::string_view text, FragmentKind kind, db::Dialect dialect);

}  // namespace strata::analysis
