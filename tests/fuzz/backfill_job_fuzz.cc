// Backfill job files (db/backfill/<name>.toml): backfill::ParseJob, what LoadJob runs after
// reading the file.
#include "backfill/job.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  auto job = backfill::ParseJob(fuzz::AsText(data, size), "db/backfill/fuzz_job.toml", "fuzz_job");
  if (!job) return 0;
  FUZZ_CHECK(!job->table.empty());
  FUZZ_CHECK(!job->key.empty());
  for (const std::string& k : job->key) (void)backfill::IsIdentifier(k);
  return 0;
}
