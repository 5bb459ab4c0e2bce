#!/usr/bin/env bash
# A private PostgreSQL cluster with settings sized for the machine, for benchmarks only (issue 4):
# the shared server on 5432 runs Debian's defaults (128 MB shared_buffers, 1 GB max_wal_size),
# which no production database of a million jobs would. Durability is unchanged (fsync,
# synchronous_commit and full_page_writes stay on); only memory, checkpoint spacing and
# compression differ. docs/SCALING.md lists the same settings for deployments.
#
# Usage: bench/pg-tuned.sh start DIR [PORT]   initdb DIR if empty, start on 127.0.0.1:PORT
#                                              (default 55432); prints the admin URL
#        bench/pg-tuned.sh stop DIR            stop it (DIR is kept: a prepared data set's
#                                              template database lives there)
#        bench/pg-tuned.sh remove DIR          stop it and delete DIR
# Runs the cluster as the `postgres` user (initdb refuses root). Then, for example:
#   target/release/fieldwork-bench jobs --jobs 1000000 --prepared /var/tmp/jp-tuned \
#     --database postgres://postgres@127.0.0.1:55432/postgres
set -euo pipefail
cmd="${1:?usage: pg-tuned.sh start|stop|remove DIR [PORT]}"
dir="${2:?usage: pg-tuned.sh start|stop|remove DIR [PORT]}"
port="${3:-55432}"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
as_pg() { runuser -u postgres -- "$@"; }

case "$cmd" in
start)
  mkdir -p "$dir"
  chown postgres: "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$dir" -U postgres --auth=trust --no-instructions >/dev/null
    # A quarter of memory for shared buffers, the rest counted as the OS cache; checkpoints
    # spaced by time rather than forced every GB of WAL (each one makes the next write of every
    # page carry a full image); LZ4 for TOASTed JSON and for those page images.
    cat >>"$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 6GB
effective_cache_size = 16GB
maintenance_work_mem = 1GB
work_mem = 16MB
wal_buffers = 64MB
max_wal_size = 16GB
min_wal_size = 2GB
checkpoint_timeout = 15min
checkpoint_completion_target = 0.9
wal_compression = lz4
default_toast_compression = lz4
random_page_cost = 1.1
effective_io_concurrency = 200
CONF
  fi
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w start >/dev/null
  echo "postgres://postgres@127.0.0.1:$port/postgres"
  ;;
stop)
  as_pg "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
  ;;
remove)
  as_pg "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*)
  echo "unknown command $cmd" >&2
  exit 2
  ;;
esac
