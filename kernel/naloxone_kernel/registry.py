"""The service registry: every service of the platform, written down once.

The local process stack, the test fixtures, the gateway's routing, each service's
settings and (later) the deploy files all read this table, so a port, a database or a
topic name appears in exactly one place and a new service is one more row.
"""

from __future__ import annotations

from dataclasses import dataclass

from naloxone.contracts import TOPICS

#: Every process kind a service may run; each but `api` serves only its ops probes.
#: `egress` republishes the service's events per force (every service with a domain topic runs
#: it, see `ServiceEntry.__post_init__`); `inbound` turns force systems' records into commands.
#: `worker` runs a service's own background loop (`ServiceParts.worker`), e.g. alerts' webhooks.
PROCESS_KINDS = ("api", "relay", "projector", "reactor", "egress", "inbound", "worker")


@dataclass(frozen=True)
class ServiceEntry:
    """One service: where it listens, what it owns, which public routes it answers."""

    name: str
    #: The Python package holding domain/, application/, adapters/, projections.py, entrypoints/.
    package: str
    #: Its own PostgreSQL database (nothing else reads it).
    database: str
    #: The internal topic its relay publishes to.
    topic: str
    #: API on `port_base`; relay, projector and reactor ops ports follow in that order.
    port_base: int
    #: Resources under /v1/forces/{force_id}/ that this service answers (first path segment).
    force_routes: tuple[str, ...] = ()
    #: Process kinds this service runs (every service has an api and a relay).
    processes: tuple[str, ...] = ("api", "relay", "projector")
    #: First segments of routes outside the force scope that this service answers:
    #: `/v1/partners/{org}/...` (a partner organisation's own worklist), `/v1/regions/{region}/...`
    #: and `/v1/national/...` (cross-force aggregates). The gateway applies each one's access rule.
    public_routes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Force IT reads every domain's events on its own topic: egress is never left out.
        if self.topic in TOPICS.values() and "egress" not in self.processes:
            object.__setattr__(self, "processes", (*self.processes, "egress"))

    @property
    def env_prefix(self) -> str:
        return f"{self.name.upper()}_"

    def port(self, kind: str) -> int:
        """The default port of one of this service's processes (api, relay, projector, reactor)."""
        return self.port_base + PROCESS_KINDS.index(kind)

    def process_name(self, kind: str) -> str:
        return f"{self.name}-{kind}"


SERVICES: tuple[ServiceEntry, ...] = (
    ServiceEntry(
        name="training", package="training", database="training", topic=TOPICS["training"], port_base=8101,
        force_routes=("officers", "training"), processes=("api", "relay", "projector", "egress", "inbound"),
    ),
    ServiceEntry(
        name="inventory", package="inventory", database="inventory", topic=TOPICS["inventory"], port_base=8111,
        force_routes=("stock", "kits", "recalls", "take-home-supplies", "inventory"),
        processes=("api", "relay", "projector", "reactor"),
    ),
    ServiceEntry(
        name="incidents", package="incidents", database="incidents", topic=TOPICS["incidents"], port_base=8121,
        force_routes=("administrations", "incidents", "subjects"),
        processes=("api", "relay", "projector", "egress", "inbound"),
    ),
    ServiceEntry(
        name="diversion", package="diversion", database="diversion", topic=TOPICS["diversion"], port_base=8131,
        force_routes=("referrals",), public_routes=("partners",),
        processes=("api", "relay", "projector", "reactor"),  # the reactor is the process manager
    ),
    ServiceEntry(
        name="views", package="views", database="views", topic=TOPICS["provision"], port_base=8151,
        force_routes=("overview", "provision"), public_routes=("regions", "national"),
    ),
    ServiceEntry(
        name="alerts", package="alerts", database="alerts", topic=TOPICS["alerts"], port_base=8141,
        force_routes=("alerts",),
        processes=("api", "relay", "projector", "reactor", "worker"),  # the worker delivers webhooks
    ),
)

GATEWAY_PORT = 8080


def service(name: str) -> ServiceEntry:
    for entry in SERVICES:
        if entry.name == name:
            return entry
    raise KeyError(f"no service named {name!r}; services are {[s.name for s in SERVICES]}")


def service_for_route(resource: str) -> ServiceEntry | None:
    """The service answering /v1/forces/{force_id}/<resource>/..., if any."""
    return _BY_ROUTE.get(resource)


def service_for_public_route(segment: str) -> ServiceEntry | None:
    """The service answering /v1/<segment>/... outside the force scope (partners, regions, national)."""
    return _BY_PUBLIC_ROUTE.get(segment)


#: The public route segments the gateway knows how to scope (see gateway/app.py `Access`).
PUBLIC_ROUTE_SEGMENTS = ("partners", "regions", "national")

_BY_ROUTE = {route: entry for entry in SERVICES for route in entry.force_routes}
assert len(_BY_ROUTE) == sum(len(e.force_routes) for e in SERVICES), "two services claim one route"
_BY_PUBLIC_ROUTE = {route: entry for entry in SERVICES for route in entry.public_routes}
assert len(_BY_PUBLIC_ROUTE) == sum(len(e.public_routes) for e in SERVICES), "two services claim one public route"
assert set(_BY_PUBLIC_ROUTE) <= set(PUBLIC_ROUTE_SEGMENTS), "a public route the gateway cannot scope"
