// strata's own version, recorded in run records and shown by `strata --version`.
#pragma once

namespace strata {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace strata
