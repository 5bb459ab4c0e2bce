"""Generated-input pass: schemathesis over the implemented HCP operations of the relaxed spec."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from client import Result
from spec import OPERATIONS

CHECKS = "not_a_server_error,response_schema_conformance"


def _toml_str(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid TOML basic string


def write_inputs(workdir: Path, spec: dict[str, Any], ids: dict[str, str]) -> tuple[Path, Path]:
    """Write the relaxed spec and a schemathesis config that pins path ids to real objects."""
    spec_path = workdir / "hcp-relaxed.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    # The coverage phase also sends methods an operation does not declare and expects no 5xx.
    # Only the ordinary ones: for unknown methods (TRACE, QUERY, ...) 501 is a correct answer.
    lines = ["[phases.coverage]",
             'unexpected-methods = ["GET", "PUT", "POST", "DELETE", "PATCH"]',
             "",
             "[parameters]"]
    for name in ("customer_id", "address_id", "tag_id", "lead_source_id", "job_type_id", "job_id",
                 "id", "appointment_id", "note_id", "uuid", "event_id"):
        if name in ids:
            lines.append(f"{_toml_str('path.' + name)} = {_toml_str(ids[name])}")
    # Estimate and lead paths reuse the names `id` and `note_id` of the job paths: their own
    # objects are pinned per operation (operation-level values win over the global ones).
    scoped = (("^/estimates/", {"estimate_id": "estimate_id", "option_id": "option_id",
                                "note_id": "estimate_note_id"}),
              ("^/leads/", {"id": "lead_id", "lead_id": "lead_id"}))
    for regex, names in scoped:
        pins = [(param, ids[key]) for param, key in names.items() if key in ids]
        if pins:
            lines += ["", "[[operations]]", f"include-path-regex = {_toml_str(regex)}",
                      "[operations.parameters]"]
            lines += [f"{_toml_str('path.' + param)} = {_toml_str(value)}" for param, value in pins]
    config_path = workdir / "schemathesis.toml"
    config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return spec_path, config_path


def _condense(text: str, limit: int = 10) -> str:
    """Keep, per failing test case: each check's title and message, the status, the start of the
    response body and the curl line that reproduces it (schema and value dumps are dropped)."""
    cases = re.split(r"\n(?=\d+\. Test Case ID:)", text.strip())
    out = []
    for case in cases[:limit]:
        kept: list[str] = []
        after_status = False
        for line in case.splitlines():
            stripped = line.strip()
            indent = len(line) - len(line.lstrip(" "))
            if not stripped or "Test Case ID" in stripped or stripped.startswith("st replay"):
                continue
            if indent == 0:
                after_status = bool(re.match(r"^\[\d{3}\]", stripped))
                if stripped.startswith("- ") or after_status:
                    kept.append(stripped)
                continue
            if indent != 4:
                continue  # pretty-printed schemas and values
            if stripped.startswith("curl "):
                kept.append(stripped if len(stripped) <= 2000 else stripped[:2000] + " ...")
            elif after_status:
                kept.append("body: " + (stripped[:240] + " ..." if len(stripped) > 240 else stripped))
                after_status = False
            elif stripped.startswith(("Validated against", "Value:")):
                continue
            else:
                kept.append(stripped[:300])
        out.append("\n        ".join(kept))
    more = len(cases) - limit
    return "\n      ".join(out) + (f"\n      ... and {more} more failing case(s)" if more > 0 else "")


def _error_summary(text: str) -> str:
    """An error is schemathesis failing to test the operation (not a verdict on the server)."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    head = [l[:300] for l in lines[:2]]
    raised = [l[:300] for l in lines if re.match(r"^\w+(Error|Exception)\b", l)]
    return "schemathesis could not test this operation: " + " | ".join(head + raised[-1:])


def parse_junit(path: Path) -> dict[str, str | None]:
    """Map "METHOD /path" to None (passed) or a condensed failure text."""
    outcome: dict[str, str | None] = {}
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        name = case.get("name", "")
        problems = [el for el in case if el.tag in ("failure", "error")]
        skipped = [el for el in case if el.tag == "skipped"]
        if not problems:
            # Skipped means no phase tested the operation at all: that is no pass.
            outcome[name] = None if not skipped else (
                "schemathesis did not test this operation: "
                + (skipped[0].get("message") or skipped[0].text or "no reason given").strip()[:500])
            continue
        texts = []
        for el in problems:
            body = (el.text or el.get("message") or "").strip()
            texts.append(_condense(body) if el.tag == "failure" else _error_summary(body))
        outcome[name] = "\n      ".join(texts)
    return outcome


def run(workdir: Path, spec: dict[str, Any], base_url: str, key: str, ids: dict[str, str],
        *, max_examples: int, seed: int, timeout: float, workers: int, mode: str) -> list[Result]:
    spec_path, config_path = write_inputs(workdir, spec, ids)
    junit = workdir / "fuzz-junit.xml"
    log = workdir / "fuzz-output.txt"
    exe = Path(sys.executable).with_name("schemathesis")
    cmd = [
        str(exe), "--config-file", str(config_path), "run", str(spec_path),
        "--url", base_url,
        "-H", f"Authorization: Token {key}",
        "--checks", CHECKS,
        "--phases", "examples,coverage,fuzzing",
        "--mode", mode,
        "--max-examples", str(max_examples),
        "--seed", str(seed),
        "--workers", str(workers),
        "--generation-database", "none",
        "--request-timeout", "15",
        "--suppress-health-check", "all",
        "--report", "junit",
        "--report-junit-path", str(junit),
        "--output-sanitize", "false",
        "--no-color",
    ]
    print(f"fuzzing: schemathesis, {len(OPERATIONS)} operations, mode={mode}, "
          f"max {max_examples} examples/operation, seed {seed}, cap {timeout:.0f}s "
          f"(full output: {log})", flush=True)
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"}
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, cwd=workdir, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return [Result(f"fuzz {m} {p}", False,
                           f"schemathesis did not finish within {timeout:.0f}s (raise "
                           f"FIELDWORK_FUZZ_TIMEOUT or lower FIELDWORK_FUZZ_EXAMPLES)")
                    for m, p in OPERATIONS]
    if not junit.exists():
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        return [Result(f"fuzz {m} {p}", False, f"schemathesis exited {code} without a report:\n{tail}")
                for m, p in OPERATIONS]
    outcome = parse_junit(junit)
    results = []
    for method, path in OPERATIONS:
        name = f"{method} {path}"
        if name not in outcome:
            results.append(Result(f"fuzz {name}", False, "operation was not tested by schemathesis"))
        elif outcome[name] is None:
            results.append(Result(f"fuzz {name}", True))
        else:
            results.append(Result(f"fuzz {name}", False, outcome[name] or "failed"))
    extra = sorted(set(outcome) - {f"{m} {p}" for m, p in OPERATIONS})
    for name in extra:  # should not happen: the relaxed spec holds only OPERATIONS
        results.append(Result(f"fuzz {name}", outcome[name] is None, outcome[name] or ""))
    for res in results:
        print(f"{'PASS' if res.ok else 'FAIL'}  {res.name}" + ("" if res.ok else f"\n      {res.detail}"),
              flush=True)
    summary = _summary_line(log)
    if summary:
        print(f"schemathesis: {summary}", flush=True)
    return results


def _summary_line(log: Path) -> str | None:
    text = log.read_text(encoding="utf-8", errors="replace")
    m = re.search(r"Test cases:\s*\n\s*(.+)", text)
    return m.group(1).strip() if m else None
