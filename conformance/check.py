"""Fieldwork's HCP conformance check: start the demo server, run the checks, print `N passed, M failed`.

Usage (normally through conformance/run.sh):
    python check.py --spec ../shared/reference/housecall_v1.yaml [--no-fuzz]

Environment:
    FIELDWORK_BIN            server binary (default: <repo>/target/debug/fieldwork)
    FIELDWORK_DATABASE_URL   database URL instead of a fresh SQLite file in a temp dir
    FIELDWORK_SERVE_ARGS     extra arguments for `fieldwork serve` (split on spaces)
    FIELDWORK_FUZZ_EXAMPLES  schemathesis max examples per operation (default 50)
    FIELDWORK_FUZZ_TIMEOUT   hard cap in seconds for the fuzzing pass (default 420)
    FIELDWORK_FUZZ_SEED      seed for generated inputs (default 20261127)
    FIELDWORK_FUZZ_MODE      positive | negative | all (default all)
    FIELDWORK_FUZZ_WORKERS   schemathesis workers (default 1)
    FIELDWORK_KEEP_ARTIFACTS keep the temp dir (server log, relaxed spec, fuzz report) if set
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from client import Api, Result, run_check  # noqa: E402
from convention_checks import ConventionChecks  # noqa: E402
from estimate_checks import EstimateChecks  # noqa: E402
from hcp_checks import HcpChecks  # noqa: E402
from invoice_checks import InvoiceChecks  # noqa: E402
from job_checks import JobChecks  # noqa: E402
from server import FieldworkServer, ServerError  # noqa: E402
from vendor_checks import VendorChecks  # noqa: E402
import fuzz  # noqa: E402
import spec as spec_mod  # noqa: E402


def parse_args() -> argparse.Namespace:
    repo = HERE.parent
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--spec", default=str(repo.parent / "shared" / "reference" / "housecall_v1.yaml"),
                   help="path to HCP's housecall_v1.yaml (read only)")
    p.add_argument("--bin", default=os.environ.get("FIELDWORK_BIN") or str(repo / "target/debug/fieldwork"))
    p.add_argument("--database-url", default=os.environ.get("FIELDWORK_DATABASE_URL"))
    p.add_argument("--no-fuzz", action="store_true", help="skip the schemathesis pass")
    p.add_argument("--fuzz-examples", type=int, default=int(os.environ.get("FIELDWORK_FUZZ_EXAMPLES", 50)))
    p.add_argument("--fuzz-timeout", type=float, default=float(os.environ.get("FIELDWORK_FUZZ_TIMEOUT", 420)))
    p.add_argument("--fuzz-seed", type=int, default=int(os.environ.get("FIELDWORK_FUZZ_SEED", 20261127)))
    p.add_argument("--fuzz-mode", default=os.environ.get("FIELDWORK_FUZZ_MODE", "all"),
                   choices=("positive", "negative", "all"))
    p.add_argument("--fuzz-workers", type=int, default=int(os.environ.get("FIELDWORK_FUZZ_WORKERS", 1)),
                   help="more than 1 hits a CPython 3.11 ast race in hypothesis (SystemError)")
    p.add_argument("--keep-artifacts", action="store_true", default=bool(os.environ.get("FIELDWORK_KEEP_ARTIFACTS")))
    args = p.parse_args()
    if not os.path.isabs(args.bin):
        args.bin = str(repo / args.bin)
    return args


def print_failures(results: list[Result]) -> None:
    failed = [r for r in results if not r.ok]
    if not failed:
        return
    print("\n" + "=" * 30 + " FAILURES " + "=" * 30)
    for res in failed:
        print(f"FAIL  {res.name}\n      {res.detail}")


def main() -> int:
    args = parse_args()
    results: list[Result] = []
    workdir = Path(tempfile.mkdtemp(prefix="fieldwork-conformance-"))
    server: FieldworkServer | None = None
    server_ready = False
    started = time.monotonic()
    try:
        try:
            raw = spec_mod.load(args.spec)
            relaxed = spec_mod.relaxed_spec(raw)
            validator = spec_mod.ResponseValidator(relaxed)
        except (OSError, ValueError) as exc:
            results.append(Result("load the HCP spec", False, f"{args.spec}: {exc}"))
            return finish(results)

        db = args.database_url or f"sqlite://{workdir}/fw.db"
        extra = os.environ.get("FIELDWORK_SERVE_ARGS", "").split()
        server = FieldworkServer(args.bin, db, workdir / "server.log", extra)
        try:
            server.start()
        except ServerError as exc:
            results.append(Result("start `fieldwork serve --demo`", False, str(exc)))
            return finish(results)
        assert server.base_url and server.api_key
        server_ready = True
        print(f"server ready at {server.base_url} (database {db})\n", flush=True)

        api = Api(server.base_url, server.api_key, validator)
        hcp = HcpChecks(api)
        print("== HCP operations (status code + response schema) ==")
        for name, fn in hcp.checks():
            run_check(results, name, fn)
        print("\n== HCP job operations ==")
        for name, fn in JobChecks(api, hcp).checks():
            run_check(results, name, fn)
        print("\n== HCP invoices and calendar events ==")
        for name, fn in InvoiceChecks(api, hcp).checks():
            run_check(results, name, fn)
        print("\n== HCP auth and error conventions ==")
        for name, fn in ConventionChecks(api, hcp).checks():
            run_check(results, name, fn)
        print("\n== HCP estimates and leads (status, schema, money) ==")
        for name, fn in EstimateChecks(api, hcp).checks():
            run_check(results, name, fn)
        print("\n== Fieldwork vendors API ==")
        for name, fn in VendorChecks(api).checks():
            run_check(results, name, fn)

        if not args.no_fuzz:
            print("\n== Generated inputs (schemathesis) ==")
            results.extend(fuzz.run(workdir, relaxed, server.base_url, server.api_key, hcp.ids,
                                    max_examples=args.fuzz_examples, seed=args.fuzz_seed,
                                    timeout=args.fuzz_timeout, workers=args.fuzz_workers,
                                    mode=args.fuzz_mode))
        if not server.is_running():
            results.append(Result("server still running after the checks", False, server.log_tail()))
        return finish(results)
    finally:
        if server is not None:
            server.stop()
            if server_ready and any(not r.ok for r in results):
                print(f"\n{server.log_tail(40)}")
        print(f"\n(took {time.monotonic() - started:.0f}s)")
        if args.keep_artifacts:
            print(f"artifacts kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        passed = sum(r.ok for r in results)
        print(f"{passed} passed, {len(results) - passed} failed", flush=True)


def finish(results: list[Result]) -> int:
    print_failures(results)
    return 0 if results and all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
