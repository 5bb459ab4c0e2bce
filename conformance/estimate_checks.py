"""Targeted checks of the 13 estimate and 5 lead operations, plus their money rules.

Each operation is called with a realistic request and must answer the spec's documented
success code with a body valid against the spec's schema (with the null relaxation), and echo
what was sent. Money is checked to the cent: option and lead totals come from their lines, and
the job an approval or a conversion creates has the same figures.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Callable

from client import Api, CheckFailed, describe, json_body, require, snippet
from convention_checks import check_error_body
from hcp_checks import HcpChecks, check_page

ID = {
    "estimate": re.compile(r"^csr_[0-9a-f]{32}$"),
    "option": re.compile(r"^est_[0-9a-f]{32}$"),
    "lead": re.compile(r"^lea_[0-9a-f]{32}$"),
    "job": re.compile(r"^job_[0-9a-f]{32}$"),
}
MISSING_ESTIMATE = "csr_" + "0" * 32
MISSING_LEAD = "lea_" + "0" * 32

# The lines of the estimate's first option, and what they must add up to at 8.25 % tax:
# subtotal 30,000 + 89,900 = 119,900; fixed discount −5,000;
# tax on the taxable 89,900 × (114,900 / 119,900) × 8.25 % = 7,107.
LINES = [
    {"name": "Install labor", "unit_price": 15000, "quantity": 2, "kind": "labor", "taxable": False},
    {"name": "50 gal water heater", "unit_price": 89900, "quantity": 1, "kind": "materials",
     "taxable": True},
    {"name": "Loyalty discount", "unit_price": 5000, "quantity": 1, "kind": "fixed discount"},
]
SUBTOTAL, TOTAL = 119_900, 114_900 + 7_107


def check_id(kind: str, value: Any) -> None:
    require(isinstance(value, str) and bool(ID[kind].match(value)),
            f"{kind} id {value!r} does not match {ID[kind].pattern}")


class EstimateChecks:
    """Runs in order; later checks reuse what earlier ones created (ids go to ``hcp.ids`` so the
    fuzzing pass can pin them into path parameters)."""

    def __init__(self, api: Api, hcp: HcpChecks):
        self.api = api
        self.hcp = hcp
        self.ids = hcp.ids
        self.token = uuid.uuid4().hex[:8]
        self.own: dict[str, Any] = {}

    def need(self, key: str) -> Any:
        if key not in self.own:
            raise CheckFailed(f"not run: no {key} available (an earlier check failed)")
        return self.own[key]

    def checks(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("POST /estimates", self.post_estimate),
            ("GET /estimates/{estimate_id}", self.get_estimate),
            ("GET /estimates (filters, paging, sorting)", self.list_estimates),
            ("POST /estimates/{estimate_id}/options", self.post_option),
            ("GET /estimates/{estimate_id}/options/{option_id}/line_items", self.option_lines),
            ("PUT /estimates/{estimate_id}/options/{option_id}/line_items/bulk_update", self.bulk_update),
            ("POST /estimates/{estimate_id}/options/{option_id}/links", self.post_link),
            ("PUT /estimates/{estimate_id}/options/{option_id}/schedule", self.put_schedule),
            ("POST /estimates/{estimate_id}/options/{option_id}/notes", self.post_note),
            ("DELETE /estimates/{estimate_id}/options/{option_id}/notes/{note_id}", self.delete_note),
            ("POST /estimates/{estimate_id}/options/{option_id}/attachments (+ download)", self.attachment),
            ("POST /estimates/options/approve (copies to a job)", self.approve),
            ("POST /estimates/options/decline", self.decline),
            ("estimate errors (404, 422, 400)", self.estimate_errors),
            ("POST /leads", self.post_lead),
            ("GET /leads/{id}", self.get_lead),
            ("GET /leads (filters, paging, sorting)", self.list_leads),
            ("GET /leads/{lead_id}/line_items", self.lead_lines),
            ("POST /leads/{id}/convert (job)", self.convert_job),
            ("POST /leads/{id}/convert (estimate)", self.convert_estimate),
            ("POST /leads/{id}/lose (Fieldwork)", self.lose_lead),
            ("lead errors (404, 422, 400)", self.lead_errors),
            ("fuzzing fixtures (an open estimate option with a note, an open lead)", self.fixtures),
        ]

    # --- estimates -------------------------------------------------------------------------

    def _employee(self) -> str:
        if "employee_id" not in self.own:
            body = self.api.call("GET", "/employees", "/employees")
            employees = body.get("employees") or []
            require(bool(employees), "the demo company has no employees")
            self.own["employee_id"] = employees[0]["id"]
        return self.own["employee_id"]

    def _estimate_body(self) -> dict[str, Any]:
        return {
            "customer_id": self.hcp.need("customer_id"),
            "address_id": self.hcp.need("address_id"),
            "assigned_employee_ids": [self._employee()],
            "lead_source": "Google",
            "note": f"conformance {self.token}",
            "message": "Thanks for the opportunity",
            "tax": {"taxable": True, "tax_rate": 0.0825, "tax_name": "Sales Tax"},
            "schedule": {"start_time": "2026-12-03T17:00:00Z", "end_time": "2026-12-03T18:30:00Z",
                         "arrival_window_in_minutes": 60},
            "options": [
                {"name": "Standard tank", "tags": ["conformance"], "line_items": LINES},
                {"name": "Tankless", "line_items": [
                    {"name": "Tankless unit", "unit_price": 249900, "quantity": 1}]},
            ],
        }

    def _check_options(self, est: dict[str, Any], where: str) -> None:
        documented = [k for k in self.api.validator.spec["components"]["schemas"]["EstimateOption"]
                      ["properties"] if k != "attachments"]
        for option in est.get("options") or []:
            check_id("option", option.get("id"))
            missing = [k for k in documented if k not in option]
            require(not missing, f"{where}: option fields omitted instead of null: {missing}")

    def post_estimate(self) -> None:
        body = self._estimate_body()
        est = self.api.call("POST", "/estimates", "/estimates", body=body)
        check_id("estimate", est.get("id"))
        require(str(est.get("estimate_number", "")).isdigit(),
                f"estimate_number {est.get('estimate_number')!r} is not a string of digits")
        require(est.get("customer", {}).get("id") == body["customer_id"], "customer not kept")
        require((est.get("address") or {}).get("id") == body["address_id"], "address not kept")
        require([e.get("id") for e in est.get("assigned_employees") or []] == body["assigned_employee_ids"],
                f"assigned_employees {snippet(est.get('assigned_employees'))}")
        require(est.get("work_status") == "scheduled", f"work_status {est.get('work_status')!r}")
        require(est.get("schedule", {}).get("scheduled_start") == "2026-12-03T17:00:00Z",
                f"schedule {snippet(est.get('schedule'))}")
        self._check_options(est, "POST /estimates")
        options = est.get("options") or []
        require(len(options) == 2, f"expected 2 options, got {len(options)}")
        first = options[0]
        require(first.get("name") == "Standard tank" and first.get("option_number") == "1",
                f"first option {snippet(first)}")
        require(first.get("total_amount") == TOTAL,
                f"option total_amount {first.get('total_amount')!r}, expected {TOTAL} cents")
        require(options[1].get("total_amount") == 249_900 + 20_617,
                f"second option total_amount {options[1].get('total_amount')!r}")
        self.own["estimate"] = est

    def get_estimate(self) -> None:
        est = self.need("estimate")
        got = self.api.call("GET", "/estimates/{estimate_id}", f"/estimates/{est['id']}",
                            params=[("expand[]", "attachments")])
        require(got.get("id") == est["id"], f"asked for {est['id']}, got {got.get('id')!r}")
        require([o.get("total_amount") for o in got.get("options") or []]
                == [o["total_amount"] for o in est["options"]], "option totals differ from the POST")
        require(all(isinstance(o.get("attachments"), list) for o in got.get("options") or []),
                "expand[]=attachments did not add options[].attachments")

    def list_estimates(self) -> None:
        est = self.need("estimate")
        body = self.api.call("GET", "/estimates", "/estimates",
                             params={"page": 1, "page_size": 5, "sort_by": "created_at",
                                     "sort_direction": "desc"})
        items = check_page(body, "estimates", 1, 5)
        require(body["total_items"] >= 60, f"the demo has {body['total_items']} estimates, expected >= 60")
        require(items and items[0].get("id") == est["id"], "the newest estimate is not first (desc)")
        mine = self.api.call("GET", "/estimates", "/estimates", params=[
            ("customer_id", est["customer"]["id"]), ("work_status[]", "scheduled"),
            ("employee_ids[]", self._employee()), ("page_size", 50)])
        ids = [e.get("id") for e in mine.get("estimates") or []]
        require(est["id"] in ids, f"filters by customer, status, employee lost {est['id']}")
        require(all(e["customer"]["id"] == est["customer"]["id"] for e in mine["estimates"]),
                "customer_id filter let other customers through")
        asc = self.api.call("GET", "/estimates", "/estimates",
                            params={"sort_by": "id", "sort_direction": "asc", "page_size": 20})
        got = [e["id"] for e in asc["estimates"]]
        require(got == sorted(got), "sort_by=id&sort_direction=asc is not sorted")

    def post_option(self) -> None:
        est = self.need("estimate")
        # The spec's own example body.
        sent = {"name": "Option A", "line_items": [
            {"name": "Labor", "description": "Standard service labor", "unit_price": 10000,
             "unit_cost": 5000, "quantity": 2, "taxable": True}],
            "tax": {"taxable": True, "tax_rate": 0.0825, "tax_name": "Sales Tax"}}
        path = f"/estimates/{est['id']}/options"
        opt = self.api.call("POST", "/estimates/{estimate_id}/options", path, body=sent)
        check_id("option", opt.get("id"))
        require(opt.get("name") == "Option A", f"name {opt.get('name')!r}")
        require(opt.get("option_number") == "3", f"option_number {opt.get('option_number')!r}")
        require(opt.get("total_amount") == 21_650, f"total_amount {opt.get('total_amount')!r}, expected 21650")
        self.own["option"] = opt

    def _option_path(self) -> str:
        return f"/estimates/{self.need('estimate')['id']}/options/{self.need('option')['id']}"

    def option_lines(self) -> None:
        est = self.need("estimate")
        path = f"/estimates/{est['id']}/options/{est['options'][0]['id']}/line_items"
        body = self.api.call("GET", "/estimates/{estimate_id}/options/{option_id}/line_items", path,
                             params={"page": 1, "page_size": 2})
        lines = check_page(body, "line_items", 1, 2)
        require(body["total_items"] == 3, f"total_items {body['total_items']}, expected 3")
        require([l.get("amount") for l in lines] == [30_000, 89_900], f"amounts {snippet(lines)}")

    def bulk_update(self) -> None:
        opt = self.need("option")
        path = self._option_path() + "/line_items/bulk_update"
        lines = self.api.call("GET", "/estimates/{estimate_id}/options/{option_id}/line_items",
                              self._option_path() + "/line_items")["line_items"]
        sent = {"line_items": [
            {"id": lines[0]["id"], "name": "Labor", "quantity": 3},
            {"name": "Trip charge", "unit_price": 7900, "quantity": 1, "kind": "labor", "taxable": False}]}
        body = self.api.call("PUT", "/estimates/{estimate_id}/options/{option_id}/line_items/bulk_update",
                             path, body=sent)
        got = body.get("line_items") or []
        require([l.get("amount") for l in got] == [30_000, 7_900], f"amounts {snippet(got)}")
        require(got[0].get("id") == lines[0]["id"], "the updated line lost its id")
        est = self.api.call("GET", "/estimates/{estimate_id}", f"/estimates/{self.need('estimate')['id']}")
        now = next(o for o in est["options"] if o["id"] == opt["id"])
        # 30,000 taxable at 8.25 % = 2,475, plus 7,900 untaxed.
        require(now["total_amount"] == 30_000 + 2_475 + 7_900,
                f"total_amount after bulk_update {now['total_amount']}, expected 40375")

    def post_link(self) -> None:
        sent = {"title": "Spec sheet", "url": "https://example.com/heater-spec.pdf"}
        link = self.api.call("POST", "/estimates/{estimate_id}/options/{option_id}/links",
                             self._option_path() + "/links", body=sent)
        require(link.get("title") == sent["title"] and link.get("url") == sent["url"],
                f"link {snippet(link)}")

    def put_schedule(self) -> None:
        sent = {"start_time": "2026-12-04T16:00:00Z", "end_time": "2026-12-04T17:00:00Z",
                "arrival_window_in_minutes": 30, "notify": False,
                "dispatched_employees": [{"employee_id": self._employee()}]}
        body = self.api.call("PUT", "/estimates/{estimate_id}/options/{option_id}/schedule",
                             self._option_path() + "/schedule", body=sent)
        require(body.get("start_time") == sent["start_time"] and body.get("end_time") == sent["end_time"],
                f"schedule {snippet(body)}")
        require(body.get("arrival_window_minutes") == 30, f"arrival window {body.get('arrival_window_minutes')!r}")
        require([e.get("id") for e in body.get("assigned_employees") or []] == [self._employee()],
                "dispatched employee not assigned")

    def post_note(self) -> None:
        note = self.api.call("POST", "/estimates/{estimate_id}/options/{option_id}/notes",
                             self._option_path() + "/notes", body={"content": "Bring the 3/4 in. fittings"})
        require(note.get("content") == "Bring the 3/4 in. fittings", f"note {snippet(note)}")
        self.own["note"] = note

    def delete_note(self) -> None:
        note = self.need("note")
        path = f"{self._option_path()}/notes/{note['id']}"
        self.api.call("DELETE", "/estimates/{estimate_id}/options/{option_id}/notes/{note_id}", path)
        resp = self.api.raw("DELETE", path)
        require(resp.status_code == 404, f"{describe(resp)} twice -> {resp.status_code}, expected 404")

    def attachment(self) -> None:
        payload = bytes(range(256)) * 40
        url = self.api.base_url + self._option_path() + "/attachments"
        resp = self.api.session.post(url, headers={"Authorization": f"Token {self.api.key}"},
                                     files={"file": ("photo of heater.png", payload, "image/png")},
                                     timeout=30)
        desc = describe(resp)
        require(resp.status_code == 202, f"{desc} -> {resp.status_code}, expected 202: {snippet(resp.text)}")
        body = json_body(resp, desc)
        errors = self.api.validator.errors(
            "POST", "/estimates/{estimate_id}/options/{option_id}/attachments", 202, body)
        require(not errors, f"{desc}: response violates the spec schema: {errors}")
        est = self.api.call("GET", "/estimates/{estimate_id}", f"/estimates/{self.need('estimate')['id']}",
                            params=[("expand[]", "attachments")])
        opt = next(o for o in est["options"] if o["id"] == self.need("option")["id"])
        att = (opt.get("attachments") or [None])[-1]
        require(isinstance(att, dict) and att.get("file_name") == "photo of heater.png",
                f"attachment not listed: {snippet(opt.get('attachments'))}")
        got = self.api.raw("GET", att["url"])
        require(got.status_code == 200 and got.content == payload,
                f"GET {att['url']} -> {got.status_code}, {len(got.content)} bytes (sent {len(payload)})")
        require(got.headers.get("Content-Type") == "image/png", f"Content-Type {got.headers.get('Content-Type')!r}")

    def approve(self) -> None:
        est = self.need("estimate")
        first = est["options"][0]
        body = self.api.call("POST", "/estimates/options/approve", "/estimates/options/approve",
                             body={"option_ids": [first["id"]]})
        require(body.get("status") == "pro approved", f"status {body.get('status')!r}")
        job_id = body.get("copied_on_approval_to_job_id")
        check_id("job", job_id)
        job = self.api.call("GET", None, f"/jobs/{job_id}", status=200)
        require(job.get("original_estimate_id") == est["id"], f"original_estimate_id {job.get('original_estimate_id')!r}")
        require(job.get("original_estimate_uuids") == [first["id"]], "original_estimate_uuids")
        require(job.get("total_amount") == TOTAL and job.get("subtotal") == SUBTOTAL,
                f"job money {job.get('subtotal')}/{job.get('total_amount')} != option {SUBTOTAL}/{TOTAL}")
        require(job["customer"]["id"] == est["customer"]["id"], "job customer differs")
        got = self.api.call("GET", "/estimates/{estimate_id}", f"/estimates/{est['id']}")
        require(got["options"][0].get("approval_status") == "pro approved", "approval_status not recorded")

    def decline(self) -> None:
        est = self.need("estimate")
        second = est["options"][1]
        body = self.api.call("POST", "/estimates/options/decline", "/estimates/options/decline",
                             body={"option_ids": [second["id"]]})
        require(body.get("status") == "pro declined", f"status {body.get('status')!r}")
        got = self.api.call("GET", "/estimates/{estimate_id}", f"/estimates/{est['id']}")
        require(got["options"][1].get("approval_status") == "pro declined", "approval_status not recorded")

    def _error(self, method: str, path: str, status: int, *, body: Any = None,
               params: Any = None, field: str | None = None) -> None:
        resp = self.api.raw(method, path, body=body, params=params)
        desc = describe(resp, body)
        require(resp.status_code == status,
                f"{desc} -> {resp.status_code}, expected {status}: {snippet(resp.text)}")
        payload = json_body(resp, desc)
        check_error_body(status, payload, desc)
        if field is not None:
            where = payload.get("errors", {}) if status == 422 else payload
            require(field in where, f"{desc}: the error does not name {field!r}: {snippet(payload)}")

    def estimate_errors(self) -> None:
        self._error("GET", f"/estimates/{MISSING_ESTIMATE}", 404)
        self._error("POST", f"/estimates/{MISSING_ESTIMATE}/options", 404, body={"name": "x"})
        self._error("POST", "/estimates", 422, body={"customer_id": "cus_" + "0" * 32}, field="customer_id")
        self._error("POST", "/estimates", 422, body={"customer_id": self.hcp.need("customer_id"),
                    "options": [{"name": "A", "line_items": [{"name": "x", "unit_price": 9.5}]}]},
                    field="options[0].line_items[0].unit_price")
        self._error("POST", "/estimates/options/approve", 422, body={"option_ids": ["est_" + "0" * 32]},
                    field="option_ids")
        self._error("GET", "/estimates", 400, params={"work_status": "scheduled"}, field="work_status")

    # --- leads -----------------------------------------------------------------------------

    def _lead_body(self) -> dict[str, Any]:
        return {
            "customer_id": self.hcp.need("customer_id"),
            "address_id": self.hcp.need("address_id"),
            "assigned_employee_id": self._employee(),
            "lead_source": "Nextdoor",
            "tags": [f"lead-{self.token}"],
            "note": "Water heater leaking",
            "tax_name": "Sales Tax",
            "tax_rate": 8,
            "line_items": [
                {"name": "Diagnostic visit", "unit_price": 8900, "quantity": 1, "kind": "labor"},
                {"name": "Pressure relief valve", "unit_price": 4500, "quantity": 2, "kind": "materials"},
            ],
        }

    def post_lead(self) -> None:
        body = self._lead_body()
        lead = self.api.call("POST", "/leads", "/leads", body=body)
        check_id("lead", lead.get("id"))
        require(isinstance(lead.get("number"), int), f"number {lead.get('number')!r}")
        require(lead.get("status") == "open" and lead.get("lost_at") is None, f"status {lead.get('status')!r}")
        require(lead["customer"]["id"] == body["customer_id"], "customer not kept")
        require((lead.get("address") or {}).get("id") == body["address_id"], "address not kept")
        require((lead.get("assigned_employee") or {}).get("id") == body["assigned_employee_id"],
                "assigned_employee not kept")
        require(lead.get("tags") == body["tags"] and lead.get("lead_source") == "Nextdoor", "tags/lead_source")
        # 8,900 + 9,000 = 17,900, taxed 8 % = 1,432.
        require(lead.get("total_amount") == 17_900 + 1_432, f"total_amount {lead.get('total_amount')!r}")
        self.own["lead"] = lead
        inline = {"customer": {"first_name": "Nia", "last_name": f"Prospect {self.token}",
                               "mobile_number": "4155550188",
                               "addresses": [{"street": "77 Pine St", "city": "San Francisco",
                                              "state": "CA", "zip": "94111"}]},
                  "lead_source": "Yelp"}
        other = self.api.call("POST", "/leads", "/leads", body=inline)
        require(other["customer"].get("last_name") == inline["customer"]["last_name"], "inline customer")
        require((other.get("address") or {}).get("street") == "77 Pine St", "inline customer's address")
        self.own["inline_lead"] = other

    def get_lead(self) -> None:
        lead = self.need("lead")
        got = self.api.call("GET", "/leads/{id}", f"/leads/{lead['id']}")
        require(got == lead, f"GET differs from POST: {snippet(got)}")
        documented = self.api.validator.spec["components"]["schemas"]["Lead"]["properties"]
        missing = [k for k in documented if k not in got]
        require(not missing, f"lead fields omitted instead of null: {missing}")

    def list_leads(self) -> None:
        lead = self.need("lead")
        body = self.api.call("GET", "/leads", "/leads", params={"page": 1, "page_size": 5})
        check_page(body, "leads", 1, 5)
        require(body["total_items"] >= 40, f"the demo has {body['total_items']} leads, expected >= 40")
        tags = self.hcp.find("/tags", "tags", lambda t: t.get("name") == lead["tags"][0])
        require(tags is not None, "the lead's tag is not listed by GET /tags")
        mine = self.api.call("GET", "/leads", "/leads", params=[
            ("status", "open"), ("customer_id", lead["customer"]["id"]), ("tag_ids[]", tags["id"]),
            ("employee_ids[]", self._employee()), ("lead_source[]", "Nextdoor")])
        require([l["id"] for l in mine["leads"]] == [lead["id"]], f"filters gave {snippet(mine['leads'])}")
        lost = self.api.call("GET", "/leads", "/leads", params={"status": "lost", "page_size": 50})
        require(lost["leads"] and all(l["status"] == "lost" for l in lost["leads"]), "status=lost")
        by_status = self.api.call("GET", "/leads", "/leads", params={"sort_by": "status", "sort_direction": "asc",
                                                                     "page_size": 100})
        got = [l["status"] for l in by_status["leads"]]
        require(got == sorted(got), "sort_by=status is not sorted")

    def lead_lines(self) -> None:
        lead = self.need("lead")
        body = self.api.call("GET", "/leads/{lead_id}/line_items", f"/leads/{lead['id']}/line_items",
                             params={"page": 1, "page_size": 10})
        lines = check_page(body, "line_items", 1, 10)
        require([l.get("amount") for l in lines] == [8_900, 9_000], f"amounts {snippet(lines)}")

    def convert_job(self) -> None:
        lead = self.need("lead")
        body = self.api.call("POST", "/leads/{id}/convert", f"/leads/{lead['id']}/convert", body={"type": "job"})
        check_id("job", body.get("job_id"))
        require(body.get("estimate_id") is None, f"estimate_id {body.get('estimate_id')!r}")
        job = self.api.call("GET", None, f"/jobs/{body['job_id']}", status=200)
        require(job.get("total_amount") == lead["total_amount"], "job total differs from the lead's")
        require(job["customer"]["id"] == lead["customer"]["id"], "job customer differs")
        after = self.api.call("GET", "/leads/{id}", f"/leads/{lead['id']}")
        require(after.get("status") == "won", f"lead status {after.get('status')!r} after convert")
        self._error("POST", f"/leads/{lead['id']}/convert", 422, body={"type": "estimate"}, field="status")

    def convert_estimate(self) -> None:
        lead = self.api.call("POST", "/leads", "/leads", body=self._lead_body())
        body = self.api.call("POST", "/leads/{id}/convert", f"/leads/{lead['id']}/convert",
                             body={"type": "estimate"})
        check_id("estimate", body.get("estimate_id"))
        est = self.api.call("GET", "/estimates/{estimate_id}", f"/estimates/{body['estimate_id']}")
        require(est["options"][0]["total_amount"] == lead["total_amount"], "estimate total differs from the lead's")
        require((est.get("address") or {}).get("id") == lead["address"]["id"], "estimate address differs")

    def lose_lead(self) -> None:
        lead = self.need("inline_lead")
        body = self.api.call("POST", None, f"/leads/{lead['id']}/lose", status=200)
        require(body.get("status") == "lost" and isinstance(body.get("lost_at"), str), f"lost lead {snippet(body)}")
        errors = self.api.validator.errors("GET", "/leads/{id}", 200, body)
        require(not errors, f"lost lead violates the Lead schema: {errors}")

    def lead_errors(self) -> None:
        self._error("GET", f"/leads/{MISSING_LEAD}", 404)
        self._error("GET", f"/leads/{MISSING_LEAD}/line_items", 404)
        self._error("POST", f"/leads/{MISSING_LEAD}/convert", 404, body={"type": "job"})
        self._error("POST", "/leads", 422, body={}, field="customer_id")
        self._error("POST", "/leads", 422, body={"customer_id": self.hcp.need("customer_id"),
                    "assigned_employee_id": "pro_" + "0" * 32}, field="assigned_employee_id")
        self._error("POST", "/leads", 400, body={"customer_id": 12}, field="customer_id")
        self._error("GET", "/leads", 400, params={"lead_source": "Google"}, field="lead_source")
        self._error("GET", "/leads", 400, params={"status": "closed"}, field="status")

    def fixtures(self) -> None:
        """Open objects for the fuzzing pass: approving, converting or deleting them is fine."""
        est = self.api.call("POST", "/estimates", "/estimates", body=self._estimate_body())
        option = est["options"][0]
        note = self.api.call("POST", "/estimates/{estimate_id}/options/{option_id}/notes",
                             f"/estimates/{est['id']}/options/{option['id']}/notes", body={"content": "fuzz"})
        lead = self.api.call("POST", "/leads", "/leads", body=self._lead_body())
        self.ids.update({"estimate_id": est["id"], "option_id": option["id"],
                         "estimate_note_id": note["id"], "lead_id": lead["id"]})
