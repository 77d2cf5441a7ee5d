"""The demo load: the plan's commands through the gateway, as the forces' users would send them.

Many commands in flight at once (an httpx connection pool, `concurrency` requests at a time)
instead of one slow call after another; each force's commands are spread over a few users of
that force (the gateway limits each caller to 200 requests/s). A command's user and
idempotency key follow from the command itself and the day, so a rerun the same day replays
every command (appending nothing) and a load that failed part-way can simply be run again.

Order matters only where the domain needs it: an officer is enrolled before being trained; a
kit is issued once inventory has learnt the officer's certification from training's events
(until then it answers 409, and the issue is tried again); administrations go in after the
officers they name are known, so incidents flags only what a force would see flagged.
"""

from __future__ import annotations

import asyncio
import sys
import time
import zlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable

import httpx

from naloxone_kernel.auth import DevIssuer

from .plan import BULK, MAX_BATCH, PRODUCT, DemoPlan, ForcePlan, Officer, certification_months

SHARDS = 4  # users per force: 4 x 200 requests/s is more than one force's share of the load
ROLES = ["force_admin", "trainer", "custody"]
#: inventory answers 409 with these until it has learnt the officer's training from training's events
NOT_YET_CERTIFIED = ("not known to inventory", "has no naloxone certification")


class DemoLoadError(RuntimeError):
    pass


def progress_printer(label: str, width: int = 30, every: float = 2.0) -> Callable[[int, int, str], None]:
    """A progress bar redrawn in place on a terminal (as `naloxctl rebuild` draws its own), and one
    line every few seconds otherwise (CI logs, `make up` piped)."""
    started = time.monotonic()
    tty = sys.stderr.isatty()
    last = [0.0]

    def report(done: int, total: int, stage: str = "") -> None:
        now = time.monotonic()
        final = done >= total
        if not tty and not final and now - last[0] < every:
            return
        if tty and not final and now - last[0] < 0.1:
            return
        last[0] = now
        fraction = done / total if total else 1.0
        rate = done / max(now - started, 1e-9)
        bar = "#" * round(width * fraction) + "." * (width - round(width * fraction))
        line = f"{label} [{bar}] {done}/{total} commands ({100 * fraction:.0f}%) {rate:,.0f} commands/s {stage}"
        sys.stderr.write(f"\r{line:<110}" + ("\n" if final else "") if tty else f"{line}\n")
        sys.stderr.flush()

    return report


@dataclass
class Counts:
    sent: int = 0
    created: int = 0
    replayed: int = 0
    retried: int = 0
    by_stage: dict[str, int] = field(default_factory=dict)


