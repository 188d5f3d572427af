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
// The same for `relative` under the directory open as `dir_fd`: the kernel does not walk the
// directory's own path again for each of its files (a no-op migrate stats every migration).
std::optional<FileStamp> StampAt(int dir_fd, const std::string& relative);

// The most ReadFile reads: 1 GiB. strata reads whole files (migrations, seed data, TOML,
// job and evidence files) into memory; a larger one is refused rather than exhausting it.
inline constexpr std::uint64_t kMaxReadBytes = std::uint64_t{1} << 30;

// The bytes of the regular file at `path` (a symbolic link is followed to its target), or
// nullopt; `error` then says why: strerror's text for errno (missing file, no permission, a
// directory), "not a regular file (a FIFO)" for a FIFO, device or socket (never opened for
// reading, so a FIFO with no writer or /dev/zero cannot hang or fill memory), or "too large"
// when it holds more than `max_bytes`. `stamp`, when given, receives the open file's stamp,
// taken before it is read. This is the one reader of user files: every file strata reads for
// the user goes through it.
std::optional<std::string> ReadFile(const std::string& path, std::string* error = nullptr,
                                    FileStamp* stamp = nullptr,
                                    std::uint64_t max_bytes = kMaxReadBytes);

}  // namespace strata::base
