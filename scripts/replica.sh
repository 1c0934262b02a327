#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL and a PgBouncer (transaction pooling) in front of the
# primary, for the tests and for a production-like local setup (docs/deployment.md).
#
#   scripts/replica.sh start     replica on $REPLICA_PORT (5433), PgBouncer on $PGBOUNCER_PORT (6432)
#   scripts/replica.sh stop      stops both, drops the replica's slot on the primary, removes its files
#   scripts/replica.sh status
#
# Idempotent: `start` with both running does nothing; a replica whose slot or files went missing is
# rebuilt from a fresh base backup (pg_basebackup -R). What it may change on the primary, and nothing
# else: one physical replication slot (named below, dropped by `stop` so the primary never keeps WAL
# for a replica that is gone) and, when the primary refuses replication connections from 127.0.0.1,
# one `host replication` line in its pg_hba.conf followed by a reload (the loopback already has trust
# for every database), and max_slot_wal_keep_size = 4GB when it is unlimited (ALTER SYSTEM + reload:
# only slots are affected). A primary with wal_level=minimal would need a restart: the script says so and stops.
set -euo pipefail

PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
PGBOUNCER_PORT=${PGBOUNCER_PORT:-6432}
RUN_AS=${PG_RUN_AS:-postgres}
BASE=${REPLICA_BASE:-/tmp/tanpuhui-replica-$REPLICA_PORT}
DATA=$BASE/data
BOUNCER=$BASE/pgbouncer
SLOT=tanpuhui_replica_$REPLICA_PORT
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}

die() { echo "replica.sh: $*" >&2; exit 1; }
as_pg() { if [ "$(id -un)" = "$RUN_AS" ]; then "$@"; else runuser -u "$RUN_AS" -- "$@"; fi; }
primary() { psql -X -q -At -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -c "$1"; }
port_taken() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$1" -U postgres; }
# Ours, not merely something on the port (Debian's own pgbouncer service listens on 6432 by default).
replica_up() { [ -f "$DATA/postmaster.pid" ] && port_taken "$REPLICA_PORT"; }
bouncer_up() {
  [ -f "$BOUNCER/pgbouncer.pid" ] && kill -0 "$(cat "$BOUNCER/pgbouncer.pid")" 2>/dev/null && port_taken "$PGBOUNCER_PORT"
}

[ -x "$PGBIN/pg_ctl" ] || die "PostgreSQL server binaries not found (set PGBIN)"
"$PGBIN/pg_isready" -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" || die "the primary on $PRIMARY_HOST:$PRIMARY_PORT is not up"

mkdir -p "$BASE"
chown "$RUN_AS" "$BASE"
# Two test processes may start the replica at once: one of them does the work, the other waits.
exec 9>"$BASE/.lock"
flock 9

ensure_primary_allows_replication() {
  [ "$(primary 'SHOW wal_level')" != minimal ] ||
    die "the primary has wal_level=minimal: set it to replica (ALTER SYSTEM SET wal_level = replica) and restart it"
  if ! psql -X -q -At "host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres replication=true" \
    -c IDENTIFY_SYSTEM >/dev/null 2>&1; then
    local hba
    hba=$(primary 'SHOW hba_file')
    # Only where the loopback is already trusted for every database: then trusting it for
    # replication too opens nothing new. Anywhere else a person decides (and sets a password).
    grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba" ||
      die "the primary refuses replication from 127.0.0.1 and its loopback is not trusted: add a 'host replication' line to $hba"
    echo "replica.sh: allowing replication connections from 127.0.0.1 in $hba (and reloading)"
    # First in the file: the first matching line decides (Debian's default has a scram line for it).
    sed -i '1i # added by tanpuhui scripts/replica.sh: a streaming replica on this machine\nhost replication all 127.0.0.1/32 trust' "$hba"
    primary 'SELECT pg_reload_conf()' >/dev/null
    sleep 0.5
  fi
  # The slot keeps WAL on the primary while the replica is down (a machine restarted under it, a
  # test run ended): cap what any slot may keep, so a forgotten replica can never fill the disk. It
  # only touches slots (there are none other here); past the cap the slot is lost and `start` rebuilds.
  if [ "$(primary 'SHOW max_slot_wal_keep_size')" = -1 ]; then
    echo "replica.sh: capping the WAL a replication slot may keep (max_slot_wal_keep_size = 4GB, reload)"
    primary "ALTER SYSTEM SET max_slot_wal_keep_size = '4GB'" >/dev/null
    primary 'SELECT pg_reload_conf()' >/dev/null
  fi
}

