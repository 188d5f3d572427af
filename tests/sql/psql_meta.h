// Which test inputs use psql meta-commands, shared by the splitter agreement tests
// (pg_regress_agreement_test.cc, pg_query_scanner_agreement_test.cc). Those files are left out
// of the comparisons: psql interprets the commands itself, strata does not.
#pragma once

#include "base/text.h"

#include <string_view>

namespace strata::sql::testing {

// A psql meta-command is a backslash command psql interprets itself instead of sending it. The
// corpus uses them at the start of a line (\set, \if, \gexec, ...) and at the end of a query
// (`... \gset`, `SELECT 1\; SELECT 2`). The one backslash line that is not a meta-command is
// `\.`, the end of COPY ... FROM stdin data, which strata must handle itself.
inline bool HasMetaCommand(std::string_view text) {
  for (std::string_view line : base::SplitLines(text)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    if (!line.empty() && line.front() == '\\' && line != "\\.") return true;
    if (line.find("\\;") != std::string_view::npos) return true;
    for (std::string_view cmd :
         {"\\gset", "\\gexec", "\\gx", "\\g", "\\crosstabview", "\\watch", "\\gdesc"}) {
      if (line.size() >= cmd.size() && line.substr(line.size() - cmd.size()) == cmd) return true;
    }
  }
  return false;
}

}  // namespace strata::sql::testing
