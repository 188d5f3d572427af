#include "strata/status.h"

#include <fmt/format.h>

namespace strata {

namespace {
struct CodeInfo {
  std::string_view name;
  int exit_code;
};
constexpr CodeInfo kCodes[] = {
#define STRATA_ERROR(e, name, exit_code, doc) {name, exit_code},
#include "strata/error_codes.def"
#undef STRATA_ERROR
};
const std::string kEmpty;
const SourceSpan kEmptySpan;
}  // namespace

std::string_view ErrorCodeName(ErrorCode code) { return kCodes[static_cast<int>(code)].name; }
int ExitCodeFor(ErrorCode code) { return kCodes[static_cast<int>(code)].exit_code; }

std::string SourceSpan::ToString() const {
  if (file.empty()) return {};
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

const std::string& Status::message() const { return rep_ ? rep_->message : kEmpty; }
const SourceSpan& Status::span() const { return rep_ ? rep_->span : kEmptySpan; }
const std::string& Status::sqlstate() const { return rep_ ? rep_->sqlstate : kEmpty; }
const std::string& Status::hint() const { return rep_ ? rep_->hint : kEmpty; }

Status::Rep& Status::Mutable() {
  // Copy on write: statuses may share a Rep after a copy.
  if (rep_.use_count() > 1) rep_ = std::make_shared<Rep>(*rep_);
  return *rep_;
}

Status Status::WithSpan(SourceSpan span) && {
  if (ok()) return std::move(*this);  // nothing to annotate
  Mutable().span = std::move(span);
  return std::move(*this);
}
Status Status::WithSqlState(std::string sqlstate) && {
  if (ok()) return std::move(*this);  // nothing to annotate
  Mutable().sqlstate = std::move(sqlstate);
  return std::move(*this);
}
Status Status::WithHint(std::string hint) && {
  if (ok()) return std::move(*this);  // nothing to annotate
  Mutable().hint = std::move(hint);
  return std::move(*this);
}
Status Status::Wrap(std::string_view context) && {
  if (ok()) return std::move(*this);  // nothing to annotate
  auto& r = Mutable();
  r.message = fmt::format("{}: {}", context, r.message);
  return std::move(*this);
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out;
  if (!rep_->span.empty()) out = rep_->span.ToString() + ": ";
  out += rep_->message;
  if (!rep_->sqlstate.empty()) out += fmt::format(" (SQLSTATE {})", rep_->sqlstate);
  return out;
}

}  // namespace strata
