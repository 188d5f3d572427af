// Statement splitting without a database, so that strata sends exactly the statements the
// database's own command-line client would send for the same file.
//
// PostgreSQL: a lexer that follows psql's (src/fe_utils/psqlscan.l) rule for rule where it
// decides statement boundaries: '' / E'' / U&'' / B'' / X'' strings (with SQL's continuation of
// a string across a newline), "" identifiers, $tag$ bodies, nested /* */ comments, parentheses
// (a `;` inside parentheses does not end a statement), CREATE FUNCTION/PROCEDURE ... BEGIN ATOMIC
// ... END bodies, `SET standard_conforming_strings` (backslash escapes in '' strings when off),
// and the inline data of COPY ... FROM STDIN up to a `\.` line. Unlike libpg_query's scanner it
// does not reject lexically invalid tokens (`123abc`, `""`): those are the server's to report.
// docs/formats/splitting.md is the specification, tests/sql/ the proof against psql and atlas.
//
// SQLite: sqlite3_complete()'s state machine (SQLite's own notion of a complete statement,
// CREATE TRIGGER ... BEGIN ... END; included), run once over the text so splitting is linear.
//
// Pure functions; thread-safe.
#pragma once

#include "strata/result.h"

#include "db/connection.h"

#include <string>
#include <string_view>
#include <vector>

namespace strata::sql {

struct Statement {
  std::string_view text;  // the statement as sent: leading `--` comments and blanks removed,
                          // trailing semicolon and blanks removed; views into the input
  size_t offset = 0;      // byte offset of `text` in the input
  int line = 0;           // 1-based line of the statement's first character
  int column = 0;         // 1-based column (bytes)
  // PostgreSQL `COPY ... FROM STDIN`: the inline data rows that follow the statement in the
  // file, from the line after the statement up to (not including) the `\.` line or the end of
  // the text, with their final newline. The rows are not statements: the caller streams them to
  // the server (PQputCopyData) after sending `text`.
  bool copy_from_stdin = false;
  std::string_view copy_data;

  // The statement's first line, for messages ("CREATE INDEX idx ON t (a)").
  std::string_view FirstLine() const;
};

// Splits `text` into statements. Empty statements (only blanks, comments or `;`) are dropped;
// a leading UTF-8 BOM is ignored (offsets stay relative to `text`). The returned views point
// into `text`, which must outlive them. Errors (kMigrationFailed with a span at the opening
// delimiter) come from an unterminated quoted string, quoted identifier, /* comment or dollar
// body, an incomplete SQLite CREATE TRIGGER, and text after `COPY ... FROM STDIN;` on the same
// line; `file` names the input in the span.
Result<std::vector<Statement>> Split(std::string_view text, db::Dialect dialect,
                                     std::string_view file);

// The first `max_words` words of a statement, upper-cased, leading comments skipped by the
// dialect's rules (a `(` is a word of its own; the first other punctuation ends the list). For
// keyword matching.
std::vector<std::string> StatementWords(std::string_view statement, size_t max_words,
                                        db::Dialect dialect);

// Whether a top-level statement (as returned by Split) is transaction control: BEGIN [WORK |
// TRANSACTION | DEFERRED | IMMEDIATE | EXCLUSIVE | ISOLATION ...], START TRANSACTION, COMMIT,
// END [WORK | TRANSACTION], ROLLBACK, ABORT, PREPARE TRANSACTION. Not transaction control:
// SAVEPOINT, RELEASE, ROLLBACK TO [SAVEPOINT], COMMIT/ROLLBACK PREPARED (see
// sql/transaction_block.h), and block syntax that never starts a top-level statement (BEGIN
// ATOMIC, END IF, END LOOP, END CASE, ...; a trigger's END is inside its CREATE TRIGGER). A
// migration must not contain transaction control: strata owns the transaction. Leading
// comments are skipped by the dialect's rules.
bool IsTransactionControl(std::string_view statement, db::Dialect dialect = db::Dialect::kPostgres);

// Skips blanks, `--` comments and `/* */` comments at the start of `s`, by the dialect's rules:
// PostgreSQL's /* */ comments nest (`/* a /* b */ c */` is one comment), SQLite's end at the
// first `*/` (`/* a /* b */ c` is a comment and then `c`). An unclosed comment runs to the end.
// Used wherever strata decides a statement is "only comments"; the dialect must be the one the
// text is for, or real SQL can be taken for a comment and skipped.
std::string_view SkipLeadingComments(std::string_view s,
                                     db::Dialect dialect = db::Dialect::kPostgres);

// Offsets of the `--` of every real line comment in `text`, in order, by the dialect's lexical
// rules (the splitter's): a `--` inside a string literal, quoted identifier, dollar-quoted body,
// /* */ comment or the inline data of COPY ... FROM STDIN is not a comment and is not listed.
// `-- strata:` directives count only there (sql/directives.h). When the text ends inside an
// unterminated literal or comment (a split error), the comments before it are returned.
std::vector<size_t> LineCommentOffsets(std::string_view text, db::Dialect dialect);

}  // namespace strata::sql
