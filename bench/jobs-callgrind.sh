#!/usr/bin/env bash
# Instructions per `GET /jobs` of one week (issue 4) on a data set of the jobs benchmark, counted
# by callgrind: on a machine whose speed drifts by a third within minutes, the way to tell a
# 10 % change (BENCHMARKS.md, "A week of jobs in instructions").
#
# Usage: bench/jobs-callgrind.sh DATA_SET_DIR [REQUESTS] [PATH]
#   DATA_SET_DIR  a SQLite data set prepared by `fieldwork-bench jobs --prepared DIR`; its
#                 fieldwork.db is copied (the server migrates the copy) and manifest.json
#                 gives the key
#   REQUESTS      measured requests (default 30), after 3 unmeasured ones
#   PATH          default: the week of 2026-10-01, 50 jobs a page; `bulk` instead sends the
#                 benchmark's PUT /jobs/{id}/line_items/bulk_update of 50 lines, one job of the
#                 data set after another
# Needs valgrind and a release build (cargo build --release -p fieldwork-server); KEEP_DUMPS=DIR
# keeps the callgrind dump; SHOW_FUNCTIONS=1 prints the top functions per request.
set -euo pipefail
cd "$(dirname "$0")/.."
data="$1"
requests="${2:-30}"
path="${3:-/jobs?scheduled_start_min=2026-10-01T00:00:00Z&scheduled_start_max=2026-10-07T23:59:59Z&page_size=50}"
bin="${FIELDWORK_BIN:-target/release/fieldwork}"
. bench/callgrind-lib.sh
cg_init
cp "$data/fieldwork.db" "$dir/fw.db"
key="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["key"])' "$data/manifest.json")"

# `jobs_client PORT COUNT`: COUNT requests of `$path` over one keep-alive connection.
jobs_client() {
  python3 - "$1" "$key" "$2" "$path" "$data/manifest.json" <<'PY'
import http.client, json, sys
port, key, count, path = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
jobs = json.load(open(sys.argv[5]))["sample_job_ids"]
lines = [{"name": f"Part {i}", "kind": "materials", "unit_price": 100 + i, "quantity": 2,
          "taxable": True} for i in range(50)]
bulk = json.dumps({"line_items": lines})
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
for i in range(count):
    headers = {"Authorization": "Token " + key}
    if path == "bulk":
        headers["Content-Type"] = "application/json"
        conn.request("PUT", f"/jobs/{jobs[i % len(jobs)]}/line_items/bulk_update", bulk, headers)
    else:
        conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    r.read()
    if r.status != 200:
        sys.exit(f"request {i}: HTTP {r.status}")
PY
}
cg_client_fn=jobs_client
cg_warmup=3

printf "${cg_quiet}${cg_limits_on}" >"$dir/fieldwork.toml"
cg_measure fieldwork "$bin" --config "$dir/fieldwork.toml" --database "$db" serve --listen 127.0.0.1:0
# The requests only read; what the writer thread did meanwhile is background work (on a freshly
# seeded data set, merging the search indexes), reported apart.
writer="$(callgrind_annotate --inclusive=yes "$dir/fieldwork.dump" 2>/dev/null \
  | awk '!found && /db::writer_loop \[/ { gsub(",", "", $1); print $1; found = 1 }')"
python3 - "$(cat "$dir/fieldwork.total")" "${writer:-0}" "$requests" "$path" <<'PY'
import sys
total, writer, n, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
print(f"requests measured: {n} x {path}")
print(f"instructions per request: {(total - writer) / n:,.0f} (the writer's background work: {writer / n:,.0f} more)")
PY
if [ "${SHOW_FUNCTIONS:-0}" = 1 ]; then
  callgrind_annotate --inclusive=yes --threshold=100 "$dir/fieldwork.dump" 2>/dev/null \
    | awk -v n="$requests" '/^ *[0-9,]+ .*[^ ]/ && $2 != "" {
        c = $1; gsub(",", "", c); if (c + 0 == 0) next
        $1 = ""; printf "%9.0f %s\n", c / n, substr($0, 2) }' \
    | head -"${TOP:-60}"
fi
