#include "seed/csv.h"

#include "base/text.h"

#include <fmt/format.h>

#include <set>

namespace strata::seed {

int CsvTable::IndexOf(std::string_view column) const {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == column) return static_cast<int>(i);
  }
  return -1;
}

namespace {

Status CsvError(const std::string& path, int line, int col, std::string msg, std::string hint) {
  return Status(ErrorCode::kConfig, std::move(msg))
      .WithSpan({path, line, col})
      .WithHint(std::move(hint));
}

}  // namespace

Result<CsvTable> ParseCsv(std::string_view text, const std::string& path) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  // Values are sent as text parameters: the database takes UTF-8 only, and a NUL would end the
  // value where the driver reads it as a C string (a silently shortened value). Both are refused
  // for the whole file before anything is written.
  if (auto bad = base::FindInvalidUtf8(text)) {
    base::LineIndex li(text);
    return Status(ErrorCode::kEncoding,
                  fmt::format("the data file is not valid UTF-8 (byte offset {})", *bad))
        .WithSpan({path, li.LineOf(*bad), li.ColumnOf(*bad)})
        .WithHint("re-save the file as UTF-8 (iconv -f LATIN1 -t UTF-8)");
  }
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    base::LineIndex li(text);
    return Status(ErrorCode::kEncoding,
                  fmt::format("the data file contains a NUL byte (byte offset {})", nul))
        .WithSpan({path, li.LineOf(nul), li.ColumnOf(nul)})
        .WithHint("remove it: a text value cannot hold a NUL byte");
  }
  CsvTable out;
  size_t i = 0;
  int line = 1;
  bool have_header = false;
  while (i < text.size()) {
    // Skip blank lines and comment lines between records.
    if (text[i] == '\n') {
      ++line, ++i;
      continue;
    }
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++line, i += 2;
      continue;
    }
    if (text[i] == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    CsvRow row;
    row.line = line;
    size_t line_start = i;
    for (;;) {
      std::optional<std::string> field;
      int col = static_cast<int>(i - line_start) + 1;
      if (i < text.size() && text[i] == '"') {
        std::string v;
        ++i;
        int open_line = line;
        bool closed = false;
        while (i < text.size()) {
          char c = text[i];
          if (c == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              v.push_back('"');
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (c == '\n') {
            ++line;
            line_start = i + 1;
          }
          v.push_back(c);
          ++i;
        }
        if (!closed) {
          return CsvError(path, open_line, col, "unterminated quoted field",
                          "close the field with \" (write \"\" for a quote inside it)");
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          return CsvError(path, line, static_cast<int>(i - line_start) + 1,
                          "text after a closing quote",
                          "quote the whole field, or remove the characters after the quote");
        }
        field = std::move(v);
      } else {
        size_t start = i;
        while (i < text.size() && text[i] != ',' && text[i] != '\n' &&
               !(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
          if (text[i] == '"') {
            return CsvError(path, line, static_cast<int>(i - line_start) + 1,
                            "a quote inside an unquoted field",
                            "quote the whole field and double the inner quote (\"a \"\"b\"\"\")");
          }
          ++i;
        }
        if (i > start) field = std::string(text.substr(start, i - start));
      }
      row.fields.push_back(std::move(field));
      if (i < text.size() && text[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    if (i < text.size() && text[i] == '\r') ++i;
    if (i < text.size() && text[i] == '\n') ++i, ++line;
    if (!have_header) {
      std::set<std::string> seen;
      for (size_t c = 0; c < row.fields.size(); ++c) {
        const auto& f = row.fields[c];
        if (!f || f->empty()) {
          return CsvError(path, row.line, 0, fmt::format("header column {} has no name", c + 1),
                          "the first record names the table's columns");
        }
        if (!seen.insert(*f).second) {
          return CsvError(path, row.line, 0, fmt::format("header names `{}` twice", *f),
                          "each column appears once in the header");
        }
        out.header.push_back(*f);
      }
      have_header = true;
      continue;
    }
    if (row.fields.size() != out.header.size()) {
      return CsvError(path, row.line, 0,
                      fmt::format("record has {} field(s), the header has {}", row.fields.size(),
                                  out.header.size()),
                      "give every record one field per header column (empty = NULL, \"\" = empty "
                      "text)");
    }
    out.rows.push_back(std::move(row));
  }
  if (!have_header) {
    return CsvError(path, 1, 0, "the data file is empty",
                    "the first record names the table's columns");
  }
  return out;
}

}  // namespace strata::seed
