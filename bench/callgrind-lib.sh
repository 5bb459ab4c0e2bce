# Shared by the callgrind scripts (sourced, not run): a demo database with one key, a keep-alive
# client, and a server run under callgrind that counts only the measured requests.
#
# Why callgrind: wall-clock throughput on a shared 2-core machine drifts by more than the
# differences to be shown, while callgrind counts the same instructions for the same binary and
# requests whatever else the machine does. Each measured server: warm-up requests, then the
# counters are zeroed (`callgrind_control -z`), N identical-shaped requests are sent over one
# keep-alive connection, and the counters are dumped. The client's own work is not counted.
#
# The sourcing script sets `requests` and `bin` (the fieldwork binary) and calls `cg_init`,
# which makes `$dir` (removed on exit) and `$db`.

# Checks the tools, makes the scratch directory and arranges for servers and files to go on exit.
cg_init() {
  command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
  [ -x "$bin" ] || { echo "$bin not found: cargo build --release -p fieldwork-server" >&2; exit 1; }
  dir="$(mktemp -d)"
  pids=()
  trap cg_cleanup EXIT
  db="sqlite://$dir/fw.db"
}

cg_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}

# The demo company, one key for it (`$key`), and the ids of its first 50 customers
# (`$dir/ids`, one a line) for the client to cycle through.
cg_demo() {
  "$bin" --database "$db" serve --demo --listen 127.0.0.1:0 >"$dir/demo.out" 2>&1 &
  local demo_pid=$!
  pids+=("$demo_pid")
  for _ in $(seq 100); do grep -q "Base URL" "$dir/demo.out" && break; sleep 0.2; done
  local port
  port="$(grep -o 'Base URL: http://127.0.0.1:[0-9]*' "$dir/demo.out" | grep -o '[0-9]*$')"
  key="$("$bin" --database "$db" keys create --company demo --name callgrind | tail -1)"
  python3 - "$port" "$key" "$dir/ids" <<'PY'
import http.client, json, sys
port, key, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
conn.request("GET", "/customers?page_size=50", headers={"Authorization": "Token " + key})
ids = [c["id"] for c in json.loads(conn.getresponse().read())["customers"]]
open(out, "w").write("\n".join(ids) + "\n")
PY
  kill "$demo_pid"; wait "$demo_pid" 2>/dev/null || true
}

# `cg_client PORT COUNT [OUT_FILE]`: sends COUNT `GET /customers/{id}` over one keep-alive
# connection, cycling through `$dir/ids`; fails on any non-200. With OUT_FILE, writes the
# first response's body there.
cg_client() {
  python3 - "$1" "$key" "$2" "$dir/ids" "${3:-}" <<'PY'
import http.client, sys
port, key, count, ids_file, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
ids = open(ids_file).read().split()
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
auth = {"Authorization": "Token " + key}
for i in range(count):
    conn.request("GET", "/customers/" + ids[i % len(ids)], headers=auth)
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit(f"request {i}: HTTP {r.status}")
    if i == 0 and out:
        open(out, "wb").write(body)
PY
}

# `cg_measure NAME COMMAND...`: runs COMMAND (a server that prints `Base URL: http://ADDR`)
# under callgrind, and writes its instructions per measured request to `$dir/NAME.total` (the
# total) and its dump to `$dir/NAME.dump` (also to `$KEEP_DUMPS/NAME.callgrind` if set). The
# requests are sent by `$cg_client_fn PORT COUNT` (default `cg_client`), after
# `$cg_warmup` (default 300) unmeasured ones.
cg_measure() {
  local name="$1" out="$dir/$1.cg" log="$dir/$1.log"
  local client="${cg_client_fn:-cg_client}" warmup="${cg_warmup:-300}"
  shift
  TOKIO_WORKER_THREADS="${TOKIO_WORKER_THREADS:-1}" valgrind --tool=callgrind --callgrind-out-file="$out" \
    "$@" >"$log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local port=""
  for _ in $(seq 600); do
    port="$(grep -o 'Base URL: http://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
    [ -n "$port" ] && break
    sleep 0.2
  done
  [ -n "$port" ] || { echo "$name did not start:" >&2; cat "$log" >&2; exit 1; }
  "$client" "$port" "$warmup"        # warm-up: caches, connections, allocator
  callgrind_control -z "$pid" >/dev/null 2>&1
  "$client" "$port" "$requests"
  callgrind_control -d "$pid" >/dev/null 2>&1
  kill "$pid"; wait "$pid" 2>/dev/null || true
  # The dump after zeroing holds the measured requests only.
  local dump
  dump="$(ls -t "$out".* 2>/dev/null | head -1)"
  grep -h '^summary:' "$dump" | awk '{print $2}' >"$dir/$name.total"
  cp "$dump" "$dir/$name.dump"
  if [ -n "${KEEP_DUMPS:-}" ]; then mkdir -p "$KEEP_DUMPS" && cp "$dump" "$KEEP_DUMPS/$name.callgrind"; fi
}

# Background work runs per second, not per request, and valgrind stretches the seconds ~50-fold:
# the idle webhook worker's claim every 500 ms would count as ~3 % of a request. It is not part
# of what is measured, so measured servers poll once an hour.
cg_quiet='webhook_poll_interval_ms = 3600000\n'
# Limits on at numbers no measured request reaches (the defaults would answer 429).
cg_limits_on='rate_limit_enabled = true\nrate_limit_per_minute = 1000000000\nmax_concurrent_requests_per_company = 100000\n'
