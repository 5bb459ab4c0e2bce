"""Checks of Fieldwork's own vendors API (not in the HCP spec), against a schema written here."""

from __future__ import annotations

import uuid
from typing import Any, Callable

from client import Api, CheckFailed, describe, require, snippet
from spec import validate

_STR_OR_NULL = {"type": ["string", "null"]}

VENDOR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "name", "contact_name", "email", "phone", "address", "notes", "tags"],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "name": {"type": "string"},
        "contact_name": _STR_OR_NULL,
        "email": _STR_OR_NULL,
        "phone": _STR_OR_NULL,
        "address": {
            "type": ["object", "null"],
            "properties": {k: _STR_OR_NULL for k in
                           ("street", "street_line_2", "city", "state", "zip", "country")},
        },
        "notes": _STR_OR_NULL,
        "tags": {"type": "array", "items": {"type": "string"}},
        "created_at": {"type": "string"},
        "updated_at": {"type": "string"},
    },
}

VENDOR_LIST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["page", "page_size", "total_pages", "total_items", "vendors"],
    "properties": {
        "page": {"type": "integer"},
        "page_size": {"type": "integer"},
        "total_pages": {"type": "integer"},
        "total_items": {"type": "integer"},
        "vendors": {"type": "array", "items": VENDOR_SCHEMA},
    },
}


class VendorChecks:
    def __init__(self, api: Api):
        self.api = api
        token = uuid.uuid4().hex[:10]
        self.body = {
            "name": f"Acme Plumbing Supply {token}",
            "contact_name": "Grace Hopper",
            "email": f"orders.{token}@acme-supply.example",
            "phone": "4155550142",
            "address": {"street": "200 Industrial Way", "street_line_2": "Dock 4",
                        "city": "Oakland", "state": "CA", "zip": "94607", "country": "US"},
            "notes": "Net 30; ask for Grace",
            "tags": ["plumbing", "preferred"],
        }
        self.vendor_id: str | None = None

    def checks(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("POST /vendors", self.create),
            ("GET /vendors", self.listing),
            ("GET /vendors/{vendor_id}", self.get),
            ("PUT /vendors/{vendor_id}", self.update),
            ("DELETE /vendors/{vendor_id}", self.delete),
        ]

    def _call(self, method: str, path: str, status: tuple[int, ...], schema: dict[str, Any] | None,
              body: Any = None, params: Any = None) -> Any:
        payload = self.api.call(method, None, path, body=body, params=params, status=status)
        if schema is not None:
            errors = validate(schema, payload)
            if errors:
                raise CheckFailed(f"{method} {path} -> response violates the vendor schema: "
                                  + "; ".join(errors) + f"; body: {snippet(payload)}")
        return payload

    def _need(self) -> str:
        if self.vendor_id is None:
            raise CheckFailed("not run: POST /vendors failed")
        return self.vendor_id

    def _same(self, got: dict[str, Any], want: dict[str, Any], what: str) -> None:
        for key, value in want.items():
            if key == "address":
                for k, v in value.items():
                    require((got.get("address") or {}).get(k) == v,
                            f"{what}: address.{k} is {(got.get('address') or {}).get(k)!r}, sent {v!r}")
            elif key == "tags":
                require(sorted(got.get("tags") or []) == sorted(value), f"{what}: tags {got.get('tags')!r}")
            else:
                require(got.get(key) == value, f"{what}: {key} is {got.get(key)!r}, sent {value!r}")

    def create(self) -> None:
        got = self._call("POST", "/vendors", (201,), VENDOR_SCHEMA, body=self.body)
        self._same(got, self.body, "POST /vendors")
        self.vendor_id = got["id"]

    def listing(self) -> None:
        first = self._call("GET", "/vendors", (200,), VENDOR_LIST_SCHEMA,
                           params={"page": 1, "page_size": 5})
        require(first["page"] == 1 and first["page_size"] == 5,
                f"page/page_size echoed as {first['page']}/{first['page_size']}")
        require(len(first["vendors"]) <= 5, "more items than page_size")
        if self.vendor_id is None:
            return
        for page in range(1, 21):
            body = self._call("GET", "/vendors", (200,), VENDOR_LIST_SCHEMA,
                              params={"page": page, "page_size": 50})
            if any(v.get("id") == self.vendor_id for v in body["vendors"]):
                return
            if page >= body["total_pages"] or not body["vendors"]:
                break
        raise CheckFailed(f"created vendor {self.vendor_id} is not listed by GET /vendors")

    def get(self) -> None:
        vid = self._need()
        got = self._call("GET", f"/vendors/{vid}", (200,), VENDOR_SCHEMA)
        self._same(got, self.body, f"GET /vendors/{vid}")

    def update(self) -> None:
        vid = self._need()
        change = {**self.body, "name": self.body["name"] + " West", "notes": "Net 45",
                  "tags": ["plumbing"]}
        got = self._call("PUT", f"/vendors/{vid}", (200,), VENDOR_SCHEMA, body=change)
        self._same(got, change, f"PUT /vendors/{vid}")
        again = self._call("GET", f"/vendors/{vid}", (200,), VENDOR_SCHEMA)
        self._same(again, change, f"GET /vendors/{vid} after PUT")

    def delete(self) -> None:
        vid = self._need()
        self._call("DELETE", f"/vendors/{vid}", (200, 204), None)
        resp = self.api.raw("GET", f"/vendors/{vid}")
        require(resp.status_code == 404,
                f"{describe(resp)} after DELETE -> {resp.status_code}, expected 404: {snippet(resp.text)}")
