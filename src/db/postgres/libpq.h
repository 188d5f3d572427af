// libpq, loaded on first use. strata does not link libpq: it is opened with dlopen the first
// time a PostgreSQL connection is made, so a SQLite run (and --version, lint, hash) never maps
// libpq and the ~20 libraries it needs (Kerberos, LDAP, GnuTLS, ...), which cost several
// milliseconds at every process start. Only the PostgreSQL driver (pg_connection.cc) includes
// this header; nothing above src/db/ sees libpq types.
//
// Each entry is typed with decltype(&::PQxxx) from <libpq-fe.h>, so the signatures stay checked
// by the compiler against the installed header. LibPq::Get() is thread-safe: the library is
// loaded once per process (std::call_once) and never unloaded; a failed load is remembered and
// reported again on each call.
#pragma once

#include "strata/result.h"

#include <libpq-fe.h>

namespace strata::db {

// The libpq functions strata calls: STRATA_LIBPQ_FUNCTION(name) once per function.
#define STRATA_LIBPQ_FUNCTIONS(STRATA_LIBPQ_FUNCTION) \
  STRATA_LIBPQ_FUNCTION(PQclear)                      \
  STRATA_LIBPQ_FUNCTION(PQcmdTuples)                  \
  STRATA_LIBPQ_FUNCTION(PQconnectdbParams)            \
  STRATA_LIBPQ_FUNCTION(PQenterPipelineMode)          \
  STRATA_LIBPQ_FUNCTION(PQerrorMessage)               \
  STRATA_LIBPQ_FUNCTION(PQexec)                       \
  STRATA_LIBPQ_FUNCTION(PQexecParams)                 \
  STRATA_LIBPQ_FUNCTION(PQexitPipelineMode)           \
  STRATA_LIBPQ_FUNCTION(PQfinish)                     \
  STRATA_LIBPQ_FUNCTION(PQfname)                      \
  STRATA_LIBPQ_FUNCTION(PQgetResult)                  \
  STRATA_LIBPQ_FUNCTION(PQgetisnull)                  \
  STRATA_LIBPQ_FUNCTION(PQgetlength)                  \
  STRATA_LIBPQ_FUNCTION(PQgetvalue)                   \
  STRATA_LIBPQ_FUNCTION(PQnfields)                    \
  STRATA_LIBPQ_FUNCTION(PQntuples)                    \
  STRATA_LIBPQ_FUNCTION(PQpipelineStatus)             \
  STRATA_LIBPQ_FUNCTION(PQpipelineSync)               \
  STRATA_LIBPQ_FUNCTION(PQputCopyData)                \
  STRATA_LIBPQ_FUNCTION(PQputCopyEnd)                 \
  STRATA_LIBPQ_FUNCTION(PQresultErrorField)           \
  STRATA_LIBPQ_FUNCTION(PQresultErrorMessage)         \
  STRATA_LIBPQ_FUNCTION(PQresultStatus)               \
  STRATA_LIBPQ_FUNCTION(PQsendQuery)                  \
  STRATA_LIBPQ_FUNCTION(PQsendQueryParams)            \
  STRATA_LIBPQ_FUNCTION(PQserverVersion)              \
  STRATA_LIBPQ_FUNCTION(PQsetNoticeReceiver)          \
  STRATA_LIBPQ_FUNCTION(PQsetSingleRowMode)           \
  STRATA_LIBPQ_FUNCTION(PQstatus)                     \
  STRATA_LIBPQ_FUNCTION(PQuser)

// The library's soname: the one ABI strata is built against (libpq5).
inline constexpr const char* kLibPqSoname = "libpq.so.5";

// A loaded libpq: one pointer per function, named like the function (pq.PQexec(conn, sql)).
// Every pointer is non-null in a LibPq returned by Get() or Load().
struct LibPq {
#define STRATA_LIBPQ_FUNCTION(name) decltype(&::name) name = nullptr;
  STRATA_LIBPQ_FUNCTIONS(STRATA_LIBPQ_FUNCTION)
#undef STRATA_LIBPQ_FUNCTION

  // The process-wide libpq (kLibPqSoname), loaded by the first call. The pointer stays valid
  // for the life of the process. Errors (kConnection): the library cannot be opened (its name,
  // the loader's reason, and the package that installs it as the hint) or lacks a function.
  static Result<const LibPq*> Get();

  // Opens `soname` with dlopen(RTLD_NOW | RTLD_LOCAL) and resolves every function, without
  // caching: Get() uses it once; tests use it with names that do not exist. On success the
  // library stays loaded (the handle is never closed); on failure nothing stays loaded. Errors
  // as for Get().
  static Result<LibPq> Load(const char* soname);
};

}  // namespace strata::db
