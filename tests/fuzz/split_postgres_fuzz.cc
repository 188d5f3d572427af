// sql::Split for PostgreSQL: psql's boundary rules (quotes, dollar bodies, nested comments,
// BEGIN ATOMIC, COPY FROM STDIN data, standard_conforming_strings).
#include "split_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  strata::fuzz::FuzzSplit(data, size, strata::db::Dialect::kPostgres);
  return 0;
}
