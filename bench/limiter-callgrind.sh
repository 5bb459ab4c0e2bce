#!/usr/bin/env bash
# What the request limiter costs the server, counted in instructions (issue 6).
#
# Wall-clock throughput on a shared 2-core machine drifts by more than the 3 % to be shown, so
# this counts the instructions the server executes per `GET /customers/{id}` under
# `valgrind --tool=callgrind`, which gives the same count for the same binary and requests
# whatever else the machine does. The same server binary runs twice on one demo database:
# with the limits off, and on at limits no request reaches. Each run: warm-up requests, then the
# counters are zeroed (`callgrind_control -z`), N identical requests are sent over one keep-alive
# connection, and the counters are dumped. The client's own work is not counted.
#
# Usage: bench/limiter-callgrind.sh [REQUESTS]    (default 3000; needs valgrind and a release build:
#        cargo build --release -p fieldwork-server)
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${1:-3000}"
bin="${FIELDWORK_BIN:-target/release/fieldwork}"
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
[ -x "$bin" ] || { echo "$bin not found: cargo build --release -p fieldwork-server" >&2; exit 1; }

dir="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
db="sqlite://$dir/fw.db"

# The demo company, and one key for it.
"$bin" --database "$db" serve --demo --listen 127.0.0.1:0 >"$dir/demo.out" 2>&1 &
demo_pid=$!
pids+=("$demo_pid")
for _ in $(seq 100); do grep -q "Base URL" "$dir/demo.out" && break; sleep 0.2; done
kill "$demo_pid"; wait "$demo_pid" 2>/dev/null || true
key="$("$bin" --database "$db" keys create --company demo --name callgrind | tail -1)"

# Background work runs per second, not per request, and valgrind stretches the seconds ~50-fold:
# the idle webhook worker's claim every 500 ms would count as ~3 % of a request. It is not part
# of what is measured, so both servers poll once an hour.
quiet='webhook_poll_interval_ms = 3600000\n'
printf "${quiet}rate_limit_enabled = false\n" >"$dir/off.toml"
printf "${quiet}rate_limit_enabled = true\nrate_limit_per_minute = 1000000000\nmax_concurrent_requests_per_company = 100000\n" >"$dir/on.toml"

# Sends the requests over one keep-alive connection; prints nothing, fails on any non-200.
client() {
  python3 - "$1" "$key" "$2" <<'PY'
import http.client, json, sys
port, key, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
auth = {"Authorization": "Token " + key}
conn.request("GET", "/customers?page_size=50", headers=auth)
ids = [c["id"] for c in json.loads(conn.getresponse().read())["customers"]]
for i in range(count):
    conn.request("GET", "/customers/" + ids[i % len(ids)], headers=auth)
    r = conn.getresponse()
    r.read()
    if r.status != 200:
        sys.exit(f"request {i}: HTTP {r.status}")
PY
}

# Runs one server under callgrind and prints its instructions per measured request.
measure() {
  local name="$1" out="$dir/$1.cg" log="$dir/$1.log"
  TOKIO_WORKER_THREADS="${TOKIO_WORKER_THREADS:-1}" valgrind --tool=callgrind --callgrind-out-file="$out" \
    "$bin" --config "$dir/$name.toml" --database "$db" serve --listen 127.0.0.1:0 \
    >"$log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local port=""
  for _ in $(seq 600); do
    port="$(grep -o 'Base URL: http://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
    [ -n "$port" ] && break
    sleep 0.2
  done
  [ -n "$port" ] || { echo "$name did not start:" >&2; cat "$log" >&2; exit 1; }
  client "$port" 300                 # warm-up: caches, connections, allocator
  callgrind_control -z "$pid" >/dev/null 2>&1
  client "$port" "$requests"
  callgrind_control -d "$pid" >/dev/null 2>&1
  kill "$pid"; wait "$pid" 2>/dev/null || true
  # The dump after zeroing holds the measured requests only (plus the client's list request).
  local dump total
  dump="$(ls -t "$out".* 2>/dev/null | head -1)"
  total="$(grep -h '^summary:' "$dump" | awk '{print $2}')"
  echo "$total" >"$dir/$name.total"
  cp "$dump" "$dir/$name.dump"
  if [ -n "${KEEP_DUMPS:-}" ]; then mkdir -p "$KEEP_DUMPS" && cp "$dump" "$KEEP_DUMPS/$name.callgrind"; fi
}

measure off
measure on
off=$(cat "$dir/off.total")
on=$(cat "$dir/on.total")
python3 - "$off" "$on" "$requests" <<'PY'
import sys
off, on, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
print(f"requests measured: {n} GET /customers/{{id}} (+1 list request each)")
print(f"instructions per request, limits off: {off / n:,.0f}")
print(f"instructions per request, limits on:  {on / n:,.0f}")
print(f"on / off: {on / off:.4f}  (the limiter's cost: {100 * (on - off) / off:+.2f} %)")
PY
if [ "${SHOW_FUNCTIONS:-0}" = 1 ]; then
  echo; echo "Limiter functions in the limits-on run (inclusive instructions):"
  callgrind_annotate --inclusive=yes "$dir/on.dump" 2>/dev/null | grep -E 'limits::|RateState|rate_limit' | head -20 || true
fi
