// CSV as strata's seed data format (docs/formats/seed-manifest.md): RFC 4180 with a header
// row, UTF-8, comma separator, double-quote quoting ("" inside quotes is one quote), LF or
// CRLF line ends. An unquoted empty field is SQL NULL; a quoted empty field ("") is the empty
// string. Lines starting with '#' outside quotes are comments. Stateless; thread-safe.
#pragma once

#include "strata/result.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::seed {

struct CsvRow {
  int line = 0;  // 1-based line where the record starts
  std::vector<std::optional<std::string>> fields;
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
  // Index of `column` in the header, or -1.
  int IndexOf(std::string_view column) const;
};

// Parses `text` (the contents of `path`, named in errors). Errors carry file:line:col: bytes
// that are not UTF-8 or a NUL byte anywhere in the file (kEncoding: a database text value can
// hold neither); an unterminated quote, a record whose field count differs from the header, an
// empty or duplicate header name, text after a closing quote (kConfig).
Result<CsvTable> ParseCsv(std::string_view text, const std::string& path);

}  // namespace strata::seed
