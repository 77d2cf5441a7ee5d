"""Readiness checks: a real query to PostgreSQL, a real metadata call to Kafka (cached)."""

from __future__ import annotations

import time

import asyncpg

from .kafka import kafka_ready


def postgres_check(url: str):
    async def check() -> None:
        conn = await asyncpg.connect(url, timeout=3)
        try:
            await conn.fetchval("SELECT 1")
        finally:
            await conn.close()

    return check


def kafka_check(bootstrap: str, cache_seconds: float = 5.0):
    state = {"at": 0.0, "ok": False}

    async def check() -> None:
        now = time.monotonic()
        if now - state["at"] > cache_seconds or not state["ok"]:
            state["ok"] = await kafka_ready(bootstrap)
            state["at"] = now
        if not state["ok"]:
            raise ConnectionError(f"Kafka at {bootstrap} does not answer")

    return check
