// sql::Split for SQLite: sqlite3_complete()'s state machine (CREATE TRIGGER ... END).
#include "split_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  strata::fuzz::FuzzSplit(data, size, strata::db::Dialect::kSqlite);
  return 0;
}
