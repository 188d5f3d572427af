// The ledger: strata_schema_history on one connection. Append-only and hash-chained: each
// row's row_hash covers its content and the previous row's hash, so an edit, deletion or
// insertion made by hand breaks the chain and `validate` names the first broken rank.
// The only in-place update is the progress of a non-transactional migration on the tail row
// while the runner holds the migration lock. Not thread-safe (one Ledger per connection).
#pragma once

#include "strata/result.h"

#include "db/connection.h"
#include "migrate/state.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::ledger {

using migrate::AppliedRow;
class LedgerCache;
struct TupleFingerprint;

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The hash of a row given its content and prev_hash (rank included). Frozen: changing it
// invalidates every ledger (docs/formats/ledger.md).
std::string RowHash(const AppliedRow& row);

// The chain's last row: its rank (the number of rows of an intact chain), its hash, the hash
// before it and whether it succeeded. {0, genesis, genesis, true} for an empty ledger.
struct Head {
  int rows = 0;
  std::string hash{kGenesisHash};
  std::string prev_hash{kGenesisHash};
  bool success = true;
};
Head HeadOf(const std::vector<AppliedRow>& rows);

// A point of the chain recorded outside strata_schema_history (docs/formats/ledger.md,
// "Anchors"): when `source` ran, the ledger had `rows` rows and `head` was the hash of row
// `rows` — or, when that row was still unfinished (success false: a non-transactional
// migration may still be rewriting it), the hash before it (its prev_hash).
struct Anchor {
  int rows = 0;
  std::string head;
  std::string source;  // who recorded it, for messages: "the migrate run r2026... at <time>"
};
// The anchor a run records for `head`: the row's own hash when it succeeded, else the hash
// before it (an unfinished row may still change in place; its existence is still anchored).
Anchor AnchorFor(const Head& head);

// Anchors the ledger `rows` (in rank order) no longer satisfies: for each distinct anchor, the
// row with rank `rows` must exist and have `head` as its row_hash or its prev_hash. One message
// per failing anchor, phrased to follow "ledger hash chain broken at " ("rank 3: ..."). Empty
// when every anchor holds. Chain breaks below an anchor are VerifyChain's to report.
std::vector<std::string> AnchorBreaks(const std::vector<AppliedRow>& rows,
                                      const std::vector<Anchor>& anchors);

// `validate --expect-head <hash>`: a message (same phrasing) when no row of `rows` has `hash`
// as its row_hash; nullopt when one does.
std::optional<std::string> ExpectedHeadBreak(const std::vector<AppliedRow>& rows,
                                             std::string_view hash);

class Ledger {
 public:
  Ledger(db::Connection& conn, std::string table, std::string schema);

  // The quoted, schema-qualified table name for SQL.
  const std::string& qualified() const { return qualified_; }
  // The lock name used for the migration lock on this ledger.
  std::string LockName() const;

  Result<bool> Exists();
  // Creates the table (and schema on PostgreSQL) if missing. Idempotent.
  Status Create();
  // All rows in rank order; also remembers the tail for Append. Empty if the table is absent.
  Result<std::vector<AppliedRow>> ReadAll();
  // ReadAll in one round trip when the table exists: reads without asking first, and asks
  // only when the read fails. nullopt if the table is absent. Only outside a transaction (a
  // failed read aborts one on PostgreSQL). With `chain_breaks`, also verifies the hash chain
  // (what VerifyChain returns), each row's digest computed as the row arrives.
  // `also`: another read sent in the same round trip after the ledger's (the evidence ledger's
  // anchors); `*also_status` receives how it ended, and stays nullopt when it did not run (the
  // ledger read failed first: the caller runs it on its own).
  struct Also {
    db::RowQuery query;
    std::optional<Status>* status = nullptr;
  };
  // `cache` (PostgreSQL, with `chain_breaks`; ledger/ledger_cache.h): when it holds a verified
  // ledger, the round trip asks for the rows' tuple fingerprint instead of the rows, and the
  // cached rows are returned (no chain break: they verified) when it matches; otherwise (a
  // mismatch, an error) the rows are read and verified as without it, the `also` read not
  // repeated when it already ran. A full read that verified is remembered for cache->Save.
  // `loading` (with `cache`): the cache is still being loaded (by another thread, from a file
  // that exists); the fingerprint is asked for at once and `loading` is called (it waits for
  // the load) only when the answer is in, before `*cache` is looked at.
  Result<std::optional<std::vector<AppliedRow>>> ReadIfExists(
      std::vector<std::string>* chain_breaks = nullptr, const Also* also = nullptr,
      LedgerCache* cache = nullptr, const std::function<void()>& loading = {});

  // Fills rank, prev_hash and row_hash from the remembered tail and inserts the row. Call in
  // the same transaction as the migration it records. On success the tail advances; call
  // Rewind() if the transaction is then rolled back.
  Status Append(AppliedRow& row);
  // The last row (HeadOf the ledger) in one query; an empty Head when the table is absent or
  // empty. Reads without locking; inside a transaction only if the table exists.
  Result<Head> ReadHead();

  // Rewrites the tail row (progress of a non-transactional migration); recomputes its hash.
  Status UpdateTail(AppliedRow& row);
  // Restores the tail remembered before the last Append (after a rollback).
  void Rewind();

  // The UPDATE that UpdateTail would run for `row` (success, statements_done, prefix_hash,
  // execution_time_ms, row_hash; a statement marker cleared), as one literal statement to run
  // in the same transaction as the statement it records. Recomputes row.row_hash; call
  // TailCommitted(row) once that transaction committed. `row.reason` must be unchanged since
  // the row was last written (it is not part of the statement). Requires a prior read, Create
  // or EnsureStartedColumn when the row may carry a marker.
  std::string ProgressSql(AppliedRow& row);
  void TailCommitted(const AppliedRow& row);

  // Adds the statement_started column (format 1.1) to a ledger created before it. Idempotent;
  // outside a transaction or inside the caller's.
  Status EnsureStartedColumn();

  // Ranks whose stored hash does not match a recomputation, or whose prev_hash does not match
  // the previous row. Empty when the chain is intact.
  static std::vector<std::string> VerifyChain(const std::vector<AppliedRow>& rows);

 private:
  // `content_ok`, when given, receives for each row whether its stored hash matches its content.
  // `tuples`, when given (PostgreSQL), receives the fingerprint of the rows read, computed by
  // the server in the same statement (ledger_cache.h).
  Status ReadRows(std::vector<AppliedRow>& rows, std::vector<char>* content_ok = nullptr,
                  const Also* also = nullptr, TupleFingerprint* tuples = nullptr);
  // The cache's fingerprint check, with `also` in the same round trip: the cached rows when the
  // fingerprint matches. `*also_ran` says whether `also` ran (its status was given).
  std::optional<std::vector<AppliedRow>> ReadCached(LedgerCache& cache, const Also* also,
                                                    bool* also_ran,
                                                    const std::function<void()>& loading);
  // VerifyChain with each row's content check already made.
  static std::vector<std::string> ChainBreaks(const std::vector<AppliedRow>& rows,
                                              const std::vector<char>& content_ok);

  enum class Tristate { kUnknown, kYes, kNo };
  Tristate has_started_column_ = Tristate::kUnknown;  // learnt from a read or Create
  db::Connection& conn_;
  std::string table_, schema_, qualified_;
  int tail_rank_ = 0;
  std::string tail_hash_{kGenesisHash};
  bool known_to_exist_ = false;
  int saved_rank_ = 0;
  std::string saved_hash_{kGenesisHash};
};

}  // namespace strata::ledger
