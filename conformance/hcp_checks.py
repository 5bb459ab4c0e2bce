"""Targeted checks of the core HCP operations (customers, company, reference data, vendors) with realistic requests and list params."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Callable

from client import Api, CheckFailed, require, snippet

ID_PATTERNS = {
    "customer": re.compile(r"^cus_[0-9a-f]{32}$"),
    "address": re.compile(r"^adr_[0-9a-f]{32}$"),
    "employee": re.compile(r"^pro_[0-9a-f]{32}$"),
}


def check_id(kind: str, value: Any) -> None:
    require(isinstance(value, str) and bool(ID_PATTERNS[kind].match(value)),
            f"{kind} id {value!r} is not '{ID_PATTERNS[kind].pattern[1:5]}' + 32 hex")


def _minutes(start: str, end: str) -> int:
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return int((datetime.strptime(end, fmt) - datetime.strptime(start, fmt)).total_seconds() // 60)


def check_page(body: dict[str, Any], key: str, page: int, page_size: int) -> list[Any]:
    items = body.get(key)
    require(isinstance(items, list), f"list envelope has no '{key}' array: {snippet(body)}")
    require(body.get("page") == page, f"page is {body.get('page')!r}, expected {page}")
    require(body.get("page_size") == page_size,
            f"page_size is {body.get('page_size')!r}, expected {page_size}")
    require(len(items) <= page_size, f"{len(items)} items on a page of size {page_size}")
    total, pages = body.get("total_items"), body.get("total_pages")
    require(isinstance(total, int) and isinstance(pages, int),
            f"total_items/total_pages are not integers: {total!r}/{pages!r}")
    want = -(-total // page_size)
    require(pages == want or (total == 0 and pages == 1),
            f"total_pages {pages} != ceil(total_items {total} / page_size {page_size})")
    return items


class HcpChecks:
    """Runs in order; later checks reuse the ids created by earlier ones."""

    def __init__(self, api: Api):
        self.api = api
        self.token = uuid.uuid4().hex[:10]
        self.ids: dict[str, str] = {}
        self.customer_body = {
            "first_name": "Ada",
            "last_name": f"Lovelace {self.token}",
            "email": f"ada.{self.token}@example.com",
            "mobile_number": "4155550123",
            "home_number": "4155550124",
            "company": "Analytical Engines LLC",
            "notifications_enabled": True,
            "notes": "Created by the conformance check",
            "tags": ["conformance"],
            "addresses": [{
                "street": "555 Market St", "street_line_2": "Suite 100", "city": "San Francisco",
                "state": "CA", "zip": "94105", "country": "US",
            }],
        }

    def need(self, key: str) -> str:
        if key not in self.ids:
            raise CheckFailed(f"not run: no {key} available (an earlier check failed)")
        return self.ids[key]

    def checks(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("GET /company", self.get_company),
            ("GET /employees", self.get_employees),
            ("POST /customers", self.post_customer),
            ("GET /customers", self.get_customers),
            ("GET /customers/{customer_id}", self.get_customer),
            ("PUT /customers/{customer_id}", self.put_customer),
            ("POST /customers/{customer_id}/addresses", self.post_address),
            ("GET /customers/{customer_id}/addresses", self.get_addresses),
            ("GET /customers/{customer_id}/addresses/{address_id}", self.get_address),
            ("GET /customers?page=&page_size= (paging)", self.customers_paging),
            ("GET /customers?sort_by=created_at&sort_direction= (sorting)", self.customers_sorting),
            ("GET /customers?q= (search)", self.customers_search),
            ("GET /customers?expand[]=attachments", self.customers_expand),
            ("GET /company/schedule_availability", self.get_schedule),
            ("PUT /company/schedule_availability", self.put_schedule),
            ("GET /company/schedule_availability/booking_windows", self.get_booking_windows),
            ("POST /tags", self.post_tag),
            ("GET /tags", self.get_tags),
            ("PUT /tags/{tag_id}", self.put_tag),
            ("POST /lead_sources", self.post_lead_source),
            ("GET /lead_sources", self.get_lead_sources),
            ("PUT /lead_sources/{lead_source_id}", self.put_lead_source),
            ("POST /job_fields/job_types", self.post_job_type),
            ("GET /job_fields/job_types", self.get_job_types),
            ("PUT /job_fields/job_types/{job_type_id}", self.put_job_type),
            ("GET /application", self.get_application),
            ("POST /application/enable", self.enable_application),
            ("POST /application/disable", self.disable_application),
            ("POST /webhooks/subscription", self.post_subscription),
            ("DELETE /webhooks/subscription", self.delete_subscription),
        ]

    def find(self, template: str, key: str, pred: Callable[[dict[str, Any]], bool],
             params: list[tuple[str, Any]] | None = None, max_pages: int = 20) -> dict[str, Any] | None:
        """Page through a list operation until ``pred`` matches an item."""
        for page in range(1, max_pages + 1):
            body = self.api.call("GET", template, template,
                                 params=[*(params or []), ("page", page), ("page_size", 50)])
            items = body.get(key) or []
            for item in items:
                if isinstance(item, dict) and pred(item):
                    return item
            if page >= (body.get("total_pages") or 0) or not items:
                return None
        return None

    # --- company and employees -------------------------------------------------------------

    def get_company(self) -> None:
        body = self.api.call("GET", "/company", "/company")
        require(isinstance(body.get("id"), str) and body["id"], f"company has no id: {snippet(body)}")

    def get_employees(self) -> None:
        body = self.api.call("GET", "/employees", "/employees",
                             params={"page": 1, "page_size": 5, "sort_by": "created_at",
                                     "sort_direction": "desc"})
        employees = check_page(body, "employees", 1, 5)
        require(body["total_items"] >= 1, "the demo company has no employees")
        for emp in employees:
            check_id("employee", emp.get("id"))

    # --- customers and addresses -----------------------------------------------------------

    def post_customer(self) -> None:
        sent = self.customer_body
        body = self.api.call("POST", "/customers", "/customers", body=sent)
        check_id("customer", body.get("id"))
        for key in ("first_name", "last_name", "email", "mobile_number", "home_number", "company",
                    "notes", "notifications_enabled"):
            require(body.get(key) == sent[key], f"{key} is {body.get(key)!r}, sent {sent[key]!r}")
        require("conformance" in (body.get("tags") or []), f"tags not kept: {body.get('tags')!r}")
        addresses = body.get("addresses") or []
        require(len(addresses) == 1, f"expected 1 address, got {snippet(addresses)}")
        for key, value in sent["addresses"][0].items():
            require(addresses[0].get(key) == value, f"address {key} is {addresses[0].get(key)!r}")
        check_id("address", addresses[0].get("id"))
        self.ids["customer_id"] = body["id"]
        self.ids["first_address_id"] = addresses[0]["id"]

    def get_customers(self) -> None:
        body = self.api.call("GET", "/customers", "/customers")
        customers = check_page(body, "customers", 1, 10)
        require(len(customers) >= 1, "no customers listed")
        if "customer_id" not in self.ids and customers:
            self.ids["customer_id"] = customers[0]["id"]

    def get_customer(self) -> None:
        cid = self.need("customer_id")
        body = self.api.call("GET", "/customers/{customer_id}", f"/customers/{cid}")
        require(body.get("id") == cid, f"asked for {cid}, got {body.get('id')!r}")
        if "first_address_id" in self.ids:
            require(body.get("email") == self.customer_body["email"], "email differs from the POST")

    def put_customer(self) -> None:
        cid = self.need("customer_id")
        change = {"first_name": "Augusta", "work_number": "4155550199", "notes": "Updated"}
        body = self.api.call("PUT", "/customers/{customer_id}", f"/customers/{cid}", body=change)
        for key, value in change.items():
            require(body.get(key) == value, f"{key} is {body.get(key)!r} after PUT, sent {value!r}")
        again = self.api.call("GET", "/customers/{customer_id}", f"/customers/{cid}")
        require(again.get("first_name") == "Augusta", "the PUT was not persisted")
        if "first_address_id" in self.ids:
            require(again.get("last_name") == self.customer_body["last_name"],
                    "PUT without last_name changed last_name")

    def post_address(self) -> None:
        cid = self.need("customer_id")
        sent = {"street": "1 Ferry Building", "street_line_2": "Marketplace", "city": "San Francisco",
                "state": "CA", "zip": "94111", "country": "US"}
        body = self.api.call("POST", "/customers/{customer_id}/addresses",
                             f"/customers/{cid}/addresses", body=sent)
        check_id("address", body.get("id"))
        for key, value in sent.items():
            require(body.get(key) == value, f"{key} is {body.get(key)!r}, sent {value!r}")
        self.ids["address_id"] = body["id"]

    def get_addresses(self) -> None:
        cid = self.need("customer_id")
        body = self.api.call("GET", "/customers/{customer_id}/addresses", f"/customers/{cid}/addresses",
                             params={"page": 1, "page_size": 10, "sort_by": "created_at",
                                     "sort_direction": "asc"})
        addresses = check_page(body, "addresses", 1, 10)
        ids = [a.get("id") for a in addresses]
        for key in ("first_address_id", "address_id"):
            if key in self.ids:
                require(self.ids[key] in ids, f"address {self.ids[key]} not listed: {ids}")
        if "address_id" not in self.ids and ids:
            self.ids["address_id"] = ids[0]

    def get_address(self) -> None:
        cid, aid = self.need("customer_id"), self.need("address_id")
        body = self.api.call("GET", "/customers/{customer_id}/addresses/{address_id}",
                             f"/customers/{cid}/addresses/{aid}")
        require(body.get("id") == aid, f"asked for {aid}, got {body.get('id')!r}")

    def customers_paging(self) -> None:
        first = self.api.call("GET", "/customers", "/customers", params={"page": 1, "page_size": 1})
        one = check_page(first, "customers", 1, 1)
        require(first["total_items"] >= 2, "paging needs 2+ customers (demo data + the created one)")
        second = self.api.call("GET", "/customers", "/customers", params={"page": 2, "page_size": 1})
        two = check_page(second, "customers", 2, 1)
        require(len(one) == 1 and len(two) == 1, "page 1 or 2 is empty")
        require(one[0].get("id") != two[0].get("id"), "page 1 and page 2 return the same customer")
        beyond = self.api.call("GET", "/customers", "/customers",
                               params={"page": first["total_pages"] + 1, "page_size": 1})
        require(beyond.get("customers") == [], "a page past the end is not empty")

    def customers_sorting(self) -> None:
        for direction in ("asc", "desc"):
            body = self.api.call("GET", "/customers", "/customers",
                                 params={"sort_by": "created_at", "sort_direction": direction,
                                         "page_size": 50})
            stamps = [c.get("created_at") for c in body.get("customers") or []]
            require(all(isinstance(s, str) for s in stamps), f"created_at missing: {stamps}")
            want = sorted(stamps, reverse=direction == "desc")
            require(stamps == want, f"sort_direction={direction} not ordered by created_at: {stamps}")

    def customers_search(self) -> None:
        cid = self.need("customer_id")
        if "first_address_id" not in self.ids:
            raise CheckFailed("not run: POST /customers failed")
        body = self.api.call("GET", "/customers", "/customers", params={"q": self.token})
        ids = [c.get("id") for c in body.get("customers") or []]
        require(cid in ids, f"q={self.token} (part of last_name/email) did not find {cid}: {ids}")
        body = self.api.call("GET", "/customers", "/customers",
                             params={"q": f"nomatch{uuid.uuid4().hex}"})
        require(body.get("total_items") == 0, f"a query matching nothing found {body.get('total_items')}")
        empty = self.api.call("GET", "/customers", "/customers", params={"q": ""})
        plain = self.api.call("GET", "/customers", "/customers")
        require(empty.get("total_items") == plain.get("total_items"),
                f"q= (empty) found {empty.get('total_items')}, no q found {plain.get('total_items')}")

    def customers_expand(self) -> None:
        body = self.api.call("GET", "/customers", "/customers", params=[("expand[]", "attachments")])
        for cust in body.get("customers") or []:
            require(isinstance(cust.get("attachments"), list),
                    f"customer {cust.get('id')} has no attachments array with expand[]=attachments")
        cid = self.need("customer_id")
        one = self.api.call("GET", "/customers/{customer_id}", f"/customers/{cid}",
                            params=[("expand[]", "attachments"), ("expand[]", "do_not_service")])
        require(isinstance(one.get("attachments"), list), "GET customer: no attachments array")
        require(isinstance(one.get("do_not_service"), bool), "GET customer: no do_not_service boolean")

    # --- schedule --------------------------------------------------------------------------

    def get_schedule(self) -> None:
        self.api.call("GET", "/company/schedule_availability", "/company/schedule_availability")

    def put_schedule(self) -> None:
        sent = {"availability_buffer_in_days": 1, "daily_schedule_windows": [
            {"day_name": "monday", "schedule_windows": [{"start_time": "08:00", "end_time": "17:00"}]}]}
        for body in (self.api.call("PUT", "/company/schedule_availability",
                                   "/company/schedule_availability", body=sent),
                     self.api.call("GET", "/company/schedule_availability",
                                   "/company/schedule_availability")):
            require(body.get("availability_buffer_in_days") == 1,
                    f"availability_buffer_in_days is {body.get('availability_buffer_in_days')!r}")
            days = ((body.get("daily_availabilities") or {}).get("data")) or []
            monday = [d for d in days if str(d.get("day_name", "")).lower() == "monday"]
            require(len(monday) == 1, f"no single monday in daily_availabilities: {snippet(days)}")
            windows = monday[0].get("schedule_windows") or []
            require(any("08:00" in str(w.get("start_time")) and "17:00" in str(w.get("end_time"))
                        for w in windows), f"monday windows are {snippet(windows)}")
        self.ids["schedule_set"] = "monday"

    def get_booking_windows(self) -> None:
        body = self.api.call("GET", "/company/schedule_availability/booking_windows",
                             "/company/schedule_availability/booking_windows",
                             params={"show_for_days": 3})
        require(body.get("show_for_days") == 3, f"show_for_days is {body.get('show_for_days')!r}")
        require(isinstance(body.get("booking_windows"), list), "booking_windows is not an array")
        if "schedule_set" not in self.ids:
            return
        # The PUT above opened Mondays 08:00-17:00: two weeks always contain a bookable Monday.
        body = self.api.call("GET", "/company/schedule_availability/booking_windows",
                             "/company/schedule_availability/booking_windows",
                             params={"show_for_days": 14})
        windows = body.get("booking_windows") or []
        require(len(windows) > 0, "no booking windows in 14 days with Mondays open 08:00-17:00")
        stamp = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
        for win in windows:
            start, end = str(win.get("start_time")), str(win.get("end_time"))
            require(bool(stamp.match(start) and stamp.match(end)) and start < end,
                    f"window {snippet(win)} is not a UTC start < end pair like 2026-11-30T16:00:00Z")
        # The spec: window size is service_duration, else the service's duration, else 30 minutes.
        for duration, params in ((30, {"show_for_days": 14}),
                                 (60, {"show_for_days": 14, "service_duration": 60})):
            body = self.api.call("GET", "/company/schedule_availability/booking_windows",
                                 "/company/schedule_availability/booking_windows", params=params)
            sizes = sorted({_minutes(w["start_time"], w["end_time"])
                            for w in body.get("booking_windows") or []})
            require(sizes == [duration], f"with {params}: window lengths are {sizes} minutes, "
                                         f"expected {duration} (spec: default 30 minutes)")

    # --- tags, lead sources, job types -----------------------------------------------------

    def _named(self, kind: str, post: str, put: str, list_key: str, id_key: str,
               list_params: list[tuple[str, Any]] | None = None) -> tuple[Callable, Callable, Callable]:
        name = f"Conformance {kind} {self.token}"

        def create() -> None:
            body = self.api.call("POST", post, post, body={"name": name})
            require(isinstance(body.get("id"), str) and body["id"], f"no id: {snippet(body)}")
            require(body.get("name") == name, f"name is {body.get('name')!r}, sent {name!r}")
            self.ids[id_key] = body["id"]

        def listing() -> None:
            body = self.api.call("GET", post, post, params={"page": 1, "page_size": 5})
            check_page(body, list_key, 1, 5)
            if id_key in self.ids:
                found = self.find(post, list_key, lambda i: i.get("id") == self.ids[id_key], list_params)
                require(found is not None, f"created {kind} {self.ids[id_key]} not listed")
            elif body.get(list_key):
                self.ids[id_key] = body[list_key][0]["id"]

        def update() -> None:
            ident = self.need(id_key)
            new = f"{name} renamed"
            body = self.api.call("PUT", put, put.replace("{" + id_key + "}", ident), body={"name": new})
            require(body.get("id") == ident, f"PUT returned id {body.get('id')!r}")
            require(body.get("name") == new, f"name is {body.get('name')!r} after PUT")

        return create, listing, update

    def post_tag(self) -> None:
        self._named("tag", "/tags", "/tags/{tag_id}", "tags", "tag_id")[0]()

    def get_tags(self) -> None:
        self._named("tag", "/tags", "/tags/{tag_id}", "tags", "tag_id")[1]()

    def put_tag(self) -> None:
        self._named("tag", "/tags", "/tags/{tag_id}", "tags", "tag_id")[2]()

    def _lead_source(self) -> tuple[Callable, Callable, Callable]:
        return self._named("lead source", "/lead_sources", "/lead_sources/{lead_source_id}",
                           "lead_sources", "lead_source_id")

    def post_lead_source(self) -> None:
        self._lead_source()[0]()

    def get_lead_sources(self) -> None:
        self._lead_source()[1]()
        if "lead_source_id" in self.ids:
            name = f"Conformance lead source {self.token}"
            body = self.api.call("GET", "/lead_sources", "/lead_sources", params={"q": self.token})
            names = [i.get("name") for i in body.get("lead_sources") or []]
            require(name in names, f"q={self.token} did not find {name!r}: {names}")

    def put_lead_source(self) -> None:
        self._lead_source()[2]()

    def _job_type(self) -> tuple[Callable, Callable, Callable]:
        return self._named("job type", "/job_fields/job_types", "/job_fields/job_types/{job_type_id}",
                           "job_types", "job_type_id")

    def post_job_type(self) -> None:
        self._job_type()[0]()

    def get_job_types(self) -> None:
        self._job_type()[1]()
        if "job_type_id" in self.ids:
            name = f"Conformance job type {self.token}"
            body = self.api.call("GET", "/job_fields/job_types", "/job_fields/job_types",
                                 params={"name": name})
            names = [i.get("name") for i in body.get("job_types") or []]
            require(name in names, f"name={name!r} filter did not find it: {names}")

    def put_job_type(self) -> None:
        self._job_type()[2]()

    # --- application -----------------------------------------------------------------------

    def get_application(self) -> None:
        self.api.call("GET", "/application", "/application")

    def enable_application(self) -> None:
        body = self.api.call("POST", "/application/enable", "/application/enable")
        require(body.get("state") == "enabled", f"state is {body.get('state')!r} after enable")
        again = self.api.call("GET", "/application", "/application")
        require(again.get("state") == "enabled", f"GET shows state {again.get('state')!r} after enable")

    def disable_application(self) -> None:
        body = self.api.call("POST", "/application/disable", "/application/disable")
        require(body.get("state") == "disabled", f"state is {body.get('state')!r} after disable")

    # --- webhooks ---------------------------------------------------------------------------

    def post_subscription(self) -> None:
        # `--demo` allows loopback URLs; nothing listens on port 9, so deliveries just retry.
        url = "http://127.0.0.1:9/hcp-webhooks"
        body = self.api.call("POST", "/webhooks/subscription", "/webhooks/subscription",
                             body={"url": url, "events": ["job.created", "customer.created"]})
        require(isinstance(body, dict) and body.get("enabled") is True and body.get("url") == url,
                f"subscription not enabled: {body}")
        again = self.api.call("POST", "/webhooks/subscription", "/webhooks/subscription", body={})
        require(again.get("id") == body.get("id"), "a second POST must update the same subscription")
        refused = self.api.raw("POST", "/webhooks/subscription",
                               body={"url": "http://169.254.169.254/latest/meta-data"})
        require(refused.status_code == 422, f"metadata URL accepted: {refused.status_code}")

    def delete_subscription(self) -> None:
        body = self.api.call("DELETE", "/webhooks/subscription", "/webhooks/subscription")
        require(isinstance(body, dict) and body.get("enabled") is False, f"still enabled: {body}")
        self.api.call("DELETE", "/webhooks/subscription", "/webhooks/subscription")
