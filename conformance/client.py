"""HTTP helper for the targeted checks: call an operation, check its status, validate its body."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

import requests

from spec import ResponseValidator


class CheckFailed(Exception):
    """A check's expectation did not hold; the message says which request and why."""


@dataclass
class Result:
    name: str
    ok: bool
    detail: str = ""


def snippet(value: Any, limit: int = 400) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return text if len(text) <= limit else text[:limit] + "..."


class Api:
    """A thin `requests` wrapper bound to one server and key."""

    def __init__(self, base_url: str, key: str, validator: ResponseValidator):
        self.base_url = base_url
        self.key = key
        self.validator = validator
        self.session = requests.Session()

    def raw(self, method: str, path: str, *, params: Any = None, body: Any = None,
            headers: dict[str, str] | None = None, auth: bool = True,
            data: str | None = None, fresh: bool = False) -> requests.Response:
        """Send one request; ``fresh`` uses a new connection instead of the pooled one."""
        hdrs = {"Accept": "application/json"}
        if auth:
            hdrs["Authorization"] = f"Token {self.key}"
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        send = requests.request if fresh else self.session.request
        return send(method, self.base_url + path, params=params, json=body, data=data,
                    headers=hdrs, timeout=30)

    def call(self, method: str, template: str | None, path: str, *, params: Any = None,
             body: Any = None, status: int | tuple[int, ...] | None = None) -> Any:
        """Send a request; require the expected status and a body valid against the spec.

        ``template`` names the HCP operation whose documented success code and response schema
        apply; pass ``None`` for Fieldwork's own routes (then ``status`` is required).
        """
        if status is None:
            assert template is not None
            status = tuple(self.validator.documented_success(method, template))
        expected = status if isinstance(status, tuple) else (status,)
        resp = self.raw(method, path, params=params, body=body)
        desc = describe(resp, body)
        if resp.status_code not in expected:
            raise CheckFailed(f"{desc} -> {resp.status_code}, expected {'/'.join(map(str, expected))}; "
                              f"body: {snippet(resp.text) or '(empty)'}")
        if resp.status_code == 204 or not resp.content:
            if template is not None and self.validator.schema_for(method, template, resp.status_code):
                raise CheckFailed(f"{desc} -> {resp.status_code} with an empty body")
            return None
        payload = json_body(resp, desc)
        if template is not None:
            errors = self.validator.errors(method, template, resp.status_code, payload)
            if errors:
                raise CheckFailed(f"{desc} -> {resp.status_code}: response violates the spec schema: "
                                  + "; ".join(errors) + f"; body: {snippet(payload)}")
        return payload


def describe(resp: requests.Response, body: Any = None) -> str:
    req = resp.request
    url = req.url or ""
    path = url.split("://", 1)[-1]
    path = path[path.find("/"):] if "/" in path else "/"
    text = f"{req.method} {path}"
    if body is not None:
        text += f" {snippet(body, 200)}"
    return text


def json_body(resp: requests.Response, desc: str) -> Any:
    ctype = resp.headers.get("Content-Type", "")
    try:
        payload = resp.json()
    except ValueError:
        raise CheckFailed(f"{desc} -> {resp.status_code}: body is not JSON "
                          f"(Content-Type {ctype!r}): {snippet(resp.text)}") from None
    if "json" not in ctype:
        raise CheckFailed(f"{desc} -> {resp.status_code}: Content-Type is {ctype!r}, not JSON")
    return payload


def require(cond: bool, message: str) -> None:
    if not cond:
        raise CheckFailed(message)


def run_check(results: list[Result], name: str, fn: Callable[[], None], verbose: bool = True) -> bool:
    try:
        fn()
    except CheckFailed as exc:
        results.append(Result(name, False, str(exc)))
    except requests.RequestException as exc:
        results.append(Result(name, False, f"request failed: {exc.__class__.__name__}: {exc}"))
    except Exception as exc:  # a bug in the check or a wildly unexpected body
        results.append(Result(name, False, f"unexpected {exc.__class__.__name__}: {exc}"))
    else:
        results.append(Result(name, True))
    res = results[-1]
    if verbose:
        print(f"{'PASS' if res.ok else 'FAIL'}  {name}" + ("" if res.ok else f"\n      {res.detail}"),
              flush=True)
    return res.ok
