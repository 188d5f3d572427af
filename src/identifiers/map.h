// Re-keying an identifier through a mapping, never in place (seed 004, invariant 8;
// docs/identifiers-map.md). A mapping is strata-managed state in the target database:
//   strata_id_mapping            one row per mapping (registry: source, new-id expression,
//                                why, status filling|published, chain head, window)
//   strata_idmap_<name>          old_id → new_id, since, why (old_id the primary key)
//   strata_idmap_<name>_lookup   the read view: any id (old within the stability window, or new)
//                                → the current id
// `create` makes the three and seeds one row per old id; `fill` tops up old ids that appeared
// since and writes the backfill job that computes new_id in keyset chunks (the backfill engine
// runs it: resumable, each chunk one transaction, `new_id IS NULL` so a rerun after kill -9
// touches each row once); `status` measures coverage (old ids unmapped, new ids shared by several
// old ids, new ids that resolve to no row, mapping rows whose old id is gone) and, once
// published, recomputes the mapping's hash chain; `publish` verifies, then freezes it: a
// trigger refuses any INSERT/UPDATE/DELETE/TRUNCATE afterwards, and the chain head (SHA-256
// over the rows in old_id order, chained like the ledger from its genesis hash) is recorded in
// the registry and as an `ID_MAP` row of the hash-chained ledger, so an edit that gets past the
// trigger is still detected. A composite identifier's id (old or new) is stored as its columns'
// texts joined by U+001F, the digest's form; its lookup view adds one column per part.
// PostgreSQL and SQLite (docs/identifiers-map.md). Calls are independent; each opens its
// connection.
#pragma once

#include "strata/options.h"
#include "strata/status.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace strata::identifiers {

// The ledger row type of a published mapping. Stored: never rename.
inline constexpr std::string_view kLedgerTypeIdMap = "ID_MAP";

struct MapCreateRequest {
  std::string identifier;  // a contract name in db/identifiers.toml (one column or composite)
  // Where the new id comes from, over the contracted table's row as `src`: `to` names a column
  // of that table holding the new ids, or several ("a,b") holding a new tuple (the new id's
  // home: new ids must resolve there); `expr`
  // is any SQL expression instead (e.g. 'QN-' || lpad(src.id::text, 8, '0')).
  std::string to;
  std::string expr;
  std::string why;  // recorded with every mapping row
  // A merge (duplicate customers folded into one): several old ids may map to one new id, so
  // shared new ids are not collisions.
  bool merge = false;
};

struct MapStatus {
  Status status;
  std::string target;
  std::string name;         // the identifier
  std::string table;        // the contracted table
  std::string column;       // its identifier column(s) (the old ids), "a, b" when composite
  std::string new_id;       // the new-id expression
  std::string map_table;    // strata_idmap_<name>
  std::string lookup_view;  // strata_idmap_<name>_lookup
  std::string job_file;     // the backfill job that fills it
  std::string state;        // filling | published
  std::string why;
  std::int64_t old_ids = 0;     // distinct non-NULL old ids in the table
  std::int64_t rows = 0;        // mapping rows
  std::int64_t mapped = 0;      // mapping rows with a new id
  std::int64_t unmapped = 0;    // old ids without a mapped row
  bool merge = false;           // shared new ids allowed (MapCreateRequest::merge)
  std::int64_t collisions = 0;  // new ids that several old ids map to
  std::int64_t orphans = 0;     // new ids that resolve to no row (with `to`); -1 not checked
  std::int64_t stale = 0;       // mapping rows whose old id is no longer in the table
  double coverage = 0;          // mapped old ids / old ids, 0..1
  std::string chain_head;       // recomputed (published mappings)
  std::string published_head;   // as recorded at publish (registry and ledger)
  std::string published_at;
  std::string resolvable_until;  // old ids resolve through the lookup view until then
  bool edited_after_publish = false;
  std::vector<std::string> problems;  // why it cannot be published / what is wrong
  std::string next_step;
};

MapStatus MapCreate(const Options& options, const MapCreateRequest& request);
// Tops up old ids that appeared since create and (re)writes the fill job; returns the status
// with job_file set: the caller runs it with the backfill engine (backfill::Run), then
// MapStatusOf (with --restart when it had completed and old ids arrived since).
MapStatus MapPrepareFill(const Options& options, const std::string& name);
// Coverage and, when published, the chain check. status is kCheckFailed when a published
// mapping was edited.
MapStatus MapStatusOf(const Options& options, const std::string& name);
// Verifies (every old id maps to exactly one new id, no collision, no orphan, nothing stale),
// then freezes the mapping and records it in the ledger. kCheckFailed with the numbers when a
// check fails; already published is not an error (next_step says so).
MapStatus MapPublish(const Options& options, const std::string& name);

std::string ToText(const MapStatus& s);
nlohmann::json ToJson(const MapStatus& s);

}  // namespace strata::identifiers
