// The statement splitter (sql::Split), as `migrate`, `lint` and `plan` run it over every
// migration file, plus the per-statement classifiers the engine applies to its output. Shared
// by split_postgres_fuzz.cc and split_sqlite_fuzz.cc.
#pragma once

#include "sql/splitter.h"
#include "sql/transaction_block.h"

#include "fuzz_util.h"

namespace strata::fuzz {

inline void FuzzSplit(const uint8_t* data, size_t size, db::Dialect dialect) {
  std::string_view text = AsText(data, size);
  auto statements = sql::Split(text, dialect, "V1__fuzz.sql");
  if (!statements) return;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  size_t last_offset = 0;
  for (const sql::Statement& s : *statements) {
    // Every statement is a non-empty view into the input, in input order, at its offset.
    FUZZ_CHECK(!s.text.empty());
    FUZZ_CHECK(s.text.data() >= begin && s.text.data() + s.text.size() <= end);
    FUZZ_CHECK(s.offset == static_cast<size_t>(s.text.data() - begin));
    FUZZ_CHECK(s.offset >= last_offset);
    FUZZ_CHECK(s.line >= 1 && s.column >= 1);
    last_offset = s.offset + s.text.size();
    if (!s.copy_data.empty()) {
      FUZZ_CHECK(s.copy_from_stdin);
      FUZZ_CHECK(s.copy_data.data() >= begin && s.copy_data.data() + s.copy_data.size() <= end);
    }
    (void)s.FirstLine();
    (void)sql::StatementWords(s.text, 8, dialect);
    (void)sql::NonTransactionalConstruct(s.text, dialect);
    (void)sql::IsTransactionControl(s.text, dialect);
    (void)sql::SkipLeadingComments(s.text, dialect);
  }
}

}  // namespace strata::fuzz
