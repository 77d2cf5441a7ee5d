"""The views through the real broker: records made at the training, inventory, incidents and
views APIs reach the force overview and the national comparison; a figure asked for as it
stood at a day does not move when a late record arrives; a rebuilt view equals the live one.

One isolated stack for the module: the four services' APIs and relays and the views projector.
"""

import os
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from naloxone.incidents.v1 import events_pb2 as incidents_pb
from naloxone.training.v1 import events_pb2 as training_pb
from naloxone_kernel import projector
from naloxone_kernel.contract_values import to_date, to_timestamp
from naloxone_kernel.envelope import EnvelopeMeta, to_outbox
from naloxone_kernel.projector import rebuild
from naloxone_kernel.registry import service
from views.projections import ViewsReadModel, ViewsReplay

from ..harness import assert_equals_fresh_rebuild, read_models, schema_tables, wait_caught_up
from ..support import REPO, IsolatedStack, wait_for

pytestmark = pytest.mark.integration

FORCE = "leicestershire"
OTHER = "durham"
TODAY = date.today()
PROCESSES = ("training-api", "training-relay", "inventory-api", "inventory-relay", "incidents-api",
             "incidents-relay", "views-api", "views-relay", "views-projector")


@pytest.fixture(scope="module")
async def stack(servers, issuer, tmp_path_factory):
    s = IsolatedStack(servers, issuer, tmp_path_factory.mktemp("views"))
    await s.prepare()
    s.start(*PROCESSES)
    yield s
    await s.destroy()


def key() -> str:
    return f"k-{uuid.uuid4()}"


def national(stack) -> dict:
    return {"Authorization": "Bearer " + stack.issuer.mint(subject="lead@national", roles=["national_lead"])}


async def post(stack, service_name: str, path: str, body: dict, force: str = FORCE, roles=("force_admin",),
               expect=(200, 201), method: str = "POST") -> dict:
    async with httpx.AsyncClient(base_url=stack.api(service_name), timeout=20) as c:
        r = await c.request(method, f"/v1/forces/{force}{path}", json=body,
                            headers={**stack.auth(force, list(roles)), "Idempotency-Key": key()})
    assert r.status_code in expect, r.text
    return r.json()


async def views_get(stack, path: str, headers: dict, expect: int = 200, **params):
    async with httpx.AsyncClient(base_url=stack.api("views"), timeout=30) as c:
        r = await c.get(path, params=params, headers=headers)
    assert r.status_code == expect, r.text
    return r


async def overview(stack, force: str = FORCE, **params) -> dict:
    return (await views_get(stack, f"/v1/forces/{force}/overview", stack.auth(force, ["trainer"]), **params)).json()


def administration(when: datetime, outcome: str = "alive_at_handover", doses: int = 2) -> dict:
    return {"administered_by": "officer", "staff_number": f"L{uuid.uuid4().hex[:6]}", "kit_source": "take_home_kit",
            "administered_at": when.isoformat(), "doses": doses, "route": "intranasal",
            "suspected_substances": ["heroin"], "outcome": outcome, "place": {"area_code": "LE1"}}


