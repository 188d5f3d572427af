#include "db/postgres/libpq.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <link.h>

#include <string>

namespace strata::db {

namespace {

// What installs libpq, as the next step of every load error.
constexpr const char* kInstallHint =
    "install PostgreSQL's client library: apt-get install libpq5 (Debian, Ubuntu; the libpq "
    "package elsewhere)";

std::string LoaderError() {
  const char* e = dlerror();
  return e ? e : "unknown reason";
}

// The file the loader found for `handle`, for messages ("" when unknown).
std::string PathOf(void* handle) {
  struct link_map* map = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr || map->l_name == nullptr) {
    return "";
  }
  return map->l_name;
}

}  // namespace

Result<LibPq> LibPq::Load(const char* soname) {
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    return Status(ErrorCode::kConnection,
                  fmt::format("cannot load {}, PostgreSQL's client library: {}", soname,
                              LoaderError()))
        .WithHint(kInstallHint);
  }
  LibPq lib;
  const char* missing = nullptr;
  // A function pointer from dlsym's void*: what POSIX guarantees for dlsym.
#define STRATA_LIBPQ_FUNCTION(name)                                       \
  if (missing == nullptr) {                                               \
    lib.name = reinterpret_cast<decltype(&::name)>(dlsym(handle, #name)); \
    if (lib.name == nullptr) missing = #name;                             \
  }
  STRATA_LIBPQ_FUNCTIONS(STRATA_LIBPQ_FUNCTION)
#undef STRATA_LIBPQ_FUNCTION
  if (missing != nullptr) {
    std::string path = PathOf(handle);
    dlclose(handle);
    return Status(ErrorCode::kConnection,
                  fmt::format("{}{} has no function {}: strata needs libpq 14 or later", soname,
                              path.empty() ? "" : fmt::format(" ({})", path), missing))
        .WithHint(kInstallHint);
  }
  return lib;  // the handle stays open for the life of the process
}

Result<const LibPq*> LibPq::Get() {
  // A function-local static is initialized exactly once, by the first caller, while concurrent
  // callers wait (C++11 [stmt.dcl]): the same guarantee as std::call_once, in one line.
  static const Result<LibPq> loaded = Load(kLibPqSoname);
  if (!loaded) return loaded.error();
  return &*loaded;
}

}  // namespace strata::db
