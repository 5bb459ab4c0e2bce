"""Checks of HCP's authentication and error-body conventions (reference/hcp-api.md section 5)."""

from __future__ import annotations

import re
from typing import Any, Callable

import requests

from client import Api, CheckFailed, describe, json_body, require, snippet
from hcp_checks import HcpChecks

MISSING_CUSTOMER = "cus_" + "0" * 32
MISSING_ADDRESS = "adr_" + "0" * 32


def check_error_body(status: int, body: Any, where: str) -> None:
    """400 `{message, <field>: str}`, 404 `{error: {message}}`, 422 `{message, errors: {f: [str]}}`."""
    require(isinstance(body, dict), f"{where}: error body is not an object: {snippet(body)}")
    if status == 404:
        err = body.get("error")
        require(isinstance(err, dict) and isinstance(err.get("message"), str) and err["message"],
                f"{where}: 404 body is not {{\"error\":{{\"message\":...}}}}: {snippet(body)}")
    elif status == 400:
        require(isinstance(body.get("message"), str) and body["message"],
                f"{where}: 400 body has no \"message\" string: {snippet(body)}")
        others = {k: v for k, v in body.items() if k != "message" and not isinstance(v, str)}
        require(not others, f"{where}: 400 field errors must be strings: {snippet(others)}")
    elif status == 422:
        require(isinstance(body.get("message"), str) and body["message"],
                f"{where}: 422 body has no \"message\" string: {snippet(body)}")
        errors = body.get("errors")
        require(isinstance(errors, dict) and errors and all(
            isinstance(v, list) and v and all(isinstance(m, str) for m in v) for v in errors.values()),
            f"{where}: 422 \"errors\" is not {{field: [message, ...]}}: {snippet(body)}")


