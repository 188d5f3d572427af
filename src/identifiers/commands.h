// The `strata identifiers` verbs (docs/formats/identifiers.md): check (contracts against the
// live schema), digest (counts and the order-independent digest per identifier), protect and
// unprotect (the database-side triggers that refuse changing or deleting an identifier), with
// their JSON and text renderings. Each opens its own session; results carry their Status.
#pragma once

#include "strata/options.h"
#include "strata/result.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "identifiers/live.h"

namespace strata::identifiers {

// Whether `strata identifiers protect` guards an identifier in the database.
enum class Protection {
  kNone,       // no update trigger of its own
  kProtected,  // this strata's triggers
  // PostgreSQL: the update trigger an earlier strata installed (BEFORE UPDATE OF the columns),
  // which another trigger rewriting the id on an UPDATE of other columns gets past: `protect`
  // again replaces it.
  kOutdated,
};
std::string_view ProtectionName(Protection p);  // "none", "protected", "outdated"

struct CheckReport {
  Status status;  // kConfig when a contract does not match (the first problem's, counted)
  std::string target;
  std::string file;
  int contracts = 0;
  std::vector<SchemaProblem> problems;
  // Each contract that matches the schema, in the file's order, with its protection.
  std::vector<std::pair<std::string, Protection>> protection;
};
CheckReport Check(const Options& options);

struct DigestRequest {
  std::vector<std::string> names;  // empty: every contract
};
struct DigestReport {
  Status status;
  std::string target;
  std::string file;
  std::vector<Digest> digests;
};
DigestReport DigestAll(const Options& options, const DigestRequest& request);

// The name space of the protection objects: triggers (and on PostgreSQL their function) are
// named strata_idguard_<identifier>[_update|_delete|_truncate].
struct ProtectRequest {
  std::vector<std::string> names;  // empty: every contract
  bool remove = false;             // unprotect
};
struct ProtectedIdentifier {
  std::string identifier;
  std::string target;
  std::vector<std::string> objects;  // triggers and functions created or dropped
  bool refuses_delete = false;
};
struct ProtectReport {
  Status status;
  std::string target;
  std::string run_id;  // the ledger's record of it
  bool remove = false;
  std::vector<ProtectedIdentifier> identifiers;
};
ProtectReport Protect(const Options& options, const ProtectRequest& request);

nlohmann::json ToJson(const CheckReport& r);
std::string ToText(const CheckReport& r);
nlohmann::json ToJson(const DigestReport& r);
std::string ToText(const DigestReport& r);
nlohmann::json ToJson(const ProtectReport& r);
std::string ToText(const ProtectReport& r);

}  // namespace strata::identifiers
