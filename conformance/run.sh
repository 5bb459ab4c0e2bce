#!/usr/bin/env bash
# HCP conformance check: builds conformance/.venv, then starts `fieldwork serve --demo` and checks it.
# Usage: conformance/run.sh [--no-fuzz] [check.py options]   (see conformance/README.md)
# The last line printed is always `N passed, M failed`; the exit code is non-zero on any failure.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="$here/.venv"
spec="${FIELDWORK_HCP_SPEC:-$root/../shared/reference/housecall_v1.yaml}"

fail_setup() {
  echo "conformance setup failed: $*"
  echo "0 passed, 1 failed"
  exit 1
}

python=""
for candidate in "${PYTHON:-}" python3.11 python3; do
  if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
     && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python="$candidate"
    break
  fi
done
[ -n "$python" ] || fail_setup "Python 3.11+ not found (set PYTHON=...)"

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv" || fail_setup "could not create $venv"
fi
# Reinstall only when requirements.txt changed since the last successful install.
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" != "$want" ]; then
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$here/requirements.txt" \
    || fail_setup "pip install -r conformance/requirements.txt failed"
  echo "$want" > "$venv/.requirements.sha256"
fi

[ -f "$spec" ] || fail_setup "HCP spec not found at $spec (set FIELDWORK_HCP_SPEC)"

export PYTHONDONTWRITEBYTECODE=1
# The check and the fuzzer make thousands of requests with the demo key: far more than the
# default 150 per minute, which is not what they test (the integration tests cover the limits).
export FIELDWORK_RATE_LIMIT_PER_MINUTE="${FIELDWORK_RATE_LIMIT_PER_MINUTE:-1000000}"
exec "$venv/bin/python" "$here/check.py" --spec "$spec" "$@"
