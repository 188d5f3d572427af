// Status and ErrorCode: how every strata library function reports failure.
//
// A Status is either ok or carries an ErrorCode (stable name and exit code, see
// error_codes.def), a message, and optionally where the problem is (file:line:col), the
// database's SQLSTATE and a one-sentence next step. Status is a small value type; it is
// cheap to move and safe to copy between threads. No exception crosses the library API.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace strata {

enum class ErrorCode : std::uint8_t {
#define STRATA_ERROR(e, name, exit_code, doc) e,
#include "strata/error_codes.def"
#undef STRATA_ERROR
};

// The stable kebab-case name of `code` ("checksum-mismatch"), used in --json output.
std::string_view ErrorCodeName(ErrorCode code);
// The process exit code documented for `code`.
int ExitCodeFor(ErrorCode code);

// A position in a source file. Lines and columns count from 1; 0 means unknown.
struct SourceSpan {
  std::string file;
  int line = 0;
  int column = 0;

  bool empty() const { return file.empty(); }
  // "file:line:col", "file:line" or "file", whatever is known.
  std::string ToString() const;
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(ErrorCode code, std::string message) : rep_(std::make_shared<Rep>()) {
    rep_->code = code;
    rep_->message = std::move(message);
  }

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  ErrorCode code() const { return rep_ ? rep_->code : ErrorCode::kOk; }
  const std::string& message() const;
  const SourceSpan& span() const;
  const std::string& sqlstate() const;
  const std::string& hint() const;

  // Builders: each returns a copy with the field set (the status must not be ok).
  Status WithSpan(SourceSpan span) &&;
  Status WithSqlState(std::string sqlstate) &&;
  Status WithHint(std::string hint) &&;
  // Prefixes the message with `context + ": "`.
  Status Wrap(std::string_view context) &&;

  // One line for humans: "file:line: message (SQLSTATE x)" without the hint.
  std::string ToString() const;

 private:
  struct Rep {
    ErrorCode code;
    std::string message;
    SourceSpan span;
    std::string sqlstate;
    std::string hint;
  };
  Rep& Mutable();
  std::shared_ptr<Rep> rep_;
};

}  // namespace strata
