"""Training's decisions through the kernel's command runner, on the in-memory event store."""

from datetime import date
from uuid import UUID, uuid4

import pytest

from naloxone_kernel.commands import CommandRunner, IdempotencyKeyReused, Outcome
from naloxone_kernel.domain import DomainError, NotFound
from naloxone_kernel.eventstore import ConcurrencyError
from naloxone_kernel.memory import InMemoryEventStore
from naloxone_kernel.repository import CommandContext, EventMapper
from training.adapters.contracts import to_proto
from training.application import handlers as h
from training.domain import TRAINING_EVENTS, OfficerRole

FORCE = "west-midlands"


def runner() -> CommandRunner:
    return CommandRunner(InMemoryEventStore(), EventMapper(TRAINING_EVENTS, to_proto, "naloxone.training.events.v1"))


def ctx(key: str | None = None, body: str = "", version: int | None = None) -> CommandContext:
    return CommandContext(actor="trainer@wm", correlation_id="c1", idempotency_key=key or uuid4().hex,
                          fingerprint=body or key or "", expected_version=version)


def enrol(staff: str = "WM1") -> h.EnrolOfficer:
    return h.EnrolOfficer(force_id=FORCE, staff_number=staff, role=OfficerRole.POLICE_OFFICER,
                          enrolled_on=date(2026, 1, 5))


async def test_enrolment_creates_and_a_retry_replays_without_appending():
    r = runner()
    first = await r.run(ctx("k1"), h.enrol(enrol()))
    again = await r.run(ctx("k1"), h.enrol(enrol()))
    assert first.outcome is Outcome.CREATED and first.body["version"] == 1
    assert again.replayed and again.body == first.body
    assert len(r.store.events) == 1 and len(r.store.outbox) == 1


async def test_a_key_reused_for_another_request_is_refused():
    r = runner()
    await r.run(ctx("k1", body="a"), h.enrol(enrol("A")))
    with pytest.raises(IdempotencyKeyReused):
        await r.run(ctx("k1", body="b"), h.enrol(enrol("B")))


async def test_training_without_valid_until_follows_the_force_policy():
    r = runner()
    officer_id = UUID((await r.run(ctx(), h.enrol(enrol()))).body["officer_id"])
    default = await r.run(ctx(), h.record_training(h.RecordTraining(
        force_id=FORCE, officer_id=officer_id, course="C", provider="p", completed_on=date(2026, 1, 31))))
    assert default.outcome is Outcome.CHANGED and default.body["valid_until"] == "2027-01-31"
    await r.run(ctx(), h.set_certification_policy(h.SetCertificationPolicy(
        force_id=FORCE, certification_months=24, effective_on=date(2026, 2, 1))))
    refresher = await r.run(ctx(), h.record_training(h.RecordTraining(
        force_id=FORCE, officer_id=officer_id, course="C", provider="p", completed_on=date(2026, 3, 31))))
    assert refresher.body["valid_until"] == "2028-03-31"  # 24 months, the refresher extends it


async def test_another_forces_officer_is_not_found():
    r = runner()
    officer_id = UUID((await r.run(ctx(), h.enrol(enrol()))).body["officer_id"])
    with pytest.raises(NotFound, match="no officer"):
        await r.run(ctx(), h.withdraw(h.WithdrawOfficer(force_id="leicestershire", officer_id=officer_id,
                                                        reason="opted_out", withdrawn_on=date(2026, 2, 1))))


async def test_if_match_pins_the_version():
    r = runner()
    officer_id = UUID((await r.run(ctx(), h.enrol(enrol()))).body["officer_id"])
    with pytest.raises(ConcurrencyError):
        await r.run(ctx(version=5), h.withdraw(h.WithdrawOfficer(
            force_id=FORCE, officer_id=officer_id, reason="opted_out", withdrawn_on=date(2026, 2, 1))))


async def test_expiry_with_nothing_to_do_is_unchanged_and_appends_nothing():
    r = runner()
    officer_id = UUID((await r.run(ctx(), h.enrol(enrol()))).body["officer_id"])
    result = await r.run(ctx(), h.expire_certification(h.ExpireCertification(
        force_id=FORCE, officer_id=officer_id, today=date(2026, 6, 1))))
    assert result.outcome is Outcome.UNCHANGED and len(r.store.events) == 1


async def test_a_refused_decision_appends_nothing():
    r = runner()
    await r.run(ctx(), h.enrol(enrol()))
    with pytest.raises(DomainError, match="already enrolled"):
        await r.run(ctx(), h.enrol(enrol()))
    assert len(r.store.events) == 1
