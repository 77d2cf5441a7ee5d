"""Which service owns which force-scoped resource: /v1/forces/{force_id}/<resource>/..."""

from __future__ import annotations

# first path segment after /v1/forces/{force_id}/  ->  upstream service name
ROUTES: dict[str, str] = {
    "officers": "training",
    "training": "training",
}


def upstream_for(rest: str) -> str | None:
    resource = rest.split("/", 1)[0]
    return ROUTES.get(resource)
