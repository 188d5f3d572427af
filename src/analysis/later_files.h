// The migration files of a run after the one being analysed, parsed only when a question needs
// them and then kept for the rest of the run. A rule that must know whether a later migration
// completes what this one starts (a foreign key added here, its index in the next file, as the
// safe recipe has it) reads them; the pending-set model itself only ever looks back.
// Thread-safe: the lazy parse is guarded.
#pragma once

#include "analysis/parse.h"

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace strata::analysis {

class LaterFiles {
 public:
  // Every file of the run, in order; the caller keeps the texts alive.
  explicit LaterFiles(std::vector<std::string_view> texts);

  size_t size() const { return texts_.size(); }
  std::string_view Text(size_t i) const { return texts_[i]; }
  // The parse of file `i` (PostgreSQL's grammar), done on first use.
  const ParsedFile& Parsed(size_t i) const;

 private:
  std::vector<std::string_view> texts_;
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<ParsedFile>> parsed_;
};

}  // namespace strata::analysis
