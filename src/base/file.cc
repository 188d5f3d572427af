#include "base/file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace strata::base {

namespace {
FileStamp ToStamp(const struct stat& st) {
  FileStamp s;
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  s.size = static_cast<std::uint64_t>(st.st_size);
  s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  s.ctime_ns = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
  return s;
}
}  // namespace

bool WriteFileAtomic(const std::string& path, std::string_view bytes, std::string* error,
                     unsigned mode) {
  // The pid and the thread id keep two concurrent writers (processes, or threads of one fleet
  // run) off each other's temporary file.
  std::string tmp = fmt::format("{}.{}.{}.tmp", path, getpid(), gettid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                static_cast<mode_t>(mode));
  int e = 0;
  if (fd < 0) {
    e = errno;
  } else {
    size_t put = 0;
    while (put < bytes.size()) {
      ssize_t n = write(fd, bytes.data() + put, bytes.size() - put);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        e = n < 0 ? errno : EIO;
        break;
      }
      put += static_cast<size_t>(n);
    }
    if (close(fd) != 0 && e == 0) e = errno;
    if (e == 0 && rename(tmp.c_str(), path.c_str()) != 0) e = errno;
  }
  if (e == 0) return true;
  if (fd >= 0) unlink(tmp.c_str());
  if (error) *error = std::strerror(e);
  return false;
}

std::optional<FileStamp> StampOf(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return ToStamp(st);
}

std::optional<FileStamp> StampAt(int dir_fd, const std::string& relative) {
  struct stat st {};
  if (fstatat(dir_fd, relative.c_str(), &st, 0) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return ToStamp(st);
}

namespace {
std::string_view KindOf(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a file";
}

std::string Bytes(std::uint64_t n) {
  if (n >= (std::uint64_t{1} << 30) && n % (std::uint64_t{1} << 30) == 0) {
    return std::to_string(n >> 30) + " GiB";
  }
  if (n >= (std::uint64_t{1} << 20) && n % (std::uint64_t{1} << 20) == 0) {
    return std::to_string(n >> 20) + " MiB";
  }
  return std::to_string(n) + " bytes";
}
}  // namespace

std::optional<std::string> ReadFile(const std::string& path, std::string* error, FileStamp* stamp,
                                    std::uint64_t max_bytes) {
  auto fail = [&](int fd) -> std::optional<std::string> {
    int e = errno;
    if (fd >= 0) close(fd);
    if (error) *error = std::strerror(e);
    return std::nullopt;
  };
  auto refuse = [&](int fd, std::string why) -> std::optional<std::string> {
    close(fd);
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  // O_NONBLOCK: opening a FIFO that has no writer would otherwise wait forever. The file is
  // refused below before anything is read, so the flag changes nothing else.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return fail(fd);
  struct stat st {};
  if (fstat(fd, &st) != 0) return fail(fd);
  if (S_ISDIR(st.st_mode)) {
    errno = EISDIR;
    return fail(fd);
  }
  if (!S_ISREG(st.st_mode)) {
    return refuse(fd, fmt::format("not a regular file ({}); strata reads regular files only",
                                  KindOf(st.st_mode)));
  }
  auto too_large = [&](std::uint64_t size) {
    return fmt::format("too large: {} bytes, more than the {} strata reads from one file", size,
                       Bytes(max_bytes));
  };
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    return refuse(fd, too_large(static_cast<std::uint64_t>(st.st_size)));
  }
  if (stamp) *stamp = ToStamp(st);
  std::string out;
  // st_size is 0 for some special files (/proc): read until end of file then, up to the cap.
  out.resize(st.st_size > 0 ? static_cast<size_t>(st.st_size) : 4096);
  size_t got = 0;
  for (;;) {
    if (got == out.size()) {
      if (st.st_size > 0) break;
      if (got > max_bytes) return refuse(fd, too_large(got));
      out.resize(out.size() * 2);
    }
    ssize_t n = read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(fd);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > max_bytes) return refuse(fd, too_large(got));
  out.resize(got);
  close(fd);
  return out;
}

}  // namespace strata::base
