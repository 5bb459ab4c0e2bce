"""Targeted checks of invoices (HCP's reads plus Fieldwork's payments) and calendar events.

HCP's responses are validated against the spec's schemas (JobInvoice, Event); Fieldwork's own
writes (POST /api/invoices/{uuid}/payments, POST/PUT/DELETE /events) answer with the same
shapes, so they are validated against the spec's schema of the matching read.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from client import Api, CheckFailed, describe, require, snippet
from hcp_checks import HcpChecks, check_page

INVOICE_ID = re.compile(r"^inv_[0-9a-f]{32}$")
EVENT_ID = re.compile(r"^evt_[0-9a-f]{32}$")


def _at(days: int, hour: int) -> str:
    day = datetime.now(timezone.utc).date() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


class InvoiceChecks:
    """Runs after HcpChecks (it needs a customer and address) and in order."""

    def __init__(self, api: Api, hcp: HcpChecks):
        self.api = api
        self.hcp = hcp
        self.ids = hcp.ids  # shared: the fuzzing pass pins path ids from here
        self.job: dict[str, Any] = {}

    def checks(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("POST /jobs/{id}/finish makes an invoice", self.finish_job),
            ("GET /jobs/{job_id}/invoices", self.job_invoices),
            ("GET /api/invoices/{uuid}", self.get_invoice),
            ("POST /api/invoices/{uuid}/payments (Fieldwork)", self.pay),
            ("GET /invoices (filters, paging, sorting)", self.list_invoices),
            ("GET /invoices?status= (plain array) -> 422", self.plain_status),
            ("GET /api/invoices/{uuid}/preview", self.preview),
            ("GET /api/invoices/{uuid} unknown -> 404", self.unknown_invoice),
            ("POST /events (Fieldwork)", self.post_event),
            ("GET /events/{event_id}", self.get_event),
            ("GET /events (paging, sorting)", self.list_events),
            ("PUT /events/{event_id} (Fieldwork)", self.put_event),
            ("DELETE /events/{event_id} (Fieldwork)", self.delete_event),
            ("explicit nulls: invoices and events carry every documented field", self.explicit_nulls),
        ]

    def _schema(self, template: str, payload: Any, desc: str) -> None:
        errors = self.api.validator.errors("GET", template, 200, payload)
        if errors:
            raise CheckFailed(f"{desc}: response violates the spec schema of GET {template}: "
                              + "; ".join(errors) + f"; body: {snippet(payload)}")

    # --- invoices --------------------------------------------------------------------------

    def finish_job(self) -> None:
        sent = {
            "customer_id": self.hcp.need("customer_id"),
            "address_id": self.hcp.need("address_id"),
            "description": "Conformance: invoice me",
            "line_items": [
                {"name": "Labor", "unit_price": 12500, "quantity": 2, "kind": "labor"},
                {"name": "Valve", "unit_price": 4550, "quantity": 1, "kind": "materials"},
                {"name": "Coupon", "unit_price": 10, "kind": "percent discount"},
            ],
        }
        job = self.api.call("POST", "/jobs", "/jobs", body=sent)
        done = self.api.call("POST", None, f"/jobs/{job['id']}/finish", status=200)
        require(done.get("work_status") == "complete unrated", f"work_status {done.get('work_status')!r}")
        self.job = done
        self.ids["invoice_job_id"] = done["id"]

    def job_invoices(self) -> None:
        job_id = self.hcp.need("invoice_job_id")
        body = self.api.call("GET", "/jobs/{job_id}/invoices", f"/jobs/{job_id}/invoices")
        invoices = body.get("invoices") or []
        require(len(invoices) == 1, f"{len(invoices)} invoices after finishing, expected 1")
        inv = invoices[0]
        require(bool(INVOICE_ID.match(str(inv.get("id")))), f"invoice id {inv.get('id')!r} is not inv_ + 32 hex")
        require(inv.get("amount") == self.job.get("total_amount"),
                f"invoice amount {inv.get('amount')} != job total {self.job.get('total_amount')}")
        require(inv.get("subtotal") == self.job.get("subtotal"), "invoice subtotal != job subtotal")
        require(inv.get("due_amount") == self.job.get("outstanding_balance"), "due_amount != outstanding_balance")
        require(inv.get("invoice_number") == self.job.get("invoice_number"), "invoice_number != job's")
        self.ids["uuid"] = inv["id"]

    def get_invoice(self) -> None:
        uuid = self.hcp.need("uuid")
        body = self.api.call("GET", "/api/invoices/{uuid}", f"/api/invoices/{uuid}")
        require(body.get("id") == uuid and body.get("job_id") == self.hcp.need("invoice_job_id"),
                f"wrong invoice: {snippet(body)}")
        # 25,000 + 4,550 = 29,550 less 10 % = 26,595.
        require(body.get("subtotal") == 29550 and body.get("amount") == 26595,
                f"subtotal/amount {body.get('subtotal')}/{body.get('amount')}, expected 29550/26595")
        discounts = body.get("discounts") or []
        require(len(discounts) == 1 and discounts[0].get("amount") == -2955, f"discounts {snippet(discounts)}")

    def pay(self) -> None:
        uuid = self.hcp.need("uuid")
        path = f"/api/invoices/{uuid}/payments"
        body = self.api.call("POST", None, path, status=201,
                             body={"amount": 10000, "payment_method": "credit_card", "note": "deposit"})
        self._schema("/api/invoices/{uuid}", body, f"POST {path}")
        require(body.get("due_amount") == 16595 and body.get("status") == "open",
                f"after paying 10000: due {body.get('due_amount')}, status {body.get('status')}")
        job = self.api.call("GET", "/jobs/{id}", f"/jobs/{self.hcp.need('invoice_job_id')}")
        require(job.get("outstanding_balance") == 16595,
                f"job outstanding_balance {job.get('outstanding_balance')} != invoice due 16595")
        resp = self.api.raw("POST", path, body={"amount": 16596, "payment_method": "ach"})
        require(resp.status_code == 422, f"overpayment -> {resp.status_code}, expected 422: {snippet(resp.text)}")

    def list_invoices(self) -> None:
        uuid = self.hcp.need("uuid")
        params = [("page", 1), ("page_size", 5), ("sort_by", "due_amount"), ("sort_direction", "asc"),
                  ("status[]", "open"), ("status[]", "pending_payment"),
                  ("customer_uuid[]", self.hcp.need("customer_id")),
                  ("payment_method[]", "credit_card"), ("amount_due_min", 16595),
                  ("amount_due_max", 16595), ("created_at_min", _at(-1, 0)),
                  ("created_at_max", _at(1, 0)), ("due_at_max", _at(1, 0)),
                  ("location_ids[]", "ignored")]
        body = self.api.call("GET", "/invoices", "/invoices", params=params)
        invoices = check_page(body, "invoices", 1, 5)
        require([i.get("id") for i in invoices] == [uuid], f"filters found {[i.get('id') for i in invoices]}")
        require(invoices[0].get("due_amount") == 16595, "the list shows another due amount")
        for sort in ("amount", "invoice_number", "paid_at", "due_at", "status", "sent_at", "updated_at"):
            body = self.api.call("GET", "/invoices", "/invoices",
                                 params={"sort_by": sort, "page": 2, "page_size": 3})
            check_page(body, "invoices", 2, 3)
        body = self.api.call("GET", "/invoices", "/invoices", params=[("status[]", "paid"), ("page_size", 50)])
        require(all(i.get("status") == "paid" and i.get("due_amount") == 0 for i in body["invoices"]),
                "status[]=paid lists an unpaid invoice")

    def plain_status(self) -> None:
        resp = self.api.raw("GET", "/invoices", params={"status": "open"})
        require(resp.status_code == 422, f"plain status= gave {resp.status_code}, not 422 (hcp-api.md §4)")
        body = resp.json()
        require(isinstance(body.get("errors", {}).get("status"), list), f"422 body: {snippet(body)}")

    def preview(self) -> None:
        uuid = self.hcp.need("uuid")
        resp = self.api.raw("GET", f"/api/invoices/{uuid}/preview")
        desc = describe(resp)
        require(resp.status_code == 200, f"{desc} -> {resp.status_code}: {snippet(resp.text)}")
        ctype = resp.headers.get("Content-Type", "")
        require(ctype.startswith("text/html"), f"{desc}: Content-Type {ctype!r}, not text/html")
        html = resp.text
        for text in (f"Invoice #{self.job.get('invoice_number')}", "$295.50", "$265.95", "$165.95",
                     "Amount due", "Lovelace"):
            require(text in html, f"{desc}: the page lacks {text!r}")

    def unknown_invoice(self) -> None:
        for path in ("/api/invoices/inv_00000000000000000000000000000000",
                     "/api/invoices/inv_00000000000000000000000000000000/preview"):
            resp = self.api.raw("GET", path)
            require(resp.status_code == 404 and resp.json() == {"error": {"message": "invoice not found"}},
                    f"GET {path} -> {resp.status_code} {snippet(resp.text)}")

    # --- events ----------------------------------------------------------------------------

    def post_event(self) -> None:
        employee = self.api.call("GET", "/employees", "/employees", params={"page_size": 1})
        self.ids["event_employee_id"] = employee["employees"][0]["id"]
        sent = {
            "name": "Conformance: truck inspection", "note": "Bring the log book",
            "tags": ["fleet"], "recurrence_rule": "FREQ=MONTHLY;BYMONTHDAY=1",
            "address": {"street": "1 Shop Rd", "city": "Oakland", "state": "CA", "zip": "94607"},
            "assigned_employee_ids": [self.ids["event_employee_id"]],
            "schedule": {"start_time": _at(5, 15), "end_time": _at(5, 17)},
        }
        body = self.api.call("POST", None, "/events", status=201, body=sent)
        self._schema("/events/{event_id}", body, "POST /events")
        require(bool(EVENT_ID.match(str(body.get("id")))), f"event id {body.get('id')!r} is not evt_ + 32 hex")
        for key in ("name", "note", "tags", "recurrence_rule"):
            require(body.get(key) == sent[key], f"{key} is {body.get(key)!r}, sent {sent[key]!r}")
        require((body.get("schedule") or {}).get("start_time") == sent["schedule"]["start_time"],
                f"schedule {snippet(body.get('schedule'))}")
        require([e.get("id") for e in body.get("assigned_employees") or []] == [self.ids["event_employee_id"]],
                "assigned_employees")
        self.ids["event_id"] = body["id"]

    def get_event(self) -> None:
        event_id = self.hcp.need("event_id")
        body = self.api.call("GET", "/events/{event_id}", f"/events/{event_id}")
        require(body.get("id") == event_id, "wrong event")

    def list_events(self) -> None:
        body = self.api.call("GET", "/events", "/events",
                             params={"page": 1, "page_size": 5, "sort_by": "created_at", "sort_direction": "desc"})
        events = check_page(body, "events", 1, 5)
        require(body["total_items"] >= 21, f"the demo has {body['total_items']} events, expected 20+")
        require(events and events[0].get("id") == self.hcp.need("event_id"), "the new event is not first")
        for sort in ("name", "note", "updated_at", "street", "street_line_2", "city", "state", "zip"):
            body = self.api.call("GET", "/events", "/events", params={"sort_by": sort, "page": 2, "page_size": 4})
            check_page(body, "events", 2, 4)

    def put_event(self) -> None:
        event_id = self.hcp.need("event_id")
        body = self.api.call("PUT", None, f"/events/{event_id}", status=200,
                             body={"name": "Conformance: truck inspection (moved)", "note": None,
                                   "schedule": {"start_time": _at(6, 15), "end_time": _at(6, 16)}})
        self._schema("/events/{event_id}", body, f"PUT /events/{event_id}")
        require(body.get("note") is None and body.get("tags") == ["fleet"], f"partial update: {snippet(body)}")
        require((body.get("schedule") or {}).get("end_time") == _at(6, 16), "schedule not moved")

    def delete_event(self) -> None:
        body = self.api.call("POST", None, "/events", status=201,
                             body={"name": "Conformance: delete me",
                                   "schedule": {"start_time": _at(7, 9), "end_time": _at(7, 10)}})
        path = f"/events/{body['id']}"
        gone = self.api.call("DELETE", None, path, status=200)
        require(gone == {"id": body["id"], "deleted": True}, f"DELETE answer {snippet(gone)}")
        resp = self.api.raw("GET", path)
        require(resp.status_code == 404 and resp.json() == {"error": {"message": "event not found"}},
                f"GET after DELETE -> {resp.status_code} {snippet(resp.text)}")

    # --- conventions -----------------------------------------------------------------------

    def _documented(self, name: str) -> list[str]:
        return list(self.api.validator.spec["components"]["schemas"][name].get("properties", {}))

    def explicit_nulls(self) -> None:
        """HCP emits every field, with an explicit null when empty (reference/hcp-api.md)."""
        samples: list[tuple[str, Any]] = []
        invoices = self.api.call("GET", "/invoices", "/invoices", params={"page_size": 20}).get("invoices") or []
        for inv in invoices:
            samples.append(("JobInvoice", inv))
            samples += [("InvoiceItem", i) for i in inv.get("items") or []]
            samples += [("InvoiceTax", t) for t in inv.get("taxes") or []]
            samples += [("InvoiceDiscount", d) for d in inv.get("discounts") or []]
            samples += [("InvoicePayment", p) for p in inv.get("payments") or []]
        events = self.api.call("GET", "/events", "/events", params={"page_size": 20}).get("events") or []
        samples += [("Event", e) for e in events]
        kinds = {name for name, _ in samples}
        require({"JobInvoice", "InvoiceItem", "InvoiceTax", "InvoicePayment", "Event"} <= kinds,
                f"the demo data lacks some shapes: only {sorted(kinds)}")
        missing = sorted({f"{name}.{field}" for name, obj in samples if isinstance(obj, dict)
                          for field in self._documented(name) if field not in obj})
        require(not missing, f"fields omitted instead of sent as null: {', '.join(missing)}")
