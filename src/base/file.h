// Whole-file reads without stream buffering: one open, one fstat, one read per chunk of the
// file's size. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata::base {

// What stat says of a file, enough to tell that it has not changed since: any write moves
// ctime forward (user space cannot set it), a replaced file has a new inode. git's index
// trusts the same fields.
struct FileStamp {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

// Replaces the file at `path` with `bytes` atomically: written to a temporary file beside it
// (mode `mode`), then renamed over it, so a reader sees the old or the new content, never a
// part. False on failure (the temporary file is removed); `error` then says why.
bool WriteFileAtomic(const std::string& path, std::string_view bytes, std::string* error = nullptr,
                     unsigned mode = 0644);

// The stamp of the file at `path` (following links), or nullopt.
std::optional<FileStamp> StampOf(const std::string& path);

// The bytes of the regular file at `path`, or nullopt when it cannot be opened or read (a
// directory, a missing file, no permission); `error` then holds strerror's text for errno.
// `stamp`, when given, receives the open file's stamp, taken before it is read.
std::optional<std::string> ReadFile(const std::string& path, std::string* error = nullptr,
                                    FileStamp* stamp = nullptr);

}  // namespace strata::base
