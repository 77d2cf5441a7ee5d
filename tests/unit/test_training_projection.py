"""The officer read model's fold: pure, order-guarded, and idempotent per event version."""


from hypothesis import given, settings
from naloxone.common.v1.types_pb2 import Date
from naloxone.training.v1 import events_pb2 as pb
from training.adapters.contracts import to_proto
from training.projections import fold_officer

from .officer_script import run_officer_script, steps

OID = "5b0b3c1e-4a53-4d8f-9c1e-000000000001"


def enrolled():
    return pb.OfficerEnrolled(officer_id=OID, force_id="west-midlands", staff_number="WM1",
                              role=pb.OFFICER_ROLE_RESPONSE, enrolled_on=Date(year=2026, month=1, day=2))


def trained(until_year: int):
    return pb.TrainingCompleted(officer_id=OID, force_id="west-midlands", course="C", provider="p",
                                completed_on=Date(year=2026, month=1, day=3),
                                valid_until=Date(year=until_year, month=1, day=3))


def test_enrol_then_train_then_expire():
    rows: dict = {}
    assert fold_officer(rows, 1, enrolled())
    assert fold_officer(rows, 2, trained(2029))
    row = rows[OID]
    assert (row["status"], row["certification"], row["trainings_completed"], row["version"]) == (
        "active", "certified", 1, 2)
    expired = pb.CertificationExpired(officer_id=OID, force_id="west-midlands",
                                      expired_on=Date(year=2029, month=1, day=4),
                                      valid_until=Date(year=2029, month=1, day=3))
    assert fold_officer(rows, 3, expired) and rows[OID]["certification"] == "expired"


def test_a_redelivered_or_stale_event_changes_nothing():
    rows: dict = {}
    fold_officer(rows, 1, enrolled())
    fold_officer(rows, 2, trained(2029))
    snapshot = dict(rows[OID])
    assert not fold_officer(rows, 2, trained(2029))
    assert not fold_officer(rows, 1, enrolled())
    assert rows[OID] == snapshot


def test_an_event_without_an_enrolment_is_ignored():
    rows: dict = {}
    assert not fold_officer(rows, 2, trained(2029)) and rows == {}


def test_withdrawal():
    rows: dict = {}
    fold_officer(rows, 1, enrolled())
    fold_officer(rows, 2, pb.OfficerWithdrawn(officer_id=OID, force_id="west-midlands",
                                              reason=pb.WITHDRAWAL_REASON_OPTED_OUT,
                                              withdrawn_on=Date(year=2026, month=5, day=1)))
    assert rows[OID]["status"] == "withdrawn" and rows[OID]["withdrawal_reason"] == "opted_out"


@settings(max_examples=200, deadline=None)
@given(steps)
def test_the_read_model_agrees_with_the_aggregate(script):
    """Folding the published contract events gives the state the aggregate decided on."""
    officer = run_officer_script(script)
    rows: dict = {}
    for version, event in enumerate(officer.pending, start=1):
        assert fold_officer(rows, version, to_proto(event))
    row = rows[str(officer.id)]
    assert row["status"] == officer.status.value
    assert row["certification"] == officer.certification.value
    assert row["valid_until"] == officer.valid_until
    assert row["version"] == len(officer.pending)
