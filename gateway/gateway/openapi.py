"""One OpenAPI document for the whole public API: every service's routes and the gateway's.

Each registered service's document is fetched from its API (so a new row in the registry
appears here with no gateway edit), its schema names are kept unless two services define
one name differently (then they are prefixed with the service), and every operation gets
the platform's error shape for the statuses the gateway itself may answer. Parameters are
documented as they can arrive: a path, query or header value is never JSON null (FastAPI
writes an optional one as `anyOf [..., null]`; absent is `required: false`), and
`force_id` is one of the UK forces.
"""

from __future__ import annotations

import copy
import json
import time

from naloxone_kernel.reference.forces import FORCES

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "rule", "message"],
            "properties": {"field": {"type": "string"}, "rule": {"type": "string"},
                           "message": {"type": "string"}}}},
    },
}
ERROR_REF = {"$ref": "#/components/schemas/PlatformError"}
FORCE_ID_SCHEMA = {"type": "string", "enum": [f.id for f in FORCES],
                   "description": "a UK police force id (GET /v1/reference/forces)"}
NULL = {"type": "null"}
GATEWAY_STATUSES = {
    "400": "Malformed request (path, header, query or body)",
    "401": "No valid bearer token",
    "403": "Not allowed for this identity",
    "404": "No such resource",
    "408": "The request's headers or body did not arrive in time",
    "409": "Conflict with the current state",
    "413": "Request body too large",
    "414": "URL too long",
    "422": "Validation failed",
    "429": "Too many requests (see Retry-After)",
    "431": "Too many request headers, or too large",
    "502": "A service answered badly",
    "503": "A service is unavailable (see Retry-After)",
    "504": "A service did not answer in time",
}
METHODS = ("get", "put", "post", "delete", "patch")


def _rename_refs(document: dict, renames: dict[str, str]) -> dict:
    if not renames:
        return document
    text = json.dumps(document)
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    return json.loads(text)


def _parameter(parameter: dict) -> dict:
    """A path, query or header parameter as a request can carry it (see the module docstring)."""
    if parameter.get("in") == "path" and parameter.get("name") == "force_id":
        return {**parameter, "schema": {"$ref": "#/components/schemas/ForceId"}}
    schema = parameter.get("schema")
    if isinstance(schema, dict) and isinstance(schema.get("anyOf"), list) and NULL in schema["anyOf"]:
        kept = [s for s in schema["anyOf"] if s != NULL]
        rest = {k: v for k, v in schema.items() if k != "anyOf" and not (k == "default" and v is None)}
        return {**parameter, "schema": {**kept[0], **rest} if len(kept) == 1 else {**rest, "anyOf": kept}}
    return parameter


def merge(gateway_doc: dict, service_docs: dict[str, dict], title: str) -> dict:
    merged = {
        "openapi": gateway_doc.get("openapi", "3.1.0"),
        "info": {"title": title, "version": "1",
                 "description": "The public API of the Naloxone Partnership Platform. Every call needs "
                                "`Authorization: Bearer <token>` (ES256/RS256 from the platform's issuer)."},
        "paths": {},
        "components": {"schemas": {"PlatformError": ERROR_SCHEMA, "ForceId": FORCE_ID_SCHEMA},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        "security": [{"bearer": []}],
        "tags": [],
    }
    schemas = merged["components"]["schemas"]
    for name, doc in [("gateway", gateway_doc), *sorted(service_docs.items())]:
        doc = copy.deepcopy(doc)
        theirs = doc.get("components", {}).get("schemas", {})
        renames = {k: f"{name.title()}{k}" for k, v in theirs.items()
                   if k in schemas and schemas[k] != v and k not in ("HTTPValidationError", "ValidationError")}
        doc = _rename_refs(doc, renames)
        for key, schema in doc.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(renames.get(key, key), schema)
        for path, item in doc.get("paths", {}).items():
            if not path.startswith("/v1/"):
                continue
            target = merged["paths"].setdefault(path, {})
            for method, operation in item.items():
                if method not in METHODS:
                    target[method] = operation
                    continue
                operation.setdefault("tags", [])
                operation["tags"] = [name] + [t for t in operation["tags"] if t != name]
                operation["operationId"] = f"{name}_{operation.get('operationId', method + path)}"
                if "parameters" in operation:
                    operation["parameters"] = [_parameter(p) for p in operation["parameters"]]
                responses = operation.setdefault("responses", {})
                for status, description in GATEWAY_STATUSES.items():
                    responses[status] = {"description": description,
                                         "content": {"application/json": {"schema": ERROR_REF}}}
                target[method] = operation
        merged["tags"].append({"name": name})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return merged


class OpenApiCache:
    """The merged document, rebuilt at most every `ttl` seconds (and again after a failure)."""

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl = ttl
        self.document: dict | None = None
        self.built_at = 0.0
        self.complete = False

    def fresh(self) -> bool:
        return self.document is not None and self.complete and time.monotonic() - self.built_at < self.ttl

    def store(self, document: dict, complete: bool) -> None:
        self.document = document
        self.complete = complete
        self.built_at = time.monotonic()
