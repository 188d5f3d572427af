// Result<T>: a value or a Status, shaped like C++23 std::expected<T, Status> so that it can
// become one. Use STRATA_TRY(status_expr) and STRATA_ASSIGN_OR_RETURN(lhs, result_expr) to
// propagate errors. Thread-safety is that of T.
#pragma once

#include "strata/status.h"

#include <cassert>
#include <utility>
#include <variant>

namespace strata {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit like std::expected
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result constructed from an ok Status");
  }

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  bool ok() const { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Status& error() const& { return std::get<1>(v_); }
  Status&& error() && { return std::get<1>(std::move(v_)); }
  // The error, or an ok Status when there is a value.
  Status status() const { return has_value() ? Status::Ok() : error(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace strata

#define STRATA_CONCAT_INNER_(a, b) a##b
#define STRATA_CONCAT_(a, b) STRATA_CONCAT_INNER_(a, b)

// Evaluates a Status expression and returns it from the enclosing function if not ok.
#define STRATA_TRY(expr)                           \
  do {                                             \
    ::strata::Status strata_try_s_ = (expr);       \
    if (!strata_try_s_.ok()) return strata_try_s_; \
  } while (0)

// Evaluates a Result expression; on error returns its Status, else moves the value to lhs.
#define STRATA_ASSIGN_OR_RETURN(lhs, expr) \
  STRATA_ASSIGN_OR_RETURN_IMPL_(STRATA_CONCAT_(strata_r_, __LINE__), lhs, expr)
#define STRATA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)  \
  auto tmp = (expr);                                   \
  if (!tmp.has_value()) return std::move(tmp).error(); \
  lhs = std::move(tmp).value()
