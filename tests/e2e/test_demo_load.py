"""`naloxctl demo load` on a platform of its own, through the gateway: the views come to show exactly
the plan (each force's own figures, unsuppressed, as its users read them), 20+ forces are active
even at a small scale, and a rerun the same day replays every command and adds nothing."""

from datetime import datetime

import httpx
import pytest

from naloxctl.demo import build_plan, load_demo
from naloxone_kernel.domain import UK
from naloxctl.demo.check import COMPARED, comparison

pytestmark = pytest.mark.e2e

SCALE = 0.02


async def own_rows(gateway: str, stack, force_ids) -> dict[str, dict]:
    """Each force's row as its own force admin sees it (unsuppressed)."""
    rows = {}
    async with httpx.AsyncClient(base_url=gateway, timeout=60) as client:
        for force_id in force_ids:
            token = stack.issuer.mint(subject=f"reader@{force_id}", roles=["force_admin"], force_id=force_id)
            rows[force_id] = (await comparison(client, token))[force_id]
    return rows


async def test_demo_load_builds_the_plan_in_the_views_and_a_rerun_adds_nothing(isolated):
    isolated.up()
    today = datetime.now(UK).date()
    plan = build_plan(today, scale=SCALE)
    first = await load_demo(isolated.gateway, isolated.issuer, scale=SCALE, today=today, timeout=120)
    assert first["forces_active"] >= 20 and first["replayed"] == 0 and first["created"] == plan.commands()

    active = [f.force_id for f in plan.active]
    assert len(active) >= 20
    rows = await own_rows(isolated.gateway, isolated, plan.forces)
    expected = plan.figures()
    for force_id in plan.forces:
        for column in COMPARED:
            assert rows[force_id][column] == expected[force_id][column], (force_id, column)
    for force_id in active:  # sizes scale, the number of forces does not
        figures = rows[force_id]
        assert figures["officers_trained"] >= 1 and figures["officers_carrying"] >= 1, force_id
        assert figures["kits_issued"] >= 1 and figures["administrations"] >= 1, force_id
    assert rows["west-midlands"]["take_home_at_custody_release"] >= 1
    assert rows["durham"]["take_home_at_custody_release"] >= 1
    assert rows["police-scotland"]["outcome_died"] >= 1
    assert sum(rows[f]["referrals_made"] for f in active) >= 1

    again = await load_demo(isolated.gateway, isolated.issuer, scale=SCALE, today=today, timeout=120)
    assert again["created"] == 0 and again["replayed"] == first["created"]
    assert await own_rows(isolated.gateway, isolated, plan.forces) == rows
