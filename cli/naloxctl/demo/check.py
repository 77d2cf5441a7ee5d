"""After the load: wait until the views show it, and compare the national comparison with the plan.

The views are eventually consistent (every service's events reach them through Kafka), so the
check polls until every force's published figures equal the plan's, and fails loudly, naming
the differences, if they have not after `timeout` seconds. A national lead sees counts of
people under 5 hidden ("<5", or "c" where a total would give one away): a hidden cell is
checked as far as it can be ("<5" must stand for 1-4), the rest exactly.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from .plan import DemoPlan

#: The views' columns the plan predicts (others, e.g. lapsing certifications, depend on the day read).
COMPARED = ("provision_status", "officers_enrolled", "officers_trained", "officers_carrying", "kits_issued",
            "kits_in_stock", "administrations", "lives_saved", "outcome_alive_at_handover",
            "outcome_alive_refused_hospital", "outcome_died", "outcome_unknown", "take_home_supplies",
            "take_home_first", "take_home_repeat", "take_home_at_custody_release", "referrals_made",
            "referrals_waiting", "referrals_accepted", "referrals_declined", "referrals_engaged",
            "referrals_completed")


def differences(plan: DemoPlan, rows: dict[str, dict]) -> list[str]:
    """Where the published rows differ from the plan."""
    out = []
    for force_id, expected in plan.figures().items():
        shown = rows.get(force_id, {})
        for column in COMPARED:
            want = expected[column]
            got = shown.get(column)
            if got == want or got == "c" or (got == "<5" and isinstance(want, int) and 1 <= want <= 4):
                continue
            if got is None and want in (0, None):
                continue
            out.append(f"{force_id}.{column}: views {got!r}, plan {want!r}")
    return out


async def comparison(client: httpx.AsyncClient, token: str) -> dict[str, dict]:
    r = await client.get("/v1/national/comparison", headers={"Authorization": f"Bearer {token}"})
    r.raise_for_status()
    return {row["force_id"]: row["figures"] for row in r.json()["rows"]}


async def wait_for_views(client: httpx.AsyncClient, token: str, plan: DemoPlan, timeout: float = 120.0) -> float:
    """Poll the national comparison until it equals the plan; the seconds waited."""
    started = time.monotonic()
    while True:
        diff = differences(plan, await comparison(client, token))
        if not diff:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"the views differ from the demo plan after {timeout:.0f} s "
                                 f"({len(diff)} figures): " + "; ".join(diff[:20]))
        await asyncio.sleep(1.0)
