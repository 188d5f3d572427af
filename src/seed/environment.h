// Environments and the seed policy (seed 001 §20): which seed classes may reach which
// environment, and which need an approval. The default policy is the seed's matrix, keyed by
// the environment's tier:
//
//   tier        reference  catalog / policy          test-only
//   local       yes        yes                       yes
//   ci          yes        yes                       yes
//   dev         yes        yes                       no
//   staging     yes        yes                       no
//   production  yes        only with an approval     no
//
// strata.toml may declare environments (`[environments.<name>]` with `tier`, `classes`,
// `require_approval`) to narrow this; it can never let test-only data reach a tier other than
// local or ci, nor drop the approval of catalog/policy packages in production (invariant 7).
// Value types; stateless functions; thread-safe.
#pragma once

#include "strata/options.h"
#include "strata/result.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "seed/package.h"

namespace strata::seed {

enum class Tier { kLocal, kCi, kDev, kStaging, kProduction };
std::string_view TierName(Tier t);
std::optional<Tier> ParseTier(std::string_view s);

struct Environment {
  std::string name;
  Tier tier = Tier::kLocal;
  std::set<SeedClass> classes;           // classes that may be applied here
  std::set<SeedClass> require_approval;  // classes that need approved_by/approved_at
  bool declared = false;                 // from strata.toml (else the default for its tier)
};

// The stable rule ids of the seed policy and of meaning protection. Stored in JSON output and
// evidence: never renumber or rename.
struct Rule {
  std::string_view id;    // "SD001"
  std::string_view name;  // "test-only-outside-local-ci"
};
inline constexpr Rule kRuleTestOnly{"SD001", "test-only-outside-local-ci"};
inline constexpr Rule kRuleApproval{"SD002", "unapproved-package"};
inline constexpr Rule kRuleClassNotAllowed{"SD003", "class-not-allowed"};
inline constexpr Rule kRuleSchemaTooOld{"SD004", "schema-too-old"};
inline constexpr Rule kRuleMeaningChange{"SD101", "meaning-change"};
inline constexpr Rule kRuleCodeDeletion{"SD102", "code-deletion"};
inline constexpr Rule kRuleDeprecatedReuse{"SD103", "deprecated-code-reuse"};
inline constexpr Rule kRuleVersionImmutable{"SD104", "version-immutable"};
inline constexpr Rule kRuleSyncReferenced{"SD105", "sync-referenced"};

// A refusal: the rule, where (file:line) and the one-sentence fix.
struct Violation {
  std::string rule;  // "SD001 test-only-outside-local-ci"
  std::string package;
  std::string table;
  std::string key;
  std::string message;
  std::string hint;
  SourceSpan span;
};
std::string RuleText(const Rule& r);

// Resolves environment `name`: declared in strata.toml (options.config_path), or one of the
// tier names used as an environment name. Errors: kConfig for a malformed [environments]
// section (file:line) or an unknown name (listing the known ones).
Result<Environment> ResolveEnvironment(const Options& options, const std::string& name);

// Whether `p`'s class is applied in `env` at all (test-only in production is out of scope and
// skipped when packages are not named explicitly).
bool InScope(const Package& p, const Environment& env);

// The policy violations of applying `p` in `env` (empty when allowed).
std::vector<Violation> CheckPolicy(const Package& p, const Environment& env);

}  // namespace strata::seed
