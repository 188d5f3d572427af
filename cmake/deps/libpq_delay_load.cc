// Kerberos (GSSAPI) and LDAP for the statically linked libpq, loaded on first use.
//
// strata links libpq from its static archive (cmake/Dependencies.cmake, deps::libpq). libpq
// calls 11 GSSAPI functions (Kerberos authentication and GSS encryption) and 12 LDAP functions
// (service lookups from an ldap:// line of pg_service.conf). Linking their shared libraries
// would map Kerberos, LDAP, GnuTLS and ~12 more libraries at every start of strata, SQLite runs
// and --version included (~3 ms here). Instead this file defines those functions itself; each
// opens the real library with dlopen the first time libpq calls it, and forwards.
//
//   - GSSAPI: libpq asks for Kerberos credentials on every TCP connection that does not set
//     gssencmode=disable. On a machine with no Kerberos or GSSAPI configuration at all the
//     answer ("none") is given here without loading anything (NoGssCredentialsPossible);
//     otherwise libgssapi_krb5.so.2 is loaded and asked (~1.5 ms of a run here; psql pays it
//     at its start). Unix-socket connections never ask.
//   - LDAP: only an ldap:// service line loads libldap.
//   - A library that cannot be loaded behaves like a Kerberos setup without credentials (no
//     GSS encryption, which gssencmode=prefer allows) or an LDAP server that cannot be reached:
//     libpq reports the error (naming the library and the loader's reason) when the connection
//     needed it, and otherwise connects without it.
//
// Every definition is hidden: the strata binary never exports them, so the real libraries,
// once loaded, bind their own internal calls to themselves and never to these forwarders.
// Each forwarder's signature is the one declared in the library's header (libkrb5-dev,
// libldap-dev): a mismatch is a compile error.
#pragma GCC visibility push(hidden)
#define LDAP_DEPRECATED 1  // libpq uses ldap_init, ldap_simple_bind, ldap_search_st, ...
#include <gssapi/gssapi.h>
#include <ldap.h>
#pragma GCC visibility pop

#include <dirent.h>
#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>

