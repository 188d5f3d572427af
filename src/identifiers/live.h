// Identifier contracts against a live database: the check that every contracted table and
// column exists (a missing one names the closest match), and the digest of an identifier's
// values: row, NULL, duplicate and format-violation counts and an order-independent digest of
// the set, computed by the database in one streaming pass (PostgreSQL: one aggregate query;
// SQLite: one ordered scan read row by row). Client memory is constant either way.
// Not thread-safe: one connection per call.
#pragma once

#include "strata/result.h"

#include "db/connection.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "identifiers/contract.h"

namespace strata::identifiers {

// One contract that does not match the live schema: a kConfig Status at the contract's
// file:line:col whose message names the identifier and what is missing, with the closest
// match in the hint when there is one.
struct SchemaProblem {
  std::string identifier;
  Status status;
};

// Every contract's table, identifier columns and tombstone column, looked up in the catalog.
// Errors: the database's.
Result<std::vector<SchemaProblem>> CheckSchema(db::Connection& conn, const Contracts& contracts);

struct Digest {
  std::string identifier;
  std::string table;  // as the contract names it (Contract::Target())
  std::int64_t rows = 0;
  std::int64_t nulls = 0;       // rows where any identifier column is NULL
  std::int64_t duplicates = 0;  // non-NULL rows minus distinct non-NULL values; -1: not counted
  std::int64_t format_violations = 0;  // non-NULL values outside the contract's format
  // 16 hex digits: the sum modulo 2^64 of a 64-bit hash of each non-NULL value's text
  // (PostgreSQL: hashtextextended; SQLite: the first 8 bytes of md5). Equal multisets give
  // equal digests in any order; compare digests of one dialect only.
  std::string digest;
  std::int64_t duration_ms = 0;

  // Whether `other` has the same counts and digest.
  bool Same(const Digest& other) const;
  // Whether `other` has the same rows, NULLs, format violations and digest: the same multiset
  // of values (up to a 64-bit hash collision), so necessarily the same duplicate count.
  bool SameValues(const Digest& other) const;
  // Whether `other` has the same rows, NULLs and digest: already the same multiset of values
  // (as many non-NULL values, the same sum of their hashes), so necessarily the same duplicate
  // count and format violations.
  bool SameSet(const Digest& other) const;
};

// SQL pieces for one contract: the table reference (quoted, schema-qualified when the contract
// is), the identifier as text (columns joined with U+001F, as the digest hashes it) and the
// condition that any identifier column is NULL.
std::string TableRef(const Contract& c);
std::string IdText(const Contract& c, db::Dialect dialect);
std::string AnyNull(const Contract& c);

// What a digest counts. The duplicate count is its costly part: unless a unique index covers
// the identifier, it sorts the values (PostgreSQL: count(DISTINCT); SQLite: ORDER BY).
struct DigestOptions {
  bool duplicates = true;  // false: Digest::duplicates is -1 (not counted), no sort
  // With `duplicates`, false: counted only where a unique index makes it free (0), else -1
  // and no sort (the guard's before digest: rows, NULLs and the sum of hashes are what judge a
  // run's ids unchanged; it counts the duplicates from its before set when they differ).
  bool sort = true;
  bool format = true;  // false: Digest::format_violations is -1 (not checked)
};

// The digest of one contract's values. Errors: the database's (a missing table or column is
// the database's error; run CheckSchema first for a message with the closest match).
Result<Digest> ComputeDigest(db::Connection& conn, const Contract& c, DigestOptions o = {});

// The guard's before phase in one scan (PostgreSQL, a plain table): the digest of `c` as
// ComputeDigest with {.sort = false} gives it (duplicates only where a unique index makes them
// 0, else -1), read by the same statement that keeps its non-NULL values' texts (as IdText
// writes them) in the temporary table `kept`, created here (dropped first if it exists): one
// row per 64 heap blocks, the ids as a text[] (lz4-compressed where the server has lz4). One
// statement, so the digest and the set are the same snapshot's. Read with TID range scans, which go
// through shared buffers without a sequential scan's ring: only for a table of at most a quarter of
// shared_buffers (where PostgreSQL's own sequential scans use no ring either). nullopt, and
// nothing created, on SQLite, on PostgreSQL before 14 (no TID range scans), for a larger table, a
// view, a partitioned or a foreign table (ComputeDigest and a copy of its own then, each one
// sequential scan). Errors: the database's.
Result<std::optional<Digest>> DigestKeepingSet(db::Connection& conn, const Contract& c,
                                               const std::string& kept);
// The set DigestKeepingSet kept, as a query of one text column `id`, a row per non-NULL value.
std::string KeptSet(const std::string& kept);

}  // namespace strata::identifiers
