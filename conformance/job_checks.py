"""Targeted checks of the job operations: realistic requests, documented status, spec schema."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from client import Api, CheckFailed, require, snippet
from hcp_checks import HcpChecks, check_page

JOB_ID = r"^job_[0-9a-f]{32}$"


def _at(days: int, hour: int) -> str:
    day = datetime.now(timezone.utc).date() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


class JobChecks:
    """Runs after HcpChecks (it needs a customer and address) and in order."""

    def __init__(self, api: Api, hcp: HcpChecks):
        self.api = api
        self.hcp = hcp
        self.ids = hcp.ids  # shared: the fuzzing pass pins path ids from here

    def need(self, key: str) -> str:
        return self.hcp.need(key)

    def checks(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("POST /jobs", self.post_job),
            ("GET /jobs/{id}", self.get_job),
            ("GET /jobs (filters, paging, sorting)", self.get_jobs),
            ("POST /jobs/{job_id}/line_items", self.post_line_item),
            ("PUT /jobs/{job_id}/line_items/bulk_update", self.bulk_update),
            ("GET /jobs/{job_id}/line_items", self.get_line_items),
            ("PUT /jobs/{job_id}/line_items/{id}", self.put_line_item),
            ("DELETE /jobs/{job_id}/line_items/{id}", self.delete_line_item),
            ("PUT /jobs/{job_id}/schedule", self.put_schedule),
            ("PUT /jobs/{job_id}/dispatch", self.dispatch),
            ("POST /jobs/{job_id}/appointments", self.post_appointment),
            ("GET /jobs/{job_id}/appointments", self.get_appointments),
            ("PUT /jobs/{job_id}/appointments/{appointment_id}", self.put_appointment),
            ("DELETE /jobs/{job_id}/appointments/{appointment_id}", self.delete_appointment),
            ("DELETE /jobs/{job_id}/schedule", self.delete_schedule),
            ("PUT /jobs/{job_id}/job_input_materials/bulk_update", self.put_materials),
            ("GET /jobs/{job_id}/job_input_materials", self.get_materials),
            ("POST /jobs/{job_id}/tags", self.post_tag),
            ("DELETE /jobs/{job_id}/tags/{tag_id}", self.delete_tag),
            ("POST /jobs/{job_id}/notes", self.post_note),
            ("DELETE /jobs/{job_id}/notes/{note_id}", self.delete_note),
            ("POST /jobs/{job_id}/links", self.post_link),
            ("POST /jobs/{job_id}/attachments (+ download)", self.attachment),
            ("POST /jobs/lock", self.lock_range),
            ("POST /jobs/{job_id}/lock", self.lock_job),
        ]

    def job_path(self, suffix: str = "") -> str:
        return f"/jobs/{self.need('job_id')}{suffix}"

    def post_job(self) -> None:
        employee = self.api.call("GET", "/employees", "/employees", params={"page_size": 1})
        self.ids["employee_id"] = employee["employees"][0]["id"]
        sent = {
            "customer_id": self.need("customer_id"),
            "address_id": self.need("address_id"),
            "description": "Conformance: replace water heater",
            "schedule": {"scheduled_start": _at(30, 16), "scheduled_end": _at(30, 18),
                         "arrival_window": 60},
            "assigned_employee_ids": [self.ids["employee_id"]],
            "line_items": [{"name": "Labor", "unit_price": 12500, "quantity": 2},
                           {"name": "Heater", "unit_price": 99900, "kind": "materials"}],
            "tags": ["conformance"],
            "lead_source": "Google",
            "notes": "Created by the conformance check",
        }
        body = self.api.call("POST", "/jobs", "/jobs", body=sent)
        import re
        require(bool(re.match(JOB_ID, str(body.get("id")))), f"job id: {body.get('id')!r}")
        require(body.get("work_status") == "scheduled", f"work_status {body.get('work_status')!r}")
        require(body.get("total_amount") == 124900, f"total_amount {body.get('total_amount')!r}")
        require(body.get("outstanding_balance") == 124900, "outstanding_balance")
        self.ids["job_id"] = body["id"]
        # The second job's id pins `{id}` in the fuzzing pass (GET /jobs/{id}).
        self.ids["id"] = body["id"]

    def get_job(self) -> None:
        body = self.api.call("GET", "/jobs/{id}", self.job_path(),
                             params=[("expand[]", "appointments"), ("expand[]", "attachments")])
        require(body.get("id") == self.need("job_id"), "wrong job")
        appts = (body.get("schedule") or {}).get("appointments")
        require(isinstance(appts, list) and len(appts) == 1, f"appointments: {snippet(appts)}")
        require(isinstance(body.get("attachments"), list), "attachments not expanded")

    def get_jobs(self) -> None:
        params = [("page", 1), ("page_size", 5), ("sort_by", "invoice_number"),
                  ("sort_direction", "asc"), ("work_status[]", "scheduled"),
                  ("work_status[]", "unscheduled"), ("customer_id", self.need("customer_id")),
                  ("employee_ids[]", self.ids["employee_id"]),
                  ("scheduled_start_min", _at(29, 0)), ("scheduled_start_max", _at(31, 0)),
                  ("expand[]", "appointments")]
        body = self.api.call("GET", "/jobs", "/jobs", params=params)
        jobs = check_page(body, "jobs", 1, 5)
        require(any(j.get("id") == self.need("job_id") for j in jobs), "the new job is not listed")
        body = self.api.call("GET", "/jobs", "/jobs", params={"page": 2, "page_size": 10})
        check_page(body, "jobs", 2, 10)
        resp = self.api.raw("GET", "/jobs", params={"work_status": "scheduled"})
        require(resp.status_code == 400, f"plain work_status= gave {resp.status_code}, not 400")

    def post_line_item(self) -> None:
        body = self.api.call("POST", "/jobs/{job_id}/line_items", self.job_path("/line_items"),
                             body={"name": "Trip charge", "unit_price": 4900, "quantity": 1,
                                   "kind": "labor", "taxable": False})
        require(body.get("amount") == 4900, f"amount {body.get('amount')!r}")
        self.ids["line_item_id"] = body["id"]

    def bulk_update(self) -> None:
        items = [{"name": f"Fitting {i}", "unit_price": 350, "quantity": 4, "kind": "materials"}
                 for i in range(5)]
        items.append({"id": self.ids.get("line_item_id"), "unit_price": 5900})
        body = self.api.call("PUT", "/jobs/{job_id}/line_items/bulk_update",
                             self.job_path("/line_items/bulk_update"),
                             body={"line_items": items, "append_line_items": True})
        require(len(body.get("data") or []) == 8, f"{len(body.get('data') or [])} lines, not 8")
        job = self.api.call("GET", "/jobs/{id}", self.job_path())
        total = sum(line["amount"] for line in body["data"])
        require(job.get("total_amount") == total, f"job total {job.get('total_amount')} != lines {total}")

    def get_line_items(self) -> None:
        body = self.api.call("GET", "/jobs/{job_id}/line_items", self.job_path("/line_items"))
        require(body.get("url") == self.job_path("/line_items"), f"url {body.get('url')!r}")

    def put_line_item(self) -> None:
        line = self.need("line_item_id")
        body = self.api.call("PUT", "/jobs/{job_id}/line_items/{id}", self.job_path(f"/line_items/{line}"),
                             body={"name": "Trip charge (after hours)", "unit_price": 7900})
        require(body.get("amount") == 7900, f"amount {body.get('amount')!r}")

    def delete_line_item(self) -> None:
        line = self.need("line_item_id")
        body = self.api.call("DELETE", "/jobs/{job_id}/line_items/{id}",
                             self.job_path(f"/line_items/{line}"))
        require(body == {"id": line, "deleted": True}, f"body {snippet(body)}")

    def put_schedule(self) -> None:
        body = self.api.call("PUT", "/jobs/{job_id}/schedule", self.job_path("/schedule"),
                             body={"start_time": _at(31, 16), "end_time": _at(31, 18),
                                   "arrival_window_in_minutes": 30, "notify": False,
                                   "dispatched_employees": [{"employee_id": self.ids["employee_id"]}]})
        require(body.get("start_time") == _at(31, 16), f"start_time {body.get('start_time')!r}")

    def dispatch(self) -> None:
        body = self.api.call("PUT", "/jobs/{job_id}/dispatch", self.job_path("/dispatch"),
                             body={"dispatched_employees": [{"employee_id": self.ids["employee_id"]}]})
        require(len(body.get("assigned_employees") or []) == 1, f"body {snippet(body)}")

    def post_appointment(self) -> None:
        body = self.api.call("POST", "/jobs/{job_id}/appointments", self.job_path("/appointments"),
                             body={"start_time": _at(32, 16), "end_time": _at(32, 17),
                                   "arrival_window_minutes": 60,
                                   "dispatched_employees_ids": [self.ids["employee_id"]]})
        self.ids["appointment_id"] = body["id"]

    def get_appointments(self) -> None:
        body = self.api.call("GET", "/jobs/{job_id}/appointments", self.job_path("/appointments"))
        require(len(body.get("appointments") or []) == 2, f"body {snippet(body)}")

    def put_appointment(self) -> None:
        appt = self.need("appointment_id")
        body = self.api.call("PUT", "/jobs/{job_id}/appointments/{appointment_id}",
                             self.job_path(f"/appointments/{appt}"),
                             body={"start_time": _at(32, 17), "end_time": _at(32, 19),
                                   "dispatched_employees_ids": [self.ids["employee_id"]]})
        require(body.get("end_time") == _at(32, 19), f"end_time {body.get('end_time')!r}")

    def delete_appointment(self) -> None:
        appt = self.need("appointment_id")
        self.api.call("DELETE", "/jobs/{job_id}/appointments/{appointment_id}",
                      self.job_path(f"/appointments/{appt}"))
        # Keep one appointment id for the fuzzing pass.
        body = self.api.call("GET", "/jobs/{job_id}/appointments", self.job_path("/appointments"))
        self.ids["appointment_id"] = body["appointments"][0]["id"]

    def delete_schedule(self) -> None:
        body = self.api.call("DELETE", "/jobs/{job_id}/schedule", self.job_path("/schedule"))
        require(body == {"object": "schedule", "deleted": True}, f"body {snippet(body)}")
        job = self.api.call("GET", "/jobs/{id}", self.job_path())
        require(job.get("work_status") == "needs scheduling", f"work_status {job.get('work_status')!r}")
        self.api.call("PUT", "/jobs/{job_id}/schedule", self.job_path("/schedule"),
                      body={"start_time": _at(33, 16)})
        body = self.api.call("GET", "/jobs/{job_id}/appointments", self.job_path("/appointments"))
        self.ids["appointment_id"] = body["appointments"][0]["id"]

    def put_materials(self) -> None:
        body = self.api.call("PUT", "/jobs/{job_id}/job_input_materials/bulk_update",
                             self.job_path("/job_input_materials/bulk_update"),
                             body={"job_input_materials": [{"name": "PEX 1/2in", "part_number": "PX-12",
                                                            "unit_cost": 125, "quantity": 10.5}]})
        require(len(body.get("job_input_materials") or []) == 1, f"body {snippet(body)}")

    def get_materials(self) -> None:
        self.api.call("GET", "/jobs/{job_id}/job_input_materials", self.job_path("/job_input_materials"))

    def post_tag(self) -> None:
        body = self.api.call("POST", "/jobs/{job_id}/tags", self.job_path("/tags"),
                             body={"tag_id": self.need("tag_id")})
        require(any(t.get("id") == self.need("tag_id") for t in body.get("tags") or []),
                f"body {snippet(body)}")

    def delete_tag(self) -> None:
        body = self.api.call("DELETE", "/jobs/{job_id}/tags/{tag_id}",
                             self.job_path(f"/tags/{self.need('tag_id')}"))
        require(all(t.get("id") != self.need("tag_id") for t in body.get("tags") or []),
                f"body {snippet(body)}")
        self.api.call("POST", "/jobs/{job_id}/tags", self.job_path("/tags"),
                      body={"tag_id": self.need("tag_id")})

    def post_note(self) -> None:
        body = self.api.call("POST", "/jobs/{job_id}/notes", self.job_path("/notes"),
                             body={"content": "Customer asked for a morning visit"})
        self.ids["note_id"] = body["id"]

    def delete_note(self) -> None:
        self.api.call("DELETE", "/jobs/{job_id}/notes/{note_id}",
                      self.job_path(f"/notes/{self.need('note_id')}"))
        body = self.api.call("POST", "/jobs/{job_id}/notes", self.job_path("/notes"),
                             body={"content": "Kept for the fuzzing pass"})
        self.ids["note_id"] = body["id"]

    def post_link(self) -> None:
        body = self.api.call("POST", "/jobs/{job_id}/links", self.job_path("/links"),
                             body={"title": "Site photos", "url": "https://example.com/photos"})
        require(body.get("title") == "Site photos", f"body {snippet(body)}")

    def attachment(self) -> None:
        payload = bytes(range(256)) * 20
        resp = self.api.session.post(self.api.base_url + self.job_path("/attachments"),
                                     headers={"Authorization": f"Token {self.api.key}"},
                                     files={"file": ("meter photo.jpg", payload, "image/jpeg")},
                                     timeout=30)
        require(resp.status_code == 202, f"upload -> {resp.status_code}: {snippet(resp.text)}")
        errors = self.api.validator.errors("POST", "/jobs/{job_id}/attachments", 202, resp.json())
        require(not errors, f"response violates the spec schema: {errors}")
        job = self.api.call("GET", "/jobs/{id}", self.job_path(), params=[("expand[]", "attachments")])
        att = (job.get("attachments") or [None])[-1]
        require(isinstance(att, dict) and att.get("file_name") == "meter photo.jpg",
                f"attachment not listed: {snippet(job.get('attachments'))}")
        got = self.api.raw("GET", att["url"])
        require(got.status_code == 200 and got.content == payload,
                f"GET {att['url']} -> {got.status_code}, {len(got.content)} bytes")

    def lock_range(self) -> None:
        # A range in the far past holds none of the demo's or the check's jobs.
        body = self.api.call("POST", "/jobs/lock", "/jobs/lock",
                             body={"starting_at": "2001-01-01T00:00:00Z",
                                   "ending_at": "2001-01-02T00:00:00Z"})
        require(body.get("jobs") == [], f"body {snippet(body)}")

    def lock_job(self) -> None:
        # Lock a job of its own, so the job the fuzzing pass uses stays changeable.
        sent = {"customer_id": self.need("customer_id"), "address_id": self.need("address_id")}
        job = self.api.call("POST", "/jobs", "/jobs", body=sent)
        body = self.api.call("POST", "/jobs/{job_id}/lock", f"/jobs/{job['id']}/lock")
        require(isinstance(body.get("locked_at"), str), f"locked_at {body.get('locked_at')!r}")
        resp = self.api.raw("POST", f"/jobs/{job['id']}/notes", body={"content": "x"})
        if resp.status_code != 422:
            raise CheckFailed(f"a note on a locked job gave {resp.status_code}, not 422")
