"""Named fault-injection points for crash tests (NALOX_FAILPOINTS="relay.after_publish=kill").

A failpoint set to `kill` sends SIGKILL to its own process: a real, unclean death at an
exact place, so tests can prove recovery without racing a timer. Unset in production.
"""

from __future__ import annotations

import os
import signal
import sys


def _configured() -> dict[str, str]:
    spec = os.environ.get("NALOX_FAILPOINTS", "")
    out: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, action = item.partition("=")
        out[name] = action or "kill"
    return out


_FAILPOINTS = _configured()


def failpoint(name: str) -> None:
    action = _FAILPOINTS.get(name)
    if action == "kill":
        sys.stdout.write(f'{{"event": "failpoint reached, killing self", "failpoint": "{name}"}}\n')
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)
