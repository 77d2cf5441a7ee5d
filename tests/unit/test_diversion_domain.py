"""Diversion's aggregates and decisions on the in-memory stores: commissioning per scheme, the referral's
dated life, consent, partner routing, offers opened twice, sealing and erasure, and the contract."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diversion.adapters.contracts import to_proto
from diversion.application import handlers as h
from diversion.application.reactions import offer_after_administration
from diversion.domain import (
    DIVERSION_EVENTS,
    Closure,
    Commissioning,
    Consent,
    DeclineReason,
    Intervention,
    Referral,
    Scheme,
    Source,
    Status,
    commissioning_id,
    offer_id,
)
from naloxone.common.v1.envelope_pb2 import EventEnvelope
from naloxone.diversion.v1 import events_pb2 as pb
from naloxone.incidents.v1 import events_pb2 as incidents_pb
from naloxone_kernel.auth import Forbidden
from naloxone_kernel.commands import CommandRunner, Outcome
from naloxone_kernel.domain import DomainError, InvalidValue, NotFound
from naloxone_kernel.memory import InMemoryEventStore
from naloxone_kernel.projector import ProjectedEvent
from naloxone_kernel.personal_data import InMemoryKeyStore, ShredReason, as_bytes, shred_records, unseal_json
from naloxone_kernel.repository import CommandContext, EventMapper

FORCE = "west-midlands"
PERSON = "ps1_" + "p" * 43
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)


def runner() -> CommandRunner:
    return CommandRunner(InMemoryEventStore(), EventMapper(DIVERSION_EVENTS, to_proto, "naloxone.diversion.events.v1"))


def ctx() -> CommandContext:
    return CommandContext(actor="officer@wm", correlation_id="c", idempotency_key=uuid4().hex, fingerprint="f")


async def contracted(r: CommandRunner, scheme=Scheme.TREATMENT, org="cranstoun", starts_on=date(2026, 1, 1), **kw):
    return await r.run(ctx(), h.commission(h.Commission(FORCE, scheme, org, starts_on, **kw)))


def making(referral_id=None, **over) -> h.MakeReferral:
    base = dict(force_id=FORCE, referral_id=referral_id or uuid4(), subject_pseudonym=PERSON, source=Source.CUSTODY,
                scheme=Scheme.TREATMENT, consent=Consent.GIVEN, referred_at=NOW - timedelta(days=10), now=NOW)
    return h.MakeReferral(**(base | over))


async def made(r: CommandRunner, **over) -> UUID:
    result = await r.run(ctx(), h.make_referral(making(**over)))
    assert result.outcome is Outcome.CREATED
    return UUID(result.body["referral_id"])


# --- commissioning ------------------------------------------------------------------------------

def test_one_partner_holds_a_scheme_at_a_time_and_the_history_is_kept():
    c = Commissioning(commissioning_id(FORCE, Scheme.ARREST_REFERRAL))
    c.commission(force_id=FORCE, scheme=Scheme.ARREST_REFERRAL, partner_org="cranstoun", starts_on=date(2025, 4, 1))
    c.commission(force_id=FORCE, scheme=Scheme.ARREST_REFERRAL, partner_org="turning-point",
                 starts_on=date(2026, 4, 1), scheme_code="DIP")
    assert [e.event_type for e in c.pending] == ["PartnerCommissioned", "PartnerCommissionEnded", "PartnerCommissioned"]
    assert c.pending[1].ends_on == date(2026, 3, 31) and c.pending[1].partner_org == "cranstoun"
    assert c.partner_on(date(2025, 3, 31)) is None
    assert c.partner_on(date(2026, 3, 31)).partner_org == "cranstoun"
    assert c.partner_on(date(2026, 4, 1)).partner_org == "turning-point"
    before = len(c.pending)
    c.commission(force_id=FORCE, scheme=Scheme.ARREST_REFERRAL, partner_org="turning-point",
                 starts_on=date(2026, 5, 1), scheme_code="DIP")
    assert len(c.pending) == before  # saying again what holds changes nothing
    with pytest.raises(DomainError, match="history"):
        c.commission(force_id=FORCE, scheme=Scheme.ARREST_REFERRAL, partner_org="change-grow-live",
                     starts_on=date(2026, 1, 1))
    c.end(ends_on=date(2026, 12, 31))
    assert c.partner_on(date(2027, 1, 1)) is None and c.partner_on(date(2026, 12, 31)).partner_org == "turning-point"
    with pytest.raises(DomainError, match="no contract to end"):
        c.end(ends_on=date(2027, 1, 1))
    with pytest.raises(DomainError, match="until 2026-12-31"):
        c.commission(force_id=FORCE, scheme=Scheme.ARREST_REFERRAL, partner_org="cranstoun",
                     starts_on=date(2026, 6, 1))


def test_a_partner_org_is_an_id_never_prose():
    c = Commissioning(commissioning_id(FORCE, Scheme.TREATMENT))
    with pytest.raises(InvalidValue) as caught:
        c.commission(force_id=FORCE, scheme=Scheme.TREATMENT, partner_org="Cranstoun Ltd", starts_on=TODAY)
    assert caught.value.field == "partner_org"


# --- making a referral ------------------------------------------------------------------------------

async def test_a_referral_goes_to_the_partner_contracted_on_its_day():
    r = runner()
    await contracted(r, org="cranstoun", starts_on=date(2025, 1, 1), scheme_code="TX")
    await contracted(r, org="turning-point", starts_on=date(2026, 2, 25))
    early = await r.run(ctx(), h.make_referral(making(referred_at=datetime(2026, 2, 24, 23, 30, tzinfo=UTC))))
    late = await r.run(ctx(), h.make_referral(making(referred_at=datetime(2026, 2, 25, 0, 30, tzinfo=UTC))))
    assert (early.body["partner_org"], early.body["scheme_code"]) == ("cranstoun", "TX")
    assert late.body["partner_org"] == "turning-point" and late.body["status"] == "offered"
    # 23:30 UTC on 24 February is still the 24th in the UK (GMT); a BST evening would be the next day
    assert early.body["consent"] == "given" and early.body["events"] == ["DiversionReferralMade"]


async def test_no_contracted_partner_or_another_partner_is_refused_naming_why():
    r = runner()
    with pytest.raises(DomainError, match="no partner contracted for scheme treatment"):
        await r.run(ctx(), h.make_referral(making()))
    await contracted(r)
    with pytest.raises(DomainError, match="contracted to cranstoun"):
        await r.run(ctx(), h.make_referral(making(partner_org="turning-point")))
    with pytest.raises(InvalidValue, match="future") as caught:
        await r.run(ctx(), h.make_referral(making(referred_at=NOW + timedelta(hours=1))))
    assert caught.value.field == "referred_at"


async def test_an_offer_opened_twice_is_one_referral():
    r = runner()
    await contracted(r)
    rid = offer_id(Source.POST_OVERDOSE, uuid4())
    first = await r.run(ctx(), h.make_referral(making(rid, source=Source.POST_OVERDOSE, consent=Consent.PENDING)))
    again = await r.run(ctx(), h.make_referral(making(rid, source=Source.POST_OVERDOSE, consent=Consent.PENDING)))
    assert first.outcome is Outcome.CREATED and again.outcome is Outcome.UNCHANGED
    assert [e.event_type for e in r.store.events if e.aggregate_id == rid] == ["DiversionReferralMade"]


# --- its life ------------------------------------------------------------------------------------

def transition(cls, rid, on, **kw):
    return cls(FORCE, rid, on, TODAY, **kw)


async def test_accepted_engaged_completed_each_dated_in_order():
    r = runner()
    await contracted(r)
    rid = await made(r)
    with pytest.raises(InvalidValue) as caught:
        await r.run(ctx(), h.accept(transition(h.Accept, rid, date(2026, 2, 19))))
    assert caught.value.field == "accepted_on" and "before the referral" in str(caught.value)
    with pytest.raises(InvalidValue, match="future"):
        await r.run(ctx(), h.accept(transition(h.Accept, rid, TODAY + timedelta(days=1))))
    with pytest.raises(DomainError, match="only an accepted referral"):
        await r.run(ctx(), h.engage(transition(h.Engage, rid, TODAY, intervention=Intervention.EDUCATION)))
    await r.run(ctx(), h.accept(transition(h.Accept, rid, date(2026, 2, 21))))
    with pytest.raises(DomainError, match="is accepted; only an offered"):
        await r.run(ctx(), h.decline(transition(h.Decline, rid, TODAY, reason=DeclineReason.NO_CONTACT)))
    with pytest.raises(InvalidValue, match="before its acceptance"):
        await r.run(ctx(), h.engage(transition(h.Engage, rid, date(2026, 2, 20),
                                               intervention=Intervention.STRUCTURED_TREATMENT)))
    with pytest.raises(DomainError, match="never engaged"):
        await r.run(ctx(), h.close(transition(h.Close, rid, TODAY, closure=Closure.COMPLETED)))
    await r.run(ctx(), h.engage(transition(h.Engage, rid, date(2026, 2, 26),
                                           intervention=Intervention.STRUCTURED_TREATMENT)))
    done = await r.run(ctx(), h.close(transition(h.Close, rid, date(2026, 3, 1), closure=Closure.COMPLETED)))
    assert done.body["status"] == "closed" and done.body["closure"] == "completed"
    assert (done.body["accepted_on"], done.body["engaged_on"], done.body["closed_on"]) == (
        "2026-02-21", "2026-02-26", "2026-03-01")
    with pytest.raises(DomainError, match="is closed"):
        await r.run(ctx(), h.close(transition(h.Close, rid, TODAY, closure=Closure.OTHER)))


async def test_declined_with_a_reason_ends_it():
    r = runner()
    await contracted(r)
    rid = await made(r)
    declined = await r.run(ctx(), h.decline(transition(h.Decline, rid, TODAY, reason=DeclineReason.NOT_ELIGIBLE)))
    assert declined.body["status"] == "declined" and declined.body["decline_reason"] == "not_eligible"
    with pytest.raises(DomainError, match="is declined"):
        await r.run(ctx(), h.accept(transition(h.Accept, rid, TODAY)))
    with pytest.raises(NotFound):
        await r.run(ctx(), h.accept(h.Accept("leicestershire", rid, TODAY, TODAY)))


async def test_an_offer_after_an_overdose_is_accepted_only_with_consent():
    r = runner()
    await contracted(r)
    rid = offer_id(Source.POST_OVERDOSE, uuid4())
    await r.run(ctx(), h.make_referral(making(rid, source=Source.POST_OVERDOSE, consent=Consent.PENDING)))
    with pytest.raises(InvalidValue) as caught:
        await r.run(ctx(), h.accept(transition(h.Accept, rid, TODAY)))
    assert caught.value.field == "consent"
    accepted = await r.run(ctx(), h.accept(transition(h.Accept, rid, TODAY, consent_given=True)))
    assert accepted.body["consent"] == "given"


async def test_a_partner_changes_only_referrals_routed_to_it():
    r = runner()
    await contracted(r, org="cranstoun")
    rid = await made(r)
    with pytest.raises(Forbidden, match="another organisation"):
        await r.run(ctx(), h.accept(h.Accept(FORCE, rid, TODAY, TODAY, acting_org="turning-point")))
    ok = await r.run(ctx(), h.accept(h.Accept(FORCE, rid, TODAY, TODAY, acting_org="cranstoun")))
    assert ok.body["status"] == "accepted"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["accept", "decline", "engage", "close"]), st.integers(-3, 12),
                          st.sampled_from(list(Closure))), max_size=6))
def test_any_sequence_of_steps_keeps_the_life_in_order(steps):
    referral = Referral(uuid4())
    referral.make(force_id=FORCE, subject_pseudonym=PERSON, source=Source.STREET, scheme=Scheme.DRUG_EDUCATION,
                  partner_org="cranstoun", consent=Consent.GIVEN, referred_at=NOW - timedelta(days=10), now=NOW)
    start = date(2026, 2, 20)
    for name, offset, closure in steps:
        on = start + timedelta(days=offset)
        try:
            match name:
                case "accept":
                    referral.accept(accepted_on=on, today=TODAY)
                case "decline":
                    referral.decline(declined_on=on, today=TODAY, reason=DeclineReason.PERSON_DECLINED)
                case "engage":
                    referral.engage(engaged_on=on, today=TODAY, intervention=Intervention.EDUCATION)
                case "close":
                    referral.close(closed_on=on, today=TODAY, closure=closure)
        except (DomainError, InvalidValue):
            pass
    days = [d for d in (referral.referred_on, referral.accepted_on, referral.engaged_on, referral.closed_on) if d]
    assert days == sorted(days) and all(d <= TODAY for d in days)
    assert referral.closure is not Closure.COMPLETED or referral.engaged_on is not None
    assert (referral.declined_on is None) or (referral.accepted_on is None and referral.status is Status.DECLINED)
    replayed = Referral.replay(referral.id, referral.pending)
    assert replayed.summary() == referral.summary()


# --- personal data -----------------------------------------------------------------------------

def erase(keys):
    """What the kernel's erasure reaction runs for incidents' SubjectErased about PERSON."""
    return shred_records(keys, h.RECORD_TYPE, Referral, ShredReason.ERASURE, NOW, subject=(FORCE, PERSON))


async def test_contact_and_note_are_sealed_per_referral_and_erasure_shreds_them_once():
    r, keys = runner(), InMemoryKeyStore()
    await contracted(r)
    rid = uuid4()
    cmd = making(rid, personal={"contact": {"text": "07700 900123 after 6pm"}, "note": None})
    await r.run(ctx(), h.make_referral(cmd, keys))
    stored = [e for e in r.store.events if e.aggregate_id == rid][0]
    assert "07700" not in stored.payload and '"note_sealed":null' in stored.payload
    key = await keys.for_record(h.RECORD_TYPE, rid)
    sealed = r.mapper.replay(Referral, rid, [stored]).made.contact_sealed
    assert unseal_json(key, as_bytes(sealed), h.sealing_context(rid, "contact")) == {"text": "07700 900123 after 6pm"}
    envelope = r.store.outbox[-1].value
    assert b"07700" not in envelope and b"ps1_" in envelope

    other = uuid4()
    await r.run(ctx(), h.make_referral(making(other, subject_pseudonym="ps1_" + "q" * 43,
                                              personal={"contact": {"text": "hostel"}})))  # no keys: nothing sealed
    first = await r.run(ctx(), erase(keys))
    assert first.body["records_shredded"] == 1 and first.body["record_ids"] == [str(rid)]
    assert await keys.for_record(h.RECORD_TYPE, rid) is None
    again = await r.run(ctx(), erase(keys))
    assert again.body["records_shredded"] == 0 and again.outcome is Outcome.UNCHANGED
    assert [e.event_type for e in r.store.events if e.aggregate_id == rid] == [
        "DiversionReferralMade", "ReferralPersonalDataShredded"]
    opened = await keys.open([(as_bytes(sealed), h.sealing_context(rid, "contact"))])
    assert opened[0].status == "erased"


# --- the contract -------------------------------------------------------------------------------

async def test_every_event_has_a_contract_and_free_text_never_leaves():
    r, keys = runner(), InMemoryKeyStore()
    await contracted(r, scheme=Scheme.DEFERRED_PROSECUTION, scheme_code="CHECKPOINT")
    await contracted(r, scheme=Scheme.DEFERRED_PROSECUTION, org="turning-point", starts_on=date(2026, 1, 2),
                     scheme_code="CHECKPOINT")
    rid = uuid4()
    await r.run(ctx(), h.make_referral(making(rid, scheme=Scheme.DEFERRED_PROSECUTION,
                                              source=Source.NEIGHBOURHOOD_POLICING, area_code="B1",
                                              personal={"note": {"text": "secret note"}}), keys))
    for step in (h.accept(transition(h.Accept, rid, TODAY)),
                 h.engage(transition(h.Engage, rid, TODAY, intervention=Intervention.RECOVERY_SUPPORT)),
                 h.close(transition(h.Close, rid, TODAY, closure=Closure.DISENGAGED)),
                 erase(keys)):
        await r.run(ctx(), step)
    await r.run(ctx(), h.end_commission(h.EndCommission(FORCE, Scheme.DEFERRED_PROSECUTION, date(2026, 12, 31))))
    assert {e.event_type for e in r.store.events} == {cls.event_type for cls in DIVERSION_EVENTS} - {
        "ReferralDeclined"}
    assert len(r.store.outbox) == len(r.store.events) == 9
    assert all(b"secret note" not in m.value for m in r.store.outbox)
    made_event = r.mapper.registry.decode("DiversionReferralMade",
                                          [e for e in r.store.events if e.aggregate_id == rid][0].payload)
    message = to_proto(made_event)
    assert isinstance(message, pb.DiversionReferralMade)
    assert message.scheme == pb.REFERRAL_SCHEME_DEFERRED_PROSECUTION and message.scheme_code == "CHECKPOINT"
    assert message.source == pb.REFERRAL_SOURCE_NEIGHBOURHOOD_POLICING and message.provider_org_id == "turning-point"
    assert message.consent == pb.REFERRAL_CONSENT_GIVEN and message.area_code == "B1"


# --- the process manager's decisions --------------------------------------------------------------

def administered(**over) -> ProjectedEvent:
    facts = dict(incident_id=str(uuid4()), force_id=FORCE, administration_id=str(uuid4()), subject_pseudonym=PERSON,
                 area_code="B1", outcome=incidents_pb.INCIDENT_OUTCOME_ALIVE_AT_HANDOVER)
    payload = incidents_pb.NaloxoneAdministered(**(facts | over))
    payload.administered_at.FromDatetime(NOW.replace(tzinfo=None) - timedelta(hours=2))
    return ProjectedEvent(EventEnvelope(event_id=str(uuid4()), force_id=FORCE), payload)


async def test_an_administration_opens_an_offer_and_odd_facts_are_refused_not_retried():
    r = runner()
    await contracted(r)
    event = administered()
    opened = await r.run(ctx(), offer_after_administration(event))
    rid = offer_id(Source.POST_OVERDOSE, UUID(event.payload.administration_id))
    assert opened.body["referral_id"] == str(rid) and opened.body["consent"] == "pending"
    assert opened.body["referred_at"] == (NOW - timedelta(hours=2)).isoformat()
    assert offer_after_administration(administered(outcome=incidents_pb.INCIDENT_OUTCOME_DIED)) is None
    full_postcode = await r.run(ctx(), offer_after_administration(administered(area_code="B1 1AA")))
    made = r.mapper.registry.decode("DiversionReferralMade", r.store.events[-1].payload)
    assert full_postcode.outcome is Outcome.CREATED and made.area_code is None  # coarse areas only
    with pytest.raises(DomainError, match="subject_pseudonym"):  # recorded as a failed reaction, not a 422
        await r.run(ctx(), offer_after_administration(administered(subject_pseudonym="short")))
