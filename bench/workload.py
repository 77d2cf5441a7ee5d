"""A realistic command mix through the gateway, and a client that keeps a ledger of it.

Used by the platform load benchmark (`bench/platform.py`) and by the fault-injection
suite (`tests/faults`): both drive the whole platform the way force apps do, and the
fault suite's checker then proves what became of every command in the ledger.

* `GatewayClient` (aiohttp, one keep-alive pool): a command carries an Idempotency-Key and
  an X-Request-Id (the events' correlation id); when the answer is lost (connection
  refused or reset, 502/503/504 from the gateway, 500, 429) it is retried with the *same*
  key and request id until it is answered or `retry_for` seconds pass, so a retry can
  replay the first answer but never apply a command twice. Every command and its fate
  (status, attempts, timings) is a `Sent` in `client.ledger`.
* `PlatformMix`: enrolments, training records, kit receipts, issues and returns,
  administrations (some naming the officer's kit, which inventory's reactor turns into
  KitUsed, and which the alerts service counts for spikes), take-home supplies, referrals,
  dashboard reads (summaries, referral funnel, force overview), and a small share of commands
  the platform must refuse (422 bad input, 409 a kit for an officer it does not know).
  Only routes whose service is in the registry are in the mix (`mix.missing` says which
  kinds are not); the mix keeps its own picture of officers and kits so that no two
  commands in flight touch the same aggregate.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import aiohttp

from naloxone_kernel.registry import service_for_route

FORCES = ("west-midlands", "leicestershire", "merseyside")
ROLES = ["officer", "custody", "trainer", "force_admin"]
PRODUCT = "nyxoid-1-8mg-nasal-spray"
#: One load generator is one subject per force: the gateway's per-client rate limit is lifted
#: (still checked on every request) so that the figures are the platform's, not the limiter's.
UNLIMITED = {"GATEWAY_RATE_PER_SECOND": "1000000", "GATEWAY_RATE_BURST": "1000000"}
#: Answers that mean "the command may not have been seen": retry with the same key.
RETRYABLE = frozenset({429, 500, 502, 503, 504})
#: A trained officer is offered kits only this long after the 201 (inventory learns
#: certification from training's events; sooner, the issue would be refused with 409).
ISSUE_SETTLE_SECONDS = 3.0


@dataclass
class Sent:
    """One command as the client saw it."""

    kind: str
    service: str  # the service answering its route (from the registry)
    force: str
    method: str
    path: str
    body: dict | None
    key: str  # Idempotency-Key
    request_id: str  # X-Request-Id: the correlation id of its events
    expect_reject: bool = False
    status: int | None = None  # the final answer; None when never answered
    attempts: int = 0
    answers: list[int | str] = field(default_factory=list)  # every attempt's status or error
    response: dict | None = None
    sent_at: float = 0.0  # perf_counter of the first attempt
    answered_at: float | None = None

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def rejected(self) -> bool:
        return self.status is not None and 400 <= self.status < 500 and self.status != 429

    @property
    def retried(self) -> bool:
        return self.attempts > 1

    @property
    def latency_ms(self) -> float | None:
        return None if self.answered_at is None else (self.answered_at - self.sent_at) * 1000


@dataclass
class Read:
    kind: str
    status: int | None
    latency_ms: float | None


class GatewayClient:
    """An aiohttp client for the gateway with per-force tokens, retries and a ledger."""

    def __init__(self, base_url: str, tokens: dict[str, str], *, retry_for: float = 60.0, timeout: float = 15.0,
                 connections: int = 256) -> None:
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        self.retry_for = retry_for
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.connections = connections
        self.ledger: list[Sent] = []
        self.reads: list[Read] = []
        #: Called with each command once it is answered (e.g. to sample it for view lag).
        self.on_answer: Callable[[Sent], None] | None = None
        self.session: aiohttp.ClientSession | None = None
        self._ids = itertools.count()

    async def __aenter__(self) -> GatewayClient:
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self.connections, limit_per_host=self.connections,
                                           force_close=False, enable_cleanup_closed=True),
            timeout=self.timeout, raise_for_status=False)
        return self

    async def __aexit__(self, *exc) -> None:
        assert self.session is not None
        await self.session.close()

    def _headers(self, force: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[force]}"}

    async def command(self, kind: str, force: str, method: str, path: str, body: dict | None = None, *,
                      expect_reject: bool = False, record: bool = True) -> Sent:
        """Send a command until it is answered (same key and request id on every attempt)."""
        assert self.session is not None
        resource = path.split("/")[4] if path.startswith("/v1/forces/") else ""
        entry = service_for_route(resource)
        n = next(self._ids)
        sent = Sent(kind=kind, service=entry.name if entry else "gateway", force=force, method=method, path=path,
                    body=body, key=f"ld-{uuid.uuid4().hex}", request_id=f"ld-{n}-{uuid.uuid4().hex[:12]}",
                    expect_reject=expect_reject)
        if record:
            self.ledger.append(sent)
        headers = {**self._headers(force), "Idempotency-Key": sent.key, "X-Request-Id": sent.request_id}
        sent.sent_at = time.perf_counter()
        deadline = time.monotonic() + self.retry_for
        pause = 0.05
        while True:
            sent.attempts += 1
            try:
                async with self.session.request(method, self.base_url + path, json=body, headers=headers) as r:
                    payload = await r.read()
                    status = r.status
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                status, payload = None, b""
                sent.answers.append(type(exc).__name__)
            else:
                sent.answers.append(status)
            if status is not None and status not in RETRYABLE:
                sent.status = status
                sent.answered_at = time.perf_counter()
                if payload[:1] == b"{":
                    try:
                        sent.response = json.loads(payload)
                    except ValueError:
                        sent.response = None
                if self.on_answer is not None:
                    self.on_answer(sent)
                return sent
            if time.monotonic() + pause > deadline:
                sent.status = status  # a last retryable status, or None: unanswered
                return sent
            await asyncio.sleep(pause)
            pause = min(pause * 2, 1.0)

    async def read(self, kind: str, force: str, path: str) -> Read:
        assert self.session is not None
        started = time.perf_counter()
        try:
            async with self.session.get(self.base_url + path, headers=self._headers(force)) as r:
                await r.read()
                status = r.status
        except (TimeoutError, aiohttp.ClientError, OSError):
            status = None
        read = Read(kind, status, (time.perf_counter() - started) * 1000 if status else None)
        self.reads.append(read)
        return read


@dataclass
class Officer:
    officer_id: str
    staff_number: str
    trained_at: float | None = None  # monotonic time its training record was acknowledged
    kit: str | None = None  # the kit it holds, as far as the mix knows


@dataclass
class ForceState:
    officers: list[Officer] = field(default_factory=list)  # enrolled, not yet trained, not in flight
    trained: list[Officer] = field(default_factory=list)  # trained and free (no command in flight)
    stock: list[str] = field(default_factory=list)  # kit ids in stock, not in flight
    lot: int = 0


#: (kind, route segment, weight). Reads are a third of the mix, as dashboards poll.
KINDS: tuple[tuple[str, str, int], ...] = (
    ("enrolment", "officers", 10),
    ("training_record", "officers", 10),
    ("kit_receipt", "stock", 1),
    ("kit_issue", "kits", 10),
    ("kit_return", "kits", 6),
    ("administration", "administrations", 8),
    ("take_home_supply", "take-home-supplies", 7),
    ("referral", "referrals", 6),
    ("refused_bad_input", "officers", 1),
    ("refused_unknown_officer", "kits", 1),
    ("read_training_summary", "training", 7),
    ("read_inventory_summary", "inventory", 7),
    ("read_incidents_summary", "incidents", 6),
    ("read_referral_funnel", "referrals", 6),
    ("read_force_overview", "overview", 6),
    ("read_alerts_summary", "alerts", 3),
)


class PlatformMix:
    """Picks the next command from what the platform holds so far, sends it, updates the picture."""

    def __init__(self, client: GatewayClient, forces: tuple[str, ...] = FORCES, seed: int = 12) -> None:
        self.client = client
        self.forces = forces
        self.random = random.Random(seed)
        self.state = {f: ForceState() for f in forces}
        self.kinds = [(k, w) for k, segment, w in KINDS if service_for_route(segment) is not None]
        self.missing = sorted({k for k, segment, _ in KINDS if service_for_route(segment) is None})
        self._numbers = itertools.count(1)
        self.today = datetime.now(UTC).date()
        self.skipped: Counter[str] = Counter()  # picked but nothing to act on yet

    # ------------------------------------------------------------------ setup

    async def prepare(self, officers_per_force: int = 20, kits_per_force: int = 40) -> None:
        """Contracts for referrals, stock and trained officers in every force (recorded in the ledger)."""
        jobs = []
        for force in self.forces:
            if service_for_route("referrals") is not None:
                jobs.append(self.client.command(
                    "referral_contract", force, "PUT", f"/v1/forces/{force}/referrals/contracts/arrest_referral",
                    {"partner_org": "cranstoun", "starts_on": "2026-01-01"}))
            for _ in range(max(1, kits_per_force // 20)):
                jobs.append(self._receive(force, 20))
        await asyncio.gather(*jobs)
        await asyncio.gather(*(self._enrol_and_train(force) for force in self.forces for _ in range(officers_per_force)))

    async def _enrol_and_train(self, force: str) -> None:
        await self._enrol(force)
        state = self.state[force]
        if state.officers:
            await self._train(force, state.officers.pop())

    # ------------------------------------------------------------------ the mix

    async def one(self) -> None:
        """One command or read, chosen by weight from what can be done now."""
        kinds, weights = zip(*self.kinds)
        kind = self.random.choices(kinds, weights)[0]
        force = self.random.choice(self.forces)
        await self.do(kind, force)

    async def do(self, kind: str, force: str) -> None:
        state = self.state[force]
        base = f"/v1/forces/{force}"
        if kind == "enrolment":
            await self._enrol(force)
        elif kind == "training_record":
            if not state.officers:
                await self._enrol(force)  # nobody waiting for training: enrol instead
                return
            await self._train(force, state.officers.pop(0))
        elif kind == "kit_receipt":
            await self._receive(force, 20)
        elif kind == "kit_issue":
            await self._issue(force)
        elif kind == "kit_return":
            await self._return(force)
        elif kind == "administration":
            await self._administer(force)
        elif kind == "take_home_supply":
            n = next(self._numbers)
            await self.client.command(kind, force, "POST", f"{base}/take-home-supplies", {
                "setting": "custody_release", "recipient": "person_at_risk",
                "supplied_at": _now_iso(), "supplier_org_id": force, "repeat_supply": False,
                "product_code": PRODUCT, "subject": {"local_identifier": f"CR{n:08d}"},
                "referral_consent": n % 4 == 0})
        elif kind == "referral":
            n = next(self._numbers)
            await self.client.command(kind, force, "POST", f"{base}/referrals", {
                "subject": {"local_identifier": f"AR{n:08d}"}, "source": "custody", "scheme": "arrest_referral",
                "consent": True})
        elif kind == "refused_bad_input":
            await self.client.command(kind, force, "POST", f"{base}/officers", {
                "staff_number": "X1", "role": "astronaut", "enrolled_on": "2026-01-01"}, expect_reject=True)
        elif kind == "refused_unknown_officer":
            if not state.stock:
                self.skipped[kind] += 1
                return
            kit = state.stock.pop()
            try:
                await self.client.command(kind, force, "POST", f"{base}/kits/{kit}/issue", {
                    "officer_id": str(uuid.uuid4()), "issued_on": self.today.isoformat()}, expect_reject=True)
            finally:
                state.stock.append(kit)
        elif kind.startswith("read_"):
            path = {"read_training_summary": "training/summary", "read_inventory_summary": "inventory/summary",
                    "read_incidents_summary": "incidents/summary", "read_referral_funnel": "referrals/funnel",
                    "read_force_overview": "overview", "read_alerts_summary": "alerts/summary"}[kind]
            await self.client.read(kind, force, f"{base}/{path}")
        else:
            raise ValueError(kind)

    # ------------------------------------------------------------------ commands with state

    async def _enrol(self, force: str) -> None:
        n = next(self._numbers)
        staff = f"LD{n:07d}"
        sent = await self.client.command("enrolment", force, "POST", f"/v1/forces/{force}/officers", {
            "staff_number": staff, "role": "police_officer", "enrolled_on": "2026-01-01"})
        if sent.acknowledged and sent.response:
            self.state[force].officers.append(Officer(sent.response["officer_id"], staff))

    async def _train(self, force: str, officer: Officer) -> None:
        sent = await self.client.command(
            "training_record", force, "POST", f"/v1/forces/{force}/officers/{officer.officer_id}/training-records",
            {"course": "NALOX-1", "provider": "cranstoun", "completed_on": (self.today - timedelta(days=3)).isoformat(),
             "valid_until": (self.today + timedelta(days=700)).isoformat()})
        if sent.acknowledged:
            officer.trained_at = time.monotonic()
            self.state[force].trained.append(officer)
        else:
            self.state[force].officers.append(officer)

    async def _receive(self, force: str, quantity: int) -> None:
        state = self.state[force]
        state.lot += 1
        sent = await self.client.command("kit_receipt", force, "POST", f"/v1/forces/{force}/stock/batches", {
            "product_code": PRODUCT, "manufacturer_lot": f"LD{state.lot:05d}{uuid.uuid4().hex[:4].upper()}",
            "quantity": quantity, "expires_on": (self.today + timedelta(days=900)).isoformat(),
            "received_on": self.today.isoformat(),
            "location": {"location_id": "STN-1", "location_type": "police_station"}})
        if sent.acknowledged and sent.response:
            state.stock.extend(sent.response.get("kit_ids", []))

    def _free_officer(self, force: str, *, holding: bool) -> Officer | None:
        state = self.state[force]
        settled = time.monotonic() - ISSUE_SETTLE_SECONDS
        for i, officer in enumerate(state.trained):
            if (officer.kit is not None) == holding and officer.trained_at and officer.trained_at <= settled:
                return state.trained.pop(i)
        return None

    async def _issue(self, force: str) -> None:
        state = self.state[force]
        officer = self._free_officer(force, holding=False)
        if officer is None or not state.stock:
            if officer is not None:
                state.trained.append(officer)
            self.skipped["kit_issue"] += 1
            if len(state.stock) < 5:
                await self._receive(force, 20)
            return
        kit = state.stock.pop(0)
        sent = await self.client.command("kit_issue", force, "POST", f"/v1/forces/{force}/kits/{kit}/issue", {
            "officer_id": officer.officer_id, "issued_on": self.today.isoformat()})
        if sent.acknowledged:
            officer.kit = kit
        else:
            state.stock.append(kit)
        state.trained.append(officer)

    async def _return(self, force: str) -> None:
        state = self.state[force]
        officer = self._free_officer(force, holding=True)
        if officer is None:
            self.skipped["kit_return"] += 1
            return
        kit = officer.kit
        sent = await self.client.command("kit_return", force, "POST", f"/v1/forces/{force}/kits/{kit}/return", {
            "location": {"location_id": "STN-1", "location_type": "police_station"},
            "returned_on": self.today.isoformat(), "reason": "near_expiry", "reissuable": True})
        if sent.acknowledged:
            officer.kit = None
            state.stock.append(kit)
        state.trained.append(officer)

    async def _administer(self, force: str) -> None:
        """An officer's administration; when the officer holds a kit it names it (inventory reacts)."""
        state = self.state[force]
        n = next(self._numbers)
        officer = self._free_officer(force, holding=True) or self._free_officer(force, holding=False)
        body = {"administered_by": "officer", "kit_source": "take_home_kit",
                "administered_at": _now_iso(), "doses": 1 + n % 2, "route": "intranasal",
                "suspected_substances": ["heroin"], "outcome": "unknown",
                "place": {"area_code": f"B{n % 20}", "latitude": 52.48, "longitude": -1.89},
                "subject": {"local_identifier": f"AD{n // 2:08d}", "age_band": "25_to_34", "sex": "male"}}
        kit = None
        if officer is None:
            body["administered_by"] = "member_of_public"  # no officer free: a bystander's take-home kit
        else:
            body["staff_number"] = officer.staff_number
            if officer.kit is not None:
                kit = officer.kit
                body.update(kit_source="force_kit", kit_id=kit)
        sent = await self.client.command("administration", force, "POST", f"/v1/forces/{force}/administrations", body)
        if officer is not None:
            if sent.acknowledged and kit is not None:
                officer.kit = None  # used: it does not come back to stock
            state.trained.append(officer)


