"""The incidents domain: administrations of naloxone, their outcomes and corrections, and subjects (pure Python)."""

from .administration import (  # noqa: F401
    ADMINISTRATION_EVENTS,
    CORRECTABLE,
    Administration,
    AdministrationCorrected,
    IncidentOutcomeRecorded,
    NaloxoneAdministered,
    PersonalDataShredded,
)
from .subject import SUBJECT_EVENTS, Subject, SubjectErased, subject_id  # noqa: F401
from .values import (  # noqa: F401
    ALIVE,
    LIFE_SAVED_RULE,
    Administrator,
    AgeBand,
    CorrectionReason,
    Flag,
    KitSource,
    KitStanding,
    OfficerStanding,
    Outcome,
    OutcomeSource,
    Route,
    Sex,
    ShredReason,
    Substance,
    day_in_uk,
    life_saved,
)

#: Every event the incidents service stores, for its EventRegistry.
INCIDENT_EVENTS = ADMINISTRATION_EVENTS + SUBJECT_EVENTS
