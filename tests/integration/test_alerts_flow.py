"""Early warning through the real broker: administrations recorded at the incidents API become
OverdoseSpikeDetected / OverdoseSpikeSubsided on the alerts topic, in the alert history, and at a
webhook receiver (a real local HTTP server) that verifies every signature and sees each alert once
although it answered 500 the first time. Replaying the topics twice yields the same alerts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from aiohttp import web

from alerts.adapters.webhooks import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verify
from naloxone import contracts
from naloxone.common.v1.envelope_pb2 import EventEnvelope
from naloxone_kernel.envelope import decode
from naloxone_kernel.reactor import Reactor

from ..harness import key, topic_end_offsets, wait_outbox_drained
from ..support import IsolatedStack, free_port, topic_messages, wait_for

pytestmark = pytest.mark.integration

FORCE = "west-midlands"
#: Three days ago to the hour: every window, and its grace, has passed by now.
BASE = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=3)
#: Retries a third of a second apart, not five seconds (the sender's other timings as deployed).
FAST_RETRIES = {"ALERTS_WEBHOOK_RETRY_BASE_SECONDS": "0.3"}
ALERT_TYPES = ("naloxone.alerts.v1.OverdoseSpikeDetected", "naloxone.alerts.v1.OverdoseSpikeSubsided")


class Receiver:
    """A webhook endpoint: answers 500 to the first attempt of every delivery, then verifies and accepts."""

    def __init__(self) -> None:
        self.secret = ""
        self.attempts: dict[str, int] = {}
        self.accepted: dict[str, dict] = {}
        self.bad_signatures = 0
        self.port = free_port()
        self.runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        delivery = request.headers[DELIVERY_HEADER]
        if not verify(self.secret, request.headers[SIGNATURE_HEADER], body):
            self.bad_signatures += 1
            return web.Response(status=400)
        self.attempts[delivery] = self.attempts.get(delivery, 0) + 1
        if self.attempts[delivery] == 1:
            return web.Response(status=500, text="try again later")
        if delivery not in self.accepted:  # a receiver dedupes on the delivery id
            self.accepted[delivery] = {"event": request.headers[EVENT_HEADER], **await request.json()}
        return web.Response(status=204)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hooks/naloxone", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/naloxone"


@pytest.fixture(scope="module")
async def stack(servers, issuer, tmp_path_factory):
    s = IsolatedStack(servers, issuer, tmp_path_factory.mktemp("alerts"))
    try:  # torn down even when a process fails to start, so nothing is left running
        await s.prepare()
        s.start("incidents-api", "incidents-relay", "alerts-api", "alerts-relay", "alerts-projector",
                "alerts-reactor", "alerts-worker", env=FAST_RETRIES)
        yield s
    finally:
        await s.destroy()


@pytest.fixture(scope="module")
async def receiver():
    r = Receiver()
    await r.start()
    yield r
    await r.runner.cleanup()


async def administer(client: httpx.AsyncClient, stack, area: str, hours: float) -> str:
    r = await client.post(f"/v1/forces/{FORCE}/administrations", headers={
        **stack.auth(FORCE, ["officer"]), "Idempotency-Key": key()}, json={
        "administered_by": "officer", "staff_number": "S1", "kit_source": "take_home_kit",
        "administered_at": (BASE + timedelta(hours=hours)).isoformat(), "doses": 1, "route": "intranasal",
        "place": {"area_code": area}})
    assert r.status_code == 201, r.text
    return r.json()["administration_id"]


async def alert_events(stack) -> list[tuple[EventEnvelope, object]]:
    return [decode(r.value) for r in await topic_messages(stack.servers.kafka_bootstrap, stack.topic("alerts"))
            if dict(r.headers).get("event_type", b"").decode() in ALERT_TYPES]


async def history(stack, **params) -> list[dict]:
    async with httpx.AsyncClient(base_url=stack.api("alerts"), timeout=20) as client:
        r = await client.get(f"/v1/forces/{FORCE}/alerts", params=params, headers=stack.auth(FORCE, ["officer"]))
        assert r.status_code == 200, r.text
        return r.json()["items"]


async def test_administrations_raise_and_close_alerts_on_kafka_in_history_and_by_signed_webhook(stack, receiver):
    admin = {**stack.auth(FORCE, ["force_admin"])}
    async with httpx.AsyncClient(base_url=stack.api("alerts"), timeout=20) as alerts_api:
        r = await alerts_api.put(f"/v1/forces/{FORCE}/alerts/thresholds", headers={**admin, "Idempotency-Key": key()},
                                 json={"areas": {"B1": 3}, "neighbours": {"B1": ["B2"]}, "window_hours": 24,
                                       "grace_minutes": 60})
        assert r.status_code == 200, r.text
        bad = await alerts_api.put(f"/v1/forces/{FORCE}/alerts/thresholds", headers={**admin, "Idempotency-Key": key()},
                                   json={"areas": {"b1": 0}})
        assert bad.status_code == 422, bad.text
        assert all(e["field"].startswith("body.areas.b1") for e in bad.json()["errors"]), bad.text
        r = await alerts_api.post(f"/v1/forces/{FORCE}/alerts/webhooks", headers={**admin, "Idempotency-Key": key()},
                                  json={"url": receiver.url})
        assert r.status_code == 201, r.text
        subscription = r.json()["subscription_id"]
        r = await alerts_api.get(f"/v1/forces/{FORCE}/alerts/webhooks/{subscription}/secret", headers=admin)
        assert r.status_code == 200, r.text
        receiver.secret = r.json()["secret"]
        officer_reads_secret = await alerts_api.get(f"/v1/forces/{FORCE}/alerts/webhooks/{subscription}/secret",
                                                    headers=stack.auth(FORCE, ["officer"]))
        assert officer_reads_secret.status_code == 403

    async with httpx.AsyncClient(base_url=stack.api("incidents"), timeout=20) as incidents_api:
        # a spike in B1 counting its neighbour B2; two in B9 (not watched) raise nothing
        first = [await administer(incidents_api, stack, "B1", 0), await administer(incidents_api, stack, "B2", 1),
                 await administer(incidents_api, stack, "B9", 1.5), await administer(incidents_api, stack, "B1", 2),
                 await administer(incidents_api, stack, "B9", 3)]
        # a day and more later: the first spike's window and grace have passed, so this closes it
        await administer(incidents_api, stack, "B9", 30)
        # a second spike, closed by the scheduled job (no later administration arrives)
        second = [await administer(incidents_api, stack, "B1", h) for h in (40, 41, 42)]

    await wait_for(lambda: _alert_events_at_least(stack, 3), timeout=60,
                   message="the first spike raised and closed, the second raised, on the alerts topic")
    result = stack.run("alerts", "job", "close-spikes")
    assert "close-spikes: 1 done" in result.stderr, result.stderr  # the second spike, by the job
    events = await wait_for(lambda: _alert_events_at_least(stack, 4), timeout=60, message="four alert events")

    detected = [p for _, p in events if p.DESCRIPTOR.name == "OverdoseSpikeDetected"]
    subsided = [p for _, p in events if p.DESCRIPTOR.name == "OverdoseSpikeSubsided"]
    assert len(detected) == 2 and len(subsided) == 2
    by_start = sorted(detected, key=lambda p: p.window_end.ToDatetime())
    assert [c.administration_id for c in by_start[0].cases] == [first[0], first[1], first[3]]
    assert list(by_start[0].neighbouring_area_codes) == ["B2"] and by_start[0].threshold == 3
    assert [c.administration_id for c in by_start[1].cases] == second
    closing = {p.alert_id: p for p in subsided}
    assert closing[by_start[0].alert_id].subsided_at.ToDatetime(tzinfo=UTC) == BASE + timedelta(hours=24)
    assert closing[by_start[1].alert_id].subsided_at.ToDatetime(tzinfo=UTC) == BASE + timedelta(hours=64)

    async def both_closed():
        items = await history(stack)
        return items if len(items) == 2 and all(i["status"] == "closed" for i in items) else None

    items = await wait_for(both_closed, timeout=60, message="both alerts closed in the history")
    assert [i["alert_id"] for i in items] == [by_start[1].alert_id, by_start[0].alert_id]  # newest first
    assert [c["administration_id"] for c in items[1]["cases"]] == [first[0], first[1], first[3]]
    assert await history(stack, status="open") == []
    assert [i["alert_id"] for i in await history(stack, limit=1)] == [by_start[1].alert_id]
    assert [i["alert_id"] for i in await history(stack, limit=1, after=by_start[1].alert_id)] == [by_start[0].alert_id]

    # the webhook: every alert event once, each after a 500, every signature good
    alert_event_ids = {env.event_id for env, _ in events}

    async def all_delivered():
        return {a["event_id"] for a in receiver.accepted.values()} == alert_event_ids or None

    await wait_for(all_delivered, timeout=60, message="every alert delivered to the webhook")
    assert len(receiver.accepted) == 4 and receiver.bad_signatures == 0
    assert all(n >= 2 for n in receiver.attempts.values())  # retried after the 500
    assert sorted(a["event"] for a in receiver.accepted.values()) == sorted(ALERT_TYPES * 2)
    async with httpx.AsyncClient(base_url=stack.api("alerts"), timeout=20) as alerts_api:
        r = await alerts_api.get(f"/v1/forces/{FORCE}/alerts/webhooks/{subscription}/deliveries", headers=admin)
    assert r.status_code == 200, r.text
    assert {d["status"] for d in r.json()["items"]} == {"delivered"}
    assert all(d["attempts"] >= 2 and d["last_status"] == 204 for d in r.json()["items"])


async def _alert_events_at_least(stack, n: int):
    found = await alert_events(stack)
    return found if len(found) >= n else None


async def _snapshot(stack) -> tuple:
    conn = await stack.db("alerts")
    try:
        events = [tuple(r) for r in await conn.fetch(
            "SELECT event_id, event_type, aggregate_version, payload::text FROM events ORDER BY position")]
        view = [tuple(r) for r in await conn.fetch(
            "SELECT alert_id, status, started_at, subsided_at, cases::text, detected_cases::text "
            "FROM alerts_view.alerts ORDER BY alert_id")]
        deliveries = await conn.fetchval("SELECT count(*) FROM webhook_deliveries")
    finally:
        await conn.close()
    return events, view, deliveries


async def _replay_consumers(stack, consumers: dict[str, tuple[str, list[str]]]) -> None:
    """Make consumers forget where they had got to and what they had seen, and read their topics again."""
    for process in consumers:
        stack.stack.stop(process)
    for schema, _ in consumers.values():
        await stack.scalar(f"DELETE FROM {schema}.projector_offsets", service_name="alerts")
        await stack.scalar(f"DELETE FROM {schema}.processed_events", service_name="alerts")
    stack.start(*consumers, env=FAST_RETRIES)
    for process, (schema, topics) in consumers.items():
        end = await topic_end_offsets(stack, topics)

        async def caught_up(schema=schema, end=end):
            stored = await stack.scalar(f"SELECT coalesce(sum(next_offset), 0) FROM {schema}.projector_offsets",
                                        service_name="alerts")
            return stored >= end

        await wait_for(caught_up, timeout=90, message=f"{process} to read {topics} again")


async def test_replaying_the_topics_twice_yields_the_same_alerts(stack, receiver):
    await wait_outbox_drained(stack, "alerts")
    before = await _snapshot(stack)
    assert len([e for e in before[0] if e[1].startswith("OverdoseSpike")]) == 4
    reactor_schema = Reactor("alerts", (), None).name
    for _ in range(2):
        # the reactor reads every administration again: redelivered events decide nothing new;
        # the webhook consumer reads every alert again: no delivery is made twice
        await _replay_consumers(stack, {"alerts-reactor": (reactor_schema, [stack.topic("incidents")]),
                                        "alerts-worker": ("alerts_webhooks", [stack.topic("alerts")])})
        # the history is rebuilt from the alerts topic
        stack.run("alerts", "rebuild", "alerts_view")
        await wait_outbox_drained(stack, "alerts")
        assert await _snapshot(stack) == before
    assert len(receiver.accepted) == 4 and all(n == 2 for n in receiver.attempts.values())
    on_kafka = {env.event_id for env, _ in await alert_events(stack)}
    assert on_kafka == {str(e[0]) for e in before[0] if e[1].startswith("OverdoseSpike")}
    assert contracts.domain_of("naloxone.alerts.v1.OverdoseSpikeDetected") == "alerts"
