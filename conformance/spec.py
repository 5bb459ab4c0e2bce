"""Load HCP's OpenAPI file leniently and derive the relaxed copy that the checks validate against.

The file itself is never modified or copied into the repository: every relaxation below is applied
to an in-memory copy (and, for schemathesis, written to a temporary directory at run time).
"""

from __future__ import annotations

import copy
from typing import Any, Iterable

import jsonschema
import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

# The 75 HCP operations Fieldwork implements today, as (METHOD, path template).
# The HCP operations Fieldwork implements today, as (METHOD, path template).
OPERATIONS: list[tuple[str, str]] = [
    ("GET", "/customers"),
    ("POST", "/customers"),
    ("GET", "/customers/{customer_id}"),
    ("PUT", "/customers/{customer_id}"),
    ("GET", "/customers/{customer_id}/addresses"),
    ("POST", "/customers/{customer_id}/addresses"),
    ("GET", "/customers/{customer_id}/addresses/{address_id}"),
    ("GET", "/employees"),
    ("GET", "/company"),
    ("GET", "/company/schedule_availability"),
    ("PUT", "/company/schedule_availability"),
    ("GET", "/company/schedule_availability/booking_windows"),
    ("GET", "/tags"),
    ("POST", "/tags"),
    ("PUT", "/tags/{tag_id}"),
    ("GET", "/lead_sources"),
    ("POST", "/lead_sources"),
    ("PUT", "/lead_sources/{lead_source_id}"),
    ("GET", "/job_fields/job_types"),
    ("POST", "/job_fields/job_types"),
    ("PUT", "/job_fields/job_types/{job_type_id}"),
    ("GET", "/application"),
    ("POST", "/application/enable"),
    ("POST", "/application/disable"),
    ("GET", "/jobs"),
    ("POST", "/jobs"),
    ("GET", "/jobs/{id}"),
    ("GET", "/jobs/{job_id}/line_items"),
    ("POST", "/jobs/{job_id}/line_items"),
    ("PUT", "/jobs/{job_id}/line_items/bulk_update"),
    ("PUT", "/jobs/{job_id}/line_items/{id}"),
    ("DELETE", "/jobs/{job_id}/line_items/{id}"),
    ("GET", "/jobs/{job_id}/appointments"),
    ("POST", "/jobs/{job_id}/appointments"),
    ("PUT", "/jobs/{job_id}/appointments/{appointment_id}"),
    ("DELETE", "/jobs/{job_id}/appointments/{appointment_id}"),
    ("PUT", "/jobs/{job_id}/schedule"),
    ("DELETE", "/jobs/{job_id}/schedule"),
    ("PUT", "/jobs/{job_id}/dispatch"),
    ("GET", "/jobs/{job_id}/job_input_materials"),
    ("PUT", "/jobs/{job_id}/job_input_materials/bulk_update"),
    ("POST", "/jobs/{job_id}/tags"),
    ("DELETE", "/jobs/{job_id}/tags/{tag_id}"),
    ("POST", "/jobs/{job_id}/notes"),
    ("DELETE", "/jobs/{job_id}/notes/{note_id}"),
    ("POST", "/jobs/{job_id}/links"),
    ("POST", "/jobs/{job_id}/lock"),
    ("POST", "/jobs/lock"),
    ("POST", "/jobs/{job_id}/attachments"),
    ("GET", "/jobs/{job_id}/invoices"),
    ("GET", "/invoices"),
    ("GET", "/api/invoices/{uuid}"),
    ("GET", "/api/invoices/{uuid}/preview"),
    ("GET", "/events"),
    ("GET", "/events/{event_id}"),
    ("POST", "/webhooks/subscription"),
    ("DELETE", "/webhooks/subscription"),
    ("GET", "/estimates"),
    ("POST", "/estimates"),
    ("GET", "/estimates/{estimate_id}"),
    ("POST", "/estimates/{estimate_id}/options"),
    ("POST", "/estimates/{estimate_id}/options/{option_id}/attachments"),
    ("GET", "/estimates/{estimate_id}/options/{option_id}/line_items"),
    ("PUT", "/estimates/{estimate_id}/options/{option_id}/line_items/bulk_update"),
    ("POST", "/estimates/{estimate_id}/options/{option_id}/links"),
    ("PUT", "/estimates/{estimate_id}/options/{option_id}/schedule"),
    ("POST", "/estimates/{estimate_id}/options/{option_id}/notes"),
    ("DELETE", "/estimates/{estimate_id}/options/{option_id}/notes/{note_id}"),
    ("POST", "/estimates/options/approve"),
    ("POST", "/estimates/options/decline"),
    ("GET", "/leads"),
    ("POST", "/leads"),
    ("GET", "/leads/{id}"),
    ("POST", "/leads/{id}/convert"),
    ("GET", "/leads/{lead_id}/line_items"),
]

