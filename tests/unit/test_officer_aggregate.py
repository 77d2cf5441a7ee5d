"""The Officer aggregate's rules, as pure functions of its events."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from naloxone_kernel.domain import DomainError, NotFound
from naloxone_kernel.serialization import EventRegistry, event_to_json
from training.domain import (
    OFFICER_EVENTS,
    Certification,
    CertificationExpired,
    Officer,
    OfficerEnrolled,
    OfficerRole,
    OfficerStatus,
    TrainingCompleted,
    TrainingType,
    WithdrawalReason,
    officer_id_for,
)

from .officer_script import run_officer_script, steps

D = date(2026, 3, 1)


def enrolled(staff: str = "WM100") -> Officer:
    officer = Officer(officer_id_for("west-midlands", staff))
    officer.enrol(force_id="west-midlands", staff_number=staff, role=OfficerRole.RESPONSE, enrolled_on=D)
    return officer


def test_officer_id_is_stable_per_force_and_staff_number():
    assert officer_id_for("west-midlands", "wm100") == officer_id_for("west-midlands", " WM100 ")
    assert officer_id_for("west-midlands", "WM100") != officer_id_for("leicestershire", "WM100")


def test_enrolment_raises_one_event_and_activates():
    officer = enrolled()
    assert [type(e) for e in officer.pending] == [OfficerEnrolled]
    assert officer.status is OfficerStatus.ACTIVE and officer.certification is Certification.UNTRAINED


def test_an_active_officer_cannot_be_enrolled_twice():
    officer = enrolled()
    with pytest.raises(DomainError, match="already enrolled"):
        officer.enrol(force_id="west-midlands", staff_number="WM100", role=OfficerRole.PCSO, enrolled_on=D)


def test_a_withdrawn_officer_may_enrol_again():
    officer = enrolled()
    officer.withdraw(reason=WithdrawalReason.OPTED_OUT, withdrawn_on=D)
    officer.enrol(force_id="west-midlands", staff_number="WM100", role=OfficerRole.PCSO, enrolled_on=D)
    assert officer.status is OfficerStatus.ACTIVE


def test_first_training_is_initial_then_refresher():
    officer = enrolled()
    officer.record_training(course="C1", provider="p", completed_on=D, valid_until=D + timedelta(days=365))
    officer.record_training(course="C1", provider="p", completed_on=D + timedelta(days=300),
                            valid_until=D + timedelta(days=700))
    kinds = [e.training_type for e in officer.pending if isinstance(e, TrainingCompleted)]
    assert kinds == [TrainingType.INITIAL, TrainingType.REFRESHER]
    assert officer.valid_until == D + timedelta(days=700)


def test_training_for_unknown_officer_is_not_found():
    with pytest.raises(NotFound):
        Officer(officer_id_for("west-midlands", "X")).record_training(
            course="C", provider="p", completed_on=D, valid_until=D + timedelta(days=1))


def test_validity_must_end_after_completion():
    with pytest.raises(DomainError):
        enrolled().record_training(course="C", provider="p", completed_on=D, valid_until=D)


def test_training_of_a_withdrawn_officer_is_recorded_but_does_not_reactivate():
    officer = enrolled()
    officer.withdraw(reason=WithdrawalReason.LEFT_FORCE, withdrawn_on=D)
    officer.record_training(course="C", provider="p", completed_on=D, valid_until=D + timedelta(days=10))
    assert officer.status is OfficerStatus.WITHDRAWN
    assert isinstance(officer.pending[-1], TrainingCompleted)


def test_expiry_only_after_the_last_valid_day_and_only_once():
    officer = enrolled()
    officer.record_training(course="C", provider="p", completed_on=D, valid_until=D + timedelta(days=10))
    assert officer.expire_certification(today=D + timedelta(days=10)) is False
    assert officer.expire_certification(today=D + timedelta(days=11)) is True
    assert officer.expire_certification(today=D + timedelta(days=12)) is False
    expired = officer.pending[-1]
    assert isinstance(expired, CertificationExpired) and expired.expired_on == D + timedelta(days=11)
    assert officer.certification is Certification.EXPIRED


def test_withdrawing_twice_is_refused():
    officer = enrolled()
    officer.withdraw(reason=WithdrawalReason.ROLE_CHANGE, withdrawn_on=D)
    with pytest.raises(DomainError, match="already withdrawn"):
        officer.withdraw(reason=WithdrawalReason.ROLE_CHANGE, withdrawn_on=D)


@settings(max_examples=200, deadline=None)
@given(steps)
def test_replaying_the_stored_events_rebuilds_the_same_state(script):
    """Whatever the commands, state from replaying the JSON-stored events equals the live state."""
    live = run_officer_script(script, staff="WM100")
    registry = EventRegistry(*OFFICER_EVENTS)
    stored = [registry.decode(e.event_type, event_to_json(e)) for e in live.pending]
    assert stored == live.pending
    replayed = Officer.replay(live.id, stored)
    assert (replayed.status, replayed.certification, replayed.valid_until, replayed.version) == (
        live.status, live.certification, live.valid_until, len(live.pending))
