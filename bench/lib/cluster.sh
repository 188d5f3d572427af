# bench/lib/cluster.sh — the private PostgreSQL 15 cluster every bench script runs against.
# Sourced (POSIX sh: the sh and the bash scripts alike):
#
#   . "$BENCH/lib/cluster.sh"
#   cluster_start NAME [SETTING ...]   e.g. cluster_start strata-bench-test "fsync = off"
#
# cluster_start makes a temporary directory ${TMPDIR:-/tmp}/NAME.XXXXXX ($CLUSTER_DIR, mode 755:
# the script keeps its own files there too), runs initdb into $CLUSTER_DIR/data ($PGDATA; trust
# auth, UTF8, locale C.UTF-8; as the postgres user when run as root), appends the SETTINGs
# (postgresql.conf lines) to the defaults (fsync and synchronous_commit on), and starts the server
# on 127.0.0.1:$PORT, a free port, with its log in $PGDATA/server.log. On exit, whatever happens
# (a trap on EXIT; INT and TERM exit 130 and 143), bench_on_exit runs (a no-op unless the
# script defines its own, e.g. to stop a workload), then cluster_stop: the server stops
# (immediate) and $CLUSTER_DIR is removed, unless CLUSTER_KEEP is set (the cluster then keeps
# running). It never touches a port or a directory it did not create.
#
# Also set: PGBIN (STRATA_PG_BINDIR, default /usr/lib/postgresql/15/bin), CLUSTER_URL
# (postgres://postgres@127.0.0.1:$PORT), and as_pg CMD... (runs CMD as the postgres user when
# root, else as is).

PGBIN=${STRATA_PG_BINDIR:-/usr/lib/postgresql/15/bin}
CLUSTER_DIR=""
if [ "$(id -u)" = 0 ]; then
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

bench_on_exit() { :; }

cluster_stop() {
  [ -n "$CLUSTER_DIR" ] || return 0
  [ -z "${CLUSTER_KEEP:-}" ] || return 0
  if [ -s "$PGDATA/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$CLUSTER_DIR"
  CLUSTER_DIR=""
}

cluster_exit_() {
  cluster_rc_=$?
  trap - EXIT
  bench_on_exit || true
  cluster_stop
  exit "$cluster_rc_"
}

cluster_fail_() {  # MESSAGE LOG
  cat "$2" >&2 2>/dev/null || true
  printf '%s: %s\n' "${0##*/}" "$1" >&2
  exit 1
}

cluster_start() {
  cluster_name_=$1
  shift
  if [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
    cluster_fail_ "PostgreSQL 15 is missing in $PGBIN (apt-get install postgresql-15)" /dev/null
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    cluster_fail_ "running as root needs the postgres user (postgresql-15 creates it)" /dev/null
  fi
  CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/$cluster_name_.XXXXXX") || exit 1
  PGDATA=$CLUSTER_DIR/data
  trap cluster_exit_ EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  chmod 755 "$CLUSTER_DIR"  # the postgres user reaches its data directory through it
  mkdir -m 700 "$PGDATA"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDATA"; fi
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$CLUSTER_DIR/initdb.log" 2>&1 || cluster_fail_ "initdb failed" "$CLUSTER_DIR/initdb.log"
  {
    echo "# bench/lib/cluster.sh"
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $PORT"
    echo "unix_socket_directories = '$PGDATA'"
    for cluster_setting_ in "$@"; do echo "$cluster_setting_"; done
  } | as_pg tee -a "$PGDATA/postgresql.conf" >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start >/dev/null ||
    cluster_fail_ "pg_ctl start failed" "$PGDATA/server.log"
  CLUSTER_URL="postgres://postgres@127.0.0.1:$PORT"
}