def _now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def tokens_for(issuer, forces: tuple[str, ...] = FORCES, ttl_seconds: int = 4 * 3600) -> dict[str, str]:
    """One token per force, holding every role the mix needs (a force app's service account)."""
    return {f: issuer.mint(subject=f"load@{f}", roles=ROLES, force_id=f, ttl_seconds=ttl_seconds) for f in forces}


@dataclass
class PhaseResult:
    offered_rate: float
    seconds: float
    started: int
    dropped: int  # not started: too many in flight (the generator stays open-loop but bounded)
    errors: Counter  # exceptions raised by steps (a bug in the mix, never a refusal by the platform)


async def run_at_rate(step: Callable[[], Awaitable[None]], rate: float, seconds: float, *,
                      max_in_flight: int = 512, stop: asyncio.Event | None = None) -> PhaseResult:
    """Open-loop: start `step()` `rate` times a second for `seconds` (or until `stop`), then wait for all."""
    tasks: set[asyncio.Task] = set()
    errors: Counter[str] = Counter()
    started = dropped = 0

    def done(task: asyncio.Task) -> None:
        tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            errors[f"{type(task.exception()).__name__}: {task.exception()}"[:200]] += 1
    begin = time.monotonic()
    interval = 1.0 / rate
    i = 0
    while True:
        due = begin + i * interval
        if due - begin >= seconds or (stop is not None and stop.is_set()):
            break
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        i += 1
        if len(tasks) >= max_in_flight:
            dropped += 1
            continue
        task = asyncio.create_task(step())
        tasks.add(task)
        task.add_done_callback(done)
        started += 1
    elapsed = time.monotonic() - begin
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
    return PhaseResult(rate, elapsed, started, dropped, errors)


def today() -> date:
    return datetime.now(UTC).date()
