"""Per-client token buckets (429 with Retry-After) and the checks on what a client sends."""

from __future__ import annotations

import math
import re
import time

#: A request target the gateway will route: absolute, ASCII, no dot segments, no encoded
#: slash or backslash, no empty segment, no trailing slash. Anything else is refused, so
#: the path that was authorised is exactly the path that is forwarded.
_SEGMENT = re.compile(rb"^(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})+$")
_FORBIDDEN_ESCAPES = re.compile(rb"%(?:2[fF]|5[cC]|2[eE]|[01][0-9a-fA-F]|7[fF])")
#: Header values: visible ASCII, space and tab only (no control characters, nothing outside ASCII).
_BAD_HEADER_VALUE = re.compile(rb"[^\t\x20-\x7e]")
_BAD_QUERY = re.compile(rb"[^\x21-\x7e]|%(?:[01][0-9a-fA-F]|7[fF])")


def path_problem(raw_path: bytes) -> str | None:
    """Why a raw path cannot be routed, or None."""
    if not raw_path.startswith(b"/"):
        return "the path must be absolute"
    if raw_path == b"/":
        return None
    if raw_path.endswith(b"/"):
        return "no trailing slash: the path names a resource without one"
    if _FORBIDDEN_ESCAPES.search(raw_path):
        return "the path holds an encoded slash, backslash, dot or control character"
    for segment in raw_path[1:].split(b"/"):
        if segment in (b".", b"..") or not segment:
            return "the path holds a dot or empty segment"
        if not _SEGMENT.match(segment):
            return "the path holds a character outside the URL grammar"
    return None


def query_problem(query: bytes) -> str | None:
    if query and _BAD_QUERY.search(query):
        return "the query string holds a control character, NUL or a byte outside ASCII"
    return None


def header_problem(headers: list[tuple[bytes, bytes]]) -> tuple[str, str] | None:
    """(field, message) for the first unusable header, or None; also refuses two Authorizations."""
    authorizations = 0
    for name, value in headers:
        if name == b"authorization":
            authorizations += 1
            if authorizations > 1:
                return "header.Authorization", "more than one Authorization header"
        if _BAD_HEADER_VALUE.search(value):
            field = name.decode("latin-1")
            return f"header.{field}", f"header '{field}' holds a control character or a byte outside ASCII"
    return None


class RateLimiter:
    """Token buckets keyed by client: `rate` per second, up to `burst` at once."""

    def __init__(self, rate: float, burst: int, max_clients: int = 100_000) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.max_clients = max_clients
        self._buckets: dict[str, list[float]] = {}

    def take(self, key: str, cost: float = 1.0) -> float:
        """0 if the request may go ahead, else the seconds until it could (Retry-After)."""
        now = time.monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_clients:
                self._evict(now)
            bucket = self._buckets[key] = [self.burst, now]
        else:
            bucket[0] = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
            bucket[1] = now
        if bucket[0] >= cost:
            bucket[0] -= cost
            return 0.0
        return (cost - bucket[0]) / self.rate if self.rate > 0 else 60.0

    def peek(self, key: str) -> float:
        """Like take, without spending: the wait before one more request is allowed."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return 0.0
        level = min(self.burst, bucket[0] + (time.monotonic() - bucket[1]) * self.rate)
        return 0.0 if level >= 1 else (1 - level) / self.rate if self.rate > 0 else 60.0

    def _evict(self, now: float) -> None:
        full = [k for k, (level, at) in self._buckets.items() if level + (now - at) * self.rate >= self.burst]
        for k in full:
            del self._buckets[k]
        while len(self._buckets) >= self.max_clients:
            del self._buckets[next(iter(self._buckets))]


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """True when the JSON text nests deeper than `limit` (counted outside strings)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False
