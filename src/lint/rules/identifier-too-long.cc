// ST101 identifier-too-long: identifiers over 63 bytes are silently truncated. The doc is
// identifier-too-long.md; cases are in identifier-too-long.test.
#include "lint/rules/helpers.h"

#include <algorithm>

namespace strata::lint {

void CheckIdentifierTooLong(Context& ctx) {
  using namespace rules;  // NOLINT
  // PostgreSQL's scanner truncates identifiers to 63 bytes before the parse tree exists, so the
  // check reads the statement text: unquoted identifier runs and "quoted" identifiers, skipping
  // string literals and comments.
  std::string_view text = ctx.stmt()->text();
  if (text.size() <= 63) return;
  auto is_ident = [](char c) {
    return isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\'') {
      size_t j = text.find('\'', i + 1);
      i = j == std::string_view::npos ? text.size() : j + 1;
      continue;
    }
    if (c == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      size_t j = text.find('\n', i);
      i = j == std::string_view::npos ? text.size() : j + 1;
      continue;
    }
    if (c == '$') {  // dollar-quoted body: skip to the closing tag
      size_t close = text.find('$', i + 1);
      if (close != std::string_view::npos) {
        std::string_view tag = text.substr(i, close - i + 1);
        size_t end = text.find(tag, close + 1);
        if (end != std::string_view::npos) {
          i = end + tag.size();
          continue;
        }
      }
    }
    size_t start = i, len = 0;
    if (c == '"') {
      size_t j = text.find('"', i + 1);
      if (j == std::string_view::npos) break;
      len = j - i - 1;
      i = j + 1;
      start += 1;
    } else if (is_ident(c) && !isdigit(static_cast<unsigned char>(c))) {
      while (i < text.size() && is_ident(text[i])) ++i;
      len = i - start;
    } else {
      ++i;
      continue;
    }
    if (len > 63) {
      std::string_view name = text.substr(start, len);
      size_t offset = ctx.stmt()->parsed->offset + start;
      ctx.ReportAt(
          ctx.file().LineOf(offset), ctx.file().ColumnOf(offset),
          fmt::format("identifier `{}` is {} bytes; PostgreSQL silently truncates it to 63 (`{}`)",
                      name, len, name.substr(0, 63)),
          "shorten it to at most 63 bytes");
    }
  }
}

}  // namespace strata::lint