class ConventionChecks:
    def __init__(self, api: Api, hcp: HcpChecks):
        self.api = api
        self.hcp = hcp

    def checks(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("explicit nulls: objects carry every field the spec documents", self.explicit_nulls),
            ("401 without Authorization", self.no_key),
            ("401 with an unknown API key", self.unknown_key),
            ("404 GET /customers/{unknown}", self.missing_customer),
            ("404 GET /customers/{id}/addresses/{unknown}", self.missing_address),
            ("404 PUT /tags/{unknown}", self.missing_tag),
            ("400/422 POST /customers with no name, email or phone", self.invalid_customer),
            ("400/422 POST /customers/{id}/addresses without city/state/zip/country",
             self.invalid_address),
            ("400/422 POST /lead_sources without name", self.invalid_lead_source),
            ("400/422 PUT /company/schedule_availability with a malformed body", self.invalid_schedule),
            ("400/422 POST /customers with malformed JSON", self.malformed_json),
            ("400/422 POST /customers with a JSON array body", self.array_body),
            ("booking_windows far-future start_date: 400 or RFC 3339 times", self.far_future),
            ("keep-alive connection usable after an early 401/404/405 to a POST with a body",
             self.keep_alive),
        ]

    def _error(self, method: str, path: str, statuses: tuple[int, ...], *, body: Any = None,
               data: str | None = None, auth: bool = True, headers: dict[str, str] | None = None,
               fresh: bool = False) -> tuple[int, Any]:
        resp = self.api.raw(method, path, body=body, data=data, auth=auth, headers=headers,
                            fresh=fresh)
        desc = describe(resp, body if data is None else data)
        require(resp.status_code in statuses,
                f"{desc} -> {resp.status_code}, expected {'/'.join(map(str, statuses))}; "
                f"body: {snippet(resp.text) or '(empty)'}")
        payload = json_body(resp, f"{desc} -> {resp.status_code}")
        check_error_body(resp.status_code, payload, desc)
        return resp.status_code, payload

    def _documented(self, name: str) -> list[str]:
        """Property names of a component; for allOf, only the first part (the rest is expand-only)."""
        schema = self.api.validator.spec["components"]["schemas"][name]
        part = schema["allOf"][0] if "allOf" in schema else schema
        return list(part.get("properties", {}))

    def explicit_nulls(self) -> None:
        """HCP emits every field, with an explicit null when empty (reference/hcp-api.md)."""
        samples: list[tuple[str, Any]] = [("Company", self.api.call("GET", "/company", "/company"))]
        employees = self.api.call("GET", "/employees", "/employees").get("employees") or []
        samples += [("Employee", e) for e in employees[:3]]
        customers = self.api.call("GET", "/customers", "/customers").get("customers") or []
        samples += [("Customer", c) for c in customers[:5]]
        samples += [("Address", a) for c in customers[:5] for a in c.get("addresses") or []]
        for name, path, key in (("Tag", "/tags", "tags"), ("LeadSource", "/lead_sources", "lead_sources"),
                                ("JobType", "/job_fields/job_types", "job_types")):
            samples += [(name, i) for i in (self.api.call("GET", path, path).get(key) or [])[:3]]
        samples.append(("Application", self.api.call("GET", "/application", "/application")))
        jobs = self.api.call("GET", "/jobs", "/jobs",
                             params=[("expand[]", "attachments"), ("expand[]", "appointments")])
        samples += [("Job", j) for j in (jobs.get("jobs") or [])[:5]]
        for job in (jobs.get("jobs") or [])[:3]:
            lines = self.api.call("GET", "/jobs/{job_id}/line_items", f"/jobs/{job['id']}/line_items")
            samples += [("LineItemResponse", line) for line in lines.get("data") or []]
            samples += [("Appointment", a) for a in (job.get("schedule") or {}).get("appointments") or []]
        missing = sorted({f"{name}.{field}" for name, obj in samples if isinstance(obj, dict)
                          for field in self._documented(name) if field not in obj})
        require(not missing, f"fields omitted instead of sent as null: {', '.join(missing)}")

    def _unauthorized(self, headers: dict[str, str] | None) -> None:
        for method, path in (("GET", "/customers"), ("GET", "/company"), ("POST", "/tags")):
            # A fresh connection: see keep_alive() for why an early 401 can break the pooled one.
            _, body = self._error(method, path, (401,), auth=False, headers=headers, fresh=True,
                                  body={"name": "x"} if method == "POST" else None)
            require(body == {"message": "Unauthorized"},
                    f"{method} {path}: 401 body is {snippet(body)}, expected {{\"message\":\"Unauthorized\"}}")

    def no_key(self) -> None:
        self._unauthorized(None)

    def unknown_key(self) -> None:
        self._unauthorized({"Authorization": "Token " + "0123456789abcdef" * 2})

    def missing_customer(self) -> None:
        _, body = self._error("GET", f"/customers/{MISSING_CUSTOMER}", (404,))
        require(body == {"error": {"message": "customer not found"}},
                f"body is {snippet(body)}, expected {{\"error\":{{\"message\":\"customer not found\"}}}}")

    def missing_address(self) -> None:
        cid = self.hcp.need("customer_id")
        self._error("GET", f"/customers/{cid}/addresses/{MISSING_ADDRESS}", (404,))

    def missing_tag(self) -> None:
        self._error("PUT", "/tags/tag_" + "0" * 32, (404,), body={"name": "x"})

    def invalid_customer(self) -> None:
        self._error("POST", "/customers", (400, 422), body={"notes": "no name, email or phone"})

    def invalid_address(self) -> None:
        cid = self.hcp.need("customer_id")
        self._error("POST", f"/customers/{cid}/addresses", (400, 422), body={"street": "1 Main St"})

    def invalid_lead_source(self) -> None:
        self._error("POST", "/lead_sources", (400, 422), body={})

    def invalid_schedule(self) -> None:
        self._error("PUT", "/company/schedule_availability", (400, 422),
                    body={"availability_buffer_in_days": 1, "daily_schedule_windows": "monday"})

    def malformed_json(self) -> None:
        self._error("POST", "/customers", (400, 422), data='{"first_name": "Ada",')

    def array_body(self) -> None:
        # A JSON array is not an object; serde would otherwise fill struct fields by position.
        self._error("POST", "/customers", (400, 422), body=["Ada", "Lovelace", "ada@example.com"])

    def far_future(self) -> None:
        path = "/company/schedule_availability/booking_windows"
        params = {"start_date": "9999-12-31T00:00:00", "show_for_days": 30}
        resp = self.api.raw("GET", path, params=params)
        if resp.status_code in (400, 422):
            check_error_body(resp.status_code, json_body(resp, describe(resp)), describe(resp))
            return
        body = self.api.call("GET", path, path, params=params)
        stamp = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
        bad = [w for w in body.get("booking_windows") or []
               if not (stamp.match(str(w.get("start_time"))) and stamp.match(str(w.get("end_time"))))]
        require(not bad, f"{describe(resp)} -> {resp.status_code}: windows with non-RFC 3339 times "
                         f"(e.g. {snippet(bad[:1])}); expected 400 for a date this far out")

    def keep_alive(self, rounds: int = 150) -> None:
        """A response sent before the request body was read must not leave a dead pooled connection.

        If the server answers without reading the body and then closes the connection, it has to
        say `Connection: close`; otherwise the client's next request on that connection fails.
        """
        bad_key = {"Authorization": "Token " + "0123456789abcdef" * 2}
        body = {"name": "x" * 20000}
        cases = [
            ("POST /tags with an unknown key (401)", "/tags", bad_key),
            ("POST /company (405)", "/company", None),
            ("POST /no-such-route (404)", "/no-such-route", None),
        ]
        broken: list[str] = []
        error = ""
        for label, path, headers in cases:
            session = requests.Session()
            auth = {"Authorization": f"Token {self.api.key}"}
            fails = 0
            first = ""
            for _ in range(rounds):
                try:
                    session.post(self.api.base_url + path, json=body, timeout=30,
                                 headers={**auth, **(headers or {})})
                    session.get(self.api.base_url + "/company", headers=auth, timeout=30)
                except requests.ConnectionError as exc:
                    fails += 1
                    first = first or f"{exc.__class__.__name__}: {exc}"
                    session = requests.Session()
            if fails:
                broken.append(f"after {label}: {fails}/{rounds}")
                error = first
        require(not broken, "the next request on the same connection failed " + "; ".join(broken)
                + f" ({error}); the server closes the connection without `Connection: close` "
                "when it answers before reading the request body")


__all__ = ["ConventionChecks", "check_error_body", "CheckFailed"]