namespace {

// A library opened once per process (never closed), or why it could not be.
struct Library {
  void* handle = nullptr;
  std::string error;  // "<soname>: <loader's reason>" when handle is null
};

Library Open(std::initializer_list<const char*> sonames) {
  Library lib;
  for (const char* soname : sonames) {
    lib.handle = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
    if (lib.handle != nullptr) return lib;
    const char* why = dlerror();
    if (!lib.error.empty()) lib.error += "; ";
    lib.error += why != nullptr ? why : soname;
  }
  return lib;
}

// Function-local statics: loaded by the first caller while concurrent callers wait.
const Library& GssApi() {
  static const Library lib = Open({"libgssapi_krb5.so.2"});
  return lib;
}
const Library& Ldap() {
  static const Library lib = Open({"libldap-2.5.so.0", "libldap.so.2"});
  return lib;
}

// The real `name` from `lib`, typed like the declaration in the header; null when the library
// or the function is missing. A function pointer from dlsym's void*: what POSIX guarantees.
template <typename Fn>
Fn Resolve(const Library& lib, const char* name) {
  return lib.handle != nullptr ? reinterpret_cast<Fn>(dlsym(lib.handle, name)) : nullptr;
}

// The forwarder's body: call the real function, or return `unavailable`.
#define STRATA_FORWARD(library, name, unavailable, ...)                  \
  static const auto real = Resolve<decltype(&::name)>(library(), #name); \
  if (real == nullptr) return unavailable;                               \
  return real(__VA_ARGS__)

// Whether `path` certainly does not exist (an error other than "no such file" counts as
// existing: the library decides then).
bool Absent(const char* path) {
  struct stat st {};
  return stat(path, &st) != 0 && (errno == ENOENT || errno == ENOTDIR);
}

// Whether gss_acquire_cred can only fail, decided without loading GSSAPI. MIT Kerberos finds
// a client's credentials in a credential cache or a client keytab, named by the environment,
// by /etc/krb5.conf, or else by its built-in defaults (FILE:/tmp/krb5cc_<uid>,
// FILE:/etc/krb5/user/<euid>/client.keytab); any other GSSAPI mechanism is a plugin listed in
// /etc/gss/mech or /etc/gss/mech.d. When none of these exists there is nothing to find. Any
// doubt (a variable set, a file present or unreadable) leaves the answer to the library.
bool NoGssCredentialsPossible() {
  for (const char* var : {"KRB5CCNAME", "KRB5_CONFIG", "KRB5_CLIENT_KTNAME", "KRB5_KTNAME",
                          "GSS_MECH_CONFIG", "GSS_USE_PROXY"}) {
    if (std::getenv(var) != nullptr) return false;
  }
  if (!Absent("/etc/krb5.conf") || !Absent("/etc/gss/mech")) return false;
  if (DIR* dir = opendir("/etc/gss/mech.d")) {
    bool empty = true;
    while (const dirent* e = readdir(dir)) empty = empty && e->d_name[0] == '.';
    closedir(dir);
    if (!empty) return false;
  } else if (errno != ENOENT) {
    return false;
  }
  char path[64];
  for (unsigned uid : {static_cast<unsigned>(getuid()), static_cast<unsigned>(geteuid())}) {
    std::snprintf(path, sizeof(path), "/tmp/krb5cc_%u", uid);
    if (!Absent(path)) return false;
  }
  std::snprintf(path, sizeof(path), "/etc/krb5/user/%u/client.keytab",
                static_cast<unsigned>(geteuid()));
  return Absent(path);
}

// GSSAPI's answer when the library is missing: the mechanism is unavailable.
OM_uint32 GssUnavailable(OM_uint32* minor) {
  if (minor != nullptr) *minor = 0;
  return GSS_S_UNAVAILABLE;
}

const std::string& GssMissingMessage() {
  static const std::string text = "the Kerberos library could not be loaded (" + GssApi().error +
                                  "); install it: apt-get install libgssapi-krb5-2";
  return text;
}

}  // namespace

#pragma GCC visibility push(hidden)

// 1.2.840.113554.1.2.1.4, the host-based service name type (RFC 2744). GSSAPI compares name
// types by value, so this copy stands for the library's own.
static gss_OID_desc host_based_service = {
    10, const_cast<char*>("\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04")};
gss_OID GSS_C_NT_HOSTBASED_SERVICE = &host_based_service;

OM_uint32 gss_acquire_cred(OM_uint32* minor, gss_name_t name, OM_uint32 time_req, gss_OID_set mechs,
                           gss_cred_usage_t usage, gss_cred_id_t* cred, gss_OID_set* actual_mechs,
                           OM_uint32* time_rec) {
  static const bool none = NoGssCredentialsPossible();
  if (none) {
    if (minor != nullptr) *minor = 0;
    if (cred != nullptr) *cred = GSS_C_NO_CREDENTIAL;
    return GSS_S_NO_CRED;
  }
  STRATA_FORWARD(GssApi, gss_acquire_cred, GssUnavailable(minor), minor, name, time_req, mechs,
                 usage, cred, actual_mechs, time_rec);
}

OM_uint32 gss_release_cred(OM_uint32* minor, gss_cred_id_t* cred) {
  STRATA_FORWARD(GssApi, gss_release_cred, GssUnavailable(minor), minor, cred);
}

OM_uint32 gss_init_sec_context(OM_uint32* minor, gss_cred_id_t cred, gss_ctx_id_t* context,
                               gss_name_t target, gss_OID mech, OM_uint32 req_flags,
                               OM_uint32 time_req, gss_channel_bindings_t bindings,
                               gss_buffer_t input, gss_OID* actual_mech, gss_buffer_t output,
                               OM_uint32* ret_flags, OM_uint32* time_rec) {
  STRATA_FORWARD(GssApi, gss_init_sec_context, GssUnavailable(minor), minor, cred, context, target,
                 mech, req_flags, time_req, bindings, input, actual_mech, output, ret_flags,
                 time_rec);
}

OM_uint32 gss_delete_sec_context(OM_uint32* minor, gss_ctx_id_t* context, gss_buffer_t output) {
  STRATA_FORWARD(GssApi, gss_delete_sec_context, GssUnavailable(minor), minor, context, output);
}

OM_uint32 gss_wrap(OM_uint32* minor, gss_ctx_id_t context, int conf_req, gss_qop_t qop,
                   gss_buffer_t input, int* conf_state, gss_buffer_t output) {
  STRATA_FORWARD(GssApi, gss_wrap, GssUnavailable(minor), minor, context, conf_req, qop, input,
                 conf_state, output);
}

OM_uint32 gss_unwrap(OM_uint32* minor, gss_ctx_id_t context, gss_buffer_t input,
                     gss_buffer_t output, int* conf_state, gss_qop_t* qop) {
  STRATA_FORWARD(GssApi, gss_unwrap, GssUnavailable(minor), minor, context, input, output,
                 conf_state, qop);
}

OM_uint32 gss_wrap_size_limit(OM_uint32* minor, gss_ctx_id_t context, int conf_req, gss_qop_t qop,
                              OM_uint32 output_size, OM_uint32* max_input) {
  STRATA_FORWARD(GssApi, gss_wrap_size_limit, GssUnavailable(minor), minor, context, conf_req, qop,
                 output_size, max_input);
}

OM_uint32 gss_import_name(OM_uint32* minor, gss_buffer_t input, gss_OID type, gss_name_t* output) {
  STRATA_FORWARD(GssApi, gss_import_name, GssUnavailable(minor), minor, input, type, output);
}

OM_uint32 gss_release_name(OM_uint32* minor, gss_name_t* name) {
  STRATA_FORWARD(GssApi, gss_release_name, GssUnavailable(minor), minor, name);
}

// Without the library the only status libpq can have is one of the forwarders' "unavailable":
// it is described as the missing library, in a static buffer gss_release_buffer leaves alone.
OM_uint32 gss_display_status(OM_uint32* minor, OM_uint32 status, int type, gss_OID mech,
                             OM_uint32* message_context, gss_buffer_t text) {
  static const auto real = Resolve<decltype(&::gss_display_status)>(GssApi(), "gss_display_status");
  if (real != nullptr) return real(minor, status, type, mech, message_context, text);
  const std::string& message = GssMissingMessage();
  if (message_context != nullptr) *message_context = 0;
  if (text != nullptr) {
    text->length = message.size();
    text->value = const_cast<char*>(message.c_str());
  }
  if (minor != nullptr) *minor = 0;
  return GSS_S_COMPLETE;
}

OM_uint32 gss_release_buffer(OM_uint32* minor, gss_buffer_t buffer) {
  static const auto real = Resolve<decltype(&::gss_release_buffer)>(GssApi(), "gss_release_buffer");
  if (real != nullptr) return real(minor, buffer);
  if (buffer != nullptr) {
    buffer->length = 0;
    buffer->value = nullptr;
  }
  if (minor != nullptr) *minor = 0;
  return GSS_S_COMPLETE;
}

// LDAP: without the library ldap_init returns null and libpq reports that it could not create
// the LDAP structure; the other functions are only reached with a handle from ldap_init.
LDAP* ldap_init(const char* host, int port) {
  STRATA_FORWARD(Ldap, ldap_init, nullptr, host, port);
}

int ldap_set_option(LDAP* ld, int option, const void* value) {
  STRATA_FORWARD(Ldap, ldap_set_option, LDAP_OPT_ERROR, ld, option, value);
}

int ldap_simple_bind(LDAP* ld, const char* who, const char* password) {
  STRATA_FORWARD(Ldap, ldap_simple_bind, -1, ld, who, password);
}

int ldap_result(LDAP* ld, int msgid, int all, struct timeval* timeout, LDAPMessage** result) {
  STRATA_FORWARD(Ldap, ldap_result, -1, ld, msgid, all, timeout, result);
}

int ldap_search_st(LDAP* ld, const char* base, int scope, const char* filter, char** attrs,
                   int attrsonly, struct timeval* timeout, LDAPMessage** result) {
  STRATA_FORWARD(Ldap, ldap_search_st, LDAP_UNAVAILABLE, ld, base, scope, filter, attrs, attrsonly,
                 timeout, result);
}

int ldap_count_entries(LDAP* ld, LDAPMessage* chain) {
  STRATA_FORWARD(Ldap, ldap_count_entries, -1, ld, chain);
}

LDAPMessage* ldap_first_entry(LDAP* ld, LDAPMessage* chain) {
  STRATA_FORWARD(Ldap, ldap_first_entry, nullptr, ld, chain);
}

struct berval** ldap_get_values_len(LDAP* ld, LDAPMessage* entry, const char* target) {
  STRATA_FORWARD(Ldap, ldap_get_values_len, nullptr, ld, entry, target);
}

void ldap_value_free_len(struct berval** values) {
  static const auto real = Resolve<decltype(&::ldap_value_free_len)>(Ldap(), "ldap_value_free_len");
  if (real != nullptr) real(values);
}

int ldap_msgfree(LDAPMessage* message) { STRATA_FORWARD(Ldap, ldap_msgfree, -1, message); }

int ldap_unbind(LDAP* ld) { STRATA_FORWARD(Ldap, ldap_unbind, LDAP_SUCCESS, ld); }

char* ldap_err2string(int err) {
  static std::string missing = "the LDAP library could not be loaded (" + Ldap().error + ")";
  STRATA_FORWARD(Ldap, ldap_err2string, missing.data(), err);
}

#pragma GCC visibility pop
