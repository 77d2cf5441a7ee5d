"""Which forces a partner organisation reaches: the agreements, as every service learns them.

A force admin makes and revokes data-sharing agreements at the gateway, which stores them
and publishes them on the partnership topic. Every service's projector keeps this small
read model of them (the kit adds it to each service's read models), and `force_scope`
admits a partner's worker to a force exactly while an agreement naming their organisation
is active there. So a service reached some other way than through the gateway applies the
same rule; a revocation reaches the service within the projector's lag (the gateway itself
applies it at once).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import asyncpg
from naloxone.contracts import TOPICS
from naloxone.partnership.v1 import events_pb2 as partnership

from .contract_values import from_date
from .projector import ProjectedEvent

#: The schema the read model lives in, in every service's database.
AGREEMENTS_SCHEMA = "partner_agreements"


class PartnerAgreementsView:
    """One row per agreement: force, organisation, active dates, revoked or not."""

    name = AGREEMENTS_SCHEMA
    topics = (TOPICS["partnership"],)

    def ddl(self, schema: str) -> str:
        return f"""
        CREATE TABLE IF NOT EXISTS {schema}.agreements (
            agreement_id uuid PRIMARY KEY,
            force_id     text NOT NULL,
            org          text NOT NULL,
            starts_on    date NOT NULL,
            ends_on      date,
            revoked      boolean NOT NULL DEFAULT false
        );
        CREATE INDEX IF NOT EXISTS agreements_by_org ON {schema}.agreements (org);
        """

    async def apply_batch(self, conn: asyncpg.Connection, schema: str, events: Sequence[ProjectedEvent]) -> None:
        for event in events:
            payload = event.payload
            if isinstance(payload, partnership.AgreementMade):
                await conn.execute(
                    f"INSERT INTO {schema}.agreements (agreement_id, force_id, org, starts_on, ends_on) "
                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (agreement_id) DO NOTHING",
                    payload.agreement_id, payload.force_id, payload.org, from_date(payload.starts_on),
                    from_date(payload.ends_on) if payload.HasField("ends_on") else None)
            elif isinstance(payload, partnership.AgreementRevoked):
                # A revocation may arrive before its agreement only across a replay of a damaged
                # topic; keep it so the agreement, when it comes, is already inactive.
                await conn.execute(
                    f"INSERT INTO {schema}.agreements (agreement_id, force_id, org, starts_on, revoked) "
                    "VALUES ($1, $2, '', 'epoch', true) "
                    "ON CONFLICT (agreement_id) DO UPDATE SET revoked = true",
                    payload.agreement_id, payload.force_id)


async def forces_for_org(conn: asyncpg.Pool | asyncpg.Connection, org: str, today: date) -> frozenset[str]:
    """The forces with an agreement naming `org` active on `today`."""
    rows = await conn.fetch(
        f"SELECT DISTINCT force_id FROM {AGREEMENTS_SCHEMA}.agreements WHERE org = $1 AND NOT revoked "
        "AND starts_on <= $2 AND (ends_on IS NULL OR ends_on >= $2)", org, today)
    return frozenset(r["force_id"] for r in rows)