async def test_records_at_the_domain_apis_appear_in_the_force_overview_and_the_national_comparison(stack):
    for n in range(7):
        officer = await post(stack, "training", "/officers", {"staff_number": f"LV{n:04d}", "role": "response",
                                                                "enrolled_on": "2025-01-06"}, roles=("trainer",))
        if n < 6:
            await post(stack, "training", f"/officers/{officer['officer_id']}/training-records", {
                "course": "NALOX-1", "provider": "force-training-unit", "completed_on": "2025-01-10",
                "valid_until": (TODAY + timedelta(days=10 if n < 2 else 200)).isoformat()}, roles=("trainer",))
    await post(stack, "inventory", "/stock/batches", {
        "product_code": "nyxoid-1-8mg-nasal-spray", "manufacturer_lot": "LV0001", "quantity": 12,
        "expires_on": (TODAY + timedelta(days=45)).isoformat(), "received_on": "2025-01-05",
        "location": {"location_id": "STN-1", "location_type": "police_station"}})
    await post(stack, "inventory", "/take-home-supplies", {
        "setting": "custody_release", "recipient": "person_at_risk", "supplied_at": "2025-02-03T10:00:00+00:00",
        "supplier_org_id": FORCE, "repeat_supply": False, "subject_pseudonym": "a" * 32,
        "product_code": "nyxoid-1-8mg-nasal-spray"})
    for n in range(6):
        await post(stack, "incidents", "/administrations",
                   administration(datetime(2025, 3, 1 + n, 12, tzinfo=UTC), "died" if n == 0 else "alive_at_handover"),
                   roles=("officer",))
    await post(stack, "views", "/provision", {"status": "ongoing", "effective_on": "2024-06-01"}, method="PUT")
    # another force with few administrations: hidden from a national lead, shown to itself
    for n in range(2):
        await post(stack, "incidents", "/administrations", administration(datetime(2025, 3, 9 + n, tzinfo=UTC)),
                   force=OTHER, roles=("officer",))

    async def complete():
        body = await overview(stack)
        f = body["figures"]
        return body if (f["officers_enrolled"], f["administrations"], f["kits_in_stock"]) == (7, 6, 12) else None

    body = await wait_for(complete, timeout=60, message="the force overview to show every record")
    f = body["figures"]
    assert f["officers_trained"] == f["officers_certified"] == 6
    assert f["certifications_lapsing"] == 2  # valid for 10 more days: within 30
    assert f["kits_expiring"] == 12  # expiring in 45 days: within 60
    assert f["lives_saved"] == 5 and f["outcome_died"] == 1 and f["mean_doses"] == 2.0
    assert f["take_home_supplies"] == f["take_home_at_custody_release"] == f["take_home_first"] == 1
    assert f["provision_status"] == "ongoing" and body["provision"]["status"] == "ongoing"
    march = next(m for m in body["months"] if m["month"] == "2025-03")
    assert march["administrations"] == 6 and march["doses"] == 12
    assert sum(body["certifications_lapsing_by_day"].values()) == 2

    async def durham_seen():
        return (await overview(stack, OTHER))["figures"]["administrations"] == 2

    await wait_for(durham_seen, message="durham's administrations in the views")
    lead = (await views_get(stack, "/v1/national/comparison", national(stack), sort="administrations")).json()
    rows = {r["force_id"]: r for r in lead["rows"]}
    # only two forces have administrations: durham's 2 is small, and leicestershire's 6 must go
    # with it, or the national total (published: 8) would give durham's away
    assert rows[OTHER]["figures"]["administrations"] == "<5"
    assert rows[FORCE]["figures"]["administrations"] == "c"
    assert lead["total"]["figures"]["administrations"] == 8
    assert [r["force_id"] for r in lead["rows"][-2:]] == [OTHER, FORCE]  # hidden cells sort last, by name
    assert rows[FORCE]["figures"]["administrations_per_1000_officers"] == "c"  # a rate goes with its count
    assert lead["total"]["figures"]["provision_ongoing"] == 1
    assert rows[FORCE]["figures"]["officers_enrolled"] == 7  # officer counts are not about people at risk
    # a force user sees its own force unsuppressed, and what is no longer small once its own is known
    own = (await views_get(stack, "/v1/national/comparison", stack.auth(OTHER, ["force_admin"]))).json()
    mine = {r["force_id"]: r for r in own["rows"]}
    assert mine[OTHER]["figures"]["administrations"] == 2
    assert mine[FORCE]["figures"]["outcome_died"] == "<5"  # one death elsewhere stays hidden
    region = (await views_get(stack, "/v1/regions/east-midlands/overview", stack.auth(FORCE, ["trainer"]))).json()
    assert next(r for r in region["forces"] if r["force_id"] == FORCE)["figures"]["administrations"] == 6
    assert region["national"]["figures"]["administrations"] == "<5"  # 8 less its own 6: durham's 2
    assert [r["force_id"] for r in region["forces"]] == ["derbyshire", "leicestershire", "lincolnshire",
                                                         "northamptonshire", "nottinghamshire"]
    for force_row in (rows["durham"], rows["police-scotland"]):
        assert "officers_trained_per_1000_officers" in force_row["figures"]


async def test_bad_reads_are_refused_naming_the_field(stack):
    r = await views_get(stack, "/v1/national/comparison", national(stack), expect=422, sort="nonsense")
    assert r.json()["errors"][0]["field"] == "query.sort"
    r = await views_get(stack, "/v1/national/comparison", national(stack), expect=422,
                        as_of=(TODAY + timedelta(days=2)).isoformat())
    assert r.json()["errors"][0]["field"] == "query.as_of"
    r = await views_get(stack, "/v1/national/comparison", national(stack), expect=422, as_of="31-03-2025")
    assert r.json()["errors"][0]["field"].endswith("as_of")
    await views_get(stack, "/v1/regions/atlantis/overview", national(stack), expect=422)
    await views_get(stack, "/v1/national/trends", stack.auth(FORCE, ["officer"]), expect=403)  # submit-only
    await views_get(stack, f"/v1/forces/{FORCE}/overview", national(stack), expect=403)  # aggregates only
    await views_get(stack, f"/v1/forces/{FORCE}/overview", stack.auth(OTHER, ["force_admin"]), expect=403)
    r = await views_get(stack, "/v1/national/comparison", national(stack), format="csv")
    assert r.headers["content-type"].startswith("text/csv")
    header = r.text.splitlines()[0].split(",")
    assert header[:4] == ["force_id", "force_name", "region", "provision_status"]
    r = await views_get(stack, "/v1/national/trends", {**national(stack), "Accept": "text/csv"})
    assert r.text.startswith("month,administrations")


