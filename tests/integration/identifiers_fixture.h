// Shared plumbing of the identifier-contract integration tests (identifiers_gate_test.cc,
// identifiers_map_test.cc): the example project's migrations V001..V005 (quote, revisions,
// lines, reason codes, outbox, catalog) and the contracts of
// examples/quote-service/db/identifiers.toml, written into a Project of engine_fixture.h.
// Not thread-safe: one Project per test.
#pragma once

#include <filesystem>
#include <string>

#include "integration/engine_fixture.h"

namespace strata::testing {

inline constexpr int kExitLint = 7;
inline constexpr int kExitCheckFailed = 8;

// The quote number contract of examples/quote-service/db/identifiers.toml.
inline constexpr const char* kQuoteNumberContract = R"toml(
[[identifier]]
name = "quote_number"
table = "quote"
column = "id"
format = "uuid"
consumers = ["order management", "partner portal", "billing export"]
deletes = "never"
stability_window = "365d"
)toml";

// The outbox event id contract of the same file.
inline constexpr const char* kOutboxEventContract = R"toml(
[[identifier]]
name = "outbox_event_id"
table = "outbox_event"
column = "id"
format = "uuid"
consumers = ["event bus consumers (idempotency keys)"]
deletes = "allowed"
stability_window = "7d"
)toml";

// `strata hash` (strata.sum) then `strata migrate`.
inline RunResult Migrate(const Project& p) {
  p.Hash();
  return p.Run({"migrate"});
}

// Writes the example project's migrations V001..V005 and `contracts` as db/identifiers.toml;
// applies nothing.
inline void WriteExampleProject(const Project& p, const std::string& contracts) {
  const std::filesystem::path src =
      std::filesystem::path(STRATA_SOURCE_DIR) / "examples/quote-service/db/migration";
  for (const auto& e : std::filesystem::directory_iterator(src)) {
    std::string name = e.path().filename().string();
    if (name.rfind("V00", 0) == 0) p.Write(name, Slurp(e.path().string()));
  }
  p.dir().Write("db/identifiers.toml", contracts);
}

}  // namespace strata::testing
