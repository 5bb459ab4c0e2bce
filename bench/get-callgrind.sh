#!/usr/bin/env bash
# Instructions per `GET /customers/{id}` of Fieldwork and of the baseline, and their ratio
# (issue 2: the target is Fieldwork at no more than twice the baseline's cost).
#
# Fieldwork runs with its default settings (SQLite, limits on, at numbers no request reaches);
# the baseline is `fieldwork-bench baseline-server`, a minimal axum server answering the bytes
# of one real customer, fetched from Fieldwork, from memory. Both run under callgrind and count
# N requests over one keep-alive connection (see bench/callgrind-lib.sh). Fieldwork cycles
# through 50 customers, as the wall-clock benchmark does; the baseline always answers the first.
#
# Usage: bench/get-callgrind.sh [REQUESTS]    (default 3000; needs valgrind and release builds:
#        cargo build --release -p fieldwork-server -p fieldwork-bench)
# SHOW_FUNCTIONS=1 also prints Fieldwork's top functions by inclusive instructions per request;
# KEEP_DUMPS=DIR keeps both callgrind dumps.
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${1:-3000}"
bin="${FIELDWORK_BIN:-target/release/fieldwork}"
bench_bin="${BENCH_BIN:-$(dirname "$bin")/fieldwork-bench}"
. bench/callgrind-lib.sh
[ -x "$bench_bin" ] || { echo "$bench_bin not found: cargo build --release -p fieldwork-bench" >&2; exit 1; }
cg_init
cg_demo

printf "${cg_quiet}${cg_limits_on}" >"$dir/fieldwork.toml"
cg_measure fieldwork "$bin" --config "$dir/fieldwork.toml" --database "$db" serve --listen 127.0.0.1:0

# The baseline's body: the first customer as Fieldwork answers it.
"$bin" --config "$dir/fieldwork.toml" --database "$db" serve --listen 127.0.0.1:0 >"$dir/body.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do grep -q "Base URL" "$dir/body.log" && break; sleep 0.2; done
port="$(grep -o 'Base URL: http://127.0.0.1:[0-9]*' "$dir/body.log" | grep -o '[0-9]*$')"
cg_client "$port" 1 "$dir/body.json"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

cg_measure baseline "$bench_bin" baseline-server --listen 127.0.0.1:0 --body-file "$dir/body.json"

python3 - "$(cat "$dir/fieldwork.total")" "$(cat "$dir/baseline.total")" "$requests" "$(wc -c <"$dir/body.json")" <<'PY'
import sys
fw, base, n, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(f"requests measured: {n} GET /customers/{{id}} each (baseline body: {size} bytes)")
print(f"instructions per request, Fieldwork: {fw / n:,.0f}")
print(f"instructions per request, baseline:  {base / n:,.0f}")
print(f"baseline / Fieldwork: {base / fw:.3f}  (Fieldwork costs {fw / base:.2f}x the baseline)")
PY
if [ "${SHOW_FUNCTIONS:-0}" = 1 ]; then
  echo; echo "Fieldwork's top functions (inclusive instructions per request):"
  callgrind_annotate --inclusive=yes --threshold=100 "$dir/fieldwork.dump" 2>/dev/null \
    | awk -v n="$requests" '/^ *[0-9,]+ .*[^ ]/ && $2 != "" {
        c = $1; gsub(",", "", c); if (c + 0 == 0) next
        $1 = ""; printf "%9.0f %s\n", c / n, substr($0, 2) }' \
    | head -"${TOP:-60}"
fi