async def publish_earlier(stack, events: list[tuple[str, object, int]], recorded: datetime) -> None:
    """Events as their services would have published them on an earlier day (the envelope's
    recorded time is what `as_of` reads), straight onto the contract topics."""
    producer = AIOKafkaProducer(bootstrap_servers=stack.servers.kafka_bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for domain, payload, version in events:
            meta = EnvelopeMeta(event_id=uuid.uuid4(), aggregate_type="x", aggregate_id=uuid.uuid4(),
                                aggregate_version=version, force_id=FORCE, occurred_at=recorded,
                                recorded_at=recorded, correlation_id=None, causation_id=None, actor="test")
            out = to_outbox(stack.topic(domain), meta, payload)
            await producer.send_and_wait(out.topic, out.value, key=out.key, headers=[
                (k, v.encode()) for k, v in out.headers])
    finally:
        await producer.stop()


async def test_a_figure_as_it_stood_does_not_move_when_late_records_arrive(stack):
    quarter_end = TODAY - timedelta(days=20)
    recorded = datetime.combine(quarter_end - timedelta(days=3), datetime.min.time(), UTC) + timedelta(hours=12)
    month = quarter_end.replace(day=1)
    earlier = [("incidents", incidents_pb.NaloxoneAdministered(
        incident_id=str(uuid.uuid4()), administration_id=str(uuid.uuid4()), force_id=FORCE, doses=1,
        administered_at=to_timestamp(datetime.combine(month, datetime.min.time(), UTC) + timedelta(hours=n + 1)),
        outcome=incidents_pb.INCIDENT_OUTCOME_ALIVE_AT_HANDOVER, life_saved=True), 1) for n in range(5)]
    officer = str(uuid.uuid4())
    earlier.append(("training", training_pb.OfficerEnrolled(officer_id=officer, force_id=FORCE, staff_number="OLD1",
                                                            enrolled_on=to_date(month)), 1))
    await publish_earlier(stack, earlier, recorded)
    as_of = {"as_of": quarter_end.isoformat()}
    label = month.strftime("%Y-%m")

    async def published():  # every earlier record, from both topics (each is projected in its own time)
        body = await overview(stack, **as_of)
        m = next((x for x in body["months"] if x["month"] == label), None)
        return body if m and m["administrations"] == 5 and body["figures"]["officers_enrolled"] == 1 else None

    before = await wait_for(published, message="the earlier records as they stood at the quarter's end")
    national_before = (await views_get(stack, "/v1/national/comparison", national(stack), **as_of)).json()

    # a late record (about the same month) and a correction arrive today
    late = await post(stack, "incidents", "/administrations",
                      administration(datetime.combine(month, datetime.min.time(), UTC) + timedelta(days=1, hours=3)),
                      roles=("officer",))
    await post(stack, "incidents", f"/administrations/{late['administration_id']}/outcome", {
        "outcome": "died", "source": "hospital", "final": True, "known_at": datetime.now(UTC).isoformat()},
        roles=("officer",))

    async def current_moved():
        body = await overview(stack)
        m = next((x for x in body["months"] if x["month"] == label), None)
        return body if m and m["administrations"] == 6 and m["outcome_died"] >= 1 else None

    await wait_for(current_moved, message="the late record in the current figures")
    after = await overview(stack, **as_of)
    assert after["months"] == before["months"]  # as published: unchanged, month by month
    assert after["figures"] == before["figures"]
    assert after["revisions"]["administrations"] == before["revisions"]["administrations"] + 1
    national_after = (await views_get(stack, "/v1/national/comparison", national(stack), **as_of)).json()
    assert [r["figures"] for r in national_after["rows"]] == [r["figures"] for r in national_before["rows"]]
    assert national_after["total"]["revisions"]["administrations"] == \
        national_before["total"]["revisions"]["administrations"] + 1


async def test_answers_kept_between_reads_move_on_with_the_read_model(stack):
    """Trends and a force's overview are worked out once and kept while the read model stands
    still (the dashboard reads them over and over); a record made after they were read shows in
    the next reads."""
    force, month = "lincolnshire", "2019-06"
    own = stack.auth(force, ["trainer"])

    def month_row(body: dict) -> dict | None:
        return next((m for m in body["months"] if m["month"] == month), None)

    trends_before = (await views_get(stack, "/v1/national/trends", own)).json()
    overview_before = await overview(stack, force)
    assert (await views_get(stack, "/v1/national/trends", own)).json() == trends_before  # kept: the same answer
    assert month_row(trends_before) is None and month_row(overview_before) is None
    await post(stack, "incidents", "/administrations", administration(datetime(2019, 6, 15, 12, tzinfo=UTC)),
               force=force, roles=("officer",))

    async def moved():
        trends = (await views_get(stack, "/v1/national/trends", own)).json()
        body = await overview(stack, force)
        if month_row(trends) is None or month_row(body) is None:
            return None
        return trends, body

    trends, body = await wait_for(moved, message="the new record in trends and the overview already read")
    assert month_row(body)["administrations"] == 1
    assert body["figures"]["administrations"] == overview_before["figures"]["administrations"] + 1
    assert month_row(trends)["administrations"] == 1  # the reader's own record: not hidden from it


async def test_the_rebuilt_view_equals_the_live_one_and_naloxctl_rebuild_swaps_it_in(stack):
    model = next(m for m in read_models("views") if m.name == "views_figures")
    await wait_caught_up(stack, "views", model)
    await assert_equals_fresh_rebuild(stack, "views", model)
    before = await overview(stack)
    env = {**os.environ, **stack.config.service_env(service("views"))}
    done = subprocess.run([sys.executable, "-m", "naloxctl.main", "rebuild", "views_figures"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "events/s" in done.stderr and "views_figures" in done.stderr
    assert await overview(stack) == before  # swapped in: the same figures
    refused = subprocess.run([sys.executable, "-m", "naloxctl.main", "rebuild", "views_figures", "--into",
                              "views_figures"], env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0 and "cannot go into views_figures" in refused.stderr
    assert await overview(stack) == before  # the live view was not dropped


class SmallMemoryViews(ViewsReadModel):
    """The views with room for only a few entities in a replay's memory."""

    def replay(self) -> ViewsReplay:
        return ViewsReplay(max_entities=5)


async def test_a_rebuild_in_parallel_shares_equals_the_live_view_and_a_lost_share_swaps_nothing_in(stack, monkeypatch):
    model = next(m for m in read_models("views") if m.name == "views_figures")
    await wait_caught_up(stack, "views", model)
    # three processes, each replaying its own topic groups and writing its own rows
    applied = await rebuild(model, stack.database_urls["views"], stack.servers.kafka_bootstrap,
                            topic_prefix=stack.topic_prefix, target_schema="views_figures_shares", swap=False,
                            progress=lambda done, total: None, workers=3)
    conn = await stack.db("views")
    try:
        live, shared = await schema_tables(conn, model.name), await schema_tables(conn, "views_figures_shares")
        assert applied == len(live["processed_events"]) > 0
        assert live == shared
    finally:
        await conn.close()
    # shares that must write out what they hold and load it back (a tiny memory bound): the same rows
    monkeypatch.setattr(projector, "REPLAY_MAX_IDS", 7)
    await rebuild(SmallMemoryViews(), stack.database_urls["views"], stack.servers.kafka_bootstrap,
                  topic_prefix=stack.topic_prefix, target_schema="views_figures_small", swap=False,
                  progress=lambda done, total: None, workers=2)
    conn = await stack.db("views")
    try:
        assert await schema_tables(conn, "views_figures_small") == live
    finally:
        await conn.close()
    # a share killed after writing its rows but before saying so: the rebuild fails, nothing is swapped
    before = await overview(stack)
    env = {**os.environ, **stack.config.service_env(service("views")), "NALOX_FAILPOINTS": "rebuild.share_written=kill"}
    lost = subprocess.run([sys.executable, "-m", "naloxctl.main", "rebuild", "views_figures", "--workers", "2"],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert lost.returncode != 0 and "ended without a result" in lost.stderr, lost.stderr[-2000:]
    assert await stack.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'views_figures__old'",
                              service_name="views") == 0
    assert await overview(stack) == before  # still answering from the view it had
