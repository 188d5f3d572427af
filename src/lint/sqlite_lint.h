// The SQLite half of the linter: each statement of a SQLite migration is run, in order, in an
// in-memory scratch database (lint/sqlite_scratch.h) that starts from the live schema or the
// applied migrations, so SQLite itself says whether it is valid (SQ101, with file:line:col), and
// the SQ rules read what the scratch knows: a table rebuilt without its foreign keys in hand
// (SQ102), a column SQLite cannot drop (SQ103), a declared type change SQLite does not apply to
// the rows (SQ104). Used by Lint() when config.dialect is SQLite. One instance per lint run.
#pragma once

#include "lint/linter.h"
#include "lint/sqlite_scratch.h"

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace strata::lint {

class SqliteLinter {
 public:
  // Reports one SQ finding: rule name, file offset of the caret, statement index, message, fix.
  using Emit = std::function<void(std::string_view rule, size_t offset, int statement,
                                  std::string message, std::string help)>;

  SqliteLinter(const LintConfig& config, const LiveInfo* live);

  // `run`: whether this file's statements build the scratch (false for an applied file when the
  // live schema already holds it). `report`: whether findings are wanted (pending files).
  void BeginFile(bool run, bool report, bool transactional);
  void Statement(const LintInput& in, const analysis::FileAnalysis& fa,
                 const analysis::StatementAnalysis& sa, const Emit& emit);
  // Closes the file: foreign keys this file left pointing at a table that no longer exists
  // (SQ102). Returns the statement indexes of DROP TABLEs that were part of a rebuild (the table
  // is back under its name by the end of the file): not a dropped table (BC105).
  std::set<int> EndFile(const Emit& emit);

  int target_version() const { return target_version_; }
  // Whether the scratch knows the schema the files run against (the live schema, or earlier
  // files): without it (one file linted alone) "no such table" says nothing (no SQ105).
  void set_context(bool context) { context_ = context || seeded_; }

 private:
  struct Dropped {
    int statement = -1;
    std::vector<std::pair<std::string, std::string>> columns;
    bool strict = false;
  };
  SqliteScratch scratch_;
  int target_version_ = 0;
  bool seeded_ = false;
  bool run_ = true, report_ = true, transactional_ = true;
  bool copy_seen_ = false;
  bool context_ = true;
  std::set<std::string> dangling_before_;
  std::map<std::string, std::pair<int, size_t>> dangling_seen_;  // key → statement, offset
  std::map<std::string, Dropped> dropped_;                       // by lower-case name
  std::set<int> rebuilt_drops_;
};

}  // namespace strata::lint
