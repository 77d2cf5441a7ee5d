"""Incidents' commands and the decisions they run.

Personal fields arrive in the clear (from the API) and are sealed here, inside the
command's transaction, with the record's own data key (made by the kernel's key store
in the same transaction). The domain and the event store only ever see sealed text.
What incidents knows of the officer and the kit (for governance flags) is looked up by
the caller from incidents' own views of training's and inventory's events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from naloxone_kernel.commands import Decision, Session
from naloxone_kernel.domain import DomainError
from naloxone_kernel.personal_data import DataKey, KeyStore, as_text, seal_json, shred_records

from ..domain import (
    Administration,
    CorrectionReason,
    KitStanding,
    OfficerStanding,
    Outcome,
    OutcomeSource,
    ShredReason,
    Subject,
    subject_id,
)

#: The record type of an administration in the key store (and in retention settings).
RECORD_TYPE = "administration"

#: Personal fields: API name -> the aggregate's sealed field.
SEALED = {"location": "location_sealed", "subject_details": "subject_details_sealed", "note": "note_sealed"}


def sealing_context(administration_id: UUID, name: str) -> str:
    """What a sealed field is bound to: this record and this field (see kernel personal_data.seal)."""
    return f"incidents/{RECORD_TYPE}/{administration_id}/{name}"


def _seal(key: DataKey, administration_id: UUID, personal: dict[str, Any]) -> dict[str, str | None]:
    return {SEALED[name]: None if value is None else as_text(seal_json(key, value, sealing_context(
        administration_id, name))) for name, value in personal.items()}


@dataclass(frozen=True)
class RecordAdministration:
    force_id: str
    administration_id: UUID
    incident_id: UUID
    now: datetime
    #: Facts of the administration other than personal fields (see NaloxoneAdministered).
    facts: dict[str, Any]
    #: location {latitude, longitude}, subject_details {age_band, sex}, note {text}: sealed here.
    personal: dict[str, Any] = field(default_factory=dict)
    officer: OfficerStanding | None = None
    kit: KitStanding | None = None


@dataclass(frozen=True)
class RecordOutcome:
    force_id: str
    administration_id: UUID
    outcome: Outcome
    source: OutcomeSource
    final: bool
    known_at: datetime
    conveyed_to_hospital: bool = False
    referral_offered: bool = False


@dataclass(frozen=True)
class CorrectAdministration:
    force_id: str
    administration_id: UUID
    reason: CorrectionReason
    now: datetime
    changes: dict[str, Any]
    personal: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EraseSubject:
    force_id: str
    subject_pseudonym: str
    request_id: UUID
    now: datetime


@dataclass(frozen=True)
class ShredForRetention:
    force_id: str
    administration_id: UUID
    now: datetime


def _summary(administration: Administration) -> dict:
    return {"administration_id": str(administration.id), "incident_id": str(administration.incident_id),
            "subject_pseudonym": administration.values.get("subject_pseudonym"),
            "outcome": administration.outcome.value if administration.outcome else None,
            "life_saved": administration.life_saved, "provisional": administration.provisional,
            "flags": [f.value for f in administration.flags]}


def record(cmd: RecordAdministration, keys: KeyStore) -> Decision:
    async def decide(session: Session) -> dict:
        administration = await session.get(Administration, cmd.administration_id)
        if administration.version:
            raise DomainError(f"administration {cmd.administration_id} is already recorded")
        sealed = {}
        if any(v is not None for v in cmd.personal.values()):
            key = await keys.create(force_id=cmd.force_id, subject_pseudonym=cmd.facts.get("subject_pseudonym"),
                                    record_type=RECORD_TYPE, record_id=cmd.administration_id,
                                    occurred_at=cmd.facts["administered_at"])
            sealed = _seal(key, cmd.administration_id, cmd.personal)
        administration.record(force_id=cmd.force_id, incident_id=cmd.incident_id, now=cmd.now, officer=cmd.officer,
                              kit=cmd.kit, **cmd.facts, **sealed)
        return _summary(administration)

    return decide


def record_outcome(cmd: RecordOutcome) -> Decision:
    async def decide(session: Session) -> dict:
        administration = await session.existing(Administration, cmd.administration_id, cmd.force_id,
                                                "administration")
        administration.record_outcome(outcome=cmd.outcome, source=cmd.source, final=cmd.final,
                                      known_at=cmd.known_at, conveyed_to_hospital=cmd.conveyed_to_hospital,
                                      referral_offered=cmd.referral_offered)
        return _summary(administration)

    return decide


def correct(cmd: CorrectAdministration, keys: KeyStore) -> Decision:
    async def decide(session: Session) -> dict:
        administration = await session.existing(Administration, cmd.administration_id, cmd.force_id,
                                                "administration")
        changes = dict(cmd.changes)
        if cmd.personal:
            changes |= _seal(await _key_for_correction(keys, administration, changes), cmd.administration_id,
                             cmd.personal)
        before = administration.version + len(administration.pending)
        administration.correct(reason=cmd.reason, corrected_at=cmd.now, now=cmd.now, **changes)
        if administration.version + len(administration.pending) > before and "subject_pseudonym" in changes:
            await keys.relink(RECORD_TYPE, cmd.administration_id, changes["subject_pseudonym"])
        return _summary(administration) | {"corrections": administration.corrections}

    return decide


async def _key_for_correction(keys: KeyStore, administration: Administration, changes: dict) -> DataKey:
    """The record's key; made now if it never had personal fields; refused if it was shredded."""
    key = await keys.for_record(RECORD_TYPE, administration.id)
    if key is not None:
        return key
    had_sealed = any(administration.values.get(name) for name in SEALED.values())
    if administration.shredded is not None or had_sealed:
        raise DomainError(f"the personal data of administration {administration.id} was shredded; "
                          "it cannot be corrected")
    return await keys.create(
        force_id=administration.force_id, record_type=RECORD_TYPE, record_id=administration.id,
        subject_pseudonym=changes.get("subject_pseudonym", administration.values["subject_pseudonym"]),
        occurred_at=administration.values["administered_at"])


def erase_subject(cmd: EraseSubject, keys: KeyStore) -> Decision:
    """Crypto-shred every record of the subject in the force, and record that it was done."""

    async def decide(session: Session) -> dict:
        subject = await session.get(Subject, subject_id(cmd.force_id, cmd.subject_pseudonym))
        shredded = await keys.erase_subject(cmd.force_id, cmd.subject_pseudonym)
        subject.erase(force_id=cmd.force_id, pseudonym=cmd.subject_pseudonym, request_id=cmd.request_id,
                      erased_at=cmd.now, records_shredded=len(shredded))
        return {"subject_pseudonym": cmd.subject_pseudonym, "request_id": str(cmd.request_id),
                "erased_at": cmd.now.isoformat(), "records_shredded": len(shredded),
                "administration_ids": sorted(str(s.record_id) for s in shredded)}

    return decide


def shred_for_retention(cmd: ShredForRetention, keys: KeyStore) -> Decision:
    """Destroy one record's key (past retention) and say so on the record (what the retention job runs)."""
    return shred_records(keys, RECORD_TYPE, Administration, ShredReason.RETENTION, cmd.now,
                         record_id=cmd.administration_id)
