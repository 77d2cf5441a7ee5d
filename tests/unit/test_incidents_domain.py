"""Incidents' decisions on the in-memory stores: facts never refused, flags, the life-saved rule,
later outcomes and corrections as new events, sealing, erasure and retention."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incidents.adapters.contracts import to_proto
from incidents.application import handlers as h
from incidents.domain import (
    INCIDENT_EVENTS,
    Administration,
    Administrator,
    CorrectionReason,
    Flag,
    KitSource,
    KitStanding,
    OfficerStanding,
    Outcome,
    OutcomeSource,
    Route,
    Substance,
    life_saved,
)
from naloxone.incidents.v1 import events_pb2 as pb
from naloxone_kernel.commands import CommandRunner, Outcome as CommandResult
from naloxone_kernel.domain import DomainError, InvalidValue, NotFound
from naloxone_kernel.envelope import decode
from naloxone_kernel.memory import InMemoryEventStore
from naloxone_kernel.personal_data import InMemoryKeyStore, as_bytes, unseal_json
from naloxone_kernel.repository import CommandContext, EventMapper
from naloxone_kernel.serialization import event_to_json

FORCE = "west-midlands"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
OFFICER = uuid4()


def runner() -> CommandRunner:
    return CommandRunner(InMemoryEventStore(), EventMapper(INCIDENT_EVENTS, to_proto, "naloxone.incidents.events.v1"))


def ctx() -> CommandContext:
    return CommandContext(actor="officer@wm", correlation_id="c", idempotency_key=uuid4().hex, fingerprint="f")


def facts(**overrides) -> dict:
    base = dict(administered_by=Administrator.OFFICER, staff_number="WM1234", kit_source=KitSource.FORCE_KIT,
                kit_id=uuid4(), call_at=NOW - timedelta(minutes=20), arrived_at=NOW - timedelta(minutes=10),
                administered_at=NOW - timedelta(minutes=8), doses=2, route=Route.INTRANASAL,
                suspected_substances=(Substance.HEROIN,), ambulance_called=True, area_code="B1",
                subject_pseudonym="ps1_" + "a" * 43, outcome=Outcome.ALIVE_AT_HANDOVER)
    return base | overrides


def certified() -> OfficerStanding:
    return OfficerStanding(staff_number="WM1234", officer_id=OFFICER, certified=((date(2025, 1, 1), date(2027, 1, 1)),))


def held(kit_id: UUID, **kw) -> KitStanding:
    return KitStanding(kit_id=kit_id, force_id=FORCE, status="issued", holder_officer_id=OFFICER,
                       expires_on=date(2027, 6, 1)) if not kw else KitStanding(kit_id=kit_id, **kw)


async def record(r, keys, *, officer=None, kit=None, personal=None, **over):
    f = facts(**over)
    cmd = h.RecordAdministration(force_id=FORCE, administration_id=uuid4(), incident_id=uuid4(), now=NOW, facts=f,
                                 officer=officer if officer is not None else certified(),
                                 kit=kit if kit is not None else (held(f["kit_id"]) if f.get("kit_id") else None),
                                 personal=personal or {})
    return cmd, await r.run(ctx(), h.record(cmd, keys))


async def test_a_clean_administration_is_recorded_without_flags_and_counts_as_a_life_saved():
    r, keys = runner(), InMemoryKeyStore()
    _, result = await record(r, keys)
    assert result.outcome is CommandResult.CREATED
    assert result.body["flags"] == [] and result.body["life_saved"] and result.body["provisional"]
    message = r.store.outbox[0]
    assert message.topic == "naloxone.incidents.events.v1"


@pytest.mark.parametrize("officer,expected", [
    (OfficerStanding(staff_number="WM1234"), {Flag.OFFICER_NOT_ENROLLED, Flag.KIT_NOT_HELD_BY_OFFICER}),
    (OfficerStanding(staff_number="WM1234", officer_id=OFFICER, certified=((date(2023, 1, 1), date(2025, 1, 1)),)),
     {Flag.TRAINING_LAPSED}),
    (OfficerStanding(staff_number="WM1234", officer_id=OFFICER, certified=((date(2025, 1, 1), date(2027, 1, 1)),),
                     withdrawn_on=date(2026, 2, 1)), {Flag.OFFICER_WITHDRAWN}),
])
async def test_street_facts_are_never_refused_for_the_officer_only_flagged(officer, expected):
    r, keys = runner(), InMemoryKeyStore()
    _, result = await record(r, keys, officer=officer)
    assert result.outcome is CommandResult.CREATED and set(result.body["flags"]) == expected


async def test_kit_flags():
    r, keys = runner(), InMemoryKeyStore()
    kit_id = uuid4()
    cases = {
        KitStanding(kit_id=kit_id): {Flag.KIT_UNKNOWN},
        KitStanding(kit_id=kit_id, force_id="leicestershire", status="issued", holder_officer_id=OFFICER):
            {Flag.KIT_UNKNOWN},
        KitStanding(kit_id=kit_id, force_id=FORCE, status="issued", holder_officer_id=uuid4()):
            {Flag.KIT_NOT_HELD_BY_OFFICER},
        KitStanding(kit_id=kit_id, force_id=FORCE, status="issued", holder_officer_id=OFFICER,
                    expires_on=date(2026, 1, 1), recalled=True): {Flag.KIT_EXPIRED, Flag.KIT_RECALLED},
        KitStanding(kit_id=kit_id, force_id=FORCE, status="used", holder_officer_id=None):
            {Flag.KIT_NOT_IN_SERVICE, Flag.KIT_NOT_HELD_BY_OFFICER},
    }
    for standing, expected in cases.items():
        _, result = await record(r, keys, kit=standing, kit_id=kit_id)
        assert set(result.body["flags"]) == expected, standing
    # custody staff using a station kit in stock: nothing to flag about holding it
    _, result = await record(r, keys, kit=KitStanding(kit_id=kit_id, force_id=FORCE, status="in_stock"),
                             kit_id=kit_id, administered_by=Administrator.CUSTODY_STAFF, staff_number=None)
    assert result.body["flags"] == []


async def test_times_out_of_order_are_flagged_not_refused():
    r, keys = runner(), InMemoryKeyStore()
    _, result = await record(r, keys, arrived_at=NOW - timedelta(minutes=1))  # dose before police arrived
    assert result.body["flags"] == [Flag.TIMES_INCONSISTENT]
    _, result = await record(r, keys, arrived_at=NOW - timedelta(minutes=1), given_before_police=True,
                             given_before_police_by=Administrator.MEMBER_OF_PUBLIC)
    assert result.body["flags"] == []


@pytest.mark.parametrize("over,field", [
    ({"doses": 0}, "doses"), ({"staff_number": None}, "staff_number"),
    ({"kit_source": KitSource.TAKE_HOME_KIT}, "kit_id"), ({"area_code": "B1 1AA"}, "area_code"),
    ({"administered_at": NOW + timedelta(hours=1)}, "administered_at"),
    ({"response_recorded": True, "responded_after_dose": 3}, "responded_after_dose"),
    ({"given_before_police": True}, "given_before_police_by"),
    ({"suspected_substances": (Substance.HEROIN, Substance.HEROIN)}, "suspected_substances"),
])
async def test_only_malformed_facts_are_refused(over, field):
    r, keys = runner(), InMemoryKeyStore()
    with pytest.raises(InvalidValue) as exc:
        await record(r, keys, **over)
    assert exc.value.field == field
    assert not r.store.events and not keys.keys  # nothing kept, not even a key


async def test_personal_fields_are_sealed_with_the_records_key_and_the_note_never_published():
    r, keys = runner(), InMemoryKeyStore()
    cmd, _ = await record(r, keys, personal={"location": {"latitude": 52.4862123, "longitude": -1.8904123},
                                             "subject_details": {"age_band": "25_to_34", "sex": "female"},
                                             "note": {"text": "PLANTED-NOTE"}})
    stored = r.store.events[0].payload
    assert "52.4862123" not in stored and "PLANTED-NOTE" not in stored and "25_to_34" not in stored
    value = r.store.outbox[0].value
    assert b"52.4862" not in value and b"PLANTED" not in value
    _, envelope_payload = decode(value)
    assert isinstance(envelope_payload, pb.NaloxoneAdministered)
    key = await keys.for_record(h.RECORD_TYPE, cmd.administration_id)
    assert unseal_json(key, envelope_payload.location_ciphertext,
                       h.sealing_context(cmd.administration_id, "location"))["latitude"] == 52.4862123
    assert len(keys.keys) == 1
    aggregate = r.mapper.replay(Administration, cmd.administration_id, r.store.events)
    assert unseal_json(key, as_bytes(aggregate.values["note_sealed"]),
                       h.sealing_context(cmd.administration_id, "note")) == {"text": "PLANTED-NOTE"}
    assert "note" not in str(envelope_payload.ListFields())


async def test_later_outcomes_and_corrections_are_new_events_with_a_source_or_reason():
    r, keys = runner(), InMemoryKeyStore()
    cmd, _ = await record(r, keys, outcome=Outcome.UNKNOWN)
    aid = cmd.administration_id
    hospital = await r.run(ctx(), h.record_outcome(h.RecordOutcome(FORCE, aid, Outcome.ALIVE_AT_HANDOVER,
                                                                    OutcomeSource.HOSPITAL, True, NOW)))
    assert hospital.body["life_saved"] and not hospital.body["provisional"]
    again = await r.run(ctx(), h.record_outcome(h.RecordOutcome(FORCE, aid, Outcome.ALIVE_AT_HANDOVER,
                                                                 OutcomeSource.HOSPITAL, True, NOW)))
    assert again.outcome is CommandResult.UNCHANGED
    coroner = await r.run(ctx(), h.record_outcome(h.RecordOutcome(FORCE, aid, Outcome.DIED, OutcomeSource.CORONER,
                                                                   False, NOW)))
    assert not coroner.body["life_saved"] and not coroner.body["provisional"]  # a death is final
    corrected = await r.run(ctx(), h.correct(h.CorrectAdministration(
        FORCE, aid, CorrectionReason.DATA_ENTRY_ERROR, NOW, {"doses": 3}), keys))
    assert corrected.body["corrections"] == 1
    same = await r.run(ctx(), h.correct(h.CorrectAdministration(
        FORCE, aid, CorrectionReason.DATA_ENTRY_ERROR, NOW, {"doses": 3}), keys))
    assert same.outcome is CommandResult.UNCHANGED
    types = [e.event_type for e in r.store.events]
    assert types == ["NaloxoneAdministered", "IncidentOutcomeRecorded", "IncidentOutcomeRecorded",
                     "AdministrationCorrected"]
    with pytest.raises(InvalidValue):
        await r.run(ctx(), h.correct(h.CorrectAdministration(FORCE, aid, CorrectionReason.OTHER, NOW,
                                                             {"doses": None}), keys))
    with pytest.raises(NotFound):
        await r.run(ctx(), h.record_outcome(h.RecordOutcome("leicestershire", aid, Outcome.DIED,
                                                            OutcomeSource.CORONER, True, NOW)))


async def test_a_person_identified_later_links_their_key_and_erasure_shreds_it():
    r, keys = runner(), InMemoryKeyStore()
    cmd, _ = await record(r, keys, subject_pseudonym=None,
                          personal={"subject_details": {"age_band": "under_18", "sex": "male"}})
    person = "ps1_" + "b" * 43
    await r.run(ctx(), h.correct(h.CorrectAdministration(FORCE, cmd.administration_id,
                                                         CorrectionReason.SUBJECT_IDENTIFIED, NOW,
                                                         {"subject_pseudonym": person}), keys))
    erased = await r.run(ctx(), h.erase_subject(h.EraseSubject(FORCE, person, uuid4(), NOW), keys))
    assert erased.body["records_shredded"] == 1 and not keys.keys
    with pytest.raises(DomainError, match="shredded"):
        await r.run(ctx(), h.correct(h.CorrectAdministration(
            FORCE, cmd.administration_id, CorrectionReason.OTHER, NOW, {},
            {"subject_details": {"age_band": "unknown", "sex": "unknown"}}), keys))


async def test_retention_shreds_one_record_and_says_so_once():
    r, keys = runner(), InMemoryKeyStore()
    cmd, _ = await record(r, keys, personal={"location": {"latitude": 52.5, "longitude": -1.9}})
    shred = h.ShredForRetention(FORCE, cmd.administration_id, NOW)
    first = await r.run(ctx(), h.shred_for_retention(shred, keys))
    second = await r.run(ctx(), h.shred_for_retention(shred, keys))
    assert first.outcome is CommandResult.CHANGED and second.outcome is CommandResult.UNCHANGED
    assert [e.event_type for e in r.store.events][-1] == "PersonalDataShredded" and not keys.keys


# --- properties ------------------------------------------------------------------------------

outcomes = st.sampled_from(list(Outcome))
sources = st.sampled_from(list(OutcomeSource))
steps = st.lists(st.one_of(
    st.tuples(st.just("outcome"), outcomes, sources, st.booleans()),
    st.tuples(st.just("doses"), st.integers(min_value=1, max_value=20)),
), max_size=12)


@settings(max_examples=60, deadline=None)
@given(first=outcomes, doses=st.integers(min_value=1, max_value=20), steps=steps)
async def test_life_saved_is_always_the_one_rule_on_the_latest_facts(first, doses, steps):
    r, keys = runner(), InMemoryKeyStore()
    cmd, result = await record(r, keys, outcome=first, doses=doses)
    aid, current_outcome, current_doses = cmd.administration_id, first, doses
    final = first is Outcome.DIED
    for step in steps:
        if step[0] == "outcome":
            _, outcome, source, is_final = step
            result = await r.run(ctx(), h.record_outcome(h.RecordOutcome(FORCE, aid, outcome, source, is_final, NOW)))
            current_outcome, final = outcome, is_final or outcome is Outcome.DIED
        else:
            result = await r.run(ctx(), h.correct(h.CorrectAdministration(
                FORCE, aid, CorrectionReason.LATER_INFORMATION, NOW, {"doses": step[1]}), keys))
            current_doses = step[1]
        assert result.body["life_saved"] == life_saved(current_doses, current_outcome)
        assert result.body["provisional"] == (not final)
    replayed = r.mapper.replay(Administration, aid, r.store.events)
    assert replayed.life_saved == life_saved(current_doses, current_outcome)
    assert replayed.life_saved == (current_outcome in (Outcome.ALIVE_AT_HANDOVER, Outcome.ALIVE_REFUSED_HOSPITAL))
    for stored in r.store.events:  # every stored event round-trips through the store's JSON
        event = r.mapper.registry.decode(stored.event_type, stored.payload)
        assert event_to_json(event) == stored.payload
        to_proto(event)
