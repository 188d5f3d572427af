// Whole-file reads without stream buffering: one open, one fstat, one read per chunk of the
// file's size. Stateless; thread-safe.
#pragma once

#include <optional>
#include <string>

namespace strata::base {

// The bytes of the regular file at `path`, or nullopt when it cannot be opened or read (a
// directory, a missing file, no permission); `error` then holds strerror's text for errno.
std::optional<std::string> ReadFile(const std::string& path, std::string* error = nullptr);

}  // namespace strata::base
