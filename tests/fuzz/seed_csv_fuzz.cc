// Seed data files: seed::ParseCsv (RFC 4180 with a header row), what LoadPackage runs on each
// table's CSV.
#include "fuzz_util.h"
#include "seed/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  auto table = seed::ParseCsv(fuzz::AsText(data, size), "db/seed/reference/fuzz/t.csv");
  if (!table) return 0;
  // Header names are unique, and every record has one field per column.
  for (size_t i = 0; i < table->header.size(); ++i) {
    FUZZ_CHECK(table->IndexOf(table->header[i]) == static_cast<int>(i));
  }
  for (const seed::CsvRow& row : table->rows) {
    FUZZ_CHECK(row.fields.size() == table->header.size());
    FUZZ_CHECK(row.line >= 1);
  }
  return 0;
}
