#!/usr/bin/env bash
# First start of the primary (docker-entrypoint-initdb.d): let the replica connect for streaming.
set -euo pipefail
echo "host replication tanpuhui samenet scram-sha-256" >>"$PGDATA/pg_hba.conf"
