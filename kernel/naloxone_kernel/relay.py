"""The outbox relay: publishes committed outbox rows to Kafka in batches, then marks them.

Only one relay per database publishes at a time (a PostgreSQL advisory lock), so rows
leave in id order and one aggregate's events keep their order on their partition.
A crash after publishing and before marking leaves rows unmarked: they are published
again after restart, and consumers drop the duplicates by event_id. Nothing is lost.

An idle relay costs nothing: it sleeps until the append's NOTIFY (a trigger on the
outbox) wakes it, and polls only as a slow safety net (a notification is lost if the
listening connection drops; the poll bounds how long that can hide a row). It raises
a flag while it sleeps and the trigger notifies only then: PostgreSQL serialises
notifying commits, so a busy relay's writers must not pay for wake-ups nobody needs.
"""

from __future__ import annotations

import asyncio
import json
import time

import asyncpg

from .failpoints import failpoint
from .kafka import idempotent_producer
from .eventstore import OUTBOX_CHANNEL
from .logging import get_logger
from .metrics import OUTBOX_BACKLOG, RELAY_BATCH_SECONDS, RELAY_PUBLISHED

log = get_logger("relay")

_RELAY_LOCK_ID = 0x6E616C6F78  # "nalox"


class OutboxRelay:
    def __init__(
        self,
        database_url: str,
        bootstrap: str,
        *,
        client_id: str = "outbox-relay",
        batch_size: int = 1000,
        idle_poll_seconds: float = 1.0,
    ) -> None:
        self.database_url = database_url
        self.bootstrap = bootstrap
        self.client_id = client_id
        self.batch_size = batch_size
        self.idle_poll_seconds = idle_poll_seconds
        self.ready = False
        self._stopping = asyncio.Event()
        self._woken = asyncio.Event()
        self._sleeping = False

    def stop(self) -> None:
        self._stopping.set()
        self._woken.set()

    def _notified(self, *_args) -> None:
        self._woken.set()

    async def _acquire_leadership(self, conn: asyncpg.Connection) -> None:
        waited = False
        while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", _RELAY_LOCK_ID):
            if not waited:
                log.info("another relay holds the outbox; standing by")
                waited = True
            await asyncio.sleep(1.0)

    async def run(self) -> None:
        conn = await asyncpg.connect(self.database_url)
        producer = idempotent_producer(self.bootstrap, self.client_id)
        await producer.start()
        try:
            await self._acquire_leadership(conn)
            await conn.add_listener(OUTBOX_CHANNEL, self._notified)
            await self._set_sleeping(conn, False)
            self.ready = True
            log.info("relay publishing", batch_size=self.batch_size)
            last_backlog_check = last_purge = 0.0
            failures = 0
            while not self._stopping.is_set():
                self._woken.clear()  # a notify from here on, even mid-batch, means look again
                try:
                    published = await self.publish_batch(conn, producer)
                    failures = 0
                    if published and self._sleeping:
                        await self._set_sleeping(conn, False)
                except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
                    raise  # the connection (and with it the leadership lock) is gone: exit and be restarted
                except Exception as exc:  # Kafka unavailable, timeouts: rows stay unmarked, try again
                    if conn.is_closed():  # PostgreSQL went away mid-batch, whatever the exception says
                        raise
                    failures += 1
                    log.error("publish failed; will retry", error=f"{type(exc).__name__}: {exc}", attempt=failures)
                    await self._pause(min(5.0, 0.1 * 2 ** failures))
                    continue
                now = time.monotonic()
                if now - last_backlog_check > 1.0:
                    OUTBOX_BACKLOG.set(
                        await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                    )
                    last_backlog_check = now
                if now - last_purge > 600:
                    purged = await purge_published(conn)
                    if purged:
                        log.info("purged published outbox rows", rows=purged)
                    last_purge = now
                if published == 0:  # after a batch, look again at once: more may have committed meanwhile
                    await self._sleep_until_notified(conn)
        finally:
            self.ready = False
            await producer.stop()
            await conn.close()

    async def _set_sleeping(self, conn: asyncpg.Connection, sleeping: bool) -> None:
        await conn.execute("UPDATE outbox_relay_state SET sleeping = $1 WHERE id = 1", sleeping)
        self._sleeping = sleeping

    async def _sleep_until_notified(self, conn: asyncpg.Connection) -> None:
        """Raise the sleeping flag (once), look once more, then wait for a NOTIFY or the safety poll.

        The flag stays up across quiet polls (no write per poll) and comes down when rows
        are published again.
        """
        if not self._sleeping:
            await self._set_sleeping(conn, True)
            if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM outbox WHERE published_at IS NULL)"):
                return  # committed before the flag was seen: publish now
        try:
            await asyncio.wait_for(self._woken.wait(), self.idle_poll_seconds)
        except TimeoutError:
            pass

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    async def publish_batch(self, conn: asyncpg.Connection, producer) -> int:
        rows = await conn.fetch(
            """SELECT id, topic, key, value, headers::text AS headers FROM outbox
               WHERE published_at IS NULL ORDER BY id LIMIT $1""",
            self.batch_size,
        )
        if not rows:
            return 0
        started = time.perf_counter()
        futures = []
        for row in rows:
            headers = [(k, v.encode()) for k, v in json.loads(row["headers"])]
            futures.append(await producer.send(row["topic"], row["value"], key=row["key"], headers=headers))
        await asyncio.gather(*futures)
        failpoint("relay.after_publish")
        await conn.execute(
            "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])",
            [row["id"] for row in rows],
        )
        RELAY_PUBLISHED.inc(len(rows))
        RELAY_BATCH_SECONDS.observe(time.perf_counter() - started)
        return len(rows)


async def purge_published(conn: asyncpg.Connection, older_than_hours: int = 24) -> int:
    """Published rows are only history once on Kafka; keep a day for diagnosis."""
    result = await conn.execute(
        "DELETE FROM outbox WHERE published_at < now() - make_interval(hours => $1)", older_than_hours
    )
    return int(result.split()[-1])