RESPONSE_SUFFIX = "__response"
_REF_PREFIX = "#/components/schemas/"


def load(path: str) -> dict[str, Any]:
    """Parse the YAML without validating it as OpenAPI (the file fails strict validation)."""
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _walk(node: Any) -> Iterable[dict[str, Any]]:
    """Yield every dict nested anywhere in ``node`` (including ``node``)."""
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            yield cur
            stack.extend(cur.values())
        elif isinstance(cur, list):
            stack.extend(cur)


def fix_string_defaults(spec: dict[str, Any]) -> None:
    """Turn ``default: '10'`` on number/integer schemas into a number (or drop it if unparseable)."""
    for node in _walk(spec):
        kind = node.get("type")
        default = node.get("default")
        if kind in ("number", "integer") and isinstance(default, str):
            try:
                node["default"] = int(default) if kind == "integer" else float(default)
                if kind == "number" and float(default).is_integer():
                    node["default"] = int(float(default))
            except ValueError:
                del node["default"]


def drop_empty_all_of(spec: dict[str, Any]) -> None:
    """`allOf: []` (the DELETE appointment body) is invalid OpenAPI and means "anything"."""
    for node in _walk(spec):
        if node.get("allOf") == []:
            del node["allOf"]


def _make_all_properties_nullable(schema: Any) -> None:
    """The only response relaxation: every object property also accepts ``null``."""
    for node in _walk(schema):
        props = node.get("properties")
        if isinstance(props, dict):
            for prop in props.values():
                if isinstance(prop, dict):
                    # Schemathesis keeps `nullable` next to `$ref`; our own converter does too.
                    prop["nullable"] = True


def _rewrite_refs(schema: Any, suffix: str) -> set[str]:
    """Point component refs at the ``<name><suffix>`` copies; return the names referenced."""
    names: set[str] = set()
    for node in _walk(schema):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            name = ref[len(_REF_PREFIX):]
            if not name.endswith(suffix):
                names.add(name)
                node["$ref"] = _REF_PREFIX + name + suffix
    return names


def _fix_parameter(param: dict[str, Any]) -> None:
    schema = param.get("schema")
    if not isinstance(schema, dict) or param.get("in") != "query":
        return
    if schema.get("type") == "array":
        # `expand` is declared as `type: array, enum: [...]`, which no array can satisfy:
        # the enum belongs to the items.
        if "enum" in schema and "items" not in schema:
            schema["items"] = {"type": "string", "enum": schema.pop("enum")}
        schema.setdefault("items", {"type": "string"})
        # HCP only accepts arrays as repeated `name[]=value` (reference/hcp-api.md section 4).
        if not param["name"].endswith("[]"):
            param["name"] += "[]"
        param["style"] = "form"
        param["explode"] = True


def relaxed_spec(raw: dict[str, Any], operations: list[tuple[str, str]] = OPERATIONS) -> dict[str, Any]:
    """Return a copy of the spec restricted to ``operations`` with the tolerated deviations applied.

    - string defaults on numeric parameters are fixed; empty `allOf` lists are dropped;
    - `expand`-style array parameters get their enum on the items and the `name[]` spelling;
    - `GET /customers/{customer_id}/addresses` declares its list schema as a request body: it is
      moved to the 200 response;
    - only 2xx responses are kept (4xx bodies are checked by the targeted checks instead);
    - response schemas point at copies of the components in which every property is nullable.
    """
    spec = copy.deepcopy(raw)
    fix_string_defaults(spec)
    drop_empty_all_of(spec)
    wanted: dict[str, set[str]] = {}
    for method, path in operations:
        wanted.setdefault(path, set()).add(method.lower())

    paths: dict[str, Any] = {}
    for path, item in spec.get("paths", {}).items():
        if path not in wanted:
            continue
        new_item = {k: v for k, v in item.items() if k not in HTTP_METHODS}
        for method in wanted[path]:
            if method in item:
                new_item[method] = item[method]
        paths[path] = new_item
    missing = [(m, p) for m, p in operations if m.lower() not in paths.get(p, {})]
    if missing:
        raise ValueError(f"operations missing from the spec: {missing}")
    spec["paths"] = paths

    components = spec.setdefault("components", {}).setdefault("schemas", {})
    pending: set[str] = set()
    for path, item in paths.items():
        for param in item.get("parameters", []) or []:
            _fix_parameter(param)
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            for param in op.get("parameters", []) or []:
                _fix_parameter(param)
            responses = op.setdefault("responses", {})
            if method == "get" and "requestBody" in op:
                # Spec bug: the list schema is under requestBody and the 200 has no content.
                body = op.pop("requestBody")
                content = (body.get("content") or {}).get("application/json")
                ok = responses.setdefault("200", {"description": "OK"})
                if content and "content" not in ok:
                    ok["content"] = {"application/json": {"schema": content.get("schema", {})}}
            for status in list(responses):
                if not str(status).startswith("2"):
                    del responses[status]
            for resp in responses.values():
                for media in (resp.get("content") or {}).values():
                    if "schema" in media:
                        media.pop("examples", None)
                        media.pop("example", None)
                        _make_all_properties_nullable(media["schema"])
                        pending |= _rewrite_refs(media["schema"], RESPONSE_SUFFIX)

    done: set[str] = set()
    while pending:
        name = pending.pop()
        if name in done:
            continue
        done.add(name)
        copy_ = copy.deepcopy(components[name])
        _make_all_properties_nullable(copy_)
        pending |= _rewrite_refs(copy_, RESPONSE_SUFFIX) - done
        components[name + RESPONSE_SUFFIX] = copy_
    return spec