start_replica() {
  ensure_primary_allows_replication
  if replica_up; then return; fi
  ! port_taken "$REPLICA_PORT" || die "another server listens on $REPLICA_PORT (set REPLICA_PORT)"
  local slot_exists
  slot_exists=$(primary "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$SLOT' AND wal_status <> 'lost'")
  if [ ! -f "$DATA/standby.signal" ] || [ "$slot_exists" = 0 ]; then
    # No usable copy: a fresh base backup, streaming its WAL, with a slot so the primary keeps the WAL
    # this replica has not replayed yet; -R writes primary_conninfo and standby.signal.
    rm -rf "$DATA"
    primary "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$SLOT'" >/dev/null
    as_pg "$PGBIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -D "$DATA" \
      -X stream -R -C -S "$SLOT" --checkpoint=fast --no-sync
    # Debian keeps the primary's configuration in /etc: the copy gets a small one of its own.
    local max_connections
    max_connections=$(primary 'SHOW max_connections')
    as_pg tee "$DATA/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $REPLICA_PORT
unix_socket_directories = '$BASE'
max_connections = $max_connections
shared_buffers = 32MB
hot_standby = on
hot_standby_feedback = on
max_standby_streaming_delay = 30s
wal_receiver_status_interval = 1s
fsync = off
logging_collector = off
CONF
    as_pg tee "$DATA/pg_hba.conf" >/dev/null <<HBA
local all all trust
host all all 127.0.0.1/32 trust
HBA
    : >"$DATA/pg_ident.conf"
    chown "$RUN_AS" "$DATA/pg_ident.conf"
  fi
  as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$BASE/replica.log" -w -t 60 start >/dev/null 9>&- ||
    { tail -n 20 "$BASE/replica.log" >&2; die "the replica did not start (log: $BASE/replica.log)"; }
}

start_bouncer() {
  if bouncer_up; then return; fi
  ! port_taken "$PGBOUNCER_PORT" ||
    die "another server listens on $PGBOUNCER_PORT (Debian's pgbouncer service? stop it or set PGBOUNCER_PORT)"
  command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] ||
    die "pgbouncer is not installed (scripts/ensure-services.sh installs Debian's package)"
  mkdir -p "$BOUNCER"
  # Transaction pooling: a server connection belongs to a client for one transaction only, so the
  # application may keep nothing on it between transactions (docs/deployment.md, "PgBouncer").
  cat >"$BOUNCER/pgbouncer.ini" <<INI
[databases]
* = host=$PRIMARY_HOST port=$PRIMARY_PORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir = $BOUNCER
auth_type = trust
auth_file = $BOUNCER/userlist.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
ignore_startup_parameters = extra_float_digits,options
logfile = $BOUNCER/pgbouncer.log
pidfile = $BOUNCER/pgbouncer.pid
INI
  echo '"postgres" ""' >"$BOUNCER/userlist.txt"
  rm -f "$BOUNCER/pgbouncer.pid"  # left by one that was killed (it is not running: bouncer_up said so)
  chown -R "$RUN_AS" "$BOUNCER"
  as_pg "$(command -v pgbouncer || echo /usr/sbin/pgbouncer)" -q -d "$BOUNCER/pgbouncer.ini" 9>&- ||
    { tail -n 5 "$BOUNCER/pgbouncer.log" >&2; die "PgBouncer did not start"; }
  for _ in $(seq 1 50); do bouncer_up && return; sleep 0.1; done
  die "PgBouncer did not start (log: $BOUNCER/pgbouncer.log)"
}

stop_all() {
  if [ -f "$BOUNCER/pgbouncer.pid" ] && kill -0 "$(cat "$BOUNCER/pgbouncer.pid")" 2>/dev/null; then
    kill "$(cat "$BOUNCER/pgbouncer.pid")"
  fi
  if [ -f "$DATA/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null || true
  fi
  for _ in $(seq 1 50); do
    [ "$(primary "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$SLOT' AND active")" = 0 ] && break
    sleep 0.1
  done
  primary "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$SLOT'" >/dev/null
  rm -rf "$DATA" "$BOUNCER"
}

case "${1:-}" in
  start)
    start_replica
    start_bouncer
    echo "replica on 127.0.0.1:$REPLICA_PORT (streaming from $PRIMARY_HOST:$PRIMARY_PORT), PgBouncer on 127.0.0.1:$PGBOUNCER_PORT"
    ;;
  stop) stop_all ;;
  status)
    replica_up && echo "replica up on $REPLICA_PORT" || echo "replica down"
    bouncer_up && echo "PgBouncer up on $PGBOUNCER_PORT" || echo "PgBouncer down"
    primary "SELECT slot_name, active, restart_lsn FROM pg_replication_slots WHERE slot_name = '$SLOT'"
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
