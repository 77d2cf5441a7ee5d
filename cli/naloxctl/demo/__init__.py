"""`naloxctl demo load`: a realistic picture of the partnership, put in through the gateway.

plan.py works out every command from published figures (pure, deterministic, scalable);
load.py sends them with bounded concurrency; check.py waits for the views to catch up and
compares the national comparison with the plan.
"""

from __future__ import annotations

import sys
from datetime import date

import httpx

from naloxone_kernel.auth import DevIssuer
from naloxone_kernel.domain import UK

from .check import differences, comparison, wait_for_views
from .load import DemoLoadError, load
from .plan import DemoPlan, build_plan

__all__ = ["DemoLoadError", "DemoPlan", "build_plan", "load_demo"]


def _say(text: str) -> None:
    print(f"  demo: {text}", file=sys.stderr, flush=True)


async def load_demo(gateway: str, issuer: DevIssuer, *, scale: float = 1.0, seed: int = 7, concurrency: int = 32,
                    today: date | None = None, check: bool = True, timeout: float = 180.0) -> dict:
    """Plan, load, wait for the views and check them; returns the plan's summary with the timings."""
    from datetime import datetime

    today = today or datetime.now(UK).date()
    plan = build_plan(today, seed=seed, scale=scale)
    summary = plan.summary()
    _say(f"{plan.commands():,} commands for {len(plan.forces)} forces ({summary['forces_active']} active), "
         f"scale {scale:g}, {concurrency} in flight")
    national = issuer.mint(subject="demo-lead@national", roles=["national_lead"])
    async with httpx.AsyncClient(base_url=gateway, timeout=60) as client:
        before = await comparison(client, national) if check else {}
    fresh = not differences(plan, before) or not any(
        isinstance(v, int) and v for row in before.values() for k, v in row.items() if k != "provision_status")
    counts, seconds = await load(plan, gateway, issuer, concurrency)
    rate = counts.sent / max(seconds, 1e-9)
    _say(f"loaded in {seconds:.1f} s: {counts.sent:,} commands ({counts.created:,} new, {counts.replayed:,} "
         f"replayed), {rate:,.0f} commands/s, {counts.retried:,} retries")
    result = {**summary, "commands": counts.sent, "created": counts.created, "replayed": counts.replayed,
              "load_seconds": round(seconds, 1), "commands_per_second": round(rate, 1)}
    if check:
        async with httpx.AsyncClient(base_url=gateway, timeout=60) as client:
            if fresh:
                waited = await wait_for_views(client, national, plan, timeout)
                _say(f"views caught up {waited:.1f} s after the load; the national comparison matches the plan")
            else:
                _say("the views held other data before this load (an earlier day's demo?): not compared with the plan")
                waited = 0.0
        result["views_wait_seconds"] = round(waited, 1)
    _say("forces active {forces_active}, officers trained {officers_trained:,} (carrying {officers_carrying:,}), "
         "kits issued {kits_issued:,} (in stock {kits_in_stock:,}), administrations {administrations:,} "
         "(survived {survived:,}, died {died}), take-home supplies {take_home_supplies:,}, "
         "referrals {referrals:,}".format(**summary))
    return result
