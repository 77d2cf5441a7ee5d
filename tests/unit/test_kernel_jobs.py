"""The kit's scheduled-job loop: any number of candidates, once per candidate per day."""

from datetime import date
from uuid import UUID

from naloxone_kernel.commands import CommandRunner, Session
from naloxone_kernel.memory import InMemoryEventStore
from naloxone_kernel.repository import EventMapper
from naloxone_kernel.service import JobContext
from training.adapters.contracts import to_proto
from training.application import handlers as h
from training.domain import TRAINING_EVENTS, Officer, OfficerRole, officer_id_for

FORCE = "west-midlands"
DAY = date(2026, 6, 1)


async def test_every_candidate_is_visited_across_pages_and_a_rerun_changes_nothing(capsys):
    runner = CommandRunner(InMemoryEventStore(), EventMapper(TRAINING_EVENTS, to_proto, "t"))
    officers = []
    for n in range(1234):  # more than any page, more than the old 1,000 cap
        async def enrol_and_train(session: Session, n=n) -> dict:
            officer = await session.get(Officer, officer_id_for(FORCE, f"S{n}"))
            officer.enrol(force_id=FORCE, staff_number=f"S{n}", role=OfficerRole.PCSO, enrolled_on=date(2025, 1, 1))
            officer.record_training(course="C", provider="p", completed_on=date(2025, 1, 2),
                                    valid_until=date(2026, 1, 1))
            return {"officer_id": str(officer.id)}
        officers.append(UUID((await runner.run(_ctx(n), enrol_and_train)).body["officer_id"]))
    candidates = sorted(officers)

    async def page(after, limit=100):
        rest = [o for o in candidates if after is None or o > after]
        return [(FORCE, o) for o in rest[:limit]]

    job = JobContext("training expire", runner, None, None, "corr")
    decide = lambda force_id, officer_id: h.expire_certification(  # noqa: E731
        h.ExpireCertification(force_id=force_id, officer_id=officer_id, today=DAY))
    assert await job.once_a_day_for_each(DAY, total=len(candidates), page=page, decision=decide) == 1234
    assert await job.once_a_day_for_each(DAY, total=len(candidates), page=page, decision=decide) == 0
    expired = [e for e in runner.store.events if e.event_type == "CertificationExpired"]
    assert len(expired) == 1234
    assert "training expire: 1234/1234" in capsys.readouterr().err  # progress is shown


def _ctx(n: int):
    from naloxone_kernel.repository import CommandContext

    return CommandContext(actor="t", correlation_id="c", idempotency_key=f"k{n}", fingerprint=f"k{n}")
