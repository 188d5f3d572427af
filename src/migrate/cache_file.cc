#include "migrate/cache_file.h"

#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace strata::migrate {

std::string CacheDir() {
  if (const char* d = std::getenv("STRATA_CACHE_DIR")) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x == '/') {
    return std::string(x) + "/strata";
  }
  if (const char* h = std::getenv("HOME"); h && *h == '/') return std::string(h) + "/.cache/strata";
  return "";
}

std::string ReadOwnCacheFile(const std::string& file) {
  int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);  // a FIFO: no wait
  if (fd < 0) return "";
  std::string out;
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
      (st.st_mode & (S_IWGRP | S_IWOTH)) == 0) {
    out.resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < out.size()) {
      ssize_t n = read(fd, out.data() + got, out.size() - got);
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    out.resize(got);
  }
  close(fd);
  return out;
}

bool WriteCacheFile(const std::string& file, std::string_view bytes) {
  size_t slash = file.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    // Like `mkdir -p -m 700` for the last two levels ($HOME/.cache may not exist yet).
    std::string dir = file.substr(0, slash);
    if (mkdir(dir.c_str(), 0700) != 0 && errno == ENOENT) {
      size_t up = dir.rfind('/');
      if (up != std::string::npos && up > 0) mkdir(dir.substr(0, up).c_str(), 0700);
      mkdir(dir.c_str(), 0700);
    }
  }
  return base::WriteFileAtomic(file, bytes, nullptr, 0600);
}

}  // namespace strata::migrate
