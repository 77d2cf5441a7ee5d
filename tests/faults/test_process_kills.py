"""Every kind of process SIGKILLed in turn under steady load through the gateway; then the
independent checker (tests/faults/checker.py) proves what became of every command.

Small scale here (in `make test`, on the shared servers, which it never stops): each kind
is killed in every service at once (every API, then every relay, every projector, every
reactor, ..., then the gateway), about a second down each. `make faults` runs the larger
version (one process at a time, longer, more load; tests/faults/test_servers_restart.py).
The processes come from the registry, so a new service is covered as soon as it is a row.
"""

from __future__ import annotations

import pytest

from ..support import IsolatedStack
from .scenario import assert_clean, kinds, run_under_faults, sigkill, start_all

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def whole_platform(servers, issuer, tmp_path_factory):
    stack = IsolatedStack(servers, issuer, tmp_path_factory.mktemp("faults"))
    await stack.prepare()
    try:
        await start_all(stack)
        yield stack
    finally:
        await stack.destroy()


async def test_every_kind_of_process_killed_under_load_loses_nothing_and_doubles_nothing(whole_platform):
    stack = whole_platform
    by_kind = kinds(stack)
    order = sorted(by_kind, key=lambda k: (k == "gateway", k))  # the gateway last
    faults = [sigkill(by_kind[k], down=1.0) for k in order]
    report, done, _died, _mix = await run_under_faults(stack, faults, rate=15, between=1.0)
    assert_clean(report)
    assert len(done) == len(order)
    assert report.retried > 0  # the kills really cut commands off (the APIs' and the gateway's at least)
