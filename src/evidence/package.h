// Evidence packages (docs/formats/evidence.md): what changed, when, by what mechanism, with
// what result and how it was verified — built from strata_run, strata_run_migration and the
// schema history, rendered as Markdown (for people) or JSON (for systems), sealed with a
// SHA-256 digest of the content and optionally an Ed25519 signature. Pure functions over the
// content; thread-safe.
#pragma once

#include "strata/result.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace strata::evidence {

inline constexpr std::string_view kPackageFormat = "strata-evidence/1";
inline constexpr std::string_view kDigestMarker = "<!-- strata-evidence-digest: ";
inline constexpr std::string_view kSignatureMarker = "<!-- strata-evidence-signature: ";

// The Markdown body for a content object (no digest trailer). Deterministic.
std::string RenderMarkdown(const nlohmann::json& content);

// What a package's seal says, parsed from a Markdown or JSON package.
struct Seal {
  std::string format;    // md or json
  std::string digest;    // as stated in the package
  std::string computed;  // recomputed over the content
  std::string signature_b64, public_key_b64;
  // Empty when the file is byte for byte the sealed content plus its seal, as strata writes
  // it; otherwise what is not covered ("line 42: text after the signature line"): the digest
  // covers the content and the signature the digest, so nothing else may be in the file.
  std::string uncovered;
};
// Splits a package into its sealed content and seal. Errors (kValidation, naming the file and
// the field or line) when the package has no digest, is not a strata evidence package, or a
// seal field is malformed (wrong JSON type, not a SHA-256 digest, not base64).
Result<Seal> ReadSeal(std::string_view package_text, const std::string& path);

}  // namespace strata::evidence
