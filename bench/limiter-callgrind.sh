#!/usr/bin/env bash
# What the request limiter costs the server, counted in instructions (issue 6).
#
# The same server binary runs twice under callgrind on one demo database: with the limits off,
# and on at limits no request reaches; each counts the instructions of N `GET /customers/{id}`
# (see bench/callgrind-lib.sh for how).
#
# Usage: bench/limiter-callgrind.sh [REQUESTS]    (default 3000; needs valgrind and a release build:
#        cargo build --release -p fieldwork-server)
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${1:-3000}"
bin="${FIELDWORK_BIN:-target/release/fieldwork}"
. bench/callgrind-lib.sh
cg_init
cg_demo

printf "${cg_quiet}rate_limit_enabled = false\n" >"$dir/off.toml"
printf "${cg_quiet}${cg_limits_on}" >"$dir/on.toml"

for name in off on; do
  cg_measure "$name" "$bin" --config "$dir/$name.toml" --database "$db" serve --listen 127.0.0.1:0
done
off=$(cat "$dir/off.total")
on=$(cat "$dir/on.total")
python3 - "$off" "$on" "$requests" <<'PY'
import sys
off, on, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
print(f"requests measured: {n} GET /customers/{{id}}")
print(f"instructions per request, limits off: {off / n:,.0f}")
print(f"instructions per request, limits on:  {on / n:,.0f}")
print(f"on / off: {on / off:.4f}  (the limiter's cost: {100 * (on - off) / off:+.2f} %)")
PY
if [ "${SHOW_FUNCTIONS:-0}" = 1 ]; then
  echo; echo "Limiter functions in the limits-on run (inclusive instructions):"
  callgrind_annotate --inclusive=yes "$dir/on.dump" 2>/dev/null | grep -E 'limits::|RateState|rate_limit' | head -20 || true
fi
