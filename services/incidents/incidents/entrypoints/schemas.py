"""Incidents request bodies: strict, bounded, unknown fields refused.

The force's own identifier for the person (`subject.local_identifier`) and the note are
secrets in these models (pydantic SecretStr): never echoed in an error, a repr or a log
line. Validation messages never repeat the value given.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, Field, SecretStr, model_validator
from pydantic_core import PydanticCustomError

from naloxone_kernel.personal_data import LocalIdentifier, SubjectBody  # noqa: F401 (the kernel's, for every service)
from naloxone_kernel.schemas import Strict

from ..domain import (
    Administrator,
    AgeBand,
    CorrectionReason,
    KitSource,
    Outcome,
    OutcomeSource,
    Route,
    Sex,
    Substance,
)
from ..domain.administration import MAX_DOSES

AREA = r"^[A-Z0-9][A-Z0-9 ]{0,11}$"
STAFF_NUMBER = r"^[A-Za-z0-9][A-Za-z0-9/_-]{0,31}$"
MAX_NOTE = 500


class PlaceBody(Strict):
    area_code: str = Field(pattern=AREA, description="coarse area: postcode district (e.g. B1) or LSOA code; "
                                                     "the only place regional and national views see")
    latitude: float | None = Field(default=None, ge=49.0, le=61.0,
                                   description="exact place (WGS84), kept sealed, seen only inside the force")
    longitude: float | None = Field(default=None, ge=-8.7, le=2.0)

    @model_validator(mode="after")
    def _both_or_neither(self) -> "PlaceBody":
        if (self.latitude is None) != (self.longitude is None):
            raise PydanticCustomError("coordinates", "latitude and longitude go together")
        return self

    def location(self) -> dict | None:
        return None if self.latitude is None else {"latitude": self.latitude, "longitude": self.longitude}


class AdministrationBody(Strict):
    incident_id: UUID | None = Field(default=None, description="to add a second person's administration to an "
                                                               "incident already recorded; a new incident if absent")
    administered_by: Administrator
    staff_number: str | None = Field(default=None, pattern=STAFF_NUMBER,
                                     description="the officer's staff number, when an officer administered")
    given_before_police: bool = False
    given_before_police_by: Administrator | None = None
    kit_source: KitSource = KitSource.UNKNOWN
    kit_id: UUID | None = Field(default=None, description="the force kit used, when kit_source is force_kit")
    call_at: AwareDatetime | None = None
    arrived_at: AwareDatetime | None = None
    administered_at: AwareDatetime = Field(description="first dose given")
    ambulance_arrived_at: AwareDatetime | None = None
    doses: int = Field(ge=1, le=MAX_DOSES)
    route: Route
    suspected_substances: list[Substance] = Field(default_factory=lambda: [Substance.UNKNOWN], min_length=1,
                                                  max_length=len(Substance))
    response_recorded: bool = False
    responded_after_dose: int = Field(default=0, ge=0, le=MAX_DOSES, description="0: no response")
    ambulance_called: bool = False
    ambulance_attended: bool = False
    outcome: Outcome = Outcome.UNKNOWN
    outcome_final: bool = False
    conveyed_to_hospital: bool = False
    place: PlaceBody
    subject: SubjectBody | None = None
    note: SecretStr | None = Field(default=None, max_length=MAX_NOTE,
                                   description="bounded note, sealed; never published on Kafka")


class OutcomeBody(Strict):
    outcome: Outcome
    source: OutcomeSource
    final: bool = False
    known_at: AwareDatetime
    conveyed_to_hospital: bool = False
    referral_offered: bool = False


class CorrectionSubjectBody(Strict):
    local_identifier: LocalIdentifier | None = None
    age_band: AgeBand | None = None
    sex: Sex | None = None

    @model_validator(mode="after")
    def _details_together(self) -> "CorrectionSubjectBody":
        if (self.age_band is None) != (self.sex is None):
            raise PydanticCustomError("subject_details", "age_band and sex are corrected together")
        return self


class CorrectionBody(Strict):
    """Only the fields given are corrected (give null to clear an optional time)."""

    reason: CorrectionReason
    doses: int | None = Field(default=None, ge=1, le=MAX_DOSES)
    route: Route | None = None
    suspected_substances: list[Substance] | None = Field(default=None, min_length=1, max_length=len(Substance))
    administered_at: AwareDatetime | None = None
    call_at: AwareDatetime | None = None
    arrived_at: AwareDatetime | None = None
    ambulance_arrived_at: AwareDatetime | None = None
    response_recorded: bool | None = None
    responded_after_dose: int | None = Field(default=None, ge=0, le=MAX_DOSES)
    ambulance_called: bool | None = None
    ambulance_attended: bool | None = None
    place: PlaceBody | None = None
    subject: CorrectionSubjectBody | None = None
    note: SecretStr | None = Field(default=None, max_length=MAX_NOTE)

    @model_validator(mode="after")
    def _something(self) -> "CorrectionBody":
        if self.model_fields_set <= {"reason"}:
            raise PydanticCustomError("empty_correction", "a correction names at least one field to correct")
        return self


class ErasureBody(Strict):
    request_id: UUID | None = Field(default=None, description="the DPO's own reference for the request")


class PseudonymBody(Strict):
    local_identifier: LocalIdentifier

