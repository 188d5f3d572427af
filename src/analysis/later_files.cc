#include "analysis/later_files.h"

namespace strata::analysis {

LaterFiles::LaterFiles(std::vector<std::string_view> texts)
    : texts_(std::move(texts)), parsed_(texts_.size()) {}

const ParsedFile& LaterFiles::Parsed(size_t i) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!parsed_[i]) parsed_[i] = std::make_unique<ParsedFile>(ParsePostgres(texts_[i]));
  return *parsed_[i];
}

}  // namespace strata::analysis