class Loader:
    """Sends the plan's commands with bounded concurrency and counts what happened."""

    def __init__(self, client: httpx.AsyncClient, issuer: DevIssuer, plan: DemoPlan, concurrency: int,
                 report: Callable[[int, int, str], None]) -> None:
        self.client = client
        self.plan = plan
        self.day = plan.today.isoformat()
        self.slots = asyncio.Semaphore(concurrency)
        self.report = report
        self.total = plan.commands()
        self.counts = Counts()
        self.stage = ""
        self.tokens = {(f, s): "Bearer " + issuer.mint(subject=f"demo-{s}@{f}", roles=ROLES, force_id=f,
                                                      ttl_seconds=3600)
                       for f in plan.forces for s in range(SHARDS)}

    def key(self, force_id: str, *parts: object) -> str:
        """The command's idempotency key: what it is, and the day (a rerun today replays it)."""
        text = ":".join(str(p) for p in ("demo", force_id, *parts, self.day))
        return text if len(text) <= 128 else f"demo:{force_id}:{zlib.crc32(text.encode()):08x}:{self.day}"

    async def send(self, method: str, force_id: str, path: str, key: str, body: dict, ok: tuple[int, ...],
                   retry_409: tuple[str, ...] = (), accept_409: tuple[str, ...] = ()) -> dict:
        """One command; retried on 429, 5xx and dropped connections (the key makes that safe), and on
        a 409 naming one of `retry_409` (a fact another service has not learnt yet)."""
        headers = {"Authorization": self.tokens[(force_id, zlib.crc32(key.encode()) % SHARDS)], "Idempotency-Key": key}
        delay, deadline = 0.05, time.monotonic() + 180
        while True:
            try:
                async with self.slots:
                    r = await self.client.request(method, f"/v1/forces/{force_id}{path}", json=body, headers=headers)
            except (httpx.TransportError, httpx.TimeoutException) as exc:
                if time.monotonic() > deadline:
                    raise DemoLoadError(f"demo load: {method} {path}: {exc!r}") from exc
                await self._retry(delay)
                delay = min(delay * 2, 2.0)
                continue
            if r.status_code in ok:
                break
            if r.status_code == 409 and any(text in r.text for text in accept_409):
                break
            transient = r.status_code in (429, 502, 503, 504) or (
                r.status_code == 409 and any(text in r.text for text in retry_409))
            if transient and time.monotonic() < deadline:
                wait = float(r.headers.get("Retry-After", 0)) if r.status_code == 429 else delay
                await self._retry(max(wait, delay))
                delay = min(delay * 2, 2.0)
                continue
            raise DemoLoadError(f"demo load: {method} /v1/forces/{force_id}{path} -> {r.status_code} {r.text[:400]}")
        self.counts.sent += 1
        if r.headers.get("Idempotent-Replayed") == "true":
            self.counts.replayed += 1
        else:
            self.counts.created += 1
        self.report(self.counts.sent, self.total, self.stage)
        return r.json() if r.content else {}

    async def _retry(self, seconds: float) -> None:
        self.counts.retried += 1
        await asyncio.sleep(seconds)

    # --- the commands -------------------------------------------------------------------------------

    async def setup(self, force: ForcePlan) -> list[str]:
        """Provision status, certification policy, diversion contracts, and the kits received (their ids)."""
        f = force.force_id
        await self.send("PUT", f, "/provision", self.key(f, "provision"),
                        {"status": force.status, "effective_on": force.effective_on.isoformat()}, (200,),
                        accept_409=("before the current status",))  # a force already holding a later status keeps it
        if force.active:
            first = min(t.completed_on for o in force.officers for t in o.trainings)
            await self.send("PUT", f, "/training/policy", self.key(f, "policy"),
                            {"certification_months": certification_months(f),
                             "effective_on": min(first, force.effective_on).isoformat()}, (200,))
        for c in force.contracts:
            body = {"partner_org": c.partner_org, "starts_on": c.starts_on.isoformat()}
            if c.scheme_code:
                body["scheme_code"] = c.scheme_code
            await self.send("PUT", f, f"/referrals/contracts/{c.scheme}", self.key(f, "contract", c.scheme), body,
                            (200, 201))
        kit_ids: list[str] = []
        for index, b in enumerate(force.batches):
            chunks = [min(MAX_BATCH, b.quantity - start) for start in range(0, b.quantity, MAX_BATCH)]
            for part, quantity in enumerate(chunks):
                made = await self.send("POST", f, "/stock/batches", self.key(f, "batch", index, part), {
                    "product_code": PRODUCT, "manufacturer_lot": b.lot, "quantity": quantity,
                    "expires_on": b.expires_on.isoformat(), "received_on": b.received_on.isoformat(),
                    "location": {"location_id": b.location_id, "location_type": b.location_type}}, (201,))
                kit_ids.extend(made["kit_ids"])
        return kit_ids

    async def officers(self, force_id: str, officers: list[Officer], part: int) -> None:
        """A force's register, BULK officers at a time, each with the courses they completed."""
        await self.send("POST", force_id, "/officers/bulk", self.key(force_id, "enrol", part), {"officers": [
            {"staff_number": o.staff_number, "role": o.role, "enrolled_on": o.enrolled_on.isoformat(),
             "area_code": o.area_code,
             "training_records": [{"course": t.course, "provider": t.provider, "completed_on": t.completed_on.isoformat(),
                                   "delivery": t.delivery} for t in o.trainings]}
            for o in officers]}, (201,), accept_409=("already enrolled",))  # a later day's rerun: enrolled then

    async def issues(self, force_id: str, carriers: list[tuple[Officer, str]], part: int) -> None:
        """Kits issued to carriers, BULK at a time (retried until inventory has learnt their training)."""
        from training.domain import officer_id_for

        await self.send("POST", force_id, "/kits/issues", self.key(force_id, "issue", part), {"issues": [
            {"kit_id": kit_id, "officer_id": str(officer_id_for(force_id, o.staff_number)),
             "issued_on": o.kit[0].isoformat()} for o, kit_id in carriers]}, (200,), retry_409=NOT_YET_CERTIFIED)

    async def administration(self, force_id: str, a) -> None:
        at = a.administered_at
        body = {
            "administered_by": a.administered_by,
            # before the platform tracked kits: the force kit used is not one it knows
            "kit_source": "unknown" if a.staff_number else "other_kit",
            "call_at": (at - timedelta(minutes=8 + a.number % 17)).isoformat(),
            "arrived_at": (at - timedelta(minutes=1 + a.number % 5)).isoformat(), "administered_at": at.isoformat(),
            "ambulance_arrived_at": (at + timedelta(minutes=6 + a.number % 25)).isoformat(), "doses": a.doses,
            "route": "intranasal", "suspected_substances": list(a.substances), "response_recorded": True,
            "responded_after_dose": 0 if a.outcome in ("died", "unknown") else a.doses,
            "ambulance_called": True, "ambulance_attended": True, "outcome": a.outcome,
            "outcome_final": a.outcome != "unknown", "conveyed_to_hospital": a.conveyed_to_hospital,
            "place": {"area_code": a.area_code}}
        if a.staff_number:
            body["staff_number"] = a.staff_number
        await self.send("POST", force_id, "/administrations", self.key(force_id, "administration", a.number), body,
                        (201,))

    async def supply(self, force_id: str, s) -> None:
        body = {"setting": "custody_release", "recipient": "person_at_risk", "supplied_at": s.supplied_at.isoformat(),
                "supplier_org_id": s.supplier_org_id, "repeat_supply": s.repeat_reason is not None,
                "repeat_reason": s.repeat_reason, "advice_given": True, "product_code": PRODUCT,
                "subject": {"local_identifier": s.person}, "area_code": s.area_code}
        await self.send("POST", force_id, "/take-home-supplies", self.key(force_id, "supply", s.number), body, (201,))

    async def referral(self, force_id: str, r) -> None:
        made = await self.send("POST", force_id, "/referrals", self.key(force_id, "referral", r.number), {
            "subject": {"local_identifier": r.person}, "source": r.source, "scheme": r.scheme, "consent": True,
            "referred_at": r.referred_at.isoformat(), "area_code": r.area_code}, (201,))
        for n, (step, body) in enumerate(r.steps):
            await self.send("POST", force_id, f"/referrals/{made['referral_id']}/{step}",
                            self.key(force_id, "referral", r.number, step), body, (200, 201))

    # --- the whole load, in stages ------------------------------------------------------------------

    async def run(self) -> Counts:
        active = [f for f in self.plan.forces.values() if f.active or f.contracts]
        self.stage = "(provision, policies, contracts, kits received)"
        kits = dict(zip(self.plan.forces, await _all(self.setup(f) for f in self.plan.forces.values())))
        self.stage = "(officers enrolled and trained, take-home supplies, referrals)"
        await _all([*(self.officers(f.force_id, part, n) for f in active for n, part in enumerate(_chunks(f.officers))),
                    *(self.supply(f.force_id, s) for f in active for s in f.supplies),
                    *(self.referral(f.force_id, r) for f in active for r in f.referrals)])
        self.stage = "(kits issued, administrations)"
        issues = []
        for f in active:
            carriers = sorted((o for o in f.officers if o.kit), key=lambda o: (o.kit[1], o.staff_number))
            pairs = list(zip(carriers, _kits_by_batch(f, kits[f.force_id])))
            issues += [self.issues(f.force_id, part, n) for n, part in enumerate(_chunks(pairs))]
        await _all([*issues, *(self.administration(f.force_id, a) for f in active for a in f.administrations)])
        return self.counts


def _chunks(items: list) -> list[list]:
    return [items[start:start + BULK] for start in range(0, len(items), BULK)]


def _kits_by_batch(force: ForcePlan, kit_ids: list[str]) -> list[str]:
    """For carriers sorted by receipt, the first kits of each receipt (the rest stay in stock)."""
    out, start = [], 0
    for b in force.batches:
        carriers = sum(1 for o in force.officers if o.kit and o.kit[1] == b.receipt)
        out += kit_ids[start:start + carriers]
        start += b.quantity
    return out


async def _all(coroutines) -> list:
    """Run them together; the first failure cancels the rest and is raised."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def load(plan: DemoPlan, gateway: str, issuer: DevIssuer, concurrency: int = 32,
               report: Callable[[int, int, str], None] | None = None) -> tuple[Counts, float]:
    """Put the plan in through the gateway; returns the counts and the seconds it took."""
    started = time.monotonic()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency, keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=gateway, timeout=60, limits=limits) as client:
        counts = await Loader(client, issuer, plan, concurrency, report or progress_printer("demo load")).run()
    return counts, time.monotonic() - started