def to_json_schema(schema: Any) -> Any:
    """Convert an OpenAPI 3.0 schema object into JSON Schema (draft 4): `nullable` -> anyOf null."""
    if isinstance(schema, list):
        return [to_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("nullable", "example", "examples", "discriminator", "xml", "externalDocs",
                   "readOnly", "writeOnly", "deprecated") or key.startswith("x-"):
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith(_REF_PREFIX):
            out[key] = "#/definitions/" + value[len(_REF_PREFIX):]
        elif key in ("properties", "patternProperties", "definitions"):
            out[key] = {k: to_json_schema(v) for k, v in value.items()}
        else:
            out[key] = to_json_schema(value)
    if "$ref" in out:
        # Siblings of $ref are ignored in OpenAPI 3.0.
        out = {"$ref": out["$ref"]}
    if schema.get("nullable") is True:
        out = {"anyOf": [out, {"type": "null"}]}
    return out


class ResponseValidator:
    """Validates response bodies against the relaxed spec's 2xx response schemas."""

    def __init__(self, spec: dict[str, Any]):
        self.spec = spec
        self.definitions = {
            name: to_json_schema(s) for name, s in spec["components"]["schemas"].items()
        }

    def documented_success(self, method: str, path: str) -> list[int]:
        op = self.spec["paths"][path][method.lower()]
        return sorted(int(s) for s in op["responses"] if str(s).isdigit())

    def schema_for(self, method: str, path: str, status: int) -> dict[str, Any] | None:
        op = self.spec["paths"][path][method.lower()]
        resp = op["responses"].get(str(status))
        if resp is None:
            return None
        content = resp.get("content") or {}
        media = content.get("application/json") or next(iter(content.values()), None)
        if not media or "schema" not in media:
            return None
        root = to_json_schema(media["schema"])
        root = dict(root) if "$ref" not in root else {"allOf": [root]}
        root["definitions"] = self.definitions
        return root

    def errors(self, method: str, path: str, status: int, body: Any) -> list[str]:
        schema = self.schema_for(method, path, status)
        if schema is None:
            return []
        return validate(schema, body)


def validate(schema: dict[str, Any], body: Any, limit: int = 5) -> list[str]:
    """Return up to ``limit`` readable validation errors (empty when ``body`` is valid)."""
    validator = jsonschema.Draft4Validator(schema)
    leaves: list[jsonschema.ValidationError] = []
    for err in validator.iter_errors(body):
        leaves.extend(_leaf_errors(err))
    out: list[str] = []
    for err in sorted(leaves, key=lambda e: [str(p) for p in e.absolute_path]):
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        msg = err.message if len(err.message) <= 300 else err.message[:300] + "..."
        line = f"at {where}: {msg}"
        if line not in out:
            out.append(line)
        if len(out) >= limit:
            break
    return out


def _is_null_branch(err: jsonschema.ValidationError) -> bool:
    return err.validator == "type" and err.validator_value == "null"


def _leaf_errors(err: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """Descend through anyOf/oneOf/allOf, skipping the `null` branch added by `nullable`."""
    if err.validator in ("anyOf", "oneOf") and err.context:
        real = [e for e in err.context if not _is_null_branch(e)]
        if real:
            out: list[jsonschema.ValidationError] = []
            for sub in real:
                out.extend(_leaf_errors(sub))
            return out
    return [err]
